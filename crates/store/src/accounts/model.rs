//! Staff accounts, browser sessions and API tokens.

use chrono::{DateTime, Utc};
use samspor_domain::role::Role;
use serde::Serialize;
use uuid::Uuid;

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
    pub expires_at: Option<DateTime<Utc>>,
}

/// An API token as the operator lists it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A one-time link for a member of staff to choose a password. Only the token's hash is kept.
#[derive(Debug, Clone)]
pub struct PasswordLink {
    pub token_hash: String,
    pub user_id: Uuid,
    pub purpose: PasswordLinkPurpose,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLinkPurpose {
    /// The first password of a new account.
    Invite,
    /// A new password chosen after an administrator reset the old one.
    Reset,
}

impl PasswordLinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordLinkPurpose::Invite => "invite",
            PasswordLinkPurpose::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invite" => Some(PasswordLinkPurpose::Invite),
            "reset" => Some(PasswordLinkPurpose::Reset),
            _ => None,
        }
    }
}
