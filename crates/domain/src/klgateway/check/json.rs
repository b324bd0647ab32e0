//! Walking JSON that may have any shape: an object's keys, and its elements by cardinality
//! and JSON type. Everything unexpected becomes a violation.

use super::{Checker, Rule};
use serde_json::{Map, Value};

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

/// How an object's keys are judged.
#[derive(Clone, Copy)]
pub(super) struct Shape<'a> {
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
    pub(super) fn element(what: &'a str, allowed: &'a [&'a str], forbidden: &'a [&'a str]) -> Self {
        Shape {
            what,
            allowed,
            forbidden,
            resource: false,
            extensions_handled: false,
        }
    }

    /// A resource: may have `resourceType`, `id`, `meta` and `language`.
    pub(super) fn resource(
        what: &'a str,
        allowed: &'a [&'a str],
        forbidden: &'a [&'a str],
    ) -> Self {
        Shape {
            resource: true,
            ..Shape::element(what, allowed, forbidden)
        }
    }

    pub(super) fn with_extensions(self) -> Self {
        Shape {
            extensions_handled: true,
            ..self
        }
    }
}

impl Checker {
    /// Judges every key of an object: forbidden, allowed, unprofiled, or not FHIR at all.
    pub(super) fn keys(&mut self, path: &str, obj: &Map<String, Value>, shape: &Shape<'_>) {
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
    pub(super) fn object<'a>(
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
    pub(super) fn string<'a>(
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
    pub(super) fn list<'a>(
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
    pub(super) fn list_indexed<'a>(
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
}
