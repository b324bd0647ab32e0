//! Registering, reading, correcting and finding children.

use crate::Work;
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Child, ChildHistoryEntry, ChildQuery, ChildSummary, Store};
use samspor_domain::access::{Action, Grant, Resource, authorize};
use samspor_domain::audit::AuditAction;
use samspor_domain::child::{ChildData, ChildInput, apply_patch, changed_fields, parse_child};
use samspor_domain::lawful_basis::DataCategory;
use uuid::Uuid;

pub async fn create(store: &Store, ctx: &Ctx, input: &ChildInput) -> ServiceResult<Child> {
    check(authorize(
        &ctx.actor,
        Action::Create,
        Resource::ChildRegister,
    ))?;
    let data = parse_child(input, ctx.today())?;
    let cpr = data.cpr.as_str().to_string();
    let created = store
        .write(async |tx| {
            if let Some(existing_id) = tx.child_by_cpr(ctx.actor.org_id, &cpr).await? {
                return Err(ServiceError::DuplicateChild { existing_id });
            }
            let child = insert_new(tx, ctx, data, "").await?;
            Ok(child)
        })
        .await;
    match created {
        // Registered by a twin request in the same moment: the same answer as if it came first.
        Err(ServiceError::Store(crate::StoreError::Unique(_))) => {
            let existing = store
                .read(async |tx| {
                    Ok::<_, ServiceError>(tx.child_by_cpr(ctx.actor.org_id, &cpr).await?)
                })
                .await?;
            Err(match existing {
                Some(existing_id) => ServiceError::DuplicateChild { existing_id },
                None => ServiceError::RaceLost,
            })
        }
        other => other,
    }
}

/// Registers a checked child in the actor's organisation, audited, inside the caller's
/// transaction; `detail` says where the record came from.
pub(crate) async fn insert_new(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    data: ChildData,
    detail: &str,
) -> ServiceResult<Child> {
    tx.authorize(&ctx.actor, Action::Create, Resource::ChildRegister)?;
    let child = Child {
        id: Uuid::now_v7(),
        org_id: ctx.actor.org_id,
        municipality_code: ctx.actor.municipality_code.clone(),
        data,
        version: 1,
        created_at: ctx.now,
        created_by: ctx.actor.user_id,
        updated_at: ctx.now,
        updated_by: ctx.actor.user_id,
    };
    tx.insert_child(&child).await?;
    tx.audit(
        ctx.now,
        ctx.event(
            AuditAction::Create,
            "child",
            Some(child.id),
            Some(child.id),
            detail,
        ),
    );
    Ok(child)
}

/// Loads a child of the actor's own organisation; anything else is `NotFound`. Shared
/// children are read through [`load_seen`], by the reads that know which category they show.
pub(crate) async fn load(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    id: Uuid,
    action: Action,
) -> ServiceResult<Child> {
    let child = tx.child(id).await?.ok_or(ServiceError::NotFound)?;
    tx.authorize(&ctx.actor, action, Resource::child(child.org_id))?;
    Ok(child)
}

/// A child as the actor's organisation may see it: its own, or another organisation's through a
/// share and a lawful basis (`grant`), without the address.
pub(crate) struct Seen {
    pub child: Child,
    pub grant: Option<Grant>,
}

impl Seen {
    /// Whether the actor may see `category` of this child's data.
    pub fn may(&self, category: DataCategory) -> bool {
        self.grant.as_ref().is_none_or(|g| g.covers(category))
    }
}

/// Loads a child for reading `category` (of `course`, if the data belongs to one), own or
/// shared; anything else is `NotFound`.
pub(crate) async fn load_seen(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    id: Uuid,
    category: DataCategory,
    course: Option<Uuid>,
) -> ServiceResult<Seen> {
    let mut child = tx.child(id).await?.ok_or(ServiceError::NotFound)?;
    let foreign = child.org_id != ctx.actor.org_id && ctx.actor.role.works_with_children();
    let grant = if foreign {
        crate::consent::grant(tx, ctx, &child).await?
    } else {
        None
    };
    tx.authorize(
        &ctx.actor,
        Action::Read,
        Resource::Child {
            owner_org: child.org_id,
            category,
            course,
            grant: grant.as_ref(),
        },
    )?;
    if grant.is_some() {
        // A recipient never needs the address, and a protected one must never reach it.
        child.data.address = None;
    }
    Ok(Seen { child, grant })
}

