//! Pieces shown on several course pages: deadline figures, worklist rows, outcome words, the
//! notice after a save, and the screening a contact rests on.

use super::{day, moment};
use crate::i18n::Tr;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::EncounterType;
use samspor_domain::course::kl::Theme;
use samspor_domain::course::visitation::Outcome;
use samspor_domain::course::waiting::{GoalProgress, GoalStatus, Waiting};
use samspor_domain::i18n::Lang;
use samspor_domain::instrument::Catalogue;
use samspor_store::ResponseRecord;
use samspor_store::courses::{self as svc, WorkItem};
use uuid::Uuid;

/// One goal as a worklist cell and a row of the course page's waiting figures.
pub struct GoalView {
    pub name: &'static str,
    pub due: String,
    pub held: Option<String>,
    pub days: i64,
    pub status: &'static str,
    pub class: &'static str,
}

fn goal_view(t: Tr, name: &'static str, g: &GoalProgress) -> GoalView {
    let (key, class) = match g.status {
        GoalStatus::Open => ("goal.open", "goal-open"),
        GoalStatus::DueSoon => ("goal.due_soon", "goal-due-soon"),
        GoalStatus::OpenBreached => ("goal.open_breached", "goal-breached"),
        GoalStatus::Met => ("goal.met", "goal-met"),
        GoalStatus::Breached => ("goal.breached", "goal-late"),
    };
    GoalView {
        name,
        due: day(g.due),
        held: g.held.map(day),
        days: g.days_elapsed,
        status: t.t(key),
        class,
    }
}

pub(crate) fn goals(t: Tr, w: &Waiting) -> (GoalView, GoalView) {
    (
        goal_view(
            t,
            EncounterType::Forsamtale.label(t.0),
            &w.first_conversation,
        ),
        goal_view(t, EncounterType::Screening.label(t.0), &w.screening),
    )
}

/// The flag of a course needing attention, in words so it does not rest on colour.
pub(crate) fn attention(t: Tr, w: &Waiting) -> Option<&'static str> {
    let goals = [w.first_conversation, w.screening];
    if goals.iter().any(|g| g.status == GoalStatus::OpenBreached) {
        Some(t.t("flag.breached"))
    } else if w.needs_attention() {
        Some(t.t("flag.due_soon"))
    } else {
        None
    }
}

pub(crate) fn theme_labels(lang: Lang, themes: &[Theme]) -> String {
    if themes.is_empty() {
        return "–".into();
    }
    // KL's order, the same as the checkboxes, rather than the order they were stored in.
    let mut sorted = themes.to_vec();
    sorted.sort();
    sorted
        .iter()
        .map(|t| t.label(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One course in the worklist, the home page's intake queue and a visitation meeting.
pub struct WorkRow {
    pub id: Uuid,
    pub child_name: String,
    pub received: String,
    pub source: &'static str,
    pub themes: String,
    pub status: &'static str,
    pub first: GoalView,
    pub screening: GoalView,
    pub decided: bool,
    pub flag: Option<&'static str>,
}

pub(crate) fn work_row(t: Tr, item: &WorkItem) -> WorkRow {
    let s = &item.summary;
    let (first, screening) = goals(t, &item.waiting);
    WorkRow {
        id: s.course.id,
        child_name: s.child_name.clone(),
        received: moment(s.received_at),
        source: s.source.label(t.0),
        themes: theme_labels(t.0, &s.themes),
        status: s.course.status.label(t.0),
        first,
        screening,
        decided: s.decided,
        // A course that is no longer active waits for nothing.
        flag: (s.course.status == CourseStatus::Active)
            .then(|| attention(t, &item.waiting))
            .flatten(),
    }
}

pub(crate) fn outcome_label(t: Tr, o: Outcome) -> &'static str {
    t.t(&format!("outcome.{}", o.as_str()))
}

#[derive(serde::Deserialize)]
pub(crate) struct SavedQuery {
    pub(crate) saved: Option<String>,
}

pub(crate) fn saved_notice(t: Tr, saved: Option<&str>) -> Option<&'static str> {
    match saved {
        Some("encounter") => Some(t.t("course.saved_encounter")),
        Some("themes") => Some(t.t("course.saved_themes")),
        Some("decision") => Some(t.t("course.saved_decision")),
        Some("entered-in-error") => Some(t.t("course.saved_error")),
        _ => None,
    }
}

/// A questionnaire response as the contact form offers it and the course page shows it.
pub(crate) struct ScreeningView {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) respondent: String,
    pub(crate) date: String,
}

pub(crate) fn screening_view(
    catalogue: &Catalogue,
    lang: Lang,
    r: &ResponseRecord,
) -> ScreeningView {
    ScreeningView {
        id: r.id,
        // Responses outlive instruments taken out of the catalogue; the stored id still names them.
        title: catalogue
            .get(&r.instrument_id)
            .map(|i| i.title(lang).to_string())
            .unwrap_or_else(|| r.instrument_id.clone()),
        respondent: r.respondent_name.clone(),
        date: day(svc::local(r.answered_at).date()),
    }
}
