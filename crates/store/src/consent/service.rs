//! Recording lawful bases and shares, and working out what another organisation may see.
//!
//! Only the organisation that owns a child's record records its bases and shares it; a
//! recipient sees, per category, what a basis covers at the moment of each request.

use crate::consent::model::{ConsentLine, LawfulBasisView, ReviewLine, Share};
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Child, Store, Work};
use chrono::NaiveDate;
use samspor_domain::access::{Action, Grant, Resource};
use samspor_domain::audit::AuditAction;
use samspor_domain::lawful_basis::withholding;
use samspor_domain::lawful_basis::{
    Basis, ConsentInput, DataCategory, EmergencyAccess, Family, Notification, Objection, Person,
    RecipientKind, Request, Rules, StatutoryInput, basis_for,
};
use samspor_domain::validation::{FieldError, FieldErrors, optional_day, required_text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(super) fn rules() -> &'static Rules {
    Rules::shipped()
}

pub(super) async fn family(tx: &mut Work<'_>, child: &Child) -> ServiceResult<Family> {
    Ok(Family {
        cpr: child.data.cpr.clone(),
        guardians: tx.guardian_facts(child.id).await?,
    })
}

/// What the actor's organisation may see of `child`, owned by another organisation, now: the
/// courses shared with it (every course while an emergency access is open) and the basis of each
/// category. `None` when nothing is shared.
pub(crate) async fn grant(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
) -> ServiceResult<Option<Grant>> {
    let org = ctx.actor.org_id;
    if child.org_id == org {
        return Ok(None);
    }
    let shares: Vec<Share> = tx
        .shares_of_child(child.id)
        .await?
        .into_iter()
        .filter(|s| s.recipient_org_id == org && s.ended_at.is_none())
        .collect();
    let record = tx.basis_record(child.id).await?;
    let emergency = record
        .emergencies
        .iter()
        .find(|e| e.org_id == org && e.open_at(rules(), ctx.now))
        .map(|e| e.kind);
    let Some(kind) = shares.first().map(|s| s.recipient_kind).or(emergency) else {
        return Ok(None);
    };
    let courses = if emergency.is_some() {
        tx.courses_of_child(child.id)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect()
    } else {
        shares.iter().map(|s| s.course_id).collect()
    };
    let family = family(tx, child).await?;
    let bases = DataCategory::ALL
        .iter()
        .filter_map(|category| {
            let req = Request {
                org_id: org,
                kind,
                category: *category,
                now: ctx.now,
                day: ctx.today(),
            };
            basis_for(rules(), &family, &record, &req).map(|b| (*category, b))
        })
        .collect();
    Ok(Some(Grant { courses, bases }))
}

/// Loads a child whose lawful basis the actor's organisation manages: its own.
pub(super) async fn owned(tx: &mut Work<'_>, ctx: &Ctx, child_id: Uuid) -> ServiceResult<Child> {
    let child = tx.child(child_id).await?.ok_or(ServiceError::NotFound)?;
    tx.authorize(&ctx.actor, Action::Update, Resource::child(child.org_id))?;
    Ok(child)
}

/// The lawful-basis page of a child: every basis with its state today, the shares, the
/// notifications and where the custody facts come from.
pub async fn lawful_basis(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
) -> ServiceResult<LawfulBasisView> {
    store
        .read(async |tx| {
            let child = tx.child(child_id).await?.ok_or(ServiceError::NotFound)?;
            tx.authorize(&ctx.actor, Action::Read, Resource::child(child.org_id))?;
            let family = family(tx, &child).await?;
            let record = tx.basis_record(child_id).await?;
            let versions = tx.consents_of(child_id).await?;
            let consents = versions
                .into_iter()
                .map(|(consent, version)| ConsentLine {
                    state: consent.state(rules(), &family, ctx.today(), ctx.now),
                    consent,
                    version,
                })
                .collect();
            let view = LawfulBasisView {
                child_id,
                guardians: family.guardians.clone(),
                consents,
                statutory: record.statutory,
                objections: record.objections,
                emergencies: record.emergencies,
                notifications: tx.notifications_of(child_id).await?,
                shares: tx.shares_of_child(child_id).await?,
                custody_checks: tx.custody_checks_of(child_id).await?,
                reviews: tx
                    .emergency_reviews(child_id)
                    .await?
                    .into_iter()
                    .map(|(emergency_id, review)| ReviewLine {
                        emergency_id,
                        review,
                    })
                    .collect(),
                extracts: tx.extracts_of(child_id).await?,
            };
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "lawful_basis",
                    Some(child_id),
                    Some(child_id),
                    "",
                ),
            );
            Ok(view)
        })
        .await
}

