//! Logging in and out.

pub(crate) mod pages;
