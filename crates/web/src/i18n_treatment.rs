//! Texts of the treatment pages: (key, Danish, English), sorted by key.

pub static TEXTS: &[(&str, &str, &str)] = &[];
