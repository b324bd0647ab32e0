//! A referral to child psychiatry as stored.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::course::visitation::Way;
use samspor_domain::referral::{ReferralStatus, ReferralText};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralToPsychiatry {
    pub id: Uuid,
    pub child_id: Uuid,
    pub course_id: Uuid,
    pub from_org_id: Uuid,
    pub to_org_id: Uuid,
    /// The letter visitation drafted, which this referral sent.
    pub draft_id: Option<Uuid>,
    #[serde(flatten)]
    pub text: ReferralText,
    /// The questionnaire scores attached, as they stood when it was sent.
    pub scores: serde_json::Value,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub sent_at: DateTime<Utc>,
    pub sent_by: Uuid,
    pub status: ReferralStatus,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<Uuid>,
    pub answer_note: Option<String>,
    /// For a return: where the family is guided and the advice.
    pub return_way: Option<Way>,
    /// When the municipality acted on a return.
    pub acted_at: Option<DateTime<Utc>>,
    pub acted_by: Option<Uuid>,
}
