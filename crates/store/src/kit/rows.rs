//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::db::rows::*;
use crate::kit::model::{KitMeeting, KitPlan, KitTask};
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::kit::{Party, Sector, Task, TaskStatus};
use uuid::Uuid;

/// `SELECT` of every plan column, followed by the rest of the query.
macro_rules! select_plan {
    ($rest:literal) => {
        concat!(
            "SELECT id, course_id, child_id, owner_org_id, goals, next_review_on, version, \
             created_at, created_by, updated_at, updated_by FROM kit_plans ",
            $rest
        )
    };
}
pub(crate) use select_plan;

/// `SELECT` of every task column, followed by the rest of the query.
macro_rules! select_tasks {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.plan_id, t.meeting_id, t.title, t.owner_org_id, t.owner_name, \
             t.due_on, t.status, t.created_at, t.created_by, t.done_at, t.done_by \
             FROM kit_tasks t ",
            $rest
        )
    };
}
pub(crate) use select_tasks;

#[derive(sqlx::FromRow)]
pub(crate) struct KitPlanRow {
    id: Uuid,
    course_id: Uuid,
    child_id: Uuid,
    owner_org_id: Uuid,
    goals: String,
    next_review_on: NaiveDate,
    version: i64,
    created_at: DateTime<Utc>,
    created_by: Uuid,
    updated_at: DateTime<Utc>,
    updated_by: Uuid,
}

impl KitPlanRow {
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    pub(crate) fn with_parties(self, parties: Vec<Party>) -> KitPlan {
        KitPlan {
            id: self.id,
            course_id: self.course_id,
            child_id: self.child_id,
            owner_org_id: self.owner_org_id,
            goals: self.goals,
            next_review_on: self.next_review_on,
            parties,
            version: self.version,
            created_at: self.created_at,
            created_by: self.created_by,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KitPartyRow {
    sector: String,
    org_id: Uuid,
    contact_name: String,
    contact: Option<String>,
    responsibility: String,
}

impl TryFrom<KitPartyRow> for Party {
    type Error = StoreError;
    fn try_from(r: KitPartyRow) -> Result<Self, StoreError> {
        Ok(Party {
            sector: Sector::parse(&r.sector).ok_or_else(|| corrupt("kit sector", &r.sector))?,
            org_id: r.org_id,
            contact_name: r.contact_name,
            contact: r.contact,
            responsibility: r.responsibility,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KitMeetingRow {
    id: Uuid,
    plan_id: Uuid,
    held_on: NaiveDate,
    participants: String,
    agenda: String,
    decisions: String,
    recorded_at: DateTime<Utc>,
    recorded_by: Uuid,
}

impl TryFrom<KitMeetingRow> for KitMeeting {
    type Error = StoreError;
    fn try_from(r: KitMeetingRow) -> Result<Self, StoreError> {
        Ok(KitMeeting {
            id: r.id,
            plan_id: r.plan_id,
            held_on: r.held_on,
            participants: serde_json::from_str(&r.participants)
                .map_err(|_| corrupt("kit participants", "json"))?,
            agenda: r.agenda,
            decisions: r.decisions,
            recorded_at: r.recorded_at,
            recorded_by: r.recorded_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KitTaskRow {
    id: Uuid,
    plan_id: Uuid,
    meeting_id: Option<Uuid>,
    title: String,
    owner_org_id: Uuid,
    owner_name: Option<String>,
    due_on: NaiveDate,
    status: String,
    created_at: DateTime<Utc>,
    created_by: Uuid,
    done_at: Option<DateTime<Utc>>,
    done_by: Option<Uuid>,
}

impl TryFrom<KitTaskRow> for KitTask {
    type Error = StoreError;
    fn try_from(r: KitTaskRow) -> Result<Self, StoreError> {
        Ok(KitTask {
            id: r.id,
            plan_id: r.plan_id,
            meeting_id: r.meeting_id,
            task: Task {
                title: r.title,
                owner_org_id: r.owner_org_id,
                owner_name: r.owner_name,
                due_on: r.due_on,
            },
            status: TaskStatus::parse(&r.status)
                .ok_or_else(|| corrupt("kit task status", &r.status))?,
            created_at: r.created_at,
            created_by: r.created_by,
            done_at: r.done_at,
            done_by: r.done_by,
        })
    }
}
