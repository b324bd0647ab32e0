//! Organisations and their programme participation, as a unit of work sees them.

use crate::Result;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::organisation::Programme;
use uuid::Uuid;

#[async_trait]
pub trait OrganisationTx: Send {
    async fn organisations(&mut self) -> Result<Vec<Organisation>>;
    async fn organisation(&mut self, id: Uuid) -> Result<Option<Organisation>>;
    async fn organisation_by_code(&mut self, code: &str) -> Result<Option<Organisation>>;
    async fn insert_organisation(&mut self, org: &Organisation) -> Result<()>;
    async fn next_unit_code(&mut self) -> Result<String>;
    /// Every membership, by organisation and start.
    async fn memberships(&mut self) -> Result<Vec<Membership>>;
    async fn insert_membership(&mut self, m: &Membership) -> Result<()>;
    async fn participation(
        &mut self,
        municipality_code: Option<&str>,
    ) -> Result<Vec<Participation>>;
    async fn set_participation(
        &mut self,
        municipality_code: &str,
        programme: Programme,
        since: Option<NaiveDate>,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> Result<()>;
}
