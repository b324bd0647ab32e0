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
    /// Who referred: a municipality from its course, or a GP.
    #[serde(flatten)]
    pub referrer: Referrer,
    pub to_org_id: Uuid,
    /// The letter visitation drafted, which this referral sent.
    pub draft_id: Option<Uuid>,
    #[serde(flatten)]
    pub text: ReferralText,
    /// The questionnaire scores attached (none for a GP's referral), as they stood when it was sent.
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

/// Who referred the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "origin", rename_all = "snake_case")]
pub enum Referrer {
    /// The municipality, from the course whose visitation decided to refer.
    Municipality { course_id: Uuid, from_org_id: Uuid },
    /// The child's GP, through the referral service; the unit registered it. `from_org_id` is
    /// the practice's organisation when the practice uses Samspor (and so follows it here).
    Gp {
        from_org_id: Option<Uuid>,
        referrer_name: String,
        gp_reference: Option<String>,
    },
}

impl Referrer {
    pub fn course_id(&self) -> Option<Uuid> {
        match self {
            Referrer::Municipality { course_id, .. } => Some(*course_id),
            Referrer::Gp { .. } => None,
        }
    }

    /// The referring organisation in Samspor, if it is one.
    pub fn from_org_id(&self) -> Option<Uuid> {
        match self {
            Referrer::Municipality { from_org_id, .. } => Some(*from_org_id),
            Referrer::Gp { from_org_id, .. } => *from_org_id,
        }
    }
}

impl ReferralToPsychiatry {
    pub fn is_from_gp(&self) -> bool {
        matches!(self.referrer, Referrer::Gp { .. })
    }
}
