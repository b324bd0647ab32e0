//! Messages on a course between the organisations that work on it: the owning municipality
//! and the organisations the course is shared with on a basis that covers it now.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
