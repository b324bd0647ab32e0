// The SQL of learning-environment guidance for both backends; included by `db/sqlite.rs` and
// `db/postgres.rs` after `db/backend.rs`.

use crate::learning_environment::rows::{
    LearningEnvInstitutionRow, LearningEnvSessionRow, select_institutions, select_sessions, themes_column,
};

impl BackendTx {
    /// The sessions of `rows` with the children each names.
    async fn learning_env_with_children(
        &mut self,
        org_id: uuid::Uuid,
        rows: Vec<LearningEnvSessionRow>,
    ) -> crate::Result<Vec<crate::learning_environment::model::LearningEnvSession>> {
        let links: Vec<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
            "SELECT c.session_id, c.child_id FROM learning_env_session_children c
             JOIN learning_env_sessions s ON s.id = c.session_id
             WHERE s.org_id = $1 ORDER BY c.session_id, c.child_id",
        )
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|r| {
                let id = r.id();
                let children = links
                    .iter()
                    .filter(|(s, _)| *s == id)
                    .map(|(_, c)| *c)
                    .collect();
                r.into_session(children)
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl crate::learning_environment::tx::LearningEnvironmentTx for BackendTx {
    async fn insert_institution(
        &mut self,
        i: &crate::learning_environment::model::Institution,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO learning_env_institutions (id, org_id, kind, name, linked_org_id,
                 created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(i.id)
        .bind(i.org_id)
        .bind(i.kind.as_str())
        .bind(&i.name)
        .bind(i.linked_org_id)
        .bind(i.created_at)
        .bind(i.created_by)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn institution(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Option<crate::learning_environment::model::Institution>> {
        let row: Option<LearningEnvInstitutionRow> = sqlx::query_as(select_institutions!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn institutions(
        &mut self,
        org_id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::learning_environment::model::Institution>> {
        let rows: Vec<LearningEnvInstitutionRow> =
            sqlx::query_as(select_institutions!("WHERE org_id = $1 ORDER BY name, id"))
                .bind(org_id)
                .fetch_all(&mut *self.tx)
                .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_learning_env_session(
        &mut self,
        s: &crate::learning_environment::model::LearningEnvSession,
    ) -> crate::Result<()> {
        use samspor_domain::learning_environment::Subject;
        let (about, label, children) = match &s.subject {
            Subject::Group { group_label } => ("group", Some(group_label.as_str()), &[][..]),
            Subject::Children { child_ids } => ("children", None, child_ids.as_slice()),
        };
        sqlx::query(
            "INSERT INTO learning_env_sessions (id, org_id, institution_id, held_on, about,
                 group_label, participants, themes, notes, follow_up, follow_up_on, created_at,
                 created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(s.id)
        .bind(s.org_id)
        .bind(s.institution_id)
        .bind(s.held_on)
        .bind(about)
        .bind(label)
        .bind(&s.participants)
        .bind(themes_column(&s.themes))
        .bind(&s.notes)
        .bind(&s.follow_up)
        .bind(s.follow_up_on)
        .bind(s.created_at)
        .bind(s.created_by)
        .execute(&mut *self.tx)
        .await?;
        for child in children {
            sqlx::query(
                "INSERT INTO learning_env_session_children (session_id, child_id) VALUES ($1, $2)",
            )
            .bind(s.id)
            .bind(child)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn learning_env_sessions(
        &mut self,
        org_id: uuid::Uuid,
        limit: i64,
    ) -> crate::Result<Vec<crate::learning_environment::model::LearningEnvSession>> {
        let rows: Vec<LearningEnvSessionRow> = sqlx::query_as(select_sessions!(
            "WHERE org_id = $1 ORDER BY held_on DESC, created_at DESC LIMIT $2"
        ))
        .bind(org_id)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        self.learning_env_with_children(org_id, rows).await
    }

    async fn learning_env_sessions_between(
        &mut self,
        org_id: uuid::Uuid,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> crate::Result<Vec<crate::learning_environment::model::LearningEnvSession>> {
        let rows: Vec<LearningEnvSessionRow> = sqlx::query_as(select_sessions!(
            "WHERE org_id = $1 AND held_on >= $2 AND held_on <= $3 ORDER BY held_on, id"
        ))
        .bind(org_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *self.tx)
        .await?;
        self.learning_env_with_children(org_id, rows).await
    }
}
