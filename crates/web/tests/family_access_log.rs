//! The family's side of sharing, on both databases: the access-log extract a custody holder or
//! a young person from 15 asks for (with basis and kind of data, without staff names unless a
//! decision lets them in, without what is withheld), the review of an emergency access, and the
//! owner's worklist of accesses to review and children turning 15.

mod support;

use axum::http::StatusCode;
use chrono::{Datelike, Days, Months};
use samspor_domain::cpr::{Cpr, Sex};
use serde_json::{Value, json};
use support::sharing::{basis, child_with_course, guardian, unit};
use support::{TestApp, each_backend};

async fn extract(app: &TestApp, t: &str, child: &str, body: Value) -> support::Reply {
    app.post(
        &format!("/api/v1/children/{child}/access-log/extracts"),
        t,
        body,
    )
    .await
}

fn lines(v: &Value) -> &Vec<Value> {
    v["lines"].as_array().unwrap()
}

/// A course shared with a GP practice on the custody holders' consent: (owner token, GP token,
/// child, GP practice id).
async fn shared_with_gp(app: &TestApp) -> (String, String, String, String) {
    let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
    let (gp, gp_code) = unit(app, "gp_practice", "Lægehuset Testvej").await;
    let g = app.user_token("laege@testvej.dk", "gp", &gp_code).await;
    let (child, course) = child_with_course(app, &t, "2016-03-03").await;
    let view = basis(app, &t, &child).await;
    let givers = [guardian(&view, "Mor Deling"), guardian(&view, "Far Deling")];
    let r = app
        .post(
            &format!("/api/v1/children/{child}/consents"),
            &t,
            json!({"recipients": [{"org_id": gp, "kind": "general_practice"}],
                   "categories": ["contact_and_course", "scores"],
                   "purpose_text": "Egen læge følger forløbet", "form": "written",
                   "given_on": "2026-11-20", "givers": givers}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .post(
            &format!("/api/v1/children/{child}/shares"),
            &t,
            json!({"course_id": course, "recipient_org_id": gp}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (t, g, child, gp)
}

#[tokio::test]
async fn the_family_extract_names_organisation_role_data_and_basis_but_no_staff_by_default() {
    each_backend(|app| async move {
        let (t, g, child, _) = shared_with_gp(&app).await;
        let r = app.get(&format!("/api/v1/children/{child}"), &g).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let view = basis(&app, &t, &child).await;
        let mother = guardian(&view, "Mor Deling");

        let r = extract(&app, &t, &child, json!({"requested_by": mother})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let x = r.json();
        let gp_reads: Vec<&Value> = lines(&x)
            .iter()
            .filter(|l| l["organisation"] == "Lægehuset Testvej")
            .collect();
        assert!(!gp_reads.is_empty(), "{x}");
        for l in &gp_reads {
            assert_eq!(l["role"], "gp");
            assert_eq!(l["basis"]["kind"], "consent", "{l}");
            assert!(
                l["basis"]["provision"]
                    .as_str()
                    .unwrap()
                    .contains("sundhedsloven"),
                "{l}"
            );
            assert_eq!(l["data"], json!(["contact_and_course"]), "{l}");
        }
        let own = lines(&x)
            .iter()
            .find(|l| l["organisation"] == "København")
            .or_else(|| lines(&x).iter().find(|l| l["basis"]["kind"] == "own_case"))
            .expect("the owner's own work is in the extract");
        assert_eq!(own["basis"]["kind"], "own_case");
        assert!(
            lines(&x).iter().all(|l| l["staff_name"].is_null()),
            "no staff names without a decision"
        );
        assert!(!x.to_string().contains("Test User"));

        // A recorded data-protection decision lets the names in, and is kept with the extract.
        let r = extract(
            &app,
            &t,
            &child,
            json!({"requested_by": mother, "staff_names_decision": "DPO-afgørelse j.nr. 2026-14"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert!(lines(&r.json()).iter().any(|l| l["staff_name"].is_string()));
        let view = basis(&app, &t, &child).await;
        let extracts = view["extracts"].as_array().unwrap();
        assert_eq!(extracts.len(), 2);
        assert_eq!(
            extracts[1]["staff_names_decision"],
            "DPO-afgørelse j.nr. 2026-14"
        );

        // The GP, a recipient, gives no extracts of another organisation's record.
        let r = extract(&app, &g, &child, json!({"requested_by": mother})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn only_a_custody_holder_or_the_young_person_from_15_gets_an_extract_and_a_refusal_changes_nothing()
 {
    each_backend(|app| async move {
        let (t, _, child, _) = shared_with_gp(&app).await;
        let view = basis(&app, &t, &child).await;
        let stepfather = guardian(&view, "Stedfar");
        for (who, message) in [
            (json!(stepfather), "§ 23"),
            (json!("child"), "Under 15"),
            (json!("nobody"), "Vælg hvem"),
            (Value::Null, "Vælg hvem"),
        ] {
            let r = extract(&app, &t, &child, json!({"requested_by": who})).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{who}");
            assert_eq!(r.fields(), ["requested_by"], "{who}");
            let text = r.text();
            assert!(
                text.contains(message) || r.json()["errors"][0]["message"].is_string(),
                "{text}"
            );
        }
        let r = extract(
            &app,
            &t,
            &child,
            json!({"requested_by": guardian(&view, "Mor Deling"), "staff_names_decision": "x".repeat(501)}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.fields(), ["staff_names_decision"]);
        let view = basis(&app, &t, &child).await;
        assert_eq!(view["extracts"], json!([]), "nothing recorded");

        // A young person of 16 asks themself.
        let cpr = Cpr::synthetic("2010-01-05".parse().unwrap(), Sex::Female, 4).unwrap();
        let r = app
            .post(
                "/api/v1/children",
                &t,
                json!({"cpr": cpr.to_string(), "given_name": "Ung", "family_name": "Person",
                       "guardians": [{"name": "Mor Person", "relation": "mother", "custody": true}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let young = r.json()["id"].as_str().unwrap().to_string();
        let r = extract(&app, &t, &young, json!({"requested_by": "child"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["record"]["requested_by"]["kind"], "child");
    })
    .await;
}

#[tokio::test]
async fn a_withheld_notification_stays_out_of_the_extract() {
    each_backend(|app| async move {
        let (t, _, child, _) = shared_with_gp(&app).await;
        let mother = guardian(&basis(&app, &t, &child).await, "Mor Deling");
        for (summary, withheld) in [
            ("Underretning om mistanke", json!({"withheld_until": "2099-01-01", "withheld_reason": "Mistanke mod en forælder"})),
            ("Underretning om fravær", json!({})),
        ] {
            let mut body = json!({"summary": summary});
            body.as_object_mut()
                .unwrap()
                .extend(withheld.as_object().unwrap().clone());
            let r = app
                .post(&format!("/api/v1/children/{child}/notifications"), &t, body)
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        let view = basis(&app, &t, &child).await;
        let ids: Vec<String> = view["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect();
        let log = app
            .get(&format!("/api/v1/children/{child}/access-log"), &t)
            .await
            .json();
        assert_eq!(
            log.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["object_type"] == "notification")
                .count(),
            2,
            "staff see both"
        );
        let r = extract(&app, &t, &child, json!({"requested_by": mother})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let x = r.json();
        let text = x.to_string();
        assert!(!text.contains(&ids[0]), "the withheld one is left out");
        let created = lines(&x)
            .iter()
            .filter(|l| l["action"] == "create" && l["data"] == json!(["contact_and_course"]))
            .count();
        assert!(created >= 1);
        assert_eq!(
            lines(&x).len(),
            log.as_array().unwrap().len() - 1,
            "every entry up to the extract but the withheld one"
        );
    })
    .await;
}

#[tokio::test]
async fn an_emergency_access_alerts_the_owner_waits_for_review_and_then_reaches_the_family() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (_, buc_code) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let p = app.user_token("p@buc.dk", "psychiatry", &buc_code).await;
        let (child, _) = child_with_course(&app, &t, "2016-03-03").await;
        let mother = guardian(&basis(&app, &t, &child).await, "Mor Deling");
        let cpr = app
            .get(&format!("/api/v1/children/{child}"), &t)
            .await
            .json()["cpr"]
            .as_str()
            .unwrap()
            .to_string();
        let r = app
            .post(
                "/api/v1/emergency-access",
                &p,
                json!({"cpr": cpr, "reason": "Akut selvmordsrisiko"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(
            app.get(&format!("/api/v1/children/{child}"), &p)
                .await
                .status,
            StatusCode::OK
        );

        // The owner is told at once.
        let w = app.get("/api/v1/lawful-basis/worklist", &t).await.json();
        assert_eq!(w["reviews"].as_array().unwrap().len(), 1, "{w}");
        assert_eq!(w["reviews"][0]["org_name"], "BUC Glostrup");
        let access = w["reviews"][0]["emergency_id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut b = support::Browser::logged_in(&app, "k@kbh.dk").await;
        assert!(b.page("/").await.contains("Akut adgang til gennemgang"));

        // Until reviewed, the family's extract leaves the access out.
        let x = extract(&app, &t, &child, json!({"requested_by": mother}))
            .await
            .json();
        assert!(
            lines(&x).iter().all(|l| l["basis"]["kind"] != "emergency"),
            "{x}"
        );

        let review = format!("/api/v1/children/{child}/emergency-access/{access}/review");
        let r = app.post(&review, &t, json!({"note": ""})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.fields(), ["note"]);
        let r = app
            .post(
                &review,
                &t,
                json!({"note": "Berettiget", "withheld_until": "2027-01-01"}),
            )
            .await;
        assert_eq!(r.fields(), ["withheld_reason"]);
        let r = app.post(&review, &p, json!({"note": "Mit eget"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "only the owner reviews");
        let r = app.post(&review, &t, json!({"note": "Berettiget"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = app.post(&review, &t, json!({"note": "Igen"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "once");
        let w = app.get("/api/v1/lawful-basis/worklist", &t).await.json();
        assert_eq!(w["reviews"], json!([]));

        let x = extract(&app, &t, &child, json!({"requested_by": mother}))
            .await
            .json();
        let emergency: Vec<&Value> = lines(&x)
            .iter()
            .filter(|l| l["basis"]["kind"] == "emergency")
            .collect();
        assert!(!emergency.is_empty(), "{x}");
        assert!(
            emergency
                .iter()
                .all(|l| l["organisation"] == "BUC Glostrup")
        );
    })
    .await;
}

#[tokio::test]
async fn the_worklist_shows_children_turning_15_whose_parents_consent_needs_confirming() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (buc, _) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let today = chrono::Utc::now().date_naive();
        let soon = today
            .checked_sub_months(Months::new(15 * 12))
            .unwrap()
            .checked_add_days(Days::new(10))
            .unwrap();
        let later = soon.checked_add_days(Days::new(60)).unwrap();
        let mut ids = Vec::new();
        for born in [soon, later] {
            let (child, _) = child_with_course(&app, &t, &born.to_string()).await;
            let view = basis(&app, &t, &child).await;
            let givers = [guardian(&view, "Mor Deling"), guardian(&view, "Far Deling")];
            let r = app
                .post(
                    &format!("/api/v1/children/{child}/consents"),
                    &t,
                    json!({"recipients": [{"org_id": buc, "kind": "child_psychiatry"}],
                           "categories": ["contact_and_course"],
                           "purpose_text": "Udredning", "form": "written",
                           "given_on": today.to_string(), "givers": givers}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            ids.push(child);
        }
        let w = app.get("/api/v1/lawful-basis/worklist", &t).await.json();
        let listed: Vec<&str> = w["turning_15"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["child_id"].as_str().unwrap())
            .collect();
        assert_eq!(listed, [ids[0].as_str()], "{w}");
        let expected = soon.checked_add_months(Months::new(15 * 12)).unwrap();
        assert_eq!(w["turning_15"][0]["turns_15"], expected.to_string());
        assert_eq!(w["turning_15"][0]["consents"], 1);
        assert!(expected.year() >= today.year());

        // Roles without children see an empty list, not an error.
        let a = app.user_token("analyst@kbh.dk", "analyst", "0101").await;
        let w = app.get("/api/v1/lawful-basis/worklist", &a).await;
        assert_eq!(w.status, StatusCode::OK);
        assert_eq!(w.json()["turning_15"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn the_extract_is_a_page_to_print_or_a_csv_file_and_a_refusal_keeps_the_form() {
    each_backend(|app| async move {
        let (t, g, child, _) = shared_with_gp(&app).await;
        app.get(&format!("/api/v1/children/{child}"), &g).await;
        let view = basis(&app, &t, &child).await;
        let (mother, stepfather) = (guardian(&view, "Mor Deling"), guardian(&view, "Stedfar"));
        let mut b = support::Browser::logged_in(&app, "k@kbh.dk").await;
        let path = format!("/children/{child}/lawful-basis/extract");
        let r = b
            .submit(&path, &[("requested_by", &stepfather), ("format", "page")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("forældreansvarsloven § 23"), "{html}");
        assert!(html.contains("aria-invalid=\"true\""));

        let r = b
            .submit(&path, &[("requested_by", &mother), ("format", "page")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("Lægehuset Testvej"), "{html}");
        assert!(html.contains("Samtykke (sundhedsloven"), "{html}");
        assert!(html.contains("Egen sag"));
        assert!(html.contains("Mor Deling"));

        let r = b
            .submit(&path, &[("requested_by", &mother), ("format", "csv")])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = r.text();
        let mut rows = csv.lines();
        assert_eq!(
            rows.next().unwrap(),
            "Tidspunkt;Organisation;Rolle;Handling;Oplysninger;Formål;Grundlag"
        );
        assert!(rows.any(|row| row.contains("Lægehuset Testvej") && row.contains("Samtykke")));
        let page = b.page(&format!("/children/{child}/lawful-basis")).await;
        assert!(page.contains("Udskrifter givet til familien"));
    })
    .await;
}

#[tokio::test]
async fn a_shared_course_carries_a_badge_with_recipient_basis_and_last_day() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (buc, _) = unit(&app, "psychiatry", "BUC Glostrup").await;
        let (child, course) = child_with_course(&app, &t, "2016-03-03").await;
        let mut b = support::Browser::logged_in(&app, "k@kbh.dk").await;
        let page = b.page(&format!("/courses/{course}")).await;
        assert!(!page.contains("Delt med"), "not shared yet");

        let view = basis(&app, &t, &child).await;
        let givers = [guardian(&view, "Mor Deling"), guardian(&view, "Far Deling")];
        let r = app
            .post(
                &format!("/api/v1/children/{child}/consents"),
                &t,
                json!({"recipients": [{"org_id": buc, "kind": "child_psychiatry"}],
                       "categories": ["contact_and_course"], "purpose_text": "Udredning",
                       "form": "written", "given_on": "2026-11-20", "valid_to": "2027-05-01",
                       "givers": givers}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let consent = r.json()["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &format!("/api/v1/children/{child}/shares"),
                &t,
                json!({"course_id": course, "recipient_org_id": buc}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let page = b.page(&format!("/courses/{course}")).await;
        assert!(
            page.contains("Delt med BUC Glostrup – samtykke til 01.05.2027"),
            "{page}"
        );

        // Withdrawn: the share stays, the badge says nothing is shown.
        let r = app
            .post(
                &format!("/api/v1/children/{child}/consents/{consent}/withdrawal"),
                &t,
                json!({"giver": givers[0], "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = b.page(&format!("/courses/{course}")).await;
        assert!(
            page.contains("Delt med BUC Glostrup – intet gyldigt grundlag nu"),
            "{page}"
        );
    })
    .await;
}
