//! Syntax of FHIR primitives: dateTime, instant and id, and per-1's comparison of dateTimes.

use super::{Checker, Rule};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use serde_json::{Map, Value};

impl Checker {
    pub(super) fn date_time(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
    ) {
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

    pub(super) fn instant(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
    ) {
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
}

/// FHIR id: 1-64 of `[A-Za-z0-9\-\.]`.
pub(super) fn is_fhir_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
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
pub(super) fn ends_before_start(start: &str, end: &str) -> bool {
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
}
