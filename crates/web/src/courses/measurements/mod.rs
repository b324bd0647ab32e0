//! Measurements of a course sent as questionnaire links.

pub(crate) mod pages;
pub(crate) mod texts;
