//! The embedded backend: one SQLite file.
//!
//! SQLite lets one writer in at a time, so all transactions go through a single
//! connection and queue in the pool instead of contending for the file lock.

use crate::{Result, Store, Tx, VerifyReport};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

type DB = Sqlite;

include!("backend.rs");
include!("backend_courses.rs");
include!("backend_measurements.rs");
include!("backend_export.rs");
include!("backend_groups.rs");
include!("backend_treatment.rs");

pub struct SqliteStore {
    writer: Pool<Sqlite>,
}

/// The database file inside a data directory.
pub const FILE_NAME: &str = "samspor.sqlite3";

impl SqliteStore {
    pub async fn open_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot create data directory {}: {e}", dir.display()),
            )))
        })?;
        Self::open_options(SqliteConnectOptions::new().filename(dir.join(FILE_NAME))).await
    }

    pub async fn open_url(url: &str) -> Result<Self> {
        Self::open_options(SqliteConnectOptions::from_str(url)?).await
    }

    async fn open_options(options: SqliteConnectOptions) -> Result<Self> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A reply that says "saved" must mean the data is on disk.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        Ok(SqliteStore { writer })
    }

    pub fn pool(&self) -> &Pool<Sqlite> {
        &self.writer
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        // IMMEDIATE takes the write lock at once, so another process on the same
        // file waits (busy_timeout) instead of failing halfway through.
        let tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(BackendTx { tx }))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.writer).await?;
        Ok(())
    }

    async fn verify_audit(&self) -> Result<VerifyReport> {
        crate::verify::verify(self).await
    }

    async fn close(&self) {
        self.writer.close().await;
    }
}
