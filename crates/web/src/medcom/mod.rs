//! Informing the GP through MedCom: the child's GP practice, the sent messages and where each
//! is, and a practice's inbox. API, pages and words.

pub mod api;
pub mod pages;
pub mod texts;
