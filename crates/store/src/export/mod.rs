//! The KL Gateway LTT report: deliveries, the nightly job, the list of deliveries.

pub mod model;
mod service;
pub mod tx;

pub use service::*;
