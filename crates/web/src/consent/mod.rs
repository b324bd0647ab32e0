//! The lawful basis for sharing a child's data, and the shares: consents, statutory bases,
//! objections, notifications, custody checks and emergency access.

pub mod api;
mod extract;
pub mod pages;
pub mod texts;
