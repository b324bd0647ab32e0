//! Staff accounts: logging in and out, choosing a password through a one-time link, and the
//! administrator's pages for the organisation's accounts.

pub(crate) mod admin;
pub(crate) mod pages;
pub(crate) mod password;
pub(crate) mod texts;
