//! Referrals from a municipality's course to child psychiatry, the unit's intake queue, its
//! answer (accept, or return naming the way), and the municipality's task for a return.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
