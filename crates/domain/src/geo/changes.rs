//! Which region a municipality belongs to on a given day. Regions change by law (Region
//! Hovedstaden and Region Sjælland become Region Østdanmark on 1 January 2027), so membership
//! is effective-dated: a course, report or indicator for a day counts under that day's region.
//! The changes are data (`reference/region_changes.json` at the repository root).

use super::{MunicipalityCode, regions};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A region formed by a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRegion {
    pub code: String,
    pub name: String,
}

/// One change: from `on`, the regions in `replaces` are one region, `region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub on: NaiveDate,
    pub region: NewRegion,
    pub replaces: Vec<String>,
    pub source: String,
    /// Whether something about the change (here: the new region's code) is unconfirmed.
    pub provisional: bool,
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesFile {
    #[allow(dead_code)]
    about: String,
    changes: Vec<Change>,
}

/// A changes file that cannot be used, saying what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reference/region_changes.json: {0}")]
pub struct ChangesError(pub String);

const SHIPPED: &str = include_str!("../../../../reference/region_changes.json");

/// The changes shipped with Samspor, in date order (checked by a test, so this cannot fail in a
/// release).
pub fn changes() -> &'static [Change] {
    static CHANGES: OnceLock<Vec<Change>> = OnceLock::new();
    CHANGES.get_or_init(|| {
        parse_changes(SHIPPED).expect("the shipped region changes are checked by a test")
    })
}

/// Reads a changes file: dates in order, each replaced region known by then, new codes unique.
pub fn parse_changes(text: &str) -> Result<Vec<Change>, ChangesError> {
    let file: ChangesFile = serde_json::from_str(text).map_err(|e| ChangesError(e.to_string()))?;
    let mut known: Vec<String> = regions().iter().map(|r| r.code.to_string()).collect();
    let mut last: Option<NaiveDate> = None;
    for c in &file.changes {
        if last.is_some_and(|l| c.on < l) {
            return Err(ChangesError(format!(
                "{}: changes must be in date order",
                c.region.code
            )));
        }
        last = Some(c.on);
        if c.replaces.is_empty() {
            return Err(ChangesError(format!(
                "{}: replaces is empty",
                c.region.code
            )));
        }
        if let Some(r) = c.replaces.iter().find(|r| !known.contains(r)) {
            return Err(ChangesError(format!(
                "{}: replaces {r}, which is no region at that date",
                c.region.code
            )));
        }
        if known.contains(&c.region.code) && !c.replaces.contains(&c.region.code) {
            return Err(ChangesError(format!(
                "{}: the code is already used",
                c.region.code
            )));
        }
        known.retain(|k| !c.replaces.contains(k));
        known.push(c.region.code.clone());
    }
    Ok(file.changes)
}

/// A region as it stands on a day, with when it began and ended (`None`: before Samspor's
/// reference data / still today).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RegionPeriod {
    pub code: &'static str,
    pub name: &'static str,
    pub from: Option<NaiveDate>,
    /// The last day it existed.
    pub until: Option<NaiveDate>,
    pub provisional: bool,
}

impl RegionPeriod {
    pub fn holds(&self, on: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= on) && self.until.is_none_or(|u| on <= u)
    }
}

/// Every region that exists or existed, the five of the reference data first, then those
/// formed later, each with its period.
pub fn all_regions() -> Vec<RegionPeriod> {
    let mut out: Vec<RegionPeriod> = regions()
        .iter()
        .map(|r| RegionPeriod {
            code: r.code,
            name: r.name,
            from: None,
            until: None,
            provisional: false,
        })
        .collect();
    for c in changes() {
        let last_day = c.on.pred_opt();
        for r in out.iter_mut().filter(|r| r.until.is_none()) {
            if c.replaces.iter().any(|x| x == r.code) {
                r.until = last_day;
            }
        }
        out.push(RegionPeriod {
            code: &c.region.code,
            name: &c.region.name,
            from: Some(c.on),
            until: None,
            provisional: c.provisional,
        });
    }
    out
}

/// The region with this code, with its period, if there is one.
pub fn region_period(code: &str) -> Option<RegionPeriod> {
    all_regions()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
}

/// The region that holds a region's area on a day: itself while it exists, its successor after.
pub fn successor_on(code: &str, on: NaiveDate) -> Option<RegionPeriod> {
    let mut current = region_period(code)?.code;
    for c in changes().iter().filter(|c| c.on <= on) {
        if c.replaces.iter().any(|r| r == current) {
            current = c.region.code.as_str();
        }
    }
    region_period(current)
}

/// The region a municipality belongs to on a day.
pub fn region_on(municipality: MunicipalityCode, on: NaiveDate) -> RegionPeriod {
    successor_on(municipality.municipality().region, on)
        .expect("every municipality's region is a known region (checked by a test)")
}

