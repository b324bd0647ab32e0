//! Questionnaires: links, paper entry, scores, alerts, and the respondent's own pages.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod respond;
