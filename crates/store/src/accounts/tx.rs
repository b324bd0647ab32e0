//! Staff accounts, sessions and API tokens, as a unit of work sees them.

use crate::Result;
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Who holds a credential, answered by one statement outside a transaction (`Store::lookup`).
#[async_trait]
pub trait AccountLookup: Send {
    /// The user holding an unrevoked API token, with their organisation.
    async fn member_by_token(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Organisation)>>;
}

#[async_trait]
pub trait AccountTx: Send {
    async fn insert_user(&mut self, user: &NewUser) -> Result<()>;
    async fn user(&mut self, id: Uuid) -> Result<Option<User>>;
    async fn user_by_email(&mut self, email: &str) -> Result<Option<User>>;
    async fn users_of_org(&mut self, org_id: Uuid) -> Result<Vec<User>>;
    async fn set_login_state(
        &mut self,
        user_id: Uuid,
        failed_logins: i64,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<()>;
    async fn insert_session(&mut self, session: &SessionRecord) -> Result<()>;
    async fn session(&mut self, id_hash: &str) -> Result<Option<SessionRecord>>;
    async fn touch_session(&mut self, id_hash: &str, at: DateTime<Utc>) -> Result<()>;
    async fn delete_session(&mut self, id_hash: &str) -> Result<()>;
    async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> Result<u64>;
    async fn insert_token(&mut self, token: &ApiToken) -> Result<()>;
    /// API tokens, of one user or of everyone, newest first.
    async fn tokens(&mut self, user_id: Option<Uuid>) -> Result<Vec<TokenInfo>>;
    async fn token(&mut self, id: Uuid) -> Result<Option<TokenInfo>>;
    /// Revokes a token that is not revoked yet; false if there is none such.
    async fn revoke_token(&mut self, id: Uuid, at: DateTime<Utc>) -> Result<bool>;
    async fn revoke_tokens_of(&mut self, user_id: Uuid, at: DateTime<Utc>) -> Result<u64>;
    async fn delete_sessions_of(&mut self, user_id: Uuid) -> Result<u64>;
    async fn set_user_active(&mut self, user_id: Uuid, active: bool) -> Result<()>;
    async fn set_user_role(
        &mut self,
        user_id: Uuid,
        role: samspor_domain::role::Role,
    ) -> Result<()>;
    async fn set_password_hash(&mut self, user_id: Uuid, hash: &str) -> Result<()>;
    async fn insert_password_link(&mut self, link: &PasswordLink) -> Result<()>;
    async fn password_link(&mut self, token_hash: &str) -> Result<Option<PasswordLink>>;
    /// The newest link of a user, used or not.
    async fn latest_password_link(&mut self, user_id: Uuid) -> Result<Option<PasswordLink>>;
    /// Marks a link used if it is unused and unexpired; `false` otherwise.
    async fn use_password_link(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Ends every unused link of a user (a newer one replaces them).
    async fn void_password_links(&mut self, user_id: Uuid, at: DateTime<Utc>) -> Result<u64>;
}
