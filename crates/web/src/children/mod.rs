//! A child's record: search, registration, corrections, history and access log.

pub(crate) mod api;
pub(crate) mod pages;
