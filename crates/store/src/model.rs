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
    /// Newest first when true.
    pub newest_first: bool,
    pub limit: i64,
}

/// Where a questionnaire link stands. "Expired" is not stored: it follows from the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Sent,
    Started,
    Submitted,
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Sent => "sent",
            InvitationStatus::Started => "started",
            InvitationStatus::Submitted => "submitted",
            InvitationStatus::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sent, Self::Started, Self::Submitted, Self::Revoked]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A one-time link to a questionnaire for one respondent about one child.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invitation {
    pub id: Uuid,
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub municipality_code: Option<String>,
    pub instrument_id: String,
    pub respondent: String,
    pub respondent_name: String,
    pub respondent_email: Option<String>,
    #[serde(skip)]
    pub token_hash: String,
    pub status: InvitationStatus,
    /// Answers saved so far, page by page: linkId → value or null.
    pub answers: serde_json::Value,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub updated_at: DateTime<Utc>,
}

impl Invitation {
    /// Whether the link can still be used to answer.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.status,
            InvitationStatus::Sent | InvitationStatus::Started
        ) && now < self.expires_at
    }

    /// The state shown to staff, with expiry derived from the time.
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        match self.status {
            InvitationStatus::Sent | InvitationStatus::Started if now >= self.expires_at => {
                "expired"
            }
            s => s.as_str(),
        }
    }
}

/// A scored questionnaire response, from a link or typed in from paper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRecord {
    pub id: Uuid,
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub municipality_code: Option<String>,
    pub instrument_id: String,
    pub instrument_version: String,
    pub respondent: String,
    pub respondent_name: String,
    /// "link" or "paper".
    pub source: String,
    pub invitation_id: Option<Uuid>,
    pub answers: serde_json::Value,
    pub scores: serde_json::Value,
    pub answered_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
}

/// Raised at once when a critical item (e.g. thoughts of self-harm) is answered positively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub id: Uuid,
    pub child_id: Uuid,
    pub org_id: Uuid,
    pub response_id: Uuid,
    pub code: String,
    pub message_en: String,
    pub message_da: String,
    pub created_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<Uuid>,
}
