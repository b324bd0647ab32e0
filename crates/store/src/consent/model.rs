//! The records of lawful bases and shares, as the store keeps them.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::lawful_basis::access_log::ExtractLine;
use samspor_domain::lawful_basis::{
    Consent, ConsentState, EmergencyAccess, EmergencyReview, GuardianFact, Notification, Objection,
    Person, RecipientKind, StatutoryBasis,
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
    pub reviews: Vec<ReviewLine>,
    pub notifications: Vec<Notification>,
    pub shares: Vec<Share>,
    pub custody_checks: Vec<CustodyCheck>,
    pub extracts: Vec<ExtractRecord>,
}

/// The owner's review of one emergency access.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLine {
    pub emergency_id: Uuid,
    #[serde(flatten)]
    pub review: EmergencyReview,
}

/// An extract of the access log given to the family: who asked, and the data-protection
/// decision that let staff names in, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtractRecord {
    pub id: Uuid,
    pub child_id: Uuid,
    pub owner_org_id: Uuid,
    pub requested_by: Person,
    pub staff_names_decision: Option<String>,
    pub made_by: Uuid,
    pub made_at: DateTime<Utc>,
}

/// The extract itself, oldest entry first, with the names it is printed under.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyExtract {
    pub record: ExtractRecord,
    pub child_name: String,
    /// The guardian who asked; `None` when the young person did.
    pub requested_by_name: Option<String>,
    pub lines: Vec<ExtractLine>,
}

/// An emergency access to one of the organisation's children that awaits its review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenReview {
    pub emergency_id: Uuid,
    pub child_id: Uuid,
    pub child_name: String,
    pub org_name: String,
    pub at: DateTime<Utc>,
}

/// A child turning 15 soon whose custody holders' consent then stops being a basis until the
/// young person confirms it (sundhedsloven § 17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TurningFifteen {
    pub child_id: Uuid,
    pub child_name: String,
    pub turns_15: NaiveDate,
    /// Consents that will need the young person's confirmation.
    pub consents: usize,
}

/// What the owning organisation must see to about its children's lawful bases.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BasisWorklist {
    pub reviews: Vec<OpenReview>,
    pub turning_15: Vec<TurningFifteen>,
}
