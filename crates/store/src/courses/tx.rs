//! The course part of a transaction; every `Tx` has it.

use crate::Result;
use crate::courses::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::kl::Theme;
use uuid::Uuid;

#[async_trait]
pub trait CourseTx: Send {
    async fn insert_course(&mut self, c: &CourseRecord) -> Result<()>;
    async fn course(&mut self, id: Uuid) -> Result<Option<CourseRecord>>;
    /// Writes status, end and track if the stored version is still `c.version`, and bumps it.
    /// Someone else's save in between gives `VersionConflict`.
    async fn save_course(
        &mut self,
        c: &CourseRecord,
        by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<CourseRecord>;
    /// The organisation's courses, all or those with one status.
    async fn courses_of_org(
        &mut self,
        org_id: Uuid,
        status: Option<CourseStatus>,
    ) -> Result<Vec<CourseSummary>>;
    async fn courses_of_child(&mut self, child_id: Uuid) -> Result<Vec<CourseRecord>>;

    async fn insert_contact(&mut self, c: &ContactRecord) -> Result<()>;
    async fn contact(&mut self, course_id: Uuid) -> Result<Option<ContactRecord>>;

    /// Ends the current themes and starts `themes`, keeping the history.
    async fn set_themes(
        &mut self,
        course_id: Uuid,
        themes: &[Theme],
        by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn themes(&mut self, course_id: Uuid) -> Result<Vec<ThemeRecord>>;

    async fn insert_encounter(&mut self, e: &EncounterRecord, by: Option<Uuid>) -> Result<()>;
    async fn encounters(&mut self, course_id: Uuid) -> Result<Vec<EncounterRecord>>;

    async fn insert_meeting(&mut self, m: &Meeting) -> Result<()>;
    async fn meeting(&mut self, id: Uuid) -> Result<Option<Meeting>>;
    async fn meetings_of_org(&mut self, org_id: Uuid) -> Result<Vec<Meeting>>;

    async fn insert_decision(&mut self, d: &DecisionRecord) -> Result<()>;
    async fn decisions(&mut self, course_id: Uuid) -> Result<Vec<DecisionRecord>>;
    async fn decisions_of_meeting(&mut self, meeting_id: Uuid) -> Result<Vec<DecisionRecord>>;
    async fn insert_referral(&mut self, r: &ReferralRecord) -> Result<()>;
    async fn referrals(&mut self, course_id: Uuid) -> Result<Vec<ReferralRecord>>;
    async fn insert_psychiatry_referral(&mut self, r: &PsychiatryReferral) -> Result<()>;
    async fn psychiatry_referrals(&mut self, course_id: Uuid) -> Result<Vec<PsychiatryReferral>>;

    async fn insert_self_referral(&mut self, s: &SelfReferralRecord) -> Result<()>;
    async fn self_referral(&mut self, id: Uuid) -> Result<Option<SelfReferralRecord>>;
    async fn new_self_referrals(&mut self, org_id: Uuid) -> Result<Vec<SelfReferralRecord>>;
    async fn count_new_self_referrals(&mut self, org_id: Uuid) -> Result<i64>;
    /// Marks a new self-referral handled; false if someone handled it first.
    async fn handle_self_referral(
        &mut self,
        id: Uuid,
        status: SelfReferralStatus,
        course_id: Option<Uuid>,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Sets a new self-referral aside with why; false if someone handled it first.
    async fn dismiss_self_referral(
        &mut self,
        id: Uuid,
        reason: &str,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Self-referrals set aside since `since`, newest first.
    async fn dismissed_self_referrals(
        &mut self,
        org_id: Uuid,
        since: DateTime<Utc>,
    ) -> Result<Vec<SelfReferralRecord>>;
    /// Puts one set aside since `since` back in the queue; false if there is none such.
    async fn restore_self_referral(&mut self, id: Uuid, since: DateTime<Utc>) -> Result<bool>;
}
