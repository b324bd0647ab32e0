//! Treatment through the API: sessions, the journal, planned sessions, closing, the follow-up
//! talk, corrections of single encounters, referrals during treatment and the therapist.
//!
//! Every write carries the course `version` it was read at (a newer one on the server gives
//! 409) and answers with the course's new version.

use crate::api::*;
use crate::courses::api::{ReferralOut, optional_time};
use crate::request::{Id, IdAnd};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::closing::ClosingInput;
use samspor_domain::course::encounter::{Delivery, Participants};
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::courses::treatment::{self as svc, CloseRequest, SessionInput, TreatmentView};
use samspor_store::{CourseRecord, GpMessageKind};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_session))
        .routes(routes!(add_journal))
        .routes(routes!(cancel_session))
        .routes(routes!(book_session))
        .routes(routes!(close))
        .routes(routes!(follow_up))
        .routes(routes!(encounter_in_error))
        .routes(routes!(add_referral))
        .routes(routes!(set_therapist))
}

/// One session of the track's plan.
#[derive(Serialize, ToSchema)]
pub struct PlannedSessionOut {
    number: u32,
    title_da: String,
    title_en: String,
    /// `child`, `parents` or `child_and_parents`.
    participants: String,
    /// `planned`, `held` or `cancelled`.
    status: String,
    /// The booked time (Danish local), if booked.
    planned_at: Option<NaiveDateTime>,
    /// The Behandling encounter that delivered it.
    encounter_id: Option<Uuid>,
    cancel_reason: Option<String>,
}

/// A treatment session of the session log: the Behandling with what it delivered.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    encounter_id: Uuid,
    /// Danish local time.
    at: NaiveDateTime,
    delivery: Option<String>,
    participants: Option<String>,
    /// The planned session it delivered, by number.
    planned_number: Option<u32>,
    module: String,
    /// Who took part: `child`, `mother`, `father`, `other_caregiver`.
    attendance: Vec<String>,
    /// `held` or `entered-in-error`.
    status: String,
    /// Why it was marked entered in error.
    error_reason: Option<String>,
}

