//! The public self-referral form and the intake queue it lands in.
//!
//! A family's own words wait as a self-referral until staff register it: only then is a
//! child record and a course created, by someone who can check who the family is.

use crate::Store;
use crate::Work;
use crate::courses::model::*;
use crate::courses::{NewContact, local, open_course};
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use chrono::{DateTime, Utc};
use rand::Rng;
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::child::parse_child;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::course::contact::{SelfReferralInput, validate_self_referral};
use samspor_domain::organisation::OrgKind;
use samspor_domain::validation::{FieldError, FieldErrors};
use uuid::Uuid;

/// Letters and digits that cannot be mistaken for one another when read out on the phone.
const RECEIPT_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn receipt() -> String {
    let mut rng = rand::rng();
    let mut part = |n: usize| {
        (0..n)
            .map(|_| RECEIPT_ALPHABET[rng.random_range(0..RECEIPT_ALPHABET.len())] as char)
            .collect::<String>()
    };
    format!("H-{}-{}", part(4), part(4))
}

/// The municipality a public form belongs to, by its municipality code.
pub async fn municipality(store: &Store, code: &str) -> ServiceResult<crate::Organisation> {
    store
        .read(async |tx| {
            let org = tx
                .organisations()
                .await?
                .into_iter()
                .find(|o| {
                    o.kind == OrgKind::Municipality && o.municipality_code.as_deref() == Some(code)
                })
                .ok_or(ServiceError::NotFound)?;
            Ok(org)
        })
        .await
}

/// Receives the public form; returns the receipt shown to the family.
pub async fn submit_self_referral(
    store: &Store,
    municipality_code: &str,
    input: &SelfReferralInput,
    now: DateTime<Utc>,
    request_id: &str,
) -> ServiceResult<String> {
    let org = municipality(store, municipality_code).await?;
    let content = validate_self_referral(input, local(now).date())?;
    let record = SelfReferralRecord {
        id: Uuid::now_v7(),
        org_id: org.id,
        receipt: receipt(),
        content,
        status: SelfReferralStatus::New,
        course_id: None,
        received_at: now,
        handled_at: None,
        dismiss_reason: None,
    };
    store
        .write(async |tx| {
            tx.insert_self_referral(&record).await?;
            tx.audit(
                now,
                AuditEvent {
                    user_id: None,
                    org_id: Some(org.id),
                    action: AuditAction::Create,
                    object_type: "self_referral".into(),
                    object_id: Some(record.id),
                    child_id: None,
                    purpose: "intake".into(),
                    request_id: request_id.into(),
                    detail: "public form".into(),
                },
            );
            Ok(record.receipt)
        })
        .await
}

/// Self-referrals of the actor's organisation still waiting to be registered.
pub async fn new_self_referrals(
    store: &Store,
    ctx: &Ctx,
) -> ServiceResult<Vec<SelfReferralRecord>> {
    check(authorize(
        &ctx.actor,
        Action::Search,
        Resource::ChildRegister,
    ))?;
    store
        .read(async |tx| {
            let list = tx.new_self_referrals(ctx.actor.org_id).await?;
            if !list.is_empty() {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Search,
                        "self_referral",
                        None,
                        None,
                        "intake queue",
                    ),
                );
            }
            Ok(list)
        })
        .await
}

/// A child the organisation already knows, named by a self-referral's CPR number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownChild {
    pub child_id: Uuid,
    /// Courses the child has had in the organisation, and whether one is still open.
    pub courses: usize,
    pub open_course: Option<Uuid>,
}

/// For each self-referral, the child it names if the actor's organisation already has them
/// registered. Only the organisation's own register is looked in: another organisation's child
/// or course is never revealed.
pub async fn known_children(
    store: &Store,
    ctx: &Ctx,
    referrals: &[SelfReferralRecord],
) -> ServiceResult<std::collections::HashMap<Uuid, KnownChild>> {
    check(authorize(
        &ctx.actor,
        Action::Search,
        Resource::ChildRegister,
    ))?;
    store
        .read(async |tx| {
            let mut known = std::collections::HashMap::new();
            for sr in referrals.iter().filter(|s| s.org_id == ctx.actor.org_id) {
                let Some(child_id) = tx
                    .child_by_cpr(ctx.actor.org_id, sr.content.child_cpr.as_str())
                    .await?
                else {
                    continue;
                };
                let courses = tx.courses_of_child(child_id).await?;
                let open_course = courses
                    .iter()
                    .find(|c| c.org_id == ctx.actor.org_id && c.status == CourseStatus::Active)
                    .map(|c| c.id);
                known.insert(
                    sr.id,
                    KnownChild {
                        child_id,
                        courses: courses
                            .iter()
                            .filter(|c| c.org_id == ctx.actor.org_id)
                            .count(),
                        open_course,
                    },
                );
            }
            if !known.is_empty() {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Search,
                        "child",
                        None,
                        None,
                        format!("intake queue: {} known", known.len()),
                    ),
                );
            }
            Ok(known)
        })
        .await
}

