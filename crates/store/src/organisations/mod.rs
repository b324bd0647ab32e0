//! Organisations: municipalities, regions and their units, and who takes part in which programme.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
