//! Treatment records: planned sessions, session details, the journal, the follow-up talk and the
//! information messages to the GP.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::closing::{Attendee, ClosingReason};
use samspor_domain::course::contact::Consent;
use samspor_domain::course::plan::Participants;
use samspor_domain::organisation::Programme;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannedStatus {
    Planned,
    Held,
    Cancelled,
}

impl PlannedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlannedStatus::Planned => "planned",
            PlannedStatus::Held => "held",
            PlannedStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PlannedStatus> {
        [
            PlannedStatus::Planned,
            PlannedStatus::Held,
            PlannedStatus::Cancelled,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// One session of the track's plan on a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedSessionRecord {
    pub id: Uuid,
    pub course_id: Uuid,
    pub number: u32,
    pub title_da: String,
    pub title_en: String,
    pub participants: Participants,
    pub status: PlannedStatus,
    /// Booked time (Danish local), if the therapist has booked one.
    pub planned_at: Option<NaiveDateTime>,
    /// The Behandling encounter that delivered it.
    pub encounter_id: Option<Uuid>,
    pub cancel_reason: Option<String>,
}

/// What a treatment session delivered; the encounter itself is a KL Behandling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionDetail {
    pub encounter_id: Uuid,
    pub course_id: Uuid,
    pub planned_session_id: Option<Uuid>,
    pub module: String,
    pub attendance: Vec<Attendee>,
}

/// A journal entry; never changed, only corrected by a later entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub id: Uuid,
    pub course_id: Uuid,
    pub encounter_id: Option<Uuid>,
    pub text: String,
    pub corrects_id: Option<Uuid>,
    pub written_at: DateTime<Utc>,
    pub written_by: Uuid,
    pub written_by_name: Option<String>,
}

/// The systematic follow-up talk after the course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRecord {
    pub id: Uuid,
    pub course_id: Uuid,
    pub due_on: NaiveDate,
    pub held_at: Option<NaiveDateTime>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GpMessageKind {
    Start,
    End,
}

impl GpMessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GpMessageKind::Start => "start",
            GpMessageKind::End => "end",
        }
    }
}

/// Information to the child's GP, waiting to be sent (sending through MedCom comes later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GpMessage {
    pub id: Uuid,
    pub course_id: Uuid,
    pub kind: GpMessageKind,
    pub content: serde_json::Value,
    /// The course's consent when the message was written.
    pub consent: Consent,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
}

/// The treatment columns of a course: its therapist and how it was closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CourseTreatment {
    pub therapist_id: Option<Uuid>,
    pub therapist_name: Option<String>,
    pub closing_reason: Option<ClosingReason>,
    pub closing_note: Option<String>,
}

/// A course on a therapist's front page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TherapistCourse {
    pub course_id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub track: Option<Programme>,
    pub started_on: NaiveDate,
    pub sessions_held: i64,
    pub sessions_planned: i64,
    /// The lowest-numbered session still planned.
    pub next_number: Option<u32>,
    pub next_title_da: Option<String>,
    pub next_title_en: Option<String>,
    pub next_at: Option<NaiveDateTime>,
}

/// A booked session on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookedSession {
    pub course_id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub number: u32,
    pub title_da: String,
    pub title_en: String,
    pub planned_at: NaiveDateTime,
}

/// A follow-up talk not yet held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueFollowUp {
    pub course_id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub due_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

/// Treatment rows as the database returns them, and their conversion into records.
pub(crate) mod treatment_rows {
    use super::*;
    use crate::StoreError;
    use samspor_domain::course::closing::attendance_from_codes;

    fn corrupt(what: &str, value: &str) -> StoreError {
        StoreError::Corrupt(format!("{what}: unexpected value {value:?}"))
    }

