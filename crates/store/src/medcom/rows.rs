//! Rows as the database returns them.

use crate::StoreError;
use crate::medcom::model::{DeliveryState, MedcomMessage, Route};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// `SELECT` of every MedCom message column, followed by the rest of the query.
macro_rules! select_medcom {
    ($rest:literal) => {
        concat!(
            "SELECT id, header_id, child_id, course_id, gp_message_id, sender_org_id, receiver_name, \
             receiver_sor_code, receiver_ean, receiver_org_id, category, topic, text, bundle, state, \
             transport, attempts, next_attempt_at, last_error, created_at, created_by, sent_at, \
             acknowledged_at, read_at, read_by, referral_id FROM medcom_messages ",
            $rest
        )
    };
}
pub(crate) use select_medcom;

#[derive(sqlx::FromRow)]
pub(crate) struct MedcomRow {
    id: Uuid,
    header_id: Uuid,
    child_id: Uuid,
    course_id: Option<Uuid>,
    gp_message_id: Option<Uuid>,
    referral_id: Option<Uuid>,
    sender_org_id: Uuid,
    receiver_name: String,
    receiver_sor_code: String,
    receiver_ean: String,
    receiver_org_id: Option<Uuid>,
    category: String,
    topic: String,
    text: String,
    bundle: Option<String>,
    state: String,
    transport: Option<String>,
    attempts: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    created_by: Uuid,
    sent_at: Option<DateTime<Utc>>,
    acknowledged_at: Option<DateTime<Utc>>,
    read_at: Option<DateTime<Utc>>,
    read_by: Option<Uuid>,
}

impl TryFrom<MedcomRow> for MedcomMessage {
    type Error = StoreError;

    fn try_from(r: MedcomRow) -> Result<Self, StoreError> {
        let state = DeliveryState::parse(&r.state)
            .ok_or_else(|| StoreError::Corrupt(format!("medcom state {}", r.state)))?;
        let route = match r.transport.as_deref() {
            None => None,
            Some(t) => Some(
                Route::parse(t)
                    .ok_or_else(|| StoreError::Corrupt(format!("medcom transport {t}")))?,
            ),
        };
        Ok(MedcomMessage {
            id: r.id,
            header_id: r.header_id,
            child_id: r.child_id,
            course_id: r.course_id,
            gp_message_id: r.gp_message_id,
            referral_id: r.referral_id,
            sender_org_id: r.sender_org_id,
            receiver_name: r.receiver_name,
            receiver_sor_code: r.receiver_sor_code,
            receiver_ean: r.receiver_ean,
            receiver_org_id: r.receiver_org_id,
            category: r.category,
            topic: r.topic,
            text: r.text,
            bundle: r.bundle,
            state,
            route,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            created_at: r.created_at,
            created_by: r.created_by,
            sent_at: r.sent_at,
            acknowledged_at: r.acknowledged_at,
            read_at: r.read_at,
            read_by: r.read_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GpPracticeRow {
    pub name: String,
    pub ydernummer: String,
    pub sor_code: String,
    pub ean: String,
}
