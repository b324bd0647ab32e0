// The door's transaction control for both backends: savepoints, appending the audit chain,
// commit (included by `sqlite.rs` and `postgres.rs` after `backend.rs`).

/// Up to this many entries go into one INSERT (14 parameters each, well below both
/// databases' parameter limits).
const AUDIT_ROWS_PER_INSERT: usize = 500;

const AUDIT_COLUMNS: &str = "chain_id, seq, at, user_id, org_id, action, object_type, object_id, child_id, purpose, request_id, detail, payload_digest, prev_hash, hash";

#[async_trait::async_trait]
impl crate::db::DoorTx for BackendTx {
    fn data(&mut self) -> &mut dyn crate::Tx {
        self
    }

    async fn savepoint(&mut self) -> crate::Result<()> {
        sqlx::query("SAVEPOINT unit_of_work").execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn release_savepoint(&mut self) -> crate::Result<()> {
        sqlx::query("RELEASE SAVEPOINT unit_of_work")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn rollback_to_savepoint(&mut self) -> crate::Result<()> {
        sqlx::query("ROLLBACK TO SAVEPOINT unit_of_work")
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("RELEASE SAVEPOINT unit_of_work")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn append_audit(
        &mut self,
        chain: i64,
        events: Vec<(chrono::DateTime<chrono::Utc>, samspor_domain::audit::AuditEvent)>,
    ) -> crate::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        // Reading the head with an UPDATE locks the row until commit (PostgreSQL) or runs under
        // the write lock (SQLite), so even two processes on one chain cannot fork it.
        let (mut seq, mut hash): (i64, String) = sqlx::query_as(
            "UPDATE audit_chains SET seq = seq WHERE id = $1 RETURNING seq, hash",
        )
        .bind(chain)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| crate::StoreError::Corrupt(format!("audit chain {chain} has no head")))?;
        let mut entries = Vec::with_capacity(events.len());
        for (at, event) in events {
            let entry = samspor_domain::audit::AuditEntry::append(chain, seq, &hash, at, event);
            seq = entry.seq;
            hash = entry.hash.clone();
            entries.push(entry);
        }
        for part in entries.chunks(AUDIT_ROWS_PER_INSERT) {
            let mut q = sqlx::QueryBuilder::<DB>::new(format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) "));
            q.push_values(part, |mut row, e| {
                row.push_bind(e.chain)
                    .push_bind(e.seq)
                    .push_bind(e.at)
                    .push_bind(e.event.user_id)
                    .push_bind(e.event.org_id)
                    .push_bind(e.event.action.as_str())
                    .push_bind(e.event.object_type.clone())
                    .push_bind(e.event.object_id)
                    .push_bind(e.event.child_id)
                    .push_bind(e.event.purpose.clone())
                    .push_bind(e.event.request_id.clone())
                    .push_bind(e.event.detail.clone())
                    .push_bind(e.payload_digest.clone())
                    .push_bind(e.prev_hash.clone())
                    .push_bind(e.hash.clone());
            });
            q.build().execute(&mut *self.tx).await?;
        }
        sqlx::query("UPDATE audit_chains SET seq = $1, hash = $2 WHERE id = $3")
            .bind(seq)
            .bind(&hash)
            .bind(chain)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> crate::Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> crate::Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

macro_rules! audit_where {
    () => {
        "WHERE ($1 IS NULL OR child_id = $1) AND ($2 IS NULL OR org_id = $2)
           AND ($3 IS NULL OR user_id = $3) AND ($4 IS NULL OR action = $4)
           AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6)"
    };
}

