//! Group courses and learning-environment guidance through the API.

use crate::api::*;
use crate::courses::api::parse_local_time;
use crate::request::Id;

use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::encounter::Participants;
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::courses::groups::{
    self, AttendanceInput, GroupView, NewGroup, NewGuidance, NewSession,
};
use samspor_store::{Attendance, GroupCourse, GroupMember, GroupSession, GuidanceSession};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read))
        .routes(routes!(add_member))
        .routes(routes!(record_session))
        .routes(routes!(list_guidance, add_guidance))
}

fn participants_code(p: Participants) -> &'static str {
    match p {
        Participants::ChildPresent => "child_present",
        Participants::CaregiversOnly => "caregivers_only",
    }
}

/// A parent group to create.
#[derive(Deserialize, ToSchema)]
pub struct GroupIn {
    name: Option<String>,
    /// A STIME track run as a parent group, e.g. `restlessness`.
    track: Option<String>,
    /// The day the group starts; sessions before it are refused.
    starts_on: Option<NaiveDate>,
    /// The member of staff leading it; you when left out.
    leader_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupOut {
    id: Uuid,
    name: String,
    track: String,
    starts_on: NaiveDate,
    leader_id: Uuid,
    leader: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<GroupCourse> for GroupOut {
    fn from(g: GroupCourse) -> Self {
        GroupOut {
            id: g.id,
            name: g.name,
            track: g.track.as_str().into(),
            starts_on: g.starts_on,
            leader_id: g.leader_id,
            leader: g.leader_name,
            created_at: g.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupListItem {
    #[serde(flatten)]
    group: GroupOut,
    members: i64,
    sessions: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    course_id: Uuid,
    child_id: Uuid,
    child_name: String,
    /// The course's status: `active`, `completed` or `entered-in-error`.
    course_status: String,
    added_at: DateTime<Utc>,
}

impl From<GroupMember> for MemberOut {
    fn from(m: GroupMember) -> Self {
        MemberOut {
            course_id: m.course_id,
            child_id: m.child_id,
            child_name: m.child_name,
            course_status: m.course_status.as_str().into(),
            added_at: m.added_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttendanceOut {
    course_id: Uuid,
    attended: bool,
    /// For a member who attended: `child_present` or `caregivers_only`.
    participants: Option<String>,
    /// The KL Behandling written in the member's course.
    encounter_id: Option<Uuid>,
}

impl From<Attendance> for AttendanceOut {
    fn from(a: Attendance) -> Self {
        AttendanceOut {
            course_id: a.course_id,
            attended: a.attended,
            participants: a.participants.map(|p| participants_code(p).into()),
            encounter_id: a.encounter_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    id: Uuid,
    /// Danish local time.
    at: NaiveDateTime,
    /// The planned session (module) of the track's plan.
    module: Option<u32>,
    note: String,
    attendance: Vec<AttendanceOut>,
}

fn session_out(s: GroupSession, attendance: Vec<Attendance>) -> SessionOut {
    SessionOut {
        id: s.id,
        at: s.at,
        module: s.module,
        note: s.note,
        attendance: attendance.into_iter().map(Into::into).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EligibleOut {
    course_id: Uuid,
    child_id: Uuid,
    child_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDetailOut {
    #[serde(flatten)]
    group: GroupOut,
    members: Vec<MemberOut>,
    /// Oldest first.
    sessions: Vec<SessionOut>,
    /// Active courses of the group's track in your organisation that are in no group yet.
    eligible: Vec<EligibleOut>,
}

impl From<GroupView> for GroupDetailOut {
    fn from(v: GroupView) -> Self {
        GroupDetailOut {
            group: v.group.into(),
            members: v.members.into_iter().map(Into::into).collect(),
            sessions: v
                .sessions
                .into_iter()
                .map(|s| session_out(s.session, s.attendance))
                .collect(),
            eligible: v
                .eligible
                .into_iter()
                .map(|s| EligibleOut {
                    course_id: s.course.id,
                    child_id: s.course.child_id,
                    child_name: s.child_name,
                })
                .collect(),
        }
    }
}

/// Your organisation's parent groups.
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups",
    responses((status = 200, body = Vec<GroupListItem>), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list(ApiCx(state, u, rid): ApiCx) -> Result<Json<Vec<GroupListItem>>, WebError> {
    let list = groups::groups(&state.store, &u.ctx(&rid)).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| GroupListItem {
                group: s.group.into(),
                members: s.members,
                sessions: s.sessions,
            })
            .collect(),
    ))
}

/// Create a parent group for a track run as a parent group course.
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = GroupIn,
    responses(
        (status = 201, body = GroupOut, headers(("location" = String, description = "The group's URL"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
async fn create(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<GroupIn>,
) -> Result<Response, WebError> {
    let group = groups::create_group(
        &state.store,
        &u.ctx(&rid),
        &state.tracks,
        &NewGroup {
            name: body.name,
            track: body.track,
            starts_on: body.starts_on,
            leader_id: body.leader_id,
        },
    )
    .await?;
    Ok(created(
        format!("/api/v1/groups/{}", group.id),
        GroupOut::from(group),
    ))
}

/// Read a group: members, sessions with attendance, and the courses that could join.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "groups",
    params(("id" = Uuid, Path, description = "Group id")),
    responses((status = 200, body = GroupDetailOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read(ApiCx(state, u, rid): ApiCx, Id(id): Id) -> Result<Json<GroupDetailOut>, WebError> {
    let view = groups::group(&state.store, &u.ctx(&rid), id).await?;
    Ok(Json(view.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberIn {
    /// An active course of the group's track in your organisation, in no group yet.
    course_id: Option<Uuid>,
}

/// Add a child's course to the group.
#[utoipa::path(post, path = "/api/v1/groups/{id}/members", tag = "groups", request_body = MemberIn,
    params(("id" = Uuid, Path, description = "Group id")),
    responses(
        (status = 201, body = MemberOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "The course cannot join; see `errors`"),
    ))]
async fn add_member(
    ApiCx(state, u, rid): ApiCx,
    Id(group_id): Id,
    ApiJson(body): ApiJson<MemberIn>,
) -> Result<Response, WebError> {
    let member = groups::add_member(&state.store, &u.ctx(&rid), group_id, body.course_id).await?;
    Ok(created(
        format!("/api/v1/groups/{group_id}"),
        MemberOut::from(member),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceIn {
    course_id: Option<Uuid>,
    #[serde(default)]
    attended: bool,
    /// For a member who attended: `child_present` or `caregivers_only`.
    participants: Option<String>,
}

/// A group session held.
#[derive(Deserialize, ToSchema)]
pub struct GroupSessionIn {
    /// When it was held: a Danish local time (2026-11-20T17:00), a date, or an RFC 3339 time.
    at: Option<String>,
    /// The planned session (module) of the track's plan, by number.
    module: Option<u32>,
    note: Option<String>,
    /// One line per member; at least one must have attended.
    #[serde(default)]
    attendance: Vec<AttendanceIn>,
}

fn session_input(body: GroupSessionIn) -> Result<NewSession, FieldErrors> {
    let mut errors = FieldErrors::default();
    let at = match body.at.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => parse_local_time("at", v).map_err(|e| errors.push(e)).ok(),
    };
    let mut attendance = Vec::new();
    for (i, a) in body.attendance.into_iter().enumerate() {
        let Some(course_id) = a.course_id else {
            errors.push(FieldError::required(&format!("attendance[{i}].course_id")));
            continue;
        };
        let participants = match a.participants.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("child_present") => Some(Participants::ChildPresent),
            Some("caregivers_only") => Some(Participants::CaregiversOnly),
            Some(_) => {
                errors.push(FieldError::new(
                    format!("attendance[{i}].participants"),
                    "Use child_present or caregivers_only.",
                    "Vælg barnet deltog eller kun omsorgspersoner.",
                ));
                None
            }
        };
        attendance.push(AttendanceInput {
            course_id,
            attended: a.attended,
            participants,
        });
    }
    errors.into_result(NewSession {
        at,
        module: body.module,
        note: body.note,
        attendance,
    })
}

/// Record a group session: a KL Behandling (group) in each attending member's course.
///
/// Attendance is recorded for every active member: a member not listed is recorded as not
/// attending. A session following a session of the manual (`module`) delivers that planned
/// session in each attending member's course.
#[utoipa::path(post, path = "/api/v1/groups/{id}/sessions", tag = "groups", request_body = GroupSessionIn,
    params(("id" = Uuid, Path, description = "Group id")),
    responses(
        (status = 201, body = SessionOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "A member's course changed at the same moment"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`; nothing was written"),
    ))]
async fn record_session(
    ApiCx(state, u, rid): ApiCx,
    Id(group_id): Id,
    ApiJson(body): ApiJson<GroupSessionIn>,
) -> Result<Response, WebError> {
    let input = session_input(body).map_err(WebError::Invalid)?;
    let recorded =
        groups::record_session(&state.store, &u.ctx(&rid), group_id, &state.tracks, &input).await?;
    Ok(created(
        format!("/api/v1/groups/{group_id}"),
        session_out(recorded.session, recorded.attendance),
    ))
}

/// A learning-environment guidance session with the child's teachers or pedagogues.
#[derive(Deserialize, ToSchema)]
pub struct GuidanceIn {
    /// A school registered in the course's municipality (`GET /api/v1/organisations`, kind `school`).
    school_org_id: Option<Uuid>,
    /// The school's name, when it is not registered.
    school_name: Option<String>,
    held_on: Option<NaiveDate>,
    /// Who took part: teachers, pedagogues …
    participants: Option<String>,
    topic: Option<String>,
    agreed_actions: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GuidanceOut {
    id: Uuid,
    course_id: Uuid,
    school_org_id: Option<Uuid>,
    school_name: Option<String>,
    held_on: NaiveDate,
    participants: String,
    topic: String,
    agreed_actions: String,
    created_at: DateTime<Utc>,
    created_by: Option<String>,
}

impl From<GuidanceSession> for GuidanceOut {
    fn from(g: GuidanceSession) -> Self {
        GuidanceOut {
            id: g.id,
            course_id: g.course_id,
            school_org_id: g.school_org_id,
            school_name: g.school_name,
            held_on: g.held_on,
            participants: g.participants,
            topic: g.topic,
            agreed_actions: g.agreed_actions,
            created_at: g.created_at,
            created_by: g.created_by_name,
        }
    }
}

/// The course's guidance sessions, newest first.
#[utoipa::path(get, path = "/api/v1/courses/{id}/guidance", tag = "guidance",
    params(("id" = Uuid, Path, description = "Course id")),
    responses((status = 200, body = Vec<GuidanceOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_guidance(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<Vec<GuidanceOut>>, WebError> {
    let view = groups::guidance(&state.store, &u.ctx(&rid), id).await?;
    Ok(Json(view.sessions.into_iter().map(Into::into).collect()))
}

/// Record a guidance session on the course. It is not a KL encounter.
#[utoipa::path(post, path = "/api/v1/courses/{id}/guidance", tag = "guidance", request_body = GuidanceIn,
    params(("id" = Uuid, Path, description = "Course id")),
    responses(
        (status = 201, body = GuidanceOut),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, listed in `errors`"),
    ))]
async fn add_guidance(
    ApiCx(state, u, rid): ApiCx,
    Id(course_id): Id,
    ApiJson(body): ApiJson<GuidanceIn>,
) -> Result<Response, WebError> {
    let session = groups::add_guidance(
        &state.store,
        &u.ctx(&rid),
        course_id,
        &NewGuidance {
            school_org_id: body.school_org_id,
            school_name: body.school_name,
            held_on: body.held_on,
            participants: body.participants,
            topic: body.topic,
            agreed_actions: body.agreed_actions,
        },
    )
    .await?;
    Ok(created(
        format!("/api/v1/courses/{course_id}/guidance"),
        GuidanceOut::from(session),
    ))
}
