//! Courses in the coordinator's hands, from first contact to visitation: the deadline worklist,
//! registering a contact, the course page with its timeline and forms, the decision form with
//! decision support beside it, and visitation meetings that handle several courses in one sitting.
//!
//! Every form that changes a course carries the version it was read at, so a save by someone
//! else in between is shown to the user instead of silently overwritten.

use super::{Layout, local_time, render};
use crate::AppState;
use crate::auth::{CurrentUser, PageUser};
use crate::error::WebError;
use crate::i18n::{Tr, UiLang};
use crate::request::RequestId;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, NaiveDateTime};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::contact::{Consent, ContactInput, Source};
use samspor_domain::course::encounter::{Delivery, EncounterInput, EncounterType, Participants};
use samspor_domain::course::kl::{ReferralDestination, Theme};
use samspor_domain::course::support::{CauseSource, CriterionRef, Support};
use samspor_domain::course::visitation::{DecisionInput, Outcome, WayInput};
use samspor_domain::course::waiting::{GoalProgress, GoalStatus, Waiting};
use samspor_domain::i18n::Lang;
use samspor_domain::organisation::Programme;
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::EncounterStatus;
use samspor_store::service::ServiceError;
use samspor_store::service::courses::{
    self as svc, CourseView, NewContact, NewDecision, WorkItem, WorklistFilter,
};
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/courses", get(worklist))
        .route("/courses/{id}", get(show))
        .route("/courses/{id}/encounters", post(add_encounter))
        .route("/courses/{id}/themes", post(set_themes))
        .route("/courses/{id}/entered-in-error", post(entered_in_error))
        .route("/courses/{id}/decision", get(decision_form).post(decide))
        .route("/children/{id}/courses", get(child_courses))
        .route(
            "/children/{id}/courses/new",
            get(new_contact).post(create_contact),
        )
        .route("/visitation", get(meetings).post(create_meeting))
        .route("/visitation/{id}", get(meeting))
}

fn parse_id(id: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(id).map_err(|_| WebError::NotFound)
}

/// The value a `datetime-local` input expects.
const INPUT_DATETIME: &str = "%Y-%m-%dT%H:%M";

fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn moment(t: NaiveDateTime) -> String {
    t.format("%d.%m.%Y %H:%M").to_string()
}

/// Danish local time now, to the minute, as a form's default.
fn now_input() -> String {
    svc::local(chrono::Utc::now())
        .format(INPUT_DATETIME)
        .to_string()
}

/// Browsers without a date-time picker let people type, so the Danish way of writing is
/// accepted beside the ISO value the picker sends.
fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d.%m.%Y %H:%M",
        "%d-%m-%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

fn datetime_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "Give date and time, e.g. 20.11.2026 10:30.",
        "Angiv dato og klokkeslæt, fx 20.11.2026 10:30.",
    )
}

fn date_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "Give a date, e.g. 20.11.2026.",
        "Angiv en dato, fx 20.11.2026.",
    )
}

/// A submitted form as name/value pairs; checkbox groups send one name several times.
struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The course version the form was read at; a form without one is not ours.
    fn version(&self) -> Result<i64, WebError> {
        self.get("version")
            .trim()
            .parse()
            .map_err(|_| WebError::BadRequest("The form lacks the course version.".into()))
    }
}

