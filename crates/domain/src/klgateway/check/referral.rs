//! KLGatewayLTTReferral: a completed CarePlan based on the course it led to.

use super::careplan::{CAREPLAN_FORBIDDEN, DETAIL_FORBIDDEN, REQUEST_STATUS};
use super::json::Shape;
use super::references::Role;
use super::{Checker, Rule};
use crate::klgateway::REFERRAL_TYPES;
use serde_json::{Map, Value};

impl Checker {
    pub(super) fn referral(&mut self, c: &Map<String, Value>, entry: usize) {
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
}
