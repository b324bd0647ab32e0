//! Checks a KL Gateway LTT report or delivery against the profiles before it is sent.
//!
//! Written from the FSH in `../shared/specs/kl-ltt` (and the dk-core and FHIR R4 rules they
//! inherit): cardinalities, forbidden (0..0) elements, fixed values, required value set bindings,
//! both LTT invariants, dk-core's CPR and SOR rules, FHIR's dateTime/instant syntax and Period
//! and Bundle rules, and that every reference resolves inside its own report. KL Gateway rejects
//! a whole delivery for one error, so the checker reports every problem at once, each naming the
//! resource, the path and what is wrong.
//!
//! It checks JSON from anywhere, not only from our builder, so it never assumes the shape it
//! is looking for; anything unexpected is a violation, not a panic.

mod careplan;
mod citizen;
mod codes;
mod encounter;
mod formats;
mod json;
mod meta;
mod references;
mod referral;

use super::{DELIVERY_REPORT_PROFILE, INCREMENTAL_DELIVERY_PROFILE};
use careplan::careplan_role;
use formats::is_fhir_id;
use json::Shape;
use references::{EntryInfo, PendingRef, Role, restful_tail};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;

/// Whether a violation stops the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Breaks the profiles (or FHIR itself): KL Gateway would reject the delivery.
    Error,
    /// Allowed by the profiles, but against KL Gateway's delivery rules or outside what the LTT
    /// report is for (a narrative or a stray extension can carry personal data).
    Warning,
}

/// Which kind of rule a violation breaks; lets callers and tests tell problems apart without
/// parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Not valid FHIR JSON: an unknown element, a wrong JSON type, an empty array or string.
    Structure,
    /// A required element is missing, or an element occurs more often than allowed.
    Cardinality,
    /// An element the profile sets to 0..0.
    Forbidden,
    /// A value the profile fixes (Bundle.type, intent, class, the course code, ...).
    FixedValue,
    /// A code outside its bound value set, or a display that differs from the code system's.
    ValueSet,
    /// A resource type or extension value type the profile does not allow in that place.
    Type,
    /// Syntax of a dateTime, instant or id.
    Format,
    /// A named invariant of the LTT profiles, dk-core or FHIR (e.g. `per-1`, `bdl-7`).
    Invariant(&'static str),
    /// A reference that does not resolve inside its report, or resolves to the wrong resource.
    Reference,
    /// `meta.profile`/`meta.lastUpdated`: KL Gateway's delivery rules ask for both.
    Meta,
    /// Allowed by the profiles, but nothing the LTT report should carry.
    NotProfiled,
}

/// One problem found in a report or delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub severity: Severity,
    pub rule: Rule,
    /// Position of the report in the delivery; `None` for a report checked on its own and for
    /// the delivery Bundle itself.
    pub report: Option<usize>,
    /// `Encounter/{id}`, `Bundle` for the report or delivery itself, or `entry[3]` for a
    /// resource without type or id.
    pub resource: String,
    /// FHIRPath-like path inside the resource, e.g. `Encounter.participant[0].type[0]`.
    pub path: String,
    pub message: String,
}

impl Violation {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: ")?;
        if let Some(r) = self.report {
            write!(f, "report {r}, ")?;
        }
        write!(f, "{} at {}: {}", self.resource, self.path, self.message)
    }
}

/// Whether any of the violations would make KL Gateway reject the delivery.
pub fn has_errors(violations: &[Violation]) -> bool {
    violations.iter().any(Violation::is_error)
}

/// Checks a `KLGatewayLTTIncrementalDelivery` and every report in it.
pub fn check_delivery(delivery: &Value) -> Vec<Violation> {
    let mut c = Checker::new("Bundle");
    c.delivery(delivery);
    c.out
}

/// Checks a single `KLGatewayLTTDeliveryReport`.
pub fn check_report(report: &Value) -> Vec<Violation> {
    let mut c = Checker::new("Bundle");
    c.report(report);
    c.out
}

struct Checker {
    out: Vec<Violation>,
    report: Option<usize>,
    resource: String,
    refs: Vec<PendingRef>,
}

impl Checker {
    fn new(resource: &str) -> Self {
        Checker {
            out: Vec::new(),
            report: None,
            resource: resource.to_string(),
            refs: Vec::new(),
        }
    }

