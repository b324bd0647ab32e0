//! MedCom messages and the child's GP practice, as a unit of work sees them.

use crate::Result;
use crate::medcom::model::MedcomMessage;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samspor_domain::medcom::GpPractice;
use uuid::Uuid;

#[async_trait]
pub trait MedcomTx: Send {
    async fn child_gp_practice(&mut self, child_id: Uuid) -> Result<Option<GpPractice>>;
    async fn set_child_gp_practice(
        &mut self,
        child_id: Uuid,
        practice: &GpPractice,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The telephone an organisation signs its MedCom messages with.
    async fn organisation_phone(&mut self, org_id: Uuid) -> Result<Option<String>>;
    async fn set_organisation_routing(
        &mut self,
        org_id: Uuid,
        sor_code: &str,
        ean: &str,
        phone: &str,
    ) -> Result<()>;
    /// The organisation in Samspor with this SOR code, if one has it.
    async fn organisation_by_sor(&mut self, sor_code: &str) -> Result<Option<Uuid>>;
    async fn insert_medcom_message(&mut self, m: &MedcomMessage) -> Result<()>;
    async fn medcom_message(&mut self, id: Uuid) -> Result<Option<MedcomMessage>>;
    async fn medcom_message_by_header(&mut self, header_id: Uuid) -> Result<Option<MedcomMessage>>;
    async fn medcom_message_of_gp_message(
        &mut self,
        gp_message_id: Uuid,
    ) -> Result<Option<MedcomMessage>>;
    /// The message that carried the unit's answer to a GP's referral.
    async fn medcom_message_of_referral(
        &mut self,
        referral_id: Uuid,
    ) -> Result<Option<MedcomMessage>>;
    /// Messages waiting to be sent whose next attempt is due, oldest first.
    async fn due_medcom_messages(
        &mut self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<MedcomMessage>>;
    /// Takes a due message for one sender until `until`; `false` when another sender has it.
    async fn claim_medcom_message(
        &mut self,
        id: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// Writes the delivery columns (state, route, attempts, next attempt, error, times).
    async fn update_medcom_delivery(&mut self, m: &MedcomMessage) -> Result<()>;
    async fn mark_medcom_read(&mut self, id: Uuid, by: Uuid, at: DateTime<Utc>) -> Result<()>;
    /// Delivered messages received by an organisation, newest first.
    async fn medcom_inbox(&mut self, org_id: Uuid) -> Result<Vec<MedcomMessage>>;
    /// Messages an organisation sent, newest first.
    async fn medcom_outbox(&mut self, org_id: Uuid) -> Result<Vec<MedcomMessage>>;
    async fn unread_medcom(&mut self, org_id: Uuid) -> Result<i64>;
    async fn set_gp_message_status(&mut self, id: Uuid, status: &str) -> Result<()>;
}
