//! The lawful basis of a child's data through the API. Only the organisation that owns the
//! record manages it; a recipient sees the shared data, never these records.

use crate::api::*;
use crate::request::{Id, IdAnd};
use axum::http::StatusCode;
use samspor_domain::lawful_basis::access_log::ExtractInput;
use samspor_domain::lawful_basis::{
    ConsentInput, Recipient, RecipientKind, ReviewInput, StatutoryInput,
};
use samspor_store::consent::{
    self, CustodyCheckInput, EmergencyInput, GiverInput, NotificationInput, ObjectionInput,
    ShareInput,
};
use serde::Deserialize;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read))
        .routes(routes!(record_consent))
        .routes(routes!(add_giver))
        .routes(routes!(withdraw_consent))
        .routes(routes!(record_statutory))
        .routes(routes!(end_statutory))
        .routes(routes!(record_objection))
        .routes(routes!(withdraw_objection))
        .routes(routes!(share))
        .routes(routes!(end_share))
        .routes(routes!(record_notification))
        .routes(routes!(record_custody_check))
        .routes(routes!(emergency_access))
        .routes(routes!(review_emergency))
        .routes(routes!(family_extract))
        .routes(routes!(worklist))
        .routes(routes!(shared_courses))
}

const TAG: &str = "lawful basis";

/// An organisation data is shared with, and the kind it is.
#[derive(Deserialize, ToSchema)]
pub struct RecipientIn {
    org_id: Uuid,
    /// `child_psychiatry`, `general_practice`, `other_municipality`, `school_ppr` or `social_authority`.
    kind: String,
}

fn recipients(list: &[RecipientIn]) -> Result<Vec<Recipient>, WebError> {
    list.iter()
        .map(|r| {
            RecipientKind::parse(&r.kind)
                .map(|kind| Recipient {
                    org_id: r.org_id,
                    kind,
                })
                .ok_or_else(|| {
                    WebError::Invalid(
                        samspor_domain::validation::FieldError::new(
                            "recipients",
                            "Unknown kind of recipient.",
                            "Ukendt slags modtager.",
                        )
                        .into(),
                    )
                })
        })
        .collect()
}

/// A consent to share (sundhedsloven § 41, stk. 1 for treatment; § 43, stk. 1 for other purposes).
#[derive(Deserialize, ToSchema)]
pub struct ConsentIn {
    #[serde(default)]
    recipients: Vec<RecipientIn>,
    /// `contact_and_course`, `scores`, `journal`, `plan`.
    #[serde(default)]
    categories: Vec<String>,
    purpose_text: Option<String>,
    /// `written` or `oral`.
    form: Option<String>,
    /// Why a consent that must be written was given orally.
    oral_reason: Option<String>,
    /// YYYY-MM-DD.
    given_on: Option<String>,
    /// YYYY-MM-DD; by default the longest the law allows.
    valid_to: Option<String>,
    /// `child` or a guardian's id (see the child's lawful basis for the ids).
    #[serde(default)]
    givers: Vec<String>,
    /// When custody holders consent for a young person of 15 or more: why the young person
    /// cannot understand the consequences.
    capacity_reason: Option<String>,
}

/// Everything recorded about the lawful basis of a child's data: consents with their state
/// today, statutory bases, objections, emergency accesses, notifications, shares and custody
/// checks.
#[utoipa::path(get, path = "/api/v1/children/{id}/lawful-basis", tag = TAG,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
) -> Result<Json<consent::model::LawfulBasisView>, WebError> {
    Ok(Json(
        consent::lawful_basis(&state.store, &u.ctx(&rid), id).await?,
    ))
}

/// Record a consent.
#[utoipa::path(post, path = "/api/v1/children/{id}/consents", tag = TAG, request_body = ConsentIn,
    params(("id" = Uuid, Path)),
    responses(
        (status = 201, body = serde_json::Value),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "See `errors`: e.g. a parent without custody, a 15-year-old's own say, a § 43 consent longer than a year"),
    ))]
