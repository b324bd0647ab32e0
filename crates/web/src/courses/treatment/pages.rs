//! The therapist's page of a course in treatment (`/courses/{id}/treatment`): the responsible
//! therapist, planned versus delivered sessions (book a time, cancel with a reason), recording
//! a session, the journal with corrections, correcting single encounters, a referral during
//! treatment, the closing and the follow-up talk, and the messages to the GP.
//!
//! Every form carries the course version it was read at; a refused form is shown again with
//! its input and a Danish (or English) message beside each field.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::courses::pages::{
    INPUT_DATETIME, Refusal, datetime_error, day, delivery_choices, delivery_label, moment,
    now_input, parse_local_datetime, participant_choices, participants_label, some_text,
};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::pages::Cx;
use crate::pages::{Layout, local_time, render};
use crate::request::{CsrfForm, Id, IdAnd};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::closing::{Attendee, ClosingInput, ClosingReason};
use samspor_domain::course::contact::Consent;
use samspor_domain::course::encounter::{Delivery, EncounterType, Participants};
use samspor_domain::course::kl::ReferralDestination;
use samspor_domain::course::plan::Participants as PlanParticipants;
use samspor_domain::i18n::Lang;
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::courses::treatment::{self as svc, CloseRequest, SessionInput};
use samspor_store::courses::{self as courses_svc, CourseView};
use samspor_store::{EncounterStatus, GpMessage, GpMessageKind, PlannedStatus};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/courses/{id}/treatment", get(show))
        .route("/courses/{id}/treatment/therapist", post(set_therapist))
        .route("/courses/{id}/treatment/sessions", post(record_session))
        .route("/courses/{id}/treatment/journal", post(add_journal))
        .route(
            "/courses/{id}/treatment/planned/{number}/booking",
            post(book_session),
        )
        .route(
            "/courses/{id}/treatment/planned/{number}/cancel",
            post(cancel_session),
        )
        .route(
            "/courses/{id}/treatment/planned/cancel-remaining",
            post(cancel_remaining),
        )
        .route("/courses/{id}/treatment/closing", post(close))
        .route("/courses/{id}/treatment/follow-up", post(follow_up))
        .route("/courses/{id}/treatment/referrals", post(add_referral))
        .route(
            "/courses/{id}/treatment/encounters/{encounter_id}/entered-in-error",
            post(encounter_in_error),
        )
}

/// Words for who takes part in a planned session.
pub(crate) fn plan_participants_label(t: Tr, p: PlanParticipants) -> &'static str {
    match p {
        PlanParticipants::Child => t.t("treat.part_child"),
        PlanParticipants::Parents => t.t("treat.part_parents"),
        PlanParticipants::ChildAndParents => t.t("treat.part_child_parents"),
    }
}

pub(crate) fn planned_status_label(t: Tr, s: PlannedStatus) -> &'static str {
    match s {
        PlannedStatus::Planned => t.t("treat.status_planned"),
        PlannedStatus::Held => t.t("treat.status_held"),
        PlannedStatus::Cancelled => t.t("treat.status_cancelled"),
    }
}

pub(crate) fn consent_label(lang: Lang, c: Consent) -> &'static str {
    c.label(lang)
}

