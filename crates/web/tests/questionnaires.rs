//! Questionnaires through HTTP: links, the respondent's pages, paper forms, scores, alerts.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{Reply, TestApp, each_backend};

async fn child(app: &TestApp, token: &str, cpr: &str) -> String {
    let r = app
        .post(
            "/api/v1/children",
            token,
            json!({"cpr": cpr, "given_name": "Testa", "family_name": "Testesen",
                   "guardians": [{"name": "Mette Testesen", "relation": "mother", "custody": true}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

fn link_path(url: &str) -> String {
    let i = url.find("/s/").expect("link path");
    url[i..].to_string()
}

/// Answers every page of an SDQ parent form: all items "somewhat true" (1), no difficulties.
async fn answer_sdq(app: &TestApp, path: &str) -> Reply {
    let mut last = None;
    for page in 0..5 {
        let mut fields: Vec<(String, String)> = vec![
            ("page".into(), page.to_string()),
            ("go".into(), "next".into()),
        ];
        for i in 1..=5 {
            fields.push((format!("q{}", page * 5 + i), "1".into()));
        }
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let r = app.anon_form(path, &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        last = Some(r);
    }
    let _ = last;
    app.anon_form(
        path,
        &[("page", "5"), ("go", "submit"), ("difficulties", "0")],
    )
    .await
}

#[tokio::test]
async fn a_parent_answers_through_a_one_time_link() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = child(&app, &t, "150315-4321").await;
        let r = app
            .post(&format!("/api/v1/children/{id}/invitations"), &t, json!({"instrument": "sdq-parent-4-17", "respondent": {"kind": "guardian", "guardian": 0}}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let path = link_path(r.json()["url"].as_str().unwrap());
        assert_eq!(path.len(), "/s/".len() + 32, "128-bit token");

        let page = app.anon_get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("Testa") && !html.contains("Testesen"), "only the first name is shown");
        assert!(html.contains("Side 1 af 6"));

        // Partial answers are kept: leave after page 1, come back, they are still there.
        let r = app.anon_form(&path, &[("page", "0"), ("go", "next"), ("q1", "2"), ("q2", "0")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let again = app.anon_get(&format!("{path}?page=0")).await.text();
        assert!(again.contains(r#"id="q1-2" name="q1" value="2" checked"#), "{again}");

        let bad = app.anon_form(&path, &[("page", "0"), ("go", "next"), ("q1", "7")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains(r#"id="q1-error""#));

        let done = answer_sdq(&app, &path).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(done.header("location"), format!("{path}/tak"));
        // A second press on "send" is harmless: one response, thank-you page again.
        let twice = app.anon_form(&path, &[("page", "5"), ("go", "submit")]).await;
        assert_eq!(twice.header("location"), format!("{path}/tak"));
        let used = app.anon_get(&path).await;
        assert_eq!(used.status, StatusCode::NOT_FOUND);
        assert!(used.text().contains("Linket kan ikke bruges"));

        let responses = app.get(&format!("/api/v1/children/{id}/responses"), &t).await.json();
        assert_eq!(responses.as_array().unwrap().len(), 1);
        let s = &responses[0]["scores"]["scales"];
        // All 1s: every scale scores 5 (reverse items 2 − 1 = 1); impact 0 (no difficulties).
        assert_eq!(s["emotional"]["score"], 5);
        assert_eq!(s["prosocial"]["score"], 5);
        assert_eq!(s["total_difficulties"]["score"], 20);
        assert_eq!(s["impact"]["score"], 0);
        assert_eq!(responses[0]["source"], "link");
    })
    .await;
}

#[tokio::test]
async fn links_that_cannot_fit_are_refused_and_revoked_links_stop_working() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let young = child(&app, &t, "150320-4321").await; // 6 years old
        let path = format!("/api/v1/children/{young}/invitations");
        let too_young = app.post(&path, &t, json!({"instrument": "sdq-self-11-17", "respondent": {"kind": "child"}})).await;
        assert_eq!(too_young.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(too_young.json()["errors"][0]["field"], "instrument");
        let wrong_kind = app.post(&path, &t, json!({"instrument": "sdq-parent-4-17", "respondent": {"kind": "teacher", "name": "Lærer Lars"}})).await;
        assert_eq!(wrong_kind.json()["errors"][0]["field"], "respondent");
        let unknown = app.post(&path, &t, json!({"instrument": "nope", "respondent": {"kind": "child"}})).await;
        assert_eq!(unknown.json()["errors"][0]["field"], "instrument");
        let no_guardian = app.post(&path, &t, json!({"instrument": "sdq-parent-4-17", "respondent": {"kind": "guardian", "guardian": 5}})).await;
        assert_eq!(no_guardian.json()["errors"][0]["field"], "respondent");

        let ok = app.post(&path, &t, json!({"instrument": "sdq-teacher-4-17", "respondent": {"kind": "teacher", "name": "Lærer Lars"}})).await;
        assert_eq!(ok.status, StatusCode::CREATED);
        let link = link_path(ok.json()["url"].as_str().unwrap());
        let inv_id = ok.json()["id"].as_str().unwrap().to_string();
        assert_eq!(app.anon_get(&link).await.status, StatusCode::OK);
        samspor_store::questionnaires::revoke(
            &app.db.store,
            &samspor_store::service::Ctx::new(
                samspor_store::accounts::actor_for(
                    &app.db.store,
                    &{
                        app.db.store.read(async |tx| {
                            Ok::<_, samspor_store::StoreError>(tx.user_by_email("k@kbh.dk").await.unwrap().unwrap())
                        }).await.unwrap()
                    },
                )
                .await
                .unwrap(),
                "t",
            ),
            uuid::Uuid::parse_str(&inv_id).unwrap(),
        )
        .await
        .unwrap();
        let gone = app.anon_get(&link).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(!gone.text().contains("Testa"), "a dead link reveals nothing");
        assert_eq!(app.anon_get("/s/00000000000000000000000000000000").await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn paper_forms_are_scored_and_critical_answers_raise_an_alert() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = child(&app, &t, "150312-4321").await; // 14 years old
        let path = format!("/api/v1/children/{id}/responses");
        let before = app.audit_count().await;
        let bad = app
            .post(&path, &t, json!({"instrument": "phq-a", "respondent_name": "Testa", "answers": {"q1": 9, "q99": 1}}))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert!(fields.contains(&"q1".to_string()) && fields.contains(&"q99".to_string()), "{fields:?}");
        assert_eq!(app.audit_count().await, before, "nothing stored");

        let answers = json!({"q1": 1, "q2": 1, "q3": 0, "q4": 2, "q5": 1, "q6": 0, "q7": 1, "q8": 0, "q9": 2});
        let r = app.post(&path, &t, json!({"instrument": "phq-a", "respondent_name": "Testa", "answers": answers})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let scores = &r.json()["scores"];
        assert_eq!(scores["critical"][0]["link_id"], "q9");

        // The alert is on the front page of a therapist in the same organisation.
        let (_org, alerts) = app.db.store.read(async |tx| {
            let org = tx.user_by_email("k@kbh.dk").await.unwrap().unwrap().org_id;
            let alerts = tx.open_alerts(org).await.unwrap();
            Ok::<_, samspor_store::StoreError>((org, alerts))
        }).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].code, "self_harm_thoughts");
    })
    .await;
}

#[tokio::test]
async fn instruments_are_listed() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let list = app.get("/api/v1/instruments", &t).await.json();
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        for id in [
            "sdq-parent-4-17",
            "sdq-teacher-4-17",
            "sdq-self-11-17",
            "phq-a",
            "who5",
            "smfq-child",
            "scared-parent",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
    })
    .await;
}

#[tokio::test]
async fn licensed_texts_replace_the_neutral_labels() {
    each_backend(|app| async move {
        use samspor_store::questionnaires::{TextPack, load_text_pack};
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = child(&app, &t, "150315-4321").await;
        let catalogue = samspor_domain::instrument::Catalogue::shipped();
        let mut pack = TextPack {
            organisation: "0101".into(),
            instrument: "sdq-parent-4-17".into(),
            lang: "da".into(),
            texts: [("q1".to_string(), "Licenseret ordlyd nummer et".to_string()), ("q99".to_string(), "x".to_string())].into(),
        };
        let bad = load_text_pack(&app.db.store, &catalogue, &pack).await;
        assert!(matches!(bad, Err(samspor_store::service::ServiceError::Invalid(e)) if e.get("texts.q99").is_some()));
        pack.texts.remove("q99");
        assert_eq!(load_text_pack(&app.db.store, &catalogue, &pack).await.unwrap(), 1);

        let r = app
            .post(&format!("/api/v1/children/{id}/invitations"), &t, json!({"instrument": "sdq-parent-4-17", "respondent": {"kind": "guardian", "guardian": 0}}))
            .await;
        let html = app.anon_get(&link_path(r.json()["url"].as_str().unwrap())).await.text();
        assert!(html.contains("Licenseret ordlyd nummer et"));
        assert!(html.contains("korte beskrivelser"), "q2–q5 still show neutral labels, so the notice stays");
    })
    .await;
}

#[tokio::test]
async fn expired_links_reveal_nothing_and_old_alerts_escalate() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = child(&app, &t, "150312-4321").await;
        let r = app
            .post(&format!("/api/v1/children/{id}/invitations"), &t, json!({"instrument": "phq-a", "respondent": {"kind": "child"}, "expires_in_days": 1}))
            .await;
        let link = link_path(r.json()["url"].as_str().unwrap());
        assert_eq!(app.anon_get(&link).await.status, StatusCode::OK);
        app.db.exec_raw("UPDATE invitations SET expires_at = '2000-01-01T00:00:00+00:00'").await.unwrap();
        let gone = app.anon_get(&link).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert!(!gone.text().contains("Testa"));
        let late = app.anon_form(&link, &[("page", "0"), ("go", "next"), ("q1", "1")]).await;
        assert_eq!(late.status, StatusCode::NOT_FOUND, "answers after expiry are refused");

        let answers = json!({"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 1});
        app.post(&format!("/api/v1/children/{id}/responses"), &t, json!({"instrument": "phq-a", "respondent_name": "Testa", "answers": answers})).await;
        use samspor_store::questionnaires::escalate_overdue;
        assert_eq!(escalate_overdue(&app.db.store, chrono::Duration::hours(1)).await.unwrap(), 0, "a fresh alert waits");
        assert_eq!(escalate_overdue(&app.db.store, chrono::Duration::zero()).await.unwrap(), 1);
        assert_eq!(escalate_overdue(&app.db.store, chrono::Duration::zero()).await.unwrap(), 0, "escalated once");
    })
    .await;
}

#[tokio::test]
async fn a_respondent_is_asked_before_sending_with_questions_left_out() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let id = child(&app, &t, "150315-4321").await;
        let r = app
            .post(&format!("/api/v1/children/{id}/invitations"), &t, json!({"instrument": "sdq-parent-4-17", "respondent": {"kind": "guardian", "guardian": 0}}))
            .await;
        let path = link_path(r.json()["url"].as_str().unwrap());
        // Only the first page answered, then "send" on the last page.
        let first: Vec<(String, String)> = (1..=5)
            .map(|i| (format!("q{i}"), "1".to_string()))
            .chain([("page".into(), "0".into()), ("go".into(), "next".into())])
            .collect();
        let pairs: Vec<(&str, &str)> = first.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(app.anon_form(&path, &pairs).await.status, StatusCode::SEE_OTHER);
        let r = app
            .anon_form(&path, &[("page", "5"), ("go", "submit"), ("difficulties", "0")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "asked, not sent");
        let page = r.text();
        assert!(page.contains("Nogle spørgsmål er ikke besvaret"), "{page}");
        assert!(page.contains("20 af 33"), "20 of the 33 questions: {page}");
        assert!(page.contains(&format!("{path}?page=1")), "the first unanswered is on page 2");
        assert!(page.contains("value=\"submit_anyway\""));
        // The link is not used up: the respondent can still go back and answer.
        assert_eq!(app.anon_get(&path).await.status, StatusCode::OK);

        let r = app
            .anon_form(&path, &[("page", "5"), ("go", "submit_anyway"), ("difficulties", "0")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.header("location").ends_with("/tak"));

        let mut b = support::Browser::logged_in(&app, "k@kbh.dk").await;
        let staff = b.page(&format!("/children/{id}/questionnaires")).await;
        assert!(staff.contains("Ufuldstændig: 20 af 33 spørgsmål ubesvaret"), "{staff}");
        assert!(staff.contains("ikke beregnet: for få svar"));
    })
    .await;
}
