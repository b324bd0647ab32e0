//! KIT coordinated courses: the shared plan with each sector's contact person, network
//! meetings, and tasks owned by an organisation with a deadline, across the sectors the course
//! is shared with on a lawful basis.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
