//! Courses through the API: contacts, encounters, visitation decisions, the deadline worklist.

use crate::api::*;
use crate::request::ApiJson;
use crate::request::Id;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::contact::ContactInput;
use samspor_domain::course::encounter::{Delivery, EncounterInput, EncounterType, Participants};
use samspor_domain::course::kl::Theme;
use samspor_domain::course::support::CriterionRef;
use samspor_domain::course::visitation::{DecisionInput, WayInput};
use samspor_domain::course::waiting::{GoalProgress, GoalStatus, Waiting};
use samspor_domain::organisation::Programme;
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::courses::{self, CourseView, NewContact, NewDecision, WorklistFilter};
use samspor_store::{CourseRecord, DecisionRecord, EncounterStatus, ReferralRecord};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_contact))
        .routes(routes!(read))
        .routes(routes!(add_encounter))
        .routes(routes!(decide))
        .routes(routes!(set_themes))
        .routes(routes!(deadlines))
}

/// A time as Danish staff give it: a date, a local date and time, or an RFC 3339 instant
/// (converted to Danish local time, since the waiting goals count Danish calendar days).
pub fn parse_local_time(field: &str, value: &str) -> Result<NaiveDateTime, FieldError> {
    let v = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(courses::local(t.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, format) {
            return Ok(t);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default());
    }
    Err(FieldError::new(
        field,
        "Give a date (2026-11-20), a Danish local time (2026-11-20T10:30) or an RFC 3339 time.",
        "Angiv en dato (2026-11-20), et dansk klokkeslæt (2026-11-20T10:30) eller en RFC 3339-tid.",
    ))
}

pub(crate) fn optional_time(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<NaiveDateTime> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => parse_local_time(field, v).map_err(|e| errors.push(e)).ok(),
    }
}

