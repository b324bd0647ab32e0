//! KIT records as stored.

use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::kit::{Party, Task, TaskStatus};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KitPlan {
    pub id: Uuid,
    pub course_id: Uuid,
    pub child_id: Uuid,
    /// The municipality that owns the course and coordinates the plan.
    pub owner_org_id: Uuid,
    pub goals: String,
    pub next_review_on: NaiveDate,
    pub parties: Vec<Party>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KitMeeting {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub held_on: NaiveDate,
    pub participants: Vec<String>,
    pub agenda: String,
    pub decisions: String,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KitTask {
    pub id: Uuid,
    pub plan_id: Uuid,
    /// The meeting that decided it, if one did.
    pub meeting_id: Option<Uuid>,
    #[serde(flatten)]
    pub task: Task,
    pub status: TaskStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
}

impl KitTask {
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == TaskStatus::Open && self.task.due_on < today
    }
}