    fn number(n: i64) -> Result<u32, StoreError> {
        u32::try_from(n).map_err(|_| corrupt("session number", &n.to_string()))
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct CourseTreatmentRow {
        therapist_id: Option<Uuid>,
        therapist_name: Option<String>,
        closing_reason: Option<String>,
        closing_note: Option<String>,
    }

    impl TryFrom<CourseTreatmentRow> for CourseTreatment {
        type Error = StoreError;
        fn try_from(r: CourseTreatmentRow) -> Result<Self, StoreError> {
            Ok(CourseTreatment {
                therapist_id: r.therapist_id,
                therapist_name: r.therapist_name,
                closing_reason: r
                    .closing_reason
                    .map(|s| ClosingReason::parse(&s).ok_or_else(|| corrupt("closing reason", &s)))
                    .transpose()?,
                closing_note: r.closing_note,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct PlannedRow {
        id: Uuid,
        course_id: Uuid,
        number: i64,
        title_da: String,
        title_en: String,
        participants: String,
        status: String,
        planned_at: Option<NaiveDateTime>,
        encounter_id: Option<Uuid>,
        cancel_reason: Option<String>,
    }

    impl TryFrom<PlannedRow> for PlannedSessionRecord {
        type Error = StoreError;
        fn try_from(r: PlannedRow) -> Result<Self, StoreError> {
            Ok(PlannedSessionRecord {
                participants: Participants::parse(&r.participants)
                    .ok_or_else(|| corrupt("session participants", &r.participants))?,
                status: PlannedStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("planned session status", &r.status))?,
                number: number(r.number)?,
                id: r.id,
                course_id: r.course_id,
                title_da: r.title_da,
                title_en: r.title_en,
                planned_at: r.planned_at,
                encounter_id: r.encounter_id,
                cancel_reason: r.cancel_reason,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct DetailRow {
        encounter_id: Uuid,
        course_id: Uuid,
        planned_session_id: Option<Uuid>,
        module: String,
        attendance: String,
    }

    impl TryFrom<DetailRow> for SessionDetail {
        type Error = StoreError;
        fn try_from(r: DetailRow) -> Result<Self, StoreError> {
            Ok(SessionDetail {
                attendance: attendance_from_codes(&r.attendance)
                    .ok_or_else(|| corrupt("attendance", &r.attendance))?,
                encounter_id: r.encounter_id,
                course_id: r.course_id,
                planned_session_id: r.planned_session_id,
                module: r.module,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct JournalRow {
        id: Uuid,
        course_id: Uuid,
        encounter_id: Option<Uuid>,
        text: String,
        corrects_id: Option<Uuid>,
        written_at: DateTime<Utc>,
        written_by: Uuid,
        written_by_name: Option<String>,
    }

    impl From<JournalRow> for JournalEntry {
        fn from(r: JournalRow) -> Self {
            JournalEntry {
                id: r.id,
                course_id: r.course_id,
                encounter_id: r.encounter_id,
                text: r.text,
                corrects_id: r.corrects_id,
                written_at: r.written_at,
                written_by: r.written_by,
                written_by_name: r.written_by_name,
            }
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct FollowUpRow {
        id: Uuid,
        course_id: Uuid,
        due_on: NaiveDate,
        held_at: Option<NaiveDateTime>,
        note: Option<String>,
        created_at: DateTime<Utc>,
    }

    impl From<FollowUpRow> for FollowUpRecord {
        fn from(r: FollowUpRow) -> Self {
            FollowUpRecord {
                id: r.id,
                course_id: r.course_id,
                due_on: r.due_on,
                held_at: r.held_at,
                note: r.note,
                created_at: r.created_at,
            }
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct GpMessageRow {
        id: Uuid,
        course_id: Uuid,
        kind: String,
        content: String,
        consent: String,
        status: String,
        created_at: DateTime<Utc>,
        created_by: Uuid,
    }

    impl TryFrom<GpMessageRow> for GpMessage {
        type Error = StoreError;
        fn try_from(r: GpMessageRow) -> Result<Self, StoreError> {
            Ok(GpMessage {
                kind: match r.kind.as_str() {
                    "start" => GpMessageKind::Start,
                    "end" => GpMessageKind::End,
                    other => return Err(corrupt("GP message kind", other)),
                },
                content: serde_json::from_str(&r.content)
                    .map_err(|e| StoreError::Corrupt(format!("GP message: {e}")))?,
                consent: Consent::parse(&r.consent)
                    .ok_or_else(|| corrupt("consent", &r.consent))?,
                id: r.id,
                course_id: r.course_id,
                status: r.status,
                created_at: r.created_at,
                created_by: r.created_by,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct TherapistCourseRow {
        course_id: Uuid,
        child_id: Uuid,
        given_name: String,
        family_name: String,
        track: Option<String>,
        started_on: NaiveDate,
        sessions_held: i64,
        sessions_planned: i64,
    }

    impl TryFrom<TherapistCourseRow> for TherapistCourse {
        type Error = StoreError;
        fn try_from(r: TherapistCourseRow) -> Result<Self, StoreError> {
            Ok(TherapistCourse {
                track: r
                    .track
                    .map(|t| Programme::parse(&t).ok_or_else(|| corrupt("course track", &t)))
                    .transpose()?,
                course_id: r.course_id,
                child_id: r.child_id,
                child_name: format!("{} {}", r.given_name, r.family_name),
                started_on: r.started_on,
                sessions_held: r.sessions_held,
                sessions_planned: r.sessions_planned,
                next_number: None,
                next_title_da: None,
                next_title_en: None,
                next_at: None,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct NextRow {
        pub(crate) course_id: Uuid,
        pub(crate) number: i64,
        pub(crate) title_da: String,
        pub(crate) title_en: String,
        pub(crate) planned_at: Option<NaiveDateTime>,
    }

    impl NextRow {
        pub(crate) fn number(&self) -> Result<u32, StoreError> {
            number(self.number)
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct BookedRow {
        course_id: Uuid,
        child_id: Uuid,
        given_name: String,
        family_name: String,
        number: i64,
        title_da: String,
        title_en: String,
        planned_at: NaiveDateTime,
    }

    impl TryFrom<BookedRow> for BookedSession {
        type Error = StoreError;
        fn try_from(r: BookedRow) -> Result<Self, StoreError> {
            Ok(BookedSession {
                number: number(r.number)?,
                course_id: r.course_id,
                child_id: r.child_id,
                child_name: format!("{} {}", r.given_name, r.family_name),
                title_da: r.title_da,
                title_en: r.title_en,
                planned_at: r.planned_at,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    pub(crate) struct DueFollowUpRow {
        course_id: Uuid,
        child_id: Uuid,
        given_name: String,
        family_name: String,
        due_on: NaiveDate,
        ended_on: Option<NaiveDate>,
    }

    impl From<DueFollowUpRow> for DueFollowUp {
        fn from(r: DueFollowUpRow) -> Self {
            DueFollowUp {
                course_id: r.course_id,
                child_id: r.child_id,
                child_name: format!("{} {}", r.given_name, r.family_name),
                due_on: r.due_on,
                ended_on: r.ended_on,
            }
        }
    }
}