/// The regions a municipality belonged to, in order, each with its period.
pub fn membership(municipality: MunicipalityCode) -> Vec<RegionPeriod> {
    let mut out = Vec::new();
    let mut current = municipality.municipality().region;
    let mut from = None;
    for c in changes() {
        if c.replaces.iter().any(|r| r == current) {
            out.push(period(current, from, c.on.pred_opt()));
            current = c.region.code.as_str();
            from = Some(c.on);
        }
    }
    out.push(period(current, from, None));
    out
}

fn period(code: &str, from: Option<NaiveDate>, until: Option<NaiveDate>) -> RegionPeriod {
    let r = region_period(code).expect("a region of the shipped changes");
    RegionPeriod { from, until, ..r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::municipalities;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn m(code: &str) -> MunicipalityCode {
        MunicipalityCode::parse(code).unwrap()
    }

    #[test]
    fn the_shipped_file_parses_and_marks_the_unconfirmed_code() {
        let c = parse_changes(SHIPPED).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].on, d("2027-01-01"));
        assert_eq!(c[0].region.name, "Region Østdanmark");
        assert!(c[0].provisional, "the ISO code is unconfirmed in DOMAIN.md");
    }

    #[test]
    fn hovedstaden_and_sjaelland_become_oestdanmark_on_new_years_day_2027() {
        for (code, before) in [("0101", "DK-84"), ("0253", "DK-85"), ("0400", "DK-84")] {
            assert_eq!(region_on(m(code), d("2026-12-31")).code, before);
            let after = region_on(m(code), d("2027-01-01"));
            assert_eq!(after.name, "Region Østdanmark");
            assert_eq!(after.from, Some(d("2027-01-01")));
        }
        assert_eq!(region_on(m("0751"), d("2027-06-01")).code, "DK-82");
        assert_eq!(region_on(m("0751"), d("2020-01-01")).code, "DK-82");
    }

    #[test]
    fn oestdanmark_has_46_municipalities_and_four_regions_remain() {
        let on = d("2027-01-01");
        let mut codes: Vec<&str> = municipalities()
            .iter()
            .map(|x| region_on(m(x.code), on).code)
            .collect();
        let oest = codes
            .iter()
            .filter(|c| **c == changes()[0].region.code)
            .count();
        assert_eq!(oest, 46);
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 4);
        let live: Vec<_> = all_regions().into_iter().filter(|r| r.holds(on)).collect();
        assert_eq!(live.len(), 4);
        assert_eq!(region_period("DK-84").unwrap().until, Some(d("2026-12-31")));
    }

    #[test]
    fn membership_periods_meet_without_gap() {
        for x in municipalities() {
            let periods = membership(m(x.code));
            for w in periods.windows(2) {
                assert_eq!(w[0].until.unwrap().succ_opt(), w[1].from, "{}", x.code);
            }
            assert!(periods[0].from.is_none() && periods.last().unwrap().until.is_none());
        }
        assert_eq!(membership(m("0101")).len(), 2);
        assert_eq!(membership(m("0851")).len(), 1);
    }

    #[test]
    fn a_unit_under_a_merged_region_moves_with_it() {
        assert_eq!(
            successor_on("DK-84", d("2026-06-01")).unwrap().code,
            "DK-84"
        );
        assert_eq!(
            successor_on("dk-85", d("2027-01-02")).unwrap().name,
            "Region Østdanmark"
        );
        assert!(successor_on("DK-99", d("2027-01-02")).is_none());
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let change = |on: &str, code: &str, replaces: &str| {
            format!(
                r#"{{"on":"{on}","region":{{"code":"{code}","name":"X"}},"replaces":[{replaces}],"source":"s","provisional":false,"note":""}}"#
            )
        };
        let file =
            |changes: &[String]| format!(r#"{{"about":"a","changes":[{}]}}"#, changes.join(","));
        let unknown = parse_changes(&file(&[change("2027-01-01", "DK-X", r#""DK-99""#)]));
        assert!(unknown.unwrap_err().0.contains("DK-99"));
        let order = parse_changes(&file(&[
            change("2028-01-01", "DK-X", r#""DK-81""#),
            change("2027-01-01", "DK-Y", r#""DK-82""#),
        ]));
        assert!(order.unwrap_err().0.contains("date order"));
        let gone = parse_changes(&file(&[
            change("2027-01-01", "DK-X", r#""DK-81""#),
            change("2028-01-01", "DK-Y", r#""DK-81""#),
        ]));
        assert!(gone.unwrap_err().0.contains("no region"));
        let taken = parse_changes(&file(&[change("2027-01-01", "DK-82", r#""DK-81""#)]));
        assert!(taken.unwrap_err().0.contains("already used"));
    }
}
