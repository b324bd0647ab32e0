//! Texts of the export pages: (key, Danish, English), sorted by key.

pub static TEXTS: &[(&str, &str, &str)] = &[];
