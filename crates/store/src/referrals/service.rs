//! Sending a referral from a course to child psychiatry, the unit's queue and answer, and the
//! municipality's view of what it sent.

use crate::children::load_seen;
use crate::medcom::model::DeliveryState;
use crate::organisations::Names;
use crate::referrals::model::{ReferralToPsychiatry, Referrer};
use crate::service::{Ctx, ServiceError, ServiceResult, check};
use crate::{Child, Store, Work};
use chrono::NaiveDate;
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::AuditAction;
use samspor_domain::child::{ChildInput, parse_child};
use samspor_domain::cpr::Cpr;
use samspor_domain::lawful_basis::DataCategory;
use samspor_domain::lawful_basis::kinds::RecipientKind;
use samspor_domain::medcom::letters::referral_answer_letter;
use samspor_domain::organisation::OrgKind;
use samspor_domain::referral::counts::{ReferralCounts, ReferralFacts, count};
use samspor_domain::referral::gp::{GpReferralInput, parse_gp_referral};
use samspor_domain::referral::{
    AnswerInput, PartnershipRules, ReferralInput, ReferralStatus, answer_due, parse_answer,
    parse_referral,
};
use samspor_domain::role::Role;
use samspor_domain::validation::{FieldError, FieldErrors};
use uuid::Uuid;

/// What a referral carries to child psychiatry: the course and contact facts, and the scores.
const SENT_CATEGORIES: [DataCategory; 2] = [DataCategory::ContactAndCourse, DataCategory::Scores];

/// A referral as the municipality sends it.
#[derive(Debug, Clone, Default)]
pub struct SendInput {
    pub to_org_id: Option<Uuid>,
    pub text: ReferralInput,
}

/// A referral with the names a reader needs, as one side of it may see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReferralView {
    #[serde(flatten)]
    pub referral: ReferralToPsychiatry,
    pub child_name: String,
    /// The child's age in completed years today.
    pub age: u32,
    pub from_name: String,
    pub to_name: String,
    /// Whether the reader is the unit that received it (and may answer).
    pub received: bool,
    /// For an answered GP's referral: where the MedCom message with the answer is; `None` also
    /// when it could not be queued because the unit's MedCom routing is not set up.
    pub answer_message: Option<DeliveryState>,
}

impl ReferralView {
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.referral.status == ReferralStatus::Sent && self.referral.due_on < today
    }
}

/// Sends the referral visitation drafted for a course to a child-psychiatry unit. A basis must
/// cover the course facts and the scores for that unit now; the course is shared with it, and
/// the answer is due by the region's deadline.
pub async fn send(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    input: &SendInput,
) -> ServiceResult<ReferralToPsychiatry> {
    let mut errors = FieldErrors::default();
    let text = parse_referral(&input.text)
        .map_err(|e| errors.extend(e))
        .ok();
    store
        .write(async |tx| {
            let (course, child) =
                crate::courses::load(tx, ctx, course_id, Action::Update).await?;
            let draft = tx
                .psychiatry_referrals(course.id)
                .await?
                .into_iter()
                .find(|d| d.status == "to_be_sent");
            if draft.is_none() {
                errors.push(FieldError::new(
                    "course",
                    "This course has no referral to child psychiatry waiting: it is written by a visitation decision to refer there.",
                    "Forløbet har ingen henvisning til børne- og ungdomspsykiatrien, der venter: den skrives af en visitationsafgørelse om at henvise dertil.",
                ));
            }
            let org = match input.to_org_id {
                Some(id) => tx
                    .organisation(id)
                    .await?
                    .filter(|o| o.kind == OrgKind::Psychiatry),
                None => None,
            };
            match &org {
                None => errors.push(FieldError::new(
                    "to_org_id",
                    "Choose the child-psychiatry unit to refer to.",
                    "Vælg den børne- og ungdomspsykiatriske enhed, der henvises til.",
                )),
                Some(org) => {
                    let refusal = crate::consent::basis_refusal(
                        tx,
                        ctx,
                        &child,
                        org,
                        RecipientKind::ChildPsychiatry,
                        &SENT_CATEGORIES,
                        "to_org_id",
                    )
                    .await?;
                    if let Some(e) = refusal {
                        errors.push(e);
                    }
                }
            }
            let (Some(text), Some(org), Some(draft), true) = (text, org, draft, errors.is_empty())
            else {
                return Err(ServiceError::Invalid(errors));
            };
            crate::consent::ensure_share(
                tx,
                ctx,
                &child,
                course.id,
                &org,
                RecipientKind::ChildPsychiatry,
            )
            .await?;
            let today = ctx.today();
            let days = PartnershipRules::shipped()
                .answer_days(org.region_code.as_deref(), today)
                .value;
            let referral = ReferralToPsychiatry {
                id: Uuid::now_v7(),
                child_id: child.id,
                referrer: Referrer::Municipality {
                    course_id: course.id,
                    from_org_id: child.org_id,
                },
                to_org_id: org.id,
                draft_id: Some(draft.id),
                text,
                scores: draft.content["screening"].clone(),
                received_on: today,
                due_on: answer_due(today, days),
                sent_at: ctx.now,
                sent_by: ctx.actor.user_id,
                status: ReferralStatus::Sent,
                answered_at: None,
                answered_by: None,
                answer_note: None,
                return_way: None,
                acted_at: None,
                acted_by: None,
            };
            tx.insert_referral_to_psychiatry(&referral)
                .await
                .map_err(|e| match e {
                    crate::StoreError::Unique(_) => ServiceError::Invalid(
                        FieldError::new(
                            "course",
                            "A referral from this course already waits for an answer.",
                            "En henvisning fra forløbet venter allerede på svar.",
                        )
                        .into(),
                    ),
                    other => other.into(),
                })?;
            tx.mark_draft_sent(draft.id).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "referral_to_psychiatry",
                    Some(referral.id),
                    Some(child.id),
                    "sent",
                ),
            );
            Ok(referral)
        })
        .await
}

