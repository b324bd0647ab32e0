//! Which audit entries to list.

use chrono::{DateTime, Utc};
use samspor_domain::audit::AuditAction;
use samspor_domain::audit::ChainBreak;
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub child_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Newest first when true.
    pub newest_first: bool,
    pub limit: i64,
}

/// What an audit verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked, over every chain.
    pub entries: i64,
    /// The chains found.
    pub chains: i64,
    /// The first break found.
    pub result: Result<(), BrokenChain>,
}

/// Where an audit chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chain {chain}: {fault}")]
pub struct BrokenChain {
    pub chain: i64,
    pub fault: ChainBreak,
}
