//! Rows as the database returns them, and their conversion into model types.
//! Shared by both backends: the derives are generic over the database.

use crate::StoreError;
use crate::model::*;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::audit::{AuditAction, AuditEntry, AuditEvent};
use samspor_domain::child::{ChildData, Guardian, Relation};
use samspor_domain::cpr::Cpr;
use samspor_domain::organisation::{OrgKind, Programme};
use samspor_domain::role::Role;
use uuid::Uuid;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: unexpected value {value:?}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrgRow {
    id: Uuid,
    code: String,
    kind: String,
    name: String,
    parent_id: Option<Uuid>,
    region_code: Option<String>,
    municipality_code: Option<String>,
    sor_code: Option<String>,
    ean_code: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<OrgRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrgRow) -> Result<Self, StoreError> {
        Ok(Organisation {
            kind: OrgKind::parse(&r.kind).ok_or_else(|| corrupt("organisation kind", &r.kind))?,
            id: r.id,
            code: r.code,
            name: r.name,
            parent_id: r.parent_id,
            region_code: r.region_code,
            municipality_code: r.municipality_code,
            sor_code: r.sor_code,
            ean_code: r.ean_code,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ParticipationRow {
    municipality_code: String,
    programme: String,
    since: NaiveDate,
}

impl TryFrom<ParticipationRow> for Participation {
    type Error = StoreError;
    fn try_from(r: ParticipationRow) -> Result<Self, StoreError> {
        Ok(Participation {
            programme: Programme::parse(&r.programme)
                .ok_or_else(|| corrupt("programme", &r.programme))?,
            municipality_code: r.municipality_code,
            since: r.since,
        })
    }
}

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

/// Escapes LIKE wildcards so user text matches literally (with `ESCAPE '\'`).
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn json(what: &str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct InvitationRow {
    id: Uuid,
    child_id: Uuid,
    org_id: Uuid,
    municipality_code: Option<String>,
    instrument_id: String,
    respondent: String,
    respondent_name: String,
    respondent_email: Option<String>,
    token_hash: String,
    status: String,
    answers: String,
    expires_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    created_by: Uuid,
    updated_at: DateTime<Utc>,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;
    fn try_from(r: InvitationRow) -> Result<Self, StoreError> {
        Ok(Invitation {
            status: InvitationStatus::parse(&r.status)
                .ok_or_else(|| corrupt("invitation status", &r.status))?,
            answers: json("invitation answers", &r.answers)?,
            id: r.id,
            child_id: r.child_id,
            org_id: r.org_id,
            municipality_code: r.municipality_code,
            instrument_id: r.instrument_id,
            respondent: r.respondent,
            respondent_name: r.respondent_name,
            respondent_email: r.respondent_email,
            token_hash: r.token_hash,
            expires_at: r.expires_at,
            created_at: r.created_at,
            created_by: r.created_by,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ResponseRow {
    id: Uuid,
    child_id: Uuid,
    org_id: Uuid,
    municipality_code: Option<String>,
    instrument_id: String,
    instrument_version: String,
    respondent: String,
    respondent_name: String,
    source: String,
    invitation_id: Option<Uuid>,
    answers: String,
    scores: String,
    answered_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    created_by: Option<Uuid>,
}

impl TryFrom<ResponseRow> for ResponseRecord {
    type Error = StoreError;
    fn try_from(r: ResponseRow) -> Result<Self, StoreError> {
        Ok(ResponseRecord {
            answers: json("response answers", &r.answers)?,
            scores: json("response scores", &r.scores)?,
            id: r.id,
            child_id: r.child_id,
            org_id: r.org_id,
            municipality_code: r.municipality_code,
            instrument_id: r.instrument_id,
            instrument_version: r.instrument_version,
            respondent: r.respondent,
            respondent_name: r.respondent_name,
            source: r.source,
            invitation_id: r.invitation_id,
            answered_at: r.answered_at,
            created_at: r.created_at,
            created_by: r.created_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AlertRow {
    id: Uuid,
    child_id: Uuid,
    org_id: Uuid,
    response_id: Uuid,
    code: String,
    message_en: String,
    message_da: String,
    created_at: DateTime<Utc>,
    escalated_at: Option<DateTime<Utc>>,
    acknowledged_at: Option<DateTime<Utc>>,
    acknowledged_by: Option<Uuid>,
}

impl From<AlertRow> for Alert {
    fn from(r: AlertRow) -> Self {
        Alert {
            id: r.id,
            child_id: r.child_id,
            org_id: r.org_id,
            response_id: r.response_id,
            code: r.code,
            message_en: r.message_en,
            message_da: r.message_da,
            created_at: r.created_at,
            escalated_at: r.escalated_at,
            acknowledged_at: r.acknowledged_at,
            acknowledged_by: r.acknowledged_by,
        }
    }
}
