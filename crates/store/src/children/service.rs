//! Registering, reading, correcting and finding children.

use crate::Work;
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Child, ChildHistoryEntry, ChildQuery, ChildSummary, Store};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::AuditAction;
use samspor_domain::child::{ChildData, ChildInput, apply_patch, changed_fields, parse_child};
use uuid::Uuid;

pub async fn create(store: &Store, ctx: &Ctx, input: &ChildInput) -> ServiceResult<Child> {
    check(authorize(
        &ctx.actor,
        Action::Create,
        Resource::ChildRegister,
    ))?;
    let data = parse_child(input, ctx.today())?;
    store
        .write(async |tx| {
            if let Some(existing_id) = tx.child_by_cpr(ctx.actor.org_id, data.cpr.as_str()).await? {
                return Err(ServiceError::DuplicateChild { existing_id });
            }
            let child = insert_new(tx, ctx, data, "").await?;
            Ok(child)
        })
        .await
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

/// Loads a child the actor may see; anything else is `NotFound`.
pub(crate) async fn load(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    id: Uuid,
    action: Action,
) -> ServiceResult<Child> {
    let child = tx.child(id).await?.ok_or(ServiceError::NotFound)?;
    tx.authorize(
        &ctx.actor,
        action,
        Resource::Child {
            owner_org: child.org_id,
        },
    )?;
    Ok(child)
}

pub async fn read(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<Child> {
    store
        .read(async |tx| {
            let child = load(tx, ctx, id, Action::Read).await?;
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
            let found = tx.search_children(ctx.actor.org_id, query).await?;
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
