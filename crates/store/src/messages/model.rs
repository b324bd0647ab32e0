//! A message as stored.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseMessage {
    pub id: Uuid,
    /// The first message of the thread (its own id for a thread's first message).
    pub thread_id: Uuid,
    pub course_id: Uuid,
    pub child_id: Uuid,
    pub from_org_id: Uuid,
    pub to_org_id: Uuid,
    pub subject: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    pub sent_by: Uuid,
    pub read_at: Option<DateTime<Utc>>,
    pub read_by: Option<Uuid>,
}
