//! Group courses (a parent group with several children's courses), their sessions and
//! attendance, and learning-environment guidance sessions.

use crate::StoreError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::encounter::Participants;
use samspor_domain::organisation::Programme;
use serde::Serialize;
use uuid::Uuid;

/// A group course: children's courses of one track and organisation that meet together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCourse {
    pub id: Uuid,
    pub org_id: Uuid,
    pub track: Programme,
    pub name: String,
    pub starts_on: NaiveDate,
    pub leader_id: Uuid,
    /// Filled in when read.
    pub leader_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
}

/// One line of the group list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSummary {
    pub group: GroupCourse,
    pub members: i64,
    pub sessions: i64,
}

/// A member course, with what the group page shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    pub group_id: Uuid,
    pub course_id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub course_status: CourseStatus,
    pub added_at: DateTime<Utc>,
}

/// One meeting of the group. `at` is Danish local wall-clock time, like encounters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSession {
    pub id: Uuid,
    pub group_id: Uuid,
    pub at: NaiveDateTime,
    /// The planned session (module) of the track's plan, by number.
    pub module: Option<u32>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
}

/// One member's attendance at one session; an attending member's Behandling is `encounter_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendance {
    pub group_session_id: Uuid,
    pub course_id: Uuid,
    pub attended: bool,
    pub participants: Option<Participants>,
    pub encounter_id: Option<Uuid>,
}

/// A learning-environment guidance session with a child's teachers or pedagogues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidanceSession {
    pub id: Uuid,
    pub course_id: Uuid,
    /// A registered school unit, or else `school_name`.
    pub school_org_id: Option<Uuid>,
    pub school_name: Option<String>,
    pub held_on: NaiveDate,
    /// Who took part (teachers, pedagogues …), as written.
    pub participants: String,
    pub topic: String,
    pub agreed_actions: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    /// Filled in when read.
    pub created_by_name: Option<String>,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: unexpected value {value:?}"))
}

pub(crate) fn participants_code(p: Participants) -> &'static str {
    match p {
        Participants::ChildPresent => "child_present",
        Participants::CaregiversOnly => "caregivers_only",
    }
}

fn parse_participants(s: &str) -> Result<Participants, StoreError> {
    match s {
        "child_present" => Ok(Participants::ChildPresent),
        "caregivers_only" => Ok(Participants::CaregiversOnly),
        other => Err(corrupt("participants", other)),
    }
}

fn module_of(m: Option<i64>) -> Result<Option<u32>, StoreError> {
    m.map(|n| u32::try_from(n).map_err(|_| corrupt("module", &n.to_string())))
        .transpose()
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    id: Uuid,
    org_id: Uuid,
    track: String,
    name: String,
    starts_on: NaiveDate,
    leader_id: Uuid,
    leader_name: Option<String>,
    created_at: DateTime<Utc>,
    created_by: Uuid,
}

impl TryFrom<GroupRow> for GroupCourse {
    type Error = StoreError;
    fn try_from(r: GroupRow) -> Result<Self, StoreError> {
        Ok(GroupCourse {
            id: r.id,
            org_id: r.org_id,
            track: Programme::parse(&r.track).ok_or_else(|| corrupt("group track", &r.track))?,
            name: r.name,
            starts_on: r.starts_on,
            leader_id: r.leader_id,
            leader_name: r.leader_name,
            created_at: r.created_at,
            created_by: r.created_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupSummaryRow {
    #[sqlx(flatten)]
    group: GroupRow,
    members: i64,
    sessions: i64,
}

impl TryFrom<GroupSummaryRow> for GroupSummary {
    type Error = StoreError;
    fn try_from(r: GroupSummaryRow) -> Result<Self, StoreError> {
        Ok(GroupSummary {
            group: r.group.try_into()?,
            members: r.members,
            sessions: r.sessions,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    group_id: Uuid,
    course_id: Uuid,
    child_id: Uuid,
    given_name: String,
    family_name: String,
    status: String,
    added_at: DateTime<Utc>,
}

impl TryFrom<MemberRow> for GroupMember {
    type Error = StoreError;
    fn try_from(r: MemberRow) -> Result<Self, StoreError> {
        Ok(GroupMember {
            group_id: r.group_id,
            course_id: r.course_id,
            child_id: r.child_id,
            child_name: format!("{} {}", r.given_name, r.family_name),
            course_status: CourseStatus::parse(&r.status)
                .ok_or_else(|| corrupt("course status", &r.status))?,
            added_at: r.added_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    group_id: Uuid,
    at: NaiveDateTime,
    module: Option<i64>,
    note: String,
    created_at: DateTime<Utc>,
    created_by: Uuid,
}

impl TryFrom<SessionRow> for GroupSession {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        Ok(GroupSession {
            id: r.id,
            group_id: r.group_id,
            at: r.at,
            module: module_of(r.module)?,
            note: r.note,
            created_at: r.created_at,
            created_by: r.created_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttendanceRow {
    group_session_id: Uuid,
    course_id: Uuid,
    attended: bool,
    participants: Option<String>,
    encounter_id: Option<Uuid>,
}

impl TryFrom<AttendanceRow> for Attendance {
    type Error = StoreError;
    fn try_from(r: AttendanceRow) -> Result<Self, StoreError> {
        Ok(Attendance {
            group_session_id: r.group_session_id,
            course_id: r.course_id,
            attended: r.attended,
            participants: r
                .participants
                .as_deref()
                .map(parse_participants)
                .transpose()?,
            encounter_id: r.encounter_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GuidanceRow {
    id: Uuid,
    course_id: Uuid,
    school_org_id: Option<Uuid>,
    school_name: Option<String>,
    held_on: NaiveDate,
    participants: String,
    topic: String,
    agreed_actions: String,
    created_at: DateTime<Utc>,
    created_by: Uuid,
    created_by_name: Option<String>,
}

impl From<GuidanceRow> for GuidanceSession {
    fn from(r: GuidanceRow) -> Self {
        GuidanceSession {
            id: r.id,
            course_id: r.course_id,
            school_org_id: r.school_org_id,
            school_name: r.school_name,
            held_on: r.held_on,
            participants: r.participants,
            topic: r.topic,
            agreed_actions: r.agreed_actions,
            created_at: r.created_at,
            created_by: r.created_by,
            created_by_name: r.created_by_name,
        }
    }
}
