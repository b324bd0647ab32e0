//! The audit log: who read or changed what, verified as hash chains.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;
pub(crate) mod verify;

pub use service::*;
