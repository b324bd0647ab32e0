//! Writing and reading a course's messages, and the unread count per course.

use crate::children::load_seen;
use crate::messages::model::CourseMessage;
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Child, Store, Work};
use samspor_domain::audit::AuditAction;
use samspor_domain::lawful_basis::DataCategory;
use samspor_domain::message::{MessageInput, parse_message};
use samspor_domain::validation::FieldError;
use std::collections::HashMap;
use uuid::Uuid;

/// A course's messages as one organisation sees them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseMessages {
    pub course_id: Uuid,
    pub child_name: String,
    /// Whom the reader's organisation may write to now: (organisation, name).
    pub recipients: Vec<(Uuid, String)>,
    pub threads: Vec<Thread>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Thread {
    pub id: Uuid,
    pub subject: String,
    pub messages: Vec<MessageLine>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageLine {
    #[serde(flatten)]
    pub message: CourseMessage,
    pub from_name: String,
    pub to_name: String,
    /// Sent to the reader's organisation and not read before this reading.
    pub new: bool,
}

/// A course with unread messages for the front page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unread {
    pub course_id: Uuid,
    pub child_name: String,
    pub count: i64,
}

/// The organisations that work on the course now: its owner, and every organisation it is
/// shared with whose basis covers the course facts today.
async fn parties(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    child: &Child,
    course_id: Uuid,
) -> ServiceResult<Vec<(Uuid, String)>> {
    let owner = tx.organisation(child.org_id).await?;
    let mut out: Vec<(Uuid, String)> = owner.map(|o| (o.id, o.name)).into_iter().collect();
    let shares = tx.shares_of_child(child.id).await?;
    for s in shares {
        let open = s.course_id == course_id && s.ended_at.is_none();
        if !open || out.iter().any(|(id, _)| *id == s.recipient_org_id) {
            continue;
        }
        let category = [DataCategory::ContactAndCourse];
        let uncovered = crate::consent::uncovered(
            tx,
            ctx,
            child,
            s.recipient_org_id,
            s.recipient_kind,
            &category,
        )
        .await?;
        if uncovered.is_empty() {
            out.push((s.recipient_org_id, s.recipient_name));
        }
    }
    Ok(out)
}

/// The course's child as the reader sees it (its owner, or through a share on a basis).
async fn course_child(tx: &mut Work<'_>, ctx: &Ctx, course_id: Uuid) -> ServiceResult<Child> {
    let course = tx.course(course_id).await?.ok_or(ServiceError::NotFound)?;
    let category = DataCategory::ContactAndCourse;
    Ok(
        load_seen(tx, ctx, course.child_id, category, Some(course_id))
            .await?
            .child,
    )
}

/// Sends a message on a course to another organisation that works on it now. A message to
/// an organisation outside that circle is refused: it would leave the basis's scope.
pub async fn send(
    store: &Store,
    ctx: &Ctx,
    course_id: Uuid,
    input: &MessageInput,
) -> ServiceResult<CourseMessage> {
    store
        .write(async |tx| {
            let child = course_child(tx, ctx, course_id).await?;
            let message = parse_message(input)?;
            let circle = parties(tx, ctx, &child, course_id).await?;
            let me = ctx.actor.org_id;
            let to = message.to_org_id;
            if to == me || !circle.iter().any(|(id, _)| *id == to) {
                return Err(FieldError::new(
                    "to_org_id",
                    "The course is not shared with this organisation on a basis now: the message cannot go there.",
                    "Forløbet er ikke delt med denne organisation på et grundlag nu: beskeden kan ikke sendes dertil.",
                )
                .into());
            }
            let id = Uuid::now_v7();
            let (thread_id, subject) = match message.reply_to {
                None => (id, message.subject.unwrap_or_default()),
                Some(reply_to) => {
                    let first = tx.message(reply_to).await?.filter(|m| {
                        m.course_id == course_id && (m.from_org_id == me || m.to_org_id == me)
                    });
                    let Some(first) = first else {
                        return Err(FieldError::new(
                            "reply_to",
                            "The message answered is not on this course.",
                            "Beskeden, der svares på, hører ikke til forløbet.",
                        )
                        .into());
                    };
                    (first.thread_id, first.subject)
                }
            };
            let record = CourseMessage {
                id,
                thread_id,
                course_id,
                child_id: child.id,
                from_org_id: me,
                to_org_id: to,
                subject,
                body: message.body,
                sent_at: ctx.now,
                sent_by: ctx.actor.user_id,
                read_at: None,
                read_by: None,
            };
            tx.insert_message(&record).await?;
            let event = ctx.event(AuditAction::Create, "message", Some(id), Some(child.id), "");
            tx.audit(ctx.now, event);
            Ok(record)
        })
        .await
}