pub async fn record_consent(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &ConsentInput,
) -> ServiceResult<samspor_domain::lawful_basis::Consent> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            let family = family(tx, &child).await?;
            check_recipients(
                tx,
                &child,
                input.recipients.iter().map(|r| (r.org_id, r.kind)),
            )
            .await?;
            let mut consent = input.parse(rules(), &family, ctx.actor.user_id, ctx.today())?;
            consent.id = Uuid::now_v7();
            tx.insert_consent(child_id, child.org_id, &consent, ctx.now)
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "consent",
                    Some(consent.id),
                    Some(child_id),
                    "",
                ),
            );
            Ok(consent)
        })
        .await
}

/// A later giver: the second custody holder, or the young person confirming a consent their
/// parents gave before they turned 15.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GiverInput {
    pub giver: Option<String>,
    pub version: Option<i64>,
}

pub async fn add_giver(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    consent_id: Uuid,
    input: &GiverInput,
) -> ServiceResult<samspor_domain::lawful_basis::Consent> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            let family = family(tx, &child).await?;
            let (mut consent, version) =
                consent_of(tx, child_id, consent_id, input.version).await?;
            let person = giver(&family, input.giver.as_deref(), ctx.today(), false)?;
            if consent.withdrawn.is_some() {
                return Err(FieldError::new(
                    "giver",
                    "The consent has been withdrawn; record a new one.",
                    "Samtykket er trukket tilbage; registrér et nyt.",
                )
                .into());
            }
            if !consent.givers.iter().any(|(p, _)| *p == person) {
                consent.givers.push((person, ctx.today()));
            }
            tx.update_consent(&consent, version).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "consent",
                    Some(consent_id),
                    Some(child_id),
                    "giver",
                ),
            );
            Ok(consent)
        })
        .await
}

/// Withdraws a consent, effective from the next request.
pub async fn withdraw_consent(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    consent_id: Uuid,
    input: &GiverInput,
) -> ServiceResult<samspor_domain::lawful_basis::Consent> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            let family = family(tx, &child).await?;
            let (mut consent, version) =
                consent_of(tx, child_id, consent_id, input.version).await?;
            // Anyone who could give it may withdraw it; a parent also after the 15th birthday
            // (withdrawing never opens data).
            let person = giver(&family, input.giver.as_deref(), ctx.today(), true)?;
            if consent.withdrawn.is_some() {
                return Err(FieldError::new(
                    "giver",
                    "The consent is already withdrawn.",
                    "Samtykket er allerede trukket tilbage.",
                )
                .into());
            }
            consent.withdrawn = Some(samspor_domain::lawful_basis::consent::Withdrawal {
                at: ctx.now,
                by: person,
                recorded_by: ctx.actor.user_id,
            });
            tx.update_consent(&consent, version).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "consent",
                    Some(consent_id),
                    Some(child_id),
                    "withdrawn",
                ),
            );
            Ok(consent)
        })
        .await
}

async fn consent_of(
    tx: &mut Work<'_>,
    child_id: Uuid,
    consent_id: Uuid,
    expected: Option<i64>,
) -> ServiceResult<(samspor_domain::lawful_basis::Consent, i64)> {
    let (consent, version) = tx
        .consents_of(child_id)
        .await?
        .into_iter()
        .find(|(c, _)| c.id == consent_id)
        .ok_or(ServiceError::NotFound)?;
    if let Some(v) = expected
        && v != version
    {
        return Err(ServiceError::Conflict { current: version });
    }
    Ok((consent, version))
}

/// The person named in a giver field: the young person from 15 or a custody holder (any
/// custody holder when `withdrawing`).
fn giver(
    family: &Family,
    text: Option<&str>,
    day: chrono::NaiveDate,
    withdrawing: bool,
) -> ServiceResult<Person> {
    let wrong = || {
        ServiceError::Invalid(
            FieldError::new(
                "giver",
                "Choose the young person (from 15) or a custody holder on the child's record.",
                "Vælg den unge (fra 15 år) eller en indehaver af forældremyndigheden på barnets stamkort.",
            )
            .into(),
        )
    };
    let person = text.and_then(Person::parse).ok_or_else(wrong)?;
    let allowed = match person {
        Person::Child => family.child_decides(day),
        guardian => family.has_custody(guardian) && (withdrawing || !family.child_decides(day)),
    };
    if allowed { Ok(person) } else { Err(wrong()) }
}

