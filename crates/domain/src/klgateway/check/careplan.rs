//! KLGatewayLTTCarePlan (the course), and what it shares with the referral, which is a
//! CarePlan too.

use super::formats::ends_before_start;
use super::json::Shape;
use super::references::Role;
use super::{Checker, Rule};
use crate::klgateway::{CAREPLAN_ACTIVITY_TYPES, CAREPLAN_PROFILE, FOCUS_AREAS, REFERRAL_PROFILE};
use serde_json::{Map, Value};

/// FHIR R4 RequestStatus (CarePlan.status, required binding).
pub(super) const REQUEST_STATUS: [&str; 7] = [
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

/// CarePlan elements both LTT CarePlan profiles set to 0..0 (the referral adds `identifier`).
pub(super) const CAREPLAN_FORBIDDEN: [&str; 16] = [
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
pub(super) const DETAIL_FORBIDDEN: [&str; 17] = [
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

impl Checker {
    /// Status, intent, subject and period, which course and referral check alike.
    pub(super) fn careplan_common(
        &mut self,
        c: &Map<String, Value>,
        entry: usize,
    ) -> Option<String> {
        let path = "CarePlan";
        let status = self.code_in(c, "status", path, &REQUEST_STATUS, "RequestStatus");
        self.fixed(c, "intent", path, "plan");
        if let Some(subject) = self.object(c, "subject", path, true) {
            self.reference("CarePlan.subject", subject, entry, Role::Citizen);
        }
        status
    }

    pub(super) fn course(&mut self, c: &Map<String, Value>, entry: usize) {
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

    pub(super) fn activity_keys(&mut self, path: &str, activity: &Map<String, Value>) {
        self.keys(
            path,
            activity,
            &Shape::element("CarePlan.activity", &["detail"], &ACTIVITY_FORBIDDEN),
        );
    }
}

/// Which CarePlan profile a CarePlan is checked against: the one it claims, or else by shape
/// (only a referral has basedOn). The report slices entries by profile, so a claim decides.
pub(super) fn careplan_role(c: &Map<String, Value>) -> Role {
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
