//! Messages on a course between the organisations that work on it: API, page and words.

pub mod api;
pub mod pages;
pub mod texts;
