//! Treatment in a track: sessions, journal, planned sessions, closing and follow-up.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod texts;
