//! The data category of every stored column (`lawful_basis/categories.json` next to this file).
//!
//! A recipient's lawful basis is decided per [`DataCategory`], so a column that no category
//! claims is data whose sharing nobody has decided. The placement is data rather than code so
//! that it can be read and reviewed as one list, and the store's tests hold it against the real
//! schema of both backends: a new column fails the tests until someone places it.

use super::kinds::DataCategory;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;
use std::sync::LazyLock;

/// Where one column stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    /// Part of a child's record: shared only under a basis that covers this category.
    Child(DataCategory),
    /// Held by a table that keeps no child's data, so no basis is ever asked about it.
    NotChildData,
}

/// The columns of one table that holds a child's data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableCategories {
    /// The category of every column in `columns`.
    pub category: DataCategory,
    /// Why the table (or an override) is placed as it is, where that is not obvious.
    #[serde(default)]
    pub note: Option<String>,
    /// Named one by one, not implied by the table, so that a column added later is unplaced
    /// until someone decides its category.
    pub columns: Vec<String>,
    /// Columns that belong to another category than the table's.
    #[serde(default, deserialize_with = "unique_keys")]
    pub overrides: BTreeMap<String, DataCategory>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Categories {
    pub note: String,
    #[serde(deserialize_with = "unique_keys")]
    pub tables: BTreeMap<String, TableCategories>,
    /// Table → why it holds no child's data.
    #[serde(deserialize_with = "unique_keys")]
    pub not_child_data: BTreeMap<String, String>,
}

/// What the file and a database schema disagree on, each as `table.column` (or `table`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaGaps {
    /// Columns of the database that the file does not place.
    pub unclassified: Vec<String>,
    /// Tables and columns the file names that the database does not have.
    pub stale: Vec<String>,
}

impl SchemaGaps {
    pub fn is_empty(&self) -> bool {
        self.unclassified.is_empty() && self.stale.is_empty()
    }
}

/// A categories file that cannot be used, saying what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lawful_basis/categories.json: {0}")]
pub struct CategoriesError(pub String);

const SHIPPED: &str = include_str!("categories.json");

static SHIPPED_CATEGORIES: LazyLock<Categories> = LazyLock::new(|| {
    Categories::parse(SHIPPED).expect("the shipped data categories are checked by a test")
});

