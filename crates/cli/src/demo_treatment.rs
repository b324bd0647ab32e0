//! Demo treatment: in every demo municipality, for each STIME track it offers, a course in
//! treatment (sessions held, the next one booked today) and a closed course; for the first
//! track also courses closed because the family dropped out and because it moved. Between them
//! they show a journal correction, an encounter entered in error, a referral during treatment,
//! follow-up talks (one due within days, one held) and the GP messages with their consent.
//!
//! Everything goes through the services staff use, with dates counted back from today, so the
//! rules hold (no session in the future or after the closing, no closing with sessions left
//! open) and the audit log records it as any other work.

use crate::demo::People;
use crate::demo_courses::MunicipalityDemo;
use anyhow::Context;
use chrono::{Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use samspor_domain::course::closing::ClosingInput;
use samspor_domain::course::contact::ContactInput;
use samspor_domain::course::encounter::{Delivery, EncounterInput, EncounterType, Participants};
use samspor_domain::course::plan::Participants as Who;
use samspor_domain::course::tracks::{Track, find};
use samspor_domain::course::visitation::DecisionInput;
use samspor_domain::organisation::Programme;
use samspor_store::courses::treatment::{self, CloseRequest, SessionInput};
use samspor_store::courses::{self, NewContact, NewDecision, Rules, local};
use samspor_store::service::Ctx;
use samspor_store::{Child, CourseRecord, Store};
use uuid::Uuid;

/// How a demo course stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Sessions held, the next one booked today; with `showcase` also a journal correction,
    /// an encounter entered in error and a referral during treatment.
    InTreatment { showcase: bool },
    /// Completed so that the follow-up talk falls due within the coming week.
    CompletedFollowUpDue,
    /// Completed two months ago; the follow-up talk lies ahead.
    Completed,
    /// Closed recently because the family stopped coming; consent to inform the GP not given.
    DroppedOut,
    /// Closed four months ago because the family moved; the follow-up talk has been held.
    MovedFollowUpHeld,
}

/// The courses of one track: the first track offered gets every state.
fn states(first: bool) -> Vec<State> {
    if first {
        vec![
            State::InTreatment { showcase: true },
            State::CompletedFollowUpDue,
            State::DroppedOut,
            State::MovedFollowUpHeld,
        ]
    } else {
        vec![State::InTreatment { showcase: false }, State::Completed]
    }
}

/// Restlessness is run as a parent group; the group demo needs free children of its ages, so
/// this demo takes from them only when plenty are left.
const LEAVE_FOR_GROUPS: usize = 4;

fn at(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
}

/// The context at the moment of the call, as a request would have it.
fn now(ctx: &Ctx) -> Ctx {
    let mut c = ctx.clone();
    c.now = Utc::now();
    c
}

/// When the course's events happen: contact, sessions, closing.
struct Dates {
    received: NaiveDate,
    end: Option<NaiveDate>,
}

fn dates(state: State, today: NaiveDate) -> Dates {
    let back = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today);
    let months_back = |d: NaiveDate, m: u32| d.checked_sub_months(Months::new(m)).unwrap_or(d);
    let end = match state {
        State::InTreatment { .. } => None,
        // Three months after the end is three days from now.
        State::CompletedFollowUpDue => Some(months_back(today + Days::new(3), 3)),
        State::Completed => Some(months_back(today, 2)),
        State::DroppedOut => Some(back(20)),
        State::MovedFollowUpHeld => Some(months_back(today, 4)),
    };
    let received = match end {
        Some(end) => end.checked_sub_days(Days::new(70)).unwrap_or(end),
        None => back(45),
    };
    Dates { received, end }
}

/// KL participants and who came, as the planned session's participants have it.
fn attendance(who: Who) -> (Participants, Vec<String>) {
    match who {
        Who::Child => (Participants::ChildPresent, vec!["child".into()]),
        Who::Parents => (
            Participants::CaregiversOnly,
            vec!["mother".into(), "father".into()],
        ),
        Who::ChildAndParents => (
            Participants::ChildPresent,
            vec!["child".into(), "mother".into()],
        ),
    }
}

const NOTES: [&str; 4] = [
    "Gennemgik modulet. {navn} deltog aktivt og fortalte selv om, hvornår det er svært. Hjemmeopgave aftalt.",
    "Hjemmeopgaven var lavet. Vi øvede de nye strategier i rollespil; forældrene bakker op derhjemme.",
    "God stemning. Familien oplever små fremskridt i hverdagen; næste gang følger vi op på skolen.",
    "Talte om tilbagefald og hvad familien gør, hvis det bliver svært igen.",
];

