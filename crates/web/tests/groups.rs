//! Parent groups and learning-environment guidance through HTTP, on every backend: a group
//! session writes one KL Behandling (group) per attending member and nothing for the absent;
//! a refused session writes nothing at all.

mod support;

use axum::http::StatusCode;
use chrono::NaiveDate;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::{Encounter, EncounterType};
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::organisation::Programme;
use samspor_store::{EncounterRecord, EncounterStatus};
use serde_json::{Value, json};
use support::{Browser, TestApp, each_backend};
use uuid::Uuid;

fn cpr(born: &str, n: u32) -> String {
    Cpr::synthetic(born.parse().unwrap(), Sex::Male, n)
        .unwrap()
        .to_string()
}

/// Lets municipality `code` offer `programme`, as the secretariat would.
async fn offer(app: &TestApp, code: &str, programme: Programme) {
    app.db
        .store
        .write(async |tx| {
            let by = tx
                .organisations()
                .await
                .unwrap()
                .into_iter()
                .find(|o| o.code == code)
                .unwrap()
                .id;
            let user = tx.users_of_org(by).await.unwrap()[0].id;
            tx.set_participation(
                code,
                programme,
                Some(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
                user,
                chrono::Utc::now(),
            )
            .await
            .unwrap();
            Ok::<_, samspor_store::StoreError>(())
        })
        .await
        .unwrap();
}

/// A child born on `born` whose course (opened 2026-11-02) has started `track`.
async fn course_in(app: &TestApp, token: &str, born: &str, n: u32, track: &str) -> String {
    let r = app
        .post(
            "/api/v1/children",
            token,
            json!({"cpr": cpr(born, n), "given_name": format!("Barn{n}"), "family_name": "Gruppesen"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let child = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/contacts",
            token,
            json!({"child_id": child, "source": "school", "received_at": "2026-11-02T09:00",
                   "reason": "Uro og koncentrationsbesvær i klassen", "referrer_name": "Byskolen",
                   "themes": ["restlessness_inattention"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let course = r.json()["course_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v1/courses/{course}/decisions"),
            token,
            json!({"outcome": "track", "track": track}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    course
}

async fn create_group(app: &TestApp, token: &str, starts_on: &str) -> String {
    let r = app
        .post(
            "/api/v1/groups",
            token,
            json!({"name": "Forældregruppe efterår", "track": "restlessness", "starts_on": starts_on}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

async fn join(app: &TestApp, token: &str, group: &str, course: &str) -> support::Reply {
    app.post(
        &format!("/api/v1/groups/{group}/members"),
        token,
        json!({"course_id": course}),
    )
    .await
}

/// The held encounters of a course, straight from the store.
async fn encounters(app: &TestApp, course: &str) -> Vec<EncounterRecord> {
    app.db
        .store
        .read(async |tx| {
            Ok::<_, samspor_store::StoreError>(
                tx.encounters(course.parse().unwrap()).await.unwrap(),
            )
        })
        .await
        .unwrap()
}

async fn behandlinger(app: &TestApp, course: &str) -> Vec<EncounterRecord> {
    encounters(app, course)
        .await
        .into_iter()
        .filter(|e| e.encounter.kind == EncounterType::Behandling)
        .collect()
}

async fn version(app: &TestApp, course: &str) -> i64 {
    app.db
        .store
        .read(async |tx| {
            Ok::<_, samspor_store::StoreError>(
                tx.course(course.parse().unwrap())
                    .await
                    .unwrap()
                    .unwrap()
                    .version,
            )
        })
        .await
        .unwrap()
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Three restlessness courses in one group of municipality 0101.
async fn three_in_a_group(app: &TestApp, t: &str) -> (String, [String; 3]) {
    offer(app, "0101", Programme::Restlessness).await;
    let a = course_in(app, t, "2018-03-04", 1, "restlessness").await;
    let b = course_in(app, t, "2019-06-07", 2, "restlessness").await;
    let c = course_in(app, t, "2017-09-10", 3, "restlessness").await;
    let group = create_group(app, t, "2026-11-10").await;
    for course in [&a, &b, &c] {
        let r = join(app, t, &group, course).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    (group, [a, b, c])
}

#[tokio::test]
async fn a_group_session_is_one_group_behandling_per_attending_member() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let (group, [a, b, c]) = three_in_a_group(&app, &t).await;
        let versions = [
            version(&app, &a).await,
            version(&app, &b).await,
            version(&app, &c).await,
        ];
        let r = app
            .post(
                &format!("/api/v1/groups/{group}/sessions"),
                &t,
                json!({"at": "2026-11-20T17:00", "module": 1, "note": "Ros og opmærksomhed",
                       "attendance": [
                           {"course_id": a, "attended": true, "participants": "child_present"},
                           {"course_id": b, "attended": true, "participants": "caregivers_only"},
                           {"course_id": c, "attended": false}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let session = r.json();
        assert_eq!(session["attendance"].as_array().unwrap().len(), 3);

        let at = NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(17, 0, 0)
            .unwrap();
        for (course, participants, code) in [
            (&a, "child_present", "ChildPresent"),
            (&b, "caregivers_only", "CaregiversOnly"),
        ] {
            let held = behandlinger(&app, course).await;
            assert_eq!(held.len(), 1, "{participants}");
            let e = &held[0];
            assert_eq!(e.status, EncounterStatus::Held);
            assert_eq!(e.encounter.at, at);
            let treatment = e.encounter.treatment.unwrap();
            assert_eq!(format!("{:?}", treatment.delivery), "Group");
            assert_eq!(format!("{:?}", treatment.participants), code);
            // The attendance row points at the encounter written.
            let row = session["attendance"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["course_id"] == **course)
                .unwrap();
            assert_eq!(row["encounter_id"], e.id.to_string());
            assert_eq!(row["participants"], participants);
            // And the course API shows it, as the KL report will.
            let v = app
                .get(&format!("/api/v1/courses/{course}"), &t)
                .await
                .json();
            let shown = v["encounters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["type"] == "behandling")
                .unwrap()
                .clone();
            assert_eq!(shown["delivery"], "group");
            assert_eq!(shown["participants"], participants);
            // Session 1 of the manual was delivered: the member's own plan shows it held.
            let first = &v["planned_sessions"][0];
            assert_eq!(first["number"], 1, "{v}");
            assert_eq!(first["status"], "held", "{v}");
            assert_eq!(first["encounter_id"], e.id.to_string());
            assert_eq!(v["planned_sessions"][1]["status"], "planned", "{v}");
        }
        assert!(behandlinger(&app, &c).await.is_empty(), "absent: nothing");
        let absent_plan = app.get(&format!("/api/v1/courses/{c}"), &t).await.json();
        assert_eq!(absent_plan["planned_sessions"][0]["status"], "planned");
        // Attending courses changed (version bumped, so the KL export finds them); the absent did not.
        assert_eq!(version(&app, &a).await, versions[0] + 1);
        assert_eq!(version(&app, &b).await, versions[1] + 1);
        assert_eq!(version(&app, &c).await, versions[2]);

        let v = app.get(&format!("/api/v1/groups/{group}"), &t).await;
        assert_eq!(v.status, StatusCode::OK);
        let v = v.json();
        assert_eq!(v["members"].as_array().unwrap().len(), 3);
        assert_eq!(v["sessions"][0]["module"], 1);
        let absent = v["sessions"][0]["attendance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["course_id"] == c.as_str())
            .unwrap()
            .clone();
        assert_eq!(absent["attended"], false);
        assert_eq!(absent["encounter_id"], Value::Null);
        let list = app.get("/api/v1/groups", &t).await.json();
        assert_eq!(list[0]["members"], 3);
        assert_eq!(list[0]["sessions"], 1);
    })
    .await;
}

#[tokio::test]
async fn a_session_naming_a_course_not_in_the_group_writes_nothing() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let (group, [a, b, _]) = three_in_a_group(&app, &t).await;
        // On the track but never added to the group.
        let outsider = course_in(&app, &t, "2018-12-01", 4, "restlessness").await;
        let count = async |app: &TestApp| {
            let mut n = 0;
            for course in [&a, &b, &outsider] {
                n += encounters(app, course).await.len();
            }
            n
        };
        let before = (count(&app).await, app.audit_count().await);
        let r = app
            .post(
                &format!("/api/v1/groups/{group}/sessions"),
                &t,
                json!({"at": "2026-11-20T17:00",
                       "attendance": [
                           {"course_id": a, "attended": true, "participants": "child_present"},
                           {"course_id": outsider, "attended": true, "participants": "caregivers_only"},
                           {"course_id": b, "attended": true, "participants": "caregivers_only"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r.json()), ["attendance[1].course_id"]);
        assert_eq!((count(&app).await, app.audit_count().await), before);
        let v = app.get(&format!("/api/v1/groups/{group}"), &t).await.json();
        assert!(v["sessions"].as_array().unwrap().is_empty());
        // Reading the group is audited; what follows must add nothing to that.
        let before = (count(&app).await, app.audit_count().await);

        // A random id is refused the same way, and so is a course listed twice.
        let r = app
            .post(
                &format!("/api/v1/groups/{group}/sessions"),
                &t,
                json!({"at": "2026-11-20T17:00",
                       "attendance": [
                           {"course_id": a, "attended": true, "participants": "child_present"},
                           {"course_id": a, "attended": false},
                           {"course_id": Uuid::now_v7(), "attended": true, "participants": "child_present"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(
            fields(&r.json()),
            ["attendance[1].course_id", "attendance[2].course_id"]
        );
        assert_eq!((count(&app).await, app.audit_count().await), before);
    })
    .await;
}

#[tokio::test]
async fn sessions_are_refused_for_closed_members_bad_times_and_empty_attendance() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let (group, [a, b, c]) = three_in_a_group(&app, &t).await;
        // Course c is closed: its Afslutning is held and it is completed.
        {
            app.db
                .store
                .write(async |tx| {
                    let course = tx.course(c.parse().unwrap()).await.unwrap().unwrap();
                    let closing = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
                    tx.insert_encounter(
                        &EncounterRecord {
                            id: Uuid::now_v7(),
                            course_id: course.id,
                            encounter: Encounter {
                                kind: EncounterType::Afslutning,
                                at: closing.and_hms_opt(12, 0, 0).unwrap(),
                                treatment: None,
                            },
                            staff_id: None,
                            staff_name: None,
                            status: EncounterStatus::Held,
                            created_at: chrono::Utc::now(),
                        },
                        None,
                    )
                    .await
                    .unwrap();
                    let closed = samspor_store::CourseRecord {
                        status: CourseStatus::Completed,
                        ended_on: Some(closing),
                        ..course
                    };
                    tx.save_course(&closed, None, chrono::Utc::now())
                        .await
                        .unwrap();
                    Ok::<_, samspor_store::StoreError>(())
                })
                .await
                .unwrap();
        }
        let before = (
            behandlinger(&app, &a).await.len() + behandlinger(&app, &b).await.len(),
            app.audit_count().await,
        );
        let path = format!("/api/v1/groups/{group}/sessions");
        let all = |at: &str| {
            json!({"at": at, "attendance": [
                {"course_id": a, "attended": true, "participants": "child_present"},
                {"course_id": b, "attended": true, "participants": "caregivers_only"}]})
        };
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (
                json!({"at": "2026-11-20T17:00", "attendance": [
                    {"course_id": a, "attended": true, "participants": "child_present"},
                    {"course_id": c, "attended": true, "participants": "caregivers_only"}]}),
                vec!["attendance[1].course_id"],
            ),
            (all("2099-01-01T17:00"), vec!["at"]),
            (all("2026-11-09T17:00"), vec!["at"]),
            (
                json!({"at": "2026-11-20T17:00", "attendance": []}),
                vec!["attendance"],
            ),
            (
                json!({"at": "2026-11-20T17:00", "attendance": [
                    {"course_id": a, "attended": false}, {"course_id": b, "attended": false}]}),
                vec!["attendance"],
            ),
            (
                json!({"at": "2026-11-20T17:00", "attendance": [
                    {"course_id": a, "attended": true}]}),
                vec!["attendance[0].participants"],
            ),
            (
                json!({"at": "2026-11-20T17:00", "module": 99, "attendance": [
                    {"course_id": a, "attended": true, "participants": "child_present"}]}),
                vec!["module"],
            ),
            (json!({"attendance": []}), vec!["at", "attendance"]),
        ];
        for (body, expected) in cases {
            let r = app.post(&path, &t, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                r.text()
            );
            assert_eq!(fields(&r.json()), expected, "{body}");
        }
        // The closed member, absent, does not stop the others' session.
        let after = (
            behandlinger(&app, &a).await.len() + behandlinger(&app, &b).await.len(),
            app.audit_count().await,
        );
        assert_eq!(after, before, "nothing written by any refused session");
        let r = app
            .post(
                &path,
                &t,
                json!({"at": "2026-11-20T17:00", "attendance": [
                    {"course_id": a, "attended": true, "participants": "child_present"},
                    {"course_id": c, "attended": false}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(behandlinger(&app, &a).await.len(), 1);
        assert!(behandlinger(&app, &c).await.is_empty());

        // A session before a member's Henvendelse (2026-11-02) is refused by the encounter rules,
        // named after that member's line.
        let late = course_in(&app, &t, "2018-01-15", 5, "restlessness").await;
        let early = create_group(&app, &t, "2026-10-01").await;
        assert_eq!(
            join(&app, &t, &early, &late).await.status,
            StatusCode::CREATED
        );
        let r = app
            .post(
                &format!("/api/v1/groups/{early}/sessions"),
                &t,
                json!({"at": "2026-10-05T17:00", "attendance": [
                    {"course_id": late, "attended": true, "participants": "child_present"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r.json()), ["attendance[0].at"]);
    })
    .await;
}

#[tokio::test]
async fn membership_needs_an_active_course_of_the_track_and_organisation_in_no_other_group() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let aar = app.user_token("t@aarhus.dk", "therapist", "0751").await;
        offer(&app, "0101", Programme::Restlessness).await;
        offer(&app, "0101", Programme::WorrySadness).await;
        offer(&app, "0751", Programme::Restlessness).await;
        let group = create_group(&app, &t, "2026-11-10").await;
        let other_group = create_group(&app, &t, "2026-11-10").await;
        let mine = course_in(&app, &t, "2018-03-04", 1, "restlessness").await;
        let worry = course_in(&app, &t, "2015-03-04", 2, "worry_sadness").await;
        let theirs = course_in(&app, &aar, "2018-05-04", 3, "restlessness").await;

        assert_eq!(
            join(&app, &t, &group, &mine).await.status,
            StatusCode::CREATED
        );
        let before = app.audit_count().await;
        for course in [&mine, &worry, &theirs, &Uuid::now_v7().to_string()] {
            let r = join(&app, &t, &other_group, course).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
            assert_eq!(fields(&r.json()), ["course_id"]);
            // Another organisation's course is not told apart from one that does not exist.
            assert!(!r.text().contains("Barn3"));
        }
        assert_eq!(app.audit_count().await, before);

        // Another organisation's group does not exist for Aarhus.
        assert_eq!(
            app.get(&format!("/api/v1/groups/{group}"), &aar)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            join(&app, &aar, &group, &theirs).await.status,
            StatusCode::NOT_FOUND
        );
        // The group lists the courses that could still join.
        let v = app
            .get(&format!("/api/v1/groups/{other_group}"), &t)
            .await
            .json();
        assert!(v["eligible"].as_array().unwrap().is_empty());

        // Only a parent-group track makes a group, and name and start are required.
        let r = app
            .post("/api/v1/groups", &t, json!({"track": "worry_sadness"}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&r.json()), ["name", "track", "starts_on"]);
        // Roles that do not work with children make no groups.
        let admin = app.user_token("a@kbh.dk", "admin", "0101").await;
        let r = app
            .post(
                "/api/v1/groups",
                &admin,
                json!({"name": "x", "track": "restlessness", "starts_on": "2026-11-10"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn guidance_is_stored_listed_and_bad_input_refused() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let aar = app.user_token("t@aarhus.dk", "therapist", "0751").await;
        offer(&app, "0101", Programme::Restlessness).await;
        let course = course_in(&app, &t, "2018-03-04", 1, "restlessness").await;
        let path = format!("/api/v1/courses/{course}/guidance");
        let before = version(&app, &course).await;
        let r = app
            .post(
                &path,
                &t,
                json!({"school_name": "Byskolen", "held_on": "2026-11-12",
                       "participants": "Klasselærer og pædagog fra SFO",
                       "topic": "Pauser og faste pladser",
                       "agreed_actions": "Fast plads ved døren; pause efter 20 minutter"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["school_name"], "Byskolen");
        // A registered school of the municipality.
        let r = app
            .post(
                "/api/v1/organisations",
                &app.user_token("s@sekretariat.dk", "secretariat", "0101").await,
                json!({"kind": "school", "name": "Nørre Fælled Skole", "parent": "0101"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let school = r.json()["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &path,
                &t,
                json!({"school_org_id": school, "held_on": "2026-11-19",
                       "participants": "Lærer", "topic": "Overgange"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        let list = app.get(&path, &t).await;
        assert_eq!(list.status, StatusCode::OK);
        let list = list.json();
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert_eq!(list[0]["topic"], "Overgange", "newest first");
        assert_eq!(list[0]["school_org_id"], school.as_str());
        assert_eq!(list[0]["agreed_actions"], "");
        assert_eq!(list[1]["participants"], "Klasselærer og pædagog fra SFO");
        // Guidance is not a KL encounter: the course is unchanged.
        assert_eq!(version(&app, &course).await, before);
        assert!(behandlinger(&app, &course).await.is_empty());

        let audit = app.audit_count().await;
        let bad: Vec<(Value, Vec<&str>)> = vec![
            (
                json!({"school_name": "Byskolen", "held_on": "2026-11-12", "participants": " ", "topic": ""}),
                vec!["participants", "topic"],
            ),
            (
                json!({"school_name": "Byskolen", "held_on": "2099-01-01", "participants": "Lærer", "topic": "x"}),
                vec!["held_on"],
            ),
            (
                json!({"held_on": "2026-11-12", "participants": "Lærer", "topic": "x"}),
                vec!["school_name"],
            ),
            (
                json!({"school_org_id": Uuid::now_v7(), "held_on": "2026-11-12", "participants": "Lærer", "topic": "x"}),
                vec!["school_org_id"],
            ),
            (
                json!({"school_name": "Byskolen", "held_on": "2026-10-01", "participants": "Lærer", "topic": "x"}),
                vec!["held_on"],
            ),
        ];
        for (body, expected) in bad {
            let r = app.post(&path, &t, body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(fields(&r.json()), expected, "{body}");
        }
        assert_eq!(app.audit_count().await, audit);
        assert_eq!(app.get(&path, &t).await.json().as_array().unwrap().len(), 2);
        let audit = app.audit_count().await;

        // Another organisation's course does not exist for Aarhus.
        assert_eq!(app.get(&path, &aar).await.status, StatusCode::NOT_FOUND);
        let r = app
            .post(
                &path,
                &aar,
                json!({"school_name": "x", "held_on": "2026-11-12", "participants": "x", "topic": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.audit_count().await, audit);
    })
    .await;
}

#[tokio::test]
async fn the_pages_create_a_group_record_a_session_and_guidance() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        offer(&app, "0101", Programme::Restlessness).await;
        let a = course_in(&app, &t, "2018-03-04", 1, "restlessness").await;
        let b = course_in(&app, &t, "2019-06-07", 2, "restlessness").await;
        let mut web = Browser::logged_in(&app, "t@kbh.dk").await;

        let page = web.page("/groups").await;
        assert!(page.contains("Forældregrupper"), "{page}");
        // A refused form keeps what was typed and says why, in Danish.
        let r = web
            .submit(
                "/groups",
                &[
                    ("name", ""),
                    ("track", "restlessness"),
                    ("starts_on", "10.11.2026"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Feltet skal udfyldes."));
        assert!(r.text().contains("value=\"10.11.2026\""));
        let r = web
            .submit(
                "/groups",
                &[
                    ("name", "Forældregruppe vinter"),
                    ("track", "restlessness"),
                    ("starts_on", "2026-11-10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let location = r.header("location");
        let group = location.trim_start_matches("/groups/").to_string();

        for course in [&a, &b] {
            let page = web.page(&location).await;
            assert!(
                page.contains(&format!("value=\"{course}\"")),
                "eligible {course}"
            );
            let r = web
                .submit(&format!("{location}/members"), &[("course_id", course)])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let page = web.page(&location).await;
        assert!(page.contains("Barn1 Gruppesen") && page.contains("Barn2 Gruppesen"));

        // Refused: nobody attended. The lines are shown again as typed.
        let rows = |a_attended: &'static str| {
            vec![
                ("at", "2026-11-20T17:00"),
                ("module", "1"),
                ("note", "Ros og grænser"),
                ("attendance[0].course_id", a.as_str()),
                ("attendance[0].attended", a_attended),
                ("attendance[0].participants", "child_present"),
                ("attendance[1].course_id", b.as_str()),
                ("attendance[1].participants", "caregivers_only"),
            ]
        };
        let r = web
            .submit(&format!("{location}/sessions"), &rows("0"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("mindst ét medlem"));
        assert!(r.text().contains("Ros og grænser"));
        assert!(behandlinger(&app, &a).await.is_empty());

        let r = web
            .submit(&format!("{location}/sessions"), &rows("1"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(
            r.header("location"),
            format!("/groups/{group}?saved=session")
        );
        assert_eq!(behandlinger(&app, &a).await.len(), 1);
        assert!(behandlinger(&app, &b).await.is_empty(), "b did not attend");
        let page = web.page(&r.header("location")).await;
        assert!(page.contains("Sessionen er gemt"));
        assert!(page.contains("20.11.2026 17:00"));

        // Guidance through its page.
        let path = format!("/courses/{a}/guidance");
        let page = web.page(&path).await;
        assert!(page.contains("Læringsmiljø-vejledning"));
        let r = web
            .submit(
                &path,
                &[
                    ("held_on", "2026-11-12"),
                    ("school_name", "Byskolen"),
                    ("participants", "Klasselærer"),
                    ("topic", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Feltet skal udfyldes."));
        assert!(r.text().contains("Klasselærer"));
        let r = web
            .submit(
                &path,
                &[
                    ("held_on", "12.11.2026"),
                    ("school_name", "Byskolen"),
                    ("participants", "Klasselærer"),
                    ("topic", "Pauser i timerne"),
                    ("agreed_actions", "Pause efter 20 minutter"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = web.page(&r.header("location")).await;
        assert!(page.contains("Pauser i timerne") && page.contains("12.11.2026"));

        // A form without the session's CSRF token changes nothing.
        let r = web.post(&format!("{location}/sessions"), &rows("1")).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(behandlinger(&app, &a).await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_session_sent_twice_is_refused_and_the_eligible_list_leaves_out_grouped_courses() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let (group, [a, b, c]) = three_in_a_group(&app, &t).await;
        let path = format!("/api/v1/groups/{group}/sessions");
        let body = json!({"at": "2026-11-20T17:00", "module": 1, "attendance": [
            {"course_id": a, "attended": true, "participants": "child_present"},
            {"course_id": b, "attended": true, "participants": "caregivers_only"},
            {"course_id": c, "attended": false}]});
        let r = app.post(&path, &t, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let before = (
            behandlinger(&app, &a).await.len() + behandlinger(&app, &b).await.len(),
            version(&app, &a).await,
            app.audit_count().await,
        );
        // The same form sent again (a double click) would give every attending course a second
        // Behandling in the KL report.
        let r = app.post(&path, &t, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(fields(&r.json()), ["at"]);
        assert!(r.text().contains("already recorded"), "{}", r.text());
        let after = (
            behandlinger(&app, &a).await.len() + behandlinger(&app, &b).await.len(),
            version(&app, &a).await,
            app.audit_count().await,
        );
        assert_eq!(after, before, "nothing written by the second sending");
        // Another time the same evening is another session.
        let r = app
            .post(
                &path,
                &t,
                json!({"at": "2026-11-20T18:30", "attendance": [
                    {"course_id": a, "attended": true, "participants": "child_present"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(behandlinger(&app, &a).await.len(), 2);

        // The courses that could join: on the track, active and in no group (this one or another).
        let free = course_in(&app, &t, "2018-08-08", 6, "restlessness").await;
        let elsewhere = course_in(&app, &t, "2018-09-09", 7, "restlessness").await;
        let other = create_group(&app, &t, "2026-11-10").await;
        assert_eq!(
            join(&app, &t, &other, &elsewhere).await.status,
            StatusCode::CREATED
        );
        let v = app.get(&format!("/api/v1/groups/{group}"), &t).await.json();
        let eligible: Vec<&str> = v["eligible"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["course_id"].as_str().unwrap())
            .collect();
        assert_eq!(eligible, [free.as_str()]);
    })
    .await;
}

#[tokio::test]
async fn a_refused_session_form_keeps_each_lines_participants_choice() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let (group, [a, b, c]) = three_in_a_group(&app, &t).await;
        let mut web = Browser::logged_in(&app, "t@kbh.dk").await;
        let location = format!("/groups/{group}");
        // The blank form has "caregivers only" chosen on every line.
        let page = web.page(&location).await;
        for i in 0..3 {
            assert!(
                page.contains(&format!(
                    "id=\"attendance_{i}__caregivers\" name=\"attendance[{i}].participants\" value=\"caregivers_only\" checked"
                )),
                "line {i} blank: {page}"
            );
        }
        // Lines are in the order of the members' names: Barn1 (a), Barn2 (b), Barn3 (c).
        // Line 0 attended without a choice (refused); line 1 unticked but its choice sent, as a
        // browser sends a checked radio button whatever the box beside it; line 2 unticked and
        // nothing sent.
        let r = web
            .submit(
                &format!("{location}/sessions"),
                &[
                    ("at", "2026-11-20T17:00"),
                    ("attendance[0].course_id", a.as_str()),
                    ("attendance[0].attended", "1"),
                    ("attendance[1].course_id", b.as_str()),
                    ("attendance[1].participants", "child_present"),
                    ("attendance[2].course_id", c.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let page = r.text();
        assert!(page.contains("Vælg, om barnet deltog"), "{page}");
        let checked = |i: usize, id: &str, value: &str| {
            format!(
                "id=\"attendance_{i}__{id}\" name=\"attendance[{i}].participants\" value=\"{value}\" checked"
            )
        };
        assert!(!page.contains(&checked(0, "child", "child_present")));
        assert!(!page.contains(&checked(0, "caregivers", "caregivers_only")));
        assert!(page.contains(&checked(1, "child", "child_present")), "{page}");
        assert!(page.contains(&checked(2, "caregivers", "caregivers_only")), "{page}");
        assert!(!page.contains("name=\"attendance[1].attended\" value=\"1\" checked"));

        // Ticking line 1 again and choosing on line 0 is now enough.
        let r = web
            .submit(
                &format!("{location}/sessions"),
                &[
                    ("at", "2026-11-20T17:00"),
                    ("attendance[0].course_id", a.as_str()),
                    ("attendance[0].attended", "1"),
                    ("attendance[0].participants", "caregivers_only"),
                    ("attendance[1].course_id", b.as_str()),
                    ("attendance[1].attended", "1"),
                    ("attendance[1].participants", "child_present"),
                    ("attendance[2].course_id", c.as_str()),
                    ("attendance[2].participants", "caregivers_only"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(behandlinger(&app, &a).await.len(), 1);
        assert_eq!(behandlinger(&app, &b).await.len(), 1);
        assert!(behandlinger(&app, &c).await.is_empty());
    })
    .await;
}

/// A member left out of the request did not come: the session records attendance for every
/// active member of the group all the same.
#[tokio::test]
async fn a_member_left_out_is_recorded_as_absent() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let (group, [a, b, c]) = three_in_a_group(&app, &t).await;
        let r = app
            .post(
                &format!("/api/v1/groups/{group}/sessions"),
                &t,
                json!({"at": "2026-11-20T17:00", "attendance": [
                    {"course_id": a, "attended": true, "participants": "caregivers_only"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let rows = r.json()["attendance"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 3, "{rows:?}");
        for absent in [&b, &c] {
            let row = rows.iter().find(|x| x["course_id"] == **absent).unwrap();
            assert_eq!(row["attended"], false);
            assert_eq!(row["encounter_id"], Value::Null);
            assert!(behandlinger(&app, absent).await.is_empty());
        }
        assert_eq!(behandlinger(&app, &a).await.len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_form_sent_eight_times_at_once_records_one_session() {
    each_backend(|app| async move {
        let t = app.user_token("t@kbh.dk", "therapist", "0101").await;
        let (group, [a, b, c]) = three_in_a_group(&app, &t).await;
        let body = json!({"at": "2026-11-21T17:00", "module": 1, "note": "",
            "attendance": [
                {"course_id": a, "attended": true, "participants": "child_present"},
                {"course_id": b, "attended": true, "participants": "child_present"},
                {"course_id": c, "attended": false}]});
        let path = format!("/api/v1/groups/{group}/sessions");
        let statuses = app.post_at_once(8, &path, &t, body).await;
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses
                .iter()
                .all(|s| matches!(s.as_u16(), 201 | 409 | 422)),
            "a twin is refused, never a server error: {statuses:?}"
        );
        assert_eq!(
            behandlinger(&app, &a).await.len(),
            1,
            "one Behandling in each attending course"
        );
        assert_eq!(behandlinger(&app, &b).await.len(), 1);
    })
    .await;
}
