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

use super::{
    BASED_ON_CARE_PLAN_EXTENSION, CAREPLAN_ACTIVITY_TYPES, CAREPLAN_PROFILE, CITIZEN_PROFILE,
    DELIVERY_REPORT_PROFILE, DELIVERY_TYPE_EXTENSION, DELIVERY_TYPES, ENCOUNTER_CLASS_AMB,
    ENCOUNTER_PROFILE, ENCOUNTER_TYPES, FOCUS_AREAS, INCREMENTAL_DELIVERY_PROFILE,
    PARTICIPANT_TYPES, REFERRAL_PROFILE, REFERRAL_TYPES, SOR_SYSTEM, ValueSet,
};
use crate::course::kl;
use crate::cpr::{CPR_SYSTEM, Cpr, CprKind, D_ECPR_SYSTEM, X_ECPR_SYSTEM};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
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

/// FHIR R4 RequestStatus (CarePlan.status, required binding).
const REQUEST_STATUS: [&str; 7] = [
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
];
/// FHIR R4 CarePlanActivityStatus (CarePlan.activity.detail.status, required binding).
const ACTIVITY_STATUS: [&str; 9] = [
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
];
/// FHIR R4 EncounterStatus (Encounter.status, required binding).
const ENCOUNTER_STATUS: [&str; 9] = [
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
];

/// Resource-level elements every resource may have.
const RESOURCE_KEYS: [&str; 4] = ["resourceType", "id", "meta", "language"];
/// Base elements no LTT profile forbids but none uses: a narrative or contained resource can
/// hold a name, an extension anything, and modifiers change the meaning of what KL receives.
const UNPROFILED_KEYS: [&str; 5] = [
    "implicitRules",
    "text",
    "contained",
    "extension",
    "modifierExtension",
];

/// CarePlan elements both LTT CarePlan profiles set to 0..0 (the referral adds `identifier`).
const CAREPLAN_FORBIDDEN: [&str; 16] = [
    "instantiatesCanonical",
    "instantiatesUri",
    "replaces",
    "partOf",
    "category",
    "title",
    "description",
    "encounter",
    "created",
    "author",
    "contributor",
    "careTeam",
    "addresses",
    "supportingInfo",
    "goal",
    "note",
];
const ACTIVITY_FORBIDDEN: [&str; 4] = [
    "outcomeCodeableConcept",
    "outcomeReference",
    "progress",
    "reference",
];
/// CarePlan.activity.detail elements both profiles set to 0..0 (`scheduled[x]`, `product[x]`
/// spelled out per type).
const DETAIL_FORBIDDEN: [&str; 17] = [
    "kind",
    "instantiatesCanonical",
    "instantiatesUri",
    "reasonReference",
    "goal",
    "statusReason",
    "doNotPerform",
    "scheduledTiming",
    "scheduledPeriod",
    "scheduledString",
    "location",
    "performer",
    "productCodeableConcept",
    "productReference",
    "dailyAmount",
    "quantity",
    "description",
];

/// What a reference must point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Citizen,
    Course,
    Encounter,
    Referral,
}

impl Role {
    fn profile(self) -> &'static str {
        match self {
            Role::Citizen => CITIZEN_PROFILE,
            Role::Course => CAREPLAN_PROFILE,
            Role::Encounter => ENCOUNTER_PROFILE,
            Role::Referral => REFERRAL_PROFILE,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Citizen => "the Citizen (KLGatewayLTTCitizen)",
            Role::Course => "the course CarePlan (KLGatewayLTTCarePlan)",
            Role::Encounter => "an Encounter (KLGatewayLTTEncounter)",
            Role::Referral => "a Referral (KLGatewayLTTReferral)",
        }
    }
}

/// A reference seen while walking a report, resolved once all entries are known.
struct PendingRef {
    entry: usize,
    resource: String,
    path: String,
    reference: String,
    target: Role,
}

/// One entry of a report, as far as references need it.
struct EntryInfo {
    full_url: Option<String>,
    role: Option<Role>,
}

/// How an object's keys are judged.
#[derive(Clone, Copy)]
struct Shape<'a> {
    /// The type or profile, for messages.
    what: &'a str,
    allowed: &'a [&'a str],
    forbidden: &'a [&'a str],
    /// A resource (may have `resourceType`, `meta`, ...) rather than an element.
    resource: bool,
    /// `extension` is checked by the caller (the Encounter's two extensions).
    extensions_handled: bool,
}

