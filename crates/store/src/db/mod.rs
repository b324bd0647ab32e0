//! The one door to the data: every read and write of the product passes through
//! [`Store::read`] or [`Store::write`], and nothing else in the workspace can open a
//! transaction (the backends' `begin_*` are private to this crate).
//!
//! - A **read** runs on a reader connection. The audit entries it records go to the writer,
//!   and the reply waits until they are durable: a read whose audit entry cannot be written
//!   fails and returns nothing.
//! - A **write** runs on the one writer connection, inside the batch transaction that the
//!   writer is gathering, under a savepoint of its own: if it fails, its changes are rolled
//!   back to that savepoint and the batch goes on without it.
//! - The **writer** ([`writer`]) commits each batch with its audit entries appended to the
//!   hash chain in arrival order, in one transaction and one fsync (group commit), and
//!   answers every caller only after that commit.

mod door;
pub(crate) mod postgres;
pub(crate) mod rows;
pub(crate) mod sqlite;
mod writer;

pub use door::Work;

use crate::{Lookup, Result, Tx, VerifyReport};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samspor_domain::audit::AuditEvent;
use std::sync::Arc;

/// A backend's transaction as the door sees it: the data methods plus the control that only
/// the door uses.
#[async_trait]
pub(crate) trait DoorTx: Send {
    fn data(&mut self) -> &mut dyn Tx;
    async fn savepoint(&mut self) -> Result<()>;
    async fn release_savepoint(&mut self) -> Result<()>;
    async fn rollback_to_savepoint(&mut self) -> Result<()>;
    /// Appends events to the end of `chain`, in order.
    async fn append_audit(
        &mut self,
        chain: i64,
        events: Vec<(DateTime<Utc>, AuditEvent)>,
    ) -> Result<()>;
    async fn commit(self: Box<Self>) -> Result<()>;
    async fn rollback(self: Box<Self>) -> Result<()>;
}

/// What a backend (SQLite, PostgreSQL) gives the door.
#[async_trait]
pub(crate) trait Backend: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// A transaction on the writer connection (SQLite: `BEGIN IMMEDIATE`).
    async fn begin_write(&self) -> Result<Box<dyn DoorTx>>;
    /// A read-only transaction on a reader connection.
    async fn begin_read(&self) -> Result<Box<dyn DoorTx>>;
    /// A reader connection for a one-statement lookup, without a transaction.
    async fn lookup(&self) -> Result<Box<dyn Lookup>>;
    /// The audit chain this process's writer appends to.
    fn chain(&self) -> i64;
    async fn ping(&self) -> Result<()>;
    async fn close(&self);
}

/// A database, opened and migrated: the door to it.
pub struct Store {
    backend: Arc<dyn Backend>,
    writer: writer::Writer,
}

impl Store {
    pub(crate) fn new(backend: Arc<dyn Backend>) -> Store {
        let writer = writer::Writer::start(backend.clone());
        Store { backend, writer }
    }

    /// Which backend this is: "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        self.backend.name()
    }

    /// Cheap check that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.backend.ping().await
    }

    /// Walks every audit chain from its first entry and compares its end with its head.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        self.read(async |tx| crate::audit::verify::verify(&mut **tx).await)
            .await
    }

    /// How many batches this store's writer has committed: with concurrent callers, fewer
    /// than the units of work and reads it carried.
    pub fn batches_committed(&self) -> u64 {
        self.writer.batches_committed()
    }

    /// How many audit entries there are, over every chain.
    pub async fn audit_length(&self) -> Result<i64> {
        self.read(async |tx| {
            let chains = tx.audit_chains().await?;
            Ok(chains.iter().map(|(_, seq, _)| seq).sum())
        })
        .await
    }

    /// Waits for what is queued to be committed, then closes the connections.
    pub async fn close(&self) {
        self.writer.stop().await;
        self.backend.close().await;
    }
}