struct Clinic<'a> {
    store: &'a Store,
    rules: Rules<'a>,
    demo: &'a MunicipalityDemo,
    today: NaiveDate,
    /// The visitation meeting that decided the tracks.
    meeting: Option<Uuid>,
}

impl Clinic<'_> {
    /// Where a demo family moves: a municipality other than this one.
    fn neighbour(&self) -> &'static str {
        let here = self.demo.municipality.code;
        samspor_domain::geo::municipalities()
            .iter()
            .map(|m| m.code)
            .find(|c| *c != here)
            .unwrap_or("0147")
    }

    /// Opens the course, holds the first conversation and the screening, decides the track.
    async fn start(
        &self,
        child: &Child,
        track: &Track,
        received: NaiveDate,
        consent: &str,
    ) -> anyhow::Result<CourseRecord> {
        let (coordinator, therapist) = (&self.demo.coordinator, &self.demo.therapist);
        let given = &child.data.given_name;
        let theme = match track.id {
            Programme::Restlessness => "restlessness_inattention",
            Programme::BodyFood => "body_food",
            Programme::SelfHarm => "self_harm",
            Programme::RepeatedThoughts => "obsessive_compulsive",
            _ => "worry",
        };
        let mut course = courses::create_contact(
            self.store,
            &now(coordinator),
            &NewContact {
                child_id: child.id,
                received_at: Some(at(received, 9, 15)),
                contact: ContactInput {
                    source: Some("gp".into()),
                    reason: Some(format!(
                        "Egen læge henviser {given}, som gennem flere måneder har haft det svært \
                         i hverdagen ({}).",
                        track.name_da.to_lowercase()
                    )),
                    duration: Some("Ca. et halvt år".into()),
                    tried: Some("Samtaler med sundhedsplejersken".into()),
                    consent: Some(consent.into()),
                    referrer_name: Some("Lægehuset ved Torvet".into()),
                    referrer_contact: None,
                    family_contact: child.data.guardians.first().map(|g| g.name.clone()),
                    psychiatry_reason: None,
                    psychiatry_recommendation: None,
                },
                themes: vec![theme.into()],
                screening_response_id: None,
            },
        )
        .await
        .context("registering a demo treatment contact")?;
        for (kind, after) in [
            (EncounterType::Forsamtale, 4),
            (EncounterType::Screening, 11),
        ] {
            let input = EncounterInput {
                kind,
                at: at(received + Days::new(after), 10, 0),
                delivery: None,
                participants: None,
            };
            (course, _) =
                courses::add_encounter(self.store, &now(therapist), course.id, None, &input)
                    .await
                    .with_context(|| format!("adding the {}", kind.as_str()))?;
        }
        let decided = courses::decide(
            self.store,
            &now(coordinator),
            course.id,
            &NewDecision {
                input: DecisionInput {
                    outcome: Some("track".into()),
                    track: Some(track.id.as_str().into()),
                    way: None,
                    reason_despite_signs: None,
                },
                meeting_id: self.meeting,
                expected_version: None,
                ticked: Vec::new(),
            },
            self.rules,
        )
        .await
        .with_context(|| format!("deciding the {} track", track.id.as_str()))?;
        Ok(decided.course)
    }

    /// Holds planned session `number` on `day`.
    async fn hold(
        &self,
        course: Uuid,
        track: &Track,
        number: u32,
        day: NaiveDate,
        child: &Child,
    ) -> anyhow::Result<Uuid> {
        let planned = track
            .plan
            .sessions
            .iter()
            .find(|s| s.number == number)
            .context("a planned session of the track")?;
        let (participants, attendance) = attendance(planned.participants);
        let delivery = if track.id == Programme::Restlessness {
            Delivery::Group
        } else {
            Delivery::Individual
        };
        let note =
            NOTES[(number as usize - 1) % NOTES.len()].replace("{navn}", &child.data.given_name);
        let r = treatment::record_session(
            self.store,
            &now(&self.demo.therapist),
            course,
            None,
            &SessionInput {
                at: Some(at(day, 14, 0)),
                delivery: Some(delivery),
                participants: Some(participants),
                planned_number: Some(number),
                module: None,
                attendance,
                note: Some(note),
            },
        )
        .await
        .with_context(|| format!("holding session {number}"))?;
        Ok(r.encounter.id)
    }

    async fn cancel_rest(
        &self,
        course: Uuid,
        track: &Track,
        from: u32,
        why: &str,
    ) -> anyhow::Result<()> {
        for s in track.plan.sessions.iter().filter(|s| s.number >= from) {
            treatment::cancel_session(
                self.store,
                &now(&self.demo.therapist),
                course,
                None,
                s.number,
                Some(why),
            )
            .await
            .with_context(|| format!("cancelling session {}", s.number))?;
        }
        Ok(())
    }

    async fn play(&self, state: State, child: &Child, track: &Track) -> anyhow::Result<()> {
        let d = dates(state, self.today);
        let consent = if state == State::DroppedOut {
            "not_given"
        } else {
            "given"
        };
        let course = self.start(child, track, d.received, consent).await?.id;
        let therapist = &self.demo.therapist;
        let count = track.plan.sessions.len() as u32;
        let weekly = |n: u32| d.received + Days::new(18 + 7 * u64::from(n - 1));
        match state {
            State::InTreatment { showcase } => {
                for n in 1..=2.min(count) {
                    self.hold(course, track, n, weekly(n), child).await?;
                }
                if count >= 3 {
                    treatment::book_session(
                        self.store,
                        &now(therapist),
                        course,
                        None,
                        3,
                        Some(at(self.today, 15, 0)),
                    )
                    .await
                    .context("booking today's session")?;
                }
                if showcase {
                    self.showcase(course, weekly(2)).await?;
                }
            }
            _ => {
                let end = d.end.unwrap_or(self.today);
                let held = match state {
                    State::DroppedOut => 1,
                    State::MovedFollowUpHeld => 2,
                    _ => count,
                };
                for n in 1..=held.min(count) {
                    self.hold(course, track, n, weekly(n), child).await?;
                }
                let (reason, note, why, summary) = match state {
                    State::DroppedOut => (
                        "dropped_out",
                        None,
                        "Familien er udeblevet to gange og ønsker ikke at fortsætte",
                        "Familien stoppede efter første session.",
                    ),
                    State::MovedFollowUpHeld => (
                        "moved",
                        Some("Familien er flyttet til en anden kommune"),
                        "Familien er flyttet",
                        "To sessioner gennemført før flytningen; den nye kommune er orienteret.",
                    ),
                    _ => (
                        "completed",
                        None,
                        "",
                        "Forløbet er gennemført. Barnet og forældrene bruger strategierne i \
                         hverdagen, og skolefraværet er faldet.",
                    ),
                };
                if held < count {
                    self.cancel_rest(course, track, held + 1, why).await?;
                }
                let talk = (state != State::DroppedOut).then(|| at(end, 9, 0));
                treatment::close(
                    self.store,
                    &now(therapist),
                    course,
                    None,
                    &CloseRequest {
                        closing_talk_at: talk,
                        at: Some(at(end, 10, 0)),
                        closing: ClosingInput {
                            reason: Some(reason.into()),
                            note: note.map(Into::into),
                            summary: Some(summary.into()),
                            moved_to: (reason == "moved").then(|| self.neighbour().into()),
                        },
                    },
                    self.rules.tracks,
                )
                .await
                .context("closing the demo course")?;
                if state == State::MovedFollowUpHeld {
                    let held_on = end
                        .checked_add_months(Months::new(3))
                        .unwrap_or(end)
                        .min(self.today - Days::new(10))
                        .max(end);
                    treatment::hold_follow_up(
                        self.store,
                        &now(therapist),
                        course,
                        None,
                        Some(at(held_on, 13, 0)),
                        Some("Opfølgning pr. telefon: det går fint i den nye skole."),
                    )
                    .await
                    .context("holding the follow-up talk")?;
                }
            }
        }
        Ok(())
    }

    /// A journal correction, a session entered in error and a referral during treatment.
    async fn showcase(&self, course: Uuid, last: NaiveDate) -> anyhow::Result<()> {
        let therapist = &self.demo.therapist;
        let (_, entry) = treatment::add_journal_entry(
            self.store,
            &now(therapist),
            course,
            None,
            Some("Mor oplyser, at skolen er orienteret om forløbet."),
            None,
        )
        .await
        .context("writing a journal entry")?;
        treatment::add_journal_entry(
            self.store,
            &now(therapist),
            course,
            None,
            Some("Rettelse: det er far, der har orienteret skolen; mor kontakter selv klasselæreren."),
            Some(entry.id),
        )
        .await
        .context("correcting the journal entry")?;
        let extra = treatment::record_session(
            self.store,
            &now(therapist),
            course,
            None,
            &SessionInput {
                at: Some(at(last + Days::new(1), 11, 0)),
                delivery: Some(Delivery::Individual),
                participants: Some(Participants::CaregiversOnly),
                planned_number: None,
                module: Some("Ekstra forældresamtale".into()),
                attendance: vec!["mother".into()],
                note: None,
            },
        )
        .await
        .context("recording the session later found to be a mistake")?;
        treatment::mark_encounter_in_error(
            self.store,
            &now(therapist),
            course,
            None,
            extra.encounter.id,
            Some("Registreret på det forkerte forløb"),
        )
        .await
        .context("marking the session entered in error")?;
        treatment::add_referral(
            self.store,
            &now(therapist),
            course,
            None,
            Some("civil_society"),
            Some("Familien er vejledt til en forældregruppe i en frivillig forening, ved siden af forløbet."),
            Some(courses::instant_of_local(at(last + Days::new(2), 12, 0))),
        )
        .await
        .context("adding a referral during treatment")?;
        Ok(())
    }
}

