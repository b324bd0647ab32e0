//! Texts of the course measurement pages: (key, Danish, English), sorted by key.

pub static TEXTS: &[(&str, &str, &str)] = &[];
