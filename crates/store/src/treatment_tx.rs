//! The treatment part of a transaction; every `Tx` has it.

use async_trait::async_trait;

#[async_trait]
pub trait TreatmentTx: Send {}
