//! Advice requests through HTTP: anonymous questions carry no CPR number, a question about a
//! child goes only on a lawful basis, the unit asked answers within working days, and the answer
//! reaches the asker and the course.

mod support;

use axum::http::StatusCode;
use samspor_domain::referral::PartnershipRules;
use serde_json::json;
use support::sharing::{basis, child_with_course, psychiatry_consent, unit};
use support::{Browser, TestApp, each_backend};

struct Setup {
    coordinator: String,
    psychiatry: String,
    buc: String,
}

async fn setup(app: &TestApp) -> Setup {
    let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
    let (buc, code) = unit(app, "psychiatry", "BUC Testrup").await;
    let psychiatry = app.user_token("p@buc.dk", "psychiatry", &code).await;
    Setup {
        coordinator,
        psychiatry,
        buc,
    }
}

fn today() -> chrono::NaiveDate {
    samspor_store::courses::local(chrono::Utc::now()).date()
}

#[tokio::test]
async fn an_anonymous_question_is_answered_by_the_unit_asked_within_working_days() {
    each_backend(|app| async move {
        let s = setup(&app).await;
        let asked = "/api/v1/advice-requests";

        // Bad questions are refused, naming the fields, and write nothing.
        let before = app.audit_count().await;
        let r = app.post(asked, &s.coordinator, json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.fields(), ["question", "age", "sex", "to_org_id"]);
        let with_cpr = json!({"to_org_id": s.buc, "age": 11, "sex": "female",
            "question": "Pigen (070915-4321) har ondt i maven hver morgen"});
        let r = app.post(asked, &s.coordinator, with_cpr).await;
        assert_eq!(r.fields(), ["question"]);
        assert!(r.text().contains("CPR"), "{}", r.text());
        let not_a_unit = json!({"to_org_id": s.buc.replace('-', "").chars().rev().collect::<String>(),
            "age": 11, "sex": "female", "question": "?"});
        assert_eq!(app.post(asked, &s.coordinator, not_a_unit).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.audit_count().await, before, "a refused question writes nothing");

        let question = json!({"to_org_id": s.buc, "age": 11, "sex": "female",
            "question": "Ondt i maven hver morgen før skole; hvornår skal vi tænke angst?"});
        let r = app.post(asked, &s.coordinator, question).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let request = r.json();
        let id = request["id"].as_str().unwrap().to_string();
        assert_eq!(request["subject"], json!({"kind": "anonymous", "age": 11, "sex": "female"}));
        assert!(request["child_id"].is_null());
        let due = PartnershipRules::shipped().advice_due(today());
        assert_eq!(request["due_on"], due.to_string(), "two working days after today");

        // The unit's queue holds it; another unit and the asker's administrator do not see it.
        let queue = app.get(asked, &s.psychiatry).await.json();
        assert_eq!(queue.as_array().unwrap().len(), 1);
        assert_eq!(queue[0]["from_name"], "København");
        assert!(queue[0]["received"].as_bool().unwrap());
        let (_, other) = unit(&app, "psychiatry", "BUC Andetsted").await;
        let stranger = app.user_token("p@andet.dk", "psychiatry", &other).await;
        let one = format!("{asked}/{id}");
        let answer = format!("{one}/answer");
        assert!(app.get(asked, &stranger).await.json().as_array().unwrap().is_empty());
        assert_eq!(app.get(&one, &stranger).await.status, StatusCode::NOT_FOUND);
        let admin = app.user_token("admin@kbh.dk", "admin", "0101").await;
        assert_eq!(app.get(&one, &admin).await.status, StatusCode::FORBIDDEN);
        let text = json!({"answer": "Ved daglige mavesmerter over en måned: screen for angst."});
        assert_eq!(app.post(&answer, &stranger, text.clone()).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.post(&answer, &s.coordinator, text.clone()).await.status, StatusCode::NOT_FOUND);

        // An empty answer is refused; the answer is given once.
        let before = app.audit_count().await;
        let r = app.post(&answer, &s.psychiatry, json!({"answer": "  "})).await;
        assert_eq!(r.fields(), ["answer"]);
        assert_eq!(app.audit_count().await, before);
        let r = app.post(&answer, &s.psychiatry, text.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(app.post(&answer, &s.psychiatry, text).await.fields(), ["answer"]);

        // The asker reads the answer, with the working days it took; reading marks it read.
        let mine = app.get(asked, &s.coordinator).await.json();
        assert_eq!(mine[0]["working_days_taken"], 0);
        assert!(mine[0]["answer_read_at"].is_null());
        let read = app.get(&one, &s.coordinator).await.json();
        assert!(read["answer"]["text"].as_str().unwrap().contains("screen for angst"));
        assert!(!app.get(&one, &s.coordinator).await.json()["answer_read_at"].is_null());

        // A GP asks too, in the practice's own name.
        let (_, practice) = unit(&app, "gp_practice", "Lægehuset Testvej").await;
        let gp = app.user_token("gp@laege.dk", "gp", &practice).await;
        let r = app
            .post(asked, &gp, json!({"to_org_id": s.buc, "age": 6, "sex": "unknown",
                "question": "Søvnproblemer efter skilsmisse: hvad kan vi anbefale?"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(app.get(asked, &gp).await.json().as_array().unwrap().len(), 1);
        assert_eq!(app.get(asked, &s.psychiatry).await.json().as_array().unwrap().len(), 2);
        let r = app
            .post(asked, &s.psychiatry, json!({"to_org_id": s.buc, "age": 6, "sex": "male", "question": "?"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "child psychiatry does not ask itself");
    })
    .await;
}

#[tokio::test]
async fn a_question_about_a_child_goes_only_on_a_basis_and_shares_the_course() {
    each_backend(|app| async move {
        let s = setup(&app).await;
        let (child, course) = child_with_course(&app, &s.coordinator, "2013-02-03").await;
        let asked = "/api/v1/advice-requests";
        let question = json!({"to_org_id": s.buc, "course_id": course,
            "question": "Skal vi afvente medicinsk vurdering før forløbet starter?"});

        let before = app.audit_count().await;
        let r = app.post(asked, &s.coordinator, question.clone()).await;
        assert_eq!(r.fields(), ["to_org_id"], "{}", r.text());
        assert!(
            r.text().contains("BUC Testrup"),
            "the message names the unit"
        );
        assert_eq!(app.audit_count().await, before);
        assert!(
            basis(&app, &s.coordinator, &child).await["shares"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // Another municipality cannot ask about this course at all.
        let other = app.user_token("k@aarhus.dk", "coordinator", "0751").await;
        assert_eq!(
            app.post(asked, &other, question.clone()).await.status,
            StatusCode::NOT_FOUND
        );

        let (consent, mother) = psychiatry_consent(
            &app,
            &s.coordinator,
            &child,
            &s.buc,
            &["contact_and_course"],
        )
        .await;
        let r = app.post(asked, &s.coordinator, question).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(r.json()["child_id"], child);
        let shares = basis(&app, &s.coordinator, &child).await["shares"].clone();
        assert_eq!(
            shares.as_array().unwrap().len(),
            1,
            "asking shared the course"
        );

        let queue = app.get(asked, &s.psychiatry).await.json();
        assert_eq!(queue[0]["child_name"], "Delta Deling");
        assert_eq!(queue[0]["subject"]["course_id"], course);
        let r = app
            .post(
                &format!("{asked}/{id}/answer"),
                &s.psychiatry,
                json!({"answer": "Nej, start forløbet."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        // A withdrawn consent takes the child out of the unit's sight; the asker keeps it.
        let r = app
            .post(
                &format!("/api/v1/children/{child}/consents/{consent}/withdrawal"),
                &s.coordinator,
                json!({"giver": mother}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        assert!(
            app.get(asked, &s.psychiatry)
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        let one = format!("{asked}/{id}");
        assert_eq!(
            app.get(&one, &s.psychiatry).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&one, &s.coordinator).await.json()["child_name"],
            "Delta Deling"
        );
    })
    .await;
}

#[tokio::test]
async fn the_pages_ask_answer_and_bring_the_answer_to_the_front_page_and_course() {
    each_backend(|app| async move {
        let s = setup(&app).await;
        let (child, course) = child_with_course(&app, &s.coordinator, "2012-09-10").await;
        psychiatry_consent(
            &app,
            &s.coordinator,
            &child,
            &s.buc,
            &["contact_and_course"],
        )
        .await;
        let mut k = Browser::logged_in(&app, "k@kbh.dk").await;
        let form_path = format!("/advice/new?course={course}");
        assert!(
            k.get(&format!("/courses/{course}"))
                .await
                .text()
                .contains(&form_path)
        );
        let form = k.get(&form_path).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.text().contains("Delta Deling"),
            "the form names the child"
        );

        let course_id = course.as_str();
        let bad = k
            .submit(
                "/advice/new",
                &[("course_id", course_id), ("question", "Medicin?")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains(r#"id="to_org_id-error""#));
        assert!(
            bad.text().contains("Medicin?"),
            "the form keeps what was typed"
        );
        let ok = k
            .submit(
                "/advice/new",
                &[
                    ("course_id", course_id),
                    ("to_org_id", &s.buc),
                    ("question", "Medicin før forløbet?"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let anonymous = k.get("/advice/new").await.text();
        assert!(
            anonymous.contains(r#"name="age""#),
            "without a course the form is anonymous"
        );

        let mut p = Browser::logged_in(&app, "p@buc.dk").await;
        let home = p.get("/").await.text();
        assert!(home.contains("Sparring, der venter på svar"), "{home}");
        assert!(home.contains("Delta Deling"));
        let queue = p.get("/advice").await.text();
        let id = queue.split("/advice/").nth(1).unwrap()[..36].to_string();
        let answer_path = format!("/advice/{id}/answer");
        let empty = p.submit(&answer_path, &[("answer", " ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text().contains(r#"id="answer-error""#));
        let done = p
            .submit(
                &answer_path,
                &[("answer", "Start forløbet; vi vurderer medicin ved uge 6.")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert!(
            !p.get("/")
                .await
                .text()
                .contains("Sparring, der venter på svar")
        );

        let home = k.get("/").await.text();
        assert!(home.contains("Nye svar på sparring"), "{home}");
        let shown = k.get(&format!("/advice/{id}")).await.text();
        assert!(shown.contains("vi vurderer medicin ved uge 6"));
        assert!(
            !k.get("/").await.text().contains("Nye svar på sparring"),
            "read once, gone"
        );
        let course_page = k.get(&format!("/courses/{course}")).await.text();
        assert!(
            course_page.contains("vi vurderer medicin ved uge 6"),
            "the answer is on the course"
        );
    })
    .await;
}
