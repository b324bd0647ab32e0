//! The child record: who the child is, the guardians, and every earlier version.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