impl<'a> Shape<'a> {
    /// A datatype or backbone element: may have `id`, and unprofiled extensions are warned about.
    fn element(what: &'a str, allowed: &'a [&'a str], forbidden: &'a [&'a str]) -> Self {
        Shape {
            what,
            allowed,
            forbidden,
            resource: false,
            extensions_handled: false,
        }
    }

    /// A resource: may have `resourceType`, `id`, `meta` and `language`.
    fn resource(what: &'a str, allowed: &'a [&'a str], forbidden: &'a [&'a str]) -> Self {
        Shape {
            resource: true,
            ..Shape::element(what, allowed, forbidden)
        }
    }

    fn with_extensions(self) -> Self {
        Shape {
            extensions_handled: true,
            ..self
        }
    }
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

    // ----- generic element access -------------------------------------------------------------

    /// Judges every key of an object: forbidden, allowed, unprofiled, or not FHIR at all.
    fn keys(&mut self, path: &str, obj: &Map<String, Value>, shape: &Shape<'_>) {
        for (key, value) in obj {
            // `_x` carries the id/extensions of primitive `x`: it makes `x` present.
            let name = key.strip_prefix('_').unwrap_or(key);
            let at = format!("{path}.{key}");
            if value.is_null() {
                self.error(Rule::Structure, &at, "null is not allowed in FHIR JSON");
            }
            let known = shape.allowed.contains(&name)
                || (shape.resource && RESOURCE_KEYS.contains(&name))
                || (!shape.resource && name == "id")
                || (name == "extension" && shape.extensions_handled);
            if shape.forbidden.contains(&name) {
                self.error(
                    Rule::Forbidden,
                    &at,
                    format!("{} does not allow `{name}` (0..0)", shape.what),
                );
            } else if known {
                continue;
            } else if UNPROFILED_KEYS.contains(&name) {
                self.warn(
                    Rule::NotProfiled,
                    &at,
                    format!("`{name}` is not used by the LTT report and may carry data KL should not receive"),
                );
            } else {
                self.error(
                    Rule::Structure,
                    &at,
                    format!("`{name}` is not an element of {}", shape.what),
                );
            }
        }
    }

    /// A 0..1 or 1..1 element holding an object.
    fn object<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<&'a Map<String, Value>> {
        let at = format!("{path}.{key}");
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error(Rule::Cardinality, &at, "required (1..1) but missing");
                }
                None
            }
            Some(Value::Object(m)) if m.is_empty() => {
                self.error(
                    Rule::Structure,
                    &at,
                    "empty objects are not allowed in FHIR JSON",
                );
                None
            }
            Some(Value::Object(m)) => Some(m),
            Some(_) => {
                self.error(Rule::Structure, &at, "must be a JSON object");
                None
            }
        }
    }

