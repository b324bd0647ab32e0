//! Treatment in a track: planned and held sessions, the journal, closing and the follow-up talk.

pub mod model;
mod service;
pub mod tx;

pub use service::*;