pub async fn read(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<Child> {
    store
        .read(async |tx| {
            let seen = load_seen(tx, ctx, id, DataCategory::ContactAndCourse, None).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "child", Some(id), Some(id), ""),
            );
            Ok(seen.child)
        })
        .await
}

/// The organisation's own child, for a form that changes the record or adds to it: another
/// organisation's child, shared or not, answers as if it did not exist.
pub async fn read_to_change(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<Child> {
    store
        .read(async |tx| {
            let child = load(tx, ctx, id, Action::Update).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "child", Some(id), Some(id), ""),
            );
            Ok(child)
        })
        .await
}

/// Applies a correction. With `expected_version`, a record changed since it was
/// read is refused rather than overwritten.
pub async fn update(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    patch: &ChildInput,
    expected_version: Option<i64>,
) -> ServiceResult<Child> {
    store
        .write(async |tx| {
            let current = load(tx, ctx, id, Action::Update).await?;
            if let Some(v) = expected_version
                && v != current.version
            {
                return Err(ServiceError::Conflict {
                    current: current.version,
                });
            }
            let data = apply_patch(&current.data, patch, ctx.today())?;
            if data.cpr != current.data.cpr
                && let Some(existing_id) =
                    tx.child_by_cpr(current.org_id, data.cpr.as_str()).await?
            {
                return Err(ServiceError::DuplicateChild { existing_id });
            }
            let fields = changed_fields(&current.data, &data);
            let updated = tx
                .update_child(&current, &data, ctx.actor.user_id, ctx.now)
                .await?;
            let action = if fields.is_empty() {
                AuditAction::Read
            } else {
                AuditAction::Update
            };
            tx.audit(
                ctx.now,
                ctx.event(action, "child", Some(id), Some(id), fields.join(",")),
            );
            Ok(updated)
        })
        .await
}

pub async fn search(
    store: &Store,
    ctx: &Ctx,
    query: &ChildQuery,
) -> ServiceResult<Vec<ChildSummary>> {
    check(authorize(
        &ctx.actor,
        Action::Search,
        Resource::ChildRegister,
    ))?;
    store
        .read(async |tx| {
            let mut found = tx.search_children(ctx.actor.org_id, query).await?;
            if query.offset == 0 {
                found.extend(shared_matches(tx, ctx, query).await?);
            }
            // The search terms can be a CPR number or a name: record only that a search
            // happened and how many records it showed.
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Search,
                    "child_list",
                    None,
                    None,
                    format!("results={}", found.len()),
                ),
            );
            Ok(found)
        })
        .await
}

/// Children of other organisations shared with the actor's and matching the query: listed after
/// the organisation's own, on the first page (there are few of them).
async fn shared_matches(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    query: &ChildQuery,
) -> ServiceResult<Vec<ChildSummary>> {
    let text = query.text.as_deref().unwrap_or("").trim().to_lowercase();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let by_cpr = !digits.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
    let mut out = Vec::new();
    for id in tx.children_shared_with(ctx.actor.org_id).await? {
        let Ok(seen) = load_seen(tx, ctx, id, DataCategory::ContactAndCourse, None).await else {
            continue;
        };
        let d = &seen.child.data;
        let name = format!("{} {}", d.given_name, d.family_name).to_lowercase();
        let matches = if by_cpr {
            d.cpr.as_str().starts_with(&digits)
        } else {
            name.contains(&text)
        };
        if matches {
            out.push(ChildSummary {
                id,
                given_name: d.given_name.clone(),
                family_name: d.family_name.clone(),
                birth_date: d.birth_date(),
                cpr: d.cpr.as_str().to_string(),
            });
        }
    }
    Ok(out)
}

pub async fn history(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<Vec<ChildHistoryEntry>> {
    store
        .read(async |tx| {
            load(tx, ctx, id, Action::Read).await?;
            let entries = tx.child_history(id).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "child_history", Some(id), Some(id), ""),
            );
            Ok(entries)
        })
        .await
}