/// The child behind a referral as the reader's organisation may see it: the receiving unit's
/// through the share (or its own record, for a GP's referral), a municipality's own child, or
/// for a practice in Samspor the child as its referral named it. Anyone else gets `NotFound`.
async fn seen_by(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    r: &ReferralToPsychiatry,
) -> ServiceResult<(Child, bool, bool)> {
    let received = r.to_org_id == ctx.actor.org_id;
    if received {
        tx.authorize(
            &ctx.actor,
            Action::Read,
            Resource::ReceivedReferrals {
                to_org: r.to_org_id,
            },
        )?;
    } else if r.referrer.from_org_id() != Some(ctx.actor.org_id) {
        return Err(ServiceError::NotFound);
    } else if r.is_from_gp() {
        tx.authorize(
            &ctx.actor,
            Action::Read,
            Resource::GpReferrals {
                from_org: ctx.actor.org_id,
            },
        )?;
        let mut child = tx.child(r.child_id).await?.ok_or(ServiceError::NotFound)?;
        child.data.address = None;
        return Ok((child, false, false));
    }
    let seen = load_seen(
        tx,
        ctx,
        r.child_id,
        DataCategory::ContactAndCourse,
        r.referrer.course_id(),
    )
    .await?;
    let scores = seen.may(DataCategory::Scores);
    Ok((seen.child, received, scores))
}

async fn view(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    r: ReferralToPsychiatry,
    names: &mut Names,
) -> ServiceResult<ReferralView> {
    let (child, received, scores) = seen_by(tx, ctx, &r).await?;
    let mut referral = r;
    if !scores {
        referral.scores = serde_json::Value::Null;
    }
    let from_name = match &referral.referrer {
        Referrer::Municipality { from_org_id, .. } => names.of(tx, *from_org_id).await?,
        Referrer::Gp { referrer_name, .. } => referrer_name.clone(),
    };
    let to_name = names.of(tx, referral.to_org_id).await?;
    let answer_message = if referral.is_from_gp() && referral.status != ReferralStatus::Sent {
        tx.medcom_message_of_referral(referral.id)
            .await?
            .map(|m| m.state)
    } else {
        None
    };
    Ok(ReferralView {
        child_name: name_of(&child),
        age: child.data.cpr.age_on(ctx.today()),
        referral,
        from_name,
        to_name,
        received,
        answer_message,
    })
}

fn name_of(child: &Child) -> String {
    format!("{} {}", child.data.given_name, child.data.family_name)
}

/// One referral, for the municipality that sent it or the unit that received it.
pub async fn read(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<ReferralView> {
    store
        .read(async |tx| {
            let r = tx
                .referral_to_psychiatry(id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let child_id = r.child_id;
            let v = view(tx, ctx, r, &mut Default::default()).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "referral_to_psychiatry",
                    Some(id),
                    Some(child_id),
                    "",
                ),
            );
            Ok(v)
        })
        .await
}

