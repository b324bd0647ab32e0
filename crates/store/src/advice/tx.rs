//! Advice requests, as a unit of work sees them.

use crate::Result;
use crate::advice::model::{AdviceAnswer, AdviceRequest};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

#[async_trait]
pub trait AdviceTx: Send {
    async fn insert_advice_request(&mut self, r: &AdviceRequest) -> Result<()>;
    async fn advice_request(&mut self, id: Uuid) -> Result<Option<AdviceRequest>>;
    /// A unit's requests: every open one (nearest deadline first), then those answered on or
    /// after `since`, newest first.
    async fn advice_asked_of(
        &mut self,
        org_id: Uuid,
        since: NaiveDate,
    ) -> Result<Vec<AdviceRequest>>;
    /// An organisation's requests: every open or unread one, and those asked on or after
    /// `since`, newest first.
    async fn advice_asked_by(
        &mut self,
        org_id: Uuid,
        since: NaiveDate,
    ) -> Result<Vec<AdviceRequest>>;
    async fn advice_of_course(&mut self, course_id: Uuid) -> Result<Vec<AdviceRequest>>;
    /// Records the answer if the request has none; false if it has.
    async fn answer_advice(&mut self, id: Uuid, answer: &AdviceAnswer) -> Result<bool>;
    /// Marks an answer as read by the asking organisation (once).
    async fn mark_advice_read(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<()>;
}
