//! The child's GP practice, queueing the GP information as MedCom messages, sending them
//! (into a practice's Samspor inbox, or through a transport) and reading acknowledgements.

use crate::children::load;
use crate::courses::treatment::model::{GpMessage, GpMessageKind};
use crate::medcom::model::{DeliveryState, MedcomMessage, Route};
use crate::medcom::transport::Transport;
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{CourseRecord, Store, Work};
use chrono::{DateTime, Duration, Utc};
use samspor_domain::access::{Action, Resource};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::course::contact::Consent;
use samspor_domain::i18n::Lang;
use samspor_domain::medcom::bundle::MessageIds;
use samspor_domain::medcom::letters::{EndFacts, StartFacts, end_letter, start_letter};
use samspor_domain::medcom::{
    AckCode, Author, CareCommunication, Category, GpPractice, GpPracticeInput, Party, Patient,
    parse_gp_practice,
};
use samspor_domain::organisation::{parse_ean, parse_sor};
use samspor_domain::validation::{FieldError, FieldErrors, required_text};
use std::sync::Arc;
use uuid::Uuid;

/// After this many failed attempts a message is given up (a coordinator may send it again).
pub const MAX_ATTEMPTS: i64 = 5;
/// How long one sender holds a message it is sending before another may take it.
const CLAIM: i64 = 5;
/// The request id of the sending job in the audit log.
pub const JOB_REQUEST_ID: &str = "medcom-dispatch";

/// How messages leave: the practice's Samspor inbox is always there; `network` reaches
/// practices outside Samspor when one is configured.
#[derive(Clone)]
pub struct Transports {
    pub network: Option<Arc<dyn Transport>>,
    /// Where the entries of a sent Bundle live (`fullUrl` base): Samspor's FHIR base URL.
    pub fhir_base: String,
}

pub async fn gp_practice(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
) -> ServiceResult<Option<GpPractice>> {
    store
        .read(async |tx| {
            let child = load(tx, ctx, child_id, Action::Read).await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Read, "gp_practice", None, Some(child.id), ""),
            );
            Ok(tx.child_gp_practice(child.id).await?)
        })
        .await
}

/// Records the child's GP practice, and queues the GP information that was waiting for it.
pub async fn set_gp_practice(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
    input: &GpPracticeInput,
) -> ServiceResult<GpPractice> {
    let practice = parse_gp_practice(input)?;
    store
        .write(async |tx| {
            let child = load(tx, ctx, child_id, Action::Update).await?;
            tx.set_child_gp_practice(child.id, &practice, ctx.actor.user_id, ctx.now)
                .await?;
            tx.audit(
                ctx.now,
                ctx.event(AuditAction::Update, "gp_practice", None, Some(child.id), ""),
            );
            for course in tx.courses_of_child(child.id).await? {
                for m in tx.gp_messages(course.id).await? {
                    if tx.medcom_message_of_gp_message(m.id).await?.is_none() {
                        queue_gp_message(tx, ctx, &course, &m).await?;
                    }
                }
            }
            Ok(practice)
        })
        .await
}

/// How an organisation signs and routes its MedCom messages.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RoutingInput {
    pub sor_code: Option<String>,
    pub ean: Option<String>,
    pub phone: Option<String>,
}

/// Sets an organisation's SOR code, EAN location number and telephone: a secretariat for any,
/// an administrator for its own.
pub async fn set_routing(
    store: &Store,
    ctx: &Ctx,
    org_code: &str,
    input: &RoutingInput,
) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    let sor = parse_sor(input.sor_code.as_deref().unwrap_or(""))
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let ean = parse_ean(input.ean.as_deref().unwrap_or(""))
        .map_err(|e| {
            errors.push(FieldError {
                field: "ean".into(),
                ..e
            })
        })
        .unwrap_or_default();
    let phone = required_text(&mut errors, "phone", input.phone.as_deref(), 20);
    let phone_ok = phone
        .trim_start_matches('+')
        .bytes()
        .all(|b| b.is_ascii_digit());
    if !phone.is_empty() && (!phone_ok || phone.len() < 8) {
        errors.push(FieldError::new(
            "phone",
            "A telephone number has at least 8 digits and may start with +.",
            "Et telefonnummer har mindst 8 cifre og må begynde med +.",
        ));
    }
    let () = errors.into_result(())?;
    store
        .write(async |tx| {
            let org = tx
                .organisation_by_code(org_code.trim())
                .await?
                .ok_or(ServiceError::NotFound)?;
            let allowed = match ctx.actor.role {
                samspor_domain::role::Role::Secretariat => true,
                samspor_domain::role::Role::Admin => org.id == ctx.actor.org_id,
                _ => false,
            };
            if !allowed {
                return Err(ServiceError::Forbidden);
            }
            tx.set_organisation_routing(org.id, &sor, &ean, &phone)
                .await?;
            let mut event = ctx.event(
                AuditAction::Update,
                "organisation",
                Some(org.id),
                None,
                "medcom_routing",
            );
            event.purpose = "administration".into();
            tx.audit(ctx.now, event);
            Ok(())
        })
        .await
}

