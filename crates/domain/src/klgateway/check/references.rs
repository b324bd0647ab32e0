//! References inside a report: what each must point to, and resolving them against the
//! entries' fullUrls once the whole report has been walked.

use super::formats::is_fhir_id;
use super::json::Shape;
use super::{Checker, Rule};
use crate::klgateway::{CAREPLAN_PROFILE, CITIZEN_PROFILE, ENCOUNTER_PROFILE, REFERRAL_PROFILE};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What a reference must point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Citizen,
    Course,
    Encounter,
    Referral,
}

impl Role {
    pub(super) fn profile(self) -> &'static str {
        match self {
            Role::Citizen => CITIZEN_PROFILE,
            Role::Course => CAREPLAN_PROFILE,
            Role::Encounter => ENCOUNTER_PROFILE,
            Role::Referral => REFERRAL_PROFILE,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Role::Citizen => "the Citizen (KLGatewayLTTCitizen)",
            Role::Course => "the course CarePlan (KLGatewayLTTCarePlan)",
            Role::Encounter => "an Encounter (KLGatewayLTTEncounter)",
            Role::Referral => "a Referral (KLGatewayLTTReferral)",
        }
    }
}

/// A reference seen while walking a report, resolved once all entries are known.
pub(super) struct PendingRef {
    entry: usize,
    resource: String,
    path: String,
    reference: String,
    target: Role,
}

/// One entry of a report, as far as references need it.
pub(super) struct EntryInfo {
    pub(super) full_url: Option<String>,
    pub(super) role: Option<Role>,
}

impl Checker {
    /// A Reference that must resolve inside the report to `target`.
    pub(super) fn reference(
        &mut self,
        path: &str,
        r: &Map<String, Value>,
        entry: usize,
        target: Role,
    ) {
        self.keys(
            path,
            r,
            &Shape::element(
                "Reference",
                &["reference", "type", "identifier", "display"],
                &[],
            ),
        );
        match r.get("reference").and_then(Value::as_str) {
            Some(reference) if !reference.is_empty() => self.refs.push(PendingRef {
                entry,
                resource: self.resource.clone(),
                path: path.to_string(),
                reference: reference.to_string(),
                target,
            }),
            _ => self.error(
                Rule::Reference,
                &format!("{path}.reference"),
                format!(
                    "must be a literal reference to {} in the same report",
                    target.name()
                ),
            ),
        }
    }

    /// Resolves every reference of the report (FHIR R4 Bundle rules): an absolute reference
    /// must equal an entry's fullUrl; a relative `Type/id` is appended to the base of the
    /// referring entry's fullUrl. Then the target must be the right kind of resource.
    pub(super) fn resolve(&mut self, infos: &HashMap<usize, EntryInfo>) {
        let refs = std::mem::take(&mut self.refs);
        for r in refs {
            self.resource = r.resource.clone();
            let absolute = r.reference.contains("://") || r.reference.starts_with("urn:");
            let wanted = if absolute {
                Some(r.reference.clone())
            } else if restful_tail(&format!("x://x/{}", r.reference)).is_none()
                || r.reference.matches('/').count() != 1
            {
                self.error(
                    Rule::Reference,
                    &format!("{}.reference", r.path),
                    format!("`{}` is not a `Type/id` reference", r.reference),
                );
                continue;
            } else {
                infos
                    .get(&r.entry)
                    .and_then(|e| e.full_url.as_deref())
                    .and_then(service_base)
                    .map(|base| format!("{base}/{}", r.reference))
            };
            let Some(wanted) = wanted else {
                self.error(
                    Rule::Reference,
                    &format!("{}.reference", r.path),
                    format!(
                        "`{}` is relative, but this entry has no `{{base}}/{{type}}/{{id}}` fullUrl to resolve it against",
                        r.reference
                    ),
                );
                continue;
            };
            let target = infos
                .values()
                .find(|e| e.full_url.as_deref() == Some(wanted.as_str()));
            match target {
                None => self.error(
                    Rule::Reference,
                    &format!("{}.reference", r.path),
                    format!(
                        "`{}` does not resolve to any entry of this report (must be {})",
                        r.reference,
                        r.target.name()
                    ),
                ),
                Some(e) if e.role != Some(r.target) => self.error(
                    Rule::Reference,
                    &format!("{}.reference", r.path),
                    format!(
                        "`{}` resolves to {}, but must be {}",
                        r.reference,
                        e.role.map_or("an unknown resource", Role::name),
                        r.target.name()
                    ),
                ),
                Some(_) => {}
            }
        }
        self.resource = "Bundle".into();
    }
}

/// `(type, id)` of a RESTful URL `http(s)://.../{Type}/{id}`.
pub(super) fn restful_tail(url: &str) -> Option<(&str, &str)> {
    if !(url.contains("://")) {
        return None;
    }
    let mut parts = url.rsplitn(3, '/');
    let id = parts.next()?;
    let rtype = parts.next()?;
    parts.next()?;
    let is_type = rtype.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && rtype.chars().all(|c| c.is_ascii_alphanumeric());
    (is_type && is_fhir_id(id)).then_some((rtype, id))
}

/// The service base of a RESTful fullUrl: everything before `/{Type}/{id}`.
fn service_base(full_url: &str) -> Option<&str> {
    let (rtype, id) = restful_tail(full_url)?;
    full_url.strip_suffix(&format!("/{rtype}/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restful_urls_and_bases() {
        assert_eq!(
            restful_tail("https://test.fhir.dk/Patient/407ceb16"),
            Some(("Patient", "407ceb16"))
        );
        assert_eq!(
            service_base("https://test.fhir.dk/fhir/Patient/1"),
            Some("https://test.fhir.dk/fhir")
        );
        assert_eq!(restful_tail("urn:uuid:407ceb16"), None);
        assert_eq!(restful_tail("https://x.dk/patient/1"), None);
    }
}
