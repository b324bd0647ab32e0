// The SQL of children for both backends; included by `db/sqlite.rs` and `db/postgres.rs`
// after `db/backend.rs`.

use crate::children::rows::*;
use crate::db::rows::like_escape;

#[async_trait::async_trait]
impl crate::ChildTx for BackendTx {
    async fn insert_child(&mut self, c: &crate::Child) -> crate::Result<()> {
        let d = &c.data;
        sqlx::query(
            "INSERT INTO children (id, org_id, municipality_code, cpr, given_name, family_name, search_name, birth_date, sex,
                                   address, school, version, created_at, created_by, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(c.id)
        .bind(c.org_id)
        .bind(&c.municipality_code)
        .bind(d.cpr.as_str())
        .bind(&d.given_name)
        .bind(&d.family_name)
        .bind(search_name(d))
        .bind(d.birth_date())
        .bind(d.sex().as_str())
        .bind(&d.address)
        .bind(&d.school)
        .bind(c.version)
        .bind(c.created_at)
        .bind(c.created_by)
        .bind(c.updated_at)
        .bind(c.updated_by)
        .execute(&mut *self.tx)
        .await?;
        self.insert_guardians(c.id, &d.guardians).await
    }

    async fn child(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::Child>> {
        let row: Option<ChildRow> = sqlx::query_as(
            "SELECT id, org_id, municipality_code, cpr, given_name, family_name, address, school, version,
                    created_at, created_by, updated_at, updated_by
             FROM children WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let guardians: Vec<GuardianRow> = sqlx::query_as(
            "SELECT name, relation, custody, phone, email FROM guardians WHERE child_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        row.into_child(guardians).map(Some)
    }

    async fn child_by_cpr(
        &mut self,
        org_id: uuid::Uuid,
        cpr: &str,
    ) -> crate::Result<Option<uuid::Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM children WHERE org_id = $1 AND cpr = $2")
                .bind(org_id)
                .bind(cpr)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    async fn children_by_cpr_everywhere(&mut self, cpr: &str) -> crate::Result<Vec<uuid::Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM children WHERE cpr = $1 ORDER BY id")
                .bind(cpr)
                .fetch_all(&mut *self.tx)
                .await?,
        )
    }

    async fn update_child(
        &mut self,
        current: &crate::Child,
        data: &samspor_domain::child::ChildData,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<crate::Child> {
        let fields = samspor_domain::child::changed_fields(&current.data, data);
        if fields.is_empty() {
            return Ok(current.clone());
        }
        // The version check makes a concurrent edit lose visibly instead of silently.
        let updated = sqlx::query(
            "UPDATE children SET cpr = $1, given_name = $2, family_name = $3, search_name = $4, birth_date = $5, sex = $6,
                    address = $7, school = $8, version = version + 1, updated_at = $9, updated_by = $10
             WHERE id = $11 AND version = $12",
        )
        .bind(data.cpr.as_str())
        .bind(&data.given_name)
        .bind(&data.family_name)
        .bind(search_name(data))
        .bind(data.birth_date())
        .bind(data.sex().as_str())
        .bind(&data.address)
        .bind(&data.school)
        .bind(at)
        .bind(by)
        .bind(current.id)
        .bind(current.version)
        .execute(&mut *self.tx)
        .await?;
        if updated.rows_affected() == 0 {
            let now: Option<i64> = sqlx::query_scalar("SELECT version FROM children WHERE id = $1")
                .bind(current.id)
                .fetch_optional(&mut *self.tx)
                .await?;
            return Err(match now {
                Some(v) => crate::StoreError::VersionConflict { current: v },
                None => crate::StoreError::NotFound,
            });
        }
        sqlx::query(
            "INSERT INTO child_history (id, child_id, version, changed_at, changed_by, changed_fields, previous)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(current.id)
        .bind(current.version)
        .bind(at)
        .bind(by)
        .bind(fields.join(","))
        .bind(history_snapshot(&current.data))
        .execute(&mut *self.tx)
        .await?;
        if fields.contains(&"guardians") {
            // A guardian who stays (same name) keeps their id: consents name their givers by it.
            let kept: Vec<(uuid::Uuid, String)> =
                sqlx::query_as("SELECT id, name FROM guardians WHERE child_id = $1 ORDER BY position")
                    .bind(current.id)
                    .fetch_all(&mut *self.tx)
                    .await?;
            sqlx::query("DELETE FROM guardians WHERE child_id = $1")
                .bind(current.id)
                .execute(&mut *self.tx)
                .await?;
            self.insert_guardians_keeping(current.id, &data.guardians, kept).await?;
        }
        Ok(crate::Child {
            data: data.clone(),
            version: current.version + 1,
            updated_at: at,
            updated_by: by,
            ..current.clone()
        })
    }

    async fn search_children(
        &mut self,
        org_id: uuid::Uuid,
        q: &crate::ChildQuery,
    ) -> crate::Result<Vec<crate::ChildSummary>> {
        let text = q.text.as_deref().map(str::trim).unwrap_or("");
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        let looks_like_cpr = !digits.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
        let (name_pattern, cpr_pattern): (Option<String>, Option<String>) = if text.is_empty() {
            (None, None)
        } else if looks_like_cpr {
            (None, Some(format!("{}%", like_escape(&digits))))
        } else {
            (
                Some(format!("%{}%", like_escape(&text.to_lowercase()))),
                None,
            )
        };
        let rows: Vec<ChildSummaryRow> = sqlx::query_as(
            "SELECT id, given_name, family_name, birth_date, cpr FROM children
             WHERE org_id = $1
               AND ($2 IS NULL OR search_name LIKE $2 ESCAPE '\\')
               AND ($3 IS NULL OR cpr LIKE $3 ESCAPE '\\')
             ORDER BY family_name, given_name, id
             LIMIT $4 OFFSET $5",
        )
        .bind(org_id)
        .bind(name_pattern)
        .bind(cpr_pattern)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn guardian_facts(
        &mut self,
        child_id: uuid::Uuid,
    ) -> crate::Result<Vec<samspor_domain::lawful_basis::GuardianFact>> {
        let rows: Vec<(uuid::Uuid, String, bool)> = sqlx::query_as(
            "SELECT id, name, custody FROM guardians WHERE child_id = $1 ORDER BY position",
        )
        .bind(child_id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, custody)| samspor_domain::lawful_basis::GuardianFact { id, name, custody })
            .collect())
    }

    async fn child_history(
        &mut self,
        id: uuid::Uuid,
    ) -> crate::Result<Vec<crate::ChildHistoryEntry>> {
        let rows: Vec<HistoryRow> = sqlx::query_as(
            "SELECT h.version, h.changed_at, h.changed_by, u.name AS changed_by_name, h.changed_fields, h.previous
             FROM child_history h JOIN users u ON u.id = h.changed_by
             WHERE h.child_id = $1 ORDER BY h.version DESC",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}

impl BackendTx {
    async fn insert_guardians(
        &mut self,
        child_id: uuid::Uuid,
        guardians: &[samspor_domain::child::Guardian],
    ) -> crate::Result<()> {
        self.insert_guardians_keeping(child_id, guardians, Vec::new()).await
    }

    /// Inserts guardians, giving each the id of an earlier guardian of the same name, if any.
    async fn insert_guardians_keeping(
        &mut self,
        child_id: uuid::Uuid,
        guardians: &[samspor_domain::child::Guardian],
        mut kept: Vec<(uuid::Uuid, String)>,
    ) -> crate::Result<()> {
        for (i, g) in guardians.iter().enumerate() {
            let id = match kept.iter().position(|(_, name)| *name == g.name) {
                Some(at) => kept.remove(at).0,
                None => uuid::Uuid::now_v7(),
            };
            sqlx::query(
                "INSERT INTO guardians (id, child_id, position, name, relation, custody, phone, email)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(child_id)
            .bind(i as i64)
            .bind(&g.name)
            .bind(g.relation.as_str())
            .bind(g.custody)
            .bind(&g.phone)
            .bind(&g.email)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}
