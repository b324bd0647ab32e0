//! Staff accounts: logins, browser sessions and API tokens.

pub mod administration;
pub mod model;
pub mod password;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
