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

pub mod accounts;
pub mod advice;
pub mod audit;
pub mod children;
pub mod consent;
pub mod courses;
pub mod db;
pub mod export;
pub mod intake;
pub mod kit;
pub mod learning_environment;
pub mod medcom;
pub mod messages;
pub mod notifications;
pub mod organisations;
pub mod questionnaires;
pub mod referrals;
pub mod secret;
pub mod service;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;
use uuid::Uuid;

pub use accounts::model::*;
pub use accounts::tx::{AccountLookup, AccountTx};
pub use advice::model::{AdviceAnswer, AdviceRequest};
pub use advice::tx::AdviceTx;
pub use audit::model::*;
pub use audit::tx::AuditTx;
pub use children::model::*;
pub use children::tx::ChildTx;
pub use consent::tx::ConsentTx;
pub use courses::groups::model::*;
pub use courses::groups::tx::GroupTx;
pub use courses::measurements::model::*;
pub use courses::measurements::tx::MeasurementTx;
pub use courses::model::*;
pub use courses::treatment::model::*;
pub use courses::treatment::tx::TreatmentTx;
pub use courses::tx::CourseTx;
pub use db::{Store, Work};
pub use export::model::*;
pub use export::tx::ExportTx;
pub use kit::tx::KitTx;
pub use learning_environment::tx::LearningEnvironmentTx;
pub use medcom::tx::MedcomTx;
pub use messages::tx::MessageTx;
pub use notifications::tx::NotificationTx;
pub use organisations::model::*;
pub use organisations::tx::OrganisationTx;
pub use questionnaires::model::*;
pub use questionnaires::tx::QuestionnaireTx;
pub use referrals::model::*;
pub use referrals::tx::ReferralTx;

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
    /// A unit of work recorded a person's access to a child's data without asking the access
    /// policy: a defect in Samspor, never the caller's fault.
    #[error("a unit of work audited access to a child without asking the access policy")]
    PolicyNotAsked,
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

/// What a lookup outside a transaction may ask (`Store::lookup`).
pub trait Lookup: AccountLookup + Send {}

impl<T: AccountLookup + Send> Lookup for T {}

/// One transaction, as a unit of work sees it: every feature's part. Every method runs inside it.
pub trait Tx:
    OrganisationTx
    + AccountTx
    + ChildTx
    + QuestionnaireTx
    + AuditTx
    + CourseTx
    + MeasurementTx
    + TreatmentTx
    + GroupTx
    + ExportTx
    + ConsentTx
    + ReferralTx
    + AdviceTx
    + KitTx
    + MedcomTx
    + MessageTx
    + LearningEnvironmentTx
    + NotificationTx
    + Send
{
}

impl<T> Tx for T where
    T: OrganisationTx
        + AccountTx
        + ChildTx
        + QuestionnaireTx
        + AuditTx
        + CourseTx
        + MeasurementTx
        + TreatmentTx
        + GroupTx
        + ExportTx
        + ConsentTx
        + ReferralTx
        + AdviceTx
        + KitTx
        + MedcomTx
        + MessageTx
        + LearningEnvironmentTx
        + NotificationTx
        + Send
{
}

/// Opens (creating if needed) and migrates the database named by `target`, and starts its
/// writer.
pub async fn open(target: &DatabaseTarget) -> Result<Arc<Store>> {
    let backend: Arc<dyn db::Backend> = match target {
        DatabaseTarget::SqliteDir(dir) => Arc::new(db::sqlite::SqliteStore::open_dir(dir).await?),
        DatabaseTarget::Url(url) if url.starts_with("sqlite:") => {
            Arc::new(db::sqlite::SqliteStore::open_url(url).await?)
        }
        DatabaseTarget::Url(url) => Arc::new(db::postgres::PgStore::open(url).await?),
    };
    Ok(Arc::new(Store::new(backend)))
}

/// Where the data lives: a directory with an SQLite file, or a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    SqliteDir(std::path::PathBuf),
    Url(String),
}
