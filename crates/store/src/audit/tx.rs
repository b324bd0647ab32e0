//! The audit log as a unit of work sees it.

use crate::AuditFilter;
use crate::Result;
use async_trait::async_trait;
use samspor_domain::audit::AuditEntry;

/// The audit log as data: reading entries and chain heads (appending is the door's job).
#[async_trait]
pub trait AuditTx: Send {
    async fn audit_entries(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
    /// Every chain's head: (chain, last sequence number, its hash).
    async fn audit_chains(&mut self) -> Result<Vec<(i64, i64, String)>>;
    /// Every chain that has entries in the log, with how many: (chain, entries).
    async fn audit_log_chains(&mut self) -> Result<Vec<(i64, i64)>>;
    /// Entries of one chain after `after_seq`, in order.
    async fn audit_chain_page(
        &mut self,
        chain: i64,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;
}
