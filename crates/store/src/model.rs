//! The records the store reads and writes.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::audit::AuditAction;
use samspor_domain::child::ChildData;
use samspor_domain::organisation::{OrgKind, Programme};
use samspor_domain::role::Role;
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

#[derive(Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub org_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub org_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    #[serde(skip)]
    pub failed_logins: i64,
    #[serde(skip)]
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("role", &self.role)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A login session. The cookie holds a random token; only its hash is stored.
#[derive(Clone)]
pub struct SessionRecord {
    pub id_hash: String,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The absolute end, however active the session is.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("user_id", &self.user_id)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub token_hash: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

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

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub child_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only entries with a sequence number above this (for paging in order).
    pub after_seq: Option<i64>,
    /// Newest first when true.
    pub newest_first: bool,
    pub limit: i64,
}
