//! Samspor's domain: the rules and types every other layer relies on.
//! Pure code: no I/O, no async, no database.
#![forbid(unsafe_code)]

pub mod access;
pub mod advice;
pub mod audit;
pub mod calendar;
pub mod child;
pub mod course;
pub mod cpr;
pub mod geo;
pub mod i18n;
pub mod instrument;
pub mod kit;
pub mod klgateway;
pub mod lawful_basis;
pub mod learning_environment;
pub mod medcom;
pub mod message;
pub mod notification;
pub mod organisation;
pub mod referral;
pub mod role;
pub mod validation;
