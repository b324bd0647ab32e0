//! The lawful basis for sharing a child's data, and the shares themselves: consents, statutory
//! bases, objections, emergency accesses, notifications. What another organisation may see is
//! worked out here ([`grant`]) and decided by the one access policy.

mod family;
pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use family::*;
pub use service::*;
