//! Organisations, programme participation and the audit log of the administrator.

pub(crate) mod pages;