/// One GP message as shown on the course page and the treatment page.
pub(crate) struct GpView {
    pub(crate) kind: &'static str,
    pub(crate) consent: &'static str,
    pub(crate) consent_given: bool,
    pub(crate) status: &'static str,
    pub(crate) created: String,
    pub(crate) lines: Vec<(&'static str, String)>,
}

pub(crate) fn gp_view(t: Tr, m: &GpMessage) -> GpView {
    let lang = t.0;
    let c = &m.content;
    let text = |k: &str| c.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let number = |k: &str| c.get(k).and_then(|v| v.as_u64());
    let date = |k: &str| {
        text(k)
            .and_then(|s| s.parse::<chrono::NaiveDate>().ok())
            .map(day)
    };
    let mut lines = Vec::new();
    if let Some(track) =
        text("track").and_then(|s| samspor_domain::organisation::Programme::parse(&s))
    {
        lines.push((t.t("decision.track"), track.label(lang).to_string()));
    }
    if let Some(d) = date("treatment_start") {
        lines.push((t.t("treat.gp_start"), d));
    }
    if let Some(d) = date("end") {
        lines.push((t.t("course.ended"), d));
    }
    if let Some(r) = text("closing_reason").and_then(|s| ClosingReason::parse(&s)) {
        lines.push((t.t("treat.closing_reason"), r.label(lang).to_string()));
    }
    if let (Some(held), Some(planned)) = (number("sessions_held"), number("sessions_planned")) {
        lines.push((
            t.t("treat.gp_sessions"),
            sessions_text(t, held, planned, number("sessions_cancelled").unwrap_or(0)),
        ));
    } else if let Some(planned) = number("sessions_planned") {
        lines.push((t.t("treat.planned_count"), planned.to_string()));
    }
    if let Some(s) = text("summary") {
        lines.push((t.t("treat.summary"), s));
    }
    if let Some(d) = date("follow_up_due") {
        lines.push((t.t("treat.follow_up_due"), d));
    }
    GpView {
        kind: match m.kind {
            GpMessageKind::Start => t.t("treat.gp_kind_start"),
            GpMessageKind::End => t.t("treat.gp_kind_end"),
        },
        consent: consent_label(lang, m.consent),
        consent_given: m.consent == Consent::Given,
        status: match m.status.as_str() {
            "to_be_sent" => t.t("treat.gp_to_be_sent"),
            _ => t.t("treat.gp_sent"),
        },
        created: local_time(m.created_at, false),
        lines,
    }
}

struct PlannedView {
    number: u32,
    title: String,
    participants: &'static str,
    status: &'static str,
    open: bool,
    booked: Option<String>,
    booked_input: String,
    cancel_reason: Option<String>,
    held_at: Option<String>,
}

struct SessionView {
    when: String,
    module: String,
    planned_number: Option<u32>,
    attendance: String,
    how: String,
    struck: bool,
    error_reason: Option<String>,
}

struct EncounterView {
    id: Uuid,
    when: String,
    title: &'static str,
    struck: bool,
    error_reason: Option<String>,
    can_mark: bool,
}

struct JournalItem {
    id: Uuid,
    when: String,
    by: String,
    text: String,
    corrected: bool,
}

/// An entry as first written, with the corrections made to it (and to its corrections).
struct JournalThread {
    original: JournalItem,
    corrections: Vec<JournalItem>,
}

struct FollowUpView {
    due: String,
    held: Option<String>,
    note: Option<String>,
    can_hold: bool,
}

struct ClosingView {
    reason: &'static str,
    note: Option<String>,
    summary: Option<String>,
}

/// What the forms hold when the page is shown again after a refusal.
#[derive(Default)]
struct Forms {
    therapist_r: Refusal,
    session: Option<SessionForm>,
    session_r: Refusal,
    journal_text: String,
    journal_corrects: String,
    journal_r: Refusal,
    /// (planned session number, refusal) of a booking or cancellation.
    planned_r: Option<(u32, Refusal)>,
    cancel_rest_reason: String,
    cancel_rest_r: Refusal,
    closing: Option<ClosingForm>,
    closing_r: Refusal,
    follow_held: String,
    follow_note: String,
    follow_r: Refusal,
    referral: Option<(String, String, String)>,
    referral_r: Refusal,
    /// (encounter, refusal) of marking an encounter entered in error.
    error_r: Option<(Uuid, Refusal)>,
}

#[derive(Default, Clone)]
struct SessionForm {
    at: String,
    delivery: String,
    participants: String,
    planned_number: String,
    module: String,
    attendance: Vec<String>,
    note: String,
}

#[derive(Default, Clone)]
struct ClosingForm {
    talk_at: String,
    at: String,
    reason: String,
    note: String,
    summary: String,
    moved_to: String,
}

#[derive(Template)]
#[template(path = "courses/treatment/treatment_course.html")]
struct TreatmentTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    child_id: Uuid,
    child_name: String,
    version: i64,
    active: bool,
    completed: bool,
    status: &'static str,
    track: Option<&'static str>,
    therapist: Option<String>,
    staff: Vec<(Uuid, String, bool)>,
    planned: Vec<PlannedView>,
    /// "held of planned (n cancelled)".
    delivered: String,
    sessions: Vec<SessionView>,
    encounters: Vec<EncounterView>,
    journal: Vec<JournalThread>,
    journal_choices: Vec<(Uuid, String)>,
    closing: Option<ClosingView>,
    follow_up: Option<FollowUpView>,
    gp: Vec<GpView>,
    deliveries: Vec<(&'static str, &'static str)>,
    participants: Vec<(&'static str, &'static str)>,
    attendees: Vec<(&'static str, &'static str)>,
    reasons: Vec<(&'static str, &'static str)>,
    municipalities: &'static [samspor_domain::geo::Municipality],
    destinations: Vec<(&'static str, &'static str)>,
    open_numbers: Vec<(u32, String)>,
    f: Forms,
    s: SessionForm,
    c: ClosingForm,
    referral: (String, String, String),
}