impl Categories {
    /// The placement shipped with Samspor (checked by a test, so this cannot fail in a release).
    pub fn shipped() -> &'static Categories {
        &SHIPPED_CATEGORIES
    }

    pub fn parse(text: &str) -> Result<Categories, CategoriesError> {
        let c: Categories =
            serde_json::from_str(text).map_err(|e| CategoriesError(e.to_string()))?;
        c.check()?;
        Ok(c)
    }

    /// Every column once: a table in one list, a column in one place, an override only where
    /// it differs (an override equal to the default would hide a misplaced column in review).
    fn check(&self) -> Result<(), CategoriesError> {
        let err = |m: String| Err(CategoriesError(m));
        for (table, reason) in &self.not_child_data {
            if self.tables.contains_key(table) {
                return err(format!(
                    "{table} is both under tables and under not_child_data"
                ));
            }
            if reason.trim().is_empty() {
                return err(format!(
                    "not_child_data.{table}: say why it holds no child's data"
                ));
            }
        }
        for (table, t) in &self.tables {
            if t.columns.is_empty() && t.overrides.is_empty() {
                return err(format!("{table}: lists no columns"));
            }
            let mut seen = BTreeSet::new();
            for column in &t.columns {
                if !seen.insert(column.as_str()) {
                    return err(format!("{table}.{column} is listed twice"));
                }
            }
            for (column, category) in &t.overrides {
                if seen.contains(column.as_str()) {
                    return err(format!(
                        "{table}.{column} is both in columns and in overrides"
                    ));
                }
                if *category == t.category {
                    return err(format!(
                        "{table}.{column}: the override is the table's own category {}; move it to columns",
                        category.as_str()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Where `table.column` stands; `None` when the file does not place it.
    pub fn of(&self, table: &str, column: &str) -> Option<Classification> {
        if self.not_child_data.contains_key(table) {
            return Some(Classification::NotChildData);
        }
        let t = self.tables.get(table)?;
        if let Some(c) = t.overrides.get(column) {
            return Some(Classification::Child(*c));
        }
        t.columns
            .iter()
            .any(|c| c == column)
            .then_some(Classification::Child(t.category))
    }

    /// Compares the file with a schema given as table → columns. Both directions count, so the
    /// file can neither miss a column nor keep one that has gone.
    pub fn against(&self, schema: &[(String, Vec<String>)]) -> SchemaGaps {
        let mut gaps = SchemaGaps::default();
        for (table, columns) in schema {
            for column in columns {
                if self.of(table, column).is_none() {
                    gaps.unclassified.push(format!("{table}.{column}"));
                }
            }
        }
        let in_schema: BTreeMap<&str, &[String]> = schema
            .iter()
            .map(|(t, c)| (t.as_str(), c.as_slice()))
            .collect();
        for table in self.not_child_data.keys() {
            if !in_schema.contains_key(table.as_str()) {
                gaps.stale.push(table.clone());
            }
        }
        for (table, t) in &self.tables {
            let Some(columns) = in_schema.get(table.as_str()) else {
                gaps.stale.push(table.clone());
                continue;
            };
            for column in t.columns.iter().chain(t.overrides.keys()) {
                if !columns.contains(column) {
                    gaps.stale.push(format!("{table}.{column}"));
                }
            }
        }
        gaps.unclassified.sort();
        gaps.stale.sort();
        gaps
    }
}

/// A JSON object into a map, refusing a key given twice: serde keeps the last silently, which
/// would let a second entry for a table overrule the first unseen.
fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(PhantomData<V>);

    impl<'de, V: Deserialize<'de>> Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, V>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("{key} is given twice")));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }

    d.deserialize_map(Unique(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(tables: &str, not_child_data: &str) -> String {
        format!(
            r#"{{"note": "n", "tables": {{{tables}}}, "not_child_data": {{{not_child_data}}}}}"#
        )
    }

    #[test]
    fn the_shipped_file_parses() {
        let c = Categories::shipped();
        assert!(!c.tables.is_empty());
        assert!(!c.not_child_data.is_empty());
    }

    #[test]
    fn no_table_is_in_both_lists() {
        let c = Categories::shipped();
        for table in c.not_child_data.keys() {
            assert!(!c.tables.contains_key(table), "{table}");
        }
        let both = file(
            r#""users": {"category": "contact_and_course", "columns": ["id"]}"#,
            r#""users": "staff accounts""#,
        );
        let e = Categories::parse(&both).unwrap_err();
        assert!(e.0.contains("users is both"), "{e}");
    }

    #[test]
    fn every_category_named_is_a_real_one() {
        let bad_default = file(r#""t": {"category": "diagnosis", "columns": ["id"]}"#, "");
        assert!(Categories::parse(&bad_default).is_err());
        let bad_override = file(
            r#""t": {"category": "journal", "columns": ["id"], "overrides": {"x": "notes"}}"#,
            "",
        );
        assert!(Categories::parse(&bad_override).is_err());
    }

    #[test]
    fn every_column_is_placed_once() {
        let twice = file(
            r#""t": {"category": "journal", "columns": ["id", "text", "id"]}"#,
            "",
        );
        assert!(Categories::parse(&twice).unwrap_err().0.contains("t.id"));
        let also_override = file(
            r#""t": {"category": "journal", "columns": ["id"], "overrides": {"id": "plan"}}"#,
            "",
        );
        assert!(Categories::parse(&also_override).is_err());
        let same_as_table = file(
            r#""t": {"category": "journal", "columns": ["id"], "overrides": {"text": "journal"}}"#,
            "",
        );
        assert!(Categories::parse(&same_as_table).is_err());
        let table_twice = file(
            r#""t": {"category": "journal", "columns": ["id"]}, "t": {"category": "plan", "columns": ["id"]}"#,
            "",
        );
        assert!(Categories::parse(&table_twice).is_err());
        let unknown_key = file(
            r#""t": {"category": "journal", "fields": ["id"], "columns": ["id"]}"#,
            "",
        );
        assert!(Categories::parse(&unknown_key).is_err());
    }

    #[test]
    fn a_column_takes_its_override_else_its_tables_category() {
        let c = Categories::shipped();
        let child = |cat| Some(Classification::Child(cat));
        assert_eq!(
            c.of("courses", "closing_note"),
            child(DataCategory::Journal)
        );
        assert_eq!(
            c.of("courses", "status"),
            child(DataCategory::ContactAndCourse)
        );
        assert_eq!(
            c.of("journal_entries", "text"),
            child(DataCategory::Journal)
        );
        assert_eq!(c.of("responses", "scores"), child(DataCategory::Scores));
        assert_eq!(
            c.of("planned_sessions", "title_da"),
            child(DataCategory::Plan)
        );
        assert_eq!(
            c.of("users", "anything"),
            Some(Classification::NotChildData)
        );
        assert_eq!(c.of("courses", "no_such_column"), None);
        assert_eq!(c.of("no_such_table", "id"), None);
    }

    #[test]
    fn a_schema_is_compared_both_ways() {
        let c = Categories::parse(&file(
            r#""t": {"category": "journal", "columns": ["id", "gone"], "overrides": {"when": "contact_and_course"}}, "old": {"category": "plan", "columns": ["id"]}"#,
            r#""users": "staff accounts", "dropped": "no longer there""#,
        ))
        .unwrap();
        let schema = vec![
            ("t".to_string(), vec!["id".to_string(), "new".to_string()]),
            ("users".to_string(), vec!["id".to_string()]),
            (
                "unknown".to_string(),
                vec!["a".to_string(), "b".to_string()],
            ),
        ];
        let gaps = c.against(&schema);
        assert_eq!(gaps.unclassified, ["t.new", "unknown.a", "unknown.b"]);
        assert_eq!(gaps.stale, ["dropped", "old", "t.gone", "t.when"]);
        assert!(!gaps.is_empty());
    }
}
