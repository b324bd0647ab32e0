//! The public self-referral form and the coordinator's intake queue.

mod service;

pub use service::*;
