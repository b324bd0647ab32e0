//! Persistence for Samspor: one door ([`Store`]), two backends (SQLite, PostgreSQL).
//!
//! Every change and every read of personal data is a unit of work passed through
//! [`Store::read`] or [`Store::write`], and its audit entries are committed with it: either
//! both are on disk or neither is. Nothing outside this crate can open a transaction; the
//! compiler refuses each way round the door:
//!
//! ```compile_fail
//! // The backend that opens transactions is private to the store.
//! fn f(store: &samspor_store::Store) {
//!     let _ = &store.backend;
//! }
//! ```
//! ```compile_fail
//! // So is the transaction control the door uses (savepoints, commit).
//! use samspor_store::db::DoorTx;
//! ```
//! ```compile_fail
//! // A unit of work exists only inside the door.
//! fn f(tx: &mut dyn samspor_store::Tx) {
//!     let _ = samspor_store::Work::new(tx);
//! }
//! ```
//! ```
//! // What is left is the door itself.
//! async fn f(store: &samspor_store::Store) -> Result<(), samspor_store::StoreError> {
//!     store.read(async |tx| tx.organisations().await).await?;
//!     Ok(())
//! }
//! ```
#![forbid(unsafe_code)]

pub mod course_model;
mod course_rows;
pub mod course_tx;
pub mod db;
pub mod export_model;
pub mod export_tx;
pub mod groups_model;
pub mod groups_tx;
pub mod measurements_model;
pub mod measurements_tx;
pub mod model;
pub mod password;
mod postgres;
mod rows;
pub mod secret;
pub mod service;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
pub mod treatment_model;
pub mod treatment_tx;
mod verify;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::audit::{AuditEntry, ChainBreak};
use samspor_domain::child::ChildData;
use samspor_domain::organisation::Programme;
use std::sync::Arc;
use uuid::Uuid;

pub use course_model::*;
pub use course_tx::CourseTx;
pub use db::{Store, Work};
pub use export_model::*;
pub use export_tx::ExportTx;
pub use groups_model::*;
pub use groups_tx::GroupTx;
pub use measurements_model::*;
pub use measurements_tx::MeasurementTx;
pub use model::*;
pub use treatment_model::*;
pub use treatment_tx::TreatmentTx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a child with this CPR number is already registered in the organisation")]
    DuplicateChild { existing_id: Uuid },
    #[error("the record was changed by someone else since it was read (version {current})")]
    VersionConflict { current: i64 },
    #[error("unique constraint {0} refused the change")]
    Unique(String),
    #[error("{0} refers to something that does not exist")]
    ForeignKey(String),
    #[error("not found")]
    NotFound,
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// A unit of work tried to open another unit inside itself.
    #[error("a unit of work cannot open another inside itself")]
    NestedUnit,
    /// The batch a unit of work (or a read's audit entry) was in could not be committed.
    #[error("not saved: {0}")]
    CommitFailed(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let name = db.constraint().map(str::to_string).unwrap_or_else(|| {
                // SQLite does not report constraint names; its message names the columns.
                db.message().to_string()
            });
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return StoreError::Unique(name),
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::ForeignKey(name),
                _ => {}
            }
        }
        StoreError::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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

