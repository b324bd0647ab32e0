//! Sharing a child's course with another organisation on a lawful basis, through the API, on
//! both databases: nothing is seen without a share and a basis, only the covered categories
//! are seen, withdrawal and objection close it again, and bad input changes nothing.

mod support;

use axum::http::StatusCode;
use samspor_domain::cpr::{Cpr, Sex};
use serde_json::{Value, json};
use support::sharing::{basis, child_with_course, guardian, unit};
use support::{TestApp, each_backend};

async fn search_ids(app: &TestApp, token: &str) -> Vec<String> {
    let r = app.get("/api/v1/children", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn child_psychiatry_sees_a_shared_course_only_while_both_custody_holders_consent() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (buc, buc_code) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let p = app.user_token("p@buc.dk", "psychiatry", &buc_code).await;
        let (child, course) = child_with_course(&app, &t, "2016-03-03").await;
        let child_url = format!("/api/v1/children/{child}");
        let course_url = format!("/api/v1/courses/{course}");

        // Nothing is shared: it does not exist for BUC.
        assert_eq!(app.get(&child_url, &p).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&course_url, &p).await.status, StatusCode::NOT_FOUND);
        assert!(!search_ids(&app, &p).await.contains(&child));

        // A share runs behind its basis, never ahead of it.
        let share = json!({"course_id": course, "recipient_org_id": buc});
        let r = app
            .post(&format!("{child_url}/shares"), &t, share.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.fields(), ["recipient_org_id"]);

        let view = basis(&app, &t, &child).await;
        let mother = guardian(&view, "Mor Deling");
        let father = guardian(&view, "Far Deling");
        let r = app
            .post(
                &format!("{child_url}/consents"),
                &t,
                json!({"recipients": [{"org_id": buc, "kind": "child_psychiatry"}],
                       "categories": ["contact_and_course", "plan"],
                       "purpose_text": "Udredning i BUC", "form": "written",
                       "given_on": "2026-11-20", "givers": [mother]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let consent = r.json()["id"].as_str().unwrap().to_string();
        let view = basis(&app, &t, &child).await;
        assert_eq!(
            view["consents"][0]["state"]["state"],
            "awaiting_custody_holders"
        );
        assert_eq!(view["consents"][0]["state"]["missing"], json!([father]));
        let r = app
            .post(&format!("{child_url}/shares"), &t, share.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "one of two custody holders is no basis"
        );

        let r = app
            .post(
                &format!("{child_url}/consents/{consent}/givers"),
                &t,
                json!({"giver": father, "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = app
            .post(&format!("{child_url}/shares"), &t, share.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        // BUC now reads the child (without the address) and the course, but no journal.
        let r = app.get(&child_url, &p).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["address"], Value::Null);
        let r = app.get(&course_url, &p).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(search_ids(&app, &p).await.contains(&child));
        // Reading is all: the recipient writes into its own records, never the sharer's.
        let r = app
            .call(
                axum::http::Method::PATCH,
                &child_url,
                Some(&p),
                Some(json!({"given_name": "Ændret"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The owner's access log names BUC's reads with their basis.
        let log = app.get(&format!("{child_url}/access-log"), &t).await.json();
        let buc_reads: Vec<&Value> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["organisation"] == "BUC Glostrup")
            .collect();
        assert!(!buc_reads.is_empty());
        for e in &buc_reads {
            let basis = e["basis"].as_str().unwrap_or_default();
            assert!(
                basis.starts_with(&format!("basis=consent:{consent}")),
                "{e}"
            );
            assert!(basis.contains("§ 41, stk. 1"), "{e}");
        }

        // The mother withdraws: from the next request BUC sees nothing.
        let r = app
            .post(
                &format!("{child_url}/consents/{consent}/withdrawal"),
                &t,
                json!({"giver": mother}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(app.get(&child_url, &p).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&course_url, &p).await.status, StatusCode::NOT_FOUND);
        assert!(!search_ids(&app, &p).await.contains(&child));
        assert_eq!(
            app.get(&format!("{child_url}/lawful-basis"), &p)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn an_objection_closes_a_statutory_treatment_basis_until_withdrawn() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (buc, buc_code) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let p = app.user_token("p@buc.dk", "psychiatry", &buc_code).await;
        let (child, course) = child_with_course(&app, &t, "2010-05-05").await;
        let child_url = format!("/api/v1/children/{child}");
        let r = app
            .post(
                &format!("{child_url}/statutory-bases"),
                &t,
                json!({"ground": "current_treatment",
                       "recipients": [{"org_id": buc, "kind": "child_psychiatry"}],
                       "categories": ["contact_and_course"], "reason": "Henvist, aktuelt forløb"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app
            .post(
                &format!("{child_url}/shares"),
                &t,
                json!({"course_id": course, "recipient_org_id": buc}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(app.get(&child_url, &p).await.status, StatusCode::OK);

        // The 16-year-old objects; a parent cannot object for them.
        let view = basis(&app, &t, &child).await;
        let mother = guardian(&view, "Mor Deling");
        let r = app
            .post(
                &format!("{child_url}/objections"),
                &t,
                json!({"by": mother, "note": "Mor vil ikke"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = app
            .post(
                &format!("{child_url}/objections"),
                &t,
                json!({"by": "child", "note": "Vil ikke have at BUC læser med"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let objection = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(app.get(&child_url, &p).await.status, StatusCode::NOT_FOUND);

        let r = app
            .post(
                &format!("{child_url}/objections/{objection}/withdrawal"),
                &t,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        assert_eq!(app.get(&child_url, &p).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn bad_bases_are_refused_by_field_and_change_nothing() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (school, _) = unit(&app, "school", "Testskolen").await;
        let (buc, _) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let (child, _) = child_with_course(&app, &t, "2016-03-03").await;
        let young = child_with_course(&app, &t, "2010-05-05").await.0;
        let child_url = format!("/api/v1/children/{child}");
        let view = basis(&app, &t, &child).await;
        let stepfather = guardian(&view, "Stedfar");
        let mother = guardian(&view, "Mor Deling");
        let audit_before = app.audit_count().await;

        let cases = [
            // A parent without custody cannot consent.
            (child.clone(), json!({"recipients": [{"org_id": buc, "kind": "child_psychiatry"}], "categories": ["scores"],
                    "purpose_text": "x", "form": "written", "given_on": "2026-11-20", "givers": [stepfather]}), "givers"),
            // A § 43 consent lapses within a year.
            (child.clone(), json!({"recipients": [{"org_id": school, "kind": "school_ppr"}], "categories": ["scores"],
                    "purpose_text": "x", "form": "written", "given_on": "2026-11-20", "valid_to": "2027-12-01",
                    "givers": [mother]}), "valid_to"),
            // Dates in the wrong order.
            (child.clone(), json!({"recipients": [{"org_id": buc, "kind": "child_psychiatry"}], "categories": ["scores"],
                    "purpose_text": "x", "form": "written", "given_on": "2026-11-20", "valid_to": "2026-11-01",
                    "givers": [mother]}), "valid_to"),
            // Journal notes never go to a school.
            (child.clone(), json!({"recipients": [{"org_id": school, "kind": "school_ppr"}], "categories": ["journal"],
                    "purpose_text": "x", "form": "written", "given_on": "2026-11-20", "givers": [mother]}), "categories"),
            // A 16-year-old consents themself unless a capacity assessment is recorded.
            (young.clone(), json!({"recipients": [{"org_id": buc, "kind": "child_psychiatry"}], "categories": ["scores"],
                    "purpose_text": "x", "form": "written", "given_on": "2026-11-20",
                    "givers": [guardian(&basis(&app, &t, &young).await, "Mor Deling")]}), "capacity_reason"),
            // The organisation must be of the kind named.
            (child.clone(), json!({"recipients": [{"org_id": school, "kind": "child_psychiatry"}], "categories": ["scores"],
                    "purpose_text": "x", "form": "written", "given_on": "2026-11-20", "givers": [mother]}), "recipients"),
        ];
        for (who, body, field) in cases {
            let r = app.post(&format!("/api/v1/children/{who}/consents"), &t, body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text());
            assert!(r.fields().contains(&field.to_string()), "{field} not in {:?}", r.fields());
        }
        let missing = uuid::Uuid::now_v7();
        let r = app
            .post(&format!("{child_url}/consents/{missing}/withdrawal"), &t, json!({"giver": mother}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(basis(&app, &t, &child).await["consents"].as_array().unwrap().is_empty());
        // Only the reads of the lawful-basis page were logged.
        assert_eq!(app.audit_count().await, audit_before + 2);
    })
    .await;
}

#[tokio::test]
async fn a_gp_opens_a_record_in_an_emergency_and_the_owner_sees_it() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (_, gp_code) = unit(&app, "gp_practice", "Lægehuset Testvej").await;
        let g = app.user_token("g@laege.dk", "gp", &gp_code).await;
        let (child, _) = child_with_course(&app, &t, "2012-08-08").await;
        let cpr = Cpr::synthetic("2012-08-08".parse().unwrap(), Sex::Male, 3).unwrap();
        assert_eq!(
            app.get(&format!("/api/v1/children/{child}"), &g)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .post(
                "/api/v1/emergency-access",
                &g,
                json!({"cpr": cpr.to_string()}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.fields(), ["reason"]);
        let r = app
            .post(
                "/api/v1/emergency-access",
                &g,
                json!({"cpr": cpr.to_string(), "reason": "Akut selvmordsrisiko i konsultationen"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["children"], json!([child]));
        let r = app.get(&format!("/api/v1/children/{child}"), &g).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let view = basis(&app, &t, &child).await;
        assert_eq!(view["emergencies"].as_array().unwrap().len(), 1);
        assert_eq!(
            view["emergencies"][0]["reason"],
            "Akut selvmordsrisiko i konsultationen"
        );
    })
    .await;
}

#[tokio::test]
async fn the_lawful_basis_page_records_refuses_in_danish_and_shows_each_state() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (buc, _) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let (child, course) = child_with_course(&app, &t, "2016-03-03").await;
        let view = basis(&app, &t, &child).await;
        let (mother, father) = (guardian(&view, "Mor Deling"), guardian(&view, "Far Deling"));
        let stepfather = guardian(&view, "Stedfar");
        let mut b = support::Browser::logged_in(&app, "k@kbh.dk").await;
        let path = format!("/children/{child}/lawful-basis");
        assert!(b.page(&format!("/children/{child}")).await.contains(&path));
        assert!(b.page(&path).await.contains("Samtykke og deling"));

        let consent = |giver: &str| {
            vec![
                ("recipients", buc.clone()),
                ("categories", "scores".to_string()),
                ("categories", "contact_and_course".to_string()),
                ("purpose_text", "Udredning i BUC".to_string()),
                ("form", "written".to_string()),
                ("given_on", "2026-11-20".to_string()),
                ("givers", giver.to_string()),
            ]
        };
        let refused = consent(&stepfather);
        let pairs: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.submit(&format!("{path}/consent"), &pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("har ikke forældremyndigheden"), "{html}");
        assert!(html.contains("Udredning i BUC"), "the input is kept");
        assert!(
            basis(&app, &t, &child).await["consents"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        let ok = consent(&mother);
        let pairs: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.submit(&format!("{path}/consent"), &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = b.page(&path).await;
        assert!(html.contains("Mangler samtykke fra Far Deling"), "{html}");

        let share = [
            ("course_id", course.as_str()),
            ("recipient_org_id", buc.as_str()),
        ];
        let r = b.submit(&format!("{path}/share"), &share).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("registrér grundlaget først"));

        let id = basis(&app, &t, &child).await["consents"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = b
            .submit(
                &format!("{path}/giver"),
                &[
                    ("target", id.as_str()),
                    ("version", "1"),
                    ("giver", father.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(
            b.page(&path)
                .await
                .contains("Aktivt, indtil det trækkes tilbage")
        );
        let r = b.submit(&format!("{path}/share"), &share).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(
            b.page(&path)
                .await
                .contains("BUC Glostrup (Børne- og ungdomspsykiatrien)")
        );
        assert_eq!(
            b.submit(&format!("{path}/unknown"), &[]).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}
