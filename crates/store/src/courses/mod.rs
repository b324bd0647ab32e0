//! A child's course: contact, first conversation, screening, visitation, the track and closing.

pub mod groups;
pub mod measurements;
pub mod model;
pub(crate) mod rows;
mod service;
pub mod treatment;
pub mod tx;

pub use service::*;
