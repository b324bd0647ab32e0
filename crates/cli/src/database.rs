//! Which database a command works on, from the global options.

use anyhow::bail;
use samspor_store::DatabaseTarget;
use std::path::PathBuf;

/// Where the SQLite file lives when neither option is given.
pub const DEFAULT_DATA_DIR: &str = "./samspor-data";

/// A URL wins over the data directory; a blank URL counts as none, because an exported but
/// empty `SAMSPOR_DATABASE_URL` is a common leftover that should not break the default.
pub fn target(data_dir: Option<PathBuf>, url: Option<&str>) -> anyhow::Result<DatabaseTarget> {
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => {
            let supported = ["postgres://", "postgresql://", "sqlite:"]
                .iter()
                .any(|scheme| url.starts_with(scheme));
            if !supported {
                // The URL itself is not repeated: it may carry a password.
                bail!(
                    "unsupported database URL: use postgres://… for PostgreSQL or sqlite:… for SQLite"
                );
            }
            Ok(DatabaseTarget::Url(url.to_string()))
        }
        None => Ok(DatabaseTarget::SqliteDir(
            data_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
        )),
    }
}

/// Names the backend without the URL, which may hold credentials.
pub fn describe(target: &DatabaseTarget) -> String {
    match target {
        DatabaseTarget::SqliteDir(dir) => format!("SQLite in {}", dir.display()),
        DatabaseTarget::Url(url) if url.starts_with("sqlite:") => "SQLite (URL)".into(),
        DatabaseTarget::Url(_) => "PostgreSQL".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_selects_the_backend_and_data_dir_is_the_fallback() {
        assert_eq!(
            target(None, None).unwrap(),
            DatabaseTarget::SqliteDir(PathBuf::from(DEFAULT_DATA_DIR))
        );
        assert_eq!(
            target(Some("/tmp/x".into()), Some("  ")).unwrap(),
            DatabaseTarget::SqliteDir(PathBuf::from("/tmp/x"))
        );
        assert_eq!(
            target(None, Some("postgres://u@h/db")).unwrap(),
            DatabaseTarget::Url("postgres://u@h/db".into())
        );
        assert_eq!(
            target(None, Some("sqlite:///tmp/a.db")).unwrap(),
            DatabaseTarget::Url("sqlite:///tmp/a.db".into())
        );
    }

    #[test]
    fn unknown_schemes_are_refused_without_echoing_the_url() {
        let err = target(None, Some("mysql://user:secret@h/db")).unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn descriptions_never_show_the_url() {
        let d = describe(&DatabaseTarget::Url("postgres://u:secret@h/db".into()));
        assert_eq!(d, "PostgreSQL");
    }
}
