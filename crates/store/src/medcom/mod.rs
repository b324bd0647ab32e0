//! Informing the child's GP through MedCom: the child's GP practice, the CareCommunication
//! messages queued from the course (start and end of treatment), their delivery into a
//! practice's Samspor inbox or onto the MedCom network by a transport, and the
//! acknowledgements read back.

pub mod model;
pub(crate) mod rows;
mod service;
pub mod transport;
pub mod tx;

pub use service::*;
