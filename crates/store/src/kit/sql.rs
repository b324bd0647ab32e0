// The SQL of KIT for both backends; included by `db/sqlite.rs` and `db/postgres.rs` after
// `db/backend.rs`.

use crate::kit::rows::{KitMeetingRow, KitPartyRow, KitPlanRow, KitTaskRow, select_plan, select_tasks};

impl BackendTx {
    async fn kit_plan_where(
        &mut self,
        sql: &'static str,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::kit::model::KitPlan>> {
        let row: Option<KitPlanRow> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let parties: Vec<KitPartyRow> = sqlx::query_as(
            "SELECT sector, org_id, contact_name, contact, responsibility FROM kit_parties
             WHERE plan_id = $1 ORDER BY CASE sector WHEN 'municipality' THEN 0
                 WHEN 'psychiatry' THEN 1 WHEN 'school' THEN 2 ELSE 3 END",
        )
        .bind(row.id())
        .fetch_all(&mut *self.tx)
        .await?;
        let parties = parties
            .into_iter()
            .map(TryInto::try_into)
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(Some(row.with_parties(parties)))
    }

    async fn insert_kit_parties(
        &mut self,
        plan: &crate::kit::model::KitPlan,
    ) -> crate::Result<()> {
        for p in &plan.parties {
            sqlx::query(
                "INSERT INTO kit_parties (plan_id, sector, org_id, contact_name, contact, responsibility)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(plan.id)
            .bind(p.sector.as_str())
            .bind(p.org_id)
            .bind(&p.contact_name)
            .bind(&p.contact)
            .bind(&p.responsibility)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::kit::tx::KitTx for BackendTx {
    async fn insert_kit_plan(&mut self, p: &crate::kit::model::KitPlan) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO kit_plans (id, course_id, child_id, owner_org_id, goals, next_review_on,
                 version, created_at, created_by, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(p.id)
        .bind(p.course_id)
        .bind(p.child_id)
        .bind(p.owner_org_id)
        .bind(&p.goals)
        .bind(p.next_review_on)
        .bind(p.version)
        .bind(p.created_at)
        .bind(p.created_by)
        .bind(p.updated_at)
        .bind(p.updated_by)
        .execute(&mut *self.tx)
        .await?;
        self.insert_kit_parties(p).await
    }

    async fn update_kit_plan(
        &mut self,
        p: &crate::kit::model::KitPlan,
        expected_version: i64,
    ) -> crate::Result<bool> {
        let done = sqlx::query(
            "UPDATE kit_plans SET goals = $2, next_review_on = $3, version = $4, updated_at = $5,
                 updated_by = $6
             WHERE id = $1 AND version = $7",
        )
        .bind(p.id)
        .bind(&p.goals)
        .bind(p.next_review_on)
        .bind(p.version)
        .bind(p.updated_at)
        .bind(p.updated_by)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM kit_parties WHERE plan_id = $1")
            .bind(p.id)
            .execute(&mut *self.tx)
            .await?;
        self.insert_kit_parties(p).await?;
        Ok(true)
    }

    async fn kit_plan_of_course(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Option<crate::kit::model::KitPlan>> {
        self.kit_plan_where(select_plan!("WHERE course_id = $1"), course_id).await
    }

    async fn kit_plan(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::kit::model::KitPlan>> {
        self.kit_plan_where(select_plan!("WHERE id = $1"), id).await
    }

    async fn insert_kit_meeting(
        &mut self,
        m: &crate::kit::model::KitMeeting,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO kit_meetings (id, plan_id, held_on, participants, agenda, decisions,
                 recorded_at, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.id)
        .bind(m.plan_id)
        .bind(m.held_on)
        .bind(serde_json::to_string(&m.participants).unwrap_or_default())
        .bind(&m.agenda)
        .bind(&m.decisions)
        .bind(m.recorded_at)
        .bind(m.recorded_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn kit_meetings(
        &mut self,
        plan_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::kit::model::KitMeeting>> {
        let rows: Vec<KitMeetingRow> = sqlx::query_as(
            "SELECT id, plan_id, held_on, participants, agenda, decisions, recorded_at, recorded_by
             FROM kit_meetings WHERE plan_id = $1 ORDER BY held_on DESC, recorded_at DESC",
        )
        .bind(plan_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_kit_task(&mut self, t: &crate::kit::model::KitTask) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO kit_tasks (id, plan_id, meeting_id, title, owner_org_id, owner_name, due_on,
                 status, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9)",
        )
        .bind(t.id)
        .bind(t.plan_id)
        .bind(t.meeting_id)
        .bind(&t.task.title)
        .bind(t.task.owner_org_id)
        .bind(&t.task.owner_name)
        .bind(t.task.due_on)
        .bind(t.created_at)
        .bind(t.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn kit_tasks(
        &mut self,
        plan_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::kit::model::KitTask>> {
        let rows: Vec<KitTaskRow> = sqlx::query_as(select_tasks!(
            "WHERE t.plan_id = $1 ORDER BY t.status DESC, t.due_on, t.created_at"
        ))
        .bind(plan_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn kit_task(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::kit::model::KitTask>> {
        let row: Option<KitTaskRow> = sqlx::query_as(select_tasks!("WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn set_kit_task_status(
        &mut self,
        id: uuid::Uuid,
        status: samspor_domain::kit::TaskStatus,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<bool> {
        use samspor_domain::kit::TaskStatus;
        let (done_at, done_by) = match status {
            TaskStatus::Done => (Some(at), Some(by)),
            TaskStatus::Open => (None, None),
        };
        let done = sqlx::query(
            "UPDATE kit_tasks SET status = $2, done_at = $3, done_by = $4
             WHERE id = $1 AND status <> $2",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(done_at)
        .bind(done_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn open_kit_tasks_for(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::kit::model::KitTask>> {
        let rows: Vec<KitTaskRow> = sqlx::query_as(select_tasks!(
            "JOIN kit_plans p ON p.id = t.plan_id
             WHERE t.status = 'open' AND (t.owner_org_id = $1 OR p.owner_org_id = $1)
             ORDER BY t.due_on, t.created_at"
        ))
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
