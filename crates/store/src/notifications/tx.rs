//! The outbox, as a unit of work sees it.

use crate::Result;
use crate::notifications::model::Notification;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[async_trait]
pub trait NotificationTx: Send {
    async fn outbox_insert(&mut self, n: &Notification) -> Result<()>;
    /// Queued messages whose next attempt is due, oldest first.
    async fn outbox_due(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Notification>>;
    /// Takes a due message for one sender until `until`; `false` when another sender has it.
    async fn outbox_claim(
        &mut self,
        id: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// Writes the delivery columns (state, attempts, next attempt, error, sent, body).
    async fn outbox_update(&mut self, n: &Notification) -> Result<()>;
    /// The messages about one thing (an invitation, an account), newest first.
    async fn outbox_about(&mut self, about_id: Uuid) -> Result<Vec<Notification>>;
}
