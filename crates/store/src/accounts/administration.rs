//! An organisation's administrator keeps its staff accounts (and those of the units placed
//! under it): invites people by a one-time link to choose a password, changes roles,
//! deactivates and reactivates, resets passwords and revokes API tokens. Every step asks the
//! access policy and is audited. The person invited chooses their own password; nobody else
//! ever knows it.

use crate::accounts::password;
use crate::notifications::{Address, LinkMessage, Sending, queue_link};
use crate::secret::{random_token, token_hash};
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Organisation, PasswordLink, PasswordLinkPurpose, Store, TokenInfo, User, Work};
use chrono::{DateTime, Duration, Utc};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::i18n::Lang;
use samspor_domain::notification::{Channel, Purpose};
use samspor_domain::role::Role;
use samspor_domain::validation::{FieldError, FieldErrors, parse_email, required_text};
use uuid::Uuid;

/// How long an invitation to a new account stays open.
pub const INVITE_DAYS: i64 = 7;
/// How long a link to choose a new password stays open.
pub const RESET_HOURS: i64 = 24;
/// The password of an account that has not chosen one: no hash, so nothing verifies against it.
const NO_PASSWORD: &str = "!";

/// One account as the administrator's list shows it.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub user: User,
    pub org: Organisation,
    /// API tokens that still work.
    pub tokens: Vec<TokenInfo>,
    /// The newest password link, if one is still open: the person has not chosen yet.
    pub open_link: Option<PasswordLink>,
}

/// A link handed out to choose a password: queued to the person's e-mail, or (with no e-mail
/// transport) to be passed on by the administrator, who sees it this once.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    pub user: User,
    pub link: String,
    pub expires_at: DateTime<Utc>,
    pub queued: Option<Channel>,
}

/// What the invite form sends.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub email: String,
    pub name: String,
    pub role: String,
    /// The organisation the account belongs to: the administrator's own or a unit under it.
    pub org_id: Option<Uuid>,
}

/// The organisations whose accounts the actor keeps: their own and the units placed under it.
pub async fn kept_organisations(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<Organisation>> {
    store.read(async |tx| kept(tx, ctx).await).await
}

async fn kept(tx: &mut Work<'_>, ctx: &Ctx) -> ServiceResult<Vec<Organisation>> {
    check(authorize(
        &ctx.actor,
        Action::Read,
        Resource::Users {
            org_id: ctx.actor.org_id,
            parent_org: None,
        },
    ))?;
    let mut orgs: Vec<Organisation> = tx
        .organisations()
        .await?
        .into_iter()
        .filter(|o| o.id == ctx.actor.org_id || o.parent_id == Some(ctx.actor.org_id))
        .collect();
    // The administrator's own organisation first, then its units by name.
    orgs.sort_by(|a, b| {
        (a.id != ctx.actor.org_id, &a.name).cmp(&(b.id != ctx.actor.org_id, &b.name))
    });
    Ok(orgs)
}

/// Every account the actor keeps, by organisation and name.
pub async fn staff(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<StaffMember>> {
    store
        .read(async |tx| {
            let mut out = Vec::new();
            for org in kept(tx, ctx).await? {
                for user in tx.users_of_org(org.id).await? {
                    out.push(member(tx, ctx, user, org.clone()).await?);
                }
            }
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "user", None, None, "list"),
            );
            Ok(out)
        })
        .await
}

async fn member(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    user: User,
    org: Organisation,
) -> ServiceResult<StaffMember> {
    let tokens = tx
        .tokens(Some(user.id))
        .await?
        .into_iter()
        .filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > ctx.now))
        .collect();
    let open_link = tx
        .latest_password_link(user.id)
        .await?
        .filter(|l| l.used_at.is_none() && l.expires_at > ctx.now);
    Ok(StaffMember {
        user,
        org,
        tokens,
        open_link,
    })
}

/// One account, if the actor keeps it (else not found).
pub async fn staff_member(store: &Store, ctx: &Ctx, user_id: Uuid) -> ServiceResult<StaffMember> {
    store
        .read(async |tx| {
            let (user, org) = kept_user(tx, ctx, user_id, Action::Read).await?;
            let m = member(tx, ctx, user, org).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "user", Some(user_id), None, ""),
            );
            Ok(m)
        })
        .await
}

