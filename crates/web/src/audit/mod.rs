//! The audit log as the administrator reads it.

pub(crate) mod pages;
