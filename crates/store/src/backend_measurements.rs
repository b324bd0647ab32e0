// Course measurement SQL for both backends; included by `sqlite.rs` and `postgres.rs` after `backend.rs`.

#[async_trait::async_trait]
impl crate::MeasurementTx for BackendTx {}
