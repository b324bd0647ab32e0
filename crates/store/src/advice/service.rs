//! Asking child psychiatry for advice, the unit's queue and answer, and the asker's view.

use crate::advice::model::{AdviceAnswer, AdviceRequest};
use crate::children::load_seen;
use crate::organisations::Names;
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Store, Work};
use samspor_domain::access::{Action, Resource};
use samspor_domain::advice::{QuestionInput, parse_answer, parse_question};
use samspor_domain::audit::AuditAction;
use samspor_domain::lawful_basis::DataCategory;
use samspor_domain::lawful_basis::kinds::RecipientKind;
use samspor_domain::organisation::OrgKind;
use samspor_domain::referral::PartnershipRules;
use samspor_domain::role::Role;
use samspor_domain::validation::{FieldError, FieldErrors};
use uuid::Uuid;

/// What an identified question shows child psychiatry: the child and the course facts.
const ASKED_CATEGORIES: [DataCategory; 1] = [DataCategory::ContactAndCourse];

/// How far back the lists reach for answered (unit) or read (asker) requests.
const LIST_DAYS: u64 = 90;

#[derive(Debug, Clone, Default)]
pub struct AskInput {
    pub to_org_id: Option<Uuid>,
    pub question: QuestionInput,
}

/// A request with the names a reader needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdviceView {
    #[serde(flatten)]
    pub request: AdviceRequest,
    pub from_name: String,
    pub to_name: String,
    /// For an identified question: the child's name and age today.
    pub child_name: Option<String>,
    pub child_age: Option<u32>,
    /// Whether the reader is the unit asked (and may answer).
    pub received: bool,
    /// Working days from the day of asking to the answer.
    pub working_days_taken: Option<u32>,
}

/// Asks a child-psychiatry unit for advice. A question about a child's course goes only on a
/// basis covering the course facts for that unit, and shares the course with it.
pub async fn ask(store: &Store, ctx: &Ctx, input: &AskInput) -> ServiceResult<AdviceRequest> {
    let mut errors = FieldErrors::default();
    let question = parse_question(&input.question)
        .map_err(|e| errors.extend(e))
        .ok();
    store
        .write(async |tx| {
            tx.authorize(
                &ctx.actor,
                Action::Create,
                Resource::AdviceRequests {
                    from_org: ctx.actor.org_id,
                    to_org: input.to_org_id.unwrap_or_default(),
                },
            )?;
            let org = match input.to_org_id {
                Some(id) => tx
                    .organisation(id)
                    .await?
                    .filter(|o| o.kind == OrgKind::Psychiatry),
                None => None,
            };
            if org.is_none() {
                errors.push(FieldError::new(
                    "to_org_id",
                    "Choose the child-psychiatry unit to ask.",
                    "Vælg den børne- og ungdomspsykiatriske enhed, der spørges.",
                ));
            }
            let course_id = input.question.course_id;
            let child = match course_id {
                Some(id) => Some(crate::courses::load(tx, ctx, id, Action::Update).await?.1),
                None => None,
            };
            if let (Some(child), Some(org)) = (&child, &org) {
                let kind = RecipientKind::ChildPsychiatry;
                let refusal = crate::consent::basis_refusal(
                    tx,
                    ctx,
                    child,
                    org,
                    kind,
                    &ASKED_CATEGORIES,
                    "to_org_id",
                )
                .await?;
                if let Some(e) = refusal {
                    errors.push(e);
                }
            }
            let (Some(question), Some(org), true) = (question, org, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            if let (Some(child), Some(course_id)) = (&child, course_id) {
                let kind = RecipientKind::ChildPsychiatry;
                crate::consent::ensure_share(tx, ctx, child, course_id, &org, kind).await?;
            }
            let today = ctx.today();
            let request = AdviceRequest {
                id: Uuid::now_v7(),
                from_org_id: ctx.actor.org_id,
                to_org_id: org.id,
                asked_by: ctx.actor.user_id,
                asked_at: ctx.now,
                asked_on: today,
                due_on: PartnershipRules::shipped().advice_due(today),
                child_id: child.as_ref().map(|c| c.id),
                subject: question.subject,
                question: question.question,
                answer: None,
                answer_read_at: None,
            };
            tx.insert_advice_request(&request).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "advice_request",
                    Some(request.id),
                    request.child_id,
                    "asked",
                ),
            );
            Ok(request)
        })
        .await
}

/// A request as the reader may see it: the asking organisation's clinical staff, or the unit
/// asked (an identified child through the course's share). Anyone else gets `NotFound`.
async fn view(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    request: AdviceRequest,
    names: &mut Names,
) -> ServiceResult<AdviceView> {
    tx.authorize(
        &ctx.actor,
        Action::Read,
        Resource::AdviceRequests {
            from_org: request.from_org_id,
            to_org: request.to_org_id,
        },
    )?;
    let (child_name, child_age) = match (request.child_id, request.course_id()) {
        (Some(child_id), Some(course_id)) => {
            let category = DataCategory::ContactAndCourse;
            let seen = load_seen(tx, ctx, child_id, category, Some(course_id)).await?;
            let data = &seen.child.data;
            (
                Some(format!("{} {}", data.given_name, data.family_name)),
                Some(data.cpr.age_on(ctx.today())),
            )
        }
        _ => (None, None),
    };
    let working_days_taken = request.answer.as_ref().map(|a| {
        PartnershipRules::shipped()
            .working_days()
            .between(request.asked_on, a.answered_on)
    });
    Ok(AdviceView {
        from_name: names.of(tx, request.from_org_id).await?,
        to_name: names.of(tx, request.to_org_id).await?,
        received: request.to_org_id == ctx.actor.org_id,
        child_name,
        child_age,
        working_days_taken,
        request,
    })
}

