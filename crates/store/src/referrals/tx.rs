//! Referrals to child psychiatry, as a unit of work sees them.

use crate::Result;
use crate::referrals::model::ReferralToPsychiatry;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samspor_domain::referral::Answer;
use uuid::Uuid;

#[async_trait]
pub trait ReferralTx: Send {
    async fn insert_referral_to_psychiatry(&mut self, r: &ReferralToPsychiatry) -> Result<()>;
    async fn referral_to_psychiatry(&mut self, id: Uuid) -> Result<Option<ReferralToPsychiatry>>;
    /// The referrals a unit received, oldest deadline first.
    async fn referrals_to(&mut self, org_id: Uuid) -> Result<Vec<ReferralToPsychiatry>>;
    /// The referrals an organisation sent, newest first.
    async fn referrals_from(&mut self, org_id: Uuid) -> Result<Vec<ReferralToPsychiatry>>;
    async fn referrals_of_course(&mut self, course_id: Uuid) -> Result<Vec<ReferralToPsychiatry>>;
    async fn referrals_of_child(&mut self, child_id: Uuid) -> Result<Vec<ReferralToPsychiatry>>;
    /// Records the answer if the referral still waits for one; false if it does not.
    async fn answer_referral(
        &mut self,
        id: Uuid,
        answer: &Answer,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Marks a return as acted on; false if it is no open return.
    async fn act_on_return(&mut self, id: Uuid, by: Uuid, at: DateTime<Utc>) -> Result<bool>;
    /// Marks visitation's draft letter as sent.
    async fn mark_draft_sent(&mut self, draft_id: Uuid) -> Result<()>;
}
