//! Measurements during a course: questionnaires sent when the track's plan says so.

pub mod model;
mod service;
pub mod tx;

pub use service::*;
