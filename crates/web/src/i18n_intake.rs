//! UI words of the intake pages: (key, Danish, English), sorted by key (a test checks).

#[rustfmt::skip]
pub static TEXTS: &[(&str, &str, &str)] = &[
];
