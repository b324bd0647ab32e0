//! Use cases of learning-environment guidance: institutions, sessions, and what the indicators
//! count. A session about named children is allowed only for the municipality's own children,
//! at an institution that is a school in Samspor, on a basis covering that school now.

use crate::learning_environment::model::{Institution, LearningEnvSession};
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Store, Work};
use samspor_domain::access::{Action, Resource};
use samspor_domain::audit::AuditAction;
use samspor_domain::course::careplan::CourseStatus;
use samspor_domain::lawful_basis::{DataCategory, RecipientKind};
use samspor_domain::learning_environment::{
    InstitutionInput, SessionInput, Subject, Theme, parse_institution, parse_session,
};
use samspor_domain::organisation::OrgKind;
use samspor_domain::validation::{FieldError, FieldErrors};
use std::collections::HashMap;
use uuid::Uuid;

/// How many recent sessions the overview lists.
const RECENT: i64 = 100;

/// What a guidance session about named children tells the school.
const TOLD: [DataCategory; 1] = [DataCategory::ContactAndCourse];

#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionLine {
    #[serde(flatten)]
    pub session: LearningEnvSession,
    pub institution_name: String,
    /// The children named: (id, name).
    pub children: Vec<(Uuid, String)>,
}

/// The municipality's guidance: its institutions, its recent sessions, and what the forms offer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Overview {
    pub institutions: Vec<Institution>,
    pub sessions: Vec<SessionLine>,
    /// Schools in Samspor an institution can be linked to: (organisation, name).
    pub schools: Vec<(Uuid, String)>,
    /// The municipality's children with an active course, who a session can name: (id, name).
    pub children: Vec<(Uuid, String)>,
}

fn resource(ctx: &Ctx) -> Resource<'static> {
    Resource::LearningEnvironment {
        org: ctx.actor.org_id,
    }
}

fn name_of(child: &crate::Child) -> String {
    format!("{} {}", child.data.given_name, child.data.family_name)
}

pub async fn overview(store: &Store, ctx: &Ctx) -> ServiceResult<Overview> {
    store
        .read(async |tx| {
            tx.authorize(&ctx.actor, Action::Search, resource(ctx))?;
            let org = ctx.actor.org_id;
            let institutions = tx.institutions(org).await?;
            let names: HashMap<Uuid, String> = institutions
                .iter()
                .map(|i| (i.id, i.name.clone()))
                .collect();
            let mut sessions = Vec::new();
            for s in tx.learning_env_sessions(org, RECENT).await? {
                let children = named(tx, ctx, &s, AuditAction::Search).await?;
                sessions.push(SessionLine {
                    institution_name: names.get(&s.institution_id).cloned().unwrap_or_default(),
                    children,
                    session: s,
                });
            }
            tx.authorize(&ctx.actor, Action::Search, Resource::ChildRegister)?;
            let mut children: Vec<(Uuid, String)> = tx
                .courses_of_org(org, Some(CourseStatus::Active))
                .await?
                .into_iter()
                .map(|c| (c.course.child_id, c.child_name))
                .collect();
            children.sort_by(|a, b| a.1.cmp(&b.1));
            children.dedup_by_key(|c| c.0);
            Ok(Overview {
                institutions,
                sessions,
                schools: schools(tx, ctx).await?,
                children,
            })
        })
        .await
}

/// The children a session names, each read through the access policy and the audit log.
async fn named(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    s: &LearningEnvSession,
    action: AuditAction,
) -> ServiceResult<Vec<(Uuid, String)>> {
    let Subject::Children { child_ids } = &s.subject else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for id in child_ids {
        let child = tx.child(*id).await?.ok_or(ServiceError::NotFound)?;
        tx.authorize(&ctx.actor, Action::Read, Resource::child(child.org_id))?;
        tx.audit(
            ctx.now,
            ctx.event(
                action,
                "learning_env_session",
                Some(s.id),
                Some(child.id),
                "",
            ),
        );
        out.push((child.id, name_of(&child)));
    }
    Ok(out)
}

/// The schools in Samspor an institution of the municipality can be linked to: those of the
/// municipality, and those the secretariat placed directly under its region.
async fn schools(tx: &mut Work<'_>, ctx: &Ctx) -> ServiceResult<Vec<(Uuid, String)>> {
    let me = tx.organisation(ctx.actor.org_id).await?;
    let (municipality, region) = match me {
        Some(o) => (o.municipality_code, o.region_code),
        None => (None, None),
    };
    Ok(tx
        .organisations()
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::School)
        .filter(|o| {
            (o.municipality_code.is_some() && o.municipality_code == municipality)
                || (o.municipality_code.is_none()
                    && o.region_code.is_some()
                    && o.region_code == region)
        })
        .map(|o| (o.id, o.name))
        .collect())
}

pub async fn add_institution(
    store: &Store,
    ctx: &Ctx,
    input: &InstitutionInput,
) -> ServiceResult<Institution> {
    let parsed = parse_institution(input)?;
    store
        .write(async |tx| {
            tx.authorize(&ctx.actor, Action::Create, resource(ctx))?;
            let mut errors = FieldErrors::default();
            let taken = tx
                .institutions(ctx.actor.org_id)
                .await?
                .iter()
                .any(|i| i.name.to_lowercase() == parsed.name.to_lowercase());
            if taken {
                errors.push(FieldError::new(
                    "name",
                    "The municipality already has an institution of this name.",
                    "Kommunen har allerede en institution med dette navn.",
                ));
            }
            if let Some(org) = parsed.org_id
                && !schools(tx, ctx).await?.iter().any(|(id, _)| *id == org)
            {
                errors.push(FieldError::new(
                    "org_id",
                    "Choose one of the municipality's schools in Samspor, or none.",
                    "Vælg en af kommunens skoler i Samspor, eller ingen.",
                ));
            }
            let () = errors.into_result(())?;
            let institution = Institution {
                id: Uuid::now_v7(),
                org_id: ctx.actor.org_id,
                kind: parsed.kind,
                name: parsed.name.clone(),
                linked_org_id: parsed.org_id,
                created_at: ctx.now,
                created_by: ctx.actor.user_id,
            };
            tx.insert_institution(&institution).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "learning_env_institution",
                    Some(institution.id),
                    None,
                    "",
                ),
            );
            Ok(institution)
        })
        .await
}

