//! The respondent's side of a questionnaire link: no account, phone first, no JavaScript.
//! Answers are saved page by page, so a respondent can stop and come back.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::{Tr, UiLang};
use crate::pages::render;
use crate::request::RequestId;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use samspor_domain::instrument::{Answers, Instrument};
use samspor_domain::validation::FieldErrors;
use samspor_store::questionnaires::{self, Answered, PageAnswers};
use samspor_store::service::ServiceError;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{token}", get(show).post(save))
        .route("/s/{token}/tak", get(thanks))
}

pub struct OptionView {
    value: i64,
    label: String,
    checked: bool,
}

pub struct QuestionView {
    link_id: String,
    label: String,
    options: Vec<OptionView>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "questionnaires/respond.html")]
struct RespondTemplate {
    t: Tr,
    title: String,
    first_name: String,
    token: String,
    page_index: usize,
    page_no: usize,
    page_count: usize,
    last_page: bool,
    licensed: bool,
    has_errors: bool,
    questions: Vec<QuestionView>,
    /// Set when "send" found unanswered questions: the respondent is asked before the link is
    /// used up.
    incomplete: Option<Incomplete>,
}

pub struct Incomplete {
    missing: usize,
    total: usize,
    /// The page of the first unanswered question.
    first_page: usize,
}

#[derive(Template)]
#[template(path = "questionnaires/respond_message.html")]
struct MessageTemplate {
    t: Tr,
    heading: &'static str,
    text: &'static str,
}

/// The same page for every link that cannot be used, so it reveals nothing.
fn gone(t: Tr) -> Response {
    render(
        StatusCode::NOT_FOUND,
        &MessageTemplate {
            t,
            heading: t.t("respond.gone_title"),
            text: t.t("respond.gone_text"),
        },
    )
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: Option<usize>,
}

#[allow(clippy::too_many_arguments)]
fn page_view(
    t: Tr,
    instrument: &Instrument,
    first_name: String,
    token: &str,
    page_index: usize,
    answers: &Answers,
    texts: &HashMap<String, String>,
    errors: &FieldErrors,
) -> RespondTemplate {
    let pages = instrument.pages();
    let page_index = page_index.min(pages.len().saturating_sub(1));
    let page = &pages[page_index];
    RespondTemplate {
        t,
        title: instrument.title(t.0).to_string(),
        first_name,
        token: token.to_string(),
        page_index,
        page_no: page_index + 1,
        page_count: pages.len(),
        last_page: page_index + 1 == pages.len(),
        // The notice stays while any question on the page shows our own label.
        licensed: page.items.iter().all(|q| texts.contains_key(&q.link_id)),
        has_errors: !errors.is_empty(),
        incomplete: None,
        questions: page
            .items
            .iter()
            .map(|q| QuestionView {
                link_id: q.link_id.clone(),
                label: texts
                    .get(&q.link_id)
                    .cloned()
                    .unwrap_or_else(|| q.label(t.0).to_string()),
                options: q
                    .options
                    .iter()
                    .map(|o| OptionView {
                        value: o.value,
                        label: o.label(t.0).to_string(),
                        checked: answers.value(&q.link_id) == Some(o.value),
                    })
                    .collect(),
                error: errors.get(&q.link_id).map(|e| e.message(t.0).to_string()),
            })
            .collect(),
    }
}

async fn show(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(token): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let open = match questionnaires::open_link(&state.store, &token, &rid).await {
        Ok(o) => o,
        Err(ServiceError::NotFound) => return Ok(gone(t)),
        Err(e) => return Err(e.into()),
    };
    let Some(instrument) = state.catalogue.get(&open.invitation.instrument_id) else {
        return Ok(gone(t));
    };
    let answers: Answers =
        serde_json::from_value(open.invitation.answers.clone()).unwrap_or_default();
    let texts =
        questionnaires::licensed_texts(&state.store, open.invitation.org_id, instrument.id(), lang)
            .await?;
    Ok(render(
        StatusCode::OK,
        &page_view(
            t,
            instrument,
            open.child_first_name,
            &token,
            q.page.unwrap_or(0),
            &answers,
            &texts,
            &FieldErrors::default(),
        ),
    ))
}

