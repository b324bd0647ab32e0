//! Logging in and out, sessions, API tokens and staff accounts.

use crate::Work;
use crate::accounts::password;
use crate::secret::{random_token, token_hash};
use crate::service::{ServiceError, ServiceResult};
use crate::{ApiToken, NewUser, SessionRecord, Store, User};
use chrono::{DateTime, Duration, Utc};
use samspor_domain::access::Actor;
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::role::Role;
use samspor_domain::validation::{FieldError, FieldErrors, parse_email, required_text};
use uuid::Uuid;

/// Wrong passwords in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked.
pub const LOCK_DURATION: Duration = Duration::minutes(1);

/// Session lifetimes: idle expiry and an absolute cap.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// Why a login failed. The user is told the same thing for each, so that the
/// answer never reveals whether an e-mail address has an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    WrongCredentials,
    Locked,
}

/// A successful login: the cookie token (shown once) and the session.
#[derive(Debug)]
pub struct LoggedIn {
    pub token: String,
    pub session: SessionRecord,
    pub user: User,
}

fn event(user: Option<&User>, action: AuditAction, request_id: &str, detail: &str) -> AuditEvent {
    AuditEvent {
        user_id: user.map(|u| u.id),
        org_id: user.map(|u| u.org_id),
        action,
        object_type: "session".into(),
        object_id: None,
        child_id: None,
        purpose: "authentication".into(),
        request_id: request_id.into(),
        detail: detail.into(),
    }
}

pub async fn login(
    store: &Store,
    email: &str,
    password_input: &str,
    request_id: &str,
    policy: SessionPolicy,
) -> ServiceResult<Result<LoggedIn, LoginFailure>> {
    let email = email.trim().to_lowercase();
    let user = store
        .read(async |tx| tx.user_by_email(&email).await)
        .await?;
    let stored_hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_string());
    let candidate = password_input.to_string();
    let password_ok =
        tokio::task::spawn_blocking(move || password::verify(&candidate, &stored_hash))
            .await
            .unwrap_or(false);
    let now = Utc::now();
    store
        .write(async |tx| {
            let Some(user) = user else {
                tx.audit(
                    now,
                    event(
                        None,
                        AuditAction::LoginFailed,
                        request_id,
                        "unknown account",
                    ),
                );
                return Ok(Err(LoginFailure::WrongCredentials));
            };
            // Re-read inside the write transaction: another login may have counted a failure meanwhile.
            let user = tx.user(user.id).await?.ok_or(ServiceError::NotFound)?;
            if user.locked_until.is_some_and(|t| t > now) {
                tx.audit(
                    now,
                    event(Some(&user), AuditAction::LoginFailed, request_id, "locked"),
                );
                return Ok(Err(LoginFailure::Locked));
            }
            if !password_ok || !user.active {
                let failed = user.failed_logins + 1;
                let locked_until = (failed >= MAX_FAILED_LOGINS).then(|| now + LOCK_DURATION);
                let stored_failed = if locked_until.is_some() { 0 } else { failed };
                tx.set_login_state(user.id, stored_failed, locked_until)
                    .await?;
                let detail = if locked_until.is_some() {
                    "wrong password; locked"
                } else {
                    "wrong password"
                };
                tx.audit(
                    now,
                    event(Some(&user), AuditAction::LoginFailed, request_id, detail),
                );
                return Ok(Err(if locked_until.is_some() {
                    LoginFailure::Locked
                } else {
                    LoginFailure::WrongCredentials
                }));
            }
            tx.set_login_state(user.id, 0, None).await?;
            let token = random_token();
            let session = SessionRecord {
                id_hash: token_hash(&token),
                user_id: user.id,
                csrf_token: random_token(),
                created_at: now,
                last_seen_at: now,
                expires_at: now + policy.absolute,
            };
            tx.insert_session(&session).await?;
            tx.delete_expired_sessions(now).await?;
            tx.audit(now, event(Some(&user), AuditAction::Login, request_id, ""));
            Ok(Ok(LoggedIn {
                token,
                session,
                user,
            }))
        })
        .await
}

/// The session and user behind a cookie token, if it is still valid.
/// Refreshes the idle clock, at most once a minute to spare writes.
/// Everything is read in one transaction, since every page request starts here.
pub async fn session_user(
    store: &Store,
    token: &str,
    policy: SessionPolicy,
) -> ServiceResult<Option<Member>> {
    let now = Utc::now();
    let id_hash = token_hash(token);
    // Every page request starts here, so it reads; only an expired session or an idle clock
    // due for refreshing costs a write.
    let seen = store
        .read(async |tx| {
            let Some(session) = tx.session(&id_hash).await? else {
                return Ok(Seen::Unknown);
            };
            if session.expires_at <= now || session.last_seen_at + policy.idle <= now {
                return Ok(Seen::Expired);
            }
            let Some(user) = tx.user(session.user_id).await?.filter(|u| u.active) else {
                return Ok(Seen::Unknown);
            };
            let touch = now - session.last_seen_at > Duration::minutes(1);
            let (actor, org) = membership(tx, &user).await?;
            Ok::<_, ServiceError>(Seen::Valid(
                Box::new(Member {
                    session: Some(session),
                    user,
                    actor,
                    org,
                }),
                touch,
            ))
        })
        .await?;
    match seen {
        Seen::Unknown => Ok(None),
        Seen::Expired => {
            store
                .write(async |tx| tx.delete_session(&id_hash).await)
                .await?;
            Ok(None)
        }
        Seen::Valid(member, touch) => {
            if touch {
                store
                    .write(async |tx| tx.touch_session(&id_hash, now).await)
                    .await?;
            }
            Ok(Some(*member))
        }
    }
}

