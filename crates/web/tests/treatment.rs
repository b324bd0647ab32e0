//! Treatment in a track through HTTP, on both backends: planned sessions, the session log, the
//! append-only journal, corrections, closing with the follow-up talk, the GP messages and the
//! therapist's front page.

mod support;

use axum::http::StatusCode;
use chrono::{Days, Months, NaiveDate};
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::organisation::Programme;
use samspor_store::courses::local;
use serde_json::{Value, json};
use support::{Browser, TestApp, each_backend};

const THERAPIST: &str = "t@kbh.dk";

async fn setup(app: &TestApp) -> String {
    let t = app.user_token(THERAPIST, "therapist", "0101").await;
    let me = app.get("/api/v1/me", &t).await.json();
    let by = me["id"].as_str().unwrap().parse().unwrap();
    for p in [Programme::WorrySadness, Programme::Restlessness] {
        app.db
            .store
            .write(async |tx| {
                tx.set_participation(
                    "0101",
                    p,
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
    t
}

/// A 12-year-old with a course received at `received_at`, decided onto worry/sadness.
async fn course_in_track(
    app: &TestApp,
    t: &str,
    received_at: &str,
    consent: &str,
    n: u32,
) -> String {
    let cpr = Cpr::synthetic("2014-05-03".parse().unwrap(), Sex::Female, n)
        .unwrap()
        .to_string();
    let r = app
        .post(
            "/api/v1/children",
            t,
            json!({"cpr": cpr, "given_name": format!("Barn{n}"), "family_name": "Testesen"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let child = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/contacts",
            t,
            json!({"child_id": child, "source": "gp", "received_at": received_at,
                   "reason": "Bekymrer sig meget og sover dårligt", "referrer_name": "Lægehuset",
                   "consent": consent, "themes": ["worry"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let course = r.json()["course_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v1/courses/{course}/decisions"),
            t,
            json!({"outcome": "track", "track": "worry_sadness"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    course
}

async fn course(app: &TestApp, t: &str, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/courses/{id}"), t).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn plan_len() -> usize {
    let tracks = samspor_domain::course::tracks::shipped().unwrap();
    samspor_domain::course::tracks::find(&tracks, Programme::WorrySadness)
        .unwrap()
        .plan
        .sessions
        .len()
}

fn fields(r: &support::Reply) -> Vec<String> {
    r.json()["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn session(app: &TestApp, t: &str, course: &str, body: Value) -> support::Reply {
    app.post(&format!("/api/v1/courses/{course}/sessions"), t, body)
        .await
}

fn held(at: &str, number: Option<u32>) -> Value {
    json!({"at": at, "delivery": "individual", "participants": "child_present",
           "planned_number": number, "attendance": ["child", "mother"],
           "note": "Psykoedukation om bekymring; hjemmeopgave aftalt."})
}

async fn cancel_all(app: &TestApp, t: &str, c: &str) {
    let course_id = c;
    let v = course(app, t, course_id).await;
    for p in v["planned_sessions"].as_array().unwrap() {
        if p["status"] == "planned" {
            let n = p["number"].as_u64().unwrap();
            let r = app
                .post(
                    &format!("/api/v1/courses/{course_id}/planned-sessions/{n}/cancel"),
                    t,
                    json!({"reason": "Familien ønskede at stoppe efter målet var nået"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
    }
}

#[tokio::test]
async fn a_track_plans_its_sessions_and_a_session_delivers_one() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "given", 1).await;
        let v = course(&app, &t, &c).await;
        let planned = v["planned_sessions"].as_array().unwrap();
        assert_eq!(planned.len(), plan_len());
        assert!(planned.iter().all(|p| p["status"] == "planned"));
        assert_eq!(planned[0]["number"], 1);
        assert!(v["therapist"].is_null());
        assert!(v["gp_messages"].as_array().unwrap().is_empty());
        let version = v["version"].as_i64().unwrap();

        let mut body = held("2026-09-10T10:00", Some(1));
        body["version"] = json!(version);
        let r = session(&app, &t, &c, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let encounter = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(r.json()["version"], version + 1);

        let v = course(&app, &t, &c).await;
        let p1 = &v["planned_sessions"][0];
        assert_eq!(p1["status"], "held");
        assert_eq!(p1["encounter_id"], encounter.as_str());
        let s = &v["sessions"][0];
        assert_eq!(s["encounter_id"], encounter.as_str());
        assert_eq!(s["module"], p1["title_da"]);
        assert_eq!(s["planned_number"], 1);
        assert_eq!(s["attendance"], json!(["child", "mother"]));
        assert_eq!(s["delivery"], "individual");
        let e = v["encounters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == encounter.as_str())
            .unwrap();
        assert_eq!(e["type"], "behandling");
        assert_eq!(e["participants"], "child_present");
        assert_eq!(v["journal"][0]["encounter_id"], encounter.as_str());
        assert!(
            v["journal"][0]["text"]
                .as_str()
                .unwrap()
                .contains("hjemmeopgave")
        );
        // The first session makes its recorder the therapist and informs the GP.
        assert_eq!(v["therapist"]["name"], format!("Name of {THERAPIST}"));
        let gp = v["gp_messages"].as_array().unwrap();
        assert_eq!(gp.len(), 1);
        assert_eq!(gp[0]["kind"], "start");
        assert_eq!(gp[0]["consent"], "given");
        assert_eq!(gp[0]["status"], "to_be_sent");
        assert_eq!(gp[0]["content"]["track"], "worry_sadness");
        assert_eq!(gp[0]["content"]["treatment_start"], "2026-09-10");

        // A second, unplanned session names its module; the start message is not repeated.
        let mut body = held("2026-09-17T10:00", None);
        body["module"] = json!("Ekstra samtale med mor");
        body["participants"] = json!("caregivers_only");
        body["attendance"] = json!(["mother"]);
        let r = session(&app, &t, &c, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = course(&app, &t, &c).await;
        assert_eq!(v["sessions"].as_array().unwrap().len(), 2);
        assert_eq!(v["sessions"][1]["module"], "Ekstra samtale med mor");
        assert_eq!(v["gp_messages"].as_array().unwrap().len(), 1);
        assert_eq!(v["planned_sessions"][1]["status"], "planned");
    })
    .await;
}

#[tokio::test]
async fn bad_sessions_are_refused_by_field_and_write_nothing() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "given", 1).await;
        let before = course(&app, &t, &c).await;
        let audit = app.audit_count().await;
        let cases: Vec<(Value, &str)> = vec![
            (held("2099-01-01T10:00", Some(1)), "at"),
            (held("2026-08-20T10:00", Some(1)), "at"),
            (held("someday", Some(1)), "at"),
            (held("2026-09-10T10:00", Some(99)), "planned_session"),
            (held("2026-09-10T10:00", None), "module"),
            (
                {
                    let mut b = held("2026-09-10T10:00", Some(1));
                    b["attendance"] = json!([]);
                    b
                },
                "attendance",
            ),
            (
                {
                    let mut b = held("2026-09-10T10:00", Some(1));
                    b["attendance"] = json!(["mother"]);
                    b
                },
                "attendance",
            ),
            (
                {
                    let mut b = held("2026-09-10T10:00", Some(1));
                    b["delivery"] = json!(null);
                    b
                },
                "delivery",
            ),
        ];
        for (body, field) in cases {
            let r = session(&app, &t, &c, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text()
            );
            assert!(
                fields(&r).contains(&field.to_string()),
                "{field}: {}",
                r.text()
            );
        }
        // A stale version is a conflict.
        let mut body = held("2026-09-10T10:00", Some(1));
        body["version"] = json!(before["version"].as_i64().unwrap() - 1);
        assert_eq!(
            session(&app, &t, &c, body).await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(app.audit_count().await, audit);
        let after = course(&app, &t, &c).await;
        assert_eq!(after["version"], before["version"]);
        assert_eq!(after["encounters"], before["encounters"]);
        assert!(after["sessions"].as_array().unwrap().is_empty());
        assert!(after["journal"].as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn closing_needs_the_open_sessions_cancelled_then_schedules_and_informs() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-08-03T09:00", "not_given", 1).await;
        let r = session(&app, &t, &c, held("2026-08-10T10:00", Some(1))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let closing = json!({"closing_talk_at": "2026-08-31T09:00", "at": "2026-08-31T10:00",
                             "closing_reason": "completed", "summary": "Sover bedre og går i skole."});

        // Open planned sessions: refused naming them, nothing saved.
        let before = course(&app, &t, &c).await;
        let audit = app.audit_count().await;
        let r = app.post(&format!("/api/v1/courses/{c}/closing"), &t, closing.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r), ["planned_sessions"]);
        let second = &before["planned_sessions"][1];
        let named = format!("2 ({})", second["title_en"].as_str().unwrap());
        assert!(r.text().contains(&named), "{}", r.text());
        // The older encounters endpoint applies the same rule, and needs a reason.
        let r = app
            .post(
                &format!("/api/v1/courses/{c}/encounters"),
                &t,
                json!({"type": "afslutning", "at": "2026-08-31T10:00"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r), ["closing_reason", "planned_sessions"]);
        assert_eq!(app.audit_count().await, audit);
        assert_eq!(course(&app, &t, &c).await, before);

        // Cancelling needs a reason.
        let r = app
            .post(
                &format!("/api/v1/courses/{c}/planned-sessions/2/cancel"),
                &t,
                json!({"reason": "  "}),
            )
            .await;
        assert_eq!(fields(&r), ["reason"]);
        cancel_all(&app, &t, &c).await;

        let r = app.post(&format!("/api/v1/courses/{c}/closing"), &t, closing).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let closed = r.json();
        assert_eq!(closed["status"], "completed");
        assert_eq!(closed["end"], "2026-08-31");
        // Three months after 31 August is 30 November.
        assert_eq!(closed["follow_up_due"], "2026-11-30");

        let v = course(&app, &t, &c).await;
        assert_eq!(v["status"], "completed");
        assert_eq!(v["end"], "2026-08-31");
        assert_eq!(v["closing"]["reason"], "completed");
        assert_eq!(v["closing"]["summary"], "Sover bedre og går i skole.");
        assert_eq!(v["follow_up"]["due_on"], "2026-11-30");
        assert!(v["follow_up"]["held_at"].is_null());
        let kinds: Vec<&str> = v["encounters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["henvendelse", "behandling", "afsluttende_samtale", "afslutning"]
        );
        let gp = v["gp_messages"].as_array().unwrap();
        assert_eq!(gp.len(), 2);
        let end = &gp[1];
        assert_eq!(end["kind"], "end");
        assert_eq!(end["consent"], "not_given");
        assert_eq!(end["content"]["end"], "2026-08-31");
        assert_eq!(end["content"]["sessions_held"], 1);
        // One held of one not cancelled, the rest cancelled: as the course page counts them.
        assert_eq!(end["content"]["sessions_planned"], 1);
        assert_eq!(end["content"]["sessions_cancelled"], plan_len() - 1);
        let mut b = Browser::logged_in(&app, THERAPIST).await;
        let page = b.page(&format!("/courses/{c}/treatment")).await;
        let cancelled = format!("1 af 1 ({} aflyst)", plan_len() - 1);
        assert_eq!(page.matches(&cancelled).count(), 2, "the header and the GP message agree: {page}");
        assert_eq!(end["content"]["closing_reason"], "completed");

        // Nothing after the closing.
        let version = v["version"].clone();
        let audit = app.audit_count().await;
        let r = session(&app, &t, &c, held("2026-09-02T10:00", None)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = app
            .post(
                &format!("/api/v1/courses/{c}/closing"),
                &t,
                json!({"at": "2026-09-03T10:00", "closing_reason": "completed"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(app.audit_count().await, audit);
        assert_eq!(course(&app, &t, &c).await["version"], version);
    })
    .await;
}

#[tokio::test]
async fn a_closing_for_other_reasons_needs_its_note_and_month_ends_hold() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-05-04T09:00", "unknown", 1).await;
        cancel_all(&app, &t, &c).await;
        let path = format!("/api/v1/courses/{c}/closing");
        let r = app
            .post(
                &path,
                &t,
                json!({"at": "2026-05-29T10:00", "closing_reason": "other"}),
            )
            .await;
        assert_eq!(fields(&r), ["closing_note"]);
        let r = app
            .post(
                &path,
                &t,
                json!({"at": "2026-05-29T10:00", "closing_reason": "gone"}),
            )
            .await;
        assert_eq!(fields(&r), ["closing_reason"]);
        let r = app
            .post(
                &path,
                &t,
                json!({"at": "2026-05-31T10:00", "closing_reason": "moved",
                       "closing_note": "Flyttet til Aarhus", "moved_to": "0751"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["follow_up_due"], "2026-08-31");
        let v = course(&app, &t, &c).await;
        assert_eq!(v["closing"]["reason"], "moved");
        assert_eq!(v["closing"]["note"], "Flyttet til Aarhus");
        assert_eq!(v["referrals"][0]["destination"], "other_municipality");
        // No session was held: the closer becomes the therapist, the GP still hears of the end.
        assert!(v["therapist"]["id"].is_string());
        assert_eq!(v["gp_messages"][0]["kind"], "end");
        assert_eq!(v["gp_messages"][0]["consent"], "unknown");
        assert_eq!(v["gp_messages"][0]["content"]["sessions_held"], 0);
    })
    .await;
}

#[tokio::test]
async fn the_journal_is_append_only_and_corrections_stay_in_their_course() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "given", 1).await;
        let other = course_in_track(&app, &t, "2026-09-01T09:00", "given", 2).await;
        let path = format!("/api/v1/courses/{c}/journal");
        let r = app
            .post(&path, &t, json!({"text": "Mor fortæller om søvnen."}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let first = r.json()["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &path,
                &t,
                json!({"text": "Rettelse: far fortalte om søvnen.", "corrects_id": first}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let second = r.json()["id"].as_str().unwrap().to_string();
        // A correction can be corrected again.
        let r = app
            .post(
                &path,
                &t,
                json!({"text": "Rettelse: begge forældre fortalte.", "corrects_id": second}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let third = r.json()["id"].as_str().unwrap().to_string();

        let v = course(&app, &t, &c).await;
        let j = v["journal"].as_array().unwrap();
        assert_eq!(j.len(), 3);
        assert_eq!(j[0]["text"], "Mor fortæller om søvnen.");
        assert_eq!(j[0]["corrected_by"], second.as_str());
        assert_eq!(j[1]["corrects_id"], first.as_str());
        assert_eq!(j[1]["corrected_by"], third.as_str());
        assert!(j[2]["corrected_by"].is_null());

        // A correction must point into the same course; blank text is refused.
        let audit = app.audit_count().await;
        let r = app
            .post(
                &format!("/api/v1/courses/{other}/journal"),
                &t,
                json!({"text": "Forkert forløb", "corrects_id": first}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r), ["corrects_id"]);
        let r = app.post(&path, &t, json!({"text": "   "})).await;
        assert_eq!(fields(&r), ["text"]);
        assert_eq!(app.audit_count().await, audit);
        assert!(
            course(&app, &t, &other).await["journal"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // No journal text reaches the audit log.
        let _entries = app
            .db
            .store
            .read(async |tx| {
                let entries = tx
                    .audit_entries(&samspor_store::AuditFilter::default())
                    .await
                    .unwrap();
                assert!(entries.iter().all(|e| !e.event.detail.contains("søvnen")));
                Ok::<_, samspor_store::StoreError>(entries)
            })
            .await
            .unwrap();

        // The database itself refuses to change or remove an entry.
        for sql in [
            format!("UPDATE journal_entries SET text = 'x' WHERE id = '{first}'"),
            "DELETE FROM journal_entries".to_string(),
        ] {
            let sql = match app.db.backend {
                samspor_store::testing::Backend::Sqlite => {
                    // SQLite stores the ids as blobs.
                    sql.replace(
                        &format!("'{first}'"),
                        &format!("x'{}'", first.replace('-', "")),
                    )
                }
                samspor_store::testing::Backend::Postgres => sql,
            };
            let e = app.db.exec_raw(&sql).await.unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        assert_eq!(
            course(&app, &t, &c).await["journal"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    })
    .await;
}

#[tokio::test]
async fn one_encounter_is_marked_entered_in_error_with_a_reason() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "given", 1).await;
        let r = session(&app, &t, &c, held("2026-09-10T10:00", Some(1))).await;
        let e = r.json()["id"].as_str().unwrap().to_string();
        let v = course(&app, &t, &c).await;
        let henvendelse = v["encounters"][0]["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/courses/{c}/encounters/{e}/entered-in-error");

        let r = app.post(&path, &t, json!({"reason": ""})).await;
        assert_eq!(fields(&r), ["reason"]);
        let r = app
            .post(
                &format!("/api/v1/courses/{c}/encounters/{henvendelse}/entered-in-error"),
                &t,
                json!({"reason": "Forkert"}),
            )
            .await;
        assert_eq!(fields(&r), ["encounter"]);
        let r = app
            .post(
                &path,
                &t,
                json!({"reason": "Registreret på det forkerte barn", "version": v["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["version"], v["version"].as_i64().unwrap() + 1);

        let v = course(&app, &t, &c).await;
        let enc = v["encounters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == e.as_str())
            .unwrap()
            .clone();
        assert_eq!(enc["status"], "entered-in-error");
        assert_eq!(v["sessions"][0]["status"], "entered-in-error");
        assert_eq!(
            v["sessions"][0]["error_reason"],
            "Registreret på det forkerte barn"
        );
        // The planned session it delivered is open again.
        assert_eq!(v["planned_sessions"][0]["status"], "planned");
        assert!(v["planned_sessions"][0]["encounter_id"].is_null());
        // Twice is refused; an unknown encounter is not found.
        let r = app.post(&path, &t, json!({"reason": "Igen"})).await;
        assert_eq!(fields(&r), ["encounter"]);
        let r = app
            .post(
                &format!(
                    "/api/v1/courses/{c}/encounters/{}/entered-in-error",
                    uuid::Uuid::now_v7()
                ),
                &t,
                json!({"reason": "Igen"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The session can be recorded again, correctly.
        let r = session(&app, &t, &c, held("2026-09-10T10:00", Some(1))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    })
    .await;
}

#[tokio::test]
async fn a_referral_is_added_during_treatment_without_closing() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "given", 1).await;
        let path = format!("/api/v1/courses/{c}/referrals");
        let r = app
            .post(
                &path,
                &t,
                json!({"destination": "zoo", "note": "", "at": "2099-01-01T10:00"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let f = fields(&r);
        for x in ["destination", "note", "at"] {
            assert!(f.contains(&x.to_string()), "{x}: {f:?}");
        }
        let before = course(&app, &t, &c).await;
        let r = app
            .post(
                &path,
                &t,
                json!({"destination": "civil_society", "at": "2026-09-20T14:00",
                       "note": "Familien er vejledt til en forældregruppe i foreningen",
                       "version": before["version"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["referral"]["destination"], "civil_society");
        assert_eq!(r.json()["version"], before["version"].as_i64().unwrap() + 1);
        let v = course(&app, &t, &c).await;
        assert_eq!(v["status"], "active");
        let refs = v["referrals"].as_array().unwrap();
        assert_eq!(refs.len(), 1);
        assert!(refs[0]["decision_id"].is_null());
        assert_eq!(refs[0]["at"], "2026-09-20T12:00:00Z");
    })
    .await;
}

#[tokio::test]
async fn the_therapist_is_chosen_among_staff_who_work_with_children() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let coordinator = app.user_token("k@kbh.dk", "coordinator", "0101").await;
        app.user_token("admin@kbh.dk", "admin", "0101").await;
        app.user_token("t@aarhus.dk", "therapist", "0751").await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "given", 1).await;
        let id_of = |email: &'static str| {
            let app = &app;
            async move {
                app.db
                    .store
                    .read(async |tx| {
                        Ok::<_, samspor_store::StoreError>(
                            tx.user_by_email(email).await.unwrap().unwrap().id,
                        )
                    })
                    .await
                    .unwrap()
            }
        };
        let path = format!("/api/v1/courses/{c}/therapist");
        for email in ["admin@kbh.dk", "t@aarhus.dk"] {
            let r = app
                .post(&path, &t, json!({"therapist_id": id_of(email).await}))
                .await;
            assert_eq!(fields(&r), ["therapist_id"], "{email}");
        }
        let k = id_of("k@kbh.dk").await;
        let r = app
            .post(&path, &coordinator, json!({"therapist_id": k}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = course(&app, &t, &c).await;
        assert_eq!(v["therapist"]["id"], k.to_string());
        // A session by someone else keeps the chosen therapist.
        session(&app, &t, &c, held("2026-09-10T10:00", Some(1))).await;
        assert_eq!(course(&app, &t, &c).await["therapist"]["id"], k.to_string());
    })
    .await;
}

/// Every `id` in a page is unique (labels and error links point at them).
fn assert_unique_ids(html: &str) {
    let mut seen = std::collections::HashSet::new();
    for part in html.split(" id=\"").skip(1) {
        let id = &part[..part.find('"').unwrap()];
        assert!(seen.insert(id.to_string()), "id {id} twice");
    }
}

/// Today in Denmark, as the server sees it.
fn today() -> NaiveDate {
    local(chrono::Utc::now()).date()
}

#[tokio::test]
async fn the_front_page_shows_my_courses_todays_sessions_and_due_follow_ups() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let today = today();
        // A course ended so that its follow-up talk falls due in three days.
        let end = (today + Days::new(3)) - Months::new(3);
        let received = end - Days::new(20);
        let closed = course_in_track(&app, &t, &format!("{received}T09:00"), "given", 1).await;
        let r = session(
            &app,
            &t,
            &closed,
            held(&format!("{}T10:00", received + Days::new(5)), Some(1)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        cancel_all(&app, &t, &closed).await;
        let r = app
            .post(
                &format!("/api/v1/courses/{closed}/closing"),
                &t,
                json!({"at": format!("{end}T10:00"), "closing_reason": "completed"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(
            r.json()["follow_up_due"],
            (today + Days::new(3)).to_string()
        );

        // An active course of mine with a session booked today.
        let active = course_in_track(&app, &t, "2026-09-01T09:00", "given", 2).await;
        session(&app, &t, &active, held("2026-09-10T10:00", Some(1))).await;
        let r = app
            .post(
                &format!("/api/v1/courses/{active}/planned-sessions/2/booking"),
                &t,
                json!({"planned_at": format!("{today}T23:30")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = app
            .post(
                &format!("/api/v1/courses/{active}/planned-sessions/3/booking"),
                &t,
                json!({"planned_at": "2020-01-01T10:00"}),
            )
            .await;
        assert_eq!(fields(&r), ["planned_at"]);

        let mut b = Browser::logged_in(&app, THERAPIST).await;
        let home = b.page("/").await;
        for part in [
            "Mine forløb",
            "Sessioner i dag",
            "Opfølgende samtaler",
            "23:30",
            "Barn1",
            "Barn2",
        ] {
            assert!(home.contains(part), "{part} missing");
        }
        assert!(home.contains(&format!("/courses/{active}/treatment")));
        assert!(home.contains(&format!("/courses/{closed}/treatment")));

        // Recording the talk takes it off the page; the future and before the end are refused.
        let path = format!("/api/v1/courses/{closed}/follow-up");
        let r = app
            .post(&path, &t, json!({"held_at": "2099-01-01T10:00"}))
            .await;
        assert_eq!(fields(&r), ["held_at"]);
        let r = app
            .post(
                &path,
                &t,
                json!({"held_at": format!("{}T10:00", end - Days::new(1))}),
            )
            .await;
        assert_eq!(fields(&r), ["held_at"]);
        let r = app
            .post(
                &path,
                &t,
                json!({"held_at": format!("{}T10:00", end + Days::new(1)), "note": "Går godt"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = app
            .post(
                &path,
                &t,
                json!({"held_at": format!("{}T10:00", end + Days::new(1))}),
            )
            .await;
        assert_eq!(fields(&r), ["follow_up"]);
        let v = course(&app, &t, &closed).await;
        assert_eq!(v["follow_up"]["note"], "Går godt");
        let home = b.page("/").await;
        assert!(!home.contains(&format!("/courses/{closed}/treatment")));
        assert!(home.contains("Ingen opfølgende samtaler"));
        // Another therapist sees none of it.
        app.user_token("t2@kbh.dk", "therapist", "0101").await;
        let mut other = Browser::logged_in(&app, "t2@kbh.dk").await;
        let home = other.page("/").await;
        assert!(!home.contains(&format!("/courses/{active}/treatment")));
    })
    .await;
}

#[tokio::test]
async fn the_treatment_pages_record_refuse_in_danish_and_close() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "not_given", 1).await;
        let mut b = Browser::logged_in(&app, THERAPIST).await;
        let page = b.page(&format!("/courses/{c}/treatment")).await;
        assert!(page.contains("Registrér session"));
        assert!(page.contains("Planlagte og holdte sessioner"));
        let version = support::hidden(&page, "version");
        let path = format!("/courses/{c}/treatment/sessions");

        // No attendance ticked: shown again with the Danish message beside the field.
        let r = b
            .submit(
                &path,
                &[
                    ("version", &version),
                    ("session_at", "10.09.2026 10:00"),
                    ("planned_number", "1"),
                    ("delivery", "individual"),
                    ("participants", "child_present"),
                    ("note", "Godt møde"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("Sæt flueben ved, hvem der deltog"), "{html}");
        assert!(html.contains("Godt møde"), "input kept");
        assert!(html.contains("aria-describedby=\"attendance-error\""));

        let r = b
            .submit(
                &path,
                &[
                    ("version", &version),
                    ("session_at", "2026-09-10T10:00"),
                    ("planned_number", "1"),
                    ("delivery", "individual"),
                    ("participants", "child_present"),
                    ("attendance", "child"),
                    ("attendance", "father"),
                    ("note", "Godt møde"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = b
            .page(&format!("/courses/{c}/treatment?saved=session"))
            .await;
        assert!(page.contains("Sessionen er registreret."));
        assert!(page.contains("Barnet, Far"));
        assert!(page.contains("Godt møde"));

        // Closing with sessions still planned is refused, naming them.
        let version = support::hidden(&page, "version");
        let r = b
            .submit(
                &format!("/courses/{c}/treatment/closing"),
                &[
                    ("version", &version),
                    ("closing_at", "2026-09-30T10:00"),
                    ("closing_reason", "dropped_out"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Aflys de resterende planlagte sessioner"));

        // The journal correction shows the original marked as corrected.
        let r = b
            .submit(
                &format!("/courses/{c}/treatment/journal"),
                &[("version", &version), ("journal_text", "Skal rettes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let v = course(&app, &t, &c).await;
        let entry = v["journal"][1]["id"].as_str().unwrap().to_string();
        let version = v["version"].to_string();
        let r = b
            .submit(
                &format!("/courses/{c}/treatment/journal"),
                &[
                    ("version", &version),
                    ("journal_text", "Den rigtige tekst"),
                    ("corrects_id", &entry),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = b.page(&format!("/courses/{c}/treatment")).await;
        assert_unique_ids(&page);
        assert!(page.contains("(rettet)"));
        assert!(page.contains("Den rigtige tekst"));

        // Cancel the rest through the page, then close.
        for p in v["planned_sessions"].as_array().unwrap().iter().skip(1) {
            let n = p["number"].to_string();
            let version = course(&app, &t, &c).await["version"].to_string();
            let r = b
                .submit(
                    &format!("/courses/{c}/treatment/planned/{n}/cancel"),
                    &[("version", &version), ("reason", "Familien udeblev")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let version = course(&app, &t, &c).await["version"].to_string();
        let r = b
            .submit(
                &format!("/courses/{c}/treatment/closing"),
                &[
                    ("version", &version),
                    ("closing_at", "2026-09-30T10:00"),
                    ("closing_reason", "dropped_out"),
                    ("summary", "Familien stoppede"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // The course page shows the treatment in brief, the GP messages with the missing
        // consent, and the links to the measurement and guidance pages.
        let page = b.page(&format!("/courses/{c}")).await;
        assert_unique_ids(&page);
        assert_unique_ids(&b.page("/").await);
        for part in [
            "Til afsendelse",
            "der er ikke givet samtykke",
            "Udeblevet / afbrudt",
            &format!("/courses/{c}/measurements"),
            &format!("/courses/{c}/guidance"),
            "Målinger",
            "Læringsmiljø-vejledning",
        ] {
            assert!(page.contains(part), "{part} missing");
        }
        // English is available too.
        b.get("/lang?to=en").await;
        let page = b.page(&format!("/courses/{c}/treatment")).await;
        assert!(page.contains("Messages to the GP"));
    })
    .await;
}

#[tokio::test]
async fn the_remaining_sessions_are_cancelled_in_one_action_with_one_reason() {
    each_backend(|app| async move {
        let t = setup(&app).await;
        let c = course_in_track(&app, &t, "2026-09-01T09:00", "not_given", 1).await;
        let r = session(&app, &t, &c, held("2026-09-08T10:00", Some(1))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let open = course(&app, &t, &c).await["planned_sessions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["status"] == "planned")
            .count();
        assert!(open > 1, "the track plans several sessions");

        let mut b = Browser::logged_in(&app, THERAPIST).await;
        let page = b.page(&format!("/courses/{c}/treatment")).await;
        assert!(page.contains(&format!("{open} planlagte sessioner er ikke holdt")));
        let version = support::hidden(&page, "version");
        let path = format!("/courses/{c}/treatment/planned/cancel-remaining");

        // Without a reason: refused beside the field, nothing changed.
        let before = course(&app, &t, &c).await;
        let r = b
            .submit(&path, &[("version", &version), ("cancel_rest_reason", " ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("href=\"#cancel_rest_reason\""));
        assert_eq!(course(&app, &t, &c).await, before);

        let r = b
            .submit(
                &path,
                &[
                    ("version", &version),
                    ("cancel_rest_reason", "Familien ønsker at stoppe"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let after = course(&app, &t, &c).await;
        let planned = after["planned_sessions"].as_array().unwrap();
        assert_eq!(
            planned.iter().filter(|p| p["status"] == "planned").count(),
            0
        );
        let cancelled: Vec<_> = planned
            .iter()
            .filter(|p| p["status"] == "cancelled")
            .collect();
        assert_eq!(cancelled.len(), open);
        assert!(
            cancelled
                .iter()
                .all(|p| p["cancel_reason"] == "Familien ønsker at stoppe")
        );
        assert!(
            planned.iter().any(|p| p["status"] == "held"),
            "the held one stays held"
        );
        let page = b
            .page(&format!("/courses/{c}/treatment?saved=cancel-remaining"))
            .await;
        assert!(page.contains("De resterende sessioner er aflyst."));
        assert!(
            !page.contains("Aflys resterende sessioner"),
            "nothing left to cancel"
        );
    })
    .await;
}