/// The course's messages to and from the reader's organisation, by thread. Reading them marks
/// those sent to it as read.
pub async fn of_course(store: &Store, ctx: &Ctx, course_id: Uuid) -> ServiceResult<CourseMessages> {
    let view = store
        .read(async |tx| {
            let child = course_child(tx, ctx, course_id).await?;
            let circle = parties(tx, ctx, &child, course_id).await?;
            let mut names: HashMap<Uuid, String> = circle.iter().cloned().collect();
            let me = ctx.actor.org_id;
            let all = tx.messages_of_course_for(course_id, me).await?;
            let mut threads: Vec<Thread> = Vec::new();
            for m in all {
                for id in [m.from_org_id, m.to_org_id] {
                    if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id) {
                        let name = tx.organisation(id).await?.map(|o| o.name);
                        e.insert(name.unwrap_or_default());
                    }
                }
                let line = MessageLine {
                    from_name: names[&m.from_org_id].clone(),
                    to_name: names[&m.to_org_id].clone(),
                    new: m.to_org_id == me && m.read_at.is_none(),
                    message: m,
                };
                match threads.iter_mut().find(|t| t.id == line.message.thread_id) {
                    Some(t) => t.messages.push(line),
                    None => threads.push(Thread {
                        id: line.message.thread_id,
                        subject: line.message.subject.clone(),
                        messages: vec![line],
                    }),
                }
            }
            let event = ctx.event(
                AuditAction::Read,
                "messages",
                Some(course_id),
                Some(child.id),
                "",
            );
            tx.audit(ctx.now, event);
            let data = &child.data;
            Ok::<_, ServiceError>(CourseMessages {
                course_id,
                child_name: format!("{} {}", data.given_name, data.family_name),
                recipients: circle.into_iter().filter(|(id, _)| *id != me).collect(),
                threads,
            })
        })
        .await?;
    let unread = view.threads.iter().flat_map(|t| &t.messages).any(|m| m.new);
    if unread {
        store
            .write(async |tx| {
                course_child(tx, ctx, course_id).await?;
                let me = ctx.actor.org_id;
                tx.mark_messages_read(course_id, me, ctx.actor.user_id, ctx.now)
                    .await?;
                Ok::<_, ServiceError>(())
            })
            .await?;
    }
    Ok(view)
}

/// The courses with messages the reader's organisation has not read, for the front page. A
/// course the organisation no longer sees is left out.
pub async fn unread(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<Unread>> {
    if !ctx.actor.role.works_with_children() {
        return Ok(Vec::new());
    }
    store
        .read(async |tx| {
            let mut out = Vec::new();
            for (course_id, child_id, count) in tx.unread_messages_for(ctx.actor.org_id).await? {
                let category = DataCategory::ContactAndCourse;
                let seen = match load_seen(tx, ctx, child_id, category, Some(course_id)).await {
                    Ok(s) => s,
                    Err(ServiceError::NotFound) => continue,
                    Err(e) => return Err(e),
                };
                let event = ctx.event(
                    AuditAction::Search,
                    "messages",
                    Some(course_id),
                    Some(child_id),
                    "",
                );
                tx.audit(ctx.now, event);
                let data = &seen.child.data;
                out.push(Unread {
                    course_id,
                    child_name: format!("{} {}", data.given_name, data.family_name),
                    count,
                });
            }
            Ok(out)
        })
        .await
}