/// What a session cookie turned out to be.
enum Seen {
    Unknown,
    Expired,
    /// A valid session, and whether its idle clock is due for refreshing.
    Valid(Box<Member>, bool),
}

/// A signed-in person as a request needs them: who, in which organisation, acting as what.
#[derive(Debug, Clone)]
pub struct Member {
    /// Present for a browser session, absent for an API token.
    pub session: Option<SessionRecord>,
    pub user: User,
    pub actor: Actor,
    pub org: crate::Organisation,
}

pub async fn logout(
    store: &Store,
    token: &str,
    user: &User,
    request_id: &str,
) -> ServiceResult<()> {
    store
        .write(async |tx| {
            tx.delete_session(&token_hash(token)).await?;
            tx.audit(
                Utc::now(),
                event(Some(user), AuditAction::Logout, request_id, ""),
            );
            Ok(())
        })
        .await
}

pub async fn user_by_api_token(store: &Store, token: &str) -> ServiceResult<Option<Member>> {
    let found = store
        .lookup()
        .await?
        .member_by_token(&token_hash(token), Utc::now())
        .await?;
    Ok(found
        .filter(|(user, _)| user.active)
        .map(|(user, org)| Member {
            session: None,
            actor: actor_of(&user, &org),
            user,
            org,
        }))
}

/// The longest an API token may be made to last.
pub const TOKEN_MAX_DAYS: u32 = 730;

/// Creates an API token for a user, valid for `days` days, and returns it; only its hash is
/// kept. Audited as the operator's act.
pub async fn create_api_token(
    store: &Store,
    email: &str,
    label: &str,
    days: u32,
) -> ServiceResult<String> {
    if !(1..=TOKEN_MAX_DAYS).contains(&days) {
        return Err(FieldError::new(
            "expires_in_days",
            format!("A token lasts 1 to {TOKEN_MAX_DAYS} days."),
            format!("Et token gælder 1 til {TOKEN_MAX_DAYS} dage."),
        )
        .into());
    }
    store
        .write(async |tx| {
            let user = user_named(tx, email).await?;
            let token = format!("sp_{}", random_token());
            let now = Utc::now();
            let id = Uuid::now_v7();
            tx.insert_token(&ApiToken {
                id,
                user_id: user.id,
                token_hash: token_hash(&token),
                label: label.to_string(),
                created_at: now,
                expires_at: Some(now + Duration::days(i64::from(days))),
            })
            .await?;
            tx.audit(
                now,
                operator_event(&user, AuditAction::Create, "api_token", Some(id), ""),
            );
            Ok(token)
        })
        .await
}

async fn user_named(tx: &mut crate::Work<'_>, email: &str) -> ServiceResult<User> {
    tx.user_by_email(&email.trim().to_lowercase())
        .await?
        .ok_or_else(|| {
            ServiceError::Invalid(
                FieldError::new(
                    "email",
                    "No user has this e-mail address.",
                    "Ingen bruger har denne e-mailadresse.",
                )
                .into(),
            )
        })
}

/// What the operator did to an account, from the command line (no signed-in actor).
fn operator_event(
    user: &User,
    action: AuditAction,
    object_type: &str,
    object_id: Option<Uuid>,
    detail: &str,
) -> AuditEvent {
    AuditEvent {
        user_id: None,
        org_id: Some(user.org_id),
        action,
        object_type: object_type.into(),
        object_id: object_id.or(Some(user.id)),
        child_id: None,
        purpose: "administration".into(),
        request_id: "cli".into(),
        detail: detail.into(),
    }
}

/// The API tokens of one user (by e-mail) or of everyone, newest first.
pub async fn list_api_tokens(
    store: &Store,
    email: Option<&str>,
) -> ServiceResult<Vec<crate::accounts::model::TokenInfo>> {
    store
        .read(async |tx| {
            let user = match email {
                Some(e) => Some(user_named(tx, e).await?.id),
                None => None,
            };
            Ok(tx.tokens(user).await?)
        })
        .await
}

