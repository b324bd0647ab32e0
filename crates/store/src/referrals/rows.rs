//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::db::rows::*;
use crate::referrals::model::{ReferralToPsychiatry, Referrer};
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::course::kl::ReferralDestination;
use samspor_domain::course::visitation::Way;
use samspor_domain::referral::{ReferralStatus, ReferralText};
use uuid::Uuid;

/// `SELECT` of every referral column, followed by the rest of the query (a literal, so the
/// query text stays static).
macro_rules! select_referrals {
    ($rest:literal) => {
        concat!(
            "SELECT id, child_id, origin, course_id, from_org_id, referrer_name, gp_reference, to_org_id, draft_id, reason, tried, \
             child_view, family_view, scores, received_on, due_on, sent_at, sent_by, status, \
             answered_at, answered_by, answer_note, return_destination, return_advice, acted_at, \
             acted_by FROM referrals_to_psychiatry ",
            $rest
        )
    };
}
pub(crate) use select_referrals;

#[derive(sqlx::FromRow)]
pub(crate) struct ToPsychiatryRow {
    id: Uuid,
    child_id: Uuid,
    origin: String,
    course_id: Option<Uuid>,
    from_org_id: Option<Uuid>,
    referrer_name: Option<String>,
    gp_reference: Option<String>,
    to_org_id: Uuid,
    draft_id: Option<Uuid>,
    reason: String,
    tried: String,
    child_view: String,
    family_view: String,
    scores: String,
    received_on: NaiveDate,
    due_on: NaiveDate,
    sent_at: DateTime<Utc>,
    sent_by: Uuid,
    status: String,
    answered_at: Option<DateTime<Utc>>,
    answered_by: Option<Uuid>,
    answer_note: Option<String>,
    return_destination: Option<String>,
    return_advice: Option<String>,
    acted_at: Option<DateTime<Utc>>,
    acted_by: Option<Uuid>,
}

impl TryFrom<ToPsychiatryRow> for ReferralToPsychiatry {
    type Error = StoreError;
    fn try_from(r: ToPsychiatryRow) -> Result<Self, StoreError> {
        let return_way = match (r.return_destination, r.return_advice) {
            (Some(d), Some(note)) => Some(Way {
                destination: ReferralDestination::parse(&d)
                    .ok_or_else(|| corrupt("return destination", &d))?,
                note,
            }),
            _ => None,
        };
        let referrer = match (
            r.origin.as_str(),
            r.course_id,
            r.from_org_id,
            r.referrer_name,
        ) {
            ("municipality", Some(course_id), Some(from_org_id), None) => Referrer::Municipality {
                course_id,
                from_org_id,
            },
            ("gp", None, from_org_id, Some(referrer_name)) => Referrer::Gp {
                from_org_id,
                referrer_name,
                gp_reference: r.gp_reference,
            },
            _ => return Err(corrupt("referral origin", &r.origin)),
        };
        Ok(ReferralToPsychiatry {
            id: r.id,
            child_id: r.child_id,
            referrer,
            to_org_id: r.to_org_id,
            draft_id: r.draft_id,
            text: ReferralText {
                reason: r.reason,
                tried: r.tried,
                child_view: r.child_view,
                family_view: r.family_view,
            },
            scores: serde_json::from_str(&r.scores).map_err(|_| corrupt("scores", "json"))?,
            received_on: r.received_on,
            due_on: r.due_on,
            sent_at: r.sent_at,
            sent_by: r.sent_by,
            status: ReferralStatus::parse(&r.status)
                .ok_or_else(|| corrupt("referral status", &r.status))?,
            answered_at: r.answered_at,
            answered_by: r.answered_by,
            answer_note: r.answer_note,
            return_way,
            acted_at: r.acted_at,
            acted_by: r.acted_by,
        })
    }
}
