//! The family's extract of a child's access log, as a page to print or a CSV file to hand over.

use crate::children::pages::purpose_label;
use crate::i18n::Tr;
use crate::pages::{Layout, local_time, render};
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use samspor_domain::i18n::Lang;
use samspor_domain::lawful_basis::access_log::{ExtractLine, LoggedBasis};
use samspor_store::consent::model::FamilyExtract;
use uuid::Uuid;

/// One line as the family reads it.
pub struct Row {
    time: String,
    organisation: String,
    role: String,
    staff: String,
    action: &'static str,
    data: String,
    purpose: &'static str,
    basis: String,
}

fn row(t: Tr, line: &ExtractLine) -> Row {
    let lang = t.language();
    Row {
        time: local_time(line.at, true),
        organisation: line
            .organisation
            .clone()
            .unwrap_or_else(|| "Samspor".into()),
        role: line
            .role
            .map(|r| r.label(lang).to_string())
            .unwrap_or_else(|| t.t("fx.system").into()),
        staff: line.staff_name.clone().unwrap_or_default(),
        action: t.t(&format!("action.{}", line.action.as_str())),
        data: line
            .data
            .iter()
            .map(|c| c.label(lang))
            .collect::<Vec<_>>()
            .join(", "),
        purpose: purpose_label(lang, &line.purpose),
        basis: basis_text(t, &line.basis),
    }
}

fn basis_text(t: Tr, basis: &LoggedBasis) -> String {
    let lang = t.language();
    match basis {
        LoggedBasis::OwnCase => t.t("fx.own_case").into(),
        LoggedBasis::Consent { provision } => format!("{} ({provision})", t.t("fx.consent")),
        LoggedBasis::Statutory { ground, provision } => {
            format!("{} ({provision})", ground.label(lang))
        }
        LoggedBasis::Emergency { provision } => format!("{} ({provision})", t.t("fx.emergency")),
    }
}

#[derive(Template)]
#[template(path = "consent/extract.html")]
struct ExtractTemplate {
    t: Tr,
    l: Layout,
    id: Uuid,
    child_name: String,
    requested_by: String,
    made: String,
    staff_names: bool,
    rows: Vec<Row>,
}

/// The extract as a page to print.
pub fn page(t: Tr, l: Layout, x: &FamilyExtract) -> Response {
    render(
        StatusCode::OK,
        &ExtractTemplate {
            t,
            l,
            id: x.record.child_id,
            child_name: x.child_name.clone(),
            requested_by: x
                .requested_by_name
                .clone()
                .unwrap_or_else(|| t.t("lb.the_child").into()),
            made: local_time(x.record.made_at, true),
            staff_names: x.record.staff_names_decision.is_some(),
            rows: x.lines.iter().map(|l| row(t, l)).collect(),
        },
    )
}

/// The extract as a CSV file (semicolon-separated, as Danish spreadsheets expect).
pub fn csv(t: Tr, x: &FamilyExtract) -> Result<Response, crate::error::WebError> {
    let staff = x.record.staff_names_decision.is_some();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let mut head = vec![t.t("access.time"), t.t("access.org"), t.t("fx.role")];
    if staff {
        head.push(t.t("access.who"));
    }
    head.extend([
        t.t("access.action"),
        t.t("fx.data"),
        t.t("access.purpose"),
        t.t("fx.basis"),
    ]);
    let fail = |e: csv::Error| crate::error::WebError::Internal(e.to_string());
    w.write_record(&head).map_err(fail)?;
    for r in x.lines.iter().map(|l| row(t, l)) {
        let mut rec = vec![r.time, r.organisation, r.role];
        if staff {
            rec.push(r.staff);
        }
        rec.extend([r.action.into(), r.data, r.purpose.into(), r.basis]);
        w.write_record(&rec).map_err(fail)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| crate::error::WebError::Internal(e.to_string()))?;
    let lang = if t.language() == Lang::Da { "da" } else { "en" };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"access-log-{lang}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
