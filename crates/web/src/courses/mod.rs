//! A child's course from contact through visitation to closing.

pub(crate) mod api;
pub(crate) mod groups;
pub(crate) mod measurements;
pub(crate) mod pages;
pub(crate) mod texts;
pub(crate) mod treatment;