fn audit_read(tx: &mut Work<'_>, ctx: &Ctx, action: AuditAction, r: &AdviceRequest) {
    tx.audit(
        ctx.now,
        ctx.event(action, "advice_request", Some(r.id), r.child_id, ""),
    );
}

/// One request. When someone of the asking organisation reads an answer for the first time,
/// it is marked as read (it leaves the front page's "new answers").
pub async fn read(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<AdviceView> {
    let v = store
        .read(async |tx| {
            let r = tx.advice_request(id).await?.ok_or(ServiceError::NotFound)?;
            let v = view(tx, ctx, r, &mut Names::default()).await?;
            audit_read(tx, ctx, AuditAction::Read, &v.request);
            Ok::<_, ServiceError>(v)
        })
        .await?;
    let unread = v.request.answer.is_some() && v.request.answer_read_at.is_none();
    if unread && v.request.from_org_id == ctx.actor.org_id {
        store
            .write(async |tx| {
                tx.authorize(
                    &ctx.actor,
                    Action::Read,
                    Resource::AdviceRequests {
                        from_org: v.request.from_org_id,
                        to_org: v.request.to_org_id,
                    },
                )?;
                tx.mark_advice_read(id, ctx.now).await?;
                Ok::<_, ServiceError>(())
            })
            .await?;
    }
    Ok(v)
}

/// The requests of the actor's organisation: a unit's queue (open ones by deadline, then the
/// answers of the last 90 days), or what an organisation asked (open and unread ones, and the
/// last 90 days). An identified request whose basis has lapsed is left out for the unit.
pub async fn list(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<AdviceView>> {
    if !ctx.actor.role.works_with_children() {
        return Ok(Vec::new());
    }
    let org = ctx.actor.org_id;
    let since = ctx.today() - chrono::Days::new(LIST_DAYS);
    store
        .read(async |tx| {
            let all = if ctx.actor.role == Role::Psychiatry {
                let queue = Resource::AdviceRequests {
                    from_org: Uuid::nil(),
                    to_org: org,
                };
                tx.authorize(&ctx.actor, Action::Search, queue)?;
                tx.advice_asked_of(org, since).await?
            } else {
                let asked = Resource::AdviceRequests {
                    from_org: org,
                    to_org: Uuid::nil(),
                };
                tx.authorize(&ctx.actor, Action::Search, asked)?;
                tx.advice_asked_by(org, since).await?
            };
            views(tx, ctx, all, AuditAction::Search).await
        })
        .await
}

async fn views(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    all: Vec<AdviceRequest>,
    action: AuditAction,
) -> ServiceResult<Vec<AdviceView>> {
    let mut out = Vec::new();
    let mut names = Names::default();
    for r in all {
        match view(tx, ctx, r, &mut names).await {
            Ok(v) => {
                audit_read(tx, ctx, action, &v.request);
                out.push(v);
            }
            Err(ServiceError::NotFound) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The advice asked about a course, for its page.
pub async fn of_course(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
) -> ServiceResult<Vec<AdviceView>> {
    store
        .read(async |tx| {
            let all = tx.advice_of_course(course_id).await?;
            let mut out = views(tx, ctx, all, AuditAction::Read).await?;
            // A reader who may not see advice at all (an administrator) sees none here.
            out.retain(|v| v.received || v.request.from_org_id == ctx.actor.org_id);
            Ok(out)
        })
        .await
}

/// Child psychiatry's answer.
pub async fn answer(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    text: Option<&str>,
) -> ServiceResult<AdviceRequest> {
    store
        .write(async |tx| {
            let r = tx.advice_request(id).await?.ok_or(ServiceError::NotFound)?;
            if r.to_org_id != ctx.actor.org_id {
                return Err(ServiceError::NotFound);
            }
            tx.authorize(
                &ctx.actor,
                Action::Update,
                Resource::AdviceRequests {
                    from_org: r.from_org_id,
                    to_org: r.to_org_id,
                },
            )?;
            view(tx, ctx, r.clone(), &mut Names::default()).await?;
            let answer = AdviceAnswer {
                text: parse_answer(text)?,
                answered_at: ctx.now,
                answered_by: ctx.actor.user_id,
                answered_on: ctx.today(),
            };
            if !tx.answer_advice(id, &answer).await? {
                return Err(FieldError::new(
                    "answer",
                    "The question has already been answered.",
                    "Spørgsmålet er allerede besvaret.",
                )
                .into());
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "advice_request",
                    Some(id),
                    r.child_id,
                    "answered",
                ),
            );
            tx.advice_request(id).await?.ok_or(ServiceError::NotFound)
        })
        .await
}