/// A contact from any source; it opens a new course.
#[derive(Deserialize, ToSchema)]
pub struct ContactIn {
    child_id: Option<Uuid>,
    /// `self`, `gp`, `school`, `hospital`, `social_services`, `psychiatry_return` or `other`.
    source: Option<String>,
    /// When the contact was received: a date, a Danish local time or an RFC 3339 time.
    received_at: Option<String>,
    /// What the worry is about.
    reason: Option<String>,
    /// For how long.
    duration: Option<String>,
    /// What has been tried already.
    tried: Option<String>,
    /// `given`, `not_given` or `unknown` (default).
    consent: Option<String>,
    /// Required for gp, school, hospital, social_services and psychiatry_return.
    referrer_name: Option<String>,
    referrer_contact: Option<String>,
    family_contact: Option<String>,
    /// For `psychiatry_return`: psychiatry's reason for sending the child back (required).
    psychiatry_reason: Option<String>,
    /// For `psychiatry_return`: psychiatry's recommendation (required).
    psychiatry_recommendation: Option<String>,
    /// A questionnaire response of the child attached as screening.
    screening_response_id: Option<Uuid>,
    /// KL themes: behaviour, worry, body_food, self_harm, sadness, obsessive_compulsive,
    /// restlessness_inattention, other.
    #[serde(default)]
    themes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactCreated {
    course_id: Uuid,
    version: i64,
}

/// Register a contact; creates the course with its Henvendelse encounter.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "courses", request_body = ContactIn,
    responses(
        (status = 201, body = ContactCreated, headers(("location" = String, description = "The course's URL"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such child in your organisation"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn create_contact(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<ContactIn>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let received_at = optional_time(&mut errors, "received_at", body.received_at.as_deref());
    let Some(child_id) = body.child_id else {
        errors.push(FieldError::required("child_id"));
        return Err(WebError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let course = courses::create_contact(
        &state.store,
        &u.ctx(&rid),
        &NewContact {
            child_id,
            received_at,
            contact: ContactInput {
                source: body.source,
                reason: body.reason,
                duration: body.duration,
                tried: body.tried,
                consent: body.consent,
                referrer_name: body.referrer_name,
                referrer_contact: body.referrer_contact,
                family_contact: body.family_contact,
                psychiatry_reason: body.psychiatry_reason,
                psychiatry_recommendation: body.psychiatry_recommendation,
            },
            themes: body.themes,
            screening_response_id: body.screening_response_id,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/courses/{}", course.id))],
        Json(ContactCreated {
            course_id: course.id,
            version: course.version,
        }),
    )
        .into_response())
}

/// Where the family stands against the service goals.
#[derive(Serialize, ToSchema)]
pub struct WaitingOut {
    /// Henvendelse + 14 days.
    first_conversation_due: NaiveDate,
    /// Henvendelse + 30 days.
    screening_due: NaiveDate,
    /// Days from the Henvendelse to the Forsamtale, or to today while it is not held.
    days_to_first_conversation: i64,
    /// Days from the Henvendelse to the Screening, or to today while it is not held.
    days_to_screening: i64,
    /// `open`, `due_soon` (within 3 days), `open_breached`, `met` or `breached`.
    #[schema(value_type = String)]
    first_conversation_status: GoalStatus,
    #[schema(value_type = String)]
    screening_status: GoalStatus,
    first_conversation_held: Option<NaiveDate>,
    screening_held: Option<NaiveDate>,
}

impl From<Waiting> for WaitingOut {
    fn from(w: Waiting) -> Self {
        let (f, s): (GoalProgress, GoalProgress) = (w.first_conversation, w.screening);
        WaitingOut {
            first_conversation_due: f.due,
            screening_due: s.due,
            days_to_first_conversation: f.days_elapsed,
            days_to_screening: s.days_elapsed,
            first_conversation_status: f.status,
            screening_status: s.status,
            first_conversation_held: f.held,
            screening_held: s.held,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EncounterOut {
    id: Uuid,
    #[serde(rename = "type")]
    kind: String,
    /// Danish local time.
    at: NaiveDateTime,
    delivery: Option<String>,
    participants: Option<String>,
    staff: Option<String>,
    /// `held` or `entered-in-error`.
    status: String,
}

#[derive(Serialize, ToSchema)]
pub struct WayOut {
    /// KL referral destination.
    destination: String,
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    id: Uuid,
    outcome: String,
    track: Option<String>,
    way: Option<WayOut>,
    reason_despite_signs: Option<String>,
    meeting_id: Option<Uuid>,
    decided_at: DateTime<Utc>,
    decided_by: Option<String>,
}

/// A KL Referral: where the family was guided.
#[derive(Serialize, ToSchema)]
pub struct ReferralOut {
    id: Uuid,
    decision_id: Option<Uuid>,
    destination: String,
    note: String,
    at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ThemeOut {
    theme: String,
    valid_from: DateTime<Utc>,
    valid_to: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    source: String,
    received_at: NaiveDateTime,
    reason: String,
    duration: Option<String>,
    tried: Option<String>,
    consent: String,
    referrer_name: Option<String>,
    referrer_contact: Option<String>,
    family_contact: Option<String>,
    psychiatry_reason: Option<String>,
    psychiatry_recommendation: Option<String>,
    screening_response_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct PsychiatryReferralOut {
    id: Uuid,
    decision_id: Uuid,
    /// `to_be_sent` until sent.
    status: String,
    #[schema(value_type = Object)]
    content: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct CourseOut {
    id: Uuid,
    child_id: Uuid,
    /// `active`, `completed` or `entered-in-error`.
    status: String,
    start: NaiveDate,
    end: Option<NaiveDate>,
    track: Option<String>,
    /// Send back as `version` when changing the course; a newer one on the server gives 409.
    version: i64,
    contact: ContactOut,
    /// The themes now.
    themes: Vec<String>,
    /// Every theme the course has had, with when.
    theme_history: Vec<ThemeOut>,
    encounters: Vec<EncounterOut>,
    decisions: Vec<DecisionOut>,
    referrals: Vec<ReferralOut>,
    psychiatry_referrals: Vec<PsychiatryReferralOut>,
    waiting: WaitingOut,
    /// The responsible therapist.
    therapist: Option<crate::courses::treatment::api::TherapistOut>,
    /// The sessions of the track's plan, planned versus delivered.
    planned_sessions: Vec<crate::courses::treatment::api::PlannedSessionOut>,
    /// The session log: each treatment session with what it delivered and who took part.
    sessions: Vec<crate::courses::treatment::api::SessionOut>,
    /// The journal, oldest first; corrections point to the entry they correct.
    journal: Vec<crate::courses::treatment::api::JournalEntryOut>,
    /// Why the course was closed, once it is.
    closing: Option<crate::courses::treatment::api::ClosingOut>,
    /// The systematic follow-up talk, scheduled at closing.
    follow_up: Option<crate::courses::treatment::api::FollowUpOut>,
    /// Information messages to the child's GP, to be sent.
    gp_messages: Vec<crate::courses::treatment::api::GpMessageOut>,
}

impl From<DecisionRecord> for DecisionOut {
    fn from(d: DecisionRecord) -> Self {
        DecisionOut {
            id: d.id,
            outcome: d.outcome.as_str().into(),
            track: d.track.map(|t| t.as_str().into()),
            way: d.way.map(|w| WayOut {
                destination: w.destination.as_str().into(),
                note: w.note,
            }),
            reason_despite_signs: d.reason_despite_signs,
            meeting_id: d.meeting_id,
            decided_at: d.decided_at,
            decided_by: d.decided_by_name,
        }
    }
}

impl From<ReferralRecord> for ReferralOut {
    fn from(r: ReferralRecord) -> Self {
        ReferralOut {
            id: r.id,
            decision_id: r.decision_id,
            destination: r.destination.as_str().into(),
            note: r.note,
            at: r.at,
        }
    }
}

fn delivery_str(d: Delivery) -> &'static str {
    match d {
        Delivery::Individual => "individual",
        Delivery::Group => "group",
    }
}

fn participants_str(p: Participants) -> &'static str {
    match p {
        Participants::ChildPresent => "child_present",
        Participants::CaregiversOnly => "caregivers_only",
    }
}

impl From<CourseView> for CourseOut {
    fn from(v: CourseView) -> Self {
        let themes = v
            .current_themes()
            .into_iter()
            .map(|t| t.as_str().to_string())
            .collect();
        let t = crate::courses::treatment::api::treatment_out(&v.treatment, &v.encounters);
        let c = v.contact.contact;
        CourseOut {
            therapist: t.therapist,
            planned_sessions: t.planned_sessions,
            sessions: t.sessions,
            journal: t.journal,
            closing: t.closing,
            follow_up: t.follow_up,
            gp_messages: t.gp_messages,
            id: v.course.id,
            child_id: v.course.child_id,
            status: v.course.status.as_str().into(),
            start: v.course.started_on,
            end: v.course.ended_on,
            track: v.course.track.map(|t| t.as_str().into()),
            version: v.course.version,
            contact: ContactOut {
                source: c.source.as_str().into(),
                received_at: v.contact.received_at,
                reason: c.reason,
                duration: c.duration,
                tried: c.tried,
                consent: c.consent.as_str().into(),
                referrer_name: c.referrer_name,
                referrer_contact: c.referrer_contact,
                family_contact: c.family_contact,
                psychiatry_reason: c.psychiatry_reason,
                psychiatry_recommendation: c.psychiatry_recommendation,
                screening_response_id: v.contact.screening_response_id,
            },
            themes,
            theme_history: v
                .themes
                .into_iter()
                .map(|t| ThemeOut {
                    theme: t.theme.as_str().into(),
                    valid_from: t.valid_from,
                    valid_to: t.valid_to,
                })
                .collect(),
            encounters: v
                .encounters
                .into_iter()
                .map(|e| EncounterOut {
                    id: e.id,
                    kind: e.encounter.kind.as_str().into(),
                    at: e.encounter.at,
                    delivery: e
                        .encounter
                        .treatment
                        .map(|t| delivery_str(t.delivery).into()),
                    participants: e
                        .encounter
                        .treatment
                        .map(|t| participants_str(t.participants).into()),
                    staff: e.staff_name,
                    status: match e.status {
                        EncounterStatus::Held => "held".into(),
                        EncounterStatus::EnteredInError => "entered-in-error".into(),
                    },
                })
                .collect(),
            decisions: v.decisions.into_iter().map(Into::into).collect(),
            referrals: v.referrals.into_iter().map(Into::into).collect(),
            psychiatry_referrals: v
                .psychiatry_referrals
                .into_iter()
                .map(|p| PsychiatryReferralOut {
                    id: p.id,
                    decision_id: p.decision_id,
                    status: p.status,
                    content: p.content,
                })
                .collect(),
            waiting: v.waiting.into(),
        }
    }
}

/// Read one course with its encounters, decisions, referrals and waiting-time figures.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "courses",
    params(("id" = Uuid, Path, description = "Course id")),
    responses((status = 200, body = CourseOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn read(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<CourseOut>, WebError> {
    let view = courses::course(&state.store, &u.ctx(&rid), id).await?;
    Ok(Json(view.into()))
}

/// An encounter held.
#[derive(Deserialize, ToSchema)]
pub struct EncounterIn {
    /// `henvendelse`, `forsamtale`, `screening`, `behandling`, `afsluttende_samtale` or `afslutning`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// When it was held: a Danish local time (2026-11-20T10:30), a date, or an RFC 3339 time.
    at: Option<String>,
    /// For behandling: `individual` or `group`.
    delivery: Option<String>,
    /// For behandling: `child_present` or `caregivers_only`.
    participants: Option<String>,
    /// For afslutning (required): `completed`, `dropped_out`, `moved`, `referred_on` or `other`.
    closing_reason: Option<String>,
    /// For afslutning: required with `other`.
    closing_note: Option<String>,
    /// For afslutning: a short outcome summary for the GP's end message.
    summary: Option<String>,
    /// For afslutning with `moved`: the municipality code the family moved to (required then).
    moved_to: Option<String>,
    /// The course version you read; a newer one on the server gives 409.
    version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EncounterCreated {
    id: Uuid,
    course_id: Uuid,
    /// The course's new version.
    version: i64,
    /// The course's status after the encounter (an afslutning completes it).
    status: String,
}

fn encounter_input(body: &EncounterIn) -> Result<EncounterInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = match body.kind.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required("type"));
            None
        }
        Some(k) => EncounterType::parse(k).or_else(|| {
            errors.push(FieldError::new(
                "type",
                "Unknown type; use henvendelse, forsamtale, screening, behandling, afsluttende_samtale or afslutning.",
                "Ukendt kontakttype.",
            ));
            None
        }),
    };
    let at = match body.at.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(FieldError::required("at"));
            None
        }
        Some(v) => parse_local_time("at", v).map_err(|e| errors.push(e)).ok(),
    };
    let delivery = match body.delivery.as_deref().map(str::trim) {
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
    };
    let participants = match body.participants.as_deref().map(str::trim) {
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
    };
    match (kind, at, errors.is_empty()) {
        (Some(kind), Some(at), true) => Ok(EncounterInput {
            kind,
            at,
            delivery,
            participants,
        }),
        _ => Err(errors),
    }
}

/// Register an encounter held on the course. An `afslutning` closes the course by the same
/// rule as `POST /api/v1/courses/{id}/closing`: it needs `closing_reason`, is refused while
/// planned sessions are open (422 on `planned_sessions`), schedules the follow-up talk and
/// writes the GP's end message. The first `behandling` writes the GP's start message.
#[utoipa::path(post, path = "/api/v1/courses/{id}/encounters", tag = "courses", request_body = EncounterIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 201, body = EncounterCreated),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn add_encounter(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<EncounterIn>,
) -> Result<Response, WebError> {
    let input = encounter_input(&body).map_err(WebError::Invalid)?;
    let closing = samspor_domain::course::closing::ClosingInput {
        reason: body.closing_reason.clone(),
        note: body.closing_note.clone(),
        summary: body.summary.clone(),
        moved_to: body.moved_to.clone(),
    };
    let (course, encounter) = courses::add_encounter_with(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        &input,
        Some(&closing),
        &state.tracks,
    )
    .await?;
    Ok(created_on(
        &course,
        EncounterCreated {
            id: encounter.id,
            course_id,
            version: course.version,
            status: course.status.as_str().into(),
        },
    ))
}

/// The course's themes from now on (KL reasonCodes), replacing the current ones; the earlier
/// themes stay in the course's history.
#[derive(Deserialize, ToSchema)]
pub struct ThemesIn {
    /// Theme codes: `behaviour`, `worry`, `body_food`, `self_harm`, `sadness`,
    /// `obsessive_compulsive`, `restlessness_inattention`, `other`.
    themes: Vec<String>,
    /// The course version you read.
    version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ThemesSet {
    course_id: Uuid,
    /// The course's new version.
    version: i64,
}

/// Set the course's themes, as the coordinator or therapist learns what the difficulty is
/// about (the IG's example adds "Bekymring" at the first Behandling).
#[utoipa::path(put, path = "/api/v1/courses/{id}/themes", tag = "courses", request_body = ThemesIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 200, body = ThemesSet),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown theme codes, listed in `errors`"),
    ))]
pub(crate) async fn set_themes(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<ThemesIn>,
) -> Result<Json<ThemesSet>, WebError> {
    let course = courses::set_themes(
        &state.store,
        &u.ctx(&rid),
        course_id,
        body.version,
        &body.themes,
    )
    .await?;
    Ok(Json(ThemesSet {
        course_id,
        version: course.version,
    }))
}

fn created_on(course: &CourseRecord, body: impl Serialize) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/courses/{}", course.id))],
        Json(body),
    )
        .into_response()
}

#[derive(Deserialize, ToSchema)]
pub struct WayIn {
    /// KL referral destination: `other`, `other_offer_home`, `other_municipality`, `gp`,
    /// `psychiatry` or `civil_society`; must match the outcome.
    destination: Option<String>,
    /// What the family was told.
    note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct TickIn {
    track: String,
    criterion: String,
}

/// A visitation decision.
#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// `track`, `other_offer_home`, `other_municipality`, `gp`, `psychiatry`, `civil_society` or `close`.
    outcome: Option<String>,
    /// For outcome `track`: a STIME track the municipality offers.
    track: Option<String>,
    /// Required for every outcome but `track`: where the family is guided and what they were told.
    way: Option<WayIn>,
    /// Required when signs call for child psychiatry and the outcome is not `psychiatry`.
    reason_despite_signs: Option<String>,
    /// Checklist criteria found to apply to the child (they may raise psychiatry signs).
    #[serde(default)]
    ticked: Vec<TickIn>,
    meeting_id: Option<Uuid>,
    version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionCreated {
    decision: DecisionOut,
    /// The KL Referral recorded for the way given, if any.
    referral: Option<ReferralOut>,
    /// The outgoing referral to child psychiatry, for a psychiatry decision.
    psychiatry_referral_id: Option<Uuid>,
    /// The course's status after the decision (anything but a track completes it).
    course_status: String,
    version: i64,
}

/// Record a visitation decision. Never a no without a way: every outcome but `track` needs `way`.
#[utoipa::path(post, path = "/api/v1/courses/{id}/decisions", tag = "courses", request_body = DecisionIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 201, body = DecisionCreated),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The course changed since you read it"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
pub(crate) async fn decide(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<DecisionIn>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let ticked = body
        .ticked
        .iter()
        .filter_map(|t| match Programme::parse(&t.track) {
            Some(track) => Some(CriterionRef {
                track,
                criterion: t.criterion.clone(),
            }),
            None => {
                errors.push(FieldError::new("ticked", "Unknown track.", "Ukendt spor."));
                None
            }
        })
        .collect();
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let decided = courses::decide(
        &state.store,
        &u.ctx(&rid),
        course_id,
        &NewDecision {
            input: DecisionInput {
                outcome: body.outcome,
                track: body.track,
                way: body.way.map(|w| WayInput {
                    destination: w.destination,
                    note: w.note,
                }),
                reason_despite_signs: body.reason_despite_signs,
            },
            meeting_id: body.meeting_id,
            expected_version: body.version,
            ticked,
        },
        state.rules(),
    )
    .await?;
    Ok(created_on(
        &decided.course,
        DecisionCreated {
            decision: decided.decision.into(),
            referral: decided.referral.map(Into::into),
            psychiatry_referral_id: decided.psychiatry_referral.map(|p| p.id),
            course_status: decided.course.status.as_str().into(),
            version: decided.course.version,
        },
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineParams {
    /// `active` (default), `completed`, `entered-in-error` or `all`.
    status: Option<String>,
    /// Only courses with this KL theme.
    theme: Option<String>,
    /// Only courses with an open goal due on or before this date.
    due_by: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineItem {
    course_id: Uuid,
    child_id: Uuid,
    child_name: String,
    status: String,
    source: String,
    received_at: NaiveDateTime,
    themes: Vec<String>,
    decided: bool,
    /// The nearest due date not yet met.
    next_due: Option<NaiveDate>,
    /// A goal breaches within 3 days, or has breached while the family still waits.
    needs_attention: bool,
    waiting: WaitingOut,
}

/// The organisation's courses, nearest open deadline first.
#[utoipa::path(get, path = "/api/v1/worklists/deadlines", tag = "courses", params(DeadlineParams),
    responses((status = 200, body = Vec<DeadlineItem>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn deadlines(
    ApiCx(state, u, rid): ApiCx,
    Query(p): Query<DeadlineParams>,
) -> Result<Json<Vec<DeadlineItem>>, WebError> {
    let mut errors = FieldErrors::default();
    let status = match p.status.as_deref().map(str::trim) {
        None | Some("") => Some(CourseStatus::Active),
        Some("all") => None,
        Some(s) => CourseStatus::parse(s).map(Some).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "status",
                "Use active, completed, entered-in-error or all.",
                "Brug active, completed, entered-in-error eller all.",
            ));
            None
        }),
    };
    let theme = match p.theme.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Theme::parse(t).or_else(|| {
            errors.push(FieldError::new("theme", "Unknown theme.", "Ukendt tema."));
            None
        }),
    };
    if !errors.is_empty() {
        return Err(WebError::Invalid(errors));
    }
    let items = courses::worklist(
        &state.store,
        &u.ctx(&rid),
        &WorklistFilter {
            status,
            theme,
            due_by: p.due_by,
            undecided: false,
        },
    )
    .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| DeadlineItem {
                course_id: i.summary.course.id,
                child_id: i.summary.course.child_id,
                child_name: i.summary.child_name,
                status: i.summary.course.status.as_str().into(),
                source: i.summary.source.as_str().into(),
                received_at: i.summary.received_at,
                themes: i
                    .summary
                    .themes
                    .iter()
                    .map(|t| t.as_str().to_string())
                    .collect(),
                decided: i.summary.decided,
                next_due: i.waiting.next_open_due(),
                needs_attention: i.waiting.needs_attention(),
                waiting: i.waiting.into(),
            })
            .collect(),
    ))
}
