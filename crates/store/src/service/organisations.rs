//! Organisations and which programmes each municipality offers.

use super::{Ctx, ServiceResult, check};
use crate::{Organisation, Participation, Store};
use chrono::NaiveDate;
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::organisation::Programme;

pub async fn list(store: &dyn Store) -> ServiceResult<Vec<Organisation>> {
    let mut tx = store.begin().await?;
    let orgs = tx.organisations().await?;
    tx.commit().await?;
    Ok(orgs)
}

pub async fn participation(
    store: &dyn Store,
    municipality_code: Option<&str>,
) -> ServiceResult<Vec<Participation>> {
    let mut tx = store.begin().await?;
    let p = tx.participation(municipality_code).await?;
    tx.commit().await?;
    Ok(p)
}

/// Sets (or with `None` ends) a municipality's participation in a programme.
pub async fn set_participation(
    store: &dyn Store,
    ctx: &Ctx,
    municipality_code: &str,
    programme: Programme,
    since: Option<NaiveDate>,
) -> ServiceResult<()> {
    check(authorize(
        &ctx.actor,
        Action::Update,
        Resource::Participation { municipality_code },
    ))?;
    let mut tx = store.begin().await?;
    tx.set_participation(
        municipality_code,
        programme,
        since,
        ctx.actor.user_id,
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets every programme of a municipality in one transaction: all or nothing.
pub async fn set_participation_all(
    store: &dyn Store,
    ctx: &Ctx,
    municipality_code: &str,
    values: &[(Programme, Option<NaiveDate>)],
) -> ServiceResult<()> {
    check(authorize(
        &ctx.actor,
        Action::Update,
        Resource::Participation { municipality_code },
    ))?;
    let mut tx = store.begin().await?;
    for (programme, since) in values {
        tx.set_participation(
            municipality_code,
            *programme,
            *since,
            ctx.actor.user_id,
            ctx.now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
