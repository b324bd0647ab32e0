//! Parent groups and guidance sessions.

pub mod model;
mod service;
pub mod tx;

pub use service::*;