/// Every recipient must be another organisation of the kind it is said to be.
async fn check_recipients(
    tx: &mut Work<'_>,
    child: &Child,
    recipients: impl Iterator<Item = (Uuid, RecipientKind)>,
) -> ServiceResult<()> {
    for (org_id, kind) in recipients {
        let org = tx.organisation(org_id).await?;
        let fits = org.as_ref().is_some_and(|o| {
            o.id != child.org_id
                && (RecipientKind::of(o.kind) == Some(kind)
                    || (kind == RecipientKind::SocialAuthority
                        && o.kind == samspor_domain::organisation::OrgKind::Municipality))
        });
        if !fits {
            return Err(FieldError::new(
                "recipients",
                "Choose another organisation, of the kind the basis is for.",
                "Vælg en anden organisation af den slags, grundlaget gælder.",
            )
            .into());
        }
    }
    Ok(())
}

pub async fn record_statutory(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &StatutoryInput,
) -> ServiceResult<samspor_domain::lawful_basis::StatutoryBasis> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            check_recipients(
                tx,
                &child,
                input.recipients.iter().map(|r| (r.org_id, r.kind)),
            )
            .await?;
            let mut basis = input.parse(rules(), ctx.actor.user_id, ctx.today())?;
            basis.id = Uuid::now_v7();
            tx.insert_statutory(child_id, child.org_id, &basis, ctx.now)
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "statutory_basis",
                    Some(basis.id),
                    Some(child_id),
                    basis.ground.as_str(),
                ),
            );
            Ok(basis)
        })
        .await
}

pub async fn end_statutory(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    id: Uuid,
) -> ServiceResult<()> {
    store
        .write(async |tx| {
            owned(tx, ctx, child_id).await?;
            let ours = tx
                .basis_record(child_id)
                .await?
                .statutory
                .iter()
                .any(|s| s.id == id);
            if !ours || !tx.end_statutory(id, ctx.actor.user_id, ctx.now).await? {
                return Err(ServiceError::NotFound);
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "statutory_basis",
                    Some(id),
                    Some(child_id),
                    "ended",
                ),
            );
            Ok(())
        })
        .await
}

/// An objection as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectionInput {
    pub by: Option<String>,
    /// Kinds of recipient; empty: all.
    #[serde(default)]
    pub recipients: Vec<String>,
    pub note: Option<String>,
}

pub async fn record_objection(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &ObjectionInput,
) -> ServiceResult<Objection> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            let family = family(tx, &child).await?;
            let mut errors = FieldErrors::default();
            let by = input.by.as_deref().and_then(Person::parse);
            match by {
                Some(p) => {
                    if let Err(e) = Objection::check_objector(&family, p, ctx.today()) {
                        errors.push(e);
                    }
                }
                None => errors.push(FieldError::required("by")),
            }
            let mut recipients = Vec::new();
            for text in &input.recipients {
                match RecipientKind::parse(text) {
                    Some(k) => recipients.push(k),
                    None => errors.push(FieldError::new(
                        "recipients",
                        "Unknown kind of recipient.",
                        "Ukendt slags modtager.",
                    )),
                }
            }
            let note = required_text(&mut errors, "note", input.note.as_deref(), 500);
            let objection = errors.into_result(Objection {
                id: Uuid::now_v7(),
                by: by.unwrap_or(Person::Child),
                recipients,
                note,
                recorded_by: ctx.actor.user_id,
                recorded_at: ctx.now,
                withdrawn_at: None,
            })?;
            tx.insert_objection(child_id, child.org_id, &objection)
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "objection",
                    Some(objection.id),
                    Some(child_id),
                    "",
                ),
            );
            Ok(objection)
        })
        .await
}

