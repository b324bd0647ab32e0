//! Referrals to child psychiatry: sending from a course, the unit's intake queue and answer, and
//! the municipality's task for a returned referral.

pub mod api;
pub mod pages;
pub mod texts;
