//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::db::rows::*;
use crate::*;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::child::{ChildData, Guardian, Relation};
use samspor_domain::cpr::Cpr;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct ChildRow {
    pub id: Uuid,
    org_id: Uuid,
    municipality_code: Option<String>,
    cpr: String,
    given_name: String,
    family_name: String,
    address: Option<String>,
    school: Option<String>,
    version: i64,
    created_at: DateTime<Utc>,
    created_by: Uuid,
    updated_at: DateTime<Utc>,
    updated_by: Uuid,
}

#[derive(sqlx::FromRow)]
pub(crate) struct GuardianRow {
    name: String,
    relation: String,
    custody: bool,
    phone: Option<String>,
    email: Option<String>,
}

impl ChildRow {
    pub(crate) fn into_child(self, guardians: Vec<GuardianRow>) -> Result<Child, StoreError> {
        let cpr = Cpr::parse(&self.cpr).map_err(|_| corrupt("cpr", "(hidden)"))?;
        let guardians = guardians
            .into_iter()
            .map(|g| {
                Ok(Guardian {
                    relation: Relation::parse(&g.relation)
                        .ok_or_else(|| corrupt("relation", &g.relation))?,
                    name: g.name,
                    custody: g.custody,
                    phone: g.phone,
                    email: g.email,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Child {
            id: self.id,
            org_id: self.org_id,
            municipality_code: self.municipality_code,
            data: ChildData {
                cpr,
                given_name: self.given_name,
                family_name: self.family_name,
                address: self.address,
                school: self.school,
                guardians,
            },
            version: self.version,
            created_at: self.created_at,
            created_by: self.created_by,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ChildSummaryRow {
    id: Uuid,
    given_name: String,
    family_name: String,
    birth_date: NaiveDate,
    cpr: String,
}

impl From<ChildSummaryRow> for ChildSummary {
    fn from(r: ChildSummaryRow) -> Self {
        ChildSummary {
            id: r.id,
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
            cpr: r.cpr,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    version: i64,
    changed_at: DateTime<Utc>,
    changed_by: Uuid,
    changed_by_name: String,
    changed_fields: String,
    previous: String,
}

impl TryFrom<HistoryRow> for ChildHistoryEntry {
    type Error = StoreError;
    fn try_from(r: HistoryRow) -> Result<Self, StoreError> {
        Ok(ChildHistoryEntry {
            version: r.version,
            changed_at: r.changed_at,
            changed_by: r.changed_by,
            changed_by_name: r.changed_by_name,
            changed_fields: r
                .changed_fields
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            previous: serde_json::from_str(&r.previous)
                .map_err(|e| StoreError::Corrupt(format!("child history: {e}")))?,
        })
    }
}

/// A record as kept in the history table: the values before a change.
pub(crate) fn history_snapshot(data: &ChildData) -> String {
    serde_json::json!({
        "cpr": data.cpr.as_str(),
        "given_name": data.given_name,
        "family_name": data.family_name,
        "address": data.address,
        "school": data.school,
        "guardians": data.guardians,
    })
    .to_string()
}

/// Lower-cased "given family" name, for case-insensitive search on both backends.
pub(crate) fn search_name(data: &ChildData) -> String {
    format!("{} {}", data.given_name, data.family_name).to_lowercase()
}
