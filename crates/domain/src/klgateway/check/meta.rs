//! `meta` of every resource and Bundle: the profile it claims and when it was last updated.

use super::json::Shape;
use super::{Checker, Rule};
use crate::klgateway::{
    CAREPLAN_PROFILE, CITIZEN_PROFILE, DELIVERY_REPORT_PROFILE, ENCOUNTER_PROFILE,
    INCREMENTAL_DELIVERY_PROFILE, REFERRAL_PROFILE,
};
use serde_json::{Map, Value};

impl Checker {
    /// `meta`: KL Gateway's delivery rules ask every resource to name its profile and when it
    /// was last updated. The LTT profiles themselves do not require them, hence warnings, but a
    /// resource claiming a different LTT profile than the one it is checked against is an error.
    pub(super) fn meta(&mut self, res: &Map<String, Value>, path: &str, expected: &str) {
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
}
