//! Lawful bases and shares, as a unit of work sees them.

use crate::Result;
use crate::consent::model::{CustodyCheck, ExtractRecord, OpenReview, Share};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::lawful_basis::{
    BasisRecord, Consent, EmergencyAccess, EmergencyReview, Notification, Objection, StatutoryBasis,
};
use uuid::Uuid;

#[async_trait]
pub trait ConsentTx: Send {
    async fn insert_share(&mut self, share: &Share) -> Result<()>;
    async fn end_share(&mut self, id: Uuid, by: Uuid, at: DateTime<Utc>) -> Result<bool>;
    async fn shares_of_child(&mut self, child_id: Uuid) -> Result<Vec<Share>>;
    /// The courses of `child_id` shared with `org_id` and not ended.
    async fn shared_courses(&mut self, child_id: Uuid, org_id: Uuid) -> Result<Vec<Uuid>>;
    /// Children with a course shared with `org_id` and not ended, or opened by it in an
    /// emergency (whether the access is still open is for the access policy to say).
    async fn children_shared_with(&mut self, org_id: Uuid) -> Result<Vec<Uuid>>;

    async fn insert_consent(
        &mut self,
        child_id: Uuid,
        owner_org_id: Uuid,
        consent: &Consent,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Saves new givers or a withdrawal, if the consent is still at `version`.
    async fn update_consent(&mut self, consent: &Consent, version: i64) -> Result<()>;
    /// Consents of a child with their versions, oldest first.
    async fn consents_of(&mut self, child_id: Uuid) -> Result<Vec<(Consent, i64)>>;

    async fn insert_statutory(
        &mut self,
        child_id: Uuid,
        owner_org_id: Uuid,
        basis: &StatutoryBasis,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn end_statutory(&mut self, id: Uuid, by: Uuid, at: DateTime<Utc>) -> Result<bool>;

    async fn insert_objection(
        &mut self,
        child_id: Uuid,
        owner_org_id: Uuid,
        objection: &Objection,
    ) -> Result<()>;
    async fn withdraw_objection(&mut self, id: Uuid, by: Uuid, at: DateTime<Utc>) -> Result<bool>;

    async fn insert_emergency(
        &mut self,
        child_id: Uuid,
        owner_org_id: Uuid,
        access: &EmergencyAccess,
    ) -> Result<()>;

    async fn insert_notification(
        &mut self,
        child_id: Uuid,
        owner_org_id: Uuid,
        notification: &Notification,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn notifications_of(&mut self, child_id: Uuid) -> Result<Vec<Notification>>;

    async fn insert_custody_check(
        &mut self,
        child_id: Uuid,
        checked_on: NaiveDate,
        by: Uuid,
        source: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn custody_checks_of(&mut self, child_id: Uuid) -> Result<Vec<CustodyCheck>>;

    async fn review_emergency(
        &mut self,
        child_id: Uuid,
        id: Uuid,
        review: &EmergencyReview,
    ) -> Result<bool>;
    /// The reviews of a child's emergency accesses, by access.
    async fn emergency_reviews(&mut self, child_id: Uuid) -> Result<Vec<(Uuid, EmergencyReview)>>;
    /// Emergency accesses to the organisation's children that it has not reviewed yet.
    async fn unreviewed_emergencies(&mut self, owner_org_id: Uuid) -> Result<Vec<OpenReview>>;
    /// The organisation's children born between two days (inclusive) with a consent not
    /// withdrawn.
    async fn consenting_children_born(
        &mut self,
        owner_org_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Uuid>>;

    async fn insert_extract(&mut self, extract: &ExtractRecord) -> Result<()>;
    async fn extracts_of(&mut self, child_id: Uuid) -> Result<Vec<ExtractRecord>>;

    /// Every consent, statutory basis, objection and emergency access of a child.
    async fn basis_record(&mut self, child_id: Uuid) -> Result<BasisRecord>;
}
