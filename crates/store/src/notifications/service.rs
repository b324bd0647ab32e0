//! Queuing a link to its recipient, marking one as passed on by hand, and the job that sends.

use crate::notifications::model::Notification;
use crate::notifications::transport::{Failure, Transports};
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Store, Work};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::notification::{
    Channel, MAX_ATTEMPTS, Purpose, State, retry_after_minutes, sms_text, text,
};
use uuid::Uuid;

/// How long a sender holds a message it is sending before another may try.
const CLAIM_MINUTES: i64 = 5;

/// The request id of the sending job's audit entries.
pub const JOB_REQUEST_ID: &str = "notification-dispatch";

/// Which channels have a transport configured. A channel without one gets nothing queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Channels {
    pub email: bool,
    pub sms: bool,
}

/// Where a person can be reached.
#[derive(Debug, Clone, Default)]
pub struct Address {
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One link to one person.
#[derive(Debug, Clone)]
pub struct LinkMessage<'a> {
    pub purpose: Purpose,
    pub org_id: Option<Uuid>,
    /// What the link is for (an invitation, a staff account).
    pub about_id: Uuid,
    pub to: &'a Address,
    pub link: &'a str,
    pub expires_on: NaiveDate,
}

fn usable(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Queues the link in the caller's unit of work, by e-mail when the person has an address and
/// e-mail is configured, else by SMS likewise. `None` when it could not be queued: the page
/// then offers the link to copy.
pub async fn queue_link(
    tx: &mut Work<'_>,
    channels: Channels,
    m: LinkMessage<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<Option<Channel>> {
    let (channel, recipient, subject, body) = match (usable(&m.to.email), usable(&m.to.phone)) {
        (Some(email), _) if channels.email => {
            let (subject, body) = text(m.purpose, m.link, m.expires_on);
            (Channel::Email, email, subject, body)
        }
        (_, Some(phone)) if channels.sms => (
            Channel::Sms,
            phone,
            String::new(),
            sms_text(m.purpose, m.link, m.expires_on),
        ),
        _ => return Ok(None),
    };
    tx.outbox_insert(&Notification {
        id: Uuid::now_v7(),
        org_id: m.org_id,
        channel,
        recipient: Some(recipient.to_string()),
        purpose: m.purpose,
        about_id: Some(m.about_id),
        subject,
        body: Some(body),
        state: State::Queued,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
        created_at: now,
        sent_at: None,
    })
    .await?;
    Ok(Some(channel))
}

/// Records that staff passed a link on themselves (copied it into their own mail, printed the
/// letter). The caller has checked the actor may act on `about_id`.
pub async fn mark_sent_by_hand(
    tx: &mut Work<'_>,
    ctx: &Ctx,
    purpose: Purpose,
    about_id: Uuid,
    child_id: Option<Uuid>,
) -> ServiceResult<()> {
    let id = Uuid::now_v7();
    tx.outbox_insert(&Notification {
        id,
        org_id: Some(ctx.actor.org_id),
        channel: Channel::Manual,
        recipient: None,
        purpose,
        about_id: Some(about_id),
        subject: String::new(),
        body: None,
        state: State::MarkedSent,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
        created_at: ctx.now,
        sent_at: Some(ctx.now),
    })
    .await?;
    tx.audit(
        ctx.now,
        ctx.event(
            AuditAction::Update,
            "notification",
            Some(id),
            child_id,
            "marked as sent by hand",
        ),
    );
    Ok(())
}

/// How far the latest message about one thing got: `None` when nothing was queued or marked.
pub async fn latest_about(tx: &mut Work<'_>, about_id: Uuid) -> ServiceResult<Option<Delivery>> {
    Ok(tx
        .outbox_about(about_id)
        .await?
        .into_iter()
        .next()
        .map(|n| Delivery {
            channel: n.channel,
            state: n.state,
            attempts: n.attempts,
            at: n.sent_at.unwrap_or(n.created_at),
        }))
}

/// What a page says about a link's delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub channel: Channel,
    pub state: State,
    pub attempts: i64,
    /// When it was sent (or queued, while it waits).
    pub at: DateTime<Utc>,
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DispatchRun {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub bounced: usize,
}

/// Sends the queued messages that are due. Several servers may run this at once: each message
/// is claimed before it is sent.
pub async fn dispatch(
    store: &Store,
    transports: &Transports,
    now: DateTime<Utc>,
) -> ServiceResult<DispatchRun> {
    let mut run = DispatchRun::default();
    let due = store
        .read(async |tx| Ok::<_, ServiceError>(tx.outbox_due(now, 100).await?))
        .await?;
    for n in due {
        let claimed = store
            .write(async |tx| {
                Ok::<_, ServiceError>(
                    tx.outbox_claim(n.id, now, now + Duration::minutes(CLAIM_MINUTES))
                        .await?,
                )
            })
            .await?;
        if claimed {
            send_one(store, transports, n, now, &mut run).await?;
        }
    }
    Ok(run)
}

async fn send_one(
    store: &Store,
    transports: &Transports,
    mut n: Notification,
    now: DateTime<Utc>,
    run: &mut DispatchRun,
) -> ServiceResult<()> {
    let to = n.recipient.clone().unwrap_or_default();
    let body = n.body.clone().unwrap_or_default();
    let outcome = match transports.for_channel(n.channel) {
        Some(t) => t.send(&to, &n.subject, &body).await,
        None => Err(Failure::Retry(format!(
            "no {} transport is configured",
            n.channel.as_str()
        ))),
    };
    n.attempts += 1;
    match outcome {
        Ok(()) => {
            n.state = State::Sent;
            n.sent_at = Some(now);
            n.next_attempt_at = None;
            n.last_error = None;
            run.sent += 1;
        }
        Err(Failure::Bounced(why)) => {
            n.state = State::Bounced;
            n.next_attempt_at = None;
            n.last_error = Some(why);
            run.bounced += 1;
        }
        Err(Failure::Retry(why)) => {
            n.last_error = Some(why);
            if n.attempts >= MAX_ATTEMPTS {
                n.state = State::Failed;
                n.next_attempt_at = None;
                run.failed += 1;
            } else {
                n.next_attempt_at = Some(now + Duration::minutes(retry_after_minutes(n.attempts)));
                run.retried += 1;
            }
        }
    }
    // The link is a credential: once the message is out or given up, the outbox forgets it.
    if n.state != State::Queued {
        n.body = None;
    }
    store
        .write(async |tx| {
            tx.outbox_update(&n).await?;
            tx.audit(now, job_event(&n));
            Ok::<_, ServiceError>(())
        })
        .await
}

fn job_event(n: &Notification) -> AuditEvent {
    AuditEvent {
        user_id: None,
        org_id: n.org_id,
        action: AuditAction::Update,
        object_type: "notification".into(),
        object_id: Some(n.id),
        child_id: None,
        purpose: "notification".into(),
        request_id: JOB_REQUEST_ID.into(),
        detail: format!(
            "{} {} {} attempt {}",
            n.purpose.as_str(),
            n.channel.as_str(),
            n.state.as_str(),
            n.attempts
        ),
    }
}

/// What a unit of work needs to send a link: the channels that have a transport, and the public
/// address the links are built on.
#[derive(Debug, Clone, Copy)]
pub struct Sending<'a> {
    pub channels: Channels,
    pub public_base: &'a str,
}

impl Sending<'_> {
    /// For work that hands links out on a page only (demo data, tests of other things).
    pub const NONE: Sending<'static> = Sending {
        channels: Channels {
            email: false,
            sms: false,
        },
        public_base: "",
    };

    /// The address a respondent opens a questionnaire link at.
    pub fn questionnaire_link(&self, token: &str) -> String {
        format!("{}/s/{token}", self.public_base)
    }

    /// The address a member of staff chooses a password at.
    pub fn password_link(&self, token: &str) -> String {
        format!("{}/password/{token}", self.public_base)
    }
}
