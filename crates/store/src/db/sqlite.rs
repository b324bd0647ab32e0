//! The embedded backend: one SQLite file.
//!
//! SQLite lets one writer in at a time: the door's writer owns the one writer connection,
//! and reads run on a small pool of read-only connections beside it (WAL mode lets readers
//! and the writer work at the same time).

use crate::Result;
use crate::db::{Backend, DoorTx};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

type DB = Sqlite;

include!("backend.rs");
include!("door_sql.rs");
include!("../organisations/sql.rs");
include!("../accounts/sql.rs");
include!("../children/sql.rs");
include!("../questionnaires/sql.rs");
include!("../audit/sql.rs");
include!("../courses/sql.rs");
include!("../courses/treatment/sql.rs");
include!("../courses/measurements/sql.rs");
include!("../courses/groups/sql.rs");
include!("../export/sql.rs");
include!("../consent/sql.rs");
include!("../referrals/sql.rs");
include!("../advice/sql.rs");
include!("../kit/sql.rs");
include!("../medcom/sql.rs");
include!("../messages/sql.rs");
include!("../learning_environment/sql.rs");
include!("../notifications/sql.rs");

/// Reader connections: enough to keep both cores busy while others wait on the disk.
const READERS: u32 = 4;

pub(crate) struct SqliteStore {
    writer: Pool<Sqlite>,
    readers: Pool<Sqlite>,
}

/// The database file inside a data directory.
pub const FILE_NAME: &str = "samspor.sqlite3";

impl SqliteStore {
    pub(crate) async fn open_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot create data directory {}: {e}", dir.display()),
            )))
        })?;
        Self::open_options(SqliteConnectOptions::new().filename(dir.join(FILE_NAME))).await
    }

    pub(crate) async fn open_url(url: &str) -> Result<Self> {
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
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            // A file connection does not drop like a network one; a ping before every unit
            // of work would be one more round trip to the connection's thread for nothing.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { writer, readers })
    }

    #[cfg(feature = "testing")]
    pub(crate) fn pool(&self) -> &Pool<Sqlite> {
        &self.writer
    }
}

#[async_trait]
impl Backend for SqliteStore {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn begin_write(&self) -> Result<Box<dyn DoorTx>> {
        // IMMEDIATE takes the write lock at once, so another process on the same
        // file waits (busy_timeout) instead of failing halfway through.
        let tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(BackendTx { tx }))
    }

    async fn lookup(&self) -> Result<Box<dyn crate::Lookup>> {
        Ok(Box::new(BackendConn {
            tx: self.readers.acquire().await?,
        }))
    }

    async fn begin_read(&self) -> Result<Box<dyn DoorTx>> {
        let tx = self.readers.begin().await?;
        Ok(Box::new(BackendTx { tx }))
    }

    /// One file has one writer at a time (the file lock), so one chain.
    fn chain(&self) -> i64 {
        1
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.readers).await?;
        Ok(())
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}
