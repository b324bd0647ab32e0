//! Rows as the database returns them.

use crate::messages::model::CourseMessage;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// `SELECT` of every message column, followed by the rest of the query.
macro_rules! select_messages {
    ($rest:literal) => {
        concat!(
            "SELECT id, thread_id, course_id, child_id, from_org_id, to_org_id, subject, body, \
             sent_at, sent_by, read_at, read_by FROM course_messages ",
            $rest
        )
    };
}
pub(crate) use select_messages;

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: Uuid,
    thread_id: Uuid,
    course_id: Uuid,
    child_id: Uuid,
    from_org_id: Uuid,
    to_org_id: Uuid,
    subject: String,
    body: String,
    sent_at: DateTime<Utc>,
    sent_by: Uuid,
    read_at: Option<DateTime<Utc>>,
    read_by: Option<Uuid>,
}

impl From<MessageRow> for CourseMessage {
    fn from(r: MessageRow) -> Self {
        CourseMessage {
            id: r.id,
            thread_id: r.thread_id,
            course_id: r.course_id,
            child_id: r.child_id,
            from_org_id: r.from_org_id,
            to_org_id: r.to_org_id,
            subject: r.subject,
            body: r.body,
            sent_at: r.sent_at,
            sent_by: r.sent_by,
            read_at: r.read_at,
            read_by: r.read_by,
        }
    }
}
