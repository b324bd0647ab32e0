//! The records of lawful bases and shares, as the store keeps them.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::lawful_basis::{
    Consent, ConsentState, EmergencyAccess, GuardianFact, Notification, Objection, RecipientKind,
    StatutoryBasis,
};
use serde::Serialize;
use uuid::Uuid;

/// A course shared with another organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    pub id: Uuid,
    pub child_id: Uuid,
    pub course_id: Uuid,
    pub owner_org_id: Uuid,
    pub recipient_org_id: Uuid,
    pub recipient_name: String,
    pub recipient_kind: RecipientKind,
    pub shared_by: Uuid,
    pub shared_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// "Checked against CPR on <day> by <whom>": where the custody facts come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustodyCheck {
    pub checked_on: NaiveDate,
    pub checked_by: Uuid,
    pub checked_by_name: String,
    pub source: String,
}

/// A consent with its state today, for the lawful-basis page.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentLine {
    #[serde(flatten)]
    pub consent: Consent,
    pub version: i64,
    pub state: ConsentState,
}

/// Everything recorded about a child's lawful bases, for the owner's lawful-basis page.
#[derive(Debug, Clone, Serialize)]
pub struct LawfulBasisView {
    pub child_id: Uuid,
    /// The adults on the record, with the ids consents name them by.
    pub guardians: Vec<GuardianFact>,
    pub consents: Vec<ConsentLine>,
    pub statutory: Vec<StatutoryBasis>,
    pub objections: Vec<Objection>,
    pub emergencies: Vec<EmergencyAccess>,
    pub notifications: Vec<Notification>,
    pub shares: Vec<Share>,
    pub custody_checks: Vec<CustodyCheck>,
}