    fn push(&mut self, severity: Severity, rule: Rule, path: &str, message: impl Into<String>) {
        self.out.push(Violation {
            severity,
            rule,
            report: self.report,
            resource: self.resource.clone(),
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn error(&mut self, rule: Rule, path: &str, message: impl Into<String>) {
        self.push(Severity::Error, rule, path, message);
    }

    fn warn(&mut self, rule: Rule, path: &str, message: impl Into<String>) {
        self.push(Severity::Warning, rule, path, message);
    }

    // ----- bundles ----------------------------------------------------------------------------

    /// The parts both Bundle profiles share. Returns the Bundle as an object if it is one.
    fn bundle<'a>(
        &mut self,
        value: &'a Value,
        what: &str,
        profile: &str,
    ) -> Option<&'a Map<String, Value>> {
        let Some(b) = value.as_object() else {
            self.error(Rule::Structure, "Bundle", "must be a JSON object");
            return None;
        };
        if b.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
            self.error(
                Rule::Type,
                "Bundle.resourceType",
                format!("{what} is a Bundle"),
            );
            return None;
        }
        self.keys(
            "Bundle",
            b,
            &Shape::resource(
                what,
                &["type", "timestamp", "entry"],
                &["identifier", "total", "link", "signature"],
            ),
        );
        if let Some(id) = self.string(b, "id", "Bundle", false)
            && !is_fhir_id(id)
        {
            self.error(
                Rule::Format,
                "Bundle.id",
                format!("`{id}` is not a FHIR id"),
            );
        }
        self.meta(b, "Bundle", profile);
        self.fixed(b, "type", "Bundle", "collection");
        self.instant(b, "timestamp", "Bundle", true);
        Some(b)
    }

    /// Checks an entry's fullUrl against its resource (FHIR: a fullUrl SHALL NOT disagree with
    /// the resource's id; bdl-8: no version-specific fullUrl) and for uniqueness (bdl-7).
    fn full_url(
        &mut self,
        path: &str,
        full_url: &str,
        resource: &Map<String, Value>,
        seen: &mut HashMap<String, String>,
    ) {
        let at = format!("{path}.fullUrl");
        if full_url.contains("/_history/") {
            self.error(
                Rule::Invariant("bdl-8"),
                &at,
                "fullUrl cannot be a version-specific reference",
            );
        }
        if let Some(first) = seen.insert(full_url.to_string(), path.to_string()) {
            self.error(
                Rule::Invariant("bdl-7"),
                &at,
                format!("fullUrl `{full_url}` is also used by {first}"),
            );
        }
        if let Some((rtype, id)) = restful_tail(full_url) {
            let actual_type = resource.get("resourceType").and_then(Value::as_str);
            let actual_id = resource.get("id").and_then(Value::as_str);
            if actual_type != Some(rtype) || actual_id != Some(id) {
                self.error(
                    Rule::Reference,
                    &at,
                    format!(
                        "fullUrl names {rtype}/{id} but the resource is {}/{}",
                        actual_type.unwrap_or("?"),
                        actual_id.unwrap_or("?")
                    ),
                );
            }
        } else if !full_url.starts_with("urn:uuid:") && !full_url.starts_with("urn:oid:") {
            self.error(
                Rule::Format,
                &at,
                "fullUrl must be `{base}/{type}/{id}` or a urn:uuid",
            );
        }
    }

    fn delivery(&mut self, value: &Value) {
        let Some(b) = self.bundle(
            value,
            "KLGatewayLTTIncrementalDelivery",
            INCREMENTAL_DELIVERY_PROFILE,
        ) else {
            return;
        };
        let mut seen = HashMap::new();
        for (i, path, entry) in self.list_indexed(b, "entry", "Bundle", 0, None) {
            self.keys(
                &path,
                entry,
                &Shape::element(
                    "KLGatewayLTTIncrementalDelivery.entry",
                    &["link", "fullUrl", "resource"],
                    &["search", "request", "response"],
                ),
            );
            let Some(report) = self.object(entry, "resource", &path, true) else {
                continue;
            };
            if let Some(url) = self.string(entry, "fullUrl", &path, false) {
                self.full_url(&path, url, report, &mut seen);
            }
            // Everything inside a report is named by the report's position in the delivery.
            self.report = Some(i);
            self.report(&entry["resource"]);
            self.report = None;
            self.resource = "Bundle".into();
        }
    }

