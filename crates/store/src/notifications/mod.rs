//! E-mail and SMS to families and staff: an outbox of neutral messages with a link, written in
//! the same unit of work as what the link is for, and sent by a job through a transport (SMTP,
//! an SMS gateway). A channel without a transport gets nothing queued: the page then says the
//! link was not sent and offers to copy, print or mark it as sent by hand.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod transport;
pub mod tx;

pub use service::*;