impl TreatmentTemplate {
    fn therapist_err(&self, field: &str) -> Option<&str> {
        self.f.therapist_r.err(field, self.t.0)
    }
    fn session_err(&self, field: &str) -> Option<&str> {
        self.f.session_r.err(field, self.t.0)
    }
    fn journal_err(&self, field: &str) -> Option<&str> {
        self.f.journal_r.err(field, self.t.0)
    }
    fn closing_err(&self, field: &str) -> Option<&str> {
        self.f.closing_r.err(field, self.t.0)
    }
    fn follow_err(&self, field: &str) -> Option<&str> {
        self.f.follow_r.err(field, self.t.0)
    }
    fn referral_err(&self, field: &str) -> Option<&str> {
        self.f.referral_r.err(field, self.t.0)
    }
    /// How many planned sessions are still open (neither held nor cancelled).
    fn open_planned(&self) -> usize {
        self.planned.iter().filter(|p| p.open).count()
    }
    /// Every message of a planned session's booking or cancellation form, for its row.
    fn planned_errors(&self, number: &u32) -> Vec<String> {
        match &self.f.planned_r {
            Some((n, r)) if n == number => messages(r, self.t.0),
            _ => Vec::new(),
        }
    }
    fn encounter_errors(&self, id: &Uuid) -> Vec<String> {
        match &self.f.error_r {
            Some((e, r)) if e == id => messages(r, self.t.0),
            _ => Vec::new(),
        }
    }
    fn attended(&self, code: &str) -> bool {
        self.s.attendance.iter().any(|a| a == code)
    }
}

/// The same refusal with the service's field names as this page's field ids (several forms on
/// the page have a time and a note), so each message sits beside its own field.
fn renamed(mut r: Refusal, map: &[(&str, &str)]) -> Refusal {
    for e in &mut r.errors.0 {
        if let Some((_, to)) = map.iter().find(|(from, _)| *from == e.field) {
            e.field = to.to_string();
        }
    }
    r
}

fn messages(r: &Refusal, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = r.conflict.iter().cloned().collect();
    out.extend(r.errors.0.iter().map(|e| e.message(lang).to_string()));
    out
}

