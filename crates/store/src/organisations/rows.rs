//! Rows as the database returns them, and their conversion into records.

use crate::StoreError;
use crate::db::rows::*;
use crate::*;
use chrono::{DateTime, NaiveDate, Utc};
use samspor_domain::organisation::{OrgKind, Programme};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct OrgRow {
    id: Uuid,
    code: String,
    kind: String,
    name: String,
    parent_id: Option<Uuid>,
    region_code: Option<String>,
    municipality_code: Option<String>,
    sor_code: Option<String>,
    ean_code: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<OrgRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrgRow) -> Result<Self, StoreError> {
        Ok(Organisation {
            kind: OrgKind::parse(&r.kind).ok_or_else(|| corrupt("organisation kind", &r.kind))?,
            id: r.id,
            code: r.code,
            name: r.name,
            parent_id: r.parent_id,
            region_code: r.region_code,
            municipality_code: r.municipality_code,
            sor_code: r.sor_code,
            ean_code: r.ean_code,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ParticipationRow {
    municipality_code: String,
    programme: String,
    since: NaiveDate,
}

impl TryFrom<ParticipationRow> for Participation {
    type Error = StoreError;
    fn try_from(r: ParticipationRow) -> Result<Self, StoreError> {
        Ok(Participation {
            programme: Programme::parse(&r.programme)
                .ok_or_else(|| corrupt("programme", &r.programme))?,
            municipality_code: r.municipality_code,
            since: r.since,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MembershipRow {
    org_id: Uuid,
    parent_id: Uuid,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    source: String,
}

impl From<MembershipRow> for Membership {
    fn from(r: MembershipRow) -> Self {
        Membership {
            org_id: r.org_id,
            parent_id: r.parent_id,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            source: r.source,
        }
    }
}
