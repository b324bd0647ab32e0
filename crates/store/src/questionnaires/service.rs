//! Questionnaires: sending one-time links, answering them, typing in paper forms,
//! scoring, and the alerts that critical answers raise.

use crate::Work;
use crate::secret::{random_link_token, token_hash};
use crate::service::{Ctx, ServiceError, ServiceResult};
use crate::{Alert, Child, Invitation, InvitationStatus, ResponseRecord, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use samspor_domain::access::{Action, Resource, authorize};
use samspor_domain::audit::{AuditAction, AuditEvent};
use samspor_domain::instrument::{
    Answers, Catalogue, Instrument, Respondent, Subject, score_for, validate_answers,
};
use samspor_domain::validation::{FieldError, FieldErrors, parse_email};
use uuid::Uuid;

/// How long a link stays usable unless the sender says otherwise.
pub const DEFAULT_LINK_DAYS: i64 = 14;

/// Who a link is for.
pub(crate) struct LinkRespondent {
    pub kind: Respondent,
    pub name: String,
    pub email: Option<String>,
}

/// A new questionnaire link: the invitation to store (only the token's hash) and the raw token,
/// which exists nowhere else and is shown or handed over once.
pub(crate) fn new_link(
    child: &Child,
    instrument_id: &str,
    respondent: LinkRespondent,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    created_by: Uuid,
) -> (Invitation, String) {
    let token = random_link_token();
    let invitation = Invitation {
        id: Uuid::now_v7(),
        child_id: child.id,
        org_id: child.org_id,
        municipality_code: child.municipality_code.clone(),
        instrument_id: instrument_id.to_string(),
        respondent: respondent.kind.as_str().to_string(),
        respondent_name: respondent.name,
        respondent_email: respondent.email,
        token_hash: token_hash(&token),
        status: InvitationStatus::Sent,
        answers: serde_json::json!({}),
        expires_at,
        created_at: now,
        created_by,
        updated_at: now,
    };
    (invitation, token)
}
const MAX_LINK_DAYS: i64 = 60;

/// Who is asked to answer.
#[derive(Debug, Clone)]
pub enum RespondentChoice {
    /// A guardian from the child's record, by position.
    Guardian(usize),
    /// The child (self-report).
    Child,
    /// A teacher or pedagogue, named by the sender.
    Teacher { name: String, email: Option<String> },
}

#[derive(Debug, Clone)]
pub struct InvitationInput {
    pub instrument_id: String,
    pub respondent: RespondentChoice,
    pub expires_in_days: Option<i64>,
}

/// A new link. The token is shown once; only its hash is kept.
/// A link and how far its delivery got (`None`: nothing was queued or marked as sent).
pub type LinkDelivery = (Invitation, Option<crate::notifications::Delivery>);

#[derive(Debug)]
pub struct CreatedInvitation {
    pub invitation: Invitation,
    pub token: String,
    /// How the link was queued to the respondent; `None` when it was not (no address, or no
    /// transport for it): staff pass it on themselves.
    pub queued: Option<samspor_domain::notification::Channel>,
}

fn unknown_instrument(catalogue: &Catalogue) -> FieldError {
    let ids: Vec<&str> = catalogue.all().iter().map(|i| i.id()).collect();
    FieldError::new(
        "instrument",
        format!("Unknown questionnaire; use one of: {}.", ids.join(", ")),
        format!("Ukendt spørgeskema; brug et af: {}.", ids.join(", ")),
    )
}

/// Checks that an instrument fits the child's age and the respondent kind.
fn check_fit(
    instrument: &Instrument,
    child: &Child,
    respondent: Respondent,
    today: chrono::NaiveDate,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let age = child.data.cpr.age_on(today);
    let (min, max) = instrument.age_range();
    if age < min || age > max {
        errors.push(FieldError::new(
            "instrument",
            format!("This questionnaire is for ages {min} to {max}; the child is {age}."),
            format!("Spørgeskemaet er til alderen {min} til {max} år; barnet er {age} år."),
        ));
    }
    if instrument.respondent() != respondent {
        errors.push(FieldError::new(
            "respondent",
            format!(
                "This questionnaire is answered by: {}.",
                instrument
                    .respondent()
                    .label(samspor_domain::i18n::Lang::En)
            ),
            format!(
                "Spørgeskemaet besvares af: {}.",
                instrument
                    .respondent()
                    .label(samspor_domain::i18n::Lang::Da)
            ),
        ));
    }
    errors.into_result(())
}

pub async fn invite(
    store: &Store,
    catalogue: &Catalogue,
    sending: crate::notifications::Sending<'_>,
    ctx: &Ctx,
    child_id: Uuid,
    input: InvitationInput,
) -> ServiceResult<CreatedInvitation> {
    store
        .write(async |tx| {
            let child = crate::children::load(tx, ctx, child_id, Action::Update).await?;
            let instrument = catalogue
                .get(&input.instrument_id)
                .ok_or_else(|| ServiceError::Invalid(unknown_instrument(catalogue).into()))?;
            let mut errors = FieldErrors::default();
            let mut phone = None;
            let (kind, name, email) = match &input.respondent {
                RespondentChoice::Guardian(i) => match child.data.guardians.get(*i) {
                    Some(g) => {
                        phone = g.phone.clone();
                        (Respondent::Parent, g.name.clone(), g.email.clone())
                    }
                    None => {
                        errors.push(FieldError::new(
                            "respondent",
                            "Choose one of the adults registered on the child.",
                            "Vælg en af de voksne, der er registreret på barnet.",
                        ));
                        (Respondent::Parent, String::new(), None)
                    }
                },
                RespondentChoice::Child => (Respondent::Child, child.data.given_name.clone(), None),
                RespondentChoice::Teacher { name, email } => {
                    let name = name.trim().to_string();
                    if name.is_empty() {
                        errors.push(FieldError::new(
                            "respondent_name",
                            "Write the teacher's name.",
                            "Skriv lærerens navn.",
                        ));
                    }
                    let email = match email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                        Some(e) => parse_email("respondent_email", e)
                            .map_err(|e| errors.push(e))
                            .ok(),
                        None => None,
                    };
                    (Respondent::Teacher, name, email)
                }
            };
            if let Err(e) = check_fit(instrument, &child, kind, ctx.today()) {
                errors.0.extend(e.0);
            }
            let days = input.expires_in_days.unwrap_or(DEFAULT_LINK_DAYS);
            if !(1..=MAX_LINK_DAYS).contains(&days) {
                errors.push(FieldError::new(
                    "expires_in_days",
                    format!("A link can be valid for 1 to {MAX_LINK_DAYS} days."),
                    format!("Et link kan gælde i 1 til {MAX_LINK_DAYS} dage."),
                ));
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let address = crate::notifications::Address {
                email: email.clone(),
                phone,
            };
            let (invitation, token) = new_link(
                &child,
                instrument.id(),
                LinkRespondent { kind, name, email },
                ctx.now + Duration::days(days),
                ctx.now,
                ctx.actor.user_id,
            );
            tx.insert_invitation(&invitation).await?;
            let queued = crate::notifications::queue_link(
                tx,
                sending.channels,
                crate::notifications::LinkMessage {
                    purpose: samspor_domain::notification::Purpose::QuestionnaireLink,
                    org_id: Some(ctx.actor.org_id),
                    about_id: invitation.id,
                    to: &address,
                    link: &sending.questionnaire_link(&token),
                    expires_on: crate::courses::local(invitation.expires_at).date(),
                },
                ctx.now,
            )
            .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "invitation",
                    Some(invitation.id),
                    Some(child_id),
                    instrument.id(),
                ),
            );
            Ok(CreatedInvitation {
                invitation,
                token,
                queued,
            })
        })
        .await
}