fn journal_threads(t: Tr, v: &CourseView) -> Vec<JournalThread> {
    let tr = &v.treatment;
    let item = |e: &samspor_store::JournalEntry| JournalItem {
        id: e.id,
        when: local_time(e.written_at, false),
        by: e.written_by_name.clone().unwrap_or_else(|| "–".into()),
        text: e.text.clone(),
        corrected: tr.correction_of(e.id).is_some(),
    };
    // The first entry of a chain of corrections.
    let root = |mut id: Uuid| {
        for _ in 0..tr.journal.len() {
            match tr
                .journal
                .iter()
                .find(|e| e.id == id)
                .and_then(|e| e.corrects_id)
            {
                Some(up) => id = up,
                None => break,
            }
        }
        id
    };
    let _ = t;
    tr.journal
        .iter()
        .filter(|e| e.corrects_id.is_none())
        .map(|e| JournalThread {
            original: item(e),
            corrections: tr
                .journal
                .iter()
                .filter(|c| c.corrects_id.is_some() && root(c.id) == e.id)
                .map(item)
                .collect(),
        })
        .collect()
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    rid: &str,
    id: Uuid,
    f: Forms,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let v = courses_svc::course_to_work_on(&state.store, &user.ctx(rid), id).await?;
    let t = Tr(lang);
    let tr = &v.treatment;
    let status = form_status(&f);
    let active = v.course.status == CourseStatus::Active;
    let open_numbers: Vec<(u32, String)> = tr
        .planned
        .iter()
        .filter(|p| p.status == PlannedStatus::Planned)
        .map(|p| (p.number, title(lang, &p.title_da, &p.title_en)))
        .collect();
    let s = f.session.clone().unwrap_or_else(|| SessionForm {
        at: now_input(),
        planned_number: open_numbers
            .first()
            .map(|(n, _)| n.to_string())
            .unwrap_or_default(),
        ..Default::default()
    });
    let c = f.closing.clone().unwrap_or_else(|| ClosingForm {
        at: now_input(),
        ..Default::default()
    });
    let referral = f
        .referral
        .clone()
        .unwrap_or_else(|| (String::new(), String::new(), now_input()));
    let template = TreatmentTemplate {
        t,
        l: Layout::new(
            Some(user),
            t,
            &format!("/courses/{id}/treatment"),
            "courses",
        )
        .with_notice(notice),
        id,
        child_id: v.course.child_id,
        child_name: v.child_name.clone(),
        version: v.course.version,
        active,
        completed: v.course.status == CourseStatus::Completed,
        status: v.course.status.label(lang),
        track: v.course.track.map(|p| p.label(lang)),
        therapist: tr.therapist_name.clone(),
        staff: tr
            .staff
            .iter()
            .map(|(uid, name)| (*uid, name.clone(), tr.therapist_id == Some(*uid)))
            .collect(),
        delivered: {
            let count = |f: &dyn Fn(&PlannedStatus) -> bool| {
                tr.planned.iter().filter(|p| f(&p.status)).count() as u64
            };
            sessions_text(
                t,
                count(&|s| *s == PlannedStatus::Held),
                count(&|s| *s != PlannedStatus::Cancelled),
                count(&|s| *s == PlannedStatus::Cancelled),
            )
        },
        planned: planned_views(t, &v),
        sessions: session_views(t, &v),
        encounters: encounter_views(lang, &v),
        journal: journal_threads(t, &v),
        journal_choices: tr
            .journal
            .iter()
            .map(|e| {
                let short: String = e.text.chars().take(40).collect();
                (
                    e.id,
                    format!("{} – {short}", local_time(e.written_at, false)),
                )
            })
            .collect(),
        closing: tr.closing_reason.map(|r| ClosingView {
            reason: r.label(lang),
            note: tr.closing_note.clone(),
            summary: tr.summary().map(Into::into),
        }),
        follow_up: tr.follow_up.as_ref().map(|fu| FollowUpView {
            due: day(fu.due_on),
            held: fu.held_at.map(moment),
            note: fu.note.clone(),
            can_hold: fu.held_at.is_none(),
        }),
        gp: tr.gp_messages.iter().map(|m| gp_view(t, m)).collect(),
        deliveries: delivery_choices(t),
        participants: participant_choices(t),
        attendees: Attendee::ALL.map(|a| (a.as_str(), a.label(lang))).to_vec(),
        reasons: ClosingReason::ALL
            .map(|r| (r.as_str(), r.label(lang)))
            .to_vec(),
        municipalities: samspor_domain::geo::municipalities(),
        destinations: ReferralDestination::ALL
            .map(|d| (d.as_str(), d.label(lang)))
            .to_vec(),
        open_numbers,
        s,
        c,
        referral,
        f,
    };
    Ok(render(status, &template))
}

/// "held of planned (n cancelled)": one wording wherever sessions are counted; planned counts
/// the sessions not cancelled.
fn sessions_text(t: Tr, held: u64, planned: u64, cancelled: u64) -> String {
    let mut s = format!("{held} {} {planned}", t.t("treat.of"));
    if cancelled > 0 {
        s.push_str(&format!(" ({cancelled} {})", t.t("treat.cancelled_count")));
    }
    s
}

/// The page's status: the gravest refusal among its forms (a conflict before invalid input).
fn form_status(f: &Forms) -> StatusCode {
    Refusal::gravest(
        [
            Some(&f.therapist_r),
            Some(&f.session_r),
            Some(&f.journal_r),
            f.planned_r.as_ref().map(|(_, r)| r),
            Some(&f.cancel_rest_r),
            Some(&f.closing_r),
            Some(&f.follow_r),
            Some(&f.referral_r),
            f.error_r.as_ref().map(|(_, r)| r),
        ]
        .into_iter()
        .flatten(),
    )
}

fn title(lang: Lang, da: &str, en: &str) -> String {
    match lang {
        Lang::Da => da.to_string(),
        Lang::En => en.to_string(),
    }
}