/// The account and its organisation, after asking the policy whether the actor keeps it.
async fn kept_user(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    user_id: Uuid,
    action: Action,
) -> ServiceResult<(User, Organisation)> {
    let user = tx.user(user_id).await?.ok_or(ServiceError::NotFound)?;
    let org = tx
        .organisation(user.org_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(authorize(
        &ctx.actor,
        action,
        Resource::Users {
            org_id: org.id,
            parent_org: org.parent_id,
        },
    ))?;
    Ok((user, org))
}

fn role_error(role: Role, org: &Organisation) -> FieldError {
    FieldError::new(
        "role",
        format!(
            "An administrator cannot give the role {} in {}: a GP account belongs to a GP practice, a child-psychiatry account to a psychiatric unit, and secretariat and analyst accounts are made by the operator.",
            role.label(Lang::En),
            org.name
        ),
        format!(
            "En administrator kan ikke give rollen {} i {}: en lægekonto hører til en lægepraksis, en børne- og ungdomspsykiatrisk konto til en psykiatrisk enhed, og sekretariats- og analytikerkonti oprettes af driften.",
            role.label(Lang::Da),
            org.name
        ),
    )
}

fn parse_role(errors: &mut FieldErrors, s: &str) -> Option<Role> {
    let role = Role::parse(s);
    if role.is_none() {
        errors.push(FieldError::new("role", "Choose a role.", "Vælg en rolle."));
    }
    role
}

/// Creates an account without a password and issues its invitation link.
pub async fn invite(
    store: &Store,
    ctx: &Ctx,
    sending: Sending<'_>,
    input: InviteInput,
) -> ServiceResult<IssuedLink> {
    let mut errors = FieldErrors::default();
    let email = parse_email("email", &input.email)
        .map_err(|e| errors.push(e))
        .ok();
    let name = required_text(&mut errors, "name", Some(&input.name), 100);
    let role = parse_role(&mut errors, &input.role);
    store
        .write(async |tx| {
            let orgs = kept(tx, ctx).await?;
            let org = orgs
                .iter()
                .find(|o| Some(o.id) == input.org_id)
                .or_else(|| orgs.first().filter(|_| input.org_id.is_none()))
                .cloned();
            if org.is_none() {
                errors.push(FieldError::new(
                    "org",
                    "Choose your organisation or one of its units.",
                    "Vælg jeres organisation eller en af dens enheder.",
                ));
            }
            if let (Some(r), Some(o)) = (role, &org)
                && !r.grantable_by_admin(o.kind)
            {
                errors.push(role_error(r, o));
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
            let (Some(email), Some(role), Some(org), true) = (email, role, org, errors.is_empty())
            else {
                return Err(ServiceError::Invalid(errors));
            };
            let user = crate::NewUser {
                id: Uuid::now_v7(),
                org_id: org.id,
                email,
                name,
                role,
                password_hash: NO_PASSWORD.into(),
                created_at: ctx.now,
            };
            tx.insert_user(&user).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "user",
                    Some(user.id),
                    None,
                    format!("invited as {}", role.as_str()),
                ),
            );
            let user = tx.user(user.id).await?.ok_or(ServiceError::NotFound)?;
            issue_link(tx, ctx, sending, user, PasswordLinkPurpose::Invite).await
        })
        .await
}

async fn issue_link(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    sending: Sending<'_>,
    user: User,
    purpose: PasswordLinkPurpose,
) -> ServiceResult<IssuedLink> {
    tx.void_password_links(user.id, ctx.now).await?;
    let token = random_token();
    let expires_at = match purpose {
        PasswordLinkPurpose::Invite => ctx.now + Duration::days(INVITE_DAYS),
        PasswordLinkPurpose::Reset => ctx.now + Duration::hours(RESET_HOURS),
    };
    tx.insert_password_link(&PasswordLink {
        token_hash: token_hash(&token),
        user_id: user.id,
        purpose,
        created_at: ctx.now,
        created_by: Some(ctx.actor.user_id),
        expires_at,
        used_at: None,
    })
    .await?;
    let link = sending.password_link(&token);
    let queued = queue_link(
        tx,
        sending.channels,
        LinkMessage {
            purpose: match purpose {
                PasswordLinkPurpose::Invite => Purpose::AccountInvite,
                PasswordLinkPurpose::Reset => Purpose::PasswordReset,
            },
            org_id: Some(user.org_id),
            about_id: user.id,
            to: &Address {
                email: Some(user.email.clone()),
                phone: None,
            },
            link: &link,
            expires_on: crate::courses::local(expires_at).date(),
        },
        ctx.now,
    )
    .await?;
    Ok(IssuedLink {
        user,
        link,
        expires_at,
        queued,
    })
}

/// Changes an account's role. An administrator cannot change their own (so an organisation is
/// never left without one by mistake).
pub async fn change_role(store: &Store, ctx: &Ctx, user_id: Uuid, role: &str) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    let role = parse_role(&mut errors, role);
    store
        .write(async |tx| {
            let (user, org) = kept_user(tx, ctx, user_id, Action::Update).await?;
            if user.id == ctx.actor.user_id {
                errors.push(FieldError::new(
                    "role",
                    "You cannot change your own role; ask another administrator.",
                    "Du kan ikke ændre din egen rolle; bed en anden administrator om det.",
                ));
            }
            if let Some(r) = role
                && !r.grantable_by_admin(org.kind)
            {
                errors.push(role_error(r, &org));
            }
            let (Some(role), true) = (role, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            if role == user.role {
                return Ok(());
            }
            tx.set_user_role(user.id, role).await?;
            // A session carries its role: the person starts again under the new one.
            tx.delete_sessions_of(user.id).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "user",
                    Some(user.id),
                    None,
                    format!("role {} -> {}", user.role.as_str(), role.as_str()),
                ),
            );
            Ok(())
        })
        .await
}

