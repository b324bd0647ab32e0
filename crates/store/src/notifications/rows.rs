//! Rows as the database returns them.

use crate::StoreError;
use crate::notifications::model::Notification;
use chrono::{DateTime, Utc};
use samspor_domain::notification::{Channel, Purpose, State};
use uuid::Uuid;

/// `SELECT` of every notification column, followed by the rest of the query.
macro_rules! select_notification {
    ($rest:literal) => {
        concat!(
            "SELECT id, org_id, channel, recipient, purpose, about_id, subject, body, state, attempts, \
             next_attempt_at, last_error, created_at, sent_at FROM outbox ",
            $rest
        )
    };
}
pub(crate) use select_notification;

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    id: Uuid,
    org_id: Option<Uuid>,
    channel: String,
    recipient: Option<String>,
    purpose: String,
    about_id: Option<Uuid>,
    subject: String,
    body: Option<String>,
    state: String,
    attempts: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = StoreError;

    fn try_from(r: NotificationRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("notification {what} {v}"));
        Ok(Notification {
            id: r.id,
            org_id: r.org_id,
            channel: Channel::parse(&r.channel).ok_or_else(|| corrupt("channel", &r.channel))?,
            recipient: r.recipient,
            purpose: Purpose::parse(&r.purpose).ok_or_else(|| corrupt("purpose", &r.purpose))?,
            about_id: r.about_id,
            subject: r.subject,
            body: r.body,
            state: State::parse(&r.state).ok_or_else(|| corrupt("state", &r.state))?,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
        })
    }
}

pub(crate) fn notification_rows(rows: Vec<NotificationRow>) -> crate::Result<Vec<Notification>> {
    rows.into_iter().map(TryInto::try_into).collect()
}
