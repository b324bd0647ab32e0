//! Questionnaires: one-time links, paper entry, scoring, alerts on critical answers.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
