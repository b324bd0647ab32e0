//! Organisations and which programmes each municipality offers.

use crate::service::ServiceError;
use crate::service::{Ctx, ServiceResult, check};
use crate::{Organisation, Participation, Store};
use chrono::NaiveDate;
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::organisation::{OrgKind, Programme, parse_ean, parse_sor};
use samspor_domain::validation::{FieldError, FieldErrors, required_text};
use uuid::Uuid;

pub async fn list(store: &Store) -> ServiceResult<Vec<Organisation>> {
    store
        .read(async |tx| {
            let orgs = tx.organisations().await?;
            Ok(orgs)
        })
        .await
}

pub async fn participation(
    store: &Store,
    municipality_code: Option<&str>,
) -> ServiceResult<Vec<Participation>> {
    store
        .read(async |tx| {
            let p = tx.participation(municipality_code).await?;
            Ok(p)
        })
        .await
}

/// Sets (or with `None` ends) a municipality's participation in a programme.
pub async fn set_participation(
    store: &Store,
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
    store
        .write(async |tx| {
            tx.set_participation(
                municipality_code,
                programme,
                since,
                ctx.actor.user_id,
                ctx.now,
            )
            .await?;
            Ok(())
        })
        .await
}

/// Sets every programme of a municipality in one transaction: all or nothing.
pub async fn set_participation_all(
    store: &Store,
    ctx: &Ctx,
    municipality_code: &str,
    values: &[(Programme, Option<NaiveDate>)],
) -> ServiceResult<()> {
    check(authorize(
        &ctx.actor,
        Action::Update,
        Resource::Participation { municipality_code },
    ))?;
    store
        .write(async |tx| {
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
            Ok(())
        })
        .await
}

/// A unit to create under a region or municipality.
pub struct UnitInput<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub parent_code: &'a str,
    pub sor_code: Option<&'a str>,
    pub ean_code: Option<&'a str>,
}

/// Creates a unit (PPR team, psychiatry clinic, GP practice, hospital department,
/// school). It gets the next free unit code and inherits its parent's region and
/// municipality.
pub async fn create_unit(
    store: &Store,
    ctx: &Ctx,
    input: UnitInput<'_>,
) -> ServiceResult<Organisation> {
    let mut errors = FieldErrors::default();
    let kind = OrgKind::parse(input.kind.trim())
        .filter(|k| !matches!(k, OrgKind::Region | OrgKind::Municipality));
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "Choose ppr, psychiatry, gp_practice, hospital_department, school or secretariat.",
            "Vælg ppr, psychiatry, gp_practice, hospital_department, school eller secretariat.",
        ));
    }
    let name = required_text(&mut errors, "name", Some(input.name), 200);
    let sor_code = match input.sor_code.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_sor(s).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    let ean_code = match input.ean_code.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_ean(s).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    store.write(async |tx| {
        let parent = tx.organisation_by_code(input.parent_code.trim()).await?;
        let Some(parent) = parent else {
            errors.push(FieldError::new(
                "parent",
                "Unknown parent organisation: use a municipality code like 0101 or a region like DK-84.",
                "Ukendt overordnet organisation: brug en kommunekode som 0101 eller en region som DK-84.",
            ));
            return Err(ServiceError::Invalid(errors));
        };
        check(authorize(
            &ctx.actor,
            Action::Create,
            Resource::Units {
                parent_org: parent.id,
            },
        ))?;
        let (Some(kind), true) = (kind, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let org = Organisation {
            id: Uuid::now_v7(),
            code: tx.next_unit_code().await?,
            kind,
            name,
            parent_id: Some(parent.id),
            region_code: parent.region_code.clone(),
            municipality_code: parent.municipality_code.clone(),
            sor_code,
            ean_code,
            created_at: ctx.now,
        };
        tx.insert_organisation(&org).await?;
        Ok(org)
    }).await
}
