//! KLGatewayLTTEncounter: its two extensions, class, type, participants and the Behandling
//! invariant.

use super::json::Shape;
use super::references::Role;
use super::{Checker, Rule};
use crate::course::kl;
use crate::klgateway::{
    BASED_ON_CARE_PLAN_EXTENSION, DELIVERY_TYPE_EXTENSION, DELIVERY_TYPES, ENCOUNTER_CLASS_AMB,
    ENCOUNTER_TYPES, PARTICIPANT_TYPES,
};
use serde_json::{Map, Value};

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

impl Checker {
    pub(super) fn encounter(&mut self, e: &Map<String, Value>, entry: usize) {
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
