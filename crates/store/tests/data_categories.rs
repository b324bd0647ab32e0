//! Every column of the database has a data category (`lawful_basis/categories.json` in the
//! domain crate), on SQLite and, when configured, on PostgreSQL. Sharing is decided per
//! category, so a column added without one would be data whose sharing nobody has decided.
//!
//! Needs the store's `testing` feature for its fresh databases, as the conformance suite does
//! (`cargo test --workspace` turns it on).

use samspor_domain::lawful_basis::categories::Categories;
use samspor_store::testing::{TestDb, backends};

#[tokio::test]
async fn every_column_has_exactly_one_data_category() {
    let categories = Categories::shipped();
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let schema = db.columns().await;
        let gaps = categories.against(&schema);
        let mut problems = Vec::new();
        if !gaps.unclassified.is_empty() {
            problems.push(format!(
                "{} column(s) without a data category; add each to \
                 crates/domain/src/lawful_basis/categories.json (under its table's \"columns\" or \
                 \"overrides\", or the table under \"not_child_data\" with the reason):\n  {}",
                gaps.unclassified.len(),
                gaps.unclassified.join("\n  ")
            ));
        }
        if !gaps.stale.is_empty() {
            problems.push(format!(
                "crates/domain/src/lawful_basis/categories.json names {} table(s) or column(s) \
                 the database does not have; remove or rename them:\n  {}",
                gaps.stale.len(),
                gaps.stale.join("\n  ")
            ));
        }
        assert!(
            problems.is_empty(),
            "{:?}: {}",
            db.backend,
            problems.join("\n")
        );
        let columns: usize = schema.iter().map(|(_, c)| c.len()).sum();
        println!(
            "{:?}: {columns} columns of {} tables checked",
            db.backend,
            schema.len()
        );
    }
}