/// Queues a GP message of the course as a MedCom message, when the family consented, the
/// child's practice is known and the course's organisation can sign it. Otherwise it waits
/// (recording the practice later queues it); `why_waiting` says for what.
pub(crate) async fn queue_gp_message(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    course: &CourseRecord,
    gp: &GpMessage,
) -> ServiceResult<Option<Uuid>> {
    if why_waiting(tx, course, gp).await?.is_some() {
        return Ok(None);
    }
    let Some(practice) = tx.child_gp_practice(course.child_id).await? else {
        return Ok(None);
    };
    let org = tx
        .organisation(course.org_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (topic, text) = match gp.kind {
        GpMessageKind::Start => {
            let facts: StartFacts = serde_json::from_value(gp.content.clone())
                .map_err(|e| crate::StoreError::Corrupt(format!("gp message: {e}")))?;
            start_letter(&facts, &org.name)
        }
        GpMessageKind::End => {
            let facts: EndFacts = serde_json::from_value(gp.content.clone())
                .map_err(|e| crate::StoreError::Corrupt(format!("gp message: {e}")))?;
            end_letter(&facts, &org.name)
        }
    };
    let id = enqueue(
        tx,
        ctx,
        Outgoing {
            child_id: course.child_id,
            course_id: Some(course.id),
            gp_message_id: Some(gp.id),
            referral_id: None,
            sender_org_id: course.org_id,
            practice,
            category: Category::PsychiatrySocialDisability,
            topic,
            text,
            created_by: gp.created_by,
        },
        gp.kind.as_str(),
    )
    .await?;
    Ok(Some(id))
}

/// A message about to be queued: what it is about, to whom, and its words.
struct Outgoing {
    child_id: Uuid,
    course_id: Option<Uuid>,
    gp_message_id: Option<Uuid>,
    referral_id: Option<Uuid>,
    sender_org_id: Uuid,
    practice: GpPractice,
    category: Category,
    topic: String,
    text: String,
    created_by: Uuid,
}

/// Queues a message for the transports, audited; `detail` says which kind it is.
async fn enqueue(tx: &mut Work<'_>, ctx: &Ctx, out: Outgoing, detail: &str) -> ServiceResult<Uuid> {
    let receiver_org_id = tx.organisation_by_sor(&out.practice.sor_code).await?;
    let id = Uuid::now_v7();
    tx.insert_medcom_message(&MedcomMessage {
        id,
        header_id: Uuid::new_v4(),
        child_id: out.child_id,
        course_id: out.course_id,
        gp_message_id: out.gp_message_id,
        referral_id: out.referral_id,
        sender_org_id: out.sender_org_id,
        receiver_name: out.practice.name,
        receiver_sor_code: out.practice.sor_code,
        receiver_ean: out.practice.ean,
        receiver_org_id,
        category: out.category.code().into(),
        topic: out.topic,
        text: out.text,
        bundle: None,
        state: DeliveryState::ToBeSent,
        route: None,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
        created_at: ctx.now,
        created_by: out.created_by,
        sent_at: None,
        acknowledged_at: None,
        read_at: None,
        read_by: None,
    })
    .await?;
    tx.audit(
        ctx.now,
        ctx.event(
            AuditAction::Create,
            "medcom_message",
            Some(id),
            Some(out.child_id),
            detail,
        ),
    );
    Ok(id)
}

/// Whether an organisation can sign MedCom messages: its SOR code, EAN number and telephone.
async fn signs(tx: &mut Work<'_>, org_id: Uuid) -> ServiceResult<bool> {
    let org = tx.organisation(org_id).await?;
    let phone = tx.organisation_phone(org_id).await?;
    Ok(org.is_some_and(|o| o.sor_code.is_some() && o.ean_code.is_some()) && phone.is_some())
}

/// Queues the unit's answer to a GP's referral for the practice, as a MedCom message about the
/// referral. `None` when the unit cannot sign MedCom messages yet (no SOR, EAN or telephone).
pub(crate) async fn queue_referral_answer(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    referral_id: Uuid,
    child_id: Uuid,
    unit_org_id: Uuid,
    practice: GpPractice,
    letter: (String, String),
) -> ServiceResult<Option<Uuid>> {
    if !signs(tx, unit_org_id).await? {
        return Ok(None);
    }
    let (topic, text) = letter;
    enqueue(
        tx,
        ctx,
        Outgoing {
            child_id,
            course_id: None,
            gp_message_id: None,
            referral_id: Some(referral_id),
            sender_org_id: unit_org_id,
            practice,
            category: Category::RegardingReferral,
            topic,
            text,
            created_by: ctx.actor.user_id,
        },
        "referral_answer",
    )
    .await
    .map(Some)
}

/// Why a GP message is not on its way yet, in both languages; `None` when nothing is missing.
pub(crate) async fn why_waiting(
    tx: &mut Work<'_>,
    course: &CourseRecord,
    gp: &GpMessage,
) -> ServiceResult<Option<(&'static str, &'static str)>> {
    if gp.consent != Consent::Given {
        return Ok(Some((
            "The family has not consented to informing the GP.",
            "Familien har ikke givet samtykke til, at egen læge informeres.",
        )));
    }
    if tx.child_gp_practice(course.child_id).await?.is_none() {
        return Ok(Some((
            "The child's GP practice is not recorded.",
            "Barnets lægepraksis er ikke registreret.",
        )));
    }
    if !signs(tx, course.org_id).await? {
        return Ok(Some((
            "The municipality's SOR code, EAN number and telephone for MedCom are not set.",
            "Kommunens SOR-kode, EAN-nummer og telefon til MedCom er ikke sat op.",
        )));
    }
    Ok(None)
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DispatchRun {
    pub delivered_to_inbox: usize,
    pub sent: usize,
    pub acknowledged: usize,
    pub retried: usize,
    pub failed: usize,
    /// Acknowledgement files that could not be read or named no message of Samspor's.
    pub rejected: Vec<String>,
}

/// Sends what is due and reads the acknowledgements that have arrived. Several servers may
/// run this at once: each message is claimed before it is sent.
pub async fn dispatch(
    store: &Store,
    transports: &Transports,
    now: DateTime<Utc>,
) -> ServiceResult<DispatchRun> {
    let mut run = DispatchRun::default();
    let due = store
        .read(async |tx| Ok::<_, ServiceError>(tx.due_medcom_messages(now, 100).await?))
        .await?;
    for m in due {
        let claimed = store
            .write(async |tx| {
                Ok::<_, ServiceError>(
                    tx.claim_medcom_message(m.id, now, now + Duration::minutes(CLAIM))
                        .await?,
                )
            })
            .await?;
        if claimed {
            send_one(store, transports, m, now, &mut run).await?;
        }
    }
    if let Some(network) = &transports.network {
        for received in network.acknowledgements().await.map_err(job_failed)? {
            match received.ack {
                Ok(ack) => acknowledge(store, ack, now, &mut run, &received.name).await?,
                Err(_) => run.rejected.push(received.name),
            }
        }
    }
    Ok(run)
}

fn job_failed(message: String) -> ServiceError {
    ServiceError::Store(crate::StoreError::Corrupt(message))
}

async fn send_one(
    store: &Store,
    transports: &Transports,
    mut m: MedcomMessage,
    now: DateTime<Utc>,
    run: &mut DispatchRun,
) -> ServiceResult<()> {
    if m.bundle.is_none() {
        m.bundle = Some(
            store
                .read(async |tx| bundle_of(tx, &m, &transports.fhir_base).await)
                .await?,
        );
    }
    let bundle = m.bundle.clone().unwrap_or_default();
    let outcome = match (m.receiver_org_id, &transports.network) {
        (Some(_), _) => Ok(Route::Inbox),
        (None, Some(network)) => network
            .send(m.header_id, &bundle)
            .await
            .map(|()| Route::FileDrop),
        (None, None) => {
            Err("no MedCom transport is configured for practices outside Samspor".into())
        }
    };
    match outcome {
        Ok(route) => {
            m.route = Some(route);
            m.sent_at = Some(now);
            m.next_attempt_at = None;
            m.last_error = None;
            m.attempts += 1;
            if route == Route::Inbox {
                // Samspor is the receiving system: the message is in the practice's inbox.
                m.state = DeliveryState::Acknowledged;
                m.acknowledged_at = Some(now);
                run.delivered_to_inbox += 1;
            } else {
                m.state = DeliveryState::Sent;
                run.sent += 1;
            }
        }
        Err(error) => {
            m.attempts += 1;
            m.last_error = Some(error);
            if m.attempts >= MAX_ATTEMPTS {
                m.state = DeliveryState::Failed;
                m.next_attempt_at = None;
                run.failed += 1;
            } else {
                m.next_attempt_at = Some(now + backoff(m.attempts));
                run.retried += 1;
            }
        }
    }
    store
        .write(async |tx| {
            tx.update_medcom_delivery(&m).await?;
            if matches!(m.state, DeliveryState::Sent | DeliveryState::Acknowledged)
                && let Some(gp) = m.gp_message_id
            {
                tx.set_gp_message_status(gp, "sent").await?;
            }
            tx.audit(now, job_event(&m, AuditAction::Update, m.state.as_str()));
            Ok::<_, ServiceError>(())
        })
        .await
}

/// Waits longer after each failure: 1, 5, 25, 125 minutes.
fn backoff(attempts: i64) -> Duration {
    Duration::minutes(5_i64.pow(u32::try_from(attempts - 1).unwrap_or(0).min(4)))
}

fn job_event(m: &MedcomMessage, action: AuditAction, detail: &str) -> AuditEvent {
    AuditEvent {
        user_id: None,
        org_id: Some(m.sender_org_id),
        action,
        object_type: "medcom_message".into(),
        object_id: Some(m.id),
        child_id: Some(m.child_id),
        purpose: "treatment".into(),
        request_id: JOB_REQUEST_ID.into(),
        detail: detail.into(),
    }
}

async fn acknowledge(
    store: &Store,
    ack: samspor_domain::medcom::Acknowledgement,
    now: DateTime<Utc>,
    run: &mut DispatchRun,
    name: &str,
) -> ServiceResult<()> {
    let found = store
        .write(async |tx| {
            let Some(mut m) = tx.medcom_message_by_header(ack.message_header_id).await? else {
                return Ok::<_, ServiceError>(false);
            };
            if m.state != DeliveryState::Sent {
                return Ok(true);
            }
            match ack.code {
                AckCode::Ok => {
                    m.state = DeliveryState::Acknowledged;
                    m.acknowledged_at = Some(now);
                }
                AckCode::TransientError => {
                    m.state = DeliveryState::ToBeSent;
                    m.next_attempt_at = Some(now);
                    m.last_error =
                        Some("the receiver asked for the message again (transient-error)".into());
                }
                AckCode::FatalError => {
                    m.state = DeliveryState::Failed;
                    m.last_error = Some("the receiver refused the message (fatal-error)".into());
                }
            }
            tx.update_medcom_delivery(&m).await?;
            tx.audit(now, job_event(&m, AuditAction::Update, m.state.as_str()));
            Ok(true)
        })
        .await?;
    match (found, ack.code) {
        (false, _) => run.rejected.push(name.to_string()),
        (true, AckCode::Ok) => run.acknowledged += 1,
        (true, AckCode::TransientError) => run.retried += 1,
        (true, AckCode::FatalError) => run.failed += 1,
    }
    Ok(())
}

/// Makes the message's Bundle from the records as they are now: the child, the sending
/// organisation and the author.
async fn bundle_of(tx: &mut Work<'_>, m: &MedcomMessage, base: &str) -> ServiceResult<String> {
    let child = tx.child(m.child_id).await?.ok_or(ServiceError::NotFound)?;
    let org = tx
        .organisation(m.sender_org_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let phone = tx.organisation_phone(org.id).await?.unwrap_or_default();
    let author = tx.user(m.created_by).await?.ok_or(ServiceError::NotFound)?;
    let (given, family) = match author.name.rsplit_once(' ') {
        Some((g, f)) => (g.to_string(), f.to_string()),
        None => (author.name.clone(), author.name.clone()),
    };
    let message = CareCommunication {
        sender: Party {
            name: org.name,
            sor_code: org.sor_code.unwrap_or_default(),
            ean: org.ean_code.unwrap_or_default(),
        },
        receiver: Party {
            name: m.receiver_name.clone(),
            sor_code: m.receiver_sor_code.clone(),
            ean: m.receiver_ean.clone(),
        },
        patient: Patient {
            cpr: child.data.cpr.as_str().to_string(),
            given_name: child.data.given_name,
            family_name: child.data.family_name,
        },
        author: Author {
            given_name: given,
            family_name: family,
            role: author.role.label(Lang::Da).to_string(),
            phone,
        },
        category: Category::parse(&m.category).unwrap_or(Category::PsychiatrySocialDisability),
        topic: m.topic.clone(),
        text: m.text.clone(),
        written_at: m.created_at,
    };
    let ids = MessageIds {
        header: m.header_id,
        ..MessageIds::fresh()
    };
    Ok(message.bundle(&ids, base).to_string())
}

/// A message as its sender or receiver lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageLine {
    #[serde(flatten)]
    pub message: MedcomMessage,
    pub child_name: String,
    pub sender_name: String,
}

async fn lines(tx: &mut Work<'_>, messages: Vec<MedcomMessage>) -> ServiceResult<Vec<MessageLine>> {
    let mut names = crate::organisations::Names::default();
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        let child = tx.child(m.child_id).await?.ok_or(ServiceError::NotFound)?;
        let sender_name = names.of(tx, m.sender_org_id).await?;
        out.push(MessageLine {
            child_name: format!("{} {}", child.data.given_name, child.data.family_name),
            sender_name,
            message: m,
        });
    }
    Ok(out)
}

/// The practice's inbox: the MedCom messages delivered to the actor's organisation.
pub async fn inbox(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<MessageLine>> {
    store
        .read(async |tx| {
            let messages = tx.medcom_inbox(ctx.actor.org_id).await?;
            listed(tx, ctx, messages).await
        })
        .await
}

/// A list of messages as the actor may see it: each asked of the policy and audited.
async fn listed(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    messages: Vec<MedcomMessage>,
) -> ServiceResult<Vec<MessageLine>> {
    for m in &messages {
        tx.authorize(&ctx.actor, Action::Search, resource(m))?;
        tx.audit(
            ctx.now,
            ctx.event(
                AuditAction::Search,
                "medcom_message",
                Some(m.id),
                Some(m.child_id),
                "",
            ),
        );
    }
    lines(tx, messages).await
}

fn resource(m: &MedcomMessage) -> Resource<'static> {
    Resource::MedcomMessages {
        sender_org: m.sender_org_id,
        receiver_org: m.receiver_org_id,
    }
}

/// One message, read by its receiver (marked read) or followed by its sender.
pub async fn message(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<MessageLine> {
    store
        .write(async |tx| {
            let m = tx.medcom_message(id).await?.ok_or(ServiceError::NotFound)?;
            tx.authorize(&ctx.actor, Action::Read, resource(&m))?;
            if m.receiver_org_id == Some(ctx.actor.org_id) && m.read_at.is_none() {
                tx.mark_medcom_read(m.id, ctx.actor.user_id, ctx.now)
                    .await?;
            }
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "medcom_message",
                    Some(m.id),
                    Some(m.child_id),
                    "",
                ),
            );
            let m = tx.medcom_message(id).await?.ok_or(ServiceError::NotFound)?;
            Ok(lines(tx, vec![m]).await?.remove(0))
        })
        .await
}

