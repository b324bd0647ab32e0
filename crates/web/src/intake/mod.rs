//! The public self-referral form and the coordinator's intake queue.

pub(crate) mod pages;
pub(crate) mod texts;
