//! KLGatewayLTTCitizen (Patient): the CPR number and the record-keeping organisation's SOR code.

use super::json::Shape;
use super::{Checker, Rule};
use crate::cpr::{CPR_SYSTEM, Cpr, CprKind, D_ECPR_SYSTEM, X_ECPR_SYSTEM};
use crate::klgateway::SOR_SYSTEM;
use serde_json::{Map, Value};

impl Checker {
    pub(super) fn citizen(&mut self, p: &Map<String, Value>) {
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
}
