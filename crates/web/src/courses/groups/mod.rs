//! Parent groups and guidance sessions.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod texts;
