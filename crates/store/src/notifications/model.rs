//! A message in the outbox.

use chrono::{DateTime, Utc};
use samspor_domain::notification::{Channel, Purpose, State};
use uuid::Uuid;

#[derive(Clone)]
pub struct Notification {
    pub id: Uuid,
    /// The organisation on whose behalf it is sent.
    pub org_id: Option<Uuid>,
    pub channel: Channel,
    /// The e-mail address or phone number; none when staff passed the link on themselves.
    pub recipient: Option<String>,
    pub purpose: Purpose,
    /// What the link is for: a questionnaire invitation or a staff account.
    pub about_id: Option<Uuid>,
    pub subject: String,
    /// The text with the link, until the message is delivered or given up.
    pub body: Option<String>,
    pub state: State,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, without personal data.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("purpose", &self.purpose)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}