/// Revokes one API token: it stops working at once.
pub async fn revoke_api_token(store: &Store, id: Uuid) -> ServiceResult<()> {
    store
        .write(async |tx| {
            let now = Utc::now();
            let info = tx.token(id).await?.ok_or(ServiceError::NotFound)?;
            if !tx.revoke_token(id, now).await? {
                return Err(FieldError::new(
                    "id",
                    "The token is already revoked.",
                    "Tokenet er allerede tilbagekaldt.",
                )
                .into());
            }
            let user = tx.user(info.user_id).await?.ok_or(ServiceError::NotFound)?;
            tx.audit(
                now,
                operator_event(&user, AuditAction::Update, "api_token", Some(id), "revoked"),
            );
            Ok(())
        })
        .await
}

/// Disables an account: it can no longer log in, its sessions end and its API tokens are
/// revoked, all at once. Returns how many sessions and tokens ended.
pub async fn disable_user(store: &Store, email: &str) -> ServiceResult<(u64, u64)> {
    store
        .write(async |tx| {
            let now = Utc::now();
            let user = user_named(tx, email).await?;
            tx.set_user_active(user.id, false).await?;
            let sessions = tx.delete_sessions_of(user.id).await?;
            let tokens = tx.revoke_tokens_of(user.id, now).await?;
            tx.audit(
                now,
                operator_event(&user, AuditAction::Update, "user", None, "disabled"),
            );
            Ok((sessions, tokens))
        })
        .await
}

/// Input for a new staff account.
pub struct UserInput<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub org_code: &'a str,
    pub password: &'a str,
}

pub async fn add_user(
    store: &Store,
    input: UserInput<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<User> {
    let mut errors = FieldErrors::default();
    let email = parse_email("email", input.email)
        .map_err(|e| errors.push(e))
        .ok();
    let name = required_text(&mut errors, "name", Some(input.name), 100);
    let role = Role::parse(input.role);
    if role.is_none() {
        let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        errors.push(FieldError::new(
            "role",
            format!("Unknown role; use one of: {}.", names.join(", ")),
            format!("Ukendt rolle; brug en af: {}.", names.join(", ")),
        ));
    }
    if input.password.chars().count() < password::MIN_LENGTH {
        errors.push(FieldError::new(
            "password",
            format!(
                "The password must have at least {} characters.",
                password::MIN_LENGTH
            ),
            format!(
                "Adgangskoden skal have mindst {} tegn.",
                password::MIN_LENGTH
            ),
        ));
    }
    store.write(async |tx| {
        let org = tx.organisation_by_code(input.org_code.trim()).await?;
        if org.is_none() {
            errors.push(FieldError::new(
                "org",
                "Unknown organisation code: use a municipality code like 0101, a region like DK-84, or a unit code like U000001.",
                "Ukendt organisationskode: brug en kommunekode som 0101, en region som DK-84 eller en enhedskode som U000001.",
            ));
        }
        if let (Some(r), Some(o)) = (role, &org)
            && !r.fits(o.kind)
        {
            errors.push(FieldError::new(
                "role",
                format!("A {} account belongs to the unit it works in (a GP practice or a child-psychiatry unit), not to {}: create the unit first.", r.as_str(), o.name),
                format!("En konto med rollen {} hører til den enhed, den arbejder i (en lægepraksis eller en børne- og ungdomspsykiatrisk enhed), ikke til {}: opret enheden først.", r.label(samspor_domain::i18n::Lang::Da), o.name),
            ));
        }
        if let Some(e) = &email
            && tx.user_by_email(e).await?.is_some()
        {
            errors.push(FieldError::new(
                "email",
                "A user with this e-mail address already exists.",
                "Der findes allerede en bruger med denne e-mailadresse.",
            ));
        }
        let (Some(email), Some(role), Some(org), true) = (email, role, org, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let pw = input.password.to_string();
        let password_hash = tokio::task::spawn_blocking(move || password::hash(&pw))
            .await
            .map_err(|e| ServiceError::Store(crate::StoreError::Corrupt(e.to_string())))?
            .map_err(|e| ServiceError::Store(crate::StoreError::Corrupt(e)))?;
        let new = NewUser {
            id: Uuid::now_v7(),
            org_id: org.id,
            email,
            name,
            role,
            password_hash,
            created_at: now,
        };
        tx.insert_user(&new).await?;
        let user = tx.user(new.id).await?.ok_or(ServiceError::NotFound)?;
        Ok(user)
    }).await
}

/// The actor a user acts as: their role in their organisation.
pub async fn actor_for(store: &Store, user: &User) -> ServiceResult<Actor> {
    Ok(member_of(store, user).await?.0)
}

/// The actor a user acts as, with the organisation itself.
pub async fn member_of(store: &Store, user: &User) -> ServiceResult<(Actor, crate::Organisation)> {
    store
        .read(async |tx| {
            let found = membership(tx, user).await?;
            Ok(found)
        })
        .await
}

async fn membership(tx: &mut Work<'_>, user: &User) -> ServiceResult<(Actor, crate::Organisation)> {
    let org = tx
        .organisation(user.org_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((actor_of(user, &org), org))
}

fn actor_of(user: &User, org: &crate::Organisation) -> Actor {
    Actor {
        user_id: user.id,
        org_id: user.org_id,
        role: user.role,
        municipality_code: org.municipality_code.clone(),
    }
}
