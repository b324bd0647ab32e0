//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::db::rows::*;
use crate::*;
use chrono::{DateTime, Utc};
use samspor_domain::role::Role;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    org_id: Uuid,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    active: bool,
    failed_logins: i64,
    locked_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role", &r.role))?,
            id: r.id,
            org_id: r.org_id,
            email: r.email,
            name: r.name,
            password_hash: r.password_hash,
            active: r.active,
            failed_logins: r.failed_logins,
            locked_until: r.locked_until,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id_hash: String,
    user_id: Uuid,
    csrf_token: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            id_hash: r.id_hash,
            user_id: r.user_id,
            csrf_token: r.csrf_token,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
        }
    }
}

/// A user and their organisation in one row; the organisation's columns are prefixed `org_`.
#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    #[sqlx(flatten)]
    user: UserRow,
    org_code: String,
    org_kind: String,
    org_name: String,
    org_parent_id: Option<Uuid>,
    org_region_code: Option<String>,
    org_municipality_code: Option<String>,
    org_sor_code: Option<String>,
    org_ean_code: Option<String>,
    org_created_at: DateTime<Utc>,
}

impl TryFrom<MemberRow> for (User, Organisation) {
    type Error = StoreError;
    fn try_from(r: MemberRow) -> Result<Self, StoreError> {
        let org = Organisation {
            kind: samspor_domain::organisation::OrgKind::parse(&r.org_kind)
                .ok_or_else(|| corrupt("organisation kind", &r.org_kind))?,
            id: r.user.org_id,
            code: r.org_code,
            name: r.org_name,
            parent_id: r.org_parent_id,
            region_code: r.org_region_code,
            municipality_code: r.org_municipality_code,
            sor_code: r.org_sor_code,
            ean_code: r.org_ean_code,
            created_at: r.org_created_at,
        };
        Ok((User::try_from(r.user)?, org))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PasswordLinkRow {
    token_hash: String,
    user_id: uuid::Uuid,
    purpose: String,
    created_at: chrono::DateTime<chrono::Utc>,
    created_by: Option<uuid::Uuid>,
    expires_at: chrono::DateTime<chrono::Utc>,
    used_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl TryFrom<PasswordLinkRow> for crate::PasswordLink {
    type Error = crate::StoreError;

    fn try_from(r: PasswordLinkRow) -> Result<Self, crate::StoreError> {
        Ok(crate::PasswordLink {
            purpose: crate::PasswordLinkPurpose::parse(&r.purpose).ok_or_else(|| {
                crate::StoreError::Corrupt(format!("password link purpose {}", r.purpose))
            })?,
            token_hash: r.token_hash,
            user_id: r.user_id,
            created_at: r.created_at,
            created_by: r.created_by,
            expires_at: r.expires_at,
            used_at: r.used_at,
        })
    }
}