/// The referrals of the actor's organisation: those a child-psychiatry unit received (its
/// intake queue, oldest deadline first), or those a municipality sent (newest first). A
/// referral whose basis has lapsed is left out, as if it did not exist.
pub async fn list(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<ReferralView>> {
    if !ctx.actor.role.works_with_children() {
        return Ok(Vec::new());
    }
    let org = ctx.actor.org_id;
    store
        .read(async |tx| {
            let all = if ctx.actor.role == Role::Psychiatry {
                tx.authorize(
                    &ctx.actor,
                    Action::Search,
                    Resource::ReceivedReferrals { to_org: org },
                )?;
                tx.referrals_to(org).await?
            } else if ctx.actor.role == Role::Gp {
                tx.authorize(
                    &ctx.actor,
                    Action::Search,
                    Resource::GpReferrals { from_org: org },
                )?;
                tx.referrals_from(org).await?
            } else {
                tx.referrals_from(org).await?
            };
            let mut out = Vec::new();
            let mut names = Default::default();
            for r in all {
                let (id, child_id) = (r.id, r.child_id);
                match view(tx, ctx, r, &mut names).await {
                    Ok(v) => out.push(v),
                    Err(ServiceError::NotFound) => continue,
                    Err(e) => return Err(e),
                }
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Search,
                        "referral_to_psychiatry",
                        Some(id),
                        Some(child_id),
                        "",
                    ),
                );
            }
            Ok(out)
        })
        .await
}

