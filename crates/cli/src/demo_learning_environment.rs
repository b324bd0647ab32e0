//! Demo learning-environment guidance: every municipality guides a school and a day-care
//! institution, about a class or a group (no child named), with themes and a follow-up.

use crate::demo_courses::MunicipalityDemo;
use anyhow::Context;
use chrono::{Days, Utc};
use samspor_domain::learning_environment::{InstitutionInput, SessionInput};
use samspor_store::Store;
use samspor_store::learning_environment as le;

/// One session: the institution (index), days ago, the group, themes, notes and a follow-up in
/// so many days (from today).
struct Session {
    at: usize,
    days_ago: u64,
    group: &'static str,
    themes: &'static [&'static str],
    notes: &'static str,
    follow_up: Option<(&'static str, u64)>,
}

const SESSIONS: [Session; 3] = [
    Session {
        at: 0,
        days_ago: 40,
        group: "5.B",
        themes: &["wellbeing", "conflicts"],
        notes: "Lærerteamet oplever uro i frikvartererne og en gruppe, der holdes udenfor.",
        follow_up: Some(("Faste makkerpar i frikvarteret prøves i fire uger", 10)),
    },
    Session {
        at: 0,
        days_ago: 12,
        group: "7.A",
        themes: &["worry", "absence"],
        notes: "Flere elever er væk før prøver; klassens lærere ønsker redskaber til at tale om bekymring.",
        follow_up: None,
    },
    Session {
        at: 1,
        days_ago: 20,
        group: "Bøgegruppen",
        themes: &["structure", "transitions"],
        notes: "Overgangen fra leg til samling er svær; billeder af dagens program afprøves.",
        follow_up: Some(("Pædagogerne fortæller, hvordan dagsprogrammet virker", 5)),
    },
];

pub(crate) async fn seed(store: &Store, demo: &MunicipalityDemo) -> anyhow::Result<usize> {
    let mut c = demo.therapist.clone();
    c.now = Utc::now();
    let town = demo.municipality.name;
    let mut institutions = Vec::new();
    for (kind, name) in [
        ("school", format!("{town} Skole")),
        ("day_care", format!("Børnehuset {town}")),
    ] {
        let made = le::add_institution(
            store,
            &c,
            &InstitutionInput {
                kind: Some(kind.into()),
                name: Some(name),
                org_id: None,
            },
        )
        .await
        .with_context(|| format!("adding a demo institution in {town}"))?;
        institutions.push(made.id);
    }
    let today = c.today();
    for s in &SESSIONS {
        c.now = Utc::now();
        let day = |n: u64| Some((today - Days::new(n)).to_string());
        le::record_session(
            store,
            &c,
            &SessionInput {
                institution_id: Some(institutions[s.at]),
                held_on: day(s.days_ago),
                about: Some("group".into()),
                group_label: Some(s.group.into()),
                participants: Some("Klasselærer, pædagog og skolens AKT-vejleder".into()),
                themes: s.themes.iter().map(|t| t.to_string()).collect(),
                notes: Some(s.notes.into()),
                follow_up: s.follow_up.map(|(what, _)| what.to_string()),
                follow_up_on: s
                    .follow_up
                    .map(|(_, days)| (today + Days::new(days)).to_string()),
                ..Default::default()
            },
        )
        .await
        .with_context(|| format!("recording a demo guidance session in {town}"))?;
    }
    Ok(SESSIONS.len())
}
