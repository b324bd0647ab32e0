//! Organisations and their programme participation.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::organisation::{OrgKind, Programme};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub code: String,
    pub kind: OrgKind,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub region_code: Option<String>,
    pub municipality_code: Option<String>,
    pub sor_code: Option<String>,
    pub ean_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participation {
    pub municipality_code: String,
    pub programme: Programme,
    pub since: NaiveDate,
}

/// That an organisation belongs to another (a municipality to its region, a unit to its
/// municipality or region) from one day to another, both days included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub org_id: Uuid,
    pub parent_id: Uuid,
    pub valid_from: NaiveDate,
    /// The last day; `None` while it lasts.
    pub valid_until: Option<NaiveDate>,
    /// Where the fact comes from: `reference`, a law, or who created the unit.
    pub source: String,
}

impl Membership {
    pub fn holds(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && self.valid_until.is_none_or(|u| on <= u)
    }
}
