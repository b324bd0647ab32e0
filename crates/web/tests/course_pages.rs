//! The coordinator's course pages through HTTP: contacts, encounters, waiting figures, version
//! conflicts, visitation decisions and the worklist, as a browser without JavaScript uses them.

mod support;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDateTime};
use samspor_domain::organisation::Programme;
use samspor_store::accounts;
use samspor_store::courses;
use samspor_store::organisations;
use samspor_store::service::Ctx;
use support::{Browser, TestApp, each_backend, hidden};
use uuid::Uuid;

const COORDINATOR: &str = "k@kbh.dk";

impl Browser<'_> {
    /// Registers a child and returns the path of its page.
    async fn child(&mut self, cpr: &str, given: &str, family: &str) -> String {
        let r = self
            .submit(
                "/children",
                &[("cpr", cpr), ("given_name", given), ("family_name", family)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        r.header("location").split('?').next().unwrap().to_string()
    }

    /// Registers a contact from a GP received `days_ago`, returns the course path.
    async fn contact(&mut self, child_path: &str, days_ago: i64, theme: &str) -> String {
        let received = ago(Duration::days(days_ago));
        let mut form = gp_contact(&received);
        form.push(("themes", theme));
        let r = self
            .submit(&format!("{child_path}/courses/new"), &form)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.header("location");
        assert!(to.starts_with("/courses/"), "{to}");
        to
    }
}

/// A complete contact form from a GP received at `received`, without its themes.
fn gp_contact(received: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("source", "gp"),
        ("received_at", received),
        ("reason", "Ondt i maven hver morgen før skole."),
        ("duration", "3 måneder"),
        ("consent", "given"),
        ("referrer_name", "Dr. Hansen"),
    ]
}

/// A logged-in coordinator with Testa (born on `cpr`'s date) and her course from a contact
/// received three days ago on `theme`: the browser, the child's path and the course's path.
async fn testa_with_a_course<'a>(
    app: &'a TestApp,
    cpr: &str,
    theme: &str,
) -> (Browser<'a>, String, String) {
    coordinator(app).await;
    let mut b = Browser::logged_in(app, COORDINATOR).await;
    let child = b.child(cpr, "Testa", "Testesen").await;
    let course = b.contact(&child, 3, theme).await;
    (b, child, course)
}

/// Danish local time some while ago, as a `datetime-local` input sends it.
fn ago(d: Duration) -> String {
    (local_now() - d).format("%Y-%m-%dT%H:%M").to_string()
}

fn local_now() -> NaiveDateTime {
    courses::local(chrono::Utc::now())
}

fn course_id(path: &str) -> Uuid {
    Uuid::parse_str(path.trim_start_matches("/courses/")).unwrap()
}

async fn encounter_count(app: &TestApp, course: Uuid) -> usize {
    app.db
        .store
        .read(async |tx| {
            Ok::<_, samspor_store::StoreError>(tx.encounters(course).await.unwrap().len())
        })
        .await
        .unwrap()
}

async fn coordinator(app: &TestApp) {
    app.user_token(COORDINATOR, "coordinator", "0101").await;
}

