//! Course measurements: what the track plan's schedule sent, and what came back.

use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use samspor_domain::course::plan::MeasurePoint;
use samspor_domain::course::schedule::{parse_point, point_code};
use samspor_domain::instrument::Respondent;
use serde::Serialize;
use uuid::Uuid;

/// Where a sent measurement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementStatus {
    /// The link is out and can still be answered.
    Sent,
    Answered,
    Expired,
    Revoked,
}

impl MeasurementStatus {
    pub const ALL: [MeasurementStatus; 4] = [
        MeasurementStatus::Sent,
        MeasurementStatus::Answered,
        MeasurementStatus::Expired,
        MeasurementStatus::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasurementStatus::Sent => "sent",
            MeasurementStatus::Answered => "answered",
            MeasurementStatus::Expired => "expired",
            MeasurementStatus::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<MeasurementStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One measurement of a course's schedule that has been sent as a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseMeasurement {
    pub id: Uuid,
    pub course_id: Uuid,
    pub instrument_id: String,
    pub respondent: Respondent,
    pub point: MeasurePoint,
    /// Danish wall-clock time the measurement fell due.
    pub due_at: NaiveDateTime,
    pub invitation_id: Uuid,
    pub response_id: Option<Uuid>,
    pub status: MeasurementStatus,
    /// The raw link token while the link can be used (the outbox staff hand links over from);
    /// cleared once it is answered, expires or is revoked. Never serialised.
    #[serde(skip)]
    pub link_token: Option<String>,
    pub sent_at: DateTime<Utc>,
    /// `None` when the schedule job sent it.
    pub sent_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct MeasurementRow {
    id: Uuid,
    course_id: Uuid,
    instrument_id: String,
    respondent: String,
    point: String,
    due_at: NaiveDateTime,
    invitation_id: Uuid,
    response_id: Option<Uuid>,
    status: String,
    link_token: Option<String>,
    sent_at: DateTime<Utc>,
    sent_by: Option<Uuid>,
    closed_at: Option<DateTime<Utc>>,
}

impl TryFrom<MeasurementRow> for CourseMeasurement {
    type Error = StoreError;
    fn try_from(r: MeasurementRow) -> Result<Self, StoreError> {
        let corrupt =
            |what: &str, v: &str| StoreError::Corrupt(format!("measurement {what} {v:?}"));
        Ok(CourseMeasurement {
            respondent: Respondent::parse(&r.respondent)
                .ok_or_else(|| corrupt("respondent", &r.respondent))?,
            point: parse_point(&r.point).ok_or_else(|| corrupt("point", &r.point))?,
            status: MeasurementStatus::parse(&r.status)
                .ok_or_else(|| corrupt("status", &r.status))?,
            id: r.id,
            course_id: r.course_id,
            instrument_id: r.instrument_id,
            due_at: r.due_at,
            invitation_id: r.invitation_id,
            response_id: r.response_id,
            link_token: r.link_token,
            sent_at: r.sent_at,
            sent_by: r.sent_by,
            closed_at: r.closed_at,
        })
    }
}

impl CourseMeasurement {
    /// The stored form of the point (`start`, `session:N`, `end`).
    pub fn point_code(&self) -> String {
        point_code(self.point)
    }
}
