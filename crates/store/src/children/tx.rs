//! Children and their record history, as a unit of work sees them.

use crate::Result;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samspor_domain::child::ChildData;
use uuid::Uuid;

#[async_trait]
pub trait ChildTx: Send {
    async fn insert_child(&mut self, child: &Child) -> Result<()>;
    async fn child(&mut self, id: Uuid) -> Result<Option<Child>>;
    async fn child_by_cpr(&mut self, org_id: Uuid, cpr: &str) -> Result<Option<Uuid>>;
    /// The same CPR can be registered by several organisations.
    async fn children_by_cpr_everywhere(&mut self, cpr: &str) -> Result<Vec<Uuid>>;
    async fn update_child(
        &mut self,
        current: &Child,
        data: &ChildData,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Child>;
    async fn search_children(
        &mut self,
        org_id: Uuid,
        query: &ChildQuery,
    ) -> Result<Vec<ChildSummary>>;
    async fn child_history(&mut self, id: Uuid) -> Result<Vec<ChildHistoryEntry>>;
    /// The adults on the record with their ids and custody, for deciding who may consent.
    async fn guardian_facts(
        &mut self,
        child_id: Uuid,
    ) -> Result<Vec<samspor_domain::lawful_basis::GuardianFact>>;
}