/// A journal entry. Entries are never changed; `corrected_by` names the latest correction.
#[derive(Serialize, ToSchema)]
pub struct JournalEntryOut {
    id: Uuid,
    encounter_id: Option<Uuid>,
    text: String,
    /// The entry this one corrects.
    corrects_id: Option<Uuid>,
    /// The latest entry correcting this one.
    corrected_by: Option<Uuid>,
    written_at: DateTime<Utc>,
    written_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpOut {
    due_on: NaiveDate,
    held_at: Option<NaiveDateTime>,
    note: Option<String>,
}

/// Information to the child's GP. `to_be_sent` until sent (sending through MedCom comes later).
#[derive(Serialize, ToSchema)]
pub struct GpMessageOut {
    id: Uuid,
    /// `start` (treatment started) or `end` (course closed).
    kind: String,
    /// The course's consent when the message was written: `given`, `not_given` or `unknown`.
    consent: String,
    status: String,
    #[schema(value_type = Object)]
    content: serde_json::Value,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ClosingOut {
    /// `completed`, `dropped_out`, `moved`, `referred_on` or `other`.
    reason: String,
    note: Option<String>,
    /// The outcome summary given at closing.
    summary: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TherapistOut {
    id: Uuid,
    name: Option<String>,
}

/// The treatment part of `GET /api/v1/courses/{id}`.
pub(crate) struct TreatmentOut {
    pub therapist: Option<TherapistOut>,
    pub planned_sessions: Vec<PlannedSessionOut>,
    pub sessions: Vec<SessionOut>,
    pub journal: Vec<JournalEntryOut>,
    pub closing: Option<ClosingOut>,
    pub follow_up: Option<FollowUpOut>,
    pub gp_messages: Vec<GpMessageOut>,
}

pub(crate) fn treatment_out(
    t: &TreatmentView,
    encounters: &[samspor_store::EncounterRecord],
) -> TreatmentOut {
    let number_of = |planned_id: Option<Uuid>| {
        planned_id.and_then(|id| t.planned.iter().find(|p| p.id == id).map(|p| p.number))
    };
    TreatmentOut {
        therapist: t.therapist_id.map(|id| TherapistOut {
            id,
            name: t.therapist_name.clone(),
        }),
        planned_sessions: t
            .planned
            .iter()
            .map(|p| PlannedSessionOut {
                number: p.number,
                title_da: p.title_da.clone(),
                title_en: p.title_en.clone(),
                participants: p.participants.as_str().into(),
                status: p.status.as_str().into(),
                planned_at: p.planned_at,
                encounter_id: p.encounter_id,
                cancel_reason: p.cancel_reason.clone(),
            })
            .collect(),
        sessions: encounters
            .iter()
            .filter_map(|e| {
                let d = t.detail_of(e.id)?;
                Some(SessionOut {
                    encounter_id: e.id,
                    at: e.encounter.at,
                    delivery: e.encounter.treatment.map(|x| serde_plain(&x.delivery)),
                    participants: e.encounter.treatment.map(|x| serde_plain(&x.participants)),
                    planned_number: number_of(d.planned_session_id),
                    module: d.module.clone(),
                    attendance: d.attendance.iter().map(|a| a.as_str().into()).collect(),
                    status: serde_plain(&e.status),
                    error_reason: t.error_reason(e.id).map(Into::into),
                })
            })
            .collect(),
        journal: t
            .journal
            .iter()
            .map(|j| JournalEntryOut {
                id: j.id,
                encounter_id: j.encounter_id,
                text: j.text.clone(),
                corrects_id: j.corrects_id,
                corrected_by: t.correction_of(j.id).map(|c| c.id),
                written_at: j.written_at,
                written_by: j.written_by_name.clone(),
            })
            .collect(),
        closing: t.closing_reason.map(|r| ClosingOut {
            reason: r.as_str().into(),
            note: t.closing_note.clone(),
            summary: t.summary().map(Into::into),
        }),
        follow_up: t.follow_up.as_ref().map(|f| FollowUpOut {
            due_on: f.due_on,
            held_at: f.held_at,
            note: f.note.clone(),
        }),
        gp_messages: t
            .gp_messages
            .iter()
            .map(|m| GpMessageOut {
                id: m.id,
                kind: match m.kind {
                    GpMessageKind::Start => "start".into(),
                    GpMessageKind::End => "end".into(),
                },
                consent: m.consent.as_str().into(),
                status: m.status.clone(),
                content: m.content.clone(),
                created_at: m.created_at,
            })
            .collect(),
    }
}

/// A value's serde name (the API's code for it).
fn serde_plain(v: &impl Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// What a write to the course gives back.
#[derive(Serialize, ToSchema)]
pub struct Saved {
    course_id: Uuid,
    /// The course's new version.
    version: i64,
    /// The course's status after the change.
    status: String,
    /// The id of what was created, if anything.
    id: Option<Uuid>,
}

fn saved(course: &CourseRecord, id: Option<Uuid>, code: StatusCode) -> Response {
    (
        code,
        [(header::LOCATION, format!("/api/v1/courses/{}", course.id))],
        Json(Saved {
            course_id: course.id,
            version: course.version,
            status: course.status.as_str().into(),
            id,
        }),
    )
        .into_response()
}

fn required_time(errors: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<NaiveDateTime> {
    let t = optional_time(errors, field, v);
    if v.is_none_or(|v| v.trim().is_empty()) {
        errors.push(FieldError::required(field));
    }
    t
}

/// A treatment session held.
#[derive(Deserialize, ToSchema)]
pub struct SessionIn {
    /// When it was held: a Danish local time (2026-11-20T10:30), a date, or an RFC 3339 time.
    at: Option<String>,
    /// `individual` or `group`.
    delivery: Option<String>,
    /// `child_present` or `caregivers_only` (KL participants); must agree with `attendance`.
    participants: Option<String>,
    /// The number of the planned session it delivers, if any.
    planned_number: Option<u32>,
    /// The module delivered; defaults to the planned session's title.
    module: Option<String>,
    /// Who took part: `child`, `mother`, `father`, `other_caregiver` (at least one).
    #[serde(default)]
    attendance: Vec<String>,
    /// The session's journal note.
    note: Option<String>,
    version: Option<i64>,
}

fn delivery(errors: &mut FieldErrors, v: Option<&str>) -> Option<Delivery> {
    match v.map(str::trim) {
        None | Some("") => None,
        Some("individual") => Some(Delivery::Individual),
        Some("group") => Some(Delivery::Group),
        Some(_) => {
            errors.push(FieldError::new(
                "delivery",
                "Use individual or group.",
                "Vælg individuel eller gruppe.",
            ));
            None
        }
    }
}

fn participants(errors: &mut FieldErrors, v: Option<&str>) -> Option<Participants> {
    match v.map(str::trim) {
        None | Some("") => None,
        Some("child_present") => Some(Participants::ChildPresent),
        Some("caregivers_only") => Some(Participants::CaregiversOnly),
        Some(_) => {
            errors.push(FieldError::new(
                "participants",
                "Use child_present or caregivers_only.",
                "Vælg barnet deltog eller kun omsorgspersoner.",
            ));
            None
        }
    }
}

/// Record a treatment session: a KL Behandling with the module delivered, who took part and
/// the journal note. The first session makes its recorder the responsible therapist (unless
/// one is set) and writes the GP's start message. Refused after the course's closing, in the
/// future and before the contact (Henvendelse).
#[utoipa::path(post, path = "/api/v1/courses/{id}/sessions", tag = "treatment", request_body = SessionIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 201, body = Saved, description = "`id` is the Behandling encounter"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn record_session(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<SessionIn>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let input = SessionInput {
        at: required_time(&mut errors, "at", body.at.as_deref()),
        delivery: delivery(&mut errors, body.delivery.as_deref()),
        participants: participants(&mut errors, body.participants.as_deref()),
        planned_number: body.planned_number,
        module: body.module,
        attendance: body.attendance,
        note: body.note,
    };
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let r =
        svc::record_session(&state.store, &u.ctx(&rid), course_id, body.version, &input).await?;
    Ok(saved(&r.course, Some(r.encounter.id), StatusCode::CREATED))
}

/// A journal entry, or the correction of one.
#[derive(Deserialize, ToSchema)]
pub struct JournalIn {
    text: Option<String>,
    /// The entry of the same course this one corrects; the original stays, marked corrected.
    corrects_id: Option<Uuid>,
    version: Option<i64>,
}

/// Write a journal entry. The journal is append-only: a correction is a new entry with
/// `corrects_id`, pointing to an entry of the same course (which can be corrected again).
#[utoipa::path(post, path = "/api/v1/courses/{id}/journal", tag = "treatment", request_body = JournalIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 201, body = Saved, description = "`id` is the new entry"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn add_journal(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<JournalIn>,
) -> Result<Response, WebError> {
    let (course, entry) = svc::add_journal_entry(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        body.text.as_deref(),
        body.corrects_id,
    )
    .await?;
    Ok(saved(&course, Some(entry.id), StatusCode::CREATED))
}

/// Why a planned session is cancelled.
#[derive(Deserialize, ToSchema)]
pub struct CancelIn {
    reason: Option<String>,
    version: Option<i64>,
}

/// Cancel a planned session with a reason. Every session still planned must be cancelled (or
/// held) before the course can be closed.
#[utoipa::path(post, path = "/api/v1/courses/{id}/planned-sessions/{number}/cancel", tag = "treatment", request_body = CancelIn,
    params(("id" = Uuid, Path, description = "Course id"), ("number" = u32, Path, description = "Planned session number")),
    responses(
        (status = 200, body = Saved),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn cancel_session(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(course_id, number): IdAnd<u32>,
    ApiJson(body): ApiJson<CancelIn>,
) -> Result<Response, WebError> {
    let course = svc::cancel_session(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        number,
        body.reason.as_deref(),
    )
    .await?;
    Ok(saved(&course, None, StatusCode::OK))
}

/// A time booked for a planned session.
#[derive(Deserialize, ToSchema)]
pub struct BookingIn {
    /// Danish local time from today on; empty or absent removes the booking.
    planned_at: Option<String>,
    version: Option<i64>,
}

/// Book a time for a planned session (it shows on the therapist's front page that day).
#[utoipa::path(post, path = "/api/v1/courses/{id}/planned-sessions/{number}/booking", tag = "treatment", request_body = BookingIn,
    params(("id" = Uuid, Path, description = "Course id"), ("number" = u32, Path, description = "Planned session number")),
    responses(
        (status = 200, body = Saved),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn book_session(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(course_id, number): IdAnd<u32>,
    ApiJson(body): ApiJson<BookingIn>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let at = optional_time(&mut errors, "planned_at", body.planned_at.as_deref());
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let course = svc::book_session(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        number,
        at,
    )
    .await?;
    Ok(saved(&course, None, StatusCode::OK))
}

/// The closing of a course.
#[derive(Deserialize, ToSchema)]
pub struct ClosingIn {
    /// When the Afsluttende samtale was held, if it is recorded with this call (it may also be
    /// recorded before, as an encounter of type `afsluttende_samtale`, or not at all when the
    /// family dropped out).
    closing_talk_at: Option<String>,
    /// When the course was closed (the Afslutning); it must come after every other encounter.
    at: Option<String>,
    /// `completed`, `dropped_out`, `moved`, `referred_on` or `other`.
    closing_reason: Option<String>,
    /// Required for `other`.
    closing_note: Option<String>,
    /// A short outcome summary for the GP's end message.
    summary: Option<String>,
    /// For `moved` (required then, refused otherwise): the municipality code the family moved to,
    /// e.g. `0147`. The course gets the KL referral "§126a-tilbud i anden kommune".
    moved_to: Option<String>,
    version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ClosedOut {
    course_id: Uuid,
    version: i64,
    /// `completed`.
    status: String,
    end: Option<NaiveDate>,
    afslutning_id: Uuid,
    closing_talk_id: Option<Uuid>,
    /// When the follow-up talk is due (courses in a track): the end plus the track's months.
    follow_up_due: Option<NaiveDate>,
    /// The GP's end message (courses in a track).
    gp_message_id: Option<Uuid>,
}

/// Close the course in one call: the Afsluttende samtale (optional `closing_talk_at`) and the
/// Afslutning (`at`) with its reason. Every planned session still open must first be cancelled
/// with a reason; otherwise 422 names them under `planned_sessions` and nothing is saved. The
/// course is completed (end = the Afslutning's date), the follow-up talk is scheduled (end +
/// the track's `follow_up.months_after_end`, default 3) and the GP's end message is written.
/// `POST /api/v1/courses/{id}/encounters` with type `afslutning` follows the same rule and
/// takes the same `closing_reason`, `closing_note` and `summary`.
#[utoipa::path(post, path = "/api/v1/courses/{id}/closing", tag = "treatment", request_body = ClosingIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 201, body = ClosedOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn close(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<ClosingIn>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let req = CloseRequest {
        closing_talk_at: optional_time(
            &mut errors,
            "closing_talk_at",
            body.closing_talk_at.as_deref(),
        ),
        at: required_time(&mut errors, "at", body.at.as_deref()),
        closing: ClosingInput {
            reason: body.closing_reason,
            note: body.closing_note,
            summary: body.summary,
            moved_to: body.moved_to,
        },
    };
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let closed = svc::close(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        &req,
        &state.tracks,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/courses/{course_id}"))],
        Json(ClosedOut {
            course_id,
            version: closed.course.version,
            status: closed.course.status.as_str().into(),
            end: closed.course.ended_on,
            afslutning_id: closed.afslutning.id,
            closing_talk_id: closed.closing_talk.map(|e| e.id),
            follow_up_due: closed.follow_up.map(|f| f.due_on),
            gp_message_id: closed.gp_message.map(|m| m.id),
        }),
    )
        .into_response())
}

/// The follow-up talk held.
#[derive(Deserialize, ToSchema)]
pub struct FollowUpIn {
    /// When it was held (not in the future, not before the course's end).
    held_at: Option<String>,
    note: Option<String>,
    version: Option<i64>,
}

/// Record the systematic follow-up talk as held.
#[utoipa::path(post, path = "/api/v1/courses/{id}/follow-up", tag = "treatment", request_body = FollowUpIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 200, body = Saved),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn follow_up(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<FollowUpIn>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let held_at = required_time(&mut errors, "held_at", body.held_at.as_deref());
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let (course, _) = svc::hold_follow_up(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        held_at,
        body.note.as_deref(),
    )
    .await?;
    Ok(saved(&course, None, StatusCode::OK))
}

/// Why an encounter is marked entered in error.
#[derive(Deserialize, ToSchema)]
pub struct InErrorIn {
    reason: Option<String>,
    version: Option<i64>,
}

/// Mark one encounter entered in error, with a reason. It stays on record with that status
/// (reported to KL as `entered-in-error`); a planned session it delivered is open again.
/// The Henvendelse and the Afslutning cannot be marked one by one (mark the course instead).
#[utoipa::path(post, path = "/api/v1/courses/{id}/encounters/{encounter_id}/entered-in-error", tag = "treatment", request_body = InErrorIn,
    params(("id" = Uuid, Path, description = "Course id"), ("encounter_id" = Uuid, Path, description = "Encounter id")),
    responses(
        (status = 200, body = Saved),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn encounter_in_error(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(course_id, encounter_id): IdAnd<Uuid>,
    ApiJson(body): ApiJson<InErrorIn>,
) -> Result<Response, WebError> {
    let course = svc::mark_encounter_in_error(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        encounter_id,
        body.reason.as_deref(),
    )
    .await?;
    Ok(saved(&course, Some(encounter_id), StatusCode::OK))
}

/// A KL Referral during treatment.
#[derive(Deserialize, ToSchema)]
pub struct ReferralIn {
    /// `other`, `other_offer_home`, `other_municipality`, `gp`, `psychiatry` or `civil_society`.
    destination: Option<String>,
    /// What the family was told.
    note: Option<String>,
    /// When the family was guided (default now); not in the future.
    at: Option<String>,
    version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralCreated {
    referral: ReferralOut,
    version: i64,
}

/// Add a KL Referral to an active course without closing it, e.g. the family guided to a
/// civil-society offer during treatment. The time it was written is kept beside `at`.
#[utoipa::path(post, path = "/api/v1/courses/{id}/referrals", tag = "treatment", request_body = ReferralIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 201, body = ReferralCreated),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn add_referral(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<ReferralIn>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let at = optional_time(&mut errors, "at", body.at.as_deref())
        .map(samspor_store::courses::instant_of_local);
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let (course, referral) = svc::add_referral(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        body.destination.as_deref(),
        body.note.as_deref(),
        at,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/courses/{course_id}"))],
        Json(ReferralCreated {
            referral: referral.into(),
            version: course.version,
        }),
    )
        .into_response())
}

/// The responsible therapist.
#[derive(Deserialize, ToSchema)]
pub struct TherapistIn {
    /// A member of staff of the course's organisation who works with children; null clears it.
    therapist_id: Option<Uuid>,
    version: Option<i64>,
}

/// Set the course's responsible therapist.
#[utoipa::path(post, path = "/api/v1/courses/{id}/therapist", tag = "treatment", request_body = TherapistIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 200, body = Saved),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn set_therapist(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<TherapistIn>,
) -> Result<Response, WebError> {
    let course = svc::set_therapist(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        body.therapist_id,
    )
    .await?;
    Ok(saved(&course, None, StatusCode::OK))
}
