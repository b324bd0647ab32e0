//! KIT coordinated courses: API, pages and their words.

pub mod api;
pub mod pages;
pub mod texts;
