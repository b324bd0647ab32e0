//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::db::rows::*;
use crate::*;
use chrono::{DateTime, Utc};
use samspor_domain::audit::{AuditAction, AuditEntry, AuditEvent};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    chain_id: i64,
    seq: i64,
    at: DateTime<Utc>,
    user_id: Option<Uuid>,
    org_id: Option<Uuid>,
    action: String,
    object_type: String,
    object_id: Option<Uuid>,
    child_id: Option<Uuid>,
    purpose: String,
    request_id: String,
    detail: String,
    payload_digest: Option<String>,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            chain: r.chain_id,
            seq: r.seq,
            at: r.at,
            event: AuditEvent {
                user_id: r.user_id,
                org_id: r.org_id,
                action: AuditAction::parse(&r.action)
                    .ok_or_else(|| corrupt("audit action", &r.action))?,
                object_type: r.object_type,
                object_id: r.object_id,
                child_id: r.child_id,
                purpose: r.purpose,
                request_id: r.request_id,
                detail: r.detail,
            },
            payload_digest: r.payload_digest,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}
