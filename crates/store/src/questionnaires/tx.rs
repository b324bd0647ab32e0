//! Questionnaire links, responses, alerts and licensed texts, as a unit of work sees them.

use crate::Result;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[async_trait]
pub trait QuestionnaireTx: Send {
    async fn insert_invitation(&mut self, inv: &Invitation) -> Result<()>;
    async fn invitation(&mut self, id: Uuid) -> Result<Option<Invitation>>;
    async fn invitation_by_token(&mut self, token_hash: &str) -> Result<Option<Invitation>>;
    async fn invitations_of_child(&mut self, child_id: Uuid) -> Result<Vec<Invitation>>;
    async fn update_invitation(
        &mut self,
        id: Uuid,
        status: InvitationStatus,
        answers: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn insert_response(&mut self, r: &ResponseRecord) -> Result<()>;
    async fn responses_of_child(&mut self, child_id: Uuid) -> Result<Vec<ResponseRecord>>;
    async fn insert_alert(&mut self, a: &Alert) -> Result<()>;
    async fn alert(&mut self, id: Uuid) -> Result<Option<Alert>>;
    async fn open_alerts(&mut self, org_id: Uuid) -> Result<Vec<Alert>>;
    async fn acknowledge_alert(&mut self, id: Uuid, by: Uuid, at: DateTime<Utc>) -> Result<bool>;
    /// Marks open alerts raised before `before` as escalated; returns how many.
    async fn escalate_alerts(&mut self, before: DateTime<Utc>, at: DateTime<Utc>) -> Result<u64>;
    async fn set_instrument_text(
        &mut self,
        org_id: Uuid,
        instrument_id: &str,
        link_id: &str,
        lang: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// linkId → licensed text for one instrument and language.
    async fn instrument_texts(
        &mut self,
        org_id: Uuid,
        instrument_id: &str,
        lang: &str,
    ) -> Result<Vec<(String, String)>>;
}
