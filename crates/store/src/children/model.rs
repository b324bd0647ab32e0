//! Children and their record history.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::child::ChildData;
use serde::Serialize;
use uuid::Uuid;

/// A child's record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub id: Uuid,
    pub org_id: Uuid,
    pub municipality_code: Option<String>,
    pub data: ChildData,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Uuid,
}

/// A line in a list of children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildSummary {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    #[serde(skip)]
    pub cpr: String,
}

#[derive(Debug, Clone, Default)]
pub struct ChildQuery {
    /// Part of a name, or a CPR number (whole or its first digits).
    pub text: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One earlier version of a child's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildHistoryEntry {
    /// The version this entry replaced.
    pub version: i64,
    pub changed_at: DateTime<Utc>,
    pub changed_by: Uuid,
    pub changed_by_name: String,
    pub changed_fields: Vec<String>,
    /// The record as it was before the change.
    pub previous: serde_json::Value,
}
