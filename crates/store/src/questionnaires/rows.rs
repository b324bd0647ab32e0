//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::db::rows::*;
use crate::*;
use chrono::{DateTime, Utc};
use uuid::Uuid;

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