/// Adds the treatment demo records of one municipality; returns how many courses it made.
pub(crate) async fn seed(
    store: &Store,
    rules: Rules<'_>,
    _people: &mut People,
    demo: &MunicipalityDemo,
    _request_id: &str,
) -> anyhow::Result<usize> {
    let code = demo.municipality.code;
    let offered: Vec<Programme> = {
        let p = store
            .read(async |tx| tx.participation(Some(code)).await)
            .await?;
        p.into_iter()
            .map(|p| p.programme)
            .filter(|p| *p != Programme::Kit)
            .collect()
    };
    let today = local(Utc::now()).date();
    // Children with no course yet, so the other demo courses stay as they are.
    let mut free = Vec::new();
    for c in &demo.children {
        if courses::courses_of_child(store, &now(&demo.coordinator), c.child.id)
            .await?
            .is_empty()
        {
            free.push(&c.child);
        }
    }
    let meeting = if free.is_empty() || offered.is_empty() {
        None
    } else {
        let m = courses::create_meeting(
            store,
            &now(&demo.coordinator),
            Some(today),
            Some("Koordinator og to STIME-behandlere"),
        )
        .await
        .context("opening the treatment demo's visitation meeting")?;
        Some(m.id)
    };
    let clinic = Clinic {
        store,
        rules,
        demo,
        today,
        meeting,
    };
    // The track every municipality offers gets every state; the others follow.
    let mut tracks: Vec<&Track> = offered
        .iter()
        .filter_map(|p| find(rules.tracks, *p))
        .collect();
    tracks.sort_by_key(|t| (t.id != Programme::WorrySadness, t.number));
    let mut made = 0;
    for (i, track) in tracks.into_iter().enumerate() {
        for state in states(i == 0) {
            let fits = |c: &&Child| track.ages.contains(c.data.cpr.age_on(today));
            let available = free.iter().filter(|c| fits(c)).count();
            let keep = if track.id == Programme::Restlessness {
                LEAVE_FOR_GROUPS
            } else {
                0
            };
            let Some(pos) = free.iter().position(fits).filter(|_| available > keep) else {
                tracing::info!(
                    track = track.id.as_str(),
                    "no free demo child fits; course left out"
                );
                continue;
            };
            let child = free.remove(pos);
            clinic
                .play(state, child, track)
                .await
                .with_context(|| format!("demo {} course ({state:?})", track.id.as_str()))?;
            made += 1;
        }
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoOptions, seed as seed_demo};
    use samspor_domain::course::careplan::CourseStatus;
    use samspor_domain::course::closing::{ClosingReason, follow_up_shown};
    use samspor_store::testing::{TestDb, backends};
    use samspor_store::{EncounterStatus, GpMessageKind, PlannedStatus};
    use std::collections::HashSet;

    #[test]
    fn the_dates_keep_every_event_between_the_contact_and_today() {
        let today = NaiveDate::from_ymd_opt(2026, 5, 31).unwrap();
        for state in states(true).into_iter().chain(states(false)) {
            let d = dates(state, today);
            assert!(d.received < today, "{state:?}");
            // The last planned session of the longest plan (6) comes before the end.
            let last = d.received + Days::new(18 + 7 * 5);
            match d.end {
                Some(end) => {
                    assert!(last <= end && end < today, "{state:?}");
                }
                // Two sessions, then the showcase two days after the second.
                None => assert!(d.received + Days::new(18 + 7 + 2) < today, "{state:?}"),
            }
        }
        let due = dates(State::CompletedFollowUpDue, today).end.unwrap() + Months::new(3);
        assert!(follow_up_shown(due, today) && due >= today);
    }

    /// The demo (both backends) shows every treatment state in every track offered.
    #[tokio::test]
    async fn the_demo_shows_treatment_in_every_offered_track_and_state() {
        for backend in backends() {
            let db = TestDb::new(backend).await;
            let options = DemoOptions {
                seed: 7,
                municipalities: 2,
                children: 40,
            };
            seed_demo(&db.store, &options).await.expect("demo");
            let today = local(Utc::now()).date();
            db.store
                .read(async |tx| {
                    for code in ["0101", "0751"] {
                        let org = tx.organisation_by_code(code).await.unwrap().unwrap();
                        let offered: HashSet<Programme> = tx
                            .participation(Some(code))
                            .await
                            .unwrap()
                            .into_iter()
                            .map(|p| p.programme)
                            .filter(|p| *p != Programme::Kit)
                            .collect();
                        let (mut active, mut closed) = (HashSet::new(), HashSet::new());
                        let mut reasons = HashSet::new();
                        let (mut booked_today, mut corrections, mut in_error, mut referrals) =
                            (0, 0, 0, 0);
                        let (mut due, mut held, mut gp_end, mut consent_missing) = (0, 0, 0, 0);
                        for s in tx.courses_of_org(org.id, None).await.unwrap() {
                            let c = &s.course;
                            let Some(track) = c.track else { continue };
                            let t = tx.course_treatment(c.id).await.unwrap();
                            let planned = tx.planned_sessions(c.id).await.unwrap();
                            match c.status {
                                CourseStatus::Active => {
                                    if planned.iter().any(|p| p.status == PlannedStatus::Held) {
                                        active.insert(track);
                                    }
                                }
                                CourseStatus::Completed => {
                                    closed.insert(track);
                                    reasons.insert(t.closing_reason.unwrap());
                                    assert!(
                                        planned.iter().all(|p| p.status != PlannedStatus::Planned),
                                        "{code}: no planned session left on a closed course"
                                    );
                                    let f = tx.follow_up(c.id).await.unwrap().expect("follow-up");
                                    match f.held_at {
                                        Some(_) => held += 1,
                                        None if follow_up_shown(f.due_on, today) => due += 1,
                                        None => {}
                                    }
                                }
                                CourseStatus::EnteredInError => {}
                            }
                            booked_today += planned
                                .iter()
                                .filter(|p| p.planned_at.is_some_and(|a| a.date() == today))
                                .count();
                            corrections += tx
                                .journal(c.id)
                                .await
                                .unwrap()
                                .iter()
                                .filter(|j| j.corrects_id.is_some())
                                .count();
                            in_error += tx
                                .encounters(c.id)
                                .await
                                .unwrap()
                                .iter()
                                .filter(|e| e.status == EncounterStatus::EnteredInError)
                                .count();
                            referrals += tx
                                .referrals(c.id)
                                .await
                                .unwrap()
                                .iter()
                                .filter(|r| r.decision_id.is_none())
                                .count();
                            for m in tx.gp_messages(c.id).await.unwrap() {
                                gp_end += usize::from(m.kind == GpMessageKind::End);
                                consent_missing += usize::from(m.consent.as_str() != "given");
                            }
                        }
                        // Restlessness gives its free children to the group demo when few are left.
                        let expected: HashSet<Programme> = offered
                            .iter()
                            .copied()
                            .filter(|p| *p != Programme::Restlessness)
                            .collect();
                        assert!(expected.is_subset(&active), "{code}: {active:?}");
                        assert!(expected.is_subset(&closed), "{code}: {closed:?}");
                        for r in [
                            ClosingReason::Completed,
                            ClosingReason::DroppedOut,
                            ClosingReason::Moved,
                        ] {
                            assert!(reasons.contains(&r), "{code}: {r:?}");
                        }
                        assert!(booked_today >= 1, "{code}");
                        assert!(
                            corrections >= 1 && in_error >= 1 && referrals >= 1,
                            "{code}"
                        );
                        assert!(
                            due >= 1 && held >= 1,
                            "{code}: follow-ups due {due}, held {held}"
                        );
                        assert!(gp_end >= 3 && consent_missing >= 1, "{code}");
                    }
                    Ok::<_, samspor_store::StoreError>(())
                })
                .await
                .unwrap();
            let report = db.store.verify_audit().await.unwrap();
            assert!(report.result.is_ok());
        }
    }
}
