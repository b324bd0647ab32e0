// Group SQL for both backends; included by `sqlite.rs` and `postgres.rs` after `backend.rs`.

macro_rules! group_select {
    () => {
        "SELECT g.id, g.org_id, g.track, g.name, g.starts_on, g.leader_id, u.name AS leader_name,
                g.created_at, g.created_by
         FROM group_courses g LEFT JOIN users u ON u.id = g.leader_id"
    };
}

#[async_trait::async_trait]
impl crate::GroupTx for BackendTx {
    async fn insert_group(&mut self, g: &crate::GroupCourse) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO group_courses (id, org_id, track, name, starts_on, leader_id, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(g.id)
        .bind(g.org_id)
        .bind(g.track.as_str())
        .bind(&g.name)
        .bind(g.starts_on)
        .bind(g.leader_id)
        .bind(g.created_at)
        .bind(g.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn group(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::GroupCourse>> {
        let row: Option<crate::courses::groups::model::GroupRow> =
            sqlx::query_as(concat!(group_select!(), " WHERE g.id = $1"))
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn groups_of_org(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::GroupSummary>> {
        let rows: Vec<crate::courses::groups::model::GroupSummaryRow> = sqlx::query_as(
            "SELECT g.id, g.org_id, g.track, g.name, g.starts_on, g.leader_id, u.name AS leader_name,
                    g.created_at, g.created_by,
                    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members,
                    (SELECT COUNT(*) FROM group_sessions s WHERE s.group_id = g.id) AS sessions
             FROM group_courses g LEFT JOIN users u ON u.id = g.leader_id
             WHERE g.org_id = $1 ORDER BY g.starts_on DESC, g.id",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_group_member(
        &mut self,
        group_id: uuid::Uuid,
        course_id: uuid::Uuid,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO group_members (group_id, course_id, added_at, added_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(group_id)
        .bind(course_id)
        .bind(at)
        .bind(by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn group_members(
        &mut self,
        group_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::GroupMember>> {
        let rows: Vec<crate::courses::groups::model::MemberRow> = sqlx::query_as(
            "SELECT m.group_id, m.course_id, c.child_id, ch.given_name, ch.family_name, c.status, m.added_at
             FROM group_members m
             JOIN courses c ON c.id = m.course_id
             JOIN children ch ON ch.id = c.child_id
             WHERE m.group_id = $1 ORDER BY ch.given_name, ch.family_name, m.course_id",
        )
        .bind(group_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn group_of_course(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Option<uuid::Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT group_id FROM group_members WHERE course_id = $1")
                .bind(course_id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    async fn grouped_courses_of_org(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<uuid::Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT m.course_id FROM group_members m JOIN courses c ON c.id = m.course_id
             WHERE c.org_id = $1",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    async fn insert_group_session(&mut self, s: &crate::GroupSession) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO group_sessions (id, group_id, at, module, note, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(s.id)
        .bind(s.group_id)
        .bind(s.at)
        .bind(s.module.map(i64::from))
        .bind(&s.note)
        .bind(s.created_at)
        .bind(s.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn insert_attendance(
        &mut self,
        group_id: uuid::Uuid,
        a: &crate::Attendance,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO group_attendance (group_session_id, group_id, course_id, attended, participants, encounter_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(a.group_session_id)
        .bind(group_id)
        .bind(a.course_id)
        .bind(a.attended)
        .bind(a.participants.map(crate::courses::groups::model::participants_code))
        .bind(a.encounter_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn group_sessions(
        &mut self,
        group_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::GroupSession>> {
        let rows: Vec<crate::courses::groups::model::SessionRow> = sqlx::query_as(
            "SELECT id, group_id, at, module, note, created_at, created_by FROM group_sessions
             WHERE group_id = $1 ORDER BY at, id",
        )
        .bind(group_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn group_attendance(
        &mut self,
        group_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::Attendance>> {
        let rows: Vec<crate::courses::groups::model::AttendanceRow> = sqlx::query_as(
            "SELECT group_session_id, course_id, attended, participants, encounter_id
             FROM group_attendance WHERE group_id = $1 ORDER BY group_session_id, course_id",
        )
        .bind(group_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_guidance(&mut self, g: &crate::GuidanceSession) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO guidance_sessions (id, course_id, school_org_id, school_name, held_on, participants, topic,
                    agreed_actions, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(g.id)
        .bind(g.course_id)
        .bind(g.school_org_id)
        .bind(&g.school_name)
        .bind(g.held_on)
        .bind(&g.participants)
        .bind(&g.topic)
        .bind(&g.agreed_actions)
        .bind(g.created_at)
        .bind(g.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn guidance_sessions(
        &mut self,
        course_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::GuidanceSession>> {
        let rows: Vec<crate::courses::groups::model::GuidanceRow> = sqlx::query_as(
            "SELECT s.id, s.course_id, s.school_org_id, s.school_name, s.held_on, s.participants, s.topic,
                    s.agreed_actions, s.created_at, s.created_by, u.name AS created_by_name
             FROM guidance_sessions s LEFT JOIN users u ON u.id = s.created_by
             WHERE s.course_id = $1 ORDER BY s.held_on DESC, s.created_at DESC, s.id",
        )
        .bind(course_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