/// Lets Copenhagen offer a track, as its administrator would on the participation page.
async fn offer(app: &TestApp, track: Programme) {
    let token = app.user_token("admin@kbh.dk", "admin", "0101").await;
    let admin = accounts::user_by_api_token(&app.db.store, &token)
        .await
        .unwrap()
        .unwrap();
    let since = chrono::NaiveDate::from_ymd_opt(2024, 1, 1);
    organisations::set_participation(
        &app.db.store,
        &Ctx::new(admin.actor, "test"),
        "0101",
        track,
        since,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_contact_and_a_forsamtale_show_in_the_waiting_figures() {
    each_backend(|app| async move {
        coordinator(&app).await;
        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let child = b.child("150315-4321", "Testa", "Testesen").await;
        let child_page = b.get(&child).await.text();
        assert!(child_page.contains(&format!("{child}/courses/new")));

        let form = b.get(&format!("{child}/courses/new")).await;
        assert_eq!(form.status, StatusCode::OK);
        let html = form.text();
        for source in [
            "self",
            "gp",
            "school",
            "hospital",
            "social_services",
            "psychiatry_return",
            "other",
        ] {
            assert!(
                html.contains(&format!(r#"<option value="{source}""#)),
                "{source}"
            );
        }

        // Refused: no reason, and a GP who refers must be named; the typed values come back.
        let received = ago(Duration::days(2));
        let refused = b
            .submit(
                &format!("{child}/courses/new"),
                &[
                    ("source", "gp"),
                    ("received_at", &received),
                    ("reason", ""),
                    ("duration", "3 måneder"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(html.contains(r#"id="reason-error""#), "{html}");
        assert!(html.contains(r#"id="referrer_name-error""#));
        assert!(html.contains("Angiv, hvem der henviser"));
        assert!(
            html.contains(r#"value="3 måneder""#),
            "typed values are kept"
        );
        assert!(html.contains(r#"<option value="gp" selected>"#));

        let course = b.contact(&child, 2, "worry").await;
        let html = b.page(&course).await;
        for shown in ["Testa Testesen", "Egen læge", "Dr. Hansen"] {
            assert!(html.contains(shown), "{shown}");
        }
        assert!(
            html.contains("Bekymring"),
            "the theme chosen with the contact"
        );
        assert!(
            html.contains("Henvendelse"),
            "the timeline starts with the contact"
        );
        assert!(!html.contains("Overholdt"), "no goal is met yet");
        assert_eq!(hidden(&html, "version"), "1");

        let at = ago(Duration::days(1));
        let saved = b
            .submit(
                &format!("{course}/encounters"),
                &[("version", "1"), ("type", "forsamtale"), ("at", &at)],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let html = b.get(&saved.header("location")).await.text();
        assert!(html.contains("Kontakten er registreret."));
        assert!(
            html.contains("Overholdt"),
            "the Forsamtale met its goal: {html}"
        );
        let held = (local_now() - Duration::days(1))
            .format("%d.%m.%Y")
            .to_string();
        assert!(html.contains(&held), "held on {held}");
        assert_eq!(hidden(&html, "version"), "2");
        assert_eq!(encounter_count(&app, course_id(&course)).await, 2);

        let list = b.get(&format!("{child}/courses")).await.text();
        assert!(list.contains(&course));
    })
    .await;
}

#[tokio::test]
async fn a_treatment_without_delivery_is_shown_again_and_nothing_is_written() {
    each_backend(|app| async move {
        let (mut b, _, course) = testa_with_a_course(&app, "150315-4321", "worry").await;
        let at = ago(Duration::hours(2));
        let r = b
            .submit(
                &format!("{course}/encounters"),
                &[
                    ("version", "1"),
                    ("type", "behandling"),
                    ("at", &at),
                    ("delivery", ""),
                    ("participants", "child_present"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains(r#"id="delivery-error""#), "{html}");
        assert!(html.contains("Vælg, om behandlingen var individuel eller i gruppe."));
        assert!(html.contains(r#"aria-describedby="delivery-error""#));
        assert!(html.contains(r#"<option value="behandling" selected>"#));
        assert!(html.contains(r#"<option value="child_present" selected>"#));
        assert!(
            html.contains(&format!(r#"value="{at}""#)),
            "the time is kept"
        );
        assert_eq!(encounter_count(&app, course_id(&course)).await, 1);
        assert_eq!(hidden(&html, "version"), "1", "the course was not saved");

        let unreadable = b
            .submit(
                &format!("{course}/encounters"),
                &[("version", "1"), ("type", "forsamtale"), ("at", "i går")],
            )
            .await;
        assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unreadable.text().contains(r#"id="at-error""#));
        assert_eq!(encounter_count(&app, course_id(&course)).await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_nothing_is_written() {
    each_backend(|app| async move {
        let (mut b, _, course) = testa_with_a_course(&app, "150315-4321", "worry").await;
        let first = ago(Duration::days(2));
        let ok = b
            .submit(
                &format!("{course}/encounters"),
                &[("version", "1"), ("type", "forsamtale"), ("at", &first)],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);

        // A colleague's page, still at version 1, saves a screening.
        let second = ago(Duration::days(1));
        let stale = b
            .submit(
                &format!("{course}/encounters"),
                &[("version", "1"), ("type", "screening"), ("at", &second)],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        let html = stale.text();
        assert!(html.contains("ændret af en anden"), "{html}");
        assert!(html.contains(r#"<option value="screening" selected>"#));
        assert!(html.contains(&format!(r#"value="{second}""#)), "input kept");
        assert_eq!(
            hidden(&html, "version"),
            "2",
            "the page shows the course as it is now"
        );
        assert_eq!(encounter_count(&app, course_id(&course)).await, 2);

        let themes = b
            .submit(
                &format!("{course}/themes"),
                &[("version", "1"), ("themes", "sadness")],
            )
            .await;
        assert_eq!(themes.status, StatusCode::CONFLICT);
        assert!(themes.text().contains("ændret af en anden"));
        let page = b.get(&course).await.text();
        assert!(
            !page.contains("Tristhed</dd>"),
            "the themes were not changed"
        );

        let fresh = b
            .submit(
                &format!("{course}/themes"),
                &[("version", "2"), ("themes", "sadness"), ("themes", "worry")],
            )
            .await;
        assert_eq!(fresh.status, StatusCode::SEE_OTHER);
        let page = b.get(&course).await.text();
        assert!(page.contains("Bekymring, Tristhed"), "{page}");
        assert!(page.contains("Temaer over tid"));
    })
    .await;
}

#[tokio::test]
async fn a_decision_needs_a_way_and_is_recorded_as_a_kl_referral() {
    each_backend(|app| async move {
        let (mut b, _, course) = testa_with_a_course(&app, "150315-4321", "worry").await;
        let form = b.get(&format!("{course}/decision")).await;
        assert_eq!(form.status, StatusCode::OK);
        let html = form.text();
        assert!(html.contains("Beslutningsstøtte"));
        assert!(html.contains(r#"name="outcome" value="gp""#));
        assert!(
            !html.contains(r#"<option value="worry_sadness""#),
            "no track is offered before the municipality takes part"
        );

        let refused = b
            .submit(
                &format!("{course}/decision"),
                &[
                    ("version", "1"),
                    ("outcome", "gp"),
                    ("way_destination", ""),
                    ("way_note", ""),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(html.contains(r#"id="way-error""#), "{html}");
        assert!(html.contains("ingen afgørelse uden en vej videre"));
        assert!(html.contains(r#"name="outcome" value="gp" checked"#));

        let note = "Familien kontakter egen læge om mavesmerterne.";
        let decided = b
            .submit(
                &format!("{course}/decision"),
                &[
                    ("version", "1"),
                    ("outcome", "gp"),
                    ("way_destination", "gp"),
                    ("way_note", note),
                ],
            )
            .await;
        assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.text());
        assert_eq!(
            decided.header("location"),
            format!("{course}?saved=decision")
        );
        let page = b.get(&decided.header("location")).await.text();
        assert!(page.contains("Afgørelsen er gemt."));
        assert!(
            page.contains("Henvisning (KL): Alment praktiserende læge"),
            "{page}"
        );
        assert!(page.contains(note));
        assert!(page.contains("Vejledning til egen læge"));
        assert!(
            page.contains("Afsluttet"),
            "a decision without a track ends the course"
        );
    })
    .await;
}

#[tokio::test]
async fn ticked_criteria_raise_signs_that_need_a_written_reason() {
    each_backend(|app| async move {
        let (mut b, _, course) = testa_with_a_course(&app, "150312-4321", "self_harm").await;
        let tick = "self_harm:suicidal_intent";
        let checked = b
            .submit(
                &format!("{course}/decision"),
                &[("version", "1"), ("tick", tick), ("action", "check")],
            )
            .await;
        assert_eq!(checked.status, StatusCode::OK);
        let html = checked.text();
        assert!(
            html.contains("Tegn på behov for børne- og ungdomspsykiatri"),
            "{html}"
        );
        assert!(html.contains(&format!(r#"value="{tick}" checked"#)));
        assert!(html.contains(r#"id="reason_despite_signs""#));

        let way = [
            ("version", "1"),
            ("tick", tick),
            ("outcome", "civil_society"),
            ("way_destination", "civil_society"),
            ("way_note", "Headspace."),
        ];
        let refused = b.submit(&format!("{course}/decision"), &way).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .text()
                .contains(r#"id="reason_despite_signs-error""#)
        );

        let mut with_reason = way.to_vec();
        with_reason.push(("reason_despite_signs", "Akut vurdering: lav risiko."));
        let ok = b.submit(&format!("{course}/decision"), &with_reason).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let page = b.get(&course).await.text();
        assert!(page.contains("Akut vurdering: lav risiko."));
    })
    .await;
}

#[tokio::test]
async fn a_visitation_meeting_decides_several_courses() {
    each_backend(|app| async move {
        coordinator(&app).await;
        offer(&app, Programme::WorrySadness).await;
        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let testa = b.child("150315-4321", "Testa", "Testesen").await;
        let other = b.child("150316-4322", "Anna", "Andersen").await;
        let first = b.contact(&testa, 3, "worry").await;
        let second = b.contact(&other, 5, "sadness").await;

        let bad = b
            .submit(
                "/visitation",
                &[("held_on", "i morgen"), ("participants", "")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains(r#"id="held_on-error""#));
        assert!(bad.text().contains(r#"id="participants-error""#));

        let today = local_now().format("%Y-%m-%d").to_string();
        let opened = b
            .submit(
                "/visitation",
                &[
                    ("held_on", &today),
                    ("participants", "Koordinator, psykolog"),
                ],
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER);
        let meeting = opened.header("location");
        let page = b.get(&meeting).await.text();
        let meeting_id = meeting.trim_start_matches("/visitation/");
        let link = format!("{first}/decision?meeting_id={meeting_id}");
        assert!(page.contains(&link), "{page}");
        assert!(page.contains("Anna Andersen"));

        let form = b.get(&link).await.text();
        assert!(
            form.contains(&format!("back={link}")),
            "switching language keeps the meeting"
        );
        assert!(
            form.contains(r#"<option value="worry_sadness""#),
            "offered now"
        );
        assert!(
            !form.contains(r#"<option value="self_harm""#),
            "not offered"
        );
        let decided = b
            .submit(
                &format!("{first}/decision"),
                &[
                    ("version", "1"),
                    ("meeting_id", meeting_id),
                    ("outcome", "track"),
                    ("track", "worry_sadness"),
                ],
            )
            .await;
        assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.text());
        assert_eq!(
            decided.header("location"),
            format!("{meeting}?saved=decision")
        );
        let page = b.get(&decided.header("location")).await.text();
        assert!(page.contains("Start i et STIME-spor"));
        assert!(!page.contains(&format!("{first}/decision")), "decided");
        assert!(
            page.contains(&format!("{second}/decision")),
            "still waiting"
        );
        assert!(b.get("/visitation").await.text().contains(&meeting));
    })
    .await;
}

#[tokio::test]
async fn the_worklist_filters_and_flags_deadlines() {
    each_backend(|app| async move {
        coordinator(&app).await;
        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let testa = b.child("150315-4321", "Testa", "Testesen").await;
        let anna = b.child("150316-4322", "Anna", "Andersen").await;
        let bo = b.child("150317-4323", "Bo", "Bentsen").await;
        // Due in one day, long overdue, and fresh.
        b.contact(&testa, 13, "worry").await;
        b.contact(&anna, 20, "self_harm").await;
        b.contact(&bo, 1, "worry").await;

        let all = b.get("/courses").await;
        assert_eq!(all.status, StatusCode::OK);
        let html = all.text();
        let (a, t, o) = (
            html.find("Anna Andersen").unwrap(),
            html.find("Testa Testesen").unwrap(),
            html.find("Bo Bentsen").unwrap(),
        );
        assert!(a < t && t < o, "nearest open deadline first");
        assert!(html.contains("Frist overskredet"));
        assert!(html.contains("Frist inden for 3 dage"));

        let worry = b.get("/courses?theme=worry").await.text();
        assert!(worry.contains("Testa Testesen") && worry.contains("Bo Bentsen"));
        assert!(!worry.contains("Anna Andersen"), "{worry}");
        let self_harm = b.get("/courses?theme=self_harm&undecided=1").await.text();
        assert!(self_harm.contains("Anna Andersen"));
        assert!(!self_harm.contains("Testa Testesen"));
        let due = (local_now() + Duration::days(5))
            .format("%Y-%m-%d")
            .to_string();
        let soon = b.get(&format!("/courses?due_by={due}")).await.text();
        assert!(soon.contains("Testa Testesen") && soon.contains("Anna Andersen"));
        assert!(!soon.contains("Bo Bentsen"));
        let done = b.get("/courses?status=completed").await.text();
        assert!(!done.contains("Testa Testesen"));

        b.get("/lang?to=en&back=/courses").await;
        let english = b.get("/courses").await.text();
        assert!(english.contains("<h1>Courses and deadlines</h1>"));
        assert!(english.contains("Deadline passed") && english.contains("Due within 3 days"));
        b.get("/lang?to=da&back=/").await;

        let home = b.get("/").await.text();
        assert!(home.contains("Indgående forløb"));
        assert!(home.contains("Frist overskredet"));
        assert!(home.contains(r#"href="/intake""#));
        assert!(home.contains("Testa Testesen"));
    })
    .await;
}

#[tokio::test]
async fn a_psychiatry_decision_writes_a_referral_to_be_sent() {
    each_backend(|app| async move {
        let (mut b, _, course) = testa_with_a_course(&app, "150312-4321", "self_harm").await;
        let r = b
            .submit(
                &format!("{course}/decision"),
                &[
                    ("version", "1"),
                    ("tick", "self_harm:suicide_risk"),
                    ("outcome", "psychiatry"),
                    ("way_destination", "psychiatry"),
                    ("way_note", "Familien er orienteret om henvisningen."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = b.get(&course).await.text();
        assert!(page.contains("Henvisning til børne- og ungdomspsykiatrien"));
        assert!(page.contains("Skal sendes"), "{page}");
        assert!(
            !page.contains(&format!("{course}/decision")),
            "no second decision on a closed course"
        );
    })
    .await;
}

/// Types in a PHQ-A on paper for the child; returns the response's id and when it was answered.
async fn paper_phq_a(app: &TestApp, token: &str, child_path: &str) -> (String, String) {
    let r = app
        .post(
            &format!("/api/v1{child_path}/responses"),
            token,
            serde_json::json!({
                "instrument": "phq-a",
                "respondent_name": "Testa",
                "answers": {"q1": 1, "q2": 1, "q3": 0, "q4": 2, "q5": 1, "q6": 0, "q7": 1, "q8": 0, "q9": 0},
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    let answered: chrono::DateTime<chrono::Utc> =
        v["answered_at"].as_str().unwrap().parse().unwrap();
    let day = courses::local(answered).format("%d.%m.%Y").to_string();
    (v["id"].as_str().unwrap().to_string(), day)
}

fn child_id(path: &str) -> Uuid {
    Uuid::parse_str(path.trim_start_matches("/children/")).unwrap()
}

const PHQ_A: &str = "PHQ-A – depressionsscreening for unge (11–17 år)";

#[tokio::test]
async fn a_contact_with_an_attached_screening_shows_it_on_the_course_page() {
    each_backend(|app| async move {
        let token = app.user_token(COORDINATOR, "coordinator", "0101").await;
        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let child = b.child("150312-4321", "Testa", "Testesen").await;
        let (response, answered) = paper_phq_a(&app, &token, &child).await;

        let form = b.get(&format!("{child}/courses/new")).await.text();
        assert!(
            form.contains(&format!(
                r#"<option value="{response}">{PHQ_A} – Testa, {answered}</option>"#
            )),
            "the child's response is offered: {form}"
        );

        let received = ago(Duration::days(1));
        let r = b
            .submit(
                &format!("{child}/courses/new"),
                &[
                    ("source", "school"),
                    ("received_at", &received),
                    ("reason", "Trist og trækker sig fra vennerne."),
                    ("consent", "given"),
                    ("referrer_name", "Lærer Jensen"),
                    ("screening_response_id", &response),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let course = r.header("location");
        let stored = app
            .db
            .store
            .read(async |tx| {
                let stored = tx.contact(course_id(&course)).await.unwrap().unwrap();
                Ok::<_, samspor_store::StoreError>(stored)
            })
            .await
            .unwrap();
        assert_eq!(
            stored.screening_response_id.map(|id| id.to_string()),
            Some(response)
        );

        let page = b.get(&course).await.text();
        assert!(page.contains("Vedhæftet screening"), "{page}");
        assert!(
            page.contains(&format!(
                r#"<a href="{child}/questionnaires">{PHQ_A}, {answered}</a>"#
            )),
            "instrument and date, linked to the child's questionnaires: {page}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_screening_of_another_child_is_refused_and_nothing_is_written() {
    each_backend(|app| async move {
        let token = app.user_token(COORDINATOR, "coordinator", "0101").await;
        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let testa = b.child("150312-4321", "Testa", "Testesen").await;
        let anna = b.child("150313-4322", "Anna", "Andersen").await;
        let (annas, _) = paper_phq_a(&app, &token, &anna).await;

        let form = b.get(&format!("{testa}/courses/new")).await.text();
        assert!(
            !form.contains(&annas),
            "another child's response is not offered"
        );
        assert!(form.contains("Barnet har ingen besvarede spørgeskemaer endnu."));

        let received = ago(Duration::days(1));
        for attached in [annas.as_str(), "ikke-et-id"] {
            let mut form = gp_contact(&received);
            form.push(("screening_response_id", attached));
            let r = b.submit(&format!("{testa}/courses/new"), &form).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{attached}");
            let html = r.text();
            assert!(
                html.contains(r#"id="screening_response_id-error""#),
                "{html}"
            );
            assert!(
                html.contains("Den vedhæftede screening hører ikke til barnets spørgeskemaer.")
            );
            assert!(html.contains(r##"<a href="#screening_response_id">"##));
            assert!(
                html.contains(r#"value="3 måneder""#),
                "typed values are kept"
            );
        }

        app.db
            .store
            .read(async |tx| {
                assert!(
                    tx.courses_of_child(child_id(&testa))
                        .await
                        .unwrap()
                        .is_empty(),
                    "no course was opened"
                );
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();
    })
    .await;
}