fn some_text(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

/// Why a form was refused, to show beside its fields.
#[derive(Default)]
struct Refusal {
    errors: FieldErrors,
    conflict: Option<String>,
}

impl Refusal {
    /// Refusals a form can show; anything else becomes an error page.
    fn from_error(e: ServiceError, lang: Lang) -> Result<Refusal, WebError> {
        match e {
            ServiceError::Invalid(errors) => Ok(Refusal {
                errors,
                conflict: None,
            }),
            ServiceError::Conflict { current } => Ok(Refusal {
                errors: FieldErrors::default(),
                conflict: Some(conflict_message(lang, current)),
            }),
            other => Err(other.into()),
        }
    }

    fn invalid(errors: FieldErrors) -> Refusal {
        Refusal {
            errors,
            conflict: None,
        }
    }

    fn status(&self) -> StatusCode {
        if self.conflict.is_some() {
            StatusCode::CONFLICT
        } else if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    fn err(&self, field: &str, lang: Lang) -> Option<&str> {
        self.errors.get(field).map(|e| e.message(lang))
    }

    /// Every message with the id of its field, for the list at the top of the form.
    fn summary(&self, lang: Lang) -> Vec<(String, String)> {
        self.errors
            .0
            .iter()
            .map(|e| (e.field.replace('.', "_"), e.message(lang).to_string()))
            .collect()
    }
}

fn conflict_message(lang: Lang, current: i64) -> String {
    match lang {
        Lang::Da => format!(
            "Forløbet er ændret af en anden, siden du åbnede siden (nu version {current}). Det, du indtastede, er ikke gemt, men står stadig i formularen. Siden viser nu de nyeste oplysninger: se dem igennem, og gem igen."
        ),
        Lang::En => format!(
            "The course was changed by someone else after you opened the page (now version {current}). What you entered was not saved, but is still in the form. The page now shows the latest data: check it, and save again."
        ),
    }
}

// ---------------------------------------------------------------- worklist rows

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

fn goals(t: Tr, w: &Waiting) -> (GoalView, GoalView) {
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
fn attention(t: Tr, w: &Waiting) -> Option<&'static str> {
    let goals = [w.first_conversation, w.screening];
    if goals.iter().any(|g| g.status == GoalStatus::OpenBreached) {
        Some(t.t("flag.breached"))
    } else if w.needs_attention() {
        Some(t.t("flag.due_soon"))
    } else {
        None
    }
}

fn theme_labels(lang: Lang, themes: &[Theme]) -> String {
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

fn work_row(t: Tr, item: &WorkItem) -> WorkRow {
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

/// The home page's intake queue: active courses still waiting for their visitation decision,
/// nearest deadline first.
pub async fn intake_queue(
    state: &AppState,
    user: &CurrentUser,
    rid: &str,
    t: Tr,
) -> Result<Vec<WorkRow>, WebError> {
    let filter = WorklistFilter {
        status: Some(CourseStatus::Active),
        undecided: true,
        ..Default::default()
    };
    match svc::worklist(&*state.store, &user.ctx(rid), &filter).await {
        Ok(items) => Ok(items.iter().map(|i| work_row(t, i)).collect()),
        // A role that may not search the register simply has no queue on its front page.
        Err(ServiceError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- worklist page

#[derive(serde::Deserialize, Default)]
struct WorklistQuery {
    status: Option<String>,
    theme: Option<String>,
    due_by: Option<String>,
    undecided: Option<String>,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistTemplate {
    t: Tr,
    l: Layout,
    rows: Vec<WorkRow>,
    statuses: Vec<(&'static str, &'static str)>,
    themes: Vec<(&'static str, &'static str)>,
    status: String,
    theme: String,
    due_by: String,
    undecided: bool,
    due_error: Option<String>,
    filtered: bool,
}

async fn worklist(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Query(q): Query<WorklistQuery>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    // Without a choice the worklist shows what still needs work: the active courses.
    let status = q.status.unwrap_or_else(|| "active".into());
    let theme = q.theme.unwrap_or_default();
    let due_by = q.due_by.unwrap_or_default();
    let undecided = q.undecided.is_some_and(|v| !v.is_empty());
    let due = parse_date(&due_by);
    let due_error = (!due_by.trim().is_empty() && due.is_none())
        .then(|| date_error("due_by").message(lang).to_string());
    let filter = WorklistFilter {
        status: CourseStatus::parse(&status),
        theme: Theme::parse(&theme),
        due_by: due,
        undecided,
    };
    let items = svc::worklist(&*state.store, &user.ctx(&rid), &filter).await?;
    let mut statuses = vec![("all", t.t("worklist.all_statuses"))];
    statuses.extend(CourseStatus::ALL.map(|s| (s.as_str(), s.label(lang))));
    Ok(render(
        StatusCode::OK,
        &WorklistTemplate {
            t,
            l: Layout::new(Some(&user), t, "/courses", "courses"),
            rows: items.iter().map(|i| work_row(t, i)).collect(),
            statuses,
            themes: Theme::ALL.map(|x| (x.as_str(), x.label(lang))).to_vec(),
            filtered: status != "active" || !theme.is_empty() || due.is_some() || undecided,
            status,
            theme,
            due_by,
            undecided,
            due_error,
        },
    ))
}

// ---------------------------------------------------------------- courses of a child

struct ChildCourseRow {
    id: Uuid,
    started: String,
    ended: Option<String>,
    status: &'static str,
    track: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "course_list.html")]
struct ChildCoursesTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    courses: Vec<ChildCourseRow>,
}

async fn child_courses(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let ctx = user.ctx(&rid);
    let child = samspor_store::service::children::read(&*state.store, &ctx, id).await?;
    let courses = svc::courses_of_child(&*state.store, &ctx, id).await?;
    let t = Tr(lang);
    Ok(render(
        StatusCode::OK,
        &ChildCoursesTemplate {
            t,
            l: Layout::new(
                Some(&user),
                t,
                &format!("/children/{id}/courses"),
                "courses",
            ),
            child_id: id,
            name: format!("{} {}", child.data.given_name, child.data.family_name),
            courses: courses
                .iter()
                .map(|c| ChildCourseRow {
                    id: c.id,
                    started: day(c.started_on),
                    ended: c.ended_on.map(day),
                    status: c.status.label(lang),
                    track: c.track.map(|p| p.label(lang)),
                })
                .collect(),
        },
    ))
}

// ---------------------------------------------------------------- register a contact

/// The contact form's values as typed, so a refused form comes back as it was sent.
#[derive(Default)]
struct ContactForm {
    source: String,
    received_at: String,
    reason: String,
    duration: String,
    tried: String,
    consent: String,
    referrer_name: String,
    referrer_contact: String,
    family_contact: String,
    psychiatry_reason: String,
    psychiatry_recommendation: String,
    themes: Vec<String>,
}

impl ContactForm {
    fn blank() -> ContactForm {
        ContactForm {
            received_at: now_input(),
            consent: Consent::Unknown.as_str().into(),
            ..Default::default()
        }
    }

    fn from_pairs(p: &Pairs) -> ContactForm {
        ContactForm {
            source: p.get("source"),
            received_at: p.get("received_at"),
            reason: p.get("reason"),
            duration: p.get("duration"),
            tried: p.get("tried"),
            consent: p.get("consent"),
            referrer_name: p.get("referrer_name"),
            referrer_contact: p.get("referrer_contact"),
            family_contact: p.get("family_contact"),
            psychiatry_reason: p.get("psychiatry_reason"),
            psychiatry_recommendation: p.get("psychiatry_recommendation"),
            themes: p.all("themes"),
        }
    }

    fn has_theme(&self, value: &str) -> bool {
        self.themes.iter().any(|t| t == value)
    }

    fn to_input(&self, child_id: Uuid, received_at: Option<NaiveDateTime>) -> NewContact {
        NewContact {
            child_id,
            received_at,
            contact: ContactInput {
                source: some_text(&self.source),
                reason: some_text(&self.reason),
                duration: some_text(&self.duration),
                tried: some_text(&self.tried),
                consent: some_text(&self.consent),
                referrer_name: some_text(&self.referrer_name),
                referrer_contact: some_text(&self.referrer_contact),
                family_contact: some_text(&self.family_contact),
                psychiatry_reason: some_text(&self.psychiatry_reason),
                psychiatry_recommendation: some_text(&self.psychiatry_recommendation),
            },
            themes: self.themes.clone(),
            screening_response_id: None,
        }
    }
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct ContactTemplate {
    t: Tr,
    l: Layout,
    child_id: Uuid,
    name: String,
    f: ContactForm,
    r: Refusal,
    sources: Vec<(&'static str, &'static str)>,
    consents: Vec<(&'static str, &'static str)>,
    themes: Vec<(&'static str, &'static str)>,
}

impl ContactTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
}

async fn contact_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    child_id: Uuid,
    f: ContactForm,
    r: Refusal,
) -> Result<Response, WebError> {
    let child =
        samspor_store::service::children::read(&*state.store, &user.ctx(rid), child_id).await?;
    let t = Tr(lang);
    let status = r.status();
    Ok(render(
        status,
        &ContactTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                &format!("/children/{child_id}/courses/new"),
                "courses",
            ),
            child_id,
            name: format!("{} {}", child.data.given_name, child.data.family_name),
            f,
            r,
            sources: Source::ALL.map(|s| (s.as_str(), s.label(lang))).to_vec(),
            consents: Consent::ALL.map(|c| (c.as_str(), c.label(lang))).to_vec(),
            themes: Theme::ALL.map(|x| (x.as_str(), x.label(lang))).to_vec(),
        },
    ))
}

async fn new_contact(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    contact_page(
        &state,
        &user,
        lang,
        &rid,
        id,
        ContactForm::blank(),
        Refusal::default(),
    )
    .await
}

async fn create_contact(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let p = Pairs(pairs);
    user.check_csrf(&p.get("csrf"))?;
    let f = ContactForm::from_pairs(&p);
    let received_at = parse_local_datetime(&f.received_at);
    let unreadable = !f.received_at.trim().is_empty() && received_at.is_none();
    // An unreadable time still goes to the service (as missing), so every other problem of
    // the form is reported in the same round; validation refuses it before anything is written.
    match svc::create_contact(&*state.store, &user.ctx(&rid), &f.to_input(id, received_at)).await {
        Ok(course) => Ok(Redirect::to(&format!("/courses/{}", course.id)).into_response()),
        Err(e) => {
            let mut r = Refusal::from_error(e, lang)?;
            if unreadable {
                r.errors.0.retain(|e| e.field != "received_at");
                r.errors.push(datetime_error("received_at"));
            }
            contact_page(&state, &user, lang, &rid, id, f, r).await
        }
    }
}

// ---------------------------------------------------------------- the course page

/// The add-encounter form as typed.
#[derive(Default, Clone)]
struct EncounterForm {
    kind: String,
    at: String,
    delivery: String,
    participants: String,
}

impl EncounterForm {
    fn blank() -> EncounterForm {
        EncounterForm {
            at: now_input(),
            ..Default::default()
        }
    }

    fn from_pairs(p: &Pairs) -> EncounterForm {
        EncounterForm {
            kind: p.get("type"),
            at: p.get("at"),
            delivery: p.get("delivery"),
            participants: p.get("participants"),
        }
    }

    /// Reads what the domain types cannot carry as text; the domain checks the rest.
    fn to_input(&self) -> Result<EncounterInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = EncounterType::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "type",
                "Choose the type of encounter.",
                "Vælg kontakttype.",
            ));
        }
        let at = parse_local_datetime(&self.at);
        if at.is_none() {
            errors.push(datetime_error("at"));
        }
        let delivery = match self.delivery.trim() {
            "" => None,
            "individual" => Some(Delivery::Individual),
            "group" => Some(Delivery::Group),
            _ => {
                errors.push(FieldError::new(
                    "delivery",
                    "Unknown delivery.",
                    "Ukendt leveringstype.",
                ));
                None
            }
        };
        let participants = match self.participants.trim() {
            "" => None,
            "child_present" => Some(Participants::ChildPresent),
            "caregivers_only" => Some(Participants::CaregiversOnly),
            _ => {
                errors.push(FieldError::new(
                    "participants",
                    "Unknown participants.",
                    "Ukendte deltagere.",
                ));
                None
            }
        };
        match (kind, at) {
            (Some(kind), Some(at)) if errors.is_empty() => Ok(EncounterInput {
                kind,
                at,
                delivery,
                participants,
            }),
            _ => Err(errors),
        }
    }
}

