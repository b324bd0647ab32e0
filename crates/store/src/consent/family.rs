//! The family's side of sharing: the access-log extract a custody holder or a young person from
//! 15 asks for (GDPR art. 15), the owner's review of an emergency access, and the owner's
//! worklist of what needs seeing to (accesses to review, children turning 15).

use super::service::{family, owned, rules};
use crate::consent::model::{
    BasisWorklist, ExtractRecord, FamilyExtract, OpenReview, TurningFifteen,
};
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{AuditFilter, Store, Work};
use chrono::{Days, Months, NaiveDate};
use samspor_domain::access::{Action, Resource};
use samspor_domain::audit::{AuditAction, AuditEntry};
use samspor_domain::lawful_basis::access_log::{
    EntryAuthor, ExtractInput, ExtractLine, Withheld, extract_line,
};
use samspor_domain::lawful_basis::family::AGE_OF_HEALTH_CONSENT;
use samspor_domain::lawful_basis::{ConsentState, EmergencyReview, Family, Person, ReviewInput};
use samspor_domain::role::Role;
use samspor_domain::validation::FieldError;
use std::collections::HashMap;
use uuid::Uuid;

/// How far ahead the worklist looks for children turning 15.
const TURNING_15_NOTICE_DAYS: u64 = 30;

/// Makes the family's extract of the child's access log and records who asked for it. Only the
/// organisation that owns the record gives extracts; staff names go in only with a recorded
/// data-protection decision.
pub async fn family_extract(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &ExtractInput,
) -> ServiceResult<FamilyExtract> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            let family = family(tx, &child).await?;
            let request = input.parse(&family, ctx.today())?;
            let withheld = withheld_from_family(tx, child_id).await?;
            let entries = tx
                .audit_entries(&AuditFilter {
                    child_id: Some(child_id),
                    limit: i64::MAX,
                    ..Default::default()
                })
                .await?;
            let staff_names = request.staff_names_decision.is_some();
            let mut authors = Authors::default();
            let mut lines = Vec::with_capacity(entries.len());
            for entry in entries.iter().filter(|e| !withheld.hides(e, ctx.today())) {
                lines.push(authors.line(tx, entry, staff_names).await?);
            }
            let record = ExtractRecord {
                id: Uuid::now_v7(),
                child_id,
                owner_org_id: child.org_id,
                requested_by: request.requested_by,
                staff_names_decision: request.staff_names_decision,
                made_by: ctx.actor.user_id,
                made_at: ctx.now,
            };
            tx.insert_extract(&record).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Export,
                    "family_access_log",
                    Some(record.id),
                    Some(child_id),
                    format!("lines={} staff_names={staff_names}", lines.len()),
                ),
            );
            let requested_by_name = match record.requested_by {
                Person::Child => None,
                Person::Guardian { id } => family.guardian(id).map(|g| g.name.clone()),
            };
            Ok(FamilyExtract {
                record,
                child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                requested_by_name,
                lines,
            })
        })
        .await
}

/// What the family may not see yet: notifications withheld until a day, emergency accesses
/// withheld by their review, and emergency accesses not reviewed yet (withholding has not been
/// weighed for them).
async fn withheld_from_family(tx: &mut Work<'_>, child_id: Uuid) -> ServiceResult<Withheld> {
    let mut withheld: Vec<(Uuid, NaiveDate)> = tx
        .notifications_of(child_id)
        .await?
        .into_iter()
        .filter_map(|n| n.withheld.map(|(until, _)| (n.id, until)))
        .collect();
    let reviews = tx.emergency_reviews(child_id).await?;
    for e in tx.basis_record(child_id).await?.emergencies {
        match reviews.iter().find(|(id, _)| *id == e.id) {
            None => withheld.push((e.id, NaiveDate::MAX)),
            Some((_, review)) => {
                if let Some((until, _)) = &review.withheld {
                    withheld.push((e.id, *until));
                }
            }
        }
    }
    Ok(Withheld(withheld))
}