/// The audit log as data: reading entries and chain heads (appending is the door's job).
#[async_trait]
pub trait AuditTx: Send {
    async fn audit_entries(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
    /// Every chain's head: (chain, last sequence number, its hash).
    async fn audit_chains(&mut self) -> Result<Vec<(i64, i64, String)>>;
    /// Entries of one chain after `after_seq`, in order.
    async fn audit_chain_page(
        &mut self,
        chain: i64,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;
}

/// One transaction, as a unit of work sees it. Every method runs inside it.
#[async_trait]
pub trait Tx: AuditTx + CourseTx + MeasurementTx + TreatmentTx + GroupTx + ExportTx + Send {
    // Organisations and participation
    async fn organisations(&mut self) -> Result<Vec<Organisation>>;
    async fn organisation(&mut self, id: Uuid) -> Result<Option<Organisation>>;
    async fn organisation_by_code(&mut self, code: &str) -> Result<Option<Organisation>>;
    async fn insert_organisation(&mut self, org: &Organisation) -> Result<()>;
    async fn next_unit_code(&mut self) -> Result<String>;
    async fn participation(
        &mut self,
        municipality_code: Option<&str>,
    ) -> Result<Vec<Participation>>;
    async fn set_participation(
        &mut self,
        municipality_code: &str,
        programme: Programme,
        since: Option<NaiveDate>,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<()>;

    // Users, sessions, tokens
    async fn insert_user(&mut self, user: &NewUser) -> Result<()>;
    async fn user(&mut self, id: Uuid) -> Result<Option<User>>;
    async fn user_by_email(&mut self, email: &str) -> Result<Option<User>>;
    async fn users_of_org(&mut self, org_id: Uuid) -> Result<Vec<User>>;
    async fn set_login_state(
        &mut self,
        user_id: Uuid,
        failed_logins: i64,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<()>;
    async fn insert_session(&mut self, session: &SessionRecord) -> Result<()>;
    async fn session(&mut self, id_hash: &str) -> Result<Option<SessionRecord>>;
    async fn touch_session(&mut self, id_hash: &str, at: DateTime<Utc>) -> Result<()>;
    async fn delete_session(&mut self, id_hash: &str) -> Result<()>;
    async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> Result<u64>;
    async fn insert_token(&mut self, token: &ApiToken) -> Result<()>;
    async fn user_by_token(&mut self, token_hash: &str) -> Result<Option<User>>;

    // Children
    async fn insert_child(&mut self, child: &Child) -> Result<()>;
    async fn child(&mut self, id: Uuid) -> Result<Option<Child>>;
    async fn child_by_cpr(&mut self, org_id: Uuid, cpr: &str) -> Result<Option<Uuid>>;
    /// The same CPR can be registered by several organisations.
    async fn children_by_cpr_everywhere(&mut self, cpr: &str) -> Result<Vec<Uuid>>;
    async fn update_child(
        &mut self,
        current: &Child,
        data: &ChildData,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Child>;
    async fn search_children(
        &mut self,
        org_id: Uuid,
        query: &ChildQuery,
    ) -> Result<Vec<ChildSummary>>;
    async fn child_history(&mut self, id: Uuid) -> Result<Vec<ChildHistoryEntry>>;

    // Questionnaires
    async fn insert_invitation(&mut self, inv: &Invitation) -> Result<()>;
    async fn invitation(&mut self, id: Uuid) -> Result<Option<Invitation>>;
    async fn invitation_by_token(&mut self, token_hash: &str) -> Result<Option<Invitation>>;
    async fn invitations_of_child(&mut self, child_id: Uuid) -> Result<Vec<Invitation>>;
    async fn update_invitation(
        &mut self,
        id: Uuid,
        status: InvitationStatus,
        answers: &serde_json::Value,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn insert_response(&mut self, r: &ResponseRecord) -> Result<()>;
    async fn responses_of_child(&mut self, child_id: Uuid) -> Result<Vec<ResponseRecord>>;
    async fn insert_alert(&mut self, a: &Alert) -> Result<()>;
    async fn alert(&mut self, id: Uuid) -> Result<Option<Alert>>;
    async fn open_alerts(&mut self, org_id: Uuid) -> Result<Vec<Alert>>;
    async fn acknowledge_alert(&mut self, id: Uuid, by: Uuid, at: DateTime<Utc>) -> Result<bool>;
    /// Marks open alerts raised before `before` as escalated; returns how many.
    async fn escalate_alerts(&mut self, before: DateTime<Utc>, at: DateTime<Utc>) -> Result<u64>;
    async fn set_instrument_text(
        &mut self,
        org_id: Uuid,
        instrument_id: &str,
        link_id: &str,
        lang: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// linkId → licensed text for one instrument and language.
    async fn instrument_texts(
        &mut self,
        org_id: Uuid,
        instrument_id: &str,
        lang: &str,
    ) -> Result<Vec<(String, String)>>;
}

/// Opens (creating if needed) and migrates the database named by `target`, and starts its
/// writer.
pub async fn open(target: &DatabaseTarget) -> Result<Arc<Store>> {
    let backend: Arc<dyn db::Backend> = match target {
        DatabaseTarget::SqliteDir(dir) => Arc::new(sqlite::SqliteStore::open_dir(dir).await?),
        DatabaseTarget::Url(url) if url.starts_with("sqlite:") => {
            Arc::new(sqlite::SqliteStore::open_url(url).await?)
        }
        DatabaseTarget::Url(url) => Arc::new(postgres::PgStore::open(url).await?),
    };
    Ok(Arc::new(Store::new(backend)))
}

/// Where the data lives: a directory with an SQLite file, or a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    SqliteDir(std::path::PathBuf),
    Url(String),
}
