//! The course page and the forms on it: a new encounter, the themes, and marking the course as
//! entered in error.

use super::encounter::{EncounterForm, delivery_choices, participant_choices};
use super::form::Refusal;
use super::timeline::{TimelineEntry, timeline};
use super::views::{
    GoalView, SavedQuery, ScreeningView, attention, goals, saved_notice, screening_view,
    theme_labels,
};
use super::{day, moment};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, local_time, render};
use crate::request::CsrfForm;
use crate::request::Id;
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::EncounterType;
use samspor_domain::course::kl::Theme;
use samspor_domain::i18n::Lang;
use samspor_domain::validation::FieldError;
use samspor_store::courses::{self as svc, CourseView};
use samspor_store::questionnaires;
use samspor_store::service::Ctx;
use uuid::Uuid;

struct ThemeHistoryRow {
    theme: &'static str,
    from: String,
    to: Option<String>,
    by: String,
}

/// The referral content in words, as (label, value) lines; empty optional parts are left out.
fn contact_lines(t: Tr, v: &CourseView) -> Vec<(&'static str, String)> {
    let c = &v.contact.contact;
    let lang = t.0;
    let lines = [
        ("contact.source", Some(c.source.label(lang).to_string())),
        ("contact.received_at", Some(moment(v.contact.received_at))),
        ("contact.reason", Some(c.reason.clone())),
        ("contact.duration", c.duration.clone()),
        ("contact.tried", c.tried.clone()),
        ("contact.consent", Some(c.consent.label(lang).to_string())),
        ("contact.referrer_name", c.referrer_name.clone()),
        ("contact.referrer_contact", c.referrer_contact.clone()),
        ("contact.family_contact", c.family_contact.clone()),
        ("contact.psychiatry_reason", c.psychiatry_reason.clone()),
        (
            "contact.psychiatry_recommendation",
            c.psychiatry_recommendation.clone(),
        ),
    ];
    lines
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (t.t(key), v)))
        .collect()
}

/// The screening the contact was registered with. The child's responses are read only when
/// one is attached, so a course without costs no further audited read.
async fn attached_screening(
    state: &AppState,
    ctx: &Ctx,
    v: &CourseView,
    lang: Lang,
) -> Result<Option<ScreeningView>, WebError> {
    let Some(id) = v.contact.screening_response_id else {
        return Ok(None);
    };
    let (_, responses) = questionnaires::overview(&state.store, ctx, v.course.child_id).await?;
    Ok(responses
        .iter()
        .find(|r| r.id == id)
        .map(|r| screening_view(&state.catalogue, lang, r)))
}

#[derive(Template)]
#[template(path = "courses/course.html")]
struct CourseTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    /// "Delt med BUC Glostrup – samtykke til 01.05.2027", and whether a basis covers it now.
    shares: Vec<(String, bool)>,
    child_id: Uuid,
    child_name: String,
    birth_date: String,
    status: &'static str,
    active: bool,
    track: Option<&'static str>,
    started: String,
    ended: Option<String>,
    version: i64,
    contact: Vec<(&'static str, String)>,
    screening: Option<ScreeningView>,
    current_themes: String,
    theme_history: Vec<ThemeHistoryRow>,
    goals: Vec<GoalView>,
    flag: Option<&'static str>,
    timeline: Vec<TimelineEntry>,
    can_decide: bool,
    can_mark_error: bool,
    types: Vec<(&'static str, &'static str)>,
    deliveries: Vec<(&'static str, &'static str)>,
    participants: Vec<(&'static str, &'static str)>,
    themes: Vec<(&'static str, &'static str)>,
    enc: EncounterForm,
    enc_r: Refusal,
    chosen_themes: Vec<String>,
    theme_r: Refusal,
    error_r: Refusal,
    /// The treatment in brief; the work itself is on `/courses/{id}/treatment`.
    therapist: Option<String>,
    in_track: bool,
    sessions_held: usize,
    sessions_planned: usize,
    planned: Vec<PlannedLine>,
    closing_reason: Option<&'static str>,
    follow_up_due: Option<String>,
    follow_up_held: Option<String>,
    gp: Vec<crate::courses::treatment::pages::GpView>,
    /// Advice asked about the course: (request, question, answer or status).
    advice: Vec<(Uuid, String, String)>,
    /// Whether the reader's organisation may ask child psychiatry about this course.
    can_ask: bool,
}