/// Records that staff passed a link on themselves (copied or printed it); returns the child.
pub async fn mark_sent_by_hand(
    store: &Store,
    ctx: &Ctx,
    invitation_id: Uuid,
) -> ServiceResult<Uuid> {
    store
        .write(async |tx| {
            let inv = tx
                .invitation(invitation_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            crate::children::load(tx, ctx, inv.child_id, Action::Update).await?;
            crate::notifications::mark_sent_by_hand(
                tx,
                ctx,
                samspor_domain::notification::Purpose::QuestionnaireLink,
                inv.id,
                Some(inv.child_id),
            )
            .await?;
            Ok(inv.child_id)
        })
        .await
}

pub async fn revoke(store: &Store, ctx: &Ctx, invitation_id: Uuid) -> ServiceResult<()> {
    store
        .write(async |tx| {
            let inv = tx
                .invitation(invitation_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            crate::children::load(tx, ctx, inv.child_id, Action::Update).await?;
            if inv.status != InvitationStatus::Submitted {
                tx.update_invitation(inv.id, InvitationStatus::Revoked, &inv.answers, ctx.now)
                    .await?;
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Update,
                        "invitation",
                        Some(inv.id),
                        Some(inv.child_id),
                        "revoked",
                    ),
                );
            }
            Ok(())
        })
        .await
}