/// How many delivered messages the actor's organisation has not read.
pub async fn unread(store: &Store, ctx: &Ctx) -> ServiceResult<i64> {
    store
        .read(async |tx| Ok(tx.unread_medcom(ctx.actor.org_id).await?))
        .await
}

/// The messages the actor's organisation sent, with where each is.
pub async fn outbox(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<MessageLine>> {
    store
        .read(async |tx| {
            let messages = tx.medcom_outbox(ctx.actor.org_id).await?;
            listed(tx, ctx, messages).await
        })
        .await
}

/// Sends a failed message again, from the first attempt.
pub async fn send_again(store: &Store, ctx: &Ctx, id: Uuid) -> ServiceResult<MedcomMessage> {
    store
        .write(async |tx| {
            let mut m = tx.medcom_message(id).await?.ok_or(ServiceError::NotFound)?;
            tx.authorize(&ctx.actor, Action::Update, resource(&m))?;
            if m.state != DeliveryState::Failed {
                return Err(FieldError::new(
                    "state",
                    "Only a failed message can be sent again.",
                    "Kun en fejlet meddelelse kan sendes igen.",
                )
                .into());
            }
            m.state = DeliveryState::ToBeSent;
            m.attempts = 0;
            m.next_attempt_at = None;
            tx.update_medcom_delivery(&m).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Update,
                    "medcom_message",
                    Some(m.id),
                    Some(m.child_id),
                    "send again",
                ),
            );
            Ok(m)
        })
        .await
}
