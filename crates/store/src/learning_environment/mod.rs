//! Learning-environment guidance as the municipality's own activity: its institutions, the
//! guidance sessions with their staff, and the counts the indicators take.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
