//! Reading the audit log: per child ("who looked at this child") and for administrators.

use crate::Work;
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{AuditFilter, Store};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::{AuditAction, AuditEntry};
use samspor_domain::lawful_basis::DataCategory;
use samspor_domain::lawful_basis::access_log::{LoggedBasis, read_note};
use std::collections::HashMap;
use uuid::Uuid;

/// An audit entry with the names a person needs to read it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditLine {
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    /// The lawful basis another organisation's access was given on (none: the owner's own
    /// case), and the categories of data it covered.
    pub basis: Option<LoggedBasis>,
    pub categories: Vec<DataCategory>,
}

async fn with_names(tx: &mut Work<'_>, entries: Vec<AuditEntry>) -> ServiceResult<Vec<AuditLine>> {
    let mut users: HashMap<Uuid, Option<String>> = HashMap::new();
    let mut orgs: HashMap<Uuid, Option<String>> = HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let user_name = match entry.event.user_id {
            Some(id) => match users.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = tx.user(id).await?.map(|u| u.name);
                    users.insert(id, name.clone());
                    name
                }
            },
            None => None,
        };
        let org_name = match entry.event.org_id {
            Some(id) => match orgs.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = tx.organisation(id).await?.map(|o| o.name);
                    orgs.insert(id, name.clone());
                    name
                }
            },
            None => None,
        };
        let (categories, basis) = read_note(&entry.event.detail);
        out.push(AuditLine {
            entry,
            user_name,
            org_name,
            basis,
            categories,
        });
    }
    Ok(out)
}

/// Everyone who read or changed this child's data, newest first.
pub async fn child_access_log(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    limit: i64,
) -> ServiceResult<Vec<AuditLine>> {
    let may_read = async |tx: &mut Work<'_>| {
        let child = tx.child(child_id).await?.ok_or(ServiceError::NotFound)?;
        tx.authorize(&ctx.actor, Action::Read, Resource::child(child.org_id))
    };
    // Record this look first, in a commit of its own, so the list shows the reader too.
    store
        .write(async |tx| {
            may_read(tx).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "child_access_log",
                    Some(child_id),
                    Some(child_id),
                    "",
                ),
            );
            Ok::<_, ServiceError>(())
        })
        .await?;
    store
        .read(async |tx| {
            may_read(tx).await?;
            let entries = tx
                .audit_entries(&AuditFilter {
                    child_id: Some(child_id),
                    newest_first: true,
                    limit,
                    ..Default::default()
                })
                .await?;
            with_names(tx, entries).await
        })
        .await
}

/// The administrator's view: entries made by users of the administrator's organisation.
pub async fn org_log(
    store: &Store,
    ctx: &Ctx,
    filter: AuditFilter,
) -> ServiceResult<Vec<AuditLine>> {
    check(authorize(&ctx.actor, Action::Read, Resource::AuditLog))?;
    store
        .read(async |tx| {
            let entries = tx
                .audit_entries(&AuditFilter {
                    org_id: Some(ctx.actor.org_id),
                    ..filter
                })
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "audit_log",
                    None,
                    None,
                    format!("results={}", entries.len()),
                ),
            );
            let lines = with_names(tx, entries).await?;
            Ok(lines)
        })
        .await
}

/// Every entry about one child, oldest first, for an access request from a citizen.
/// Run by an operator from the command line; the export itself is recorded.
pub async fn export_for_child(
    store: &Store,
    request_id: &str,
    cpr: &str,
) -> ServiceResult<Vec<AuditLine>> {
    store
        .read(async |tx| {
            let ids = tx.children_by_cpr_everywhere(cpr).await?;
            let mut lines = Vec::new();
            for id in &ids {
                let entries = tx
                    .audit_entries(&AuditFilter {
                        child_id: Some(*id),
                        limit: i64::MAX,
                        ..Default::default()
                    })
                    .await?;
                lines.extend(with_names(tx, entries).await?);
            }
            for id in &ids {
                tx.audit(
                    chrono::Utc::now(),
                    samspor_domain::audit::AuditEvent {
                        user_id: None,
                        org_id: None,
                        action: AuditAction::Export,
                        object_type: "child_access_log".into(),
                        object_id: Some(*id),
                        child_id: Some(*id),
                        purpose: "access_request".into(),
                        request_id: request_id.into(),
                        detail: "cli audit export".into(),
                    },
                );
            }
            lines.sort_by_key(|l| l.entry.seq);
            Ok(lines)
        })
        .await
}
