//! The `samspor` command's library half: what the binary does that tests and other
//! commands reuse (the demo data, choosing the database).
#![forbid(unsafe_code)]

pub mod database;
pub mod demo;
mod demo_advice;
mod demo_courses;
mod demo_gp_referrals;
mod demo_groups;
mod demo_learning_environment;
mod demo_measurements;
mod demo_medcom;
mod demo_sharing;
mod demo_treatment;
mod names;