/// The names and roles entries point to, looked up once each.
#[derive(Default)]
struct Authors {
    orgs: HashMap<Uuid, Option<String>>,
    users: HashMap<Uuid, Option<(String, Role)>>,
}

impl Authors {
    async fn line(
        &mut self,
        tx: &mut Work<'_>,
        entry: &AuditEntry,
        staff_names: bool,
    ) -> ServiceResult<ExtractLine> {
        if let Some(id) = entry.event.org_id
            && !self.orgs.contains_key(&id)
        {
            let name = tx.organisation(id).await?.map(|o| o.name);
            self.orgs.insert(id, name);
        }
        if let Some(id) = entry.event.user_id
            && !self.users.contains_key(&id)
        {
            let user = tx.user(id).await?.map(|u| (u.name, u.role));
            self.users.insert(id, user);
        }
        let organisation = entry
            .event
            .org_id
            .and_then(|id| self.orgs.get(&id).cloned().flatten());
        let user = entry
            .event
            .user_id
            .and_then(|id| self.users.get(&id).cloned().flatten());
        Ok(extract_line(
            entry,
            EntryAuthor {
                organisation: organisation.as_deref(),
                role: user.as_ref().map(|(_, role)| *role),
                name: user.as_ref().map(|(name, _)| name.as_str()),
            },
            staff_names,
        ))
    }
}

/// The owner's review of an emergency access to one of its children, once.
pub async fn review_emergency(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    emergency_id: Uuid,
    input: &ReviewInput,
) -> ServiceResult<EmergencyReview> {
    store
        .write(async |tx| {
            owned(tx, ctx, child_id).await?;
            let review = input.parse(ctx.actor.user_id, ctx.now)?;
            if !tx.review_emergency(child_id, emergency_id, &review).await? {
                let known = tx
                    .basis_record(child_id)
                    .await?
                    .emergencies
                    .iter()
                    .any(|e| e.id == emergency_id);
                if !known {
                    return Err(ServiceError::NotFound);
                }
                return Err(FieldError::new(
                    "note",
                    "This emergency access has already been reviewed.",
                    "Nødadgangen er allerede gennemgået.",
                )
                .into());
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "emergency_access",
                    Some(emergency_id),
                    Some(child_id),
                    "review",
                ),
            );
            Ok(review)
        })
        .await
}

/// What the actor's organisation must see to about its children's lawful bases: emergency
/// accesses to review, and children turning 15 within 30 days whose custody holders' consent
/// then needs the young person's confirmation.
pub async fn basis_worklist(store: &Store, ctx: &Ctx) -> ServiceResult<BasisWorklist> {
    if !ctx.actor.role.works_with_children() {
        return Ok(BasisWorklist::default());
    }
    let today = ctx.today();
    let org = ctx.actor.org_id;
    store
        .read(async |tx| {
            tx.authorize(&ctx.actor, Action::Search, Resource::ChildRegister)?;
            let reviews: Vec<OpenReview> = tx.unreviewed_emergencies(org).await?;
            let mut turning_15 = Vec::new();
            for child_id in soon_15(tx, org, today).await? {
                let Some(child) = tx.child(child_id).await? else {
                    continue;
                };
                let family = family(tx, &child).await?;
                if !turns_15_soon(&family, today) {
                    continue;
                }
                let turns = family.turns_15();
                let consents = tx
                    .consents_of(child_id)
                    .await?
                    .into_iter()
                    .filter(|(c, _)| {
                        c.state(rules(), &family, today, ctx.now).is_active()
                            && matches!(
                                c.state(rules(), &family, turns, ctx.now),
                                ConsentState::NeedsYoungPerson
                            )
                    })
                    .count();
                if consents > 0 {
                    turning_15.push(TurningFifteen {
                        child_id,
                        child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                        turns_15: turns,
                        consents,
                    });
                }
            }
            turning_15.sort_by_key(|t| t.turns_15);
            let children = reviews
                .iter()
                .map(|r| r.child_id)
                .chain(turning_15.iter().map(|t| t.child_id));
            for child_id in children {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Search,
                        "basis_worklist",
                        None,
                        Some(child_id),
                        "",
                    ),
                );
            }
            Ok(BasisWorklist {
                reviews,
                turning_15,
            })
        })
        .await
}

