//! The PostgreSQL backend, for a region or the whole country and for several
//! server instances sharing one database.
//!
//! Each instance's writer has a connection of its own and appends to an audit chain of its
//! own, claimed with a session advisory lock when the writer connects, so the instances'
//! batches never wait for one chain head. Reads use a pool beside it.

use crate::Result;
use crate::db::{Backend, DoorTx};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Pool, Postgres};
use std::str::FromStr;
use std::time::Duration;

type DB = Postgres;

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

/// The advisory-lock class that audit chain claims use (the first key of the lock pair).
const CHAIN_LOCK_CLASS: i32 = 0x5a4d_5350;
/// How many chains instances may claim before one has to share (sharing stays correct: the
/// head row is locked while a batch appends).
const MAX_CHAINS: i32 = 64;

pub(crate) struct PgStore {
    writer: Pool<Postgres>,
    readers: Pool<Postgres>,
    chain: i64,
}

impl PgStore {
    pub(crate) async fn open(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let readers = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/postgres")
            .run(&readers)
            .await?;
        // The writer's one connection lives as long as the server: its session holds the
        // chain's advisory lock.
        let writer = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        let chain = claim_chain(&writer).await?;
        Ok(PgStore {
            writer,
            readers,
            chain,
        })
    }

    #[cfg(feature = "testing")]
    pub(crate) fn pool(&self) -> &Pool<Postgres> {
        &self.readers
    }
}

/// The first chain no other instance holds; the last one when every chain is held.
async fn claim_chain(writer: &Pool<Postgres>) -> Result<i64> {
    let mut conn = writer.acquire().await?;
    let mut chain = MAX_CHAINS;
    for n in 1..=MAX_CHAINS {
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(CHAIN_LOCK_CLASS)
            .bind(n)
            .fetch_one(&mut *conn)
            .await?;
        if got {
            chain = n;
            break;
        }
    }
    sqlx::query(
        "INSERT INTO audit_chains (id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(i64::from(chain))
    .bind(samspor_domain::audit::genesis(i64::from(chain)))
    .execute(&mut *conn)
    .await?;
    Ok(i64::from(chain))
}

#[async_trait]
impl Backend for PgStore {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn begin_write(&self) -> Result<Box<dyn DoorTx>> {
        let tx = self.writer.begin().await?;
        Ok(Box::new(BackendTx { tx }))
    }

    async fn lookup(&self) -> Result<Box<dyn crate::Lookup>> {
        Ok(Box::new(BackendConn {
            tx: self.readers.acquire().await?,
        }))
    }

    async fn begin_read(&self) -> Result<Box<dyn DoorTx>> {
        // One snapshot for every statement of the read; writes are refused.
        let tx = self
            .readers
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        Ok(Box::new(BackendTx { tx }))
    }

    fn chain(&self) -> i64 {
        self.chain
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
