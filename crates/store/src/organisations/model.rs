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