/// The child's links and responses, for staff.
pub async fn overview(
    store: &Store,
    ctx: &Ctx,
    child_id: Uuid,
) -> ServiceResult<(Vec<LinkDelivery>, Vec<ResponseRecord>)> {
    store
        .read(async |tx| {
            let seen = crate::children::load_seen(
                tx,
                ctx,
                child_id,
                samspor_domain::lawful_basis::DataCategory::Scores,
                None,
            )
            .await?;
            // Links are the owner's work in progress; a recipient sees the scores only.
            let invitations = if seen.grant.is_some() {
                Vec::new()
            } else {
                tx.invitations_of_child(child_id).await?
            };
            let mut links = Vec::with_capacity(invitations.len());
            for i in invitations {
                let delivery = crate::notifications::latest_about(tx, i.id).await?;
                links.push((i, delivery));
            }
            let responses = tx.responses_of_child(child_id).await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Read,
                    "responses",
                    None,
                    Some(child_id),
                    format!("results={}", responses.len()),
                ),
            );
            Ok((links, responses))
        })
        .await
}

fn respondent_event(
    inv: &Invitation,
    action: AuditAction,
    request_id: &str,
    detail: &str,
) -> AuditEvent {
    AuditEvent {
        user_id: None,
        org_id: Some(inv.org_id),
        action,
        object_type: "invitation".into(),
        object_id: Some(inv.id),
        child_id: Some(inv.child_id),
        purpose: "questionnaire".into(),
        request_id: request_id.into(),
        detail: detail.into(),
    }
}

/// What a respondent sees: the questionnaire, the answers so far and the child's first name.
#[derive(Debug)]
pub struct OpenLink {
    pub invitation: Invitation,
    pub child_first_name: String,
}