pub async fn withdraw_objection(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    id: Uuid,
) -> ServiceResult<()> {
    store
        .write(async |tx| {
            owned(tx, ctx, child_id).await?;
            let ours = tx
                .basis_record(child_id)
                .await?
                .objections
                .iter()
                .any(|o| o.id == id);
            if !ours
                || !tx
                    .withdraw_objection(id, ctx.actor.user_id, ctx.now)
                    .await?
            {
                return Err(ServiceError::NotFound);
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "objection",
                    Some(id),
                    Some(child_id),
                    "withdrawn",
                ),
            );
            Ok(())
        })
        .await
}

/// A share as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ShareInput {
    pub course_id: Option<Uuid>,
    pub recipient_org_id: Option<Uuid>,
}

/// Shares a course with another organisation. Refused unless a recorded basis already covers
/// that organisation for at least one category: a share never runs ahead of its basis.
pub async fn share_course(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &ShareInput,
) -> ServiceResult<Share> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            let course = match input.course_id {
                Some(id) => tx.course(id).await?.filter(|c| c.child_id == child_id),
                None => None,
            }
            .ok_or_else(|| ServiceError::Invalid(FieldError::new("course_id", "Choose one of the child's courses.", "Vælg et af barnets forløb.").into()))?;
            let org = match input.recipient_org_id {
                Some(id) => tx.organisation(id).await?,
                None => None,
            };
            let Some((org, kind)) = org.and_then(|o| RecipientKind::of(o.kind).map(|k| (o, k))).filter(|(o, _)| o.id != child.org_id) else {
                return Err(FieldError::new(
                    "recipient_org_id",
                    "Choose child psychiatry, a GP practice, a school or PPR, or another municipality.",
                    "Vælg børne- og ungdomspsykiatrien, en lægepraksis, en skole eller PPR eller en anden kommune.",
                )
                .into());
            };
            let missing = uncovered(tx, ctx, &child, org.id, kind, DataCategory::ALL).await?;
            if missing.len() == DataCategory::ALL.len() {
                return Err(FieldError::new(
                    "recipient_org_id",
                    format!("No consent or statutory basis covers {} now: record the basis first.", org.name),
                    format!("Intet samtykke eller lovgrundlag dækker {} nu: registrér grundlaget først.", org.name),
                )
                .into());
            }
            let share = open_share(tx, ctx, &child, course.id, &org, kind).await.map_err(|e| match e {
                crate::StoreError::Unique(_) => ServiceError::Invalid(
                    FieldError::new("recipient_org_id", "The course is already shared with this organisation.", "Forløbet er allerede delt med denne organisation.").into(),
                ),
                other => other.into(),
            })?;
            Ok(share)
        })
        .await
}

/// Shares a course of `child` with `org`, audited, inside the caller's unit of work; the caller
/// has checked that a basis covers it.
pub(crate) async fn open_share(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
    course_id: Uuid,
    org: &crate::Organisation,
    kind: RecipientKind,
) -> crate::Result<Share> {
    let share = Share {
        id: Uuid::now_v7(),
        child_id: child.id,
        course_id,
        owner_org_id: child.org_id,
        recipient_org_id: org.id,
        recipient_name: org.name.clone(),
        recipient_kind: kind,
        shared_by: ctx.actor.user_id,
        shared_at: ctx.now,
        ended_at: None,
    };
    tx.insert_share(&share).await?;
    tx.audit(
        ctx.now,
        ctx.event(
            AuditAction::Create,
            "share",
            Some(share.id),
            Some(child.id),
            kind.as_str(),
        ),
    );
    Ok(share)
}

/// The categories of `wanted` that no basis covers for `org` now.
pub(crate) async fn uncovered(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
    org_id: Uuid,
    kind: RecipientKind,
    wanted: &[DataCategory],
) -> ServiceResult<Vec<DataCategory>> {
    let family = family(tx, child).await?;
    let record = tx.basis_record(child.id).await?;
    Ok(wanted
        .iter()
        .copied()
        .filter(|category| {
            let req = Request {
                org_id,
                kind,
                category: *category,
                now: ctx.now,
                day: ctx.today(),
            };
            basis_for(rules(), &family, &record, &req).is_none()
        })
        .collect())
}

