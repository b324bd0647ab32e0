//! MedCom CareCommunication ("korrespondancemeddelelse"): the child's GP practice as a
//! receiver, the message Bundle Samspor sends, and the acknowledgements read back.
//! The profiles are MedCom's CareCommunication 5.0.4 on FHIR R4 (DOMAIN.md §5.3).

pub mod acknowledgement;
pub mod bundle;
pub mod gp_practice;
pub mod letters;

pub use acknowledgement::{AckCode, Acknowledgement, parse_acknowledgement};
pub use bundle::{Author, CareCommunication, Category, Party, Patient};
pub use gp_practice::{GpPractice, GpPracticeInput, parse_gp_practice};