/// Children of `org` with a consent who turn 15 within the notice period, from the birth dates
/// on record (widened by a day each side for 29 February; the caller decides on the exact day).
async fn soon_15(tx: &mut Work<'_>, org: Uuid, today: NaiveDate) -> ServiceResult<Vec<Uuid>> {
    let years = Months::new(12 * AGE_OF_HEALTH_CONSENT);
    let (Some(from), Some(to)) = (
        today.checked_sub_months(years).and_then(|d| d.pred_opt()),
        today
            .checked_add_days(Days::new(TURNING_15_NOTICE_DAYS))
            .and_then(|d| d.checked_sub_months(years)),
    ) else {
        return Ok(Vec::new());
    };
    Ok(tx.consenting_children_born(org, from, to).await?)
}

/// Whether `family`'s child turns 15 after `today` and within the notice period.
pub fn turns_15_soon(family: &Family, today: NaiveDate) -> bool {
    let turns = family.turns_15();
    turns > today
        && today
            .checked_add_days(Days::new(TURNING_15_NOTICE_DAYS))
            .is_some_and(|limit| turns <= limit)
}

/// A course another organisation shares with the actor's, as the recipient's lists show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SharedCourse {
    pub child_id: Uuid,
    pub course_id: Uuid,
    pub child_name: String,
    pub owner_name: String,
    pub status: samspor_domain::course::careplan::CourseStatus,
    pub started_on: NaiveDate,
    /// The categories the actor's organisation may read now.
    pub categories: Vec<samspor_domain::lawful_basis::DataCategory>,
}

/// The courses shared with the actor's organisation that a basis covers now, for the
/// recipient's front page and lists: the access policy is asked for each child, and a share
/// without a basis in force is left out as if it did not exist.
pub async fn shared_courses(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<SharedCourse>> {
    if !ctx.actor.role.works_with_children() {
        return Ok(Vec::new());
    }
    let org = ctx.actor.org_id;
    store
        .read(async |tx| {
            let mut out = Vec::new();
            let mut owners: HashMap<Uuid, String> = HashMap::new();
            for child_id in tx.children_shared_with(org).await? {
                let Some(child) = tx.child(child_id).await? else {
                    continue;
                };
                let Some(grant) = super::service::grant(tx, ctx, &child).await? else {
                    continue;
                };
                let category = samspor_domain::lawful_basis::DataCategory::ContactAndCourse;
                for course_id in grant.courses.clone() {
                    let resource = Resource::Child {
                        owner_org: child.org_id,
                        category,
                        course: Some(course_id),
                        grant: Some(&grant),
                    };
                    if tx.authorize(&ctx.actor, Action::Read, resource).is_err() {
                        continue;
                    }
                    let Some(course) = tx.course(course_id).await? else {
                        continue;
                    };
                    let owner_name = match owners.get(&child.org_id) {
                        Some(name) => name.clone(),
                        None => {
                            let name = tx
                                .organisation(child.org_id)
                                .await?
                                .map(|o| o.name)
                                .unwrap_or_default();
                            owners.insert(child.org_id, name.clone());
                            name
                        }
                    };
                    out.push(SharedCourse {
                        child_id,
                        course_id,
                        child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                        owner_name,
                        status: course.status,
                        started_on: course.started_on,
                        categories: grant.bases.iter().map(|(c, _)| *c).collect(),
                    });
                    tx.audit(
                        ctx.now,
                        ctx.event(
                            AuditAction::Search,
                            "shared_courses",
                            Some(course_id),
                            Some(child_id),
                            "",
                        ),
                    );
                }
            }
            out.sort_by(|a, b| a.child_name.cmp(&b.child_name));
            Ok(out)
        })
        .await
}
