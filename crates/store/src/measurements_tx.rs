//! The course measurement part of a transaction; every `Tx` has it.

use async_trait::async_trait;

#[async_trait]
pub trait MeasurementTx: Send {}