async fn record_consent(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<ConsentIn>,
) -> Result<axum::response::Response, WebError> {
    let input = ConsentInput {
        recipients: recipients(&body.recipients)?,
        categories: body.categories,
        purpose_text: body.purpose_text,
        form: body.form,
        oral_reason: body.oral_reason,
        given_on: body.given_on,
        valid_to: body.valid_to,
        givers: body.givers,
        capacity_reason: body.capacity_reason,
    };
    let c = consent::record_consent(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/children/{id}/lawful-basis"), c))
}

/// A person giving, confirming or withdrawing a consent.
#[derive(Deserialize, ToSchema)]
pub struct GiverIn {
    /// `child` or a guardian's id.
    giver: Option<String>,
    /// The consent's version as read; a changed consent is refused (409).
    version: Option<i64>,
}

impl GiverIn {
    fn input(self) -> GiverInput {
        GiverInput {
            giver: self.giver,
            version: self.version,
        }
    }
}

/// Add a giver: the second custody holder, or the young person confirming at 15.
#[utoipa::path(post, path = "/api/v1/children/{id}/consents/{consent}/givers", tag = TAG, request_body = GiverIn,
    params(("id" = Uuid, Path), ("consent" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_giver(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(id, consent_id): IdAnd<Uuid>,
    ApiJson(body): ApiJson<GiverIn>,
) -> Result<Json<samspor_domain::lawful_basis::Consent>, WebError> {
    Ok(Json(
        consent::add_giver(&state.store, &u.ctx(&rid), id, consent_id, &body.input()).await?,
    ))
}

/// Withdraw a consent: it stops being a basis from the next request.
#[utoipa::path(post, path = "/api/v1/children/{id}/consents/{consent}/withdrawal", tag = TAG, request_body = GiverIn,
    params(("id" = Uuid, Path), ("consent" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn withdraw_consent(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(id, consent_id): IdAnd<Uuid>,
    ApiJson(body): ApiJson<GiverIn>,
) -> Result<Json<samspor_domain::lawful_basis::Consent>, WebError> {
    Ok(Json(
        consent::withdraw_consent(&state.store, &u.ctx(&rid), id, consent_id, &body.input())
            .await?,
    ))
}

/// Disclosure without consent on a statutory ground.
#[derive(Deserialize, ToSchema)]
pub struct StatutoryIn {
    /// `current_treatment`, `vital_interests` or `legal_duty`.
    ground: Option<String>,
    #[serde(default)]
    recipients: Vec<RecipientIn>,
    #[serde(default)]
    categories: Vec<String>,
    reason: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Record a statutory basis (the provision, why, who decided, what it covers).
#[utoipa::path(post, path = "/api/v1/children/{id}/statutory-bases", tag = TAG, request_body = StatutoryIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn record_statutory(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<StatutoryIn>,
) -> Result<axum::response::Response, WebError> {
    let input = StatutoryInput {
        ground: body.ground,
        recipients: recipients(&body.recipients)?,
        categories: body.categories,
        reason: body.reason,
        from: body.from,
        to: body.to,
    };
    let b = consent::record_statutory(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/children/{id}/lawful-basis"), b))
}

/// End a statutory basis.
#[utoipa::path(post, path = "/api/v1/children/{id}/statutory-bases/{basis}/end", tag = TAG,
    params(("id" = Uuid, Path), ("basis" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn end_statutory(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(id, basis): IdAnd<Uuid>,
) -> Result<StatusCode, WebError> {
    consent::end_statutory(&state.store, &u.ctx(&rid), id, basis).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An objection ("frabedelse") to disclosure without consent.
#[derive(Deserialize, ToSchema)]
pub struct ObjectionIn {
    /// `child` or a guardian's id.
    by: Option<String>,
    /// Kinds of recipient it concerns; empty: all.
    #[serde(default)]
    recipients: Vec<String>,
    note: Option<String>,
}

/// Record an objection; it overrides a statutory basis that allows one.
#[utoipa::path(post, path = "/api/v1/children/{id}/objections", tag = TAG, request_body = ObjectionIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn record_objection(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<ObjectionIn>,
) -> Result<axum::response::Response, WebError> {
    let input = ObjectionInput {
        by: body.by,
        recipients: body.recipients,
        note: body.note,
    };
    let o = consent::record_objection(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/children/{id}/lawful-basis"), o))
}

/// Withdraw an objection.
#[utoipa::path(post, path = "/api/v1/children/{id}/objections/{objection}/withdrawal", tag = TAG,
    params(("id" = Uuid, Path), ("objection" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn withdraw_objection(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(id, objection): IdAnd<Uuid>,
) -> Result<StatusCode, WebError> {
    consent::withdraw_objection(&state.store, &u.ctx(&rid), id, objection).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A course shared with another organisation.
#[derive(Deserialize, ToSchema)]
pub struct ShareIn {
    course_id: Option<Uuid>,
    recipient_org_id: Option<Uuid>,
}

/// Share a course with another organisation: refused unless a recorded basis covers it.
#[utoipa::path(post, path = "/api/v1/children/{id}/shares", tag = TAG, request_body = ShareIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn share(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<ShareIn>,
) -> Result<axum::response::Response, WebError> {
    let input = ShareInput {
        course_id: body.course_id,
        recipient_org_id: body.recipient_org_id,
    };
    let s = consent::share_course(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/children/{id}/lawful-basis"), s))
}

/// End a share.
#[utoipa::path(post, path = "/api/v1/children/{id}/shares/{share}/end", tag = TAG,
    params(("id" = Uuid, Path), ("share" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn end_share(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(id, share): IdAnd<Uuid>,
) -> Result<StatusCode, WebError> {
    consent::end_share(&state.store, &u.ctx(&rid), id, share).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A notification ("underretning") to the children-and-family authority.
#[derive(Deserialize, ToSchema)]
pub struct NotificationIn {
    made_on: Option<String>,
    summary: Option<String>,
    /// Keep it from the family's view until this day (YYYY-MM-DD)…
    withheld_until: Option<String>,
    /// …for this reason.
    withheld_reason: Option<String>,
}

/// Record a notification; it is a disclosure, not a basis for sharing.
#[utoipa::path(post, path = "/api/v1/children/{id}/notifications", tag = TAG, request_body = NotificationIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn record_notification(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<NotificationIn>,
) -> Result<axum::response::Response, WebError> {
    let input = NotificationInput {
        made_on: body.made_on,
        summary: body.summary,
        withheld_until: body.withheld_until,
        withheld_reason: body.withheld_reason,
    };
    let n = consent::record_notification(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(format!("/api/v1/children/{id}/lawful-basis"), n))
}

/// Where the custody facts come from.
#[derive(Deserialize, ToSchema)]
pub struct CustodyCheckIn {
    checked_on: Option<String>,
    /// E.g. "CPR".
    source: Option<String>,
}

/// Record that the custody facts were checked.
#[utoipa::path(post, path = "/api/v1/children/{id}/custody-checks", tag = TAG, request_body = CustodyCheckIn,
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn record_custody_check(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<CustodyCheckIn>,
) -> Result<StatusCode, WebError> {
    let input = CustodyCheckInput {
        checked_on: body.checked_on,
        source: body.source,
    };
    consent::record_custody_check(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Emergency access: the child by CPR (in the body, never in a URL) and the reason.
#[derive(Deserialize, ToSchema)]
pub struct EmergencyIn {
    cpr: Option<String>,
    reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EmergencyOut {
    /// The records opened, for the hours the rules allow.
    children: Vec<Uuid>,
}

/// Open another organisation's record of a child because of acute risk. The owners see the
/// access on the child's lawful basis for review.
#[utoipa::path(post, path = "/api/v1/emergency-access", tag = TAG, request_body = EmergencyIn,
    responses((status = 201, body = EmergencyOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn emergency_access(
    ApiCx(state, u, rid): ApiCx,
    ApiJson(body): ApiJson<EmergencyIn>,
) -> Result<axum::response::Response, WebError> {
    let input = EmergencyInput {
        cpr: body.cpr,
        reason: body.reason,
    };
    let children = consent::open_emergency(&state.store, &u.ctx(&rid), &input).await?;
    Ok(created(
        "/api/v1/children".into(),
        EmergencyOut { children },
    ))
}

/// The owner's review of an emergency access.
#[derive(Deserialize, ToSchema)]
pub struct ReviewIn {
    /// What the review found.
    note: Option<String>,
    /// Wait with telling the family until this day (YYYY-MM-DD)…
    withheld_until: Option<String>,
    /// …for this reason.
    withheld_reason: Option<String>,
}

/// Review an emergency access to one of the organisation's children (once); the family is told
/// of it through the access log unless the review withholds it.
#[utoipa::path(post, path = "/api/v1/children/{id}/emergency-access/{access}/review", tag = TAG, request_body = ReviewIn,
    params(("id" = Uuid, Path), ("access" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn review_emergency(
    ApiCx(state, u, rid): ApiCx,
    IdAnd(id, access): IdAnd<Uuid>,
    ApiJson(body): ApiJson<ReviewIn>,
) -> Result<Json<samspor_domain::lawful_basis::EmergencyReview>, WebError> {
    let input = ReviewInput {
        note: body.note,
        withheld_until: body.withheld_until,
        withheld_reason: body.withheld_reason,
    };
    Ok(Json(
        consent::review_emergency(&state.store, &u.ctx(&rid), id, access, &input).await?,
    ))
}

/// A request for the family's extract of the access log.
#[derive(Deserialize, ToSchema)]
pub struct ExtractIn {
    /// `child` (from 15) or the id of a guardian with custody.
    requested_by: Option<String>,
    /// The recorded data-protection decision that lets staff names in; without it, none.
    staff_names_decision: Option<String>,
}

/// Make the family's extract of the child's access log (GDPR art. 15): when, which organisation
/// and role, what kind of data, for what purpose and on which basis; oldest first.
#[utoipa::path(post, path = "/api/v1/children/{id}/access-log/extracts", tag = TAG, request_body = ExtractIn,
    params(("id" = Uuid, Path)),
    responses((status = 201, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "See `errors`: e.g. a parent without custody, a child under 15")))]
async fn family_extract(
    ApiCx(state, u, rid): ApiCx,
    Id(id): Id,
    ApiJson(body): ApiJson<ExtractIn>,
) -> Result<axum::response::Response, WebError> {
    let input = ExtractInput {
        requested_by: body.requested_by,
        staff_names_decision: body.staff_names_decision,
    };
    let extract = consent::family_extract(&state.store, &u.ctx(&rid), id, &input).await?;
    Ok(created(
        format!("/api/v1/children/{id}/lawful-basis"),
        extract,
    ))
}

/// What the organisation must see to about its children's lawful bases: emergency accesses to
/// review and children turning 15 within 30 days whose parents' consent then needs confirming.
#[utoipa::path(get, path = "/api/v1/lawful-basis/worklist", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn worklist(
    ApiCx(state, u, rid): ApiCx,
) -> Result<Json<consent::model::BasisWorklist>, WebError> {
    Ok(Json(
        consent::basis_worklist(&state.store, &u.ctx(&rid)).await?,
    ))
}

/// The courses other organisations share with the caller's, where a basis covers them now,
/// with the categories it may read.
#[utoipa::path(get, path = "/api/v1/shared-courses", tag = TAG,
    responses((status = 200, body = serde_json::Value)))]
async fn shared_courses(
    ApiCx(state, u, rid): ApiCx,
) -> Result<Json<Vec<consent::SharedCourse>>, WebError> {
    Ok(Json(
        consent::shared_courses(&state.store, &u.ctx(&rid)).await?,
    ))
}
