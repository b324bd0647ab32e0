//! The PostgreSQL backend, for a region or the whole country and for several
//! server instances sharing one database.

use crate::{Result, Store, Tx, VerifyReport};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Pool, Postgres};
use std::str::FromStr;
use std::time::Duration;

type DB = Postgres;

include!("backend.rs");
include!("backend_courses.rs");
include!("backend_measurements.rs");
include!("backend_export.rs");
include!("backend_groups.rs");
include!("backend_treatment.rs");

pub struct PgStore {
    pool: Pool<Postgres>,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool })
    }

    pub fn pool(&self) -> &Pool<Postgres> {
        &self.pool
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let tx = self.pool.begin().await?;
        Ok(Box::new(BackendTx { tx }))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn verify_audit(&self) -> Result<VerifyReport> {
        crate::verify::verify(self).await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
