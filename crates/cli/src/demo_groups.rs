//! Demo parent groups and learning-environment guidance: in every demo municipality that offers
//! the restlessness track (run as a parent group course), up to four courses of demo children
//! that started the track, one group holding them, three group sessions with varied attendance, and two
//! guidance sessions with the children's schools.
//!
//! Like the demo courses, everything goes through the services staff use, with dates counted
//! back from today, so the rules hold (no session in the future, a Behandling per attending
//! family) and the audit log records it as any other work.

use crate::demo::People;
use crate::demo_courses::MunicipalityDemo;
use anyhow::Context;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use samspor_domain::course::contact::ContactInput;
use samspor_domain::course::encounter::{EncounterInput, EncounterType, Participants};
use samspor_domain::course::tracks::find;
use samspor_domain::course::visitation::DecisionInput;
use samspor_domain::organisation::Programme;
use samspor_store::Store;
use samspor_store::courses::groups::{self, AttendanceInput, NewGroup, NewGuidance, NewSession};
use samspor_store::courses::{self, NewContact, NewDecision, Rules, local};
use samspor_store::service::Ctx;

/// Invented schools, for demo children whose record names none.
const SCHOOLS: [&str; 4] = [
    "Lindeskolen",
    "Søndre Skole",
    "Bakkehusets Skole",
    "Engparkens Skole",
];

/// Who came to each of the three sessions, per member: `None` absent, else who took part.
const ATTENDANCE: [[Option<Participants>; 4]; 3] = {
    use Participants::{CaregiversOnly as P, ChildPresent as C};
    [
        [Some(P), Some(P), Some(P), Some(P)],
        [Some(P), None, Some(C), Some(P)],
        [Some(P), Some(P), None, Some(C)],
    ]
};

/// Days ago, at a time of day.
fn ago(today: NaiveDate, days: u64, hour: u32) -> NaiveDateTime {
    today
        .checked_sub_days(Days::new(days))
        .unwrap_or(today)
        .and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN))
}

/// The context at the moment of the call, as a request would have it.
fn now(ctx: &Ctx) -> Ctx {
    let mut c = ctx.clone();
    c.now = Utc::now();
    c
}

