//! Learning-environment guidance, as a unit of work sees it.

use crate::Result;
use crate::learning_environment::model::{Institution, LearningEnvSession};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait LearningEnvironmentTx: Send {
    async fn insert_institution(&mut self, i: &Institution) -> Result<()>;
    async fn institution(&mut self, id: Uuid) -> Result<Option<Institution>>;
    /// A municipality's institutions by name.
    async fn institutions(&mut self, org_id: Uuid) -> Result<Vec<Institution>>;
    /// Inserts the session and the children it names.
    async fn insert_learning_env_session(&mut self, s: &LearningEnvSession) -> Result<()>;
    /// A municipality's sessions, newest first, at most `limit`.
    async fn learning_env_sessions(
        &mut self,
        org_id: Uuid,
        limit: i64,
    ) -> Result<Vec<LearningEnvSession>>;
    /// A municipality's sessions held from `from` to `to` (both included).
    async fn learning_env_sessions_between(
        &mut self,
        org_id: Uuid,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<LearningEnvSession>>;
}
