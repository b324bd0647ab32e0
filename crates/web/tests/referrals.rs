//! Referrals to child psychiatry through HTTP: sent only on a lawful basis, answered only by the
//! receiving unit, a return always naming the way, and the municipality's task for a return.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::sharing::{basis, child_with_course, psychiatry_consent, unit};
use support::{Browser, TestApp, each_backend};

struct Setup {
    coordinator: String,
    psychiatry: String,
    buc: String,
    child: String,
    course: String,
}

/// A København course whose visitation decided to refer to the BUC unit, with no basis yet.
async fn referred(app: &TestApp, born: &str) -> Setup {
    let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
    let (buc, code) = unit(app, "psychiatry", "BUC Testrup").await;
    let psychiatry = app.user_token("p@buc.dk", "psychiatry", &code).await;
    let (child, course) = child_with_course(app, &coordinator, born).await;
    let r = app
        .post(
            &format!("/api/v1/courses/{course}/decisions"),
            &coordinator,
            json!({"outcome": "psychiatry", "way": {"destination": "psychiatry",
                   "note": "Henvises til BUC; familien kender ventetiden."}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    Setup {
        coordinator,
        psychiatry,
        buc,
        child,
        course,
    }
}

/// Both custody holders' written consent to the unit for the course facts and the scores: its id.
async fn consent(app: &TestApp, s: &Setup) -> (String, String) {
    let categories = ["contact_and_course", "scores"];
    psychiatry_consent(app, &s.coordinator, &s.child, &s.buc, &categories).await
}

fn letter(buc: &str) -> Value {
    json!({"to_org_id": buc, "reason": "Tvangshandlinger flere timer dagligt",
           "tried": "Samtaler i kommunen og forældrevejledning", "child_view": "Vil gerne have hjælp",
           "family_view": "Ønsker udredning"})
}

fn fields(r: &support::Reply) -> Vec<String> {
    r.fields()
}

#[tokio::test]
async fn a_referral_goes_only_on_a_basis_and_a_return_always_names_the_way() {
    each_backend(|app| async move {
        let s = referred(&app, "2013-04-05").await;
        let send = format!("/api/v1/courses/{}/psychiatry-referral", s.course);

        // Without a basis, or with parts missing, nothing is sent and nothing is shared.
        let before = app.audit_count().await;
        let r = app.post(&send, &s.coordinator, letter(&s.buc)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r), ["to_org_id"]);
        assert!(r.text().contains("BUC Testrup"), "the message names the unit");
        let r = app
            .post(&send, &s.coordinator, json!({"to_org_id": s.buc, "reason": " "}))
            .await;
        assert_eq!(
            fields(&r),
            ["reason", "tried", "child_view", "family_view", "to_org_id"]
        );
        assert_eq!(app.audit_count().await, before, "a refused referral writes nothing");
        assert!(basis(&app, &s.coordinator, &s.child).await["shares"].as_array().unwrap().is_empty());

        consent(&app, &s).await;
        let r = app.post(&send, &s.coordinator, letter(&s.buc)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let sent = r.json();
        let id = sent["id"].as_str().unwrap().to_string();
        let received: chrono::NaiveDate = sent["received_on"].as_str().unwrap().parse().unwrap();
        let due: chrono::NaiveDate = sent["due_on"].as_str().unwrap().parse().unwrap();
        assert_eq!((due - received).num_days(), 30, "the provisional default deadline");
        let shares = basis(&app, &s.coordinator, &s.child).await["shares"].clone();
        assert_eq!(shares.as_array().unwrap().len(), 1, "sending shared the course");
        let again = app.post(&send, &s.coordinator, letter(&s.buc)).await;
        assert_eq!(fields(&again), ["course"], "the letter was sent once");

        // The unit's queue holds it with the scores; nobody else's does.
        let queue = app.get("/api/v1/psychiatry-referrals", &s.psychiatry).await.json();
        assert_eq!(queue.as_array().unwrap().len(), 1);
        assert_eq!(queue[0]["child_name"], "Delta Deling");
        assert_eq!(queue[0]["from_name"], "København");
        assert!(queue[0]["scores"].is_array());
        let (_, other_code) = unit(&app, "psychiatry", "BUC Andetsted").await;
        let stranger = app.user_token("p@andet.dk", "psychiatry", &other_code).await;
        let one = format!("/api/v1/psychiatry-referrals/{id}");
        let answer = format!("{one}/answer");
        assert!(app.get("/api/v1/psychiatry-referrals", &stranger).await.json().as_array().unwrap().is_empty());
        assert_eq!(app.get(&one, &stranger).await.status, StatusCode::NOT_FOUND);
        let accept = json!({"answer": "accept"});
        assert_eq!(app.post(&answer, &stranger, accept.clone()).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.post(&answer, &s.coordinator, accept).await.status, StatusCode::NOT_FOUND);

        // A return without a way, or back to psychiatry, is refused and changes nothing.
        let before = app.audit_count().await;
        let r = app.post(&answer, &s.psychiatry, json!({"answer": "return"})).await;
        assert_eq!(fields(&r), ["way.destination", "way.note"]);
        let r = app
            .post(&answer, &s.psychiatry, json!({"answer": "return",
                "way": {"destination": "psychiatry", "note": "Prøv igen"}}))
            .await;
        assert_eq!(fields(&r), ["way.destination"]);
        assert_eq!(app.audit_count().await, before);
        let r = app
            .post(&answer, &s.psychiatry, json!({"answer": "return",
                "way": {"destination": "other_offer_home", "note": "Start med angstforløb i kommunen"}}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "returned");
        let r = app.post(&answer, &s.psychiatry, json!({"answer": "accept"})).await;
        assert_eq!(fields(&r), ["answer"], "answered once");

        // The municipality sees the return as a task until it has acted on it.
        let mine = app.get("/api/v1/psychiatry-referrals", &s.coordinator).await.json();
        assert_eq!(mine[0]["status"], "returned");
        assert_eq!(mine[0]["return_way"]["destination"], "other_offer_home");
        assert!(mine[0]["acted_at"].is_null());
        let acted = format!("{one}/acted");
        assert_eq!(app.post(&acted, &s.coordinator, json!({})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(fields(&app.post(&acted, &s.coordinator, json!({})).await), ["referral"]);
        assert_eq!(app.post(&acted, &s.psychiatry, json!({})).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_withdrawn_consent_takes_the_referral_out_of_the_units_sight() {
    each_backend(|app| async move {
        let s = referred(&app, "2012-06-07").await;
        let (consent_id, mother) = consent(&app, &s).await;
        let r = app
            .post(
                &format!("/api/v1/courses/{}/psychiatry-referral", s.course),
                &s.coordinator,
                letter(&s.buc),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &format!(
                    "/api/v1/children/{}/consents/{consent_id}/withdrawal",
                    s.child
                ),
                &s.coordinator,
                json!({"giver": mother}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        assert!(
            app.get("/api/v1/psychiatry-referrals", &s.psychiatry)
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        let one = format!("/api/v1/psychiatry-referrals/{id}");
        assert_eq!(
            app.get(&one, &s.psychiatry).await.status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .post(
                &format!("{one}/answer"),
                &s.psychiatry,
                json!({"answer": "accept"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The municipality still follows what it sent.
        assert_eq!(app.get(&one, &s.coordinator).await.json()["status"], "sent");
    })
    .await;
}

#[tokio::test]
async fn the_pages_send_queue_answer_and_show_the_task_in_danish() {
    each_backend(|app| async move {
        let s = referred(&app, "2014-08-09").await;
        consent(&app, &s).await;
        let mut k = Browser::logged_in(&app, "k@kbh.dk").await;
        let course_page = k.get(&format!("/courses/{}", s.course)).await.text();
        let form_path = format!("/courses/{}/psychiatry-referral", s.course);
        assert!(
            course_page.contains(&form_path),
            "the course links to the letter"
        );
        let form = k.get(&form_path).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.text().contains("Tanker om at skade sig selv"),
            "the contact's reason is filled in"
        );
        let bad = k
            .submit(&form_path, &[("to_org_id", &s.buc), ("reason", "Angst")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains(r#"id="tried-error""#));
        assert!(
            bad.text().contains("Angst"),
            "the form keeps what was typed"
        );
        let ok = k
            .submit(
                &form_path,
                &[
                    ("to_org_id", &s.buc),
                    ("reason", "Angst"),
                    ("tried", "Samtaler"),
                    ("child_view", "Vil gerne"),
                    ("family_view", "Ønsker udredning"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());

        let mut p = Browser::logged_in(&app, "p@buc.dk").await;
        let home = p.get("/").await.text();
        assert!(home.contains("Henvisninger, der venter på jer"), "{home}");
        let queue = p.get("/psychiatry-referrals").await.text();
        let id = queue.split("/psychiatry-referrals/").nth(1).unwrap()[..36].to_string();
        let answer_path = format!("/psychiatry-referrals/{id}/answer");
        let bare = p.submit(&answer_path, &[("answer", "return")]).await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bare.text().contains("Vælg, hvor familien vejledes hen."));
        let ret = p
            .submit(
                &answer_path,
                &[
                    ("answer", "return"),
                    ("way_destination", "gp"),
                    ("way_note", "Egen læge følger op på søvnen først"),
                ],
            )
            .await;
        assert_eq!(ret.status, StatusCode::SEE_OTHER);

        let home = k.get("/").await.text();
        assert!(home.contains("returneret med råd af BUC Testrup"), "{home}");
        let shown = k.get(&format!("/psychiatry-referrals/{id}")).await.text();
        assert!(shown.contains("Egen læge følger op på søvnen først"));
        let acted = k
            .submit(&format!("/psychiatry-referrals/{id}/acted"), &[])
            .await;
        assert_eq!(acted.status, StatusCode::SEE_OTHER);
        assert!(!k.get("/").await.text().contains("returneret med råd af"));
    })
    .await;
}
