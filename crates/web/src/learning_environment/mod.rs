//! Learning-environment guidance as the municipality's own activity: institutions, guidance
//! sessions, and the counts for the indicators. API, page and words.

pub mod api;
pub mod pages;
pub mod texts;