/// The refusal to give when no basis lets `org` see every category of `wanted` of the child
/// now: it names what is missing and where to record a basis (shown at the form's `field`).
pub(crate) async fn basis_refusal(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
    org: &crate::Organisation,
    kind: RecipientKind,
    wanted: &[DataCategory],
    field: &str,
) -> ServiceResult<Option<FieldError>> {
    let missing = uncovered(tx, ctx, child, org.id, kind, wanted).await?;
    if missing.is_empty() {
        return Ok(None);
    }
    let names = |lang| {
        missing
            .iter()
            .map(|c| c.label(lang))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(Some(FieldError::new(
        field,
        format!(
            "No consent or statutory basis lets {} see {} now: record it on the child's lawful-basis page first.",
            org.name,
            names(samspor_domain::i18n::Lang::En)
        ),
        format!(
            "Intet samtykke eller lovgrundlag giver {} adgang til {} nu: registrér det først på barnets side »Samtykke og deling«.",
            org.name,
            names(samspor_domain::i18n::Lang::Da)
        ),
    )))
}

/// Shares the course with `org` unless an open share already does.
pub(crate) async fn ensure_share(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
    course_id: Uuid,
    org: &crate::Organisation,
    kind: RecipientKind,
) -> crate::Result<()> {
    let shared =
        tx.shares_of_child(child.id).await?.into_iter().any(|s| {
            s.course_id == course_id && s.recipient_org_id == org.id && s.ended_at.is_none()
        });
    if !shared {
        open_share(tx, ctx, child, course_id, org, kind).await?;
    }
    Ok(())
}

pub async fn end_share(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    share_id: Uuid,
) -> ServiceResult<()> {
    store
        .write(async |tx| {
            owned(tx, ctx, child_id).await?;
            let ours = tx
                .shares_of_child(child_id)
                .await?
                .iter()
                .any(|s| s.id == share_id);
            if !ours || !tx.end_share(share_id, ctx.actor.user_id, ctx.now).await? {
                return Err(ServiceError::NotFound);
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "share",
                    Some(share_id),
                    Some(child_id),
                    "ended",
                ),
            );
            Ok(())
        })
        .await
}

/// A notification as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NotificationInput {
    pub made_on: Option<String>,
    pub summary: Option<String>,
    pub withheld_until: Option<String>,
    pub withheld_reason: Option<String>,
}

pub async fn record_notification(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &NotificationInput,
) -> ServiceResult<Notification> {
    store
        .write(async |tx| {
            let child = owned(tx, ctx, child_id).await?;
            let mut errors = FieldErrors::default();
            let made_on = optional_day(&mut errors, "made_on", input.made_on.as_deref())
                .unwrap_or(ctx.today());
            let summary = required_text(&mut errors, "summary", input.summary.as_deref(), 1000);
            let withheld = withholding(
                &mut errors,
                input.withheld_until.as_deref(),
                input.withheld_reason.as_deref(),
            );
            let n = errors.into_result(Notification {
                id: Uuid::now_v7(),
                made_by: ctx.actor.user_id,
                made_on,
                summary,
                withheld,
            })?;
            tx.insert_notification(child_id, child.org_id, &n, ctx.now)
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "notification",
                    Some(n.id),
                    Some(child_id),
                    "",
                ),
            );
            Ok(n)
        })
        .await
}

/// A custody check as entered.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CustodyCheckInput {
    pub checked_on: Option<String>,
    pub source: Option<String>,
}

pub async fn record_custody_check(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &CustodyCheckInput,
) -> ServiceResult<()> {
    store
        .write(async |tx| {
            owned(tx, ctx, child_id).await?;
            let mut errors = FieldErrors::default();
            let on = optional_day(&mut errors, "checked_on", input.checked_on.as_deref())
                .unwrap_or(ctx.today());
            let source = required_text(&mut errors, "source", input.source.as_deref(), 200);
            errors.into_result(())?;
            tx.insert_custody_check(child_id, on, ctx.actor.user_id, &source, ctx.now)
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "custody_check",
                    None,
                    Some(child_id),
                    "",
                ),
            );
            Ok(())
        })
        .await
}

/// An emergency access as entered: the child by CPR (in the body, never the URL) and why.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EmergencyInput {
    pub cpr: Option<String>,
    pub reason: Option<String>,
}

