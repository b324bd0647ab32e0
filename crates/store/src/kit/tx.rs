//! KIT, as a unit of work sees it.

use crate::Result;
use crate::kit::model::{KitMeeting, KitPlan, KitTask};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samspor_domain::kit::TaskStatus;
use uuid::Uuid;

#[async_trait]
pub trait KitTx: Send {
    async fn insert_kit_plan(&mut self, plan: &KitPlan) -> Result<()>;
    /// Replaces the plan's text and parties if it is still at `expected_version`; false if not.
    async fn update_kit_plan(&mut self, plan: &KitPlan, expected_version: i64) -> Result<bool>;
    async fn kit_plan_of_course(&mut self, course_id: Uuid) -> Result<Option<KitPlan>>;
    async fn kit_plan(&mut self, id: Uuid) -> Result<Option<KitPlan>>;
    async fn insert_kit_meeting(&mut self, meeting: &KitMeeting) -> Result<()>;
    /// A plan's meetings, newest first.
    async fn kit_meetings(&mut self, plan_id: Uuid) -> Result<Vec<KitMeeting>>;
    async fn insert_kit_task(&mut self, task: &KitTask) -> Result<()>;
    /// A plan's tasks, by deadline.
    async fn kit_tasks(&mut self, plan_id: Uuid) -> Result<Vec<KitTask>>;
    async fn kit_task(&mut self, id: Uuid) -> Result<Option<KitTask>>;
    /// Sets a task's status; false if it already had it.
    async fn set_kit_task_status(
        &mut self,
        id: Uuid,
        status: TaskStatus,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// The open tasks an organisation owns, or that lie on the plans it coordinates, by deadline.
    async fn open_kit_tasks_for(&mut self, org_id: Uuid) -> Result<Vec<KitTask>>;
}