/// The referrals of a course, for its page.
pub async fn of_course(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
) -> ServiceResult<Vec<ReferralView>> {
    store
        .read(async |tx| {
            let mut out = Vec::new();
            let mut names = Default::default();
            for r in tx.referrals_of_course(course_id).await? {
                match view(tx, ctx, r, &mut names).await {
                    Ok(v) => out.push(v),
                    Err(ServiceError::NotFound) => continue,
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        })
        .await
}

/// Child psychiatry's answer: accepted, or returned naming the way forward.
pub async fn answer(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    input: &AnswerInput,
) -> ServiceResult<ReferralToPsychiatry> {
    store
        .write(async |tx| {
            let r = tx
                .referral_to_psychiatry(id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if r.to_org_id != ctx.actor.org_id {
                return Err(ServiceError::NotFound);
            }
            tx.authorize(
                &ctx.actor,
                Action::Update,
                Resource::ReceivedReferrals {
                    to_org: r.to_org_id,
                },
            )?;
            seen_by(tx, ctx, &r).await?;
            let answer = parse_answer(input)?;
            if !tx
                .answer_referral(id, &answer, ctx.actor.user_id, ctx.now)
                .await?
            {
                return Err(FieldError::new(
                    "answer",
                    "The referral has already been answered.",
                    "Henvisningen er allerede besvaret.",
                )
                .into());
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "referral_to_psychiatry",
                    Some(id),
                    Some(r.child_id),
                    answer.status().as_str(),
                ),
            );
            if let Referrer::Gp { gp_reference, .. } = &r.referrer
                && let Some(practice) = tx.child_gp_practice(r.child_id).await?
            {
                let unit = Names::default().of(tx, r.to_org_id).await?;
                let letter =
                    referral_answer_letter(&answer, &unit, r.received_on, gp_reference.as_deref());
                crate::medcom::queue_referral_answer(
                    tx,
                    ctx,
                    r.id,
                    r.child_id,
                    r.to_org_id,
                    practice,
                    letter,
                )
                .await?;
            }
            tx.referral_to_psychiatry(id)
                .await?
                .ok_or(ServiceError::NotFound)
        })
        .await
}

/// The municipality has acted on a return (a new contact, guidance, another offer).
pub async fn act_on_return(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    store
        .write(async |tx| {
            let r = tx
                .referral_to_psychiatry(id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if r.referrer.from_org_id() != Some(ctx.actor.org_id) || r.is_from_gp() {
                return Err(ServiceError::NotFound);
            }
            crate::children::load(tx, ctx, r.child_id, Action::Update).await?;
            if !tx.act_on_return(id, ctx.actor.user_id, ctx.now).await? {
                return Err(FieldError::new(
                    "referral",
                    "Only a returned referral not yet acted on can be marked as handled.",
                    "Kun en returneret henvisning, der ikke er handlet på, kan markeres som håndteret.",
                )
                .into());
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "referral_to_psychiatry",
                    Some(id),
                    Some(r.child_id),
                    "acted",
                ),
            );
            Ok(())
        })
        .await
}

/// A GP's referral as the receiving unit registers it: the child (found in the unit's records
/// by CPR number, or registered from these fields) and the referral with its practice.
#[derive(Debug, Clone, Default)]
pub struct GpReferralRegistration {
    pub child: ChildInput,
    pub referral: GpReferralInput,
}

/// Registers a GP's referral that reached the actor's child-psychiatry unit through the
/// referral service: it joins the intake queue with the region's deadline from the day it
/// arrived, the child's practice is recorded (the answer goes there through MedCom), and a
/// practice that uses Samspor follows it here.
pub async fn register_from_gp(
    store: &Store,
    ctx: &Ctx,
    input: &GpReferralRegistration,
) -> ServiceResult<ReferralToPsychiatry> {
    let unit_id = ctx.actor.org_id;
    check(authorize(
        &ctx.actor,
        Action::Create,
        Resource::ReceivedReferrals { to_org: unit_id },
    ))?;
    let today = ctx.today();
    let mut errors = FieldErrors::default();
    let referral = parse_gp_referral(&input.referral, today)
        .map_err(|e| errors.extend(e))
        .ok();
    let cpr = input.child.cpr.as_deref().and_then(|c| Cpr::parse(c).ok());
    store
        .write(async |tx| {
            let existing = match &cpr {
                Some(cpr) => tx.child_by_cpr(unit_id, cpr.as_str()).await?,
                None => None,
            };
            let new_child = match existing {
                Some(_) => None,
                None => parse_child(&input.child, today)
                    .map_err(|e| errors.extend(e))
                    .ok(),
            };
            let Some(referral) = referral.filter(|_| errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            let child_id = match (existing, new_child) {
                (Some(id), _) => crate::children::load(tx, ctx, id, Action::Update).await?.id,
                (None, Some(data)) => {
                    crate::children::insert_new(tx, ctx, data, "gp_referral")
                        .await?
                        .id
                }
                (None, None) => return Err(ServiceError::Invalid(errors)),
            };
            let open_twin = tx.referrals_of_child(child_id).await?.into_iter().any(|r| {
                r.to_org_id == unit_id
                    && r.status == ReferralStatus::Sent
                    && matches!(&r.referrer, Referrer::Gp { gp_reference, .. }
                        if gp_reference.is_some() && *gp_reference == referral.reference)
            });
            if open_twin {
                return Err(FieldError::new(
                    "reference",
                    "This referral is already registered and waits for an answer.",
                    "Henvisningen er allerede registreret og venter på svar.",
                )
                .into());
            }
            tx.set_child_gp_practice(child_id, &referral.practice, ctx.actor.user_id, ctx.now)
                .await?;
            let practice_org = tx.organisation_by_sor(&referral.practice.sor_code).await?;
            let unit = tx
                .organisation(unit_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let days = PartnershipRules::shipped()
                .answer_days(unit.region_code.as_deref(), referral.received_on)
                .value;
            let record = ReferralToPsychiatry {
                id: Uuid::now_v7(),
                child_id,
                referrer: Referrer::Gp {
                    from_org_id: practice_org,
                    referrer_name: referral.practice.name.clone(),
                    gp_reference: referral.reference,
                },
                to_org_id: unit_id,
                draft_id: None,
                text: referral.text,
                scores: serde_json::Value::Null,
                received_on: referral.received_on,
                due_on: answer_due(referral.received_on, days),
                sent_at: ctx.now,
                sent_by: ctx.actor.user_id,
                status: ReferralStatus::Sent,
                answered_at: None,
                answered_by: None,
                answer_note: None,
                return_way: None,
                acted_at: None,
                acted_by: None,
            };
            tx.insert_referral_to_psychiatry(&record).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "referral_to_psychiatry",
                    Some(record.id),
                    Some(child_id),
                    "registered_from_gp",
                ),
            );
            Ok(record)
        })
        .await
}

/// What the indicators count of the referrals of the actor's organisation (received by a
/// child-psychiatry unit, or sent by a municipality or practice) that arrived from `from` to `to`.
pub async fn counts(
    store: &Store,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
) -> ServiceResult<ReferralCounts> {
    let org = ctx.actor.org_id;
    store
        .read(async |tx| {
            let all = match ctx.actor.role {
                Role::Psychiatry => {
                    tx.authorize(
                        &ctx.actor,
                        Action::Search,
                        Resource::ReceivedReferrals { to_org: org },
                    )?;
                    tx.referrals_to(org).await?
                }
                Role::Gp => {
                    tx.authorize(
                        &ctx.actor,
                        Action::Search,
                        Resource::GpReferrals { from_org: org },
                    )?;
                    tx.referrals_from(org).await?
                }
                _ => {
                    tx.authorize(&ctx.actor, Action::Search, Resource::ChildRegister)?;
                    tx.referrals_from(org).await?
                }
            };
            let facts = all.iter().map(|r| ReferralFacts {
                from_gp: r.is_from_gp(),
                status: r.status,
                received_on: r.received_on,
                due_on: r.due_on,
                answered_on: r.answered_at.map(|at| crate::courses::local(at).date()),
                returned_to: r.return_way.as_ref().map(|w| w.destination),
            });
            Ok(count(facts, from, to, ctx.today()))
        })
        .await
}
