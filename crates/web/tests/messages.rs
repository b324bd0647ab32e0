//! Messages on a course through HTTP: only between the owner and the organisations the course is
//! shared with on a basis now, threaded, with unread counts that reading clears.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::sharing::{child_with_course, psychiatry_consent, unit};
use support::{Browser, each_backend};

#[tokio::test]
async fn a_message_stays_within_the_courses_basis_and_is_read_once() {
    each_backend(|app| async move {
        let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (buc, code) = unit(&app, "psychiatry", "BUC Testrup").await;
        let psychiatry = app.user_token("p@buc.dk", "psychiatry", &code).await;
        let (gp, gp_code) = unit(&app, "gp_practice", "Lægehuset Testvej").await;
        let doctor = app.user_token("gp@laege.dk", "gp", &gp_code).await;
        let (child, course) = child_with_course(&app, &coordinator, "2012-03-04").await;
        let messages = format!("/api/v1/courses/{course}/messages");

        // Not shared yet: nobody to write to, and BUC cannot even see the course.
        let view = app.get(&messages, &coordinator).await.json();
        assert!(view["recipients"].as_array().unwrap().is_empty());
        assert_eq!(
            app.get(&messages, &psychiatry).await.status,
            StatusCode::NOT_FOUND
        );
        let before = app.audit_count().await;
        let r = app
            .post(
                &messages,
                &coordinator,
                json!({"to_org_id": buc, "subject": "Status", "body": "Hej"}),
            )
            .await;
        assert_eq!(r.fields(), ["to_org_id"], "{}", r.text());
        let r = app.post(&messages, &coordinator, json!({})).await;
        assert_eq!(r.fields(), ["subject", "body", "to_org_id"]);
        assert_eq!(
            app.audit_count().await,
            before,
            "a refused message writes nothing"
        );

        psychiatry_consent(&app, &coordinator, &child, &buc, &["contact_and_course"]).await;
        let r = app
            .post(
                &format!("/api/v1/children/{child}/shares"),
                &coordinator,
                json!({"course_id": course, "recipient_org_id": buc}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        let r = app
            .post(
                &messages,
                &coordinator,
                json!({"to_org_id": buc, "subject": "Udredning",
                "body": "Hvornår kan familien komme til første samtale?"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let first = r.json()["id"].as_str().unwrap().to_string();
        // The GP practice has no share: a message there would leave the basis.
        let r = app
            .post(
                &messages,
                &coordinator,
                json!({"to_org_id": gp, "subject": "Orientering", "body": "Til orientering"}),
            )
            .await;
        assert_eq!(r.fields(), ["to_org_id"]);
        assert_eq!(
            app.get(&messages, &doctor).await.status,
            StatusCode::NOT_FOUND
        );

        // BUC has one unread message; reading it clears the count; the reply joins the thread.
        let unread = app.get("/api/v1/messages/unread", &psychiatry).await.json();
        assert_eq!(unread[0]["count"], 1);
        assert_eq!(unread[0]["child_name"], "Delta Deling");
        let view = app.get(&messages, &psychiatry).await.json();
        assert_eq!(view["threads"][0]["messages"][0]["new"], true);
        assert!(
            app.get("/api/v1/messages/unread", &psychiatry)
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        let kbh = view["recipients"][0][0].as_str().unwrap().to_string();
        let r = app
            .post(
                &messages,
                &psychiatry,
                json!({"to_org_id": kbh, "reply_to": first,
                "body": "Tirsdag i næste uge kl. 10."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["subject"], "Udredning");
        let view = app.get(&messages, &coordinator).await.json();
        assert_eq!(view["threads"].as_array().unwrap().len(), 1);
        assert_eq!(view["threads"][0]["messages"].as_array().unwrap().len(), 2);
        let r = app
            .post(
                &messages,
                &psychiatry,
                json!({"to_org_id": kbh, "reply_to": uuid::Uuid::now_v7(), "body": "?"}),
            )
            .await;
        assert_eq!(r.fields(), ["reply_to"]);
    })
    .await;
}

#[tokio::test]
async fn the_messages_page_sends_and_the_front_page_counts_unread() {
    each_backend(|app| async move {
        let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (buc, code) = unit(&app, "psychiatry", "BUC Testrup").await;
        app.user_token("p@buc.dk", "psychiatry", &code).await;
        let (child, course) = child_with_course(&app, &coordinator, "2013-08-09").await;
        psychiatry_consent(&app, &coordinator, &child, &buc, &["contact_and_course"]).await;
        let r = app
            .post(
                &format!("/api/v1/children/{child}/shares"),
                &coordinator,
                json!({"course_id": course, "recipient_org_id": buc}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        let mut k = Browser::logged_in(&app, "k@kbh.dk").await;
        let page = format!("/courses/{course}/messages");
        assert!(
            k.get(&format!("/courses/{course}"))
                .await
                .text()
                .contains(&page)
        );
        let bad = k
            .submit(&page, &[("to_org_id", &buc), ("subject", "Status")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains(r#"id="body-error""#));
        assert!(
            bad.text().contains("Status"),
            "the form keeps what was typed"
        );
        let ok = k
            .submit(
                &page,
                &[
                    ("to_org_id", &buc),
                    ("subject", "Status"),
                    ("body", "Skolen er informeret."),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());

        let mut p = Browser::logged_in(&app, "p@buc.dk").await;
        let home = p.get("/").await.text();
        assert!(
            home.contains("Ulæste beskeder") && home.contains("Delta Deling: 1 ulæste"),
            "{home}"
        );
        let shown = p.get(&page).await.text();
        assert!(shown.contains("Skolen er informeret.") && shown.contains(r#"name="reply_to""#));
        assert!(!p.get("/").await.text().contains("Ulæste beskeder"));
    })
    .await;
}
