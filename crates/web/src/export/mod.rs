//! The KL Gateway LTT delivery: the API and the administrator's list.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod texts;