/// Opens the records of a child registered by other organisations, because of acute risk. The
/// access is recorded (the owners see it on the child's lawful-basis page, for review) and lasts
/// the rules' number of hours. Returns the ids of the records opened.
pub async fn open_emergency(
    store: &Store,
    ctx: &Ctx,
    input: &EmergencyInput,
) -> ServiceResult<Vec<Uuid>> {
    store
        .write(async |tx| {
            let mut errors = FieldErrors::default();
            let reason = required_text(&mut errors, "reason", input.reason.as_deref(), 500);
            let cpr = match samspor_domain::cpr::Cpr::parse(input.cpr.as_deref().unwrap_or("")) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(e.to_field_error("cpr"));
                    None
                }
            };
            errors.into_result(())?;
            let own = tx
                .organisation(ctx.actor.org_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let Some(kind) = RecipientKind::of(own.kind).filter(|k| {
                rules()
                    .statutory(*k, samspor_domain::lawful_basis::Ground::VitalInterests)
                    .is_some()
            }) else {
                return Err(ServiceError::Forbidden);
            };
            let ids = tx
                .children_by_cpr_everywhere(cpr.as_ref().map(|c| c.as_str()).unwrap_or_default())
                .await?;
            let mut opened = Vec::new();
            for id in ids {
                let Some(child) = tx.child(id).await? else {
                    continue;
                };
                if child.org_id == ctx.actor.org_id {
                    continue;
                }
                let access = EmergencyAccess {
                    id: Uuid::now_v7(),
                    org_id: ctx.actor.org_id,
                    kind,
                    user_id: ctx.actor.user_id,
                    reason: reason.clone(),
                    at: ctx.now,
                };
                tx.insert_emergency(child.id, child.org_id, &access).await?;
                let grant = grant(tx, ctx, &child).await?;
                tx.authorize(
                    &ctx.actor,
                    Action::Read,
                    Resource::Child {
                        owner_org: child.org_id,
                        category: DataCategory::ContactAndCourse,
                        course: None,
                        grant: grant.as_ref(),
                    },
                )?;
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Create,
                        "emergency_access",
                        Some(access.id),
                        Some(child.id),
                        "",
                    ),
                );
                opened.push(child.id);
            }
            if opened.is_empty() {
                return Err(ServiceError::NotFound);
            }
            Ok(opened)
        })
        .await
}

/// One share of a course as the owner's course page shows it: the recipient, the basis that
/// covers its contact and course facts now, and that basis's last day.
#[derive(Debug, Clone, Serialize)]
pub struct ShareBadge {
    pub recipient_name: String,
    pub basis: Option<Basis>,
    pub until: Option<NaiveDate>,
}

/// The shares of one of the actor's own courses, each with the basis it runs on now; a course
/// of another organisation has none to show.
pub async fn course_shares(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    course_id: Uuid,
) -> ServiceResult<Vec<ShareBadge>> {
    store
        .read(async |tx| {
            let child = tx.child(child_id).await?.ok_or(ServiceError::NotFound)?;
            if child.org_id != ctx.actor.org_id {
                return Ok(Vec::new());
            }
            tx.authorize(&ctx.actor, Action::Read, Resource::child(child.org_id))?;
            let shares: Vec<Share> = tx
                .shares_of_child(child_id)
                .await?
                .into_iter()
                .filter(|s| s.course_id == course_id && s.ended_at.is_none())
                .collect();
            if shares.is_empty() {
                return Ok(Vec::new());
            }
            let record = tx.basis_record(child_id).await?;
            let statutory = record.statutory.clone();
            let family = family(tx, &child).await?;
            let badges = shares
                .into_iter()
                .map(|s| {
                    let req = Request {
                        org_id: s.recipient_org_id,
                        kind: s.recipient_kind,
                        category: DataCategory::ContactAndCourse,
                        now: ctx.now,
                        day: ctx.today(),
                    };
                    let basis = basis_for(rules(), &family, &record, &req);
                    let until = match &basis {
                        Some(Basis::Consent { id, .. }) => record
                            .consents
                            .iter()
                            .find(|c| c.id == *id)
                            .and_then(|c| c.valid_to),
                        Some(Basis::Statutory { id, .. }) => {
                            statutory.iter().find(|b| b.id == *id).and_then(|b| b.to)
                        }
                        _ => None,
                    };
                    ShareBadge {
                        recipient_name: s.recipient_name,
                        basis,
                        until,
                    }
                })
                .collect();
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "share",
                    Some(course_id),
                    Some(child_id),
                    "course badges",
                ),
            );
            Ok(badges)
        })
        .await
}
