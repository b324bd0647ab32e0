//! Course measurements through HTTP and the schedule job: links sent when the track plan says,
//! never twice, answered through the respondent's pages, and reliable change from start to end.

mod support;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use samspor_domain::course::plan::MeasurePoint;
use samspor_domain::cpr::{Cpr, Sex};
use samspor_domain::i18n::Lang;
use samspor_domain::instrument::Catalogue;
use samspor_domain::organisation::Programme;
use samspor_store::accounts;
use samspor_store::courses::measurements::{self, LineState};
use samspor_store::courses::{Rules, local};
use samspor_store::questionnaires::DEFAULT_LINK_DAYS;
use samspor_store::service::Ctx;
use samspor_store::{MeasurementStatus, Store};
use serde_json::json;
use support::{Browser, TestApp, each_backend};
use uuid::Uuid;

const COORDINATOR: &str = "k@kbh.dk";
const ELSEWHERE: &str = "k@aarhus.dk";

/// The job's view of the rules: the shipped tracks and questionnaires, as `serve` has them.
struct Definitions {
    tracks: Vec<samspor_domain::course::tracks::Track>,
    signs: Vec<samspor_domain::course::support::SignRule>,
    catalogue: Catalogue,
}

impl Definitions {
    fn shipped() -> Self {
        Definitions {
            tracks: samspor_domain::course::tracks::shipped().unwrap(),
            signs: samspor_domain::course::support::shipped_signs().unwrap(),
            catalogue: Catalogue::shipped(),
        }
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            tracks: &self.tracks,
            signs: &self.signs,
            catalogue: &self.catalogue,
        }
    }
}

async fn send_due(store: &Store) -> usize {
    let d = Definitions::shipped();
    measurements::send_due(
        store,
        d.rules(),
        samspor_store::notifications::Sending::NONE,
        Utc::now(),
    )
    .await
    .unwrap()
}