/// Opens a link for answering. Unknown, expired, revoked and used links all
/// answer `NotFound`, so a link reveals nothing once it cannot be used.
pub async fn open_link(store: &Store, token: &str, request_id: &str) -> ServiceResult<OpenLink> {
    let now = Utc::now();
    store
        .read(async |tx| {
            let inv = tx
                .invitation_by_token(&token_hash(token))
                .await?
                .filter(|i| i.is_open(now))
                .ok_or(ServiceError::NotFound)?;
            let child = tx
                .child(inv.child_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            tx.audit(
                now,
                respondent_event(&inv, AuditAction::Read, request_id, "opened"),
            );
            Ok(OpenLink {
                child_first_name: child.data.given_name,
                invitation: inv,
            })
        })
        .await
}

fn stored_answers(inv: &Invitation) -> Answers {
    serde_json::from_value(inv.answers.clone()).unwrap_or_default()
}

/// Answers from one page of the respondent's form.
#[derive(Debug, Clone, Default)]
pub struct PageAnswers {
    /// The page the answers come from: its questions left unanswered are saved as
    /// null, so a changed mind ("no answer") is kept too.
    pub page: Option<usize>,
    pub answers: Answers,
}

/// What answering did.
#[derive(Debug, PartialEq)]
pub enum Answered {
    Saved,
    Submitted(Submitted),
}

/// The result of a submit. Submitting twice is not an error: the first response stands.
#[derive(Debug, PartialEq)]
pub enum Submitted {
    Stored(Uuid),
    AlreadySubmitted,
}

/// Saves a page of answers and, with `submit`, scores everything saved, stores the
/// response and raises any alerts: one transaction, so a respondent's press on a
/// button costs one commit.
pub async fn answer(
    store: &Store,
    catalogue: &Catalogue,
    token: &str,
    input: &PageAnswers,
    submit: bool,
    request_id: &str,
) -> ServiceResult<Answered> {
    let now = Utc::now();
    let outcome = store
        .write(async |tx| {
            let Some(inv) = tx.invitation_by_token(&token_hash(token)).await? else {
                return Err(ServiceError::NotFound);
            };
            if inv.status == InvitationStatus::Submitted && submit {
                return Ok(Answered::Submitted(Submitted::AlreadySubmitted));
            }
            if !inv.is_open(now) {
                return Err(ServiceError::NotFound);
            }
            let instrument = catalogue
                .get(&inv.instrument_id)
                .ok_or(ServiceError::NotFound)?;
            validate_answers(instrument, &input.answers)?;
            let mut answers = stored_answers(&inv);
            if let Some(page) = input.page.and_then(|i| instrument.pages().get(i)) {
                for q in &page.items {
                    answers.set(q.link_id.clone(), None);
                }
            }
            for (k, v) in input.answers.iter() {
                answers.set(k.clone(), *v);
            }
            let value =
                serde_json::to_value(&answers).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if !submit {
                tx.update_invitation(inv.id, InvitationStatus::Started, &value, now)
                    .await?;
                tx.audit(
                    now,
                    respondent_event(&inv, AuditAction::Update, request_id, "answers saved"),
                );
                return Ok(Answered::Saved);
            }
            let child = tx
                .child(inv.child_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let response_id = store_response(
                tx,
                instrument,
                NewResponse {
                    subject: subject(&child, now),
                    child_id: inv.child_id,
                    org_id: inv.org_id,
                    municipality_code: inv.municipality_code.clone(),
                    respondent_name: inv.respondent_name.clone(),
                    source: "link",
                    invitation_id: Some(inv.id),
                    answered_at: now,
                    created_by: None,
                },
                &answers,
                now,
            )
            .await?;
            tx.update_invitation(inv.id, InvitationStatus::Submitted, &value, now)
                .await?;
            tx.audit(
                now,
                respondent_event(&inv, AuditAction::Create, request_id, "submitted"),
            );
            Ok(Answered::Submitted(Submitted::Stored(response_id)))
        })
        .await;
    match outcome {
        // A concurrent submit of the same link won the race: its response stands.
        Err(ServiceError::Store(StoreError::Unique(_))) => {
            Ok(Answered::Submitted(Submitted::AlreadySubmitted))
        }
        other => other,
    }
}

/// Saves answers without submitting (any questions of the instrument).
pub async fn save_answers(
    store: &Store,
    catalogue: &Catalogue,
    token: &str,
    answers: &Answers,
    request_id: &str,
) -> ServiceResult<()> {
    let input = PageAnswers {
        page: None,
        answers: answers.clone(),
    };
    answer(store, catalogue, token, &input, false, request_id).await?;
    Ok(())
}

/// Scores the saved answers, stores the response and raises any alerts, all at once.
pub async fn submit(
    store: &Store,
    catalogue: &Catalogue,
    token: &str,
    request_id: &str,
) -> ServiceResult<Submitted> {
    match answer(
        store,
        catalogue,
        token,
        &PageAnswers::default(),
        true,
        request_id,
    )
    .await?
    {
        Answered::Submitted(s) => Ok(s),
        Answered::Saved => Err(ServiceError::NotFound),
    }
}

fn subject(child: &Child, at: DateTime<Utc>) -> Subject {
    Subject {
        age: Some(child.data.cpr.age_on(crate::courses::local(at).date())),
        sex: Some(child.data.sex()),
    }
}

struct NewResponse {
    /// The child's age and sex on the day of answering, for age- and sex-specific bands.
    subject: Subject,
    child_id: Uuid,
    org_id: Uuid,
    municipality_code: Option<String>,
    respondent_name: String,
    source: &'static str,
    invitation_id: Option<Uuid>,
    answered_at: DateTime<Utc>,
    created_by: Option<Uuid>,
}

async fn store_response(
    tx: &mut Work<'_>,
    instrument: &Instrument,
    new: NewResponse,
    answers: &Answers,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let scored = score_for(instrument, answers, &new.subject)?;
    let corrupt = |e: serde_json::Error| ServiceError::Store(StoreError::Corrupt(e.to_string()));
    let record = ResponseRecord {
        id: Uuid::now_v7(),
        child_id: new.child_id,
        org_id: new.org_id,
        municipality_code: new.municipality_code,
        instrument_id: instrument.id().to_string(),
        instrument_version: instrument.version().to_string(),
        respondent: instrument.respondent().as_str().to_string(),
        respondent_name: new.respondent_name,
        source: new.source.to_string(),
        invitation_id: new.invitation_id,
        answers: serde_json::to_value(answers).map_err(corrupt)?,
        scores: serde_json::to_value(&scored).map_err(corrupt)?,
        answered_at: new.answered_at,
        created_at: now,
        created_by: new.created_by,
    };
    tx.insert_response(&record).await.map_err(|e| match e {
        StoreError::Unique(_) => ServiceError::Conflict { current: 1 },
        other => other.into(),
    })?;
    for hit in &scored.critical {
        tx.insert_alert(&Alert {
            id: Uuid::now_v7(),
            child_id: record.child_id,
            org_id: record.org_id,
            response_id: record.id,
            code: hit.code.clone(),
            message_en: hit.message_en.clone(),
            message_da: hit.message_da.clone(),
            created_at: now,
            escalated_at: None,
            acknowledged_at: None,
            acknowledged_by: None,
        })
        .await?;
    }
    Ok(record.id)
}

/// A paper form typed in by staff.
#[derive(Debug, Clone)]
pub struct PaperInput {
    pub instrument_id: String,
    pub respondent_name: String,
    pub answered_at: Option<DateTime<Utc>>,
    pub answers: Answers,
}

pub async fn enter_paper(
    store: &Store,
    catalogue: &Catalogue,
    ctx: &Ctx,
    child_id: Uuid,
    input: PaperInput,
) -> ServiceResult<ResponseRecord> {
    store
        .write(async |tx| {
            let child = crate::children::load(tx, ctx, child_id, Action::Update).await?;
            let instrument = catalogue
                .get(&input.instrument_id)
                .ok_or_else(|| ServiceError::Invalid(unknown_instrument(catalogue).into()))?;
            let mut errors = FieldErrors::default();
            if let Err(e) = check_fit(instrument, &child, instrument.respondent(), ctx.today()) {
                errors.0.extend(e.0);
            }
            if input.respondent_name.trim().is_empty() {
                errors.push(FieldError::new(
                    "respondent_name",
                    "Write who answered the form.",
                    "Skriv, hvem der har udfyldt skemaet.",
                ));
            }
            let answered_at = input.answered_at.unwrap_or(ctx.now);
            if answered_at > ctx.now {
                errors.push(FieldError::new(
                    "answered_at",
                    "The date of answering cannot be in the future.",
                    "Besvarelsesdatoen kan ikke ligge i fremtiden.",
                ));
            }
            if let Err(e) = validate_answers(instrument, &input.answers) {
                errors.0.extend(e.0);
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let id = store_response(
                tx,
                instrument,
                NewResponse {
                    subject: subject(&child, answered_at),
                    child_id,
                    org_id: child.org_id,
                    municipality_code: child.municipality_code.clone(),
                    respondent_name: input.respondent_name.trim().to_string(),
                    source: "paper",
                    invitation_id: None,
                    answered_at,
                    created_by: Some(ctx.actor.user_id),
                },
                &input.answers,
                ctx.now,
            )
            .await?;
            tx.audit(
                ctx.now,
                ctx.event(
                    AuditAction::Create,
                    "response",
                    Some(id),
                    Some(child_id),
                    instrument.id(),
                ),
            );
            let stored = tx
                .responses_of_child(child_id)
                .await?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or(ServiceError::NotFound)?;
            Ok(stored)
        })
        .await
}

/// An open alert with the child's name, for a staff member's front page.
#[derive(Debug, Clone)]
pub struct AlertLine {
    pub alert: Alert,
    pub child_name: String,
}

/// Open alerts for children the actor may see.
pub async fn open_alerts(store: &Store, ctx: &Ctx) -> ServiceResult<Vec<AlertLine>> {
    if !ctx.actor.role.works_with_children() {
        return Ok(Vec::new());
    }
    store
        .read(async |tx| {
            let alerts = tx.open_alerts(ctx.actor.org_id).await?;
            let mut out = Vec::with_capacity(alerts.len());
            for alert in alerts {
                let Some(child) = tx.child(alert.child_id).await? else {
                    continue;
                };
                if authorize(&ctx.actor, Action::Read, Resource::child(child.org_id)).is_allowed() {
                    out.push(AlertLine {
                        child_name: format!("{} {}", child.data.given_name, child.data.family_name),
                        alert,
                    });
                }
            }
            if !out.is_empty() {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Read,
                        "alert_list",
                        None,
                        None,
                        format!("results={}", out.len()),
                    ),
                );
            }
            Ok(out)
        })
        .await
}

pub async fn acknowledge_alert(store: &Store, ctx: &Ctx, alert_id: Uuid) -> ServiceResult<()> {
    store
        .write(async |tx| {
            let alert = tx.alert(alert_id).await?.ok_or(ServiceError::NotFound)?;
            crate::children::load(tx, ctx, alert.child_id, Action::Update).await?;
            if tx
                .acknowledge_alert(alert_id, ctx.actor.user_id, ctx.now)
                .await?
            {
                tx.audit(
                    ctx.now,
                    ctx.event(
                        AuditAction::Update,
                        "alert",
                        Some(alert_id),
                        Some(alert.child_id),
                        "acknowledged",
                    ),
                );
            }
            Ok(())
        })
        .await
}

/// Marks alerts that stayed unacknowledged longer than `after` as escalated, so
/// they show to every coordinator of the organisation.
pub async fn escalate_overdue(store: &Store, after: Duration) -> ServiceResult<u64> {
    let now = Utc::now();
    store
        .write(async |tx| {
            let n = tx.escalate_alerts(now - after, now).await?;
            Ok(n)
        })
        .await
}

/// The licensed item texts an organisation has loaded for an instrument, by linkId.
/// Empty when none are loaded: then the neutral labels of the definition are shown.
pub async fn licensed_texts(
    store: &Store,
    org_id: Uuid,
    instrument_id: &str,
    lang: samspor_domain::i18n::Lang,
) -> ServiceResult<std::collections::HashMap<String, String>> {
    store
        .read(async |tx| {
            let mut texts = tx
                .instrument_texts(org_id, instrument_id, lang.as_str())
                .await?;
            if texts.is_empty() && lang != samspor_domain::i18n::Lang::Da {
                texts = tx.instrument_texts(org_id, instrument_id, "da").await?;
            }
            Ok(texts.into_iter().collect())
        })
        .await
}

/// The child an invitation belongs to, if the actor may see it.
pub async fn invitation_child(
    store: &Store,
    ctx: &Ctx,
    invitation_id: Uuid,
) -> ServiceResult<Uuid> {
    store
        .read(async |tx| {
            let inv = tx
                .invitation(invitation_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            crate::children::load(tx, ctx, inv.child_id, Action::Read).await?;
            Ok(inv.child_id)
        })
        .await
}

/// Licensed item wording for one instrument and language, as an organisation
/// receives it from the rights holder. The repository never holds such texts.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TextPack {
    /// The organisation holding the licence (its code, e.g. 0101).
    pub organisation: String,
    pub instrument: String,
    /// "da" or "en".
    pub lang: String,
    /// linkId → the official wording.
    pub texts: std::collections::BTreeMap<String, String>,
}

/// Loads a text pack, all or nothing; returns how many texts were stored.
pub async fn load_text_pack(
    store: &Store,
    catalogue: &Catalogue,
    pack: &TextPack,
) -> ServiceResult<usize> {
    let mut errors = FieldErrors::default();
    let instrument = catalogue.get(&pack.instrument);
    if instrument.is_none() {
        errors.push(unknown_instrument(catalogue));
    }
    if samspor_domain::i18n::Lang::parse(&pack.lang).is_none() {
        errors.push(FieldError::new(
            "lang",
            "Use da or en.",
            "Brug da eller en.",
        ));
    }
    if pack.texts.is_empty() {
        errors.push(FieldError::new(
            "texts",
            "The pack holds no texts.",
            "Pakken indeholder ingen tekster.",
        ));
    }
    for (link_id, text) in &pack.texts {
        let field = format!("texts.{link_id}");
        if let Some(i) = instrument
            && i.question(link_id).is_none()
        {
            errors.push(FieldError::new(
                field.clone(),
                format!("{} has no question {link_id}.", i.id()),
                format!("{} har intet spørgsmål {link_id}.", i.id()),
            ));
        }
        let len = text.trim().chars().count();
        if len == 0 || len > 1000 {
            errors.push(FieldError::new(
                field,
                "A text must have 1 to 1000 characters.",
                "En tekst skal have 1 til 1000 tegn.",
            ));
        }
    }
    store
        .write(async |tx| {
            let org = tx.organisation_by_code(pack.organisation.trim()).await?;
            if org.is_none() {
                errors.push(FieldError::new(
                    "organisation",
                    "Unknown organisation code.",
                    "Ukendt organisationskode.",
                ));
            }
            let (Some(org), true) = (org, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            let now = Utc::now();
            for (link_id, text) in &pack.texts {
                tx.set_instrument_text(
                    org.id,
                    &pack.instrument,
                    link_id,
                    &pack.lang,
                    text.trim(),
                    now,
                )
                .await?;
            }
            Ok(pack.texts.len())
        })
        .await
}