fn delivery_label(t: Tr, d: Delivery) -> &'static str {
    match d {
        Delivery::Individual => t.t("enc.delivery_individual"),
        Delivery::Group => t.t("enc.delivery_group"),
    }
}

fn participants_label(t: Tr, p: Participants) -> &'static str {
    match p {
        Participants::ChildPresent => t.t("enc.participants_child"),
        Participants::CaregiversOnly => t.t("enc.participants_caregivers"),
    }
}

fn outcome_label(t: Tr, o: Outcome) -> &'static str {
    t.t(&format!("outcome.{}", o.as_str()))
}

/// One line of the course's timeline.
struct TimelineEntry {
    sort: (NaiveDateTime, u8),
    when: String,
    kind: &'static str,
    title: String,
    details: Vec<String>,
    struck: bool,
    link: Option<(String, &'static str)>,
}

fn timeline(t: Tr, v: &CourseView) -> Vec<TimelineEntry> {
    let lang = t.0;
    let mut out = Vec::new();
    for e in &v.encounters {
        let mut details = Vec::new();
        if let Some(tr) = e.encounter.treatment {
            details.push(format!(
                "{}, {}",
                delivery_label(t, tr.delivery),
                participants_label(t, tr.participants)
            ));
        }
        if let Some(name) = &e.staff_name {
            details.push(format!("{}: {name}", t.t("course.by")));
        }
        let struck = e.status == EncounterStatus::EnteredInError;
        if struck {
            details.push(CourseStatus::EnteredInError.label(lang).to_string());
        }
        out.push(TimelineEntry {
            sort: (e.encounter.at, 0),
            when: moment(e.encounter.at),
            kind: "encounter",
            title: e.encounter.kind.label(lang).to_string(),
            details,
            struck,
            link: None,
        });
    }
    for d in &v.decisions {
        let at = svc::local(d.decided_at);
        let mut details = Vec::new();
        if let Some(track) = d.track {
            details.push(format!("{}: {}", t.t("decision.track"), track.label(lang)));
        }
        if let Some(way) = &d.way {
            details.push(format!(
                "{}: {} – {}",
                t.t("decision.way"),
                way.destination.label(lang),
                way.note
            ));
        }
        if let Some(reason) = &d.reason_despite_signs {
            details.push(format!(
                "{}: {reason}",
                t.t("decision.reason_despite_signs")
            ));
        }
        if let Some(name) = &d.decided_by_name {
            details.push(format!("{}: {name}", t.t("course.by")));
        }
        out.push(TimelineEntry {
            sort: (at, 1),
            when: moment(at),
            kind: "decision",
            title: format!(
                "{}: {}",
                t.t("course.decision"),
                outcome_label(t, d.outcome)
            ),
            details,
            struck: false,
            link: d
                .meeting_id
                .map(|m| (format!("/visitation/{m}"), t.t("visit.meeting"))),
        });
    }
    for r in &v.referrals {
        let at = svc::local(r.at);
        out.push(TimelineEntry {
            sort: (at, 2),
            when: moment(at),
            kind: "referral",
            title: format!(
                "{}: {}",
                t.t("course.kl_referral"),
                r.destination.label(lang)
            ),
            details: vec![r.note.clone()],
            struck: false,
            link: None,
        });
    }
    for p in &v.psychiatry_referrals {
        let at = svc::local(p.created_at);
        let status = match p.status.as_str() {
            "to_be_sent" => t.t("course.psychiatry_to_be_sent"),
            other => other,
        };
        out.push(TimelineEntry {
            sort: (at, 3),
            when: moment(at),
            kind: "psychiatry",
            title: t.t("course.psychiatry_referral").to_string(),
            details: vec![status.to_string()],
            struck: false,
            link: None,
        });
    }
    out.sort_by_key(|e| e.sort);
    out
}

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

#[derive(Template)]
#[template(path = "course.html")]
struct CourseTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
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
    let v = svc::course(&*state.store, &user.ctx(rid), id).await?;
    let t = Tr(lang);
    let status = [&forms.enc_r, &forms.theme_r, &forms.error_r]
        .iter()
        .map(|r| r.status())
        .max_by_key(|s| match *s {
            StatusCode::CONFLICT => 2,
            StatusCode::UNPROCESSABLE_ENTITY => 1,
            _ => 0,
        })
        .unwrap_or(StatusCode::OK);
    let current = v.current_themes();
    let (first, screening) = goals(t, &v.waiting);
    let active = v.course.status == CourseStatus::Active;
    let template = CourseTemplate {
        t,
        l: Layout::new(Some(user), t, &format!("/courses/{id}"), "courses").with_notice(notice),
        id,
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
        types: EncounterType::ALL
            .map(|x| (x.as_str(), x.label(lang)))
            .to_vec(),
        deliveries: vec![
            ("individual", delivery_label(t, Delivery::Individual)),
            ("group", delivery_label(t, Delivery::Group)),
        ],
        participants: vec![
            (
                "child_present",
                participants_label(t, Participants::ChildPresent),
            ),
            (
                "caregivers_only",
                participants_label(t, Participants::CaregiversOnly),
            ),
        ],
        themes: Theme::ALL.map(|x| (x.as_str(), x.label(lang))).to_vec(),
        enc: forms.enc.unwrap_or_else(EncounterForm::blank),
        enc_r: forms.enc_r,
        chosen_themes: forms
            .themes
            .unwrap_or_else(|| current.iter().map(|x| x.as_str().to_string()).collect()),
        theme_r: forms.theme_r,
        error_r: forms.error_r,
    };
    Ok(render(status, &template))
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

fn saved_notice(t: Tr, saved: Option<&str>) -> Option<&'static str> {
    match saved {
        Some("encounter") => Some(t.t("course.saved_encounter")),
        Some("themes") => Some(t.t("course.saved_themes")),
        Some("decision") => Some(t.t("course.saved_decision")),
        Some("entered-in-error") => Some(t.t("course.saved_error")),
        _ => None,
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
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

async fn add_encounter(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let p = Pairs(pairs);
    user.check_csrf(&p.get("csrf"))?;
    let version = p.version()?;
    let f = EncounterForm::from_pairs(&p);
    let refusal = match f.to_input() {
        Err(errors) => Refusal::invalid(errors),
        Ok(input) => {
            match svc::add_encounter(&*state.store, &user.ctx(&rid), id, Some(version), &input)
                .await
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

async fn set_themes(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let p = Pairs(pairs);
    user.check_csrf(&p.get("csrf"))?;
    let version = p.version()?;
    let themes = p.all("themes");
    match svc::set_themes(&*state.store, &user.ctx(&rid), id, Some(version), &themes).await {
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

async fn entered_in_error(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let p = Pairs(pairs);
    user.check_csrf(&p.get("csrf"))?;
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
        match svc::mark_entered_in_error(&*state.store, &user.ctx(&rid), id, Some(version)).await {
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

// ---------------------------------------------------------------- visitation decision

/// The decision form as typed.
#[derive(Default, Clone)]
struct DecisionForm {
    outcome: String,
    track: String,
    way_destination: String,
    way_note: String,
    reason_despite_signs: String,
    ticks: Vec<String>,
    meeting_id: String,
}

impl DecisionForm {
    fn from_pairs(p: &Pairs) -> DecisionForm {
        DecisionForm {
            outcome: p.get("outcome"),
            track: p.get("track"),
            way_destination: p.get("way_destination"),
            way_note: p.get("way_note"),
            reason_despite_signs: p.get("reason_despite_signs"),
            ticks: p.all("tick"),
            meeting_id: p.get("meeting_id"),
        }
    }

    /// Ticked checklist criteria, sent as `track:criterion`; unknown ones are ignored, since
    /// they can only come from a checklist that no longer exists.
    fn ticked(&self) -> Vec<CriterionRef> {
        self.ticks
            .iter()
            .filter_map(|v| {
                let (track, criterion) = v.split_once(':')?;
                Some(CriterionRef {
                    track: Programme::parse(track)?,
                    criterion: criterion.to_string(),
                })
            })
            .collect()
    }

    fn meeting(&self) -> Result<Option<Uuid>, WebError> {
        match self.meeting_id.trim() {
            "" => Ok(None),
            s => Uuid::parse_str(s)
                .map(Some)
                .map_err(|_| WebError::BadRequest("Unknown visitation meeting.".into())),
        }
    }

    fn input(&self) -> DecisionInput {
        DecisionInput {
            outcome: some_text(&self.outcome),
            track: some_text(&self.track),
            way: Some(WayInput {
                destination: some_text(&self.way_destination),
                note: some_text(&self.way_note),
            }),
            reason_despite_signs: some_text(&self.reason_despite_signs),
        }
    }
}

struct ReasonView {
    label: String,
    respondent: &'static str,
    score: Option<i64>,
    unverified: bool,
}

struct IndicatedView {
    name: String,
    offered: bool,
    age_fits: bool,
    reasons: Vec<ReasonView>,
}

struct CheckView {
    value: String,
    id: String,
    text: String,
    ticked: bool,
    verified: bool,
    refers: bool,
}

struct ChecklistView {
    name: String,
    offered: bool,
    age: u32,
    min: u32,
    max: u32,
    age_ok: bool,
    age_verified: bool,
    inclusion: Vec<CheckView>,
    exclusion: Vec<CheckView>,
    excluded: bool,
}

struct SignView {
    text: String,
    verified: bool,
    causes: Vec<String>,
}

fn support_views(
    lang: Lang,
    s: &Support,
) -> (Vec<SignView>, Vec<IndicatedView>, Vec<ChecklistView>) {
    let pick = |da: &str, en: &str| match lang {
        Lang::Da => da.to_string(),
        Lang::En => en.to_string(),
    };
    let signs = s
        .signs
        .iter()
        .map(|sign| SignView {
            text: pick(&sign.da, &sign.en),
            verified: sign.verified,
            causes: s
                .sign_causes
                .iter()
                .filter(|c| c.sign == sign.id)
                .map(|c| match &c.from {
                    CauseSource::Alert {
                        message_en,
                        message_da,
                        ..
                    } => pick(message_da, message_en),
                    CauseSource::Criterion { track, da, en, .. } => {
                        format!("{}: {}", track.label(lang), pick(da, en))
                    }
                })
                .collect(),
        })
        .collect();
    let indicated = s
        .indicated
        .iter()
        .map(|i| IndicatedView {
            name: pick(&i.name.da, &i.name.en),
            offered: i.offered,
            age_fits: i.age_fits,
            reasons: i
                .reasons
                .iter()
                .map(|r| ReasonView {
                    label: pick(&r.label.da, &r.label.en),
                    respondent: r.respondent.label(lang),
                    score: r.score,
                    unverified: !(r.band_verified && r.rule_verified),
                })
                .collect(),
        })
        .collect();
    let checklists = s
        .checklists
        .iter()
        .map(|c| {
            let items = |list: &[samspor_domain::course::support::CheckItem]| {
                list.iter()
                    .map(|i| CheckView {
                        value: format!("{}:{}", c.track.as_str(), i.criterion.id),
                        id: format!("tick-{}-{}", c.track.as_str(), i.criterion.id),
                        text: pick(&i.criterion.da, &i.criterion.en),
                        ticked: i.ticked,
                        verified: i.criterion.verified,
                        refers: i.criterion.refer_to_psychiatry,
                    })
                    .collect()
            };
            ChecklistView {
                name: pick(&c.name.da, &c.name.en),
                offered: c.offered,
                age: c.age.age,
                min: c.age.min,
                max: c.age.max,
                age_ok: c.age.ok,
                age_verified: c.age.verified,
                inclusion: items(&c.inclusion),
                exclusion: items(&c.exclusion),
                excluded: c.excluded,
            }
        })
        .collect();
    (signs, indicated, checklists)
}

#[derive(Template)]
#[template(path = "visitation_decision.html")]
struct DecisionTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    child_name: String,
    version: i64,
    can_decide: bool,
    f: DecisionForm,
    r: Refusal,
    outcomes: Vec<(&'static str, &'static str)>,
    tracks: Vec<(&'static str, String)>,
    destinations: Vec<(&'static str, &'static str)>,
    signs: Vec<SignView>,
    indicated: Vec<IndicatedView>,
    checklists: Vec<ChecklistView>,
}

impl DecisionTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
    /// The way's own messages: the missing way as a whole, or one of its parts.
    fn way_err(&self) -> Option<&str> {
        self.err("way")
    }
    fn show_reason(&self) -> bool {
        !self.signs.is_empty()
            || self.err("reason_despite_signs").is_some()
            || !self.f.reason_despite_signs.trim().is_empty()
    }
}

/// The decision form as it is to be shown: typed values, refusal, and a notice.
#[derive(Default)]
struct DecisionState {
    f: DecisionForm,
    r: Refusal,
    notice: Option<&'static str>,
}

async fn decision_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    s: DecisionState,
) -> Result<Response, WebError> {
    let DecisionState { f, r, notice } = s;
    let ctx = user.ctx(rid);
    let v = svc::course(&*state.store, &ctx, id).await?;
    let support = svc::support(&*state.store, &ctx, id, state.rules(), &f.ticked()).await?;
    let t = Tr(lang);
    let (signs, indicated, checklists) = support_views(lang, &support);
    // Only tracks the municipality takes part in can be chosen; the rest stay visible in the
    // support so staff see why a suggested track is not on offer.
    let tracks = support
        .checklists
        .iter()
        .filter(|c| c.offered)
        .map(|c| {
            let fits = if c.age.ok {
                ""
            } else {
                t.t("decision.age_not_ok")
            };
            let label = format!(
                "{} ({}–{} {}){}{}",
                c.track.label(lang),
                c.age.min,
                c.age.max,
                t.t("child.years"),
                if fits.is_empty() { "" } else { " – " },
                fits
            );
            (c.track.as_str(), label)
        })
        .collect();
    let status = r.status();
    Ok(render(
        status,
        &DecisionTemplate {
            t,
            l: Layout::new(
                Some(user),
                t,
                &format!("/courses/{id}/decision"),
                "visitation",
            )
            .with_notice(notice),
            id,
            child_name: v.child_name,
            version: v.course.version,
            can_decide: v.course.status == CourseStatus::Active && v.course.track.is_none(),
            f,
            r,
            outcomes: Outcome::ALL
                .map(|o| (o.as_str(), outcome_label(t, o)))
                .to_vec(),
            tracks,
            destinations: ReferralDestination::ALL
                .map(|d| (d.as_str(), d.label(lang)))
                .to_vec(),
            signs,
            indicated,
            checklists,
        },
    ))
}

#[derive(serde::Deserialize)]
struct MeetingQuery {
    meeting_id: Option<String>,
}

async fn decision_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Query(q): Query<MeetingQuery>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let f = DecisionForm {
        meeting_id: q
            .meeting_id
            .filter(|m| Uuid::parse_str(m).is_ok())
            .unwrap_or_default(),
        ..Default::default()
    };
    let s = DecisionState {
        f,
        ..Default::default()
    };
    decision_page(&state, &user, lang, &rid, id, s).await
}

async fn decide(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let p = Pairs(pairs);
    user.check_csrf(&p.get("csrf"))?;
    let version = p.version()?;
    let f = DecisionForm::from_pairs(&p);
    let meeting_id = f.meeting()?;
    // Without JavaScript, re-checking the ticked criteria is a round trip that decides nothing.
    if p.get("action") == "check" {
        let s = DecisionState {
            f,
            r: Refusal::default(),
            notice: Some(Tr(lang).t("decision.rechecked")),
        };
        return decision_page(&state, &user, lang, &rid, id, s).await;
    }
    let new = NewDecision {
        input: f.input(),
        meeting_id,
        expected_version: Some(version),
        ticked: f.ticked(),
    };
    match svc::decide(&*state.store, &user.ctx(&rid), id, &new, state.rules()).await {
        Ok(_) => {
            let to = match meeting_id {
                Some(m) => format!("/visitation/{m}?saved=decision"),
                None => format!("/courses/{id}?saved=decision"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let s = DecisionState {
                f,
                r: Refusal::from_error(e, lang)?,
                notice: None,
            };
            decision_page(&state, &user, lang, &rid, id, s).await
        }
    }
}

// ---------------------------------------------------------------- visitation meetings

struct MeetingRow {
    id: Uuid,
    held_on: String,
    participants: String,
}

#[derive(Template)]
#[template(path = "visitation.html")]
struct MeetingsTemplate {
    t: Tr,
    l: Layout,
    meetings: Vec<MeetingRow>,
    held_on: String,
    participants: String,
    r: Refusal,
}

impl MeetingsTemplate {
    fn err(&self, field: &str) -> Option<&str> {
        self.r.err(field, self.t.0)
    }
}

async fn meetings_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    held_on: String,
    participants: String,
    r: Refusal,
) -> Result<Response, WebError> {
    let list = svc::meetings(&*state.store, &user.ctx(rid)).await?;
    let t = Tr(lang);
    Ok(render(
        r.status(),
        &MeetingsTemplate {
            t,
            l: Layout::new(Some(user), t, "/visitation", "visitation"),
            meetings: list
                .into_iter()
                .map(|m| MeetingRow {
                    id: m.id,
                    held_on: day(m.held_on),
                    participants: m.participants,
                })
                .collect(),
            held_on,
            participants,
            r,
        },
    ))
}

async fn meetings(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
) -> Result<Response, WebError> {
    let today = svc::local(chrono::Utc::now()).date();
    meetings_page(
        &state,
        &user,
        lang,
        &rid,
        today.format("%Y-%m-%d").to_string(),
        String::new(),
        Refusal::default(),
    )
    .await
}

async fn create_meeting(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = Pairs(pairs);
    user.check_csrf(&p.get("csrf"))?;
    let held_on = p.get("held_on");
    let participants = p.get("participants");
    let date = parse_date(&held_on);
    let unreadable = !held_on.trim().is_empty() && date.is_none();
    match svc::create_meeting(
        &*state.store,
        &user.ctx(&rid),
        date,
        Some(participants.as_str()),
    )
    .await
    {
        Ok(m) => Ok(Redirect::to(&format!("/visitation/{}", m.id)).into_response()),
        Err(e) => {
            let mut r = Refusal::from_error(e, lang)?;
            if unreadable {
                r.errors.0.retain(|e| e.field != "held_on");
                r.errors.push(date_error("held_on"));
            }
            meetings_page(&state, &user, lang, &rid, held_on, participants, r).await
        }
    }
}

struct MeetingDecisionRow {
    course_id: Uuid,
    child_name: String,
    outcome: &'static str,
    detail: String,
    time: String,
}

#[derive(Template)]
#[template(path = "visitation_meeting.html")]
struct MeetingTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    held_on: String,
    participants: String,
    waiting: Vec<WorkRow>,
    decided: Vec<MeetingDecisionRow>,
}

async fn meeting(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let ctx = user.ctx(&rid);
    let (m, decisions) = svc::meeting(&*state.store, &ctx, id).await?;
    // One worklist read gives both the courses still to handle and the names of those decided.
    let all = svc::worklist(&*state.store, &ctx, &WorklistFilter::default()).await?;
    let names: HashMap<Uuid, &str> = all
        .iter()
        .map(|i| (i.summary.course.id, i.summary.child_name.as_str()))
        .collect();
    let t = Tr(lang);
    let decided = decisions
        .iter()
        .map(|d| MeetingDecisionRow {
            course_id: d.course_id,
            child_name: names.get(&d.course_id).copied().unwrap_or("–").to_string(),
            outcome: outcome_label(t, d.outcome),
            detail: match (&d.track, &d.way) {
                (Some(track), _) => track.label(lang).to_string(),
                (None, Some(way)) => way.destination.label(lang).to_string(),
                (None, None) => String::new(),
            },
            time: local_time(d.decided_at, false),
        })
        .collect();
    let waiting = all
        .iter()
        .filter(|i| i.summary.course.status == CourseStatus::Active && !i.summary.decided)
        .map(|i| work_row(t, i))
        .collect();
    Ok(render(
        StatusCode::OK,
        &MeetingTemplate {
            t,
            l: Layout::new(Some(&user), t, &format!("/visitation/{id}"), "visitation")
                .with_notice(saved_notice(t, q.saved.as_deref())),
            id,
            held_on: day(m.held_on),
            participants: m.participants,
            waiting,
            decided,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_times_are_read_in_the_usual_ways() {
        let want = NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(10, 30, 0)
            .unwrap();
        for s in ["2026-11-20T10:30", "2026-11-20 10:30", "20.11.2026 10:30"] {
            assert_eq!(parse_local_datetime(s), Some(want), "{s}");
        }
        assert_eq!(parse_local_datetime("20. november"), None);
        assert_eq!(
            parse_date("20.11.2026"),
            NaiveDate::from_ymd_opt(2026, 11, 20)
        );
    }

    #[test]
    fn ticks_name_a_track_and_a_criterion() {
        let f = DecisionForm {
            ticks: vec![
                "worry_sadness:psychosis".into(),
                "nonsense".into(),
                "no_track:x".into(),
            ],
            ..Default::default()
        };
        assert_eq!(
            f.ticked(),
            vec![CriterionRef {
                track: Programme::WorrySadness,
                criterion: "psychosis".into()
            }]
        );
    }
}
