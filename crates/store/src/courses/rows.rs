//! Course rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::courses::model::*;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samspor_domain::course::careplan::{CourseStatus, Period};
use samspor_domain::course::contact::{Consent, Contact, Source};
use samspor_domain::course::encounter::{
    Delivery, Encounter, EncounterType, Participants, Treatment,
};
use samspor_domain::course::kl::{ReferralDestination, Theme};
use samspor_domain::course::visitation::{Outcome, Way};
use samspor_domain::organisation::Programme;
use uuid::Uuid;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: unexpected value {value:?}"))
}

fn track(value: Option<String>) -> Result<Option<Programme>, StoreError> {
    value
        .map(|t| Programme::parse(&t).ok_or_else(|| corrupt("course track", &t)))
        .transpose()
}

#[derive(sqlx::FromRow)]
pub(crate) struct CourseRow {
    id: Uuid,
    child_id: Uuid,
    org_id: Uuid,
    status: String,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    track: Option<String>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<CourseRow> for CourseRecord {
    type Error = StoreError;
    fn try_from(r: CourseRow) -> Result<Self, StoreError> {
        let status =
            CourseStatus::parse(&r.status).ok_or_else(|| corrupt("course status", &r.status))?;
        // The database constraint guarantees this; checking again keeps the domain type honest.
        Period::from_stored(status, r.started_on, r.ended_on)
            .ok_or_else(|| corrupt("course period", &r.status))?;
        Ok(CourseRecord {
            id: r.id,
            child_id: r.child_id,
            org_id: r.org_id,
            status,
            started_on: r.started_on,
            ended_on: r.ended_on,
            track: track(r.track)?,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    #[sqlx(flatten)]
    course: CourseRow,
    given_name: String,
    family_name: String,
    birth_date: NaiveDate,
    source: String,
    received_at: NaiveDateTime,
    forsamtale: Option<NaiveDateTime>,
    screening: Option<NaiveDateTime>,
    decisions: i64,
}

impl TryFrom<SummaryRow> for CourseSummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> Result<Self, StoreError> {
        Ok(CourseSummary {
            course: r.course.try_into()?,
            child_name: format!("{} {}", r.given_name, r.family_name),
            birth_date: r.birth_date,
            source: Source::parse(&r.source).ok_or_else(|| corrupt("source", &r.source))?,
            received_at: r.received_at,
            forsamtale: r.forsamtale,
            screening: r.screening,
            themes: Vec::new(),
            decided: r.decisions > 0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    course_id: Uuid,
    source: String,
    received_at: NaiveDateTime,
    reason: String,
    duration: Option<String>,
    tried: Option<String>,
    consent: String,
    referrer_name: Option<String>,
    referrer_contact: Option<String>,
    family_contact: Option<String>,
    psychiatry_reason: Option<String>,
    psychiatry_recommendation: Option<String>,
    screening_response_id: Option<Uuid>,
    self_referral_id: Option<Uuid>,
}

impl TryFrom<ContactRow> for ContactRecord {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> Result<Self, StoreError> {
        Ok(ContactRecord {
            course_id: r.course_id,
            received_at: r.received_at,
            contact: Contact {
                source: Source::parse(&r.source).ok_or_else(|| corrupt("source", &r.source))?,
                reason: r.reason,
                duration: r.duration,
                tried: r.tried,
                consent: Consent::parse(&r.consent)
                    .ok_or_else(|| corrupt("consent", &r.consent))?,
                referrer_name: r.referrer_name,
                referrer_contact: r.referrer_contact,
                family_contact: r.family_contact,
                psychiatry_reason: r.psychiatry_reason,
                psychiatry_recommendation: r.psychiatry_recommendation,
            },
            screening_response_id: r.screening_response_id,
            self_referral_id: r.self_referral_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ThemeRow {
    theme: String,
    valid_from: DateTime<Utc>,
    valid_to: Option<DateTime<Utc>>,
    set_by_name: Option<String>,
}

impl TryFrom<ThemeRow> for ThemeRecord {
    type Error = StoreError;
    fn try_from(r: ThemeRow) -> Result<Self, StoreError> {
        Ok(ThemeRecord {
            theme: Theme::parse(&r.theme).ok_or_else(|| corrupt("theme", &r.theme))?,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            set_by_name: r.set_by_name,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EncounterRow {
    id: Uuid,
    course_id: Uuid,
    kind: String,
    at: NaiveDateTime,
    delivery: Option<String>,
    participants: Option<String>,
    staff_id: Option<Uuid>,
    staff_name: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
}

pub(crate) fn delivery_str(d: Delivery) -> &'static str {
    match d {
        Delivery::Individual => "individual",
        Delivery::Group => "group",
    }
}

pub(crate) fn participants_str(p: Participants) -> &'static str {
    match p {
        Participants::ChildPresent => "child_present",
        Participants::CaregiversOnly => "caregivers_only",
    }
}

impl TryFrom<EncounterRow> for EncounterRecord {
    type Error = StoreError;
    fn try_from(r: EncounterRow) -> Result<Self, StoreError> {
        let kind = EncounterType::parse(&r.kind).ok_or_else(|| corrupt("encounter", &r.kind))?;
        let delivery = match r.delivery.as_deref() {
            None => None,
            Some("individual") => Some(Delivery::Individual),
            Some("group") => Some(Delivery::Group),
            Some(other) => return Err(corrupt("delivery", other)),
        };
        let participants = match r.participants.as_deref() {
            None => None,
            Some("child_present") => Some(Participants::ChildPresent),
            Some("caregivers_only") => Some(Participants::CaregiversOnly),
            Some(other) => return Err(corrupt("participants", other)),
        };
        let treatment = match (delivery, participants) {
            (Some(delivery), Some(participants)) => Some(Treatment {
                delivery,
                participants,
            }),
            _ => None,
        };
        Ok(EncounterRecord {
            id: r.id,
            course_id: r.course_id,
            encounter: Encounter {
                kind,
                at: r.at,
                treatment,
            },
            staff_id: r.staff_id,
            staff_name: r.staff_name,
            status: match r.status.as_str() {
                "held" => EncounterStatus::Held,
                "entered-in-error" => EncounterStatus::EnteredInError,
                other => return Err(corrupt("encounter status", other)),
            },
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MeetingRow {
    id: Uuid,
    org_id: Uuid,
    held_on: NaiveDate,
    participants: String,
    created_at: DateTime<Utc>,
    created_by: Uuid,
}

impl From<MeetingRow> for Meeting {
    fn from(r: MeetingRow) -> Self {
        Meeting {
            id: r.id,
            org_id: r.org_id,
            held_on: r.held_on,
            participants: r.participants,
            created_at: r.created_at,
            created_by: r.created_by,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DecisionRow {
    id: Uuid,
    course_id: Uuid,
    meeting_id: Option<Uuid>,
    outcome: String,
    track: Option<String>,
    way_destination: Option<String>,
    way_note: Option<String>,
    reason_despite_signs: Option<String>,
    decided_at: DateTime<Utc>,
    decided_by: Uuid,
    decided_by_name: Option<String>,
}

fn destination(s: &str) -> Result<ReferralDestination, StoreError> {
    ReferralDestination::parse(s).ok_or_else(|| corrupt("referral destination", s))
}

impl TryFrom<DecisionRow> for DecisionRecord {
    type Error = StoreError;
    fn try_from(r: DecisionRow) -> Result<Self, StoreError> {
        let way = match (r.way_destination, r.way_note) {
            (Some(d), Some(note)) => Some(Way {
                destination: destination(&d)?,
                note,
            }),
            _ => None,
        };
        Ok(DecisionRecord {
            id: r.id,
            course_id: r.course_id,
            meeting_id: r.meeting_id,
            outcome: Outcome::parse(&r.outcome).ok_or_else(|| corrupt("outcome", &r.outcome))?,
            track: track(r.track)?,
            way,
            reason_despite_signs: r.reason_despite_signs,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            decided_by_name: r.decided_by_name,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ReferralRow {
    id: Uuid,
    course_id: Uuid,
    decision_id: Option<Uuid>,
    destination: String,
    note: String,
    at: DateTime<Utc>,
    created_by: Uuid,
    recorded_at: Option<DateTime<Utc>>,
}

impl TryFrom<ReferralRow> for ReferralRecord {
    type Error = StoreError;
    fn try_from(r: ReferralRow) -> Result<Self, StoreError> {
        Ok(ReferralRecord {
            destination: destination(&r.destination)?,
            id: r.id,
            course_id: r.course_id,
            decision_id: r.decision_id,
            note: r.note,
            at: r.at,
            created_by: r.created_by,
            recorded_at: r.recorded_at.unwrap_or(r.at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PsychiatryReferralRow {
    id: Uuid,
    course_id: Uuid,
    decision_id: Uuid,
    content: String,
    status: String,
    created_at: DateTime<Utc>,
    created_by: Uuid,
}

impl TryFrom<PsychiatryReferralRow> for PsychiatryReferral {
    type Error = StoreError;
    fn try_from(r: PsychiatryReferralRow) -> Result<Self, StoreError> {
        Ok(PsychiatryReferral {
            content: serde_json::from_str(&r.content)
                .map_err(|e| StoreError::Corrupt(format!("psychiatry referral: {e}")))?,
            id: r.id,
            course_id: r.course_id,
            decision_id: r.decision_id,
            status: r.status,
            created_at: r.created_at,
            created_by: r.created_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SelfReferralRow {
    id: Uuid,
    org_id: Uuid,
    receipt: String,
    content: String,
    status: String,
    course_id: Option<Uuid>,
    received_at: DateTime<Utc>,
    handled_at: Option<DateTime<Utc>>,
    dismiss_reason: Option<String>,
}

impl TryFrom<SelfReferralRow> for SelfReferralRecord {
    type Error = StoreError;
    fn try_from(r: SelfReferralRow) -> Result<Self, StoreError> {
        Ok(SelfReferralRecord {
            content: serde_json::from_str(&r.content)
                .map_err(|e| StoreError::Corrupt(format!("self-referral: {e}")))?,
            status: match r.status.as_str() {
                "new" => SelfReferralStatus::New,
                "registered" => SelfReferralStatus::Registered,
                "dismissed" => SelfReferralStatus::Dismissed,
                other => return Err(corrupt("self-referral status", other)),
            },
            id: r.id,
            org_id: r.org_id,
            receipt: r.receipt,
            course_id: r.course_id,
            received_at: r.received_at,
            handled_at: r.handled_at,
            dismiss_reason: r.dismiss_reason,
        })
    }
}
