//! The layout in docs/ARCHITECTURE.md is a map a newcomer follows: every path it names must
//! exist.

use std::path::{Path, PathBuf};

/// Column where the descriptions start; a line whose first word starts left of it names a path.
const DESCRIPTION_COLUMN: usize = 24;

/// The paths of the layout block: each entry's path is its parents' paths (by indentation)
/// joined with its own name.
fn layout_paths(doc: &str) -> Vec<PathBuf> {
    let block = doc
        .split("```\n")
        .find(|b| b.starts_with("Cargo.toml"))
        .expect("ARCHITECTURE.md has a layout block starting with Cargo.toml");
    let mut parents: Vec<(usize, String)> = Vec::new();
    let mut paths = Vec::new();
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        if indent >= DESCRIPTION_COLUMN {
            continue;
        }
        parents.retain(|(depth, _)| *depth < indent);
        let mut path: PathBuf = parents.iter().map(|(_, p)| p.as_str()).collect();
        path.push(name.trim_end_matches('/'));
        paths.push(path);
        if name.ends_with('/') {
            parents.push((indent, name.trim_end_matches('/').to_string()));
        }
    }
    paths
}

#[test]
fn every_path_in_the_architecture_layout_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let paths = layout_paths(&doc);
    assert!(paths.len() > 50, "the layout names {} paths", paths.len());
    let missing: Vec<_> = paths.iter().filter(|p| !root.join(p).exists()).collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn nested_entries_are_joined_to_their_parents() {
    let doc = "```\nCargo.toml  x\ncrates/\n  store/    y\n    src/\n      db/       the door\n        door.rs   z\n                          more words\n      lib.rs    w\n```\n";
    let paths = layout_paths(doc);
    let want: Vec<PathBuf> = [
        "Cargo.toml",
        "crates",
        "crates/store",
        "crates/store/src",
        "crates/store/src/db",
        "crates/store/src/db/door.rs",
        "crates/store/src/lib.rs",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(paths, want);
}