/// The planned sessions, each with its booking or the encounter that delivered it.
fn planned_views(t: Tr, v: &CourseView) -> Vec<PlannedView> {
    let lang = t.0;
    let tr = &v.treatment;
    tr.planned
        .iter()
        .map(|p| PlannedView {
            number: p.number,
            title: title(lang, &p.title_da, &p.title_en),
            participants: plan_participants_label(t, p.participants),
            status: planned_status_label(t, p.status),
            open: p.status == PlannedStatus::Planned,
            booked: p.planned_at.map(moment),
            booked_input: p
                .planned_at
                .map(|x| x.format(INPUT_DATETIME).to_string())
                .unwrap_or_default(),
            cancel_reason: p.cancel_reason.clone(),
            held_at: p
                .encounter_id
                .and_then(|e| v.encounters.iter().find(|x| x.id == e))
                .map(|e| moment(e.encounter.at)),
        })
        .collect()
}

/// The treatment sessions held, with module, attendance and how they were delivered.
fn session_views(t: Tr, v: &CourseView) -> Vec<SessionView> {
    let lang = t.0;
    let tr = &v.treatment;
    v.encounters
        .iter()
        .filter(|e| e.encounter.kind == EncounterType::Behandling)
        .map(|e| {
            let d = tr.detail_of(e.id);
            let how = e
                .encounter
                .treatment
                .map(|x| {
                    format!(
                        "{}, {}",
                        delivery_label(t, x.delivery),
                        participants_label(t, x.participants)
                    )
                })
                .unwrap_or_default();
            SessionView {
                when: moment(e.encounter.at),
                module: d.map(|d| d.module.clone()).unwrap_or_else(|| "–".into()),
                planned_number: d
                    .and_then(|d| d.planned_session_id)
                    .and_then(|pid| tr.planned.iter().find(|p| p.id == pid))
                    .map(|p| p.number),
                attendance: d
                    .map(|d| {
                        d.attendance
                            .iter()
                            .map(|a| a.label(lang))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_else(|| "–".into()),
                how,
                struck: e.status == EncounterStatus::EnteredInError,
                error_reason: tr.error_reason(e.id).map(Into::into),
            }
        })
        .collect()
}

/// Every encounter of the course, and whether it may still be marked entered in error.
fn encounter_views(lang: Lang, v: &CourseView) -> Vec<EncounterView> {
    let tr = &v.treatment;
    v.encounters
        .iter()
        .map(|e| EncounterView {
            id: e.id,
            when: moment(e.encounter.at),
            title: e.encounter.kind.label(lang),
            struck: e.status == EncounterStatus::EnteredInError,
            error_reason: tr.error_reason(e.id).map(Into::into),
            can_mark: e.status == EncounterStatus::Held
                && v.course.status != CourseStatus::EnteredInError
                && !matches!(
                    e.encounter.kind,
                    EncounterType::Henvendelse | EncounterType::Afslutning
                ),
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

fn saved_notice(t: Tr, saved: Option<&str>) -> Option<&'static str> {
    match saved? {
        "therapist" => Some(t.t("treat.saved_therapist")),
        "session" => Some(t.t("treat.saved_session")),
        "journal" => Some(t.t("treat.saved_journal")),
        "booking" => Some(t.t("treat.saved_booking")),
        "cancel" => Some(t.t("treat.saved_cancel")),
        "cancel-remaining" => Some(t.t("treat.saved_cancel_rest")),
        "closing" => Some(t.t("treat.saved_closing")),
        "follow-up" => Some(t.t("treat.saved_follow_up")),
        "referral" => Some(t.t("treat.saved_referral")),
        "entered-in-error" => Some(t.t("treat.saved_error")),
        _ => None,
    }
}

async fn show(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let notice = saved_notice(Tr(lang), q.saved.as_deref());
    page(&state, &user, lang, &rid, id, Forms::default(), notice).await
}

fn done(id: Uuid, what: &str) -> Response {
    Redirect::to(&format!("/courses/{id}/treatment?saved={what}")).into_response()
}

async fn set_therapist(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let chosen = p.get("therapist_id");
    let therapist = match chosen.trim() {
        "" => Ok(None),
        s => Uuid::parse_str(s).map(Some).map_err(|_| {
            FieldErrors::from(FieldError::new(
                "therapist_id",
                "Choose a member of staff from the list.",
                "Vælg en medarbejder på listen.",
            ))
        }),
    };
    let refusal = match therapist {
        Err(e) => Refusal::invalid(e),
        Ok(therapist) => {
            match svc::set_therapist(&state.store, &user.ctx(&rid), id, Some(version), therapist)
                .await
            {
                Ok(_) => return Ok(done(id, "therapist")),
                Err(e) => Refusal::from_error(e, lang)?,
            }
        }
    };
    let f = Forms {
        therapist_r: refusal,
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn record_session(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let form = SessionForm {
        at: p.get("session_at"),
        delivery: p.get("delivery"),
        participants: p.get("participants"),
        planned_number: p.get("planned_number"),
        module: p.get("module"),
        attendance: p.all("attendance"),
        note: p.get("note"),
    };
    let mut errors = FieldErrors::default();
    let at = parse_local_datetime(&form.at);
    if at.is_none() {
        errors.push(datetime_error("session_at"));
    }
    let delivery = match form.delivery.as_str() {
        "individual" => Some(Delivery::Individual),
        "group" => Some(Delivery::Group),
        _ => None,
    };
    let participants = match form.participants.as_str() {
        "child_present" => Some(Participants::ChildPresent),
        "caregivers_only" => Some(Participants::CaregiversOnly),
        _ => None,
    };
    let refusal = if errors.is_empty() {
        let input = SessionInput {
            at,
            delivery,
            participants,
            planned_number: form.planned_number.trim().parse().ok(),
            module: some_text(&form.module),
            attendance: form.attendance.clone(),
            note: some_text(&form.note),
        };
        match svc::record_session(&state.store, &user.ctx(&rid), id, Some(version), &input).await {
            Ok(_) => return Ok(done(id, "session")),
            Err(e) => renamed(
                Refusal::from_error(e, lang)?,
                &[("at", "session_at"), ("planned_session", "planned_number")],
            ),
        }
    } else {
        Refusal::invalid(errors)
    };
    let f = Forms {
        session: Some(form),
        session_r: refusal,
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn add_journal(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let text_in = p.get("journal_text");
    let corrects_in = p.get("corrects_id");
    let corrects = match corrects_in.trim() {
        "" => Ok(None),
        s => Uuid::parse_str(s).map(Some).map_err(|_| {
            FieldErrors::from(FieldError::new(
                "corrects_id",
                "Choose the entry to correct from the list.",
                "Vælg notatet, der skal rettes, på listen.",
            ))
        }),
    };
    let refusal = match corrects {
        Err(e) => Refusal::invalid(e),
        Ok(corrects) => match svc::add_journal_entry(
            &state.store,
            &user.ctx(&rid),
            id,
            Some(version),
            Some(&text_in),
            corrects,
        )
        .await
        {
            Ok(_) => return Ok(done(id, "journal")),
            Err(e) => renamed(Refusal::from_error(e, lang)?, &[("text", "journal_text")]),
        },
    };
    let f = Forms {
        journal_text: text_in,
        journal_corrects: corrects_in,
        journal_r: refusal,
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn book_session(
    Cx(state, user, lang, rid): Cx,
    IdAnd(id, number): IdAnd<u32>,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let typed = p.get("planned_at");
    let at = if typed.trim().is_empty() {
        Ok(None)
    } else {
        parse_local_datetime(&typed)
            .map(Some)
            .ok_or_else(|| FieldErrors::from(datetime_error("planned_at")))
    };
    let refusal = match at {
        Err(e) => Refusal::invalid(e),
        Ok(at) => {
            match svc::book_session(&state.store, &user.ctx(&rid), id, Some(version), number, at)
                .await
            {
                Ok(_) => return Ok(done(id, "booking")),
                Err(e) => Refusal::from_error(e, lang)?,
            }
        }
    };
    let f = Forms {
        planned_r: Some((number, refusal)),
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn cancel_session(
    Cx(state, user, lang, rid): Cx,
    IdAnd(id, number): IdAnd<u32>,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let reason = p.get("reason");
    let refusal = match svc::cancel_session(
        &state.store,
        &user.ctx(&rid),
        id,
        Some(version),
        number,
        Some(&reason),
    )
    .await
    {
        Ok(_) => return Ok(done(id, "cancel")),
        Err(e) => Refusal::from_error(e, lang)?,
    };
    let f = Forms {
        planned_r: Some((number, refusal)),
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

/// "Aflys resterende sessioner": every session still planned, with one reason.
async fn cancel_remaining(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let reason = p.get("cancel_rest_reason");
    let refusal = match svc::cancel_remaining_sessions(
        &state.store,
        &user.ctx(&rid),
        id,
        Some(version),
        Some(&reason),
    )
    .await
    {
        Ok(_) => return Ok(done(id, "cancel-remaining")),
        Err(e) => Refusal::from_error(e, lang)?,
    };
    let f = Forms {
        cancel_rest_reason: reason,
        cancel_rest_r: refusal,
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn close(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let form = ClosingForm {
        talk_at: p.get("closing_talk_at"),
        at: p.get("closing_at"),
        reason: p.get("closing_reason"),
        note: p.get("closing_note"),
        summary: p.get("summary"),
        moved_to: p.get("moved_to"),
    };
    let mut errors = FieldErrors::default();
    let talk_at = if form.talk_at.trim().is_empty() {
        None
    } else {
        let t = parse_local_datetime(&form.talk_at);
        if t.is_none() {
            errors.push(datetime_error("closing_talk_at"));
        }
        t
    };
    let at = parse_local_datetime(&form.at);
    if at.is_none() {
        errors.push(datetime_error("closing_at"));
    }
    let refusal = if errors.is_empty() {
        let req = CloseRequest {
            closing_talk_at: talk_at,
            at,
            closing: ClosingInput {
                reason: some_text(&form.reason),
                note: some_text(&form.note),
                summary: some_text(&form.summary),
                moved_to: some_text(&form.moved_to),
            },
        };
        match svc::close(
            &state.store,
            &user.ctx(&rid),
            id,
            Some(version),
            &req,
            &state.tracks,
        )
        .await
        {
            Ok(_) => return Ok(done(id, "closing")),
            Err(e) => renamed(Refusal::from_error(e, lang)?, &[("at", "closing_at")]),
        }
    } else {
        Refusal::invalid(errors)
    };
    let f = Forms {
        closing: Some(form),
        closing_r: refusal,
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn follow_up(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let held = p.get("held_at");
    let note = p.get("follow_note");
    let refusal = match parse_local_datetime(&held) {
        None => Refusal::invalid(datetime_error("held_at").into()),
        Some(at) => match svc::hold_follow_up(
            &state.store,
            &user.ctx(&rid),
            id,
            Some(version),
            Some(at),
            Some(&note),
        )
        .await
        {
            Ok(_) => return Ok(done(id, "follow-up")),
            Err(e) => renamed(Refusal::from_error(e, lang)?, &[("note", "follow_note")]),
        },
    };
    let f = Forms {
        follow_held: held,
        follow_note: note,
        follow_r: refusal,
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn add_referral(
    Cx(state, user, lang, rid): Cx,
    Id(id): Id,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let (destination, note, at_in) = (
        p.get("destination"),
        p.get("referral_note"),
        p.get("referral_at"),
    );
    let refusal = match parse_local_datetime(&at_in) {
        None => Refusal::invalid(datetime_error("referral_at").into()),
        Some(at) => match svc::add_referral(
            &state.store,
            &user.ctx(&rid),
            id,
            Some(version),
            Some(&destination),
            Some(&note),
            Some(courses_svc::instant_of_local(at)),
        )
        .await
        {
            Ok(_) => return Ok(done(id, "referral")),
            Err(e) => renamed(
                Refusal::from_error(e, lang)?,
                &[("at", "referral_at"), ("note", "referral_note")],
            ),
        },
    };
    let f = Forms {
        referral: Some((destination, note, at_in)),
        referral_r: refusal,
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}

async fn encounter_in_error(
    Cx(state, user, lang, rid): Cx,
    IdAnd(id, encounter_id): IdAnd<Uuid>,
    CsrfForm(p): CsrfForm,
) -> Result<Response, WebError> {
    let version = p.version()?;
    let reason = p.get("reason");
    let refusal = match svc::mark_encounter_in_error(
        &state.store,
        &user.ctx(&rid),
        id,
        Some(version),
        encounter_id,
        Some(&reason),
    )
    .await
    {
        Ok(_) => return Ok(done(id, "entered-in-error")),
        Err(e) => Refusal::from_error(e, lang)?,
    };
    let f = Forms {
        error_r: Some((encounter_id, refusal)),
        ..Default::default()
    };
    page(&state, &user, lang, &rid, id, f, None).await
}