/// Deactivates an account (its sessions end and its API tokens are revoked at once) or
/// reactivates it. An administrator cannot deactivate themselves.
pub async fn set_active(
    store: &Store,
    ctx: &Ctx,
    user_id: Uuid,
    active: bool,
) -> ServiceResult<()> {
    store
        .write(async |tx| {
            let (user, _) = kept_user(tx, ctx, user_id, Action::Update).await?;
            if user.id == ctx.actor.user_id && !active {
                return Err(FieldError::new(
                    "active",
                    "You cannot deactivate your own account; ask another administrator.",
                    "Du kan ikke deaktivere din egen konto; bed en anden administrator om det.",
                )
                .into());
            }
            if user.active == active {
                return Ok(());
            }
            tx.set_user_active(user.id, active).await?;
            let detail = if active {
                "reactivated".to_string()
            } else {
                let sessions = tx.delete_sessions_of(user.id).await?;
                let tokens = tx.revoke_tokens_of(user.id, ctx.now).await?;
                tx.void_password_links(user.id, ctx.now).await?;
                format!("deactivated; {sessions} sessions ended, {tokens} tokens revoked")
            };
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Update, "user", Some(user.id), None, detail),
            );
            Ok(())
        })
        .await
}

/// Resets an account's password: the old one stops working and the person's sessions end; a
/// link to choose a new one is issued.
pub async fn reset_password(
    store: &Store,
    ctx: &Ctx,
    sending: Sending<'_>,
    user_id: Uuid,
) -> ServiceResult<IssuedLink> {
    store
        .write(async |tx| {
            let (user, _) = kept_user(tx, ctx, user_id, Action::Update).await?;
            if !user.active {
                return Err(FieldError::new(
                    "active",
                    "Reactivate the account before resetting its password.",
                    "Genaktivér kontoen, før du nulstiller dens adgangskode.",
                )
                .into());
            }
            tx.set_password_hash(user.id, NO_PASSWORD).await?;
            tx.delete_sessions_of(user.id).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "user",
                    Some(user.id),
                    None,
                    "password reset",
                ),
            );
            issue_link(tx, ctx, sending, user, PasswordLinkPurpose::Reset).await
        })
        .await
}

/// Revokes one API token of an account the actor keeps.
pub async fn revoke_token(store: &Store, ctx: &Ctx, token_id: Uuid) -> ServiceResult<Uuid> {
    store
        .write(async |tx| {
            let info = tx.token(token_id).await?.ok_or(ServiceError::NotFound)?;
            let (user, _) = kept_user(tx, ctx, info.user_id, Action::Update).await?;
            tx.revoke_token(token_id, ctx.now).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "api_token",
                    Some(token_id),
                    None,
                    "revoked",
                ),
            );
            Ok(user.id)
        })
        .await
}

/// Whom an open password link is for; `None` when it is unknown, used or expired.
pub async fn password_link_holder(store: &Store, token: &str) -> ServiceResult<Option<User>> {
    let now = Utc::now();
    store
        .read(async |tx| {
            let Some(link) = tx.password_link(&token_hash(token)).await? else {
                return Ok(None);
            };
            if link.used_at.is_some() || link.expires_at <= now {
                return Ok(None);
            }
            Ok(tx.user(link.user_id).await?.filter(|u| u.active))
        })
        .await
}

/// The person behind an open link chooses their password; the link is then used up.
pub async fn choose_password(
    store: &Store,
    token: &str,
    new_password: &str,
    repeated: &str,
    request_id: &str,
) -> ServiceResult<User> {
    let mut errors = FieldErrors::default();
    if new_password.chars().count() < password::MIN_LENGTH {
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
    } else if new_password != repeated {
        errors.push(FieldError::new(
            "repeated",
            "The two passwords are not the same.",
            "De to adgangskoder er ikke ens.",
        ));
    }
    errors.into_result(())?;
    let pw = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| ServiceError::Store(crate::StoreError::Corrupt(e.to_string())))?
        .map_err(|e| ServiceError::Store(crate::StoreError::Corrupt(e)))?;
    let now = Utc::now();
    store
        .write(async |tx| {
            let hashed = token_hash(token);
            let link = tx
                .password_link(&hashed)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let user = tx
                .user(link.user_id)
                .await?
                .filter(|u| u.active)
                .ok_or(ServiceError::NotFound)?;
            if !tx.use_password_link(&hashed, now).await? {
                return Err(ServiceError::NotFound);
            }
            tx.set_password_hash(user.id, &hash).await?;
            tx.audit(
                now,
                AuditEvent {
                    user_id: Some(user.id),
                    org_id: Some(user.org_id),
                    action: AuditAction::Update,
                    object_type: "user".into(),
                    object_id: Some(user.id),
                    child_id: None,
                    purpose: "authentication".into(),
                    request_id: request_id.into(),
                    detail: format!("password chosen ({})", link.purpose.as_str()),
                },
            );
            Ok(user)
        })
        .await
}
