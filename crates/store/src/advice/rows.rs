//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::advice::model::{AdviceAnswer, AdviceRequest};
use crate::db::rows::*;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::advice::Subject;
use samspor_domain::cpr::Sex;
use uuid::Uuid;

/// `SELECT` of every advice column, followed by the rest of the query (a literal, so the query
/// text stays static).
macro_rules! select_advice {
    ($rest:literal) => {
        concat!(
            "SELECT id, from_org_id, to_org_id, asked_by, asked_at, asked_on, due_on, child_id, \
             course_id, age, sex, question, answer, answered_at, answered_by, answered_on, \
             answer_read_at FROM advice_requests ",
            $rest
        )
    };
}
pub(crate) use select_advice;

#[derive(sqlx::FromRow)]
pub(crate) struct AdviceRow {
    id: Uuid,
    from_org_id: Uuid,
    to_org_id: Uuid,
    asked_by: Uuid,
    asked_at: DateTime<Utc>,
    asked_on: NaiveDate,
    due_on: NaiveDate,
    child_id: Option<Uuid>,
    course_id: Option<Uuid>,
    age: Option<i64>,
    sex: Option<String>,
    question: String,
    answer: Option<String>,
    answered_at: Option<DateTime<Utc>>,
    answered_by: Option<Uuid>,
    answered_on: Option<NaiveDate>,
    answer_read_at: Option<DateTime<Utc>>,
}

fn sex(s: &str) -> Option<Sex> {
    [Sex::Female, Sex::Male, Sex::Unknown]
        .into_iter()
        .find(|x| x.as_str() == s)
}

impl TryFrom<AdviceRow> for AdviceRequest {
    type Error = StoreError;
    fn try_from(r: AdviceRow) -> Result<Self, StoreError> {
        let subject = match (r.course_id, r.age, r.sex) {
            (Some(course_id), None, None) => Subject::Identified { course_id },
            (None, Some(age), Some(s)) => Subject::Anonymous {
                age: u8::try_from(age).map_err(|_| corrupt("advice age", &age.to_string()))?,
                sex: sex(&s).ok_or_else(|| corrupt("advice sex", &s))?,
            },
            _ => return Err(corrupt("advice subject", "neither or both")),
        };
        let answer = match (r.answer, r.answered_at, r.answered_by, r.answered_on) {
            (Some(text), Some(answered_at), Some(answered_by), Some(answered_on)) => {
                Some(AdviceAnswer {
                    text,
                    answered_at,
                    answered_by,
                    answered_on,
                })
            }
            _ => None,
        };
        Ok(AdviceRequest {
            id: r.id,
            from_org_id: r.from_org_id,
            to_org_id: r.to_org_id,
            asked_by: r.asked_by,
            asked_at: r.asked_at,
            asked_on: r.asked_on,
            due_on: r.due_on,
            child_id: r.child_id,
            subject,
            question: r.question,
            answer,
            answer_read_at: r.answer_read_at,
        })
    }
}
