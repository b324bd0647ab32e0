//! An advice request as stored.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::advice::Subject;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdviceRequest {
    pub id: Uuid,
    pub from_org_id: Uuid,
    /// The child-psychiatry unit asked.
    pub to_org_id: Uuid,
    pub asked_by: Uuid,
    pub asked_at: DateTime<Utc>,
    pub asked_on: NaiveDate,
    /// The last day of the answer's working-day deadline.
    pub due_on: NaiveDate,
    /// For an identified question, the child of the course.
    pub child_id: Option<Uuid>,
    pub subject: Subject,
    pub question: String,
    pub answer: Option<AdviceAnswer>,
    /// When someone of the asking organisation first read the answer.
    pub answer_read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdviceAnswer {
    pub text: String,
    pub answered_at: DateTime<Utc>,
    pub answered_by: Uuid,
    pub answered_on: NaiveDate,
}

impl AdviceRequest {
    pub fn course_id(&self) -> Option<Uuid> {
        match self.subject {
            Subject::Identified { course_id } => Some(course_id),
            Subject::Anonymous { .. } => None,
        }
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.answer.is_none() && self.due_on < today
    }
}