    fn report(&mut self, value: &Value) {
        let Some(b) = self.bundle(value, "KLGatewayLTTDeliveryReport", DELIVERY_REPORT_PROFILE)
        else {
            return;
        };
        self.refs.clear();
        // Keyed by position in Bundle.entry, which references carry.
        let mut infos: HashMap<usize, EntryInfo> = HashMap::new();
        let mut seen = HashMap::new();
        let mut citizens = 0;
        let entries = self.list_indexed(b, "entry", "Bundle", 1, None);
        for (i, path, entry) in entries {
            self.resource = "Bundle".into();
            self.keys(
                &path,
                entry,
                &Shape::element(
                    "KLGatewayLTTDeliveryReport.entry",
                    &["fullUrl", "resource"],
                    &["link", "search", "request", "response"],
                ),
            );
            let resource = self.object(entry, "resource", &path, true);
            let full_url = self.string(entry, "fullUrl", &path, false);
            let Some(resource) = resource else {
                infos.insert(
                    i,
                    EntryInfo {
                        full_url: full_url.map(str::to_string),
                        role: None,
                    },
                );
                continue;
            };
            match full_url {
                Some(url) => self.full_url(&path, url, resource, &mut seen),
                None => self.warn(
                    Rule::Reference,
                    &format!("{path}.fullUrl"),
                    "without a fullUrl nothing in the report can refer to this resource",
                ),
            }
            let rtype = resource.get("resourceType").and_then(Value::as_str);
            let id = resource.get("id").and_then(Value::as_str);
            self.resource = match (rtype, id) {
                (Some(t), Some(id)) => format!("{t}/{id}"),
                _ => format!("entry[{i}]"),
            };
            let role = match rtype {
                Some("Patient") => Some(Role::Citizen),
                Some("Encounter") => Some(Role::Encounter),
                Some("CarePlan") => Some(careplan_role(resource)),
                other => {
                    self.error(
                        Rule::Type,
                        &format!("{path}.resource"),
                        format!(
                            "{} is not allowed; a report holds only a Citizen (Patient), CarePlans, Encounters and Referrals (CarePlan)",
                            other.unwrap_or("a resource without resourceType")
                        ),
                    );
                    None
                }
            };
            if let Some(role) = role {
                let rtype = rtype.unwrap_or_default();
                self.resource_id(resource, rtype);
                self.meta(resource, rtype, role.profile());
                match role {
                    Role::Citizen => {
                        citizens += 1;
                        self.citizen(resource);
                    }
                    Role::Course => self.course(resource, i),
                    Role::Referral => self.referral(resource, i),
                    Role::Encounter => self.encounter(resource, i),
                }
            }
            infos.insert(
                i,
                EntryInfo {
                    full_url: full_url.map(str::to_string),
                    role,
                },
            );
        }
        self.resource = "Bundle".into();
        if citizens != 1 {
            self.error(
                Rule::Cardinality,
                "Bundle.entry:citizen",
                format!("a report holds exactly one Citizen, this one holds {citizens}"),
            );
        }
        self.resolve(&infos);
    }

    /// KL Gateway: ids are universally unique (a UUID) and name the resource across deliveries.
    fn resource_id(&mut self, res: &Map<String, Value>, rtype: &str) {
        let Some(id) = self.string(res, "id", rtype, false) else {
            self.error(
                Rule::Cardinality,
                &format!("{rtype}.id"),
                "KL Gateway needs an id on every resource: a later report with the same id updates it",
            );
            return;
        };
        if !is_fhir_id(id) {
            self.error(
                Rule::Format,
                &format!("{rtype}.id"),
                format!("`{id}` is not a FHIR id"),
            );
        } else if id.len() != 36 || uuid::Uuid::try_parse(id).is_err() {
            self.error(
                Rule::Format,
                &format!("{rtype}.id"),
                format!("`{id}` is not a UUID; KL Gateway requires universally unique ids"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_but_a_bundle_is_a_violation_not_a_panic() {
        for v in [
            serde_json::json!(null),
            serde_json::json!([]),
            serde_json::json!({"resourceType": "Patient"}),
            serde_json::json!({"resourceType": "Bundle", "entry": [1, {"resource": 2}]}),
        ] {
            assert!(has_errors(&check_report(&v)), "{v}");
            assert!(has_errors(&check_delivery(&v)), "{v}");
        }
    }
}
