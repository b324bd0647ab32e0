//! Advice requests ("sparring") to child psychiatry: asked anonymously or about a child whose
//! course the unit may read on a lawful basis, the unit's queue with its working-day clock, and
//! the answer that reaches the asker and the child's course.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod tx;

pub use service::*;
