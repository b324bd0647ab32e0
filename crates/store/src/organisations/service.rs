//! Organisations and which programmes each municipality offers.

use crate::service::ServiceError;
use crate::service::{Ctx, ServiceResult, check};
use crate::{Membership, Organisation, Participation, Store, Work};
use chrono::NaiveDate;
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::geo::changes::{region_period, successor_on};
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

/// The organisations with their dated memberships: which region an organisation belongs to on
/// a given day.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    pub orgs: Vec<Organisation>,
    pub memberships: Vec<Membership>,
}

impl Hierarchy {
    pub fn org(&self, id: Uuid) -> Option<&Organisation> {
        self.orgs.iter().find(|o| o.id == id)
    }

    pub fn memberships_of(&self, id: Uuid) -> impl Iterator<Item = &Membership> {
        self.memberships.iter().filter(move |m| m.org_id == id)
    }

    pub fn parent_on(&self, id: Uuid, on: NaiveDate) -> Option<&Organisation> {
        let m = self.memberships_of(id).find(|m| m.holds(on))?;
        self.org(m.parent_id)
    }

    /// The region an organisation belongs to on a day; a region is its own.
    pub fn region_on(&self, id: Uuid, on: NaiveDate) -> Option<&Organisation> {
        let mut current = self.org(id)?;
        // Units sit under a municipality or a region, municipalities under a region: a few
        // steps at most, bounded in case the data ever holds a cycle.
        for _ in 0..8 {
            if current.kind == OrgKind::Region {
                return Some(current);
            }
            current = self.parent_on(current.id, on)?;
        }
        None
    }

    /// The organisations that belong directly to `parent` on a day.
    pub fn members_on(&self, parent: Uuid, on: NaiveDate) -> Vec<&Organisation> {
        self.memberships
            .iter()
            .filter(|m| m.parent_id == parent && m.holds(on))
            .filter_map(|m| self.org(m.org_id))
            .collect()
    }
}

pub async fn hierarchy(store: &Store) -> ServiceResult<Hierarchy> {
    store
        .read(async |tx| {
            Ok(Hierarchy {
                orgs: tx.organisations().await?,
                memberships: tx.memberships().await?,
            })
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
        let today = ctx.today();
        // A region's secretariat places units in its own region only (as it stands today).
        if ctx.actor.role == samspor_domain::role::Role::Secretariat {
            let own = tx.organisation(ctx.actor.org_id).await?;
            let own = own.as_ref().and_then(|o| region_today(o, today));
            if own.is_none() || own != region_today(&parent, today) {
                return Err(ServiceError::Forbidden);
            }
        }
        if let Some(ended) = ended_region(&parent, today) {
            errors.push(ended);
        }
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
        for m in memberships_from(tx, &org, &parent, today).await? {
            tx.insert_membership(&m).await?;
        }
        Ok(org)
    }).await
}

/// A region that no longer exists cannot take new units: the error names its successor.
/// The region an organisation belongs to today, after any merger of regions: a region is its
/// own (or its successor's), anything else belongs to the region it was placed in.
fn region_today(org: &Organisation, today: NaiveDate) -> Option<&'static str> {
    let code = match org.kind {
        OrgKind::Region => org.code.as_str(),
        _ => org.region_code.as_deref()?,
    };
    successor_on(code, today).map(|r| r.code)
}

fn ended_region(parent: &Organisation, today: NaiveDate) -> Option<FieldError> {
    if parent.kind != OrgKind::Region {
        return None;
    }
    let period = region_period(&parent.code)?;
    let next = successor_on(&parent.code, today).filter(|_| !period.holds(today))?;
    Some(FieldError::new(
        "parent",
        format!(
            "{} no longer exists; use {} ({}).",
            parent.name, next.name, next.code
        ),
        format!(
            "{} findes ikke længere; brug {} ({}).",
            parent.name, next.name, next.code
        ),
    ))
}

/// A new unit's memberships: its parent from today, and where the parent is a region that a
/// known change will merge, the new region from the day of the change.
async fn memberships_from(
    tx: &mut Work<'_>,
    org: &Organisation,
    parent: &Organisation,
    today: NaiveDate,
) -> crate::Result<Vec<Membership>> {
    let source = "unit created".to_string();
    let until = match parent.kind {
        OrgKind::Region => region_period(&parent.code).and_then(|p| p.until),
        _ => None,
    };
    let mut out = vec![Membership {
        org_id: org.id,
        parent_id: parent.id,
        valid_from: today,
        valid_until: until,
        source: source.clone(),
    }];
    if let Some(next_day) = until.and_then(|u| u.succ_opt()) {
        let successor = successor_on(&parent.code, next_day)
            .expect("a region that ends has a successor in the changes file");
        if let Some(next) = tx.organisation_by_code(successor.code).await? {
            out.push(Membership {
                org_id: org.id,
                parent_id: next.id,
                valid_from: next_day,
                valid_until: None,
                source: "reference/region_changes.json".into(),
            });
        }
    }
    Ok(out)
}

/// Organisation names looked up once per unit of work, for lists that name the same few
/// organisations on every row.
#[derive(Debug, Default)]
pub(crate) struct Names(std::collections::HashMap<Uuid, String>);

impl Names {
    /// The organisation's name ("" for one that does not exist).
    pub(crate) async fn of(&mut self, tx: &mut Work<'_>, id: Uuid) -> ServiceResult<String> {
        if let Some(n) = self.0.get(&id) {
            return Ok(n.clone());
        }
        let name = tx
            .organisation(id)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        self.0.insert(id, name.clone());
        Ok(name)
    }
}
