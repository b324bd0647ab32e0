//! Course records: the course, its contact, themes, encounters, visitation and referrals.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::contact::{Contact, SelfReferral, Source};
use samspor_domain::course::encounter::Encounter;
use samspor_domain::course::kl::{ReferralDestination, Theme};
use samspor_domain::course::visitation::{Outcome, Way};
use samspor_domain::organisation::Programme;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseRecord {
    pub id: Uuid,
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub status: CourseStatus,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub track: Option<Programme>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactRecord {
    pub course_id: Uuid,
    pub received_at: NaiveDateTime,
    #[serde(flatten)]
    pub contact: Contact,
    pub screening_response_id: Option<Uuid>,
    pub self_referral_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeRecord {
    pub theme: Theme,
    pub valid_from: DateTime<Utc>,
    pub valid_to: Option<DateTime<Utc>>,
    pub set_by_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EncounterStatus {
    Held,
    EnteredInError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncounterRecord {
    pub id: Uuid,
    pub course_id: Uuid,
    #[serde(flatten)]
    pub encounter: Encounter,
    pub staff_id: Option<Uuid>,
    pub staff_name: Option<String>,
    pub status: EncounterStatus,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    pub id: Uuid,
    pub org_id: Uuid,
    pub held_on: NaiveDate,
    pub participants: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    pub id: Uuid,
    pub course_id: Uuid,
    pub meeting_id: Option<Uuid>,
    pub outcome: Outcome,
    pub track: Option<Programme>,
    pub way: Option<Way>,
    pub reason_despite_signs: Option<String>,
    pub decided_at: DateTime<Utc>,
    pub decided_by: Uuid,
    pub decided_by_name: Option<String>,
}

/// A KL Referral: where the family was guided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralRecord {
    pub id: Uuid,
    pub course_id: Uuid,
    pub decision_id: Option<Uuid>,
    pub destination: ReferralDestination,
    pub note: String,
    pub at: DateTime<Utc>,
    pub created_by: Uuid,
    /// When the referral was written into Samspor (`at` is when the family was guided);
    /// the KL export finds new referrals by it.
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PsychiatryReferral {
    pub id: Uuid,
    pub course_id: Uuid,
    pub decision_id: Uuid,
    pub content: serde_json::Value,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SelfReferralStatus {
    New,
    Registered,
    Dismissed,
}

impl SelfReferralStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SelfReferralStatus::New => "new",
            SelfReferralStatus::Registered => "registered",
            SelfReferralStatus::Dismissed => "dismissed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfReferralRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    /// Shown to the family as their reference; holds no personal data.
    pub receipt: String,
    pub content: SelfReferral,
    pub status: SelfReferralStatus,
    pub course_id: Option<Uuid>,
    pub received_at: DateTime<Utc>,
    /// When it was registered or set aside.
    pub handled_at: Option<DateTime<Utc>>,
    /// Why it was set aside.
    pub dismiss_reason: Option<String>,
}

/// One line of the intake queue and the deadline worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseSummary {
    pub course: CourseRecord,
    pub child_name: String,
    pub birth_date: NaiveDate,
    pub source: Source,
    pub received_at: NaiveDateTime,
    pub forsamtale: Option<NaiveDateTime>,
    pub screening: Option<NaiveDateTime>,
    pub themes: Vec<Theme>,
    pub decided: bool,
}
