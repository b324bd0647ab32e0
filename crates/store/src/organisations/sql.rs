// The SQL of organisations for both backends; included by `db/sqlite.rs` and `db/postgres.rs`
// after `db/backend.rs`.

use crate::organisations::rows::*;

#[async_trait::async_trait]
impl crate::OrganisationTx for BackendTx {
    async fn organisations(&mut self) -> crate::Result<Vec<crate::Organisation>> {
        let rows: Vec<OrgRow> = sqlx::query_as(
            "SELECT id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at
             FROM organisations ORDER BY code",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn organisation(&mut self, id: uuid::Uuid) -> crate::Result<Option<crate::Organisation>> {
        let row: Option<OrgRow> = sqlx::query_as(
            "SELECT id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at
             FROM organisations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn organisation_by_code(
        &mut self,
        code: &str,
    ) -> crate::Result<Option<crate::Organisation>> {
        let row: Option<OrgRow> = sqlx::query_as(
            "SELECT id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at
             FROM organisations WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn insert_organisation(&mut self, o: &crate::Organisation) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO organisations (id, code, kind, name, parent_id, region_code, municipality_code, sor_code, ean_code, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(o.id)
        .bind(&o.code)
        .bind(o.kind.as_str())
        .bind(&o.name)
        .bind(o.parent_id)
        .bind(&o.region_code)
        .bind(&o.municipality_code)
        .bind(&o.sor_code)
        .bind(&o.ean_code)
        .bind(o.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn next_unit_code(&mut self) -> crate::Result<String> {
        // Unit codes are 'U' + 6 digits, so their text order is their number order.
        let max: Option<String> =
            sqlx::query_scalar("SELECT MAX(code) FROM organisations WHERE code LIKE 'U%'")
                .fetch_one(&mut *self.tx)
                .await?;
        let n = max
            .and_then(|c| c.get(1..).and_then(|d| d.parse::<u32>().ok()))
            .unwrap_or(0);
        Ok(format!("U{:06}", n + 1))
    }

    async fn memberships(&mut self) -> crate::Result<Vec<crate::Membership>> {
        let rows: Vec<MembershipRow> = sqlx::query_as(
            "SELECT org_id, parent_id, valid_from, valid_until, source
             FROM organisation_memberships ORDER BY org_id, valid_from",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn insert_membership(&mut self, m: &crate::Membership) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO organisation_memberships (org_id, parent_id, valid_from, valid_until, source)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(m.org_id)
        .bind(m.parent_id)
        .bind(m.valid_from)
        .bind(m.valid_until)
        .bind(&m.source)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn participation(
        &mut self,
        municipality_code: Option<&str>,
    ) -> crate::Result<Vec<crate::Participation>> {
        let rows: Vec<ParticipationRow> = sqlx::query_as(
            "SELECT municipality_code, programme, since FROM participation
             WHERE ($1 IS NULL OR municipality_code = $1) ORDER BY municipality_code, programme",
        )
        .bind(municipality_code)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn set_participation(
        &mut self,
        municipality_code: &str,
        programme: samspor_domain::organisation::Programme,
        since: Option<chrono::NaiveDate>,
        by: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<()> {
        match since {
            Some(since) => {
                sqlx::query(
                    "INSERT INTO participation (municipality_code, programme, since, updated_at, updated_by)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (municipality_code, programme)
                     DO UPDATE SET since = excluded.since, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(municipality_code)
                .bind(programme.as_str())
                .bind(since)
                .bind(at)
                .bind(by)
                .execute(&mut *self.tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM participation WHERE municipality_code = $1 AND programme = $2",
                )
                .bind(municipality_code)
                .bind(programme.as_str())
                .execute(&mut *self.tx)
                .await?;
            }
        }
        Ok(())
    }
}
