//! Fresh databases for tests: an SQLite file in a new directory always, and a new
//! PostgreSQL database when `SAMSPOR_TEST_POSTGRES_URL` names a server.

use crate::db::Backend as DoorBackend;
use crate::db::postgres::PgStore;
use crate::db::sqlite::SqliteStore;
use crate::{DatabaseTarget, Store};
use sqlx::{AssertSqlSafe, Connection};
use std::path::PathBuf;
use std::sync::Arc;

pub const POSTGRES_ENV: &str = "SAMSPOR_TEST_POSTGRES_URL";
/// Set (to anything) where skipping the PostgreSQL half of the suite must fail the run.
pub const REQUIRE_POSTGRES_ENV: &str = "SAMSPOR_REQUIRE_POSTGRES";
/// Prefix of every database the tests create, so a test run can clear old ones.
pub const DB_PREFIX: &str = "samspor_t_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends this run tests.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if std::env::var(POSTGRES_ENV).is_ok_and(|v| !v.is_empty()) {
        out.push(Backend::Postgres);
    } else if std::env::var(REQUIRE_POSTGRES_ENV).is_ok() {
        panic!(
            "{REQUIRE_POSTGRES_ENV} is set but {POSTGRES_ENV} is not: the PostgreSQL tests would be skipped"
        );
    }
    out
}

/// A fresh, migrated, empty database and the way to reach it from another process.
pub struct TestDb {
    pub backend: Backend,
    pub target: DatabaseTarget,
    pub store: Arc<Store>,
    raw: Raw,
}

enum Raw {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PgStore>),
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let name = format!("{DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
        match backend {
            Backend::Sqlite => {
                let dir: PathBuf = std::env::temp_dir().join(&name);
                let s = Arc::new(SqliteStore::open_dir(&dir).await.expect("open sqlite"));
                TestDb {
                    backend,
                    target: DatabaseTarget::SqliteDir(dir),
                    store: Arc::new(Store::new(s.clone() as Arc<dyn DoorBackend>)),
                    raw: Raw::Sqlite(s),
                }
            }
            Backend::Postgres => {
                let url = std::env::var(POSTGRES_ENV).expect("postgres url");
                let url = create_database(&url, &name).await;
                let s = Arc::new(PgStore::open(&url).await.expect("open postgres"));
                TestDb {
                    backend,
                    target: DatabaseTarget::Url(url),
                    store: Arc::new(Store::new(s.clone() as Arc<dyn DoorBackend>)),
                    raw: Raw::Postgres(s),
                }
            }
        }
    }

    /// Runs SQL past the store's rules, as someone with database access could.
    pub async fn exec_raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_string());
        match &self.raw {
            Raw::Sqlite(s) => sqlx::raw_sql(sql)
                .execute(s.pool())
                .await
                .map(|r| r.rows_affected()),
            Raw::Postgres(s) => sqlx::raw_sql(sql)
                .execute(s.pool())
                .await
                .map(|r| r.rows_affected()),
        }
    }

    /// One number from the database past the store (a count), for checking what is kept.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let sql = AssertSqlSafe(sql.to_string());
        match &self.raw {
            Raw::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(s.pool()).await,
            Raw::Postgres(s) => sqlx::query_scalar(sql).fetch_one(s.pool()).await,
        }
        .expect("a number")
    }

    /// Table name → sorted column names, for comparing the two schemas.
    pub async fn columns(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = match &self.raw {
            Raw::Sqlite(s) => {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(s.pool())
                .await
                .expect("sqlite columns");
                group(rows)
            }
            Raw::Postgres(s) => {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(s.pool())
                .await
                .expect("postgres columns");
                group(rows)
            }
        };
        out.sort();
        out
    }
}

fn group(rows: Vec<(String, String)>) -> Vec<(String, Vec<String>)> {
    let mut map: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (t, c) in rows {
        map.entry(t).or_default().push(c);
    }
    map.into_iter()
        .map(|(t, mut c)| {
            c.sort();
            (t, c)
        })
        .collect()
}

/// Creates database `name` on the server of `url` and returns a URL for it.
pub async fn create_database(url: &str, name: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to postgres");
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let server = match base.rfind('/') {
        Some(i) if base[..i].contains("//") && i > base.find("//").unwrap_or(0) + 1 => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}
