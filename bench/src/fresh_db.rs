//! Each benchmark run on its own new database, removed afterwards.

use crate::submit::{Backend, DB_PREFIX};
use samspor_store::{DatabaseTarget, Store};
use sqlx::{AssertSqlSafe, Connection};
use std::sync::Arc;
use uuid::Uuid;

/// A new, migrated, empty database, removed again by [`FreshDb::remove`].
pub struct FreshDb {
    pub store: Arc<Store>,
    place: Place,
}

enum Place {
    Dir(tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl FreshDb {
    pub async fn new(backend: &Backend) -> anyhow::Result<FreshDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new().prefix(DB_PREFIX).tempdir()?;
                let target = DatabaseTarget::SqliteDir(dir.path().to_path_buf());
                let store = samspor_store::open(&target).await?;
                Ok(FreshDb {
                    store,
                    place: Place::Dir(dir),
                })
            }
            Backend::Postgres { server_url } => {
                let name = format!("{DB_PREFIX}{}", Uuid::new_v4().simple());
                let url = samspor_store::testing::create_database(server_url, &name).await;
                let store = samspor_store::open(&DatabaseTarget::Url(url)).await?;
                Ok(FreshDb {
                    store,
                    place: Place::Postgres {
                        server_url: server_url.clone(),
                        name,
                    },
                })
            }
        }
    }

    pub async fn remove(self) -> anyhow::Result<()> {
        self.store.close().await;
        match self.place {
            Place::Dir(dir) => dir.close()?,
            Place::Postgres { server_url, name } => {
                let mut conn = sqlx::PgConnection::connect(&server_url).await?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await?;
            }
        }
        Ok(())
    }
}