async fn save(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    RequestId(rid): RequestId,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let t = Tr(lang);
    let page_index = form
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(0);
    let go = form.get("go").map(String::as_str).unwrap_or("next");
    // Every other field is an answer; the service knows which questions the page holds.
    let (answers, errors) =
        answers_from_form(form.iter().filter(|(k, _)| *k != "page" && *k != "go"));
    let input = PageAnswers {
        page: Some(page_index),
        answers,
    };
    if go == "submit" && errors.is_empty() {
        // The page is saved first; then the whole questionnaire is looked at, and a respondent
        // who left questions out is asked before the link is used up.
        match questionnaires::answer(&state.store, &state.catalogue, &token, &input, false, &rid)
            .await
        {
            Ok(_) => {
                if let Some(page) = incomplete_page(&state, t, &token, page_index, &rid).await? {
                    return Ok(page);
                }
            }
            Err(ServiceError::Invalid(errors)) => {
                return refused(&state, t, &token, page_index, &input.answers, &errors, &rid).await;
            }
            // Already sent (a second press): the sending below answers as it always has.
            Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let outcome = if errors.is_empty() {
        questionnaires::answer(
            &state.store,
            &state.catalogue,
            &token,
            &input,
            go == "submit" || go == "submit_anyway",
            &rid,
        )
        .await
    } else {
        Err(ServiceError::Invalid(errors))
    };
    let next = match outcome {
        Ok(Answered::Submitted(_)) => format!("/s/{token}/tak"),
        Ok(Answered::Saved) if go == "back" => {
            format!("/s/{token}?page={}", page_index.saturating_sub(1))
        }
        Ok(Answered::Saved) => format!("/s/{token}?page={}", page_index + 1),
        Err(ServiceError::Invalid(errors)) => {
            return refused(&state, t, &token, page_index, &input.answers, &errors, &rid).await;
        }
        Err(ServiceError::NotFound) => return Ok(gone(t)),
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&next).into_response())
}

/// The last page again with a warning, when questions are unanswered; `None` when every
/// question that was asked has an answer.
async fn incomplete_page(
    state: &AppState,
    t: Tr,
    token: &str,
    page_index: usize,
    rid: &str,
) -> Result<Option<Response>, WebError> {
    let open = match questionnaires::open_link(&state.store, token, rid).await {
        Ok(o) => o,
        Err(ServiceError::NotFound) => return Ok(Some(gone(t))),
        Err(e) => return Err(e.into()),
    };
    let Some(instrument) = state.catalogue.get(&open.invitation.instrument_id) else {
        return Ok(Some(gone(t)));
    };
    let answers: Answers =
        serde_json::from_value(open.invitation.answers.clone()).unwrap_or_default();
    let missing = instrument.unanswered(&answers);
    let Some(&(first_page, _)) = missing.first() else {
        return Ok(None);
    };
    let texts =
        questionnaires::licensed_texts(&state.store, open.invitation.org_id, instrument.id(), t.0)
            .await?;
    let mut view = page_view(
        t,
        instrument,
        open.child_first_name,
        token,
        page_index,
        &answers,
        &texts,
        &FieldErrors::default(),
    );
    view.incomplete = Some(Incomplete {
        missing: missing.len(),
        total: instrument.questions().count(),
        first_page,
    });
    Ok(Some(render(StatusCode::OK, &view)))
}

/// The page again, with the respondent's choices and what to fix.
async fn refused(
    state: &AppState,
    t: Tr,
    token: &str,
    page_index: usize,
    answers: &Answers,
    errors: &FieldErrors,
    rid: &str,
) -> Result<Response, WebError> {
    let open = match questionnaires::open_link(&state.store, token, rid).await {
        Ok(o) => o,
        Err(ServiceError::NotFound) => return Ok(gone(t)),
        Err(e) => return Err(e.into()),
    };
    let Some(instrument) = state.catalogue.get(&open.invitation.instrument_id) else {
        return Ok(gone(t));
    };
    let texts =
        questionnaires::licensed_texts(&state.store, open.invitation.org_id, instrument.id(), t.0)
            .await?;
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page_view(
            t,
            instrument,
            open.child_first_name,
            token,
            page_index,
            answers,
            &texts,
            errors,
        ),
    ))
}

/// Form fields (linkId → printed value) as answers; a value that is not a number is
/// reported on its question. Which linkIds exist is checked by the service.
pub fn answers_from_form<'a>(
    fields: impl Iterator<Item = (&'a String, &'a String)>,
) -> (Answers, FieldErrors) {
    let mut answers = Answers::default();
    let mut errors = FieldErrors::default();
    for (key, value) in fields {
        match value.trim() {
            "" => answers.set(key.clone(), None),
            v => match v.parse::<i64>() {
                Ok(n) => answers.set(key.clone(), Some(n)),
                Err(_) => errors.push(samspor_domain::validation::FieldError::new(
                    key.clone(),
                    "Choose one of the answers.",
                    "Vælg et af svarene.",
                )),
            },
        }
    }
    (answers, errors)
}

async fn thanks(UiLang(lang): UiLang) -> Response {
    let t = Tr(lang);
    render(
        StatusCode::OK,
        &MessageTemplate {
            t,
            heading: t.t("respond.thanks_title"),
            text: t.t("respond.thanks_text"),
        },
    )
}
