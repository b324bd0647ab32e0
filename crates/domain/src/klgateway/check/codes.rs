//! Fixed values and required bindings: `code` elements, Codings and CodeableConcepts.

use super::json::Shape;
use super::{Checker, Rule};
use crate::klgateway::ValueSet;
use serde_json::{Map, Value};

impl Checker {
    /// A required binding with a fixed or enumerated code list for a `code` element.
    pub(super) fn code_in(
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

    pub(super) fn fixed(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        expected: &str,
    ) {
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
    pub(super) fn concept(
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
}
