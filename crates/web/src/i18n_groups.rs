//! Texts of the groups pages: (key, Danish, English), sorted by key.

pub static TEXTS: &[(&str, &str, &str)] = &[];
