//! Courses through the API: contacts, encounters, waiting figures, visitation decisions.

mod support;

use axum::http::StatusCode;
use chrono::NaiveDate;
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::organisation::Programme;
use serde_json::{Value, json};
use support::{TestApp, each_backend};

fn cpr(born: &str, n: u32) -> String {
    Cpr::synthetic(born.parse().unwrap(), Sex::Female, n)
        .unwrap()
        .to_string()
}

async fn child(app: &TestApp, token: &str, born: &str, n: u32) -> String {
    let r = app
        .post(
            "/api/v1/children",
            token,
            json!({"cpr": cpr(born, n), "given_name": "Testa", "family_name": "Testesen"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

async fn contact(app: &TestApp, token: &str, child_id: &str, received_at: &str) -> Value {
    let r = app
        .post(
            "/api/v1/contacts",
            token,
            json!({"child_id": child_id, "source": "gp", "received_at": received_at,
                   "reason": "Ondt i maven hver morgen og vil ikke i skole",
                   "referrer_name": "Lægehuset Testvej", "themes": ["worry"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

/// A child born on `born` with a course opened by a GP contact of 2026-11-02 09:00: the
/// contact as created, and the course's id.
async fn open_course(app: &TestApp, token: &str, born: &str) -> (Value, String) {
    let c = child(app, token, born, 1).await;
    let created = contact(app, token, &c, "2026-11-02T09:00").await;
    let course = created["course_id"].as_str().unwrap().to_string();
    (created, course)
}

/// The course as the API shows it.
async fn course_json(app: &TestApp, token: &str, course: &str) -> Value {
    app.get(&format!("/api/v1/courses/{course}"), token)
        .await
        .json()
}

/// Decides on a course (through its decisions `path`) to start `track`.
async fn choose_track(app: &TestApp, token: &str, path: &str, track: &str) -> support::Reply {
    app.post(path, token, json!({"outcome": "track", "track": track}))
        .await
}

async fn encounter(app: &TestApp, token: &str, course: &str, body: Value) -> support::Reply {
    app.post(&format!("/api/v1/courses/{course}/encounters"), token, body)
        .await
}

/// Lets the municipality 0101 offer one track, as the secretariat would.
async fn offer(app: &TestApp, token: &str, programme: Programme) {
    let me = app.get("/api/v1/me", token).await.json();
    let by = me["id"].as_str().unwrap().parse().unwrap();
    app.db
        .store
        .write(async |tx| {
            tx.set_participation(
                "0101",
                programme,
                Some(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
                by,
                chrono::Utc::now(),
            )
            .await
            .unwrap();
            Ok::<_, samspor_store::StoreError>(())
        })
        .await
        .unwrap();
}

fn field_names(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_contact_opens_a_course_with_its_henvendelse() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let c = child(&app, &t, "2014-05-03", 1).await;
        let created = contact(&app, &t, &c, "2026-11-02T09:15").await;
        let course = created["course_id"].as_str().unwrap();
        let r = app.get(&format!("/api/v1/courses/{course}"), &t).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        assert_eq!(v["status"], "active");
        assert_eq!(v["start"], "2026-11-02");
        assert_eq!(v["themes"], json!(["worry"]));
        assert_eq!(v["contact"]["source"], "gp");
        assert_eq!(v["encounters"][0]["type"], "henvendelse");
        assert_eq!(v["encounters"][0]["at"], "2026-11-02T09:15:00");
        assert_eq!(v["waiting"]["first_conversation_due"], "2026-11-16");
        assert_eq!(v["waiting"]["screening_due"], "2026-12-02");
    })
    .await;
}

#[tokio::test]
async fn bad_contacts_are_refused_naming_the_fields_and_write_nothing() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let c = child(&app, &t, "2014-05-03", 1).await;
        let before = app.audit_count().await;
        let r = app
            .post(
                "/api/v1/contacts",
                &t,
                json!({"child_id": c, "source": "police", "received_at": "2099-01-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let fields = field_names(&r.json());
        for f in ["source", "received_at", "reason"] {
            assert!(fields.contains(&f.to_string()), "{f} missing in {fields:?}");
        }
        let r = app
            .post(
                "/api/v1/contacts",
                &t,
                json!({"child_id": c, "source": "psychiatry_return", "received_at": "2026-11-02",
                       "reason": "Tilbage fra BUP", "referrer_name": "BUP Testby"}),
            )
            .await;
        let fields = field_names(&r.json());
        assert!(fields.contains(&"psychiatry_reason".to_string()));
        assert!(fields.contains(&"psychiatry_recommendation".to_string()));
        assert_eq!(app.audit_count().await, before);
        let r = app
            .post("/api/v1/contacts", &t, json!({"source": "self"}))
            .await;
        assert_eq!(field_names(&r.json()), ["child_id"]);
    })
    .await;
}

#[tokio::test]
async fn waiting_figures_match_the_dates_across_month_ends_and_leap_days() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        // (contact, forsamtale, screening, due 14, due 30, days to forsamtale, its status,
        //  days to screening, its status)
        let cases = [
            (
                "2024-02-20",
                "2024-03-05",
                "2024-03-21",
                "2024-03-05",
                "2024-03-21",
                14,
                "met",
                30,
                "met",
            ),
            (
                "2024-02-20",
                "2024-03-06",
                "2024-03-22",
                "2024-03-05",
                "2024-03-21",
                15,
                "breached",
                31,
                "breached",
            ),
            (
                "2025-01-31",
                "2025-02-14",
                "2025-03-03",
                "2025-02-14",
                "2025-03-02",
                14,
                "met",
                31,
                "breached",
            ),
            (
                "2024-12-20",
                "2025-01-02",
                "2025-01-19",
                "2025-01-03",
                "2025-01-19",
                13,
                "met",
                30,
                "met",
            ),
            (
                "2023-02-15",
                "2023-03-01",
                "2023-03-17",
                "2023-03-01",
                "2023-03-17",
                14,
                "met",
                30,
                "met",
            ),
        ];
        for (i, (contact_on, fs, sc, due14, due30, d14, s14, d30, s30)) in
            cases.into_iter().enumerate()
        {
            let c = child(&app, &t, "2012-06-10", i as u32 + 1).await;
            let created = contact(&app, &t, &c, contact_on).await;
            let course = created["course_id"].as_str().unwrap();
            for (kind, day) in [("forsamtale", fs), ("screening", sc)] {
                let r = encounter(
                    &app,
                    &t,
                    course,
                    json!({"type": kind, "at": format!("{day}T10:00")}),
                )
                .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            }
            let w = course_json(&app, &t, course).await["waiting"].clone();
            let case = format!("case {contact_on}: {w}");
            assert_eq!(w["first_conversation_due"], due14, "{case}");
            assert_eq!(w["screening_due"], due30, "{case}");
            assert_eq!(w["days_to_first_conversation"], d14, "{case}");
            assert_eq!(w["first_conversation_status"], s14, "{case}");
            assert_eq!(w["days_to_screening"], d30, "{case}");
            assert_eq!(w["screening_status"], s30, "{case}");
        }
    })
    .await;
}

#[tokio::test]
async fn encounters_are_checked_against_the_course_and_the_child() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (_, course) = open_course(&app, &t, "2014-05-03").await;
        let course = course.as_str();
        let before = app.audit_count().await;
        for (body, field) in [
            (
                json!({"type": "forsamtale", "at": "2026-11-01T10:00"}),
                "at",
            ),
            (
                json!({"type": "forsamtale", "at": "2099-11-01T10:00"}),
                "at",
            ),
            (json!({"type": "screening", "at": "2014-01-01"}), "at"),
            (
                json!({"type": "behandling", "at": "2026-11-03T10:00"}),
                "delivery",
            ),
            (
                json!({"type": "behandling", "at": "2026-11-03T10:00", "delivery": "group"}),
                "participants",
            ),
            (json!({"type": "visit", "at": "2026-11-03T10:00"}), "type"),
            (json!({"type": "forsamtale", "at": "tomorrow"}), "at"),
        ] {
            let r = encounter(&app, &t, course, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text()
            );
            assert!(
                field_names(&r.json()).contains(&field.to_string()),
                "{body}: {}",
                r.text()
            );
        }
        assert_eq!(
            app.audit_count().await,
            before,
            "refused requests write nothing"
        );
        let r = encounter(
            &app,
            &t,
            course,
            json!({"type": "behandling", "at": "2026-11-03T10:00", "delivery": "group",
                   "participants": "caregivers_only"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = course_json(&app, &t, course).await;
        assert_eq!(v["encounters"][1]["delivery"], "group");
        assert_eq!(v["encounters"][1]["participants"], "caregivers_only");
    })
    .await;
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (created, course) = open_course(&app, &t, "2014-05-03").await;
        let course = course.as_str();
        let v1 = created["version"].as_i64().unwrap();
        let r = encounter(
            &app,
            &t,
            course,
            json!({"type": "forsamtale", "at": "2026-11-04T10:00", "version": v1}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["version"], v1 + 1);
        // A second member of staff saves from the same stale page.
        let r = encounter(
            &app,
            &t,
            course,
            json!({"type": "screening", "at": "2026-11-05T10:00", "version": v1}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        let v = course_json(&app, &t, course).await;
        assert_eq!(v["encounters"].as_array().unwrap().len(), 2);
        assert_eq!(v["version"], v1 + 1);
    })
    .await;
}

#[tokio::test]
async fn never_a_no_without_a_way() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (_, course) = open_course(&app, &t, "2014-05-03").await;
        let course = course.as_str();
        let path = format!("/api/v1/courses/{course}/decisions");
        let before = app.audit_count().await;

        let r = app.post(&path, &t, json!({"outcome": "gp"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(field_names(&r.json()), ["way"]);
        let r = app
            .post(
                &path,
                &t,
                json!({"outcome": "gp", "way": {"destination": "gp", "note": " "}}),
            )
            .await;
        assert_eq!(field_names(&r.json()), ["way.note"]);
        assert_eq!(app.audit_count().await, before);

        let r = app
            .post(
                &path,
                &t,
                json!({"outcome": "gp", "way": {"destination": "gp",
                       "note": "Familien bestiller tid hos egen læge om søvnproblemerne."}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let d = r.json();
        assert_eq!(d["referral"]["destination"], "gp");
        assert_eq!(d["course_status"], "completed");
        let v = course_json(&app, &t, course).await;
        assert_eq!(v["referrals"].as_array().unwrap().len(), 1);
        assert_eq!(v["referrals"][0]["destination"], "gp");
        assert_eq!(v["status"], "completed");
        assert!(v["end"].is_string(), "completed ⇒ end: {v}");
        let last = v["encounters"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["type"], "afslutning");
    })
    .await;
}

#[tokio::test]
async fn a_track_must_be_offered_and_fit_the_childs_age() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (_, course) = open_course(&app, &t, "2014-05-03").await;
        let course = course.as_str();
        let path = format!("/api/v1/courses/{course}/decisions");
        let r = choose_track(&app, &t, &path, "worry_sadness").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(field_names(&r.json()), ["track"]);
        assert!(r.text().contains("does not offer"), "{}", r.text());

        offer(&app, &t, Programme::WorrySadness).await;
        offer(&app, &t, Programme::Restlessness).await;
        // Restlessness is for ages 3-10; the child is 12.
        let r = choose_track(&app, &t, &path, "restlessness").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(field_names(&r.json()), ["track"]);

        let r = choose_track(&app, &t, &path, "worry_sadness").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = course_json(&app, &t, course).await;
        assert_eq!(v["track"], "worry_sadness");
        assert_eq!(v["status"], "active");
        assert!(v["referrals"].as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_psychiatry_decision_writes_the_outgoing_referral() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (_, course) = open_course(&app, &t, "2010-05-03").await;
        let course = course.as_str();
        let r = app
            .post(
                &format!("/api/v1/courses/{course}/decisions"),
                &t,
                json!({"outcome": "psychiatry", "way": {"destination": "psychiatry",
                       "note": "Henvist til BUP; familien er orienteret om ventetid."}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = course_json(&app, &t, course).await;
        let p = &v["psychiatry_referrals"][0];
        assert_eq!(p["status"], "to_be_sent");
        assert_eq!(
            p["content"]["reason"],
            "Ondt i maven hver morgen og vil ikke i skole"
        );
    })
    .await;
}

#[tokio::test]
async fn ticking_a_psychiatry_exclusion_demands_psychiatry_or_a_reason() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        offer(&app, &t, Programme::SelfHarm).await;
        let (_, course) = open_course(&app, &t, "2011-05-03").await;
        let course = course.as_str();
        let path = format!("/api/v1/courses/{course}/decisions");
        let tick = json!([{"track": "self_harm", "criterion": "suicide_risk"}]);
        let r = app
            .post(&path, &t, json!({"outcome": "track", "track": "self_harm", "ticked": tick}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(field_names(&r.json()).contains(&"reason_despite_signs".to_string()));
        let r = app
            .post(
                &path,
                &t,
                json!({"outcome": "track", "track": "self_harm", "ticked": tick,
                       "reason_despite_signs": "Vurderet af BUP i går: ingen akut risiko; aftale om opfølgning."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    })
    .await;
}

#[tokio::test]
async fn the_deadline_worklist_puts_the_nearest_deadline_first() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Copenhagen)
            .date_naive();
        let days_ago = |n: i64| (today - chrono::Duration::days(n)).to_string();
        let fresh = child(&app, &t, "2014-05-03", 1).await;
        let soon = child(&app, &t, "2014-05-03", 2).await;
        let late = child(&app, &t, "2014-05-03", 3).await;
        let fresh_course = contact(&app, &t, &fresh, &days_ago(1)).await["course_id"].clone();
        let soon_course = contact(&app, &t, &soon, &days_ago(12)).await["course_id"].clone();
        let late_course = contact(&app, &t, &late, &days_ago(20)).await["course_id"].clone();
        let r = app.get("/api/v1/worklists/deadlines", &t).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let items = r.json();
        let order: Vec<Value> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["course_id"].clone())
            .collect();
        assert_eq!(order, [late_course, soon_course.clone(), fresh_course]);
        assert_eq!(
            items[0]["waiting"]["first_conversation_status"],
            "open_breached"
        );
        assert_eq!(items[1]["waiting"]["first_conversation_status"], "due_soon");
        assert_eq!(items[1]["needs_attention"], true);
        assert_eq!(items[2]["needs_attention"], false);
        let due_by = (today + chrono::Duration::days(2)).to_string();
        let r = app
            .get(&format!("/api/v1/worklists/deadlines?due_by={due_by}"), &t)
            .await;
        assert_eq!(r.json().as_array().unwrap().len(), 2);
        let r = app
            .get("/api/v1/worklists/deadlines?theme=sadness", &t)
            .await;
        assert!(r.json().as_array().unwrap().is_empty());
        let r = app.get("/api/v1/worklists/deadlines?theme=angst", &t).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Another municipality sees none of them.
        let other = app.user_token("k@aarhus.dk", "coordinator", "0751").await;
        let r = app.get("/api/v1/worklists/deadlines", &other).await;
        assert!(r.json().as_array().unwrap().is_empty());
        let r = app
            .get(
                &format!("/api/v1/courses/{}", soon_course.as_str().unwrap()),
                &other,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// Themes set through the API replace the current ones; unknown codes and stale versions are
/// refused without a change.
#[tokio::test]
async fn themes_are_set_through_the_api() {
    each_backend(|app| async move {
        let t = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        let (created, course) = open_course(&app, &t, "2014-05-03").await;
        let path = format!("/api/v1/courses/{course}/themes");
        let v1 = created["version"].as_i64().unwrap();

        let r = app
            .put(
                &path,
                &t,
                json!({"themes": ["worry", "sleep"], "version": v1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(field_names(&r.json()), ["themes"]);
        assert_eq!(course_json(&app, &t, &course).await["version"], v1);

        let r = app
            .put(
                &path,
                &t,
                json!({"themes": ["body_food", "worry"], "version": v1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["version"], v1 + 1);
        let v = course_json(&app, &t, &course).await;
        assert_eq!(v["themes"], json!(["body_food", "worry"]), "{v}");

        let r = app
            .put(&path, &t, json!({"themes": ["sadness"], "version": v1}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        assert_eq!(
            course_json(&app, &t, &course).await["themes"],
            json!(["body_food", "worry"])
        );
    })
    .await;
}