/// Adds the groups demo records of one municipality; returns how many courses it made.
pub(crate) async fn seed(
    store: &Store,
    rules: Rules<'_>,
    _people: &mut People,
    demo: &MunicipalityDemo,
    _request_id: &str,
) -> anyhow::Result<usize> {
    let code = demo.municipality.code;
    let offered = {
        let p = store
            .read(async |tx| tx.participation(Some(code)).await)
            .await?;
        p.iter().any(|p| p.programme == Programme::Restlessness)
    };
    if !offered || !groups::is_group_track(rules.tracks, Programme::Restlessness) {
        return Ok(0);
    }
    let today = local(Utc::now()).date();
    let (coordinator, therapist) = (&demo.coordinator, &demo.therapist);

    // Up to four families whose courses started the track at the same visitation: demo children
    // of the track's ages who have no course yet, so the other demo courses stay as they are.
    let Some(track) = find(rules.tracks, Programme::Restlessness) else {
        return Ok(0);
    };
    let mut chosen = Vec::new();
    for c in &demo.children {
        if chosen.len() == SCHOOLS.len() {
            break;
        }
        if !track.ages.contains(c.child.data.cpr.age_on(today))
            || !courses::courses_of_child(store, &now(coordinator), c.child.id)
                .await?
                .is_empty()
        {
            continue;
        }
        chosen.push(&c.child);
    }
    // A group of one is no group.
    if chosen.len() < 2 {
        return Ok(0);
    }
    let mut members = Vec::new();
    for (i, (child, school)) in chosen.into_iter().zip(SCHOOLS).enumerate() {
        let given = &child.data.given_name;
        let school = child.data.school.as_deref().unwrap_or(school);
        let family_contact = child.data.guardians.first().map(|g| g.name.clone());
        let offset = i as u64;
        let mut course = courses::create_contact(
            store,
            &now(coordinator),
            &NewContact {
                child_id: child.id,
                received_at: Some(ago(today, 70 + offset, 9)),
                contact: ContactInput {
                    source: Some("school".into()),
                    reason: Some(format!(
                        "{given} har svært ved at sidde stille og koncentrere sig i timerne og \
                         kommer ofte i konflikt i frikvartererne."
                    )),
                    duration: Some("Siden skolestart".into()),
                    tried: Some("Fast plads og pauser i timerne".into()),
                    consent: Some("given".into()),
                    referrer_name: Some(format!("Klasselærer, {school}")),
                    referrer_contact: None,
                    family_contact,
                    psychiatry_reason: None,
                    psychiatry_recommendation: None,
                },
                themes: vec!["restlessness_inattention".into()],
                screening_response_id: None,
            },
        )
        .await
        .context("registering a demo group contact")?;
        for (kind, days) in [
            (EncounterType::Forsamtale, 62 + offset),
            (EncounterType::Screening, 55 + offset),
        ] {
            let input = EncounterInput {
                kind,
                at: ago(today, days, 10),
                delivery: None,
                participants: None,
            };
            (course, _) = courses::add_encounter(
                store,
                &now(therapist),
                course.id,
                Some(course.version),
                &input,
            )
            .await
            .with_context(|| format!("adding the {}", kind.as_str()))?;
        }
        courses::decide(
            store,
            &now(coordinator),
            course.id,
            &NewDecision {
                input: DecisionInput {
                    outcome: Some("track".into()),
                    track: Some(Programme::Restlessness.as_str().into()),
                    way: None,
                    reason_despite_signs: None,
                },
                meeting_id: None,
                expected_version: Some(course.version),
                ticked: Vec::new(),
            },
            rules,
        )
        .await
        .context("deciding the restlessness track")?;
        members.push((course.id, school.to_string()));
    }

    let group = groups::create_group(
        store,
        &now(therapist),
        rules.tracks,
        &NewGroup {
            name: Some(format!("Forældregruppe, {}", demo.municipality.name)),
            track: Some(Programme::Restlessness.as_str().into()),
            starts_on: today.checked_sub_days(Days::new(30)),
            leader_id: Some(therapist.actor.user_id),
        },
    )
    .await
    .context("creating the demo group")?;
    for (course_id, _) in &members {
        groups::add_member(store, &now(therapist), group.id, Some(*course_id))
            .await
            .context("adding a demo group member")?;
    }
    for (n, who) in ATTENDANCE.iter().enumerate() {
        let number = n as u32 + 1;
        groups::record_session(
            store,
            &now(therapist),
            group.id,
            rules.tracks,
            &NewSession {
                at: Some(ago(today, 28 - 7 * u64::from(number - 1), 17)),
                module: Some(number),
                note: Some(
                    match number {
                        1 => {
                            "Introduktion: hvad er uro og opmærksomhedsvanskeligheder; \
                              forældrenes egne mål for forløbet."
                        }
                        2 => {
                            "Positiv opmærksomhed og ros; hjemmeopgave: ti minutters \
                              legetid om dagen."
                        }
                        _ => "Klare beskeder og faste rutiner; gennemgang af hjemmeopgaven.",
                    }
                    .into(),
                ),
                attendance: members
                    .iter()
                    .zip(who)
                    .map(|((course_id, _), p)| AttendanceInput {
                        course_id: *course_id,
                        attended: p.is_some(),
                        participants: *p,
                    })
                    .collect(),
            },
        )
        .await
        .with_context(|| format!("recording demo group session {number}"))?;
    }

    // The schools of two of the children are guided on the learning environment.
    for (i, (course_id, school)) in members.iter().take(2).enumerate() {
        groups::add_guidance(
            store,
            &now(therapist),
            *course_id,
            &NewGuidance {
                school_org_id: None,
                school_name: Some(school.clone()),
                held_on: today.checked_sub_days(Days::new(10 + 4 * i as u64)),
                participants: Some(if i == 0 {
                    "Klasselærer og pædagog fra SFO".into()
                } else {
                    "Klasselærer, AKT-lærer".into()
                }),
                topic: Some(if i == 0 {
                    "Pauser og faste pladser i timerne".into()
                } else {
                    "Overgange mellem timer og frikvarterer".into()
                }),
                agreed_actions: Some(if i == 0 {
                    "Fast plads tæt på læreren; en kort bevægelsespause efter 20 minutter; \
                     opfølgning om fire uger."
                        .into()
                } else {
                    "En voksen tager imod ved døren efter frikvarteret; piktogrammer over \
                     dagens program."
                        .into()
                }),
            },
        )
        .await
        .context("recording demo guidance")?;
    }
    Ok(members.len())
}