pub async fn record_session(
    store: &Store,
    ctx: &Ctx,
    input: &SessionInput,
) -> ServiceResult<LearningEnvSession> {
    let parsed = parse_session(input, ctx.today())?;
    store
        .write(async |tx| {
            tx.authorize(&ctx.actor, Action::Create, resource(ctx))?;
            let institution = tx
                .institution(parsed.institution_id)
                .await?
                .filter(|i| i.org_id == ctx.actor.org_id);
            let Some(institution) = institution else {
                return Err(FieldError::new(
                    "institution_id",
                    "Choose one of the municipality's institutions.",
                    "Vælg en af kommunens institutioner.",
                )
                .into());
            };
            if let Subject::Children { child_ids } = &parsed.subject {
                children_allowed(tx, ctx, &institution, child_ids).await?;
            }
            let session = LearningEnvSession {
                id: Uuid::now_v7(),
                org_id: ctx.actor.org_id,
                institution_id: institution.id,
                held_on: parsed.held_on,
                subject: parsed.subject.clone(),
                participants: parsed.participants.clone(),
                themes: parsed.themes.clone(),
                notes: parsed.notes.clone(),
                follow_up: parsed.follow_up.clone(),
                follow_up_on: parsed.follow_up_on,
                created_at: ctx.now,
                created_by: ctx.actor.user_id,
            };
            tx.insert_learning_env_session(&session).await?;
            if matches!(session.subject, Subject::Group { .. }) {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Create,
                        "learning_env_session",
                        Some(session.id),
                        None,
                        "group",
                    ),
                );
            }
            named(tx, ctx, &session, AuditAction::Create).await?;
            Ok(session)
        })
        .await
}

/// Named children must be the municipality's own, and the institution a school in Samspor
/// that a lawful basis covers for each of them now.
async fn children_allowed(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    institution: &Institution,
    child_ids: &[Uuid],
) -> ServiceResult<()> {
    let field = "child_ids";
    let Some(school) = institution.linked_org_id else {
        return Err(FieldError::new(
            field,
            "Guidance about named children needs the institution to be linked to its school in Samspor, so that a consent can name it. Record the session about the class or group instead, or link the institution.",
            "Vejledning om navngivne børn kræver, at institutionen er knyttet til sin skole i Samspor, så et samtykke kan nævne den. Registrér vejledningen om klassen eller gruppen i stedet, eller knyt institutionen.",
        )
        .into());
    };
    let school = tx
        .organisation(school)
        .await?
        .ok_or(ServiceError::NotFound)?;
    for id in child_ids {
        let child = tx
            .child(*id)
            .await?
            .filter(|c| c.org_id == ctx.actor.org_id);
        let Some(child) = child else {
            return Err(FieldError::new(
                field,
                "Choose among the municipality's own children.",
                "Vælg blandt kommunens egne børn.",
            )
            .into());
        };
        tx.authorize(&ctx.actor, Action::Update, Resource::child(child.org_id))?;
        let refusal = crate::consent::basis_refusal(
            tx,
            ctx,
            &child,
            &school,
            RecipientKind::SchoolPpr,
            &TOLD,
            field,
        )
        .await?;
        if let Some(e) = refusal {
            return Err(e.into());
        }
    }
    Ok(())
}

/// What the indicators count of a municipality's guidance in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub sessions: usize,
    pub about_groups: usize,
    pub about_named_children: usize,
    /// Distinct children named in the period.
    pub children: usize,
    /// Distinct institutions guided in the period.
    pub institutions: usize,
    /// Sessions per theme, in the themes' order; a session counts once per theme.
    pub themes: Vec<(Theme, usize)>,
    /// Sessions with an agreed follow-up.
    pub with_follow_up: usize,
}

pub async fn counts(
    store: &Store,
    ctx: &Ctx,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> ServiceResult<Counts> {
    store
        .read(async |tx| {
            tx.authorize(&ctx.actor, Action::Search, resource(ctx))?;
            let sessions = tx
                .learning_env_sessions_between(ctx.actor.org_id, from, to)
                .await?;
            Ok(count(&sessions))
        })
        .await
}

fn count(sessions: &[LearningEnvSession]) -> Counts {
    let mut children = std::collections::HashSet::new();
    let mut institutions = std::collections::HashSet::new();
    let mut c = Counts::default();
    for s in sessions {
        c.sessions += 1;
        institutions.insert(s.institution_id);
        match &s.subject {
            Subject::Group { .. } => c.about_groups += 1,
            Subject::Children { child_ids } => {
                c.about_named_children += 1;
                children.extend(child_ids.iter().copied());
            }
        }
        c.with_follow_up += usize::from(s.follow_up.is_some() || s.follow_up_on.is_some());
    }
    c.children = children.len();
    c.institutions = institutions.len();
    c.themes = Theme::ALL
        .iter()
        .map(|t| (*t, sessions.iter().filter(|s| s.themes.contains(t)).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    c
}