/// Danish local time some days ago, as the API takes it.
fn days_ago(days: i64) -> String {
    (local(Utc::now()) - Duration::days(days))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Lets Copenhagen offer the worry and sadness track.
async fn offer(app: &TestApp, token: &str) {
    let me = app.get("/api/v1/me", token).await.json();
    let by = me["id"].as_str().unwrap().parse().unwrap();
    app.db
        .store
        .write(async |tx| {
            tx.set_participation(
                "0101",
                Programme::WorrySadness,
                NaiveDate::from_ymd_opt(2024, 1, 1),
                by,
                Utc::now(),
            )
            .await
            .unwrap();
            Ok::<_, samspor_store::StoreError>(())
        })
        .await
        .unwrap();
}

/// A 12-year-old with a guardian and a course opened by a GP contact three days ago; the
/// course's id.
async fn course(app: &TestApp, token: &str) -> Uuid {
    let born = local(Utc::now()).date() - Duration::days(12 * 365 + 100);
    let cpr = Cpr::synthetic(born, Sex::Female, 1).unwrap().to_string();
    let r = app
        .post(
            "/api/v1/children",
            token,
            json!({"cpr": cpr, "given_name": "Testa", "family_name": "Testesen",
                   "guardians": [{"name": "Mette Testesen", "relation": "mother", "custody": true}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let child = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/contacts",
            token,
            json!({"child_id": child, "source": "gp", "received_at": days_ago(3),
                   "reason": "Bekymrer sig meget og er trist", "referrer_name": "Lægehuset",
                   "themes": ["worry"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["course_id"].as_str().unwrap().parse().unwrap()
}

async fn decide_track(app: &TestApp, token: &str, course: Uuid) {
    let r = app
        .post(
            &format!("/api/v1/courses/{course}/decisions"),
            token,
            json!({"outcome": "track", "track": "worry_sadness"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

async fn encounter(app: &TestApp, token: &str, course: Uuid, kind: &str, days: i64) {
    let mut body = json!({"type": kind, "at": days_ago(days)});
    if kind == "behandling" {
        body["delivery"] = json!("individual");
        body["participants"] = json!("child_present");
    }
    let r = app
        .post(&format!("/api/v1/courses/{course}/encounters"), token, body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// The outbox link of one instrument at one point, as the page shows it (a path `/s/…`).
fn link_on_page(html: &str, instrument_title: &str, point: &str) -> Option<String> {
    html.split("<div class=\"field\">")
        .skip(1)
        .find_map(|block| {
            let label = &block[..block.find("</label>")?];
            if !(label.contains(instrument_title) && label.contains(point)) {
                return None;
            }
            let value = block.split("value=\"").nth(1)?;
            let url = &value[..value.find('"')?];
            Some(url[url.find("/s/")?..].to_string())
        })
}

/// Answers every SMFQ item with `value` through the respondent's pages and sends it.
async fn answer_smfq(app: &TestApp, path: &str, value: &str) {
    for (page, items) in [(0, 1..=5), (1, 6..=10), (2, 11..=13)] {
        let page = page.to_string();
        let go = if page == "2" { "submit" } else { "next" };
        let names: Vec<String> = items.map(|i| format!("q{i}")).collect();
        let mut fields = vec![("page", page.as_str()), ("go", go)];
        fields.extend(names.iter().map(|n| (n.as_str(), value)));
        let r = app.anon_form(path, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    assert_eq!(
        app.anon_get(path).await.status,
        StatusCode::NOT_FOUND,
        "a used link"
    );
}

async fn ctx_of(app: &TestApp, token: &str) -> Ctx {
    let user = accounts::user_by_api_token(&app.db.store, token)
        .await
        .unwrap()
        .unwrap();
    Ctx::new(user.actor, "test")
}

#[tokio::test]
async fn due_measurements_are_sent_once_and_show_reliable_change() {
    each_backend(|app| async move {
        let t = app.user_token(COORDINATOR, "coordinator", "0101").await;
        offer(&app, &t).await;
        let course = course(&app, &t).await;
        let page_path = format!("/courses/{course}/measurements");
        let d = Definitions::shipped();
        let title = |id: &str| d.catalogue.get(id).unwrap().title(Lang::Da).to_string();
        let smfq = title("smfq-child");

        // Before the track decision nothing is due and the course has no schedule.
        assert_eq!(send_due(&app.db.store).await, 0);
        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let r = b.get(&page_path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("ikke startet i et spor"), "{}", r.text());

        decide_track(&app, &t, course).await;
        let page = b.page(&page_path).await;
        assert_eq!(page.matches("Forfalden, ikke sendt").count(), 3, "{page}");
        let ctx = ctx_of(&app, &t).await;
        let today = local(Utc::now()).date();
        let due = measurements::due_for_therapist(&app.db.store, d.rules(), &ctx, today)
            .await
            .unwrap();
        assert_eq!(due.len(), 3);
        assert!(due.iter().all(|m| m.status == LineState::Due
            && m.point == MeasurePoint::Start
            && m.course_id == course
            && m.child_name == "Testa Testesen"));

        // The job sends the three start measurements, and only once.
        assert_eq!(send_due(&app.db.store).await, 3);
        assert_eq!(
            send_due(&app.db.store).await,
            0,
            "a second run sends nothing"
        );
        let sent = {
            app.db
                .store
                .read(async |tx| {
                    Ok::<_, samspor_store::StoreError>(
                        tx.course_measurements(course).await.unwrap(),
                    )
                })
                .await
                .unwrap()
        };
        assert_eq!(sent.len(), 3);
        assert!(sent.iter().all(|m| m.point == MeasurePoint::Start
            && m.status == MeasurementStatus::Sent
            && m.sent_by.is_none()
            && m.link_token.is_some()));
        let due = measurements::due_for_therapist(&app.db.store, d.rules(), &ctx, today)
            .await
            .unwrap();
        assert!(due.iter().all(|m| m.status == LineState::Sent), "{due:?}");

        let page = b.page(&page_path).await;
        assert_eq!(
            page.matches("Link oprettet, afventer svar").count(),
            3,
            "{page}"
        );
        assert!(
            !page.contains("Send forfaldne målinger nu"),
            "nothing left to send"
        );
        let start_link = link_on_page(&page, &smfq, "Start").expect("the SMFQ start link");
        assert_eq!(start_link.len(), "/s/".len() + 32);
        answer_smfq(&app, &start_link, "2").await;

        // Sessions held make nothing due on this plan; the closing talk makes the end due.
        encounter(&app, &t, course, "behandling", 2).await;
        assert_eq!(send_due(&app.db.store).await, 0);
        encounter(&app, &t, course, "afsluttende_samtale", 1).await;
        assert_eq!(send_due(&app.db.store).await, 3, "the end measurements");
        assert_eq!(send_due(&app.db.store).await, 0);

        let page = b.page(&page_path).await;
        assert!(
            link_on_page(&page, &smfq, "Start").is_none(),
            "an answered link is no longer offered"
        );
        let end_link = link_on_page(&page, &smfq, "Slut").expect("the SMFQ end link");
        assert!(page.contains("Ingen spørgeskemaer er endnu besvaret ved både start og slut"));
        answer_smfq(&app, &end_link, "0").await;

        let page = b.page(&page_path).await;
        // All 2s at start (13 × 2 = 26), all 0s at the end.
        let norm = d
            .catalogue
            .get("smfq-child")
            .unwrap()
            .change_norm("total")
            .unwrap();
        let s_diff = norm.sd * 2f64.sqrt() * (1.0 - norm.reliability).sqrt();
        let rci = format!("{:.2}", -26.0 / s_diff).replace('.', ",");
        let row = format!("<td>26</td><td>0</td><td>-26</td><td>{rci}</td>");
        assert!(page.contains(&row), "{row} in {page}");
        let verdict = &page[page.find(&row).unwrap()..];
        let verdict = &verdict[..verdict.find("</tr>").unwrap()];
        assert!(verdict.contains("band-close_to_average") && verdict.contains("Pålidelig bedring"));
        assert!(
            verdict.contains("foreløbige normer"),
            "the norms are provisional"
        );

        app.db
            .store
            .read(async |tx| {
                let all = tx.course_measurements(course).await.unwrap();
                let answered: Vec<_> = all
                    .iter()
                    .filter(|m| m.status == MeasurementStatus::Answered)
                    .collect();
                assert_eq!(answered.len(), 2);
                assert!(
                    answered
                        .iter()
                        .all(|m| m.link_token.is_none() && m.response_id.is_some()),
                    "an answered link is not kept"
                );
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_button_sends_once_and_strangers_see_nothing() {
    each_backend(|app| async move {
        let t = app.user_token(COORDINATOR, "coordinator", "0101").await;
        app.user_token(ELSEWHERE, "coordinator", "0751").await;
        offer(&app, &t).await;
        let course = course(&app, &t).await;
        decide_track(&app, &t, course).await;
        let page_path = format!("/courses/{course}/measurements");
        let send_path = format!("{page_path}/send");

        // Someone in another organisation: 404 for the page and the button, nothing written.
        let mut stranger = Browser::logged_in(&app, ELSEWHERE).await;
        let before = app.audit_count().await;
        assert_eq!(stranger.get(&page_path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            stranger.submit(&send_path, &[]).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.audit_count().await,
            before,
            "refused requests write nothing"
        );
        app.db
            .store
            .read(async |tx| {
                assert!(tx.course_measurements(course).await.unwrap().is_empty());
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();

        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let page = b.page(&page_path).await;
        assert!(page.contains("Send forfaldne målinger nu"));
        // Without the session's CSRF token the button does nothing.
        let forged = b.post(&send_path, &[("csrf", "forged")]).await;
        assert_ne!(forged.status, StatusCode::SEE_OTHER);
        let r = b.submit(&send_path, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), format!("{page_path}?sent=3"));
        let page = b.page(&r.header("location")).await;
        assert!(page.contains("Der er oprettet 3 links."), "{page}");
        assert_eq!(page.matches("/s/").count(), 3, "three links to hand over");
        let again = b.submit(&send_path, &[]).await;
        assert_eq!(again.header("location"), format!("{page_path}?sent=0"));
        assert_eq!(send_due(&app.db.store).await, 0, "the job finds them sent");

        let (sent, _child, _invitations) = app
            .db
            .store
            .read(async |tx| {
                let sent = tx.course_measurements(course).await.unwrap();
                assert_eq!(sent.len(), 3);
                assert!(sent.iter().all(|m| m.sent_by.is_some()), "sent by a person");
                let child = tx.course(course).await.unwrap().unwrap().child_id;
                let invitations = tx.invitations_of_child(child).await.unwrap();
                assert_eq!(invitations.len(), 3);
                Ok::<_, samspor_store::StoreError>((sent, child, invitations))
            })
            .await
            .unwrap();

        // A revoked link leaves the outbox and its stored link is cleared.
        let revoked = sent[0].invitation_id;
        let r = b
            .submit(&format!("/invitations/{revoked}/revoke"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = b.page(&page_path).await;
        assert_eq!(page.matches("/s/").count(), 2, "{page}");
        assert!(page.contains("Tilbagekaldt"));
        // Links nobody answered expire; the job then clears them too.
        let d = Definitions::shipped();
        let later = Utc::now() + Duration::days(DEFAULT_LINK_DAYS + 1);
        measurements::send_due(
            &app.db.store,
            d.rules(),
            samspor_store::notifications::Sending::NONE,
            later,
        )
        .await
        .unwrap();
        app.db
            .store
            .read(async |tx| {
                let after = tx.course_measurements(course).await.unwrap();
                let statuses: Vec<_> = after.iter().map(|m| m.status).collect();
                assert_eq!(
                    statuses
                        .iter()
                        .filter(|s| **s == MeasurementStatus::Revoked)
                        .count(),
                    1
                );
                assert_eq!(
                    statuses
                        .iter()
                        .filter(|s| **s == MeasurementStatus::Expired)
                        .count(),
                    2
                );
                assert!(
                    after.iter().all(|m| m.link_token.is_none()),
                    "no stored links left"
                );
                Ok::<_, samspor_store::StoreError>(())
            })
            .await
            .unwrap();
    })
    .await;
}

/// A course registered by mistake: the job sends nothing more on it and withdraws the links
/// still open (revoked, audited, the stored link cleared), and the page offers none of them.
#[tokio::test]
async fn links_of_a_course_entered_in_error_are_withdrawn() {
    each_backend(|app| async move {
        let t = app.user_token(COORDINATOR, "coordinator", "0101").await;
        offer(&app, &t).await;
        let course = course(&app, &t).await;
        decide_track(&app, &t, course).await;
        assert_eq!(send_due(&app.db.store).await, 3);
        let page_path = format!("/courses/{course}/measurements");
        let mut b = Browser::logged_in(&app, COORDINATOR).await;
        let page = b.page(&page_path).await;
        let d = Definitions::shipped();
        let smfq = d
            .catalogue
            .get("smfq-child")
            .unwrap()
            .title(Lang::Da)
            .to_string();
        let link = link_on_page(&page, &smfq, "Start").expect("the SMFQ start link");

        let r = app.get(&format!("/api/v1/courses/{course}"), &t).await;
        let v = r.json()["version"].as_i64().unwrap().to_string();
        let r = b
            .submit(
                &format!("/courses/{course}/entered-in-error"),
                &[("version", &v), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = b.page(&page_path).await;
        assert_eq!(
            page.matches("/s/").count(),
            0,
            "nothing to hand over: {page}"
        );

        // Before the job runs, the link still opens; the job withdraws it.
        assert_eq!(app.anon_get(&link).await.status, StatusCode::OK);
        let before = app.audit_count().await;
        assert_eq!(send_due(&app.db.store).await, 0);
        assert_eq!(
            app.audit_count().await,
            before + 3,
            "each revocation audited"
        );
        assert_eq!(app.anon_get(&link).await.status, StatusCode::NOT_FOUND);
        let (_after, _child, _invitations) = app
            .db
            .store
            .read(async |tx| {
                let after = tx.course_measurements(course).await.unwrap();
                assert_eq!(after.len(), 3);
                assert!(
                    after
                        .iter()
                        .all(|m| m.status == MeasurementStatus::Revoked && m.link_token.is_none()),
                    "{after:?}"
                );
                let child = tx.course(course).await.unwrap().unwrap().child_id;
                let invitations = tx.invitations_of_child(child).await.unwrap();
                assert!(
                    invitations
                        .iter()
                        .all(|i| i.status == samspor_store::InvitationStatus::Revoked)
                );
                Ok::<_, samspor_store::StoreError>((after, child, invitations))
            })
            .await
            .unwrap();
        // A second run has nothing left to do.
        let before = app.audit_count().await;
        assert_eq!(send_due(&app.db.store).await, 0);
        assert_eq!(app.audit_count().await, before);
    })
    .await;
}

/// The therapist's front page lists the measurements outstanding on their own courses only.
#[tokio::test]
async fn the_front_page_shows_what_is_due_on_my_courses() {
    each_backend(|app| async move {
        let t = app.user_token(COORDINATOR, "coordinator", "0101").await;
        offer(&app, &t).await;
        let course = course(&app, &t).await;
        decide_track(&app, &t, course).await;
        let smfq = Definitions::shipped()
            .catalogue
            .get("smfq-child")
            .unwrap()
            .title(Lang::Da)
            .to_string();
        let mut b = Browser::logged_in(&app, COORDINATOR).await;

        // Nobody's course yet: nothing on the front page, though three are due.
        let home = b.page("/").await;
        assert!(!home.contains(&smfq), "{home}");

        let me = app.get("/api/v1/me", &t).await.json();
        let version = app
            .get(&format!("/api/v1/courses/{course}"), &t)
            .await
            .json()["version"]
            .clone();
        let r = app
            .post(
                &format!("/api/v1/courses/{course}/therapist"),
                &t,
                json!({"therapist_id": me["id"], "version": version}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        let home = b.page("/").await;
        let section = home
            .split("id=\"measurements-due-h\"")
            .nth(1)
            .expect("the measurements section is shown");
        let section = section.split("</section>").next().unwrap();
        assert_eq!(section.matches("Testa Testesen").count(), 3, "{section}");
        assert!(section.contains(&smfq), "{section}");
        assert!(
            section.contains(&format!("/courses/{course}/measurements")),
            "{section}"
        );
    })
    .await;
}