/// A planned session as the course page lists it: planned versus delivered.
struct PlannedLine {
    number: u32,
    title: String,
    status: &'static str,
    when: Option<String>,
}

impl CourseTemplate {
    fn enc_err(&self, field: &str) -> Option<&str> {
        self.enc_r.err(field, self.t.0)
    }
    fn theme_err(&self, field: &str) -> Option<&str> {
        self.theme_r.err(field, self.t.0)
    }
    fn theme_chosen(&self, value: &str) -> bool {
        self.chosen_themes.iter().any(|t| t == value)
    }
}

/// What the course page's forms hold when it is shown again after a refusal.
#[derive(Default)]
struct CourseForms {
    enc: Option<EncounterForm>,
    enc_r: Refusal,
    themes: Option<Vec<String>>,
    theme_r: Refusal,
    error_r: Refusal,
}

async fn course_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    forms: CourseForms,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    // Always the stored course as it is now: after a conflict the user sees what changed.
    let ctx = user.ctx(rid);
    let v = svc::course(&state.store, &ctx, id).await?;
    let attached = attached_screening(state, &ctx, &v, lang).await?;
    let t = Tr(lang);
    let status = Refusal::gravest([&forms.enc_r, &forms.theme_r, &forms.error_r]);
    let current = v.current_themes();
    let (first, screening) = goals(t, &v.waiting);
    let active = v.course.status == CourseStatus::Active;
    let shares = samspor_store::consent::course_shares(&state.store, &ctx, v.course.child_id, id)
        .await?
        .iter()
        .map(|b| share_badge(t, b))
        .collect();
    let advice = crate::advice::pages::course_lines(state, &ctx, t, id).await?;
    let can_ask = active
        && v.course.org_id == user.user.org_id
        && user.user.role != samspor_domain::role::Role::Psychiatry;
    let template = CourseTemplate {
        advice,
        can_ask,
        t,
        l: Layout::new(Some(user), t, &format!("/courses/{id}"), "courses").with_notice(notice),
        id,
        shares,
        child_id: v.course.child_id,
        child_name: v.child_name.clone(),
        birth_date: day(v.birth_date),
        status: v.course.status.label(lang),
        active,
        track: v.course.track.map(|p| p.label(lang)),
        started: day(v.course.started_on),
        ended: v.course.ended_on.map(day),
        version: v.course.version,
        contact: contact_lines(t, &v),
        screening: attached,
        current_themes: theme_labels(lang, &current),
        theme_history: v
            .themes
            .iter()
            .map(|r| ThemeHistoryRow {
                theme: r.theme.label(lang),
                from: local_time(r.valid_from, false),
                to: r.valid_to.map(|x| local_time(x, false)),
                by: r.set_by_name.clone().unwrap_or_else(|| "–".into()),
            })
            .collect(),
        goals: vec![first, screening],
        flag: active.then(|| attention(t, &v.waiting)).flatten(),
        timeline: timeline(t, &v),
        can_decide: active && v.course.track.is_none(),
        can_mark_error: v.course.status != CourseStatus::EnteredInError,
        // A closing needs its reason and the remaining sessions settled: that is the closing form
        // on the treatment page, so the general form leaves Afslutning out.
        types: EncounterType::ALL
            .into_iter()
            .filter(|x| *x != EncounterType::Afslutning)
            .map(|x| (x.as_str(), x.label(lang)))
            .collect(),
        deliveries: delivery_choices(t),
        participants: participant_choices(t),
        themes: Theme::ALL.map(|x| (x.as_str(), x.label(lang))).to_vec(),
        enc: forms.enc.unwrap_or_else(EncounterForm::blank),
        enc_r: forms.enc_r,
        chosen_themes: forms
            .themes
            .unwrap_or_else(|| current.iter().map(|x| x.as_str().to_string()).collect()),
        theme_r: forms.theme_r,
        error_r: forms.error_r,
        therapist: v.treatment.therapist_name.clone(),
        in_track: v.course.track.is_some(),
        sessions_held: v
            .encounters
            .iter()
            .filter(|e| {
                e.encounter.kind == EncounterType::Behandling
                    && e.status == samspor_store::EncounterStatus::Held
            })
            .count(),
        sessions_planned: v
            .treatment
            .planned
            .iter()
            .filter(|p| p.status != samspor_store::PlannedStatus::Cancelled)
            .count(),
        planned: v
            .treatment
            .planned
            .iter()
            .map(|p| PlannedLine {
                number: p.number,
                title: match lang {
                    Lang::Da => p.title_da.clone(),
                    Lang::En => p.title_en.clone(),
                },
                status: crate::courses::treatment::pages::planned_status_label(t, p.status),
                when: p
                    .encounter_id
                    .and_then(|e| v.encounters.iter().find(|x| x.id == e))
                    .map(|e| moment(e.encounter.at))
                    .or_else(|| p.planned_at.map(moment)),
            })
            .collect(),
        closing_reason: v.treatment.closing_reason.map(|r| r.label(lang)),
        follow_up_due: v.treatment.follow_up.as_ref().map(|f| day(f.due_on)),
        follow_up_held: v
            .treatment
            .follow_up
            .as_ref()
            .and_then(|f| f.held_at)
            .map(moment),
        gp: v
            .treatment
            .gp_messages
            .iter()
            .map(|m| crate::courses::treatment::pages::gp_view(t, m))
            .collect(),
    };
    Ok(render(status, &template))
}

