//! Rows as the database returns them, and their conversion into records. Lists are JSON text.

use crate::StoreError;
use crate::consent::model::{ExtractRecord, Share};
use crate::db::rows::corrupt;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::lawful_basis::consent::{CapacityAssessment, Withdrawal};
use samspor_domain::lawful_basis::{
    Consent, ConsentForm, EmergencyAccess, EmergencyReview, Ground, Objection, Person, Purpose,
    RecipientKind, StatutoryBasis,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("lawful-basis lists always serialise")
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn kind(text: &str) -> Result<RecipientKind, StoreError> {
    RecipientKind::parse(text).ok_or_else(|| corrupt("recipient_kind", text))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ShareRow {
    id: Uuid,
    child_id: Uuid,
    course_id: Uuid,
    owner_org_id: Uuid,
    recipient_org_id: Uuid,
    recipient_name: String,
    recipient_kind: String,
    shared_by: Uuid,
    shared_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
}

impl TryFrom<ShareRow> for Share {
    type Error = StoreError;
    fn try_from(r: ShareRow) -> Result<Share, StoreError> {
        Ok(Share {
            id: r.id,
            child_id: r.child_id,
            course_id: r.course_id,
            owner_org_id: r.owner_org_id,
            recipient_org_id: r.recipient_org_id,
            recipient_name: r.recipient_name,
            recipient_kind: kind(&r.recipient_kind)?,
            shared_by: r.shared_by,
            shared_at: r.shared_at,
            ended_at: r.ended_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConsentRow {
    id: Uuid,
    purpose: String,
    recipients: String,
    categories: String,
    purpose_text: String,
    form: String,
    oral_reason: Option<String>,
    recorded_by: Uuid,
    given_on: NaiveDate,
    valid_to: Option<NaiveDate>,
    givers: String,
    capacity: Option<String>,
    withdrawn_at: Option<DateTime<Utc>>,
    withdrawn_by: Option<String>,
    withdrawn_recorded_by: Option<Uuid>,
    pub(crate) version: i64,
}

impl ConsentRow {
    pub(crate) fn into_consent(self) -> Result<(Consent, i64), StoreError> {
        let withdrawn = match (
            self.withdrawn_at,
            self.withdrawn_by,
            self.withdrawn_recorded_by,
        ) {
            (Some(at), Some(by), Some(recorded_by)) => Some(Withdrawal {
                at,
                by: from_json::<Person>("withdrawn_by", &by)?,
                recorded_by,
            }),
            _ => None,
        };
        let capacity = match &self.capacity {
            Some(text) => Some(from_json::<CapacityAssessment>("capacity", text)?),
            None => None,
        };
        let consent = Consent {
            id: self.id,
            purpose: Purpose::parse(&self.purpose)
                .ok_or_else(|| corrupt("purpose", &self.purpose))?,
            recipients: from_json("recipients", &self.recipients)?,
            categories: from_json("categories", &self.categories)?,
            purpose_text: self.purpose_text,
            form: ConsentForm::parse(&self.form).ok_or_else(|| corrupt("form", &self.form))?,
            oral_reason: self.oral_reason,
            recorded_by: self.recorded_by,
            given_on: self.given_on,
            valid_to: self.valid_to,
            givers: from_json("givers", &self.givers)?,
            capacity,
            withdrawn,
        };
        Ok((consent, self.version))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StatutoryRow {
    id: Uuid,
    ground: String,
    recipients: String,
    categories: String,
    reason: String,
    decided_by: Uuid,
    from_day: NaiveDate,
    to_day: Option<NaiveDate>,
    ended_at: Option<DateTime<Utc>>,
}

impl TryFrom<StatutoryRow> for StatutoryBasis {
    type Error = StoreError;
    fn try_from(r: StatutoryRow) -> Result<StatutoryBasis, StoreError> {
        Ok(StatutoryBasis {
            id: r.id,
            ground: Ground::parse(&r.ground).ok_or_else(|| corrupt("ground", &r.ground))?,
            recipients: from_json("recipients", &r.recipients)?,
            categories: from_json("categories", &r.categories)?,
            reason: r.reason,
            decided_by: r.decided_by,
            from: r.from_day,
            to: r.to_day,
            ended_at: r.ended_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ObjectionRow {
    id: Uuid,
    by_person: String,
    recipients: String,
    note: String,
    recorded_by: Uuid,
    recorded_at: DateTime<Utc>,
    withdrawn_at: Option<DateTime<Utc>>,
}

impl TryFrom<ObjectionRow> for Objection {
    type Error = StoreError;
    fn try_from(r: ObjectionRow) -> Result<Objection, StoreError> {
        Ok(Objection {
            id: r.id,
            by: from_json("by_person", &r.by_person)?,
            recipients: from_json("recipients", &r.recipients)?,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
            withdrawn_at: r.withdrawn_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EmergencyRow {
    id: Uuid,
    org_id: Uuid,
    recipient_kind: String,
    user_id: Uuid,
    reason: String,
    at: DateTime<Utc>,
}

impl TryFrom<EmergencyRow> for EmergencyAccess {
    type Error = StoreError;
    fn try_from(r: EmergencyRow) -> Result<EmergencyAccess, StoreError> {
        Ok(EmergencyAccess {
            id: r.id,
            org_id: r.org_id,
            kind: kind(&r.recipient_kind)?,
            user_id: r.user_id,
            reason: r.reason,
            at: r.at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ReviewRow {
    id: Uuid,
    reviewed_by: Option<Uuid>,
    reviewed_at: Option<DateTime<Utc>>,
    review_note: Option<String>,
    withheld_until: Option<NaiveDate>,
    withheld_reason: Option<String>,
}

impl TryFrom<ReviewRow> for (Uuid, EmergencyReview) {
    type Error = StoreError;
    fn try_from(r: ReviewRow) -> Result<(Uuid, EmergencyReview), StoreError> {
        let missing = || corrupt("emergency_accesses.reviewed_at", "incomplete review");
        Ok((
            r.id,
            EmergencyReview {
                reviewed_by: r.reviewed_by.ok_or_else(missing)?,
                reviewed_at: r.reviewed_at.ok_or_else(missing)?,
                note: r.review_note.ok_or_else(missing)?,
                withheld: r.withheld_until.zip(r.withheld_reason),
            },
        ))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ExtractRow {
    id: Uuid,
    child_id: Uuid,
    owner_org_id: Uuid,
    requested_by: String,
    staff_names_decision: Option<String>,
    made_by: Uuid,
    made_at: DateTime<Utc>,
}

impl TryFrom<ExtractRow> for ExtractRecord {
    type Error = StoreError;
    fn try_from(r: ExtractRow) -> Result<ExtractRecord, StoreError> {
        Ok(ExtractRecord {
            id: r.id,
            child_id: r.child_id,
            owner_org_id: r.owner_org_id,
            requested_by: from_json("requested_by", &r.requested_by)?,
            staff_names_decision: r.staff_names_decision,
            made_by: r.made_by,
            made_at: r.made_at,
        })
    }
}
