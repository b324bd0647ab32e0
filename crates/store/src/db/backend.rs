// The SQL for both backends. This file is included by `sqlite.rs` and `postgres.rs`,
// each of which defines `DB` (the sqlx database type) first, so one text serves both
// and the compiler checks it against each. SQL here must be valid on both databases.


/// A transaction on one backend.
pub struct BackendTx {
    tx: sqlx::Transaction<'static, DB>,
}

/// A reader connection outside any transaction, for a lookup of one statement (which is
/// consistent by itself). The field has the transaction's name so one SQL text serves both.
pub struct BackendConn {
    tx: sqlx::pool::PoolConnection<DB>,
}