pub(crate) async fn show(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let notice = saved_notice(Tr(lang), q.saved.as_deref());
    course_page(
        &state,
        &user,
        lang,
        &rid,
        id,
        CourseForms::default(),
        notice,
    )
    .await
}

pub(crate) async fn add_encounter(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let f = EncounterForm::from_pairs(&p);
    let refusal = match f.to_input() {
        Err(errors) => Refusal::invalid(errors),
        Ok(input) => {
            match svc::add_encounter(&state.store, &user.ctx(&rid), id, Some(version), &input).await
            {
                Ok(_) => {
                    return Ok(
                        Redirect::to(&format!("/courses/{id}?saved=encounter")).into_response()
                    );
                }
                Err(e) => Refusal::from_error(e, lang)?,
            }
        }
    };
    let forms = CourseForms {
        enc: Some(f),
        enc_r: refusal,
        ..Default::default()
    };
    course_page(&state, &user, lang, &rid, id, forms, None).await
}

pub(crate) async fn set_themes(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let themes = p.all("themes");
    match svc::set_themes(&state.store, &user.ctx(&rid), id, Some(version), &themes).await {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}?saved=themes")).into_response()),
        Err(e) => {
            let forms = CourseForms {
                themes: Some(themes),
                theme_r: Refusal::from_error(e, lang)?,
                ..Default::default()
            };
            course_page(&state, &user, lang, &rid, id, forms, None).await
        }
    }
}

pub(crate) async fn entered_in_error(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    // Marking a course as a mistake takes it off every list, so it is confirmed explicitly.
    let refusal = if p.get("confirm").is_empty() {
        Refusal::invalid(
            FieldError::new(
                "confirm",
                "Tick the box to confirm that the course was registered by mistake.",
                "Sæt flueben for at bekræfte, at forløbet er registreret ved en fejl.",
            )
            .into(),
        )
    } else {
        match svc::mark_entered_in_error(&state.store, &user.ctx(&rid), id, Some(version)).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/courses/{id}?saved=entered-in-error")).into_response(),
                );
            }
            Err(e) => Refusal::from_error(e, lang)?,
        }
    };
    let forms = CourseForms {
        error_r: refusal,
        ..Default::default()
    };
    course_page(&state, &user, lang, &rid, id, forms, None).await
}

/// A share as its badge says it: with whom, on which basis, until when.
fn share_badge(t: Tr, b: &samspor_store::consent::ShareBadge) -> (String, bool) {
    use samspor_domain::lawful_basis::Basis;
    let basis = match &b.basis {
        None => {
            return (
                format!(
                    "{} {} – {}",
                    t.t("course.shared_with"),
                    b.recipient_name,
                    t.t("course.no_basis")
                ),
                false,
            );
        }
        Some(Basis::Consent { .. }) => t.t("course.on_consent"),
        Some(Basis::Statutory { .. }) => t.t("course.on_statutory"),
        Some(Basis::Emergency { .. }) => t.t("course.on_emergency"),
    };
    let until = b
        .until
        .map(|d| format!(" {} {}", t.t("course.until"), day(d)))
        .unwrap_or_default();
    (
        format!(
            "{} {} – {basis}{until}",
            t.t("course.shared_with"),
            b.recipient_name
        ),
        true,
    )
}
