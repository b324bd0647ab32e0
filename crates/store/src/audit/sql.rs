// The audit log's SQL for both backends (included by `db/sqlite.rs` and `db/postgres.rs`).

use crate::audit::rows::*;

#[async_trait::async_trait]
impl crate::AuditTx for BackendTx {
    async fn audit_entries(
        &mut self,
        f: &crate::AuditFilter,
    ) -> crate::Result<Vec<samspor_domain::audit::AuditEntry>> {
        // Two literal statements rather than one built at run time: SQL text stays static.
        // Several chains interleave, so time orders the entries; chain and position break ties.
        let sql = if f.newest_first {
            concat!(
                "SELECT chain_id, seq, at, user_id, org_id, action, object_type, object_id, child_id, purpose, request_id, detail, payload_digest, prev_hash, hash
                 FROM audit_log ",
                audit_where!(),
                " ORDER BY at DESC, chain_id DESC, seq DESC LIMIT $7"
            )
        } else {
            concat!(
                "SELECT chain_id, seq, at, user_id, org_id, action, object_type, object_id, child_id, purpose, request_id, detail, payload_digest, prev_hash, hash
                 FROM audit_log ",
                audit_where!(),
                " ORDER BY at ASC, chain_id ASC, seq ASC LIMIT $7"
            )
        };
        let rows: Vec<AuditRow> = sqlx::query_as(sql)
            .bind(f.child_id)
            .bind(f.org_id)
            .bind(f.user_id)
            .bind(f.action.map(|a| a.as_str()))
            .bind(f.from)
            .bind(f.to)
            .bind(f.limit)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn audit_chains(&mut self) -> crate::Result<Vec<(i64, i64, String)>> {
        Ok(
            sqlx::query_as("SELECT id, seq, hash FROM audit_chains ORDER BY id")
                .fetch_all(&mut *self.tx)
                .await?,
        )
    }

    async fn audit_log_chains(&mut self) -> crate::Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT chain_id, COUNT(*) FROM audit_log GROUP BY chain_id ORDER BY chain_id",
        )
        .fetch_all(&mut *self.tx)
        .await?)
    }

    async fn audit_chain_page(
        &mut self,
        chain: i64,
        after_seq: i64,
        limit: i64,
    ) -> crate::Result<Vec<samspor_domain::audit::AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT chain_id, seq, at, user_id, org_id, action, object_type, object_id, child_id, purpose, request_id, detail, payload_digest, prev_hash, hash
             FROM audit_log WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(chain)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