/// How many self-referrals of the actor's organisation wait to be registered. A number names
/// no family, so unlike the queue itself it leaves no audit entry.
pub async fn new_self_referral_count(store: &Store, ctx: &Ctx) -> ServiceResult<i64> {
    check(authorize(
        &ctx.actor,
        Action::Search,
        Resource::ChildRegister,
    ))?;
    store
        .read(async |tx| Ok(tx.count_new_self_referrals(ctx.actor.org_id).await?))
        .await
}

async fn load_new(tx: &mut Work<'_>, ctx: &Ctx, id: Uuid) -> ServiceResult<SelfReferralRecord> {
    tx.authorize(&ctx.actor, Action::Create, Resource::ChildRegister)?;
    let sr = tx
        .self_referral(id)
        .await?
        .filter(|s| s.org_id == ctx.actor.org_id)
        .ok_or(ServiceError::NotFound)?;
    if sr.status != SelfReferralStatus::New {
        return Err(FieldError::new(
            "self_referral",
            "This self-referral has already been handled.",
            "Denne selvhenvisning er allerede behandlet.",
        )
        .into());
    }
    Ok(sr)
}

/// Registers a self-referral: finds or creates the child and opens the course.
pub async fn register_self_referral(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
) -> ServiceResult<CourseRecord> {
    store
        .write(async |tx| {
            let sr = load_new(tx, ctx, id).await?;
            let content = &sr.content;
            let child = match tx
                .child_by_cpr(ctx.actor.org_id, content.child_cpr.as_str())
                .await?
            {
                Some(child_id) => tx.child(child_id).await?.ok_or(ServiceError::NotFound)?,
                None => {
                    let data = parse_child(&content.child_input(), local(ctx.now).date())?;
                    crate::children::insert_new(tx, ctx, data, "from self-referral").await?
                }
            };
            let course = open_course(
                tx,
                ctx,
                &child,
                &NewContact {
                    child_id: child.id,
                    received_at: Some(local(sr.received_at)),
                    contact: content.contact_input(),
                    themes: Vec::new(),
                    screening_response_id: None,
                },
                Some(sr.id),
            )
            .await?;
            if !tx
                .handle_self_referral(
                    id,
                    SelfReferralStatus::Registered,
                    Some(course.id),
                    ctx.actor.user_id,
                    ctx.now,
                )
                .await?
            {
                return Err(ServiceError::Conflict { current: 0 });
            }
            Ok(course)
        })
        .await
}

/// How long a set-aside self-referral stays listed and can be restored.
pub const DISMISSED_KEPT_DAYS: i64 = 30;

/// Sets aside a self-referral that is not a real request (a test, a duplicate, spam), saying
/// why. It stays listed, and can be restored, for [`DISMISSED_KEPT_DAYS`] days.
pub async fn dismiss_self_referral(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    reason: &str,
) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    let reason =
        samspor_domain::validation::required_text(&mut errors, "reason", Some(reason), 500);
    errors.into_result(())?;
    store
        .write(async |tx| {
            load_new(tx, ctx, id).await?;
            if !tx
                .dismiss_self_referral(id, &reason, ctx.actor.user_id, ctx.now)
                .await?
            {
                return Err(ServiceError::RaceLost);
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "self_referral",
                    Some(id),
                    None,
                    "dismissed",
                ),
            );
            Ok(())
        })
        .await
}

/// The self-referrals of the actor's organisation set aside in the last
/// [`DISMISSED_KEPT_DAYS`] days, newest first.
pub async fn dismissed_self_referrals(
    store: &Store,
    ctx: &Ctx,
) -> ServiceResult<Vec<SelfReferralRecord>> {
    check(authorize(
        &ctx.actor,
        Action::Search,
        Resource::ChildRegister,
    ))?;
    let since = ctx.now - chrono::Duration::days(DISMISSED_KEPT_DAYS);
    store
        .read(async |tx| {
            let list = tx.dismissed_self_referrals(ctx.actor.org_id, since).await?;
            if !list.is_empty() {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Search,
                        "self_referral",
                        None,
                        None,
                        "set aside",
                    ),
                );
            }
            Ok(list)
        })
        .await
}

/// Puts a self-referral set aside in the last [`DISMISSED_KEPT_DAYS`] days back in the queue.
pub async fn restore_self_referral(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let since = ctx.now - chrono::Duration::days(DISMISSED_KEPT_DAYS);
    store
        .write(async |tx| {
            tx.authorize(&ctx.actor, Action::Create, Resource::ChildRegister)?;
            tx.self_referral(id)
                .await?
                .filter(|s| s.org_id == ctx.actor.org_id)
                .ok_or(ServiceError::NotFound)?;
            if !tx.restore_self_referral(id, since).await? {
                return Err(FieldError::new(
                    "self_referral",
                    "Only a self-referral set aside in the last 30 days can be restored.",
                    "Kun en henvendelse, der er lagt til side inden for de sidste 30 dage, kan gendannes.",
                )
                .into());
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "self_referral",
                    Some(id),
                    None,
                    "restored",
                ),
            );
            Ok(())
        })
        .await
}
