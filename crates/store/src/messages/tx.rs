//! Messages, as a unit of work sees them.

use crate::Result;
use crate::messages::model::CourseMessage;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[async_trait]
pub trait MessageTx: Send {
    async fn insert_message(&mut self, m: &CourseMessage) -> Result<()>;
    async fn message(&mut self, id: Uuid) -> Result<Option<CourseMessage>>;
    /// A course's messages to or from an organisation, oldest first.
    async fn messages_of_course_for(
        &mut self,
        course_id: Uuid,
        org_id: Uuid,
    ) -> Result<Vec<CourseMessage>>;
    /// Marks the course's unread messages to an organisation as read.
    async fn mark_messages_read(
        &mut self,
        course_id: Uuid,
        org_id: Uuid,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// An organisation's unread messages per course: (course, child, how many).
    async fn unread_messages_for(&mut self, org_id: Uuid) -> Result<Vec<(Uuid, Uuid, i64)>>;
}