    /// A 0..1 or 1..1 primitive string (code, uri, dateTime, ...).
    fn string<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<&'a str> {
        let at = format!("{path}.{key}");
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error(Rule::Cardinality, &at, "required (1..1) but missing");
                }
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.error(
                    Rule::Structure,
                    &at,
                    "empty strings are not allowed in FHIR",
                );
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.error(Rule::Structure, &at, "must be a JSON string");
                None
            }
        }
    }

    /// An element that repeats in base FHIR (a JSON array), with the profile's cardinality.
    /// Returns each object with its path.
    fn list<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
        min: usize,
        max: Option<usize>,
    ) -> Vec<(String, &'a Map<String, Value>)> {
        self.list_indexed(obj, key, path, min, max)
            .into_iter()
            .map(|(_, p, m)| (p, m))
            .collect()
    }

    /// [`Checker::list`] with each object's position in the JSON array.
    fn list_indexed<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
        min: usize,
        max: Option<usize>,
    ) -> Vec<(usize, String, &'a Map<String, Value>)> {
        let at = format!("{path}.{key}");
        let items: &[Value] = match obj.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) if a.is_empty() => {
                self.error(
                    Rule::Structure,
                    &at,
                    "empty arrays are not allowed in FHIR JSON",
                );
                &[]
            }
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.error(
                    Rule::Structure,
                    &at,
                    "repeats in FHIR, so it must be a JSON array",
                );
                &[]
            }
        };
        let range = match max {
            Some(m) if m == min => format!("exactly {m}"),
            Some(m) => format!("{min}..{m}"),
            None => format!("at least {min}"),
        };
        if items.len() < min || max.is_some_and(|m| items.len() > m) {
            self.error(
                Rule::Cardinality,
                &at,
                format!("{} present, {range} allowed", items.len()),
            );
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{at}[{i}]");
            match item {
                Value::Object(m) if !m.is_empty() => out.push((i, p, m)),
                _ => self.error(Rule::Structure, &p, "must be a non-empty JSON object"),
            }
        }
        out
    }

    /// A required binding with a fixed or enumerated code list for a `code` element.
    fn code_in(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        allowed: &[&str],
        value_set: &str,
    ) -> Option<String> {
        let code = self.string(obj, key, path, true)?.to_string();
        if !allowed.contains(&code.as_str()) {
            self.error(
                Rule::ValueSet,
                &format!("{path}.{key}"),
                format!("`{code}` is not in {value_set}"),
            );
        }
        Some(code)
    }

    fn fixed(&mut self, obj: &Map<String, Value>, key: &str, path: &str, expected: &str) {
        if let Some(v) = self.string(obj, key, path, true)
            && v != expected
        {
            self.error(
                Rule::FixedValue,
                &format!("{path}.{key}"),
                format!("must be `{expected}`, is `{v}`"),
            );
        }
    }

    /// A Coding bound (required) to `vs`. `fixed`: the profile fixes system, code and display.
    fn coding(&mut self, path: &str, c: &Map<String, Value>, vs: &ValueSet, fixed: bool) {
        self.keys(
            path,
            c,
            &Shape::element(
                "this Coding",
                &["system", "code", "display"],
                &["version", "userSelected"],
            ),
        );
        let system = self.string(c, "system", path, true);
        let code = self.string(c, "code", path, true);
        let display = self.string(c, "display", path, false);
        let (Some(system), Some(code)) = (system, code) else {
            return;
        };
        let rule = if fixed {
            Rule::FixedValue
        } else {
            Rule::ValueSet
        };
        match vs.find(system, code) {
            None => self.error(
                rule,
                path,
                format!("{system}#{code} is not in {} (required binding)", vs.name),
            ),
            Some(k) => {
                if let Some(d) = display
                    && d != k.display
                {
                    let msg = format!("display must be \"{}\", is \"{d}\"", k.display);
                    if fixed {
                        self.error(Rule::FixedValue, &format!("{path}.display"), msg);
                    } else {
                        self.warn(Rule::ValueSet, &format!("{path}.display"), msg);
                    }
                }
            }
        }
    }

    /// A CodeableConcept bound (required) to `vs`, with the profile's coding cardinality.
    /// Returns the codes found.
    fn concept(
        &mut self,
        path: &str,
        cc: &Map<String, Value>,
        vs: &ValueSet,
        coding_max: Option<usize>,
        text_forbidden: bool,
        fixed: bool,
    ) -> Vec<String> {
        let forbidden: &[&str] = if text_forbidden { &["text"] } else { &[] };
        self.keys(
            path,
            cc,
            &Shape::element("this CodeableConcept", &["coding", "text"], forbidden),
        );
        // At least one coding either way: a required binding cannot be met by text alone.
        let codings = self.list(cc, "coding", path, 1, coding_max);
        let mut codes = Vec::new();
        for (p, c) in codings {
            self.coding(&p, c, vs, fixed);
            if let Some(code) = c.get("code").and_then(Value::as_str) {
                codes.push(code.to_string());
            }
        }
        codes
    }

    /// A Reference that must resolve inside the report to `target`.
    fn reference(&mut self, path: &str, r: &Map<String, Value>, entry: usize, target: Role) {
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

    fn date_time(&mut self, obj: &Map<String, Value>, key: &str, path: &str, required: bool) {
        if let Some(s) = self.string(obj, key, path, required)
            && parse_date_time(s).is_none()
        {
            self.error(
                Rule::Format,
                &format!("{path}.{key}"),
                format!("`{s}` is not a FHIR dateTime (a time of day needs seconds and a zone)"),
            );
        }
    }

    fn instant(&mut self, obj: &Map<String, Value>, key: &str, path: &str, required: bool) {
        if let Some(s) = self.string(obj, key, path, required)
            && parse_instant(s).is_none()
        {
            self.error(
                Rule::Format,
                &format!("{path}.{key}"),
                format!("`{s}` is not a FHIR instant (date, time with seconds, zone)"),
            );
        }
    }

    /// `meta`: KL Gateway's delivery rules ask every resource to name its profile and when it
    /// was last updated. The LTT profiles themselves do not require them, hence warnings, but a
    /// resource claiming a different LTT profile than the one it is checked against is an error.
    fn meta(&mut self, res: &Map<String, Value>, path: &str, expected: &str) {
        let Some(meta) = self.object(res, "meta", path, false) else {
            self.warn(
                Rule::Meta,
                &format!("{path}.meta"),
                format!("KL Gateway expects meta.profile ({expected}) and meta.lastUpdated"),
            );
            return;
        };
        let mp = format!("{path}.meta");
        self.keys(
            &mp,
            meta,
            &Shape::element(
                "Meta",
                &[
                    "versionId",
                    "lastUpdated",
                    "source",
                    "profile",
                    "security",
                    "tag",
                ],
                &[],
            ),
        );
        let profiles: Vec<&str> = match meta.get("profile") {
            None => Vec::new(),
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
                a.iter().filter_map(Value::as_str).collect()
            }
            Some(_) => {
                self.error(
                    Rule::Structure,
                    &format!("{mp}.profile"),
                    "must be a non-empty array of canonical URLs",
                );
                Vec::new()
            }
        };
        let ours = [
            CITIZEN_PROFILE,
            CAREPLAN_PROFILE,
            ENCOUNTER_PROFILE,
            REFERRAL_PROFILE,
            DELIVERY_REPORT_PROFILE,
            INCREMENTAL_DELIVERY_PROFILE,
        ];
        for p in &profiles {
            if ours.contains(p) && *p != expected {
                self.error(
                    Rule::Meta,
                    &format!("{mp}.profile"),
                    format!("claims {p}, but in this place it must conform to {expected}"),
                );
            }
        }
        if !profiles.contains(&expected) {
            self.warn(
                Rule::Meta,
                &format!("{mp}.profile"),
                format!("KL Gateway expects meta.profile to name {expected}"),
            );
        }
        if meta.contains_key("lastUpdated") {
            self.instant(meta, "lastUpdated", &mp, true);
        } else {
            self.warn(
                Rule::Meta,
                &format!("{mp}.lastUpdated"),
                "KL Gateway expects meta.lastUpdated: an update takes effect at that time",
            );
        }
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

    /// Resolves every reference of the report (FHIR R4 Bundle rules): an absolute reference
    /// must equal an entry's fullUrl; a relative `Type/id` is appended to the base of the
    /// referring entry's fullUrl. Then the target must be the right kind of resource.
    fn resolve(&mut self, infos: &HashMap<usize, EntryInfo>) {
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

    // ----- the four profiles ------------------------------------------------------------------

    fn citizen(&mut self, p: &Map<String, Value>) {
        let path = "Patient";
        self.keys(
            path,
            p,
            &Shape::resource(
                "KLGatewayLTTCitizen",
                &["identifier", "active", "managingOrganization"],
                &[
                    "name",
                    "telecom",
                    "gender",
                    "birthDate",
                    "deceasedBoolean",
                    "deceasedDateTime",
                    "address",
                    "maritalStatus",
                    "multipleBirthBoolean",
                    "multipleBirthInteger",
                    "photo",
                    "contact",
                    "communication",
                    "generalPractitioner",
                    "link",
                ],
            ),
        );
        for (ip, ident) in self.list(p, "identifier", path, 1, Some(1)) {
            self.cpr_identifier(&ip, ident);
        }
        match p.get("active") {
            Some(Value::Bool(_)) => {}
            None | Some(Value::Null) => self.error(
                Rule::Cardinality,
                "Patient.active",
                "required (1..1): true, or false for a citizen registered in error",
            ),
            Some(_) => self.error(Rule::Structure, "Patient.active", "must be true or false"),
        }
        if let Some(org) = self.object(p, "managingOrganization", path, true) {
            let op = "Patient.managingOrganization";
            self.keys(
                op,
                org,
                &Shape::element(
                    "KLGatewayLTTCitizen.managingOrganization",
                    &["identifier"],
                    &["reference", "type", "display"],
                ),
            );
            if let Some(ident) = self.object(org, "identifier", op, true) {
                self.sor_identifier(&format!("{op}.identifier"), ident);
            }
        }
    }

    fn identifier_keys(&mut self, path: &str, ident: &Map<String, Value>, what: &str) {
        self.keys(
            path,
            ident,
            &Shape::element(
                what,
                &["use", "type", "system", "value", "period", "assigner"],
                &[],
            ),
        );
        // dk-core fixes `use` to official (exactly) for CPR and SOR identifiers.
        if let Some(u) = self.string(ident, "use", path, false)
            && u != "official"
        {
            self.error(
                Rule::FixedValue,
                &format!("{path}.use"),
                format!("must be `official`, is `{u}`"),
            );
        }
    }

    fn cpr_identifier(&mut self, path: &str, ident: &Map<String, Value>) {
        self.identifier_keys(path, ident, "DkCoreCprIdentifier");
        let system = self.string(ident, "system", path, true);
        match system {
            Some(s) if s == CPR_SYSTEM => {}
            Some(s) if s == X_ECPR_SYSTEM || s.starts_with(D_ECPR_SYSTEM) => self.error(
                Rule::Forbidden,
                &format!("{path}.system"),
                "KLGatewayLTTCitizen does not allow replacement numbers (identifier[x-ecpr], identifier[d-ecpr] 0..0)",
            ),
            Some(s) => self.error(
                Rule::Cardinality,
                &format!("{path}.system"),
                format!("the one identifier must be the CPR number ({CPR_SYSTEM}, identifier[cpr] 1..1), is {s}"),
            ),
            None => {}
        }
        if let Some(v) = self.string(ident, "value", path, true) {
            let valid = v.len() == 10
                && v.bytes().all(|b| b.is_ascii_digit())
                && Cpr::parse(v).is_ok_and(|c| c.kind() == CprKind::Regular);
            if !valid {
                self.error(
                    Rule::Invariant("cpr"),
                    &format!("{path}.value"),
                    "not a CPR number: 10 digits without hyphen, beginning with a real date",
                );
            }
        }
    }

    fn sor_identifier(&mut self, path: &str, ident: &Map<String, Value>) {
        self.identifier_keys(path, ident, "SORIdentifier");
        if let Some(s) = self.string(ident, "system", path, true)
            && s != SOR_SYSTEM
        {
            self.error(
                Rule::FixedValue,
                &format!("{path}.system"),
                format!("must be `{SOR_SYSTEM}` (a SOR code), is `{s}`"),
            );
        }
        if let Some(v) = self.string(ident, "value", path, true)
            && !(v.len() >= 11 && v.bytes().all(|b| b.is_ascii_digit()))
        {
            self.error(
                Rule::Invariant("min-digits-sor"),
                &format!("{path}.value"),
                "a SOR code is at least 11 digits",
            );
        }
    }

    /// Status, intent, subject and period, which course and referral check alike.
    fn careplan_common(&mut self, c: &Map<String, Value>, entry: usize) -> Option<String> {
        let path = "CarePlan";
        let status = self.code_in(c, "status", path, &REQUEST_STATUS, "RequestStatus");
        self.fixed(c, "intent", path, "plan");
        if let Some(subject) = self.object(c, "subject", path, true) {
            self.reference("CarePlan.subject", subject, entry, Role::Citizen);
        }
        status
    }

    fn course(&mut self, c: &Map<String, Value>, entry: usize) {
        let path = "CarePlan";
        let mut forbidden = CAREPLAN_FORBIDDEN.to_vec();
        forbidden.push("basedOn");
        self.keys(
            path,
            c,
            // identifier is commented out in careplan.fsh, so it keeps its base 0..*.
            &Shape::resource(
                "KLGatewayLTTCarePlan",
                &[
                    "identifier",
                    "status",
                    "intent",
                    "subject",
                    "period",
                    "activity",
                ],
                &forbidden,
            ),
        );
        let status = self.careplan_common(c, entry);
        if let Some(s) = &status
            && REQUEST_STATUS.contains(&s.as_str())
            && !matches!(s.as_str(), "active" | "completed" | "entered-in-error")
        {
            self.warn(
                Rule::ValueSet,
                "CarePlan.status",
                format!("a course is active, completed or entered-in-error, not `{s}`"),
            );
        }
        let mut has_end = false;
        if let Some(period) = self.object(c, "period", path, true) {
            let pp = "CarePlan.period";
            self.keys(
                pp,
                period,
                &Shape::element("Period", &["start", "end"], &[]),
            );
            self.date_time(period, "start", pp, true);
            self.date_time(period, "end", pp, false);
            has_end = period.contains_key("end");
            let start = period.get("start").and_then(Value::as_str);
            let end = period.get("end").and_then(Value::as_str);
            if let (Some(s), Some(e)) = (start, end)
                && ends_before_start(s, e)
            {
                self.error(
                    Rule::Invariant("per-1"),
                    pp,
                    format!("the course ends ({e}) before it starts ({s})"),
                );
            }
        }
        if status.as_deref() == Some("completed") && !has_end {
            self.error(
                Rule::Invariant("klgateway-ltt-careplan-endtime"),
                "CarePlan.period.end",
                "a completed course must have an end time",
            );
        }
        for (ap, activity) in self.list(c, "activity", path, 1, Some(1)) {
            self.activity_keys(&ap, activity);
            let Some(detail) = self.object(activity, "detail", &ap, true) else {
                continue;
            };
            let dp = format!("{ap}.detail");
            self.keys(
                &dp,
                detail,
                &Shape::element(
                    "KLGatewayLTTCarePlan.activity.detail",
                    &["code", "reasonCode", "status"],
                    &DETAIL_FORBIDDEN,
                ),
            );
            if let Some(code) = self.object(detail, "code", &dp, true) {
                self.concept(
                    &format!("{dp}.code"),
                    code,
                    &CAREPLAN_ACTIVITY_TYPES,
                    Some(1),
                    true,
                    true,
                );
            }
            for (rp, reason) in self.list(detail, "reasonCode", &dp, 0, None) {
                self.concept(&rp, reason, &FOCUS_AREAS, Some(1), true, false);
            }
            self.code_in(
                detail,
                "status",
                &dp,
                &ACTIVITY_STATUS,
                "CarePlanActivityStatus",
            );
        }
    }

    fn activity_keys(&mut self, path: &str, activity: &Map<String, Value>) {
        self.keys(
            path,
            activity,
            &Shape::element("CarePlan.activity", &["detail"], &ACTIVITY_FORBIDDEN),
        );
    }

    fn referral(&mut self, c: &Map<String, Value>, entry: usize) {
        let path = "CarePlan";
        let mut forbidden = CAREPLAN_FORBIDDEN.to_vec();
        forbidden.push("identifier");
        self.keys(
            path,
            c,
            &Shape::resource(
                "KLGatewayLTTReferral",
                &[
                    "basedOn", "status", "intent", "subject", "period", "activity",
                ],
                &forbidden,
            ),
        );
        for (bp, based_on) in self.list(c, "basedOn", path, 1, Some(1)) {
            self.reference(&bp, based_on, entry, Role::Course);
        }
        let status = self.careplan_common(c, entry);
        if let Some(s) = &status
            && REQUEST_STATUS.contains(&s.as_str())
            && !matches!(s.as_str(), "completed" | "entered-in-error")
        {
            self.warn(
                Rule::ValueSet,
                "CarePlan.status",
                format!("a referral is completed (or entered-in-error), not `{s}`"),
            );
        }
        if let Some(period) = self.object(c, "period", path, true) {
            let pp = "CarePlan.period";
            self.keys(
                pp,
                period,
                &Shape::element("KLGatewayLTTReferral.period", &["start"], &["end"]),
            );
            self.date_time(period, "start", pp, true);
        }
        for (ap, activity) in self.list(c, "activity", path, 1, Some(1)) {
            self.activity_keys(&ap, activity);
            let Some(detail) = self.object(activity, "detail", &ap, true) else {
                continue;
            };
            let dp = format!("{ap}.detail");
            let mut forbidden = DETAIL_FORBIDDEN.to_vec();
            forbidden.push("reasonCode");
            self.keys(
                &dp,
                detail,
                &Shape::element(
                    "KLGatewayLTTReferral.activity.detail",
                    &["code", "status"],
                    &forbidden,
                ),
            );
            if let Some(code) = self.object(detail, "code", &dp, true) {
                self.concept(
                    &format!("{dp}.code"),
                    code,
                    &REFERRAL_TYPES,
                    Some(1),
                    true,
                    false,
                );
            }
            self.fixed(detail, "status", &dp, "completed");
        }
    }

    fn encounter(&mut self, e: &Map<String, Value>, entry: usize) {
        let path = "Encounter";
        self.keys(
            path,
            e,
            &Shape::resource(
                "KLGatewayLTTEncounter",
                &[
                    "status",
                    "class",
                    "type",
                    "subject",
                    "participant",
                    "period",
                ],
                &[
                    "identifier",
                    "statusHistory",
                    "classHistory",
                    "serviceType",
                    "priority",
                    "episodeOfCare",
                    "basedOn",
                    "appointment",
                    "length",
                    "reasonCode",
                    "reasonReference",
                    "diagnosis",
                    "account",
                    "hospitalization",
                    "location",
                    "serviceProvider",
                    "partOf",
                ],
            )
            .with_extensions(),
        );

        // Extensions: basedOnCarePlan 1..1 (value only Reference), deliveryType 0..1 (value
        // only CodeableConcept); others are open slicing, allowed but not ours.
        let mut based_on = 0;
        let mut delivery_codings = 0;
        let mut delivery = 0;
        for (xp, ext) in self.list(e, "extension", path, 0, None) {
            let Some(url) = self.string(ext, "url", &xp, true) else {
                continue;
            };
            let (value_key, what) = if url == BASED_ON_CARE_PLAN_EXTENSION {
                based_on += 1;
                ("valueReference", "BasedOnCarePlan")
            } else if url == DELIVERY_TYPE_EXTENSION {
                delivery += 1;
                ("valueCodeableConcept", "DeliveryType")
            } else {
                self.warn(
                    Rule::NotProfiled,
                    &xp,
                    format!("extension {url} is not defined by the LTT profiles"),
                );
                continue;
            };
            for key in ext
                .keys()
                .filter(|k| k.starts_with("value") && *k != value_key)
            {
                self.error(
                    Rule::Type,
                    &format!("{xp}.{key}"),
                    format!("{what}: value[x] is only {}", &value_key[5..]),
                );
            }
            // Wrong value[x] types were reported just above; the shape only judges the rest.
            let mut allowed = vec!["url"];
            allowed.extend(
                ext.keys()
                    .map(String::as_str)
                    .filter(|k| k.starts_with("value")),
            );
            self.keys(&xp, ext, &Shape::element(what, &allowed, &[]));
            let Some(value) = self.object(ext, value_key, &xp, true) else {
                continue;
            };
            let vp = format!("{xp}.{value_key}");
            if url == BASED_ON_CARE_PLAN_EXTENSION {
                self.reference(&vp, value, entry, Role::Course);
            } else {
                // The binding is on the codings, and the coding count is left open.
                delivery_codings += self
                    .concept(&vp, value, &DELIVERY_TYPES, None, false, false)
                    .len();
            }
        }
        if based_on != 1 {
            self.error(
                Rule::Cardinality,
                "Encounter.extension:basedOnCarePlan",
                format!("exactly 1 required (the course), {based_on} present"),
            );
        }
        if delivery > 1 {
            self.error(
                Rule::Cardinality,
                "Encounter.extension:deliveryType",
                format!("at most 1 allowed, {delivery} present"),
            );
        }

        let status = self.code_in(e, "status", path, &ENCOUNTER_STATUS, "EncounterStatus");
        if let Some(s) = &status
            && ENCOUNTER_STATUS.contains(&s.as_str())
            && !matches!(s.as_str(), "finished" | "entered-in-error")
        {
            self.warn(
                Rule::ValueSet,
                "Encounter.status",
                format!(
                    "only held encounters (finished) and corrections (entered-in-error) are reported, not `{s}`"
                ),
            );
        }

        if let Some(class) = self.object(e, "class", path, true) {
            let cp = "Encounter.class";
            self.keys(
                cp,
                class,
                &Shape::element(
                    "KLGatewayLTTEncounter.class",
                    &["system", "code", "display"],
                    &["version", "userSelected"],
                ),
            );
            self.fixed(class, "system", cp, ENCOUNTER_CLASS_AMB.system);
            self.fixed(class, "code", cp, ENCOUNTER_CLASS_AMB.code);
            if let Some(d) = self.string(class, "display", cp, false)
                && d != ENCOUNTER_CLASS_AMB.display
            {
                self.warn(
                    Rule::ValueSet,
                    "Encounter.class.display",
                    format!(
                        "display must be \"{}\", is \"{d}\"",
                        ENCOUNTER_CLASS_AMB.display
                    ),
                );
            }
        }

        let mut type_codes = Vec::new();
        for (tp, t) in self.list(e, "type", path, 1, Some(1)) {
            type_codes.extend(self.concept(&tp, t, &ENCOUNTER_TYPES, Some(1), true, false));
        }

        // encounter.fsh leaves subject at its base 0..1, but the IG's validation list says "one
        // and only one reference to the Citizen exists"; without it the encounter belongs to
        // nobody, so it is required here.
        if let Some(subject) = self.object(e, "subject", path, true) {
            self.reference("Encounter.subject", subject, entry, Role::Citizen);
        }

        let mut participant_codings = 0;
        for (pp, participant) in self.list(e, "participant", path, 0, Some(1)) {
            self.keys(
                &pp,
                participant,
                &Shape::element(
                    "KLGatewayLTTEncounter.participant",
                    &["type"],
                    &["period", "individual"],
                ),
            );
            for (tp, t) in self.list(participant, "type", &pp, 1, Some(1)) {
                participant_codings += self
                    .concept(&tp, t, &PARTICIPANT_TYPES, None, false, false)
                    .len();
            }
        }

        if let Some(period) = self.object(e, "period", path, true) {
            let pp = "Encounter.period";
            self.keys(
                pp,
                period,
                &Shape::element("KLGatewayLTTEncounter.period", &["start"], &["end"]),
            );
            self.date_time(period, "start", pp, true);
        }

        // The invariant tests the code alone, as its FHIRPath does.
        if type_codes.iter().any(|c| c == kl::ENC_BEHANDLING.code) {
            let inv = Rule::Invariant("klgateway-ltt-encounter-participants-and-deliveryType");
            if participant_codings == 0 {
                self.error(
                    inv,
                    "Encounter.participant",
                    "a Behandling must state its participants (participant.type)",
                );
            }
            if delivery_codings == 0 {
                self.error(
                    inv,
                    "Encounter.extension:deliveryType",
                    "a Behandling must state its delivery type (individual or group)",
                );
            }
        }
    }
}

/// Which CarePlan profile a CarePlan is checked against: the one it claims, or else by shape
/// (only a referral has basedOn). The report slices entries by profile, so a claim decides.
fn careplan_role(c: &Map<String, Value>) -> Role {
    let claims = |p: &str| {
        c.get("meta")
            .and_then(|m| m.get("profile"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(p)))
    };
    if claims(REFERRAL_PROFILE) {
        Role::Referral
    } else if claims(CAREPLAN_PROFILE) || !c.contains_key("basedOn") {
        Role::Course
    } else {
        Role::Referral
    }
}

/// FHIR id: 1-64 of `[A-Za-z0-9\-\.]`.
fn is_fhir_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// `(type, id)` of a RESTful URL `http(s)://.../{Type}/{id}`.
fn restful_tail(url: &str) -> Option<(&str, &str)> {
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

/// A FHIR dateTime at one of its precisions.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FhirTime {
    /// Year, year-month or date: the written digits, compared at the common precision.
    Partial(NaiveDate, usize),
    Instant(DateTime<FixedOffset>),
}

/// Parses a FHIR R4 dateTime: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or
/// `YYYY-MM-DDThh:mm:ss[.s+](Z|±hh:mm)`; a time of day requires a zone.
fn parse_date_time(s: &str) -> Option<FhirTime> {
    // Every valid form is ASCII; checking first keeps the slicing below on char boundaries.
    if !s.is_ascii() {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| {
        s.get(r.clone())
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let year = digits(0..4).filter(|y| *y >= 1)?;
    match s.len() {
        4 => NaiveDate::from_ymd_opt(year as i32, 1, 1).map(|d| FhirTime::Partial(d, 4)),
        7 if &s[4..5] == "-" => {
            NaiveDate::from_ymd_opt(year as i32, digits(5..7)?, 1).map(|d| FhirTime::Partial(d, 7))
        }
        10 if &s[4..5] == "-" && &s[7..8] == "-" => {
            NaiveDate::from_ymd_opt(year as i32, digits(5..7)?, digits(8..10)?)
                .map(|d| FhirTime::Partial(d, 10))
        }
        _ => parse_instant(s).map(FhirTime::Instant),
    }
}

/// Parses a FHIR instant: date, time with seconds, optional fraction, and a zone.
fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    if !s.is_ascii() {
        return None;
    }
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let year = num(0..4).filter(|y| *y >= 1)?;
    NaiveDate::from_ymd_opt(year as i32, num(5..7)?, num(8..10)?)?;
    NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let zone_ok = rest == "Z"
        || (rest.len() == 6
            && matches!(&rest[..1], "+" | "-")
            && &rest[3..4] == ":"
            && rest[1..3].parse::<u32>().is_ok_and(|h| h <= 14)
            && rest[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
            && rest[1..3]
                .bytes()
                .chain(rest[4..6].bytes())
                .all(|c| c.is_ascii_digit()));
    if !zone_ok {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
}

/// per-1 ("start SHALL have a lower value than end"), compared as FHIRPath compares: exactly
/// when both have a time, otherwise at the precision they share, and undecided (so no violation)
/// when that cannot tell them apart.
fn ends_before_start(start: &str, end: &str) -> bool {
    match (parse_date_time(start), parse_date_time(end)) {
        (Some(FhirTime::Instant(s)), Some(FhirTime::Instant(e))) => e < s,
        (Some(s), Some(e)) => {
            let (sd, sp) = written_date(start, s);
            let (ed, ep) = written_date(end, e);
            let p = sp.min(ep);
            ed.get(..p) < sd.get(..p)
        }
        _ => false,
    }
}

/// The date digits as written (`YYYY-MM-DD` prefix) and their precision.
fn written_date(s: &str, t: FhirTime) -> (&str, usize) {
    match t {
        FhirTime::Partial(_, p) => (&s[..p], p),
        FhirTime::Instant(_) => (&s[..10], 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_follow_fhir() {
        for ok in [
            "2025",
            "2025-07",
            "2025-07-07",
            "2025-07-07T13:28:17Z",
            "2025-07-07T15:28:17+02:00",
            "2025-07-07T15:28:17.123-01:30",
        ] {
            assert!(parse_date_time(ok).is_some(), "{ok}");
        }
        for bad in [
            "0000",
            "2025-7",
            "2025-02-30",
            "2025-07-07T13:28",
            "2025-07-07T13:28:17",
            "2025-07-07 13:28:17Z",
            "2025-07-07T13:28:17+2:00",
            "2025-07-07T13:28:17+15:00",
            "2025-07-07T24:00:00Z",
            "2025-07-07T13:28:17.Z",
        ] {
            assert!(parse_date_time(bad).is_none(), "{bad}");
        }
        assert!(parse_instant("2025-07-07").is_none());
        assert!(parse_instant("2025-07-07T13:28:17Z").is_some());
    }

    #[test]
    fn period_order_at_the_common_precision() {
        assert!(ends_before_start("2025-05-14", "2025-05-13"));
        assert!(!ends_before_start(
            "2025-05-14",
            "2025-05-14T00:00:00+02:00"
        ));
        assert!(ends_before_start(
            "2025-05-14T10:00:00+02:00",
            "2025-05-14T09:00:00+02:00"
        ));
        // 08:30Z is 10:30 in Denmark: after 10:00+02:00.
        assert!(!ends_before_start(
            "2025-05-14T10:00:00+02:00",
            "2025-05-14T08:30:00Z"
        ));
        assert!(!ends_before_start("2025-05", "2025-05-01"));
        assert!(ends_before_start("2025-05", "2025-04-30"));
    }

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
