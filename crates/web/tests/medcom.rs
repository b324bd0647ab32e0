//! Informing the GP through MedCom: the child's GP practice, the start message queued once the
//! family has consented and the practice is known, delivery into a Samspor practice's inbox and
//! through the file-drop transport with acknowledgements, and sending a refused message again.

mod support;

use axum::http::StatusCode;
use chrono::NaiveDate;
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::medcom::acknowledgement::{AckCode, acknowledgement_bundle};
use samspor_domain::organisation::{Programme, ean_check_digit};
use samspor_store::medcom::transport::FileDrop;
use samspor_store::medcom::{DispatchRun, Transports, dispatch};
use serde_json::{Value, json};
use std::sync::Arc;
use support::{TestApp, each_backend};

const IN_SAMSPOR_SOR: &str = "451000016003";
const OUTSIDE_SOR: &str = "953741000016009";

/// A GLN/EAN location number: twelve digits and the GS1 check digit.
fn gln(first12: &str) -> String {
    format!("{first12}{}", ean_check_digit(first12).unwrap())
}

/// A child of 0101 on a track whose family consented to informing the GP, with its first
/// session held (which writes the start message): (child, course).
async fn treated_child(app: &TestApp, t: &str, n: u32) -> (String, String) {
    let cpr = Cpr::synthetic("2014-05-03".parse().unwrap(), Sex::Female, n).unwrap();
    let r = app
        .post(
            "/api/v1/children",
            t,
            json!({"cpr": cpr.to_string(), "given_name": format!("Barn{n}"), "family_name": "Testesen"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let child = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/contacts",
            t,
            json!({"child_id": child, "source": "gp", "received_at": "2026-09-01T09:00",
                   "reason": "Bekymrer sig meget", "referrer_name": "Lægehuset", "consent": "given", "themes": ["worry"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let course = r.json()["course_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/courses/{course}/decisions");
    let r = app
        .post(
            &path,
            t,
            json!({"outcome": "track", "track": "worry_sadness"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let version = app
        .get(&format!("/api/v1/courses/{course}"), t)
        .await
        .json()["version"]
        .clone();
    let r = app
        .post(
            &format!("/api/v1/courses/{course}/sessions"),
            t,
            json!({"at": "2026-09-10T10:00", "delivery": "individual", "participants": "child_present",
                   "planned_number": 1, "attendance": ["child"], "note": "Psykoedukation.", "version": version}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (child, course)
}

async fn outbox(app: &TestApp, t: &str) -> Vec<Value> {
    let r = app.get("/api/v1/medcom/outbox", t).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json().as_array().unwrap().clone()
}

async fn practice(app: &TestApp, t: &str, child: &str, sor: &str) {
    let r = app
        .put(
            &format!("/api/v1/children/{child}/gp-practice"),
            t,
            json!({"name": "Lægehuset", "ydernummer": "012345", "sor_code": sor,
                   "ean": gln("579000123456")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn the_gp_is_informed_in_its_samspor_inbox_or_through_the_file_drop() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let admin = app.user_token("a@kbh.dk", "admin", "0101").await;
        let by = app.get("/api/v1/me", &t).await.json()["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        app.db
            .store
            .write(async |tx| {
                let since = NaiveDate::from_ymd_opt(2024, 1, 1);
                tx.set_participation(
                    "0101",
                    Programme::WorrySadness,
                    since,
                    by,
                    chrono::Utc::now(),
                )
                .await
                .unwrap();
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();
        let (_, gp_code) = support::sharing::unit(&app, "gp_practice", "Lægehuset").await;
        let gp = app.user_token("gp@laege.dk", "gp", &gp_code).await;
        let drop = tempfile::tempdir().unwrap();
        let transports = Transports {
            network: Some(Arc::new(FileDrop::new(drop.path()).unwrap())),
            fhir_base: "http://samspor.test/fhir/R4".into(),
        };

        // Nothing leaves before the child's practice is known.
        let (child, _) = treated_child(&app, &t, 1).await;
        assert!(outbox(&app, &t).await.is_empty());

        // A wrong practice is refused field by field and changes nothing.
        let path = format!("/api/v1/children/{child}/gp-practice");
        let r = app
            .put(
                &path,
                &t,
                json!({"name": " ", "ydernummer": "12", "sor_code": "1", "ean": "5790000121527"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.fields(), ["name", "ydernummer", "sor_code", "ean"]);
        assert_eq!(app.get(&path, &t).await.json(), Value::Null);

        // Recorded with the SOR code of a practice in Samspor, the start message waits only for
        // the municipality to set how it signs MedCom messages.
        app.db
            .store
            .write(async |tx| {
                let org = tx.organisation_by_code(&gp_code).await?.unwrap();
                tx.set_organisation_routing(
                    org.id,
                    IN_SAMSPOR_SOR,
                    &gln("579000999999"),
                    "+4570000000",
                )
                .await?;
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();
        practice(&app, &t, &child, IN_SAMSPOR_SOR).await;
        assert!(
            outbox(&app, &t).await.is_empty(),
            "the municipality cannot sign yet"
        );
        let routing =
            json!({"sor_code": "99901010000100", "ean": "5790000121526", "phone": "+4533660000"});
        let r = app
            .put("/api/v1/organisations/0101/medcom", &t, routing.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = app
            .put(
                "/api/v1/organisations/0101/medcom",
                &admin,
                json!({"phone": "12"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.fields(), ["sor_code", "ean", "phone"]);
        let r = app
            .put("/api/v1/organisations/0101/medcom", &admin, routing)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        practice(&app, &t, &child, IN_SAMSPOR_SOR).await;
        let sent = outbox(&app, &t).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0]["state"], "to_be_sent");
        assert_eq!(sent[0]["topic"], "Start på STIME-forløb");

        let run = dispatch(&app.db.store, &transports, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(
            run,
            DispatchRun {
                delivered_to_inbox: 1,
                ..Default::default()
            }
        );
        let inbox = app.get("/api/v1/medcom/inbox", &gp).await.json();
        assert_eq!(inbox.as_array().unwrap().len(), 1);
        assert_eq!(inbox[0]["child_name"], "Barn1 Testesen");
        assert_eq!(inbox[0]["read_at"], Value::Null);
        let id = inbox[0]["id"].as_str().unwrap().to_string();
        let read = app.get(&format!("/api/v1/medcom/messages/{id}"), &gp).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text());
        assert!(
            read.json()["text"]
                .as_str()
                .unwrap()
                .contains("Når bekymring eller tristhed")
        );
        assert_ne!(read.json()["read_at"], Value::Null);
        assert_eq!(outbox(&app, &t).await[0]["state"], "acknowledged");
        // Another practice sees nothing of it.
        let (_, other_code) = support::sharing::unit(&app, "gp_practice", "Lægerne").await;
        let other = app.user_token("gp@andre.dk", "gp", &other_code).await;
        let r = app
            .get(&format!("/api/v1/medcom/messages/{id}"), &other)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        assert!(
            app.get("/api/v1/medcom/inbox", &other)
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );

        // A practice outside Samspor gets the Bundle through the file drop.
        let (child2, _) = treated_child(&app, &t, 2).await;
        practice(&app, &t, &child2, OUTSIDE_SOR).await;
        let run = dispatch(&app.db.store, &transports, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(
            run,
            DispatchRun {
                sent: 1,
                ..Default::default()
            }
        );
        let files: Vec<_> = std::fs::read_dir(drop.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        let bundle: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
        let header = &bundle["entry"][0]["resource"];
        let header_id: uuid::Uuid = header["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            files[0].file_name().unwrap().to_string_lossy(),
            format!("{header_id}.json")
        );
        assert_eq!(
            header["destination"][0]["endpoint"],
            format!("https://sor2.sum.dsdn.dk/#id={OUTSIDE_SOR}")
        );
        let patient = &bundle["entry"][1]["resource"];
        assert_eq!(
            patient["identifier"][0]["value"],
            Cpr::synthetic("2014-05-03".parse().unwrap(), Sex::Female, 2)
                .unwrap()
                .as_str()
        );
        assert!(
            bundle["entry"][2]["fullUrl"]
                .as_str()
                .unwrap()
                .starts_with("http://samspor.test/fhir/R4/Communication/")
        );

        // Refused by the receiver: failed, shown on the front page, sent again by a coordinator.
        let ack = |code| {
            let file = drop
                .path()
                .join("in")
                .join(format!("{}.json", uuid::Uuid::new_v4()));
            std::fs::write(file, acknowledgement_bundle(header_id, code).to_string()).unwrap();
        };
        ack(AckCode::FatalError);
        std::fs::write(drop.path().join("in/garbage.json"), "{").unwrap();
        let run = dispatch(&app.db.store, &transports, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(run.failed, 1);
        assert_eq!(run.rejected, ["garbage.json"]);
        assert!(drop.path().join("in/rejected/garbage.json").exists());
        let failed = outbox(&app, &t)
            .await
            .into_iter()
            .find(|m| m["state"] == "failed")
            .unwrap();
        let failed_id = failed["id"].as_str().unwrap().to_string();
        let again = format!("/api/v1/medcom/messages/{failed_id}/send-again");
        assert_eq!(
            app.post(&again, &t, json!({})).await.status,
            StatusCode::FORBIDDEN
        );
        let r = app.post(&again, &coordinator, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(
            app.post(&again, &coordinator, json!({})).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let run = dispatch(&app.db.store, &transports, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(run.sent, 1);
        ack(AckCode::Ok);
        let run = dispatch(&app.db.store, &transports, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(run.acknowledged, 1);
        let states: Vec<Value> = outbox(&app, &t)
            .await
            .iter()
            .map(|m| m["state"].clone())
            .collect();
        assert_eq!(states, ["acknowledged", "acknowledged"]);
    })
    .await;
}
