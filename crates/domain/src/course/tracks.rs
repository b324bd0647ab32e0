//! The five STIME tracks as data (`tracks/*.json` at the repository root).
//!
//! Ages, formats and eligibility rules come from municipal and regional pages that change, and
//! some are unconfirmed (DOMAIN.md §2.2 marks them [U]); keeping them as data lets them be
//! corrected without a release, and every value says whether it has been verified.

use super::plan::{Plan, parse_plan};
use crate::child::{MAX_AGE, MIN_AGE};
use crate::instrument::Catalogue;
use crate::organisation::Programme;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A track file that cannot be used, naming the file and the field so it can be fixed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {message}")]
pub struct TrackError {
    pub file: String,
    pub field: String,
    pub message: String,
}

/// Text in both languages, with whether the content is confirmed by a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedText {
    pub da: String,
    pub en: String,
    pub verified: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeRange {
    pub min: u32,
    pub max: u32,
    pub verified: bool,
}

impl AgeRange {
    pub fn contains(&self, age: u32) -> bool {
        (self.min..=self.max).contains(&age)
    }
}

/// One line of an eligibility checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub id: String,
    pub da: String,
    pub en: String,
    pub verified: bool,
    /// For exclusions: when it applies the child belongs in child psychiatry, so the decision
    /// form must push towards a psychiatry referral rather than just another way.
    pub refer_to_psychiatry: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    pub inclusion: Vec<Criterion>,
    pub exclusion: Vec<Criterion>,
}

/// A scored questionnaire result that points to a track: the named scale of the named
/// instrument landing in one of the bands. Which results point where is a clinical choice that
/// DOMAIN.md §2.3 leaves open, so every rule says whether it has been confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indication {
    /// Instrument id as in `instruments/*.json` (one version, e.g. `sdq-parent-4-17`).
    pub instrument: String,
    pub scale: String,
    pub bands: Vec<String>,
    pub verified: bool,
}

impl Indication {
    /// Whether a scale landing in `band` of this instrument matches the rule.
    pub fn matches(&self, instrument: &str, scale: &str, band: &str) -> bool {
        self.instrument == instrument && self.scale == scale && self.bands.iter().any(|b| b == band)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Track {
    pub id: Programme,
    pub number: u32,
    pub name_da: String,
    pub name_en: String,
    pub ages: AgeRange,
    pub format: VerifiedText,
    pub sessions: VerifiedText,
    pub eligibility: Eligibility,
    /// Questionnaire results that point to this track; empty when no shipped instrument fits.
    pub indicated_by: Vec<Indication>,
    /// Format, planned sessions, measurement schedule and follow-up (`course::plan`).
    pub plan: Plan,
    pub notes: Option<String>,
    pub sources: Vec<String>,
}

/// The files shipped in `tracks/`, embedded so the defaults are always available.
pub const SHIPPED: [(&str, &str); 5] = [
    (
        "restlessness.json",
        include_str!("../../../../tracks/restlessness.json"),
    ),
    (
        "worry_sadness.json",
        include_str!("../../../../tracks/worry_sadness.json"),
    ),
    (
        "body_food.json",
        include_str!("../../../../tracks/body_food.json"),
    ),
    (
        "self_harm.json",
        include_str!("../../../../tracks/self_harm.json"),
    ),
    (
        "repeated_thoughts.json",
        include_str!("../../../../tracks/repeated_thoughts.json"),
    ),
];

/// Reads fields from one JSON object, remembering where it is for error messages. Shared with
/// the other data files in `tracks/` so their errors read the same way.
pub(super) struct Reader<'a> {
    file: &'a str,
    path: String,
    pub(super) obj: &'a Map<String, Value>,
}

impl<'a> Reader<'a> {
    pub(super) fn err(&self, key: &str, message: impl Into<String>) -> TrackError {
        TrackError {
            file: self.file.to_string(),
            field: if self.path.is_empty() {
                key.to_string()
            } else if key.is_empty() {
                self.path.clone()
            } else {
                format!("{}.{key}", self.path)
            },
            message: message.into(),
        }
    }

    pub(super) fn new(file: &'a str, path: String, value: &'a Value) -> Result<Self, TrackError> {
        match value.as_object() {
            Some(obj) => Ok(Self { file, path, obj }),
            None => Err(TrackError {
                file: file.to_string(),
                field: path,
                message: "must be an object".into(),
            }),
        }
    }

    /// Rejects fields the parser does not know, so a misspelt key is not silently ignored.
    pub(super) fn only(&self, allowed: &[&str]) -> Result<(), TrackError> {
        match self.obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.err(k, "unknown field")),
            None => Ok(()),
        }
    }

    pub(super) fn get(&self, key: &str) -> Result<&'a Value, TrackError> {
        self.obj.get(key).ok_or_else(|| self.err(key, "missing"))
    }

    pub(super) fn text(&self, key: &str) -> Result<String, TrackError> {
        match self.get(key)?.as_str().map(str::trim) {
            Some(s) if !s.is_empty() => Ok(s.to_string()),
            Some(_) => Err(self.err(key, "must not be blank")),
            None => Err(self.err(key, "must be a string")),
        }
    }

    pub(super) fn bool(&self, key: &str) -> Result<bool, TrackError> {
        self.get(key)?
            .as_bool()
            .ok_or_else(|| self.err(key, "must be true or false"))
    }

    pub(super) fn uint(&self, key: &str) -> Result<u32, TrackError> {
        self.get(key)?
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.err(key, "must be a whole number ≥ 0"))
    }

    pub(super) fn child(&self, key: &str) -> Result<Reader<'a>, TrackError> {
        let path = self.err(key, "").field;
        Reader::new(self.file, path, self.get(key)?)
    }

    pub(super) fn array(&self, key: &str) -> Result<&'a Vec<Value>, TrackError> {
        self.get(key)?
            .as_array()
            .ok_or_else(|| self.err(key, "must be a list"))
    }

    fn verified_text(&self, key: &str) -> Result<VerifiedText, TrackError> {
        let r = self.child(key)?;
        r.only(&["da", "en", "verified"])?;
        Ok(VerifiedText {
            da: r.text("da")?,
            en: r.text("en")?,
            verified: r.bool("verified")?,
        })
    }

    /// The child reader for element `i` of the list under `key`.
    pub(super) fn element(
        &self,
        key: &str,
        i: usize,
        value: &'a Value,
    ) -> Result<Reader<'a>, TrackError> {
        let path = format!("{}[{i}]", self.err(key, "").field);
        Reader::new(self.file, path, value)
    }

    /// A list of non-blank strings without repeats.
    pub(super) fn texts(&self, key: &str) -> Result<Vec<String>, TrackError> {
        let mut out: Vec<String> = Vec::new();
        for (i, v) in self.array(key)?.iter().enumerate() {
            let field = format!("{key}[{i}]");
            match v.as_str().map(str::trim) {
                Some(s) if !s.is_empty() => {
                    if out.iter().any(|o| o == s) {
                        return Err(self.err(&field, format!("{s:?} given twice")));
                    }
                    out.push(s.to_string());
                }
                _ => return Err(self.err(&field, "must be a non-blank string")),
            }
        }
        Ok(out)
    }

    fn indications(&self, key: &str) -> Result<Vec<Indication>, TrackError> {
        let mut out: Vec<Indication> = Vec::new();
        for (i, v) in self.array(key)?.iter().enumerate() {
            let r = self.element(key, i, v)?;
            r.only(&["instrument", "scale", "bands", "verified"])?;
            let rule = Indication {
                instrument: r.text("instrument")?,
                scale: r.text("scale")?,
                bands: r.texts("bands")?,
                verified: r.bool("verified")?,
            };
            if rule.bands.is_empty() {
                return Err(r.err("bands", "must name at least one band"));
            }
            // Two rules for one scale would be one rule split in two, and could disagree on
            // whether it is verified.
            if out
                .iter()
                .any(|o| o.instrument == rule.instrument && o.scale == rule.scale)
            {
                return Err(r.err(
                    "scale",
                    format!(
                        "{:?} of {:?} already has a rule",
                        rule.scale, rule.instrument
                    ),
                ));
            }
            out.push(rule);
        }
        Ok(out)
    }

    fn criteria(&self, key: &str, exclusion: bool) -> Result<Vec<Criterion>, TrackError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (i, v) in self.array(key)?.iter().enumerate() {
            let r = self.element(key, i, v)?;
            let refer = if exclusion {
                r.only(&["id", "da", "en", "verified", "refer_to_psychiatry"])?;
                r.bool("refer_to_psychiatry")?
            } else {
                // Meeting an inclusion criterion never sends a child to psychiatry.
                r.only(&["id", "da", "en", "verified"])?;
                false
            };
            let id = r.text("id")?;
            if !seen.insert(id.clone()) {
                return Err(r.err("id", format!("duplicate id {id:?}")));
            }
            out.push(Criterion {
                id,
                da: r.text("da")?,
                en: r.text("en")?,
                verified: r.bool("verified")?,
                refer_to_psychiatry: refer,
            });
        }
        Ok(out)
    }
}

/// Parses and checks one track file; `file` is only used to name it in errors.
pub fn parse_track(file: &str, text: &str) -> Result<Track, TrackError> {
    let value: Value = serde_json::from_str(text).map_err(|e| TrackError {
        file: file.to_string(),
        field: String::new(),
        message: format!("not valid JSON: {e}"),
    })?;
    let r = Reader::new(file, String::new(), &value)?;
    r.only(&[
        "id",
        "number",
        "name_da",
        "name_en",
        "ages",
        "format",
        "sessions",
        "eligibility",
        "indicated_by",
        "plan",
        "notes",
        "sources",
    ])?;
    let id_text = r.text("id")?;
    let id = match Programme::parse(&id_text) {
        Some(Programme::Kit) | None => {
            return Err(r.err("id", format!("{id_text:?} is not a STIME track")));
        }
        Some(p) => p,
    };
    let number = r.uint("number")?;
    if !(1..=5).contains(&number) {
        return Err(r.err("number", "STIME tracks are numbered 1 to 5"));
    }

    let a = r.child("ages")?;
    a.only(&["min", "max", "verified"])?;
    let ages = AgeRange {
        min: a.uint("min")?,
        max: a.uint("max")?,
        verified: a.bool("verified")?,
    };
    if ages.min < MIN_AGE || ages.max > MAX_AGE {
        return Err(a.err("", format!("must lie within {MIN_AGE}-{MAX_AGE}")));
    }
    if ages.min > ages.max {
        return Err(a.err("min", "must not exceed max"));
    }

    let eligibility = if r.obj.contains_key("eligibility") {
        let e = r.child("eligibility")?;
        e.only(&["inclusion", "exclusion"])?;
        Eligibility {
            inclusion: e.criteria("inclusion", false)?,
            exclusion: e.criteria("exclusion", true)?,
        }
    } else {
        Eligibility::default()
    };

    // Required although it may be empty: a track whose file forgot the key would silently never
    // be suggested, while `[]` records that no shipped instrument fits.
    let indicated_by = r.indications("indicated_by")?;
    let plan = parse_plan(&r)?;

    let notes = match r.obj.get("notes") {
        None => None,
        Some(_) => Some(r.text("notes")?),
    };
    let sources = r
        .array("sources")?
        .iter()
        .enumerate()
        .map(|(i, v)| match v.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(r.err(&format!("sources[{i}]"), "must be a non-blank string")),
        })
        .collect::<Result<_, _>>()?;

    Ok(Track {
        id,
        number,
        name_da: r.text("name_da")?,
        name_en: r.text("name_en")?,
        ages,
        format: r.verified_text("format")?,
        sessions: r.verified_text("sessions")?,
        eligibility,
        indicated_by,
        plan,
        notes,
        sources,
    })
}

/// Parses a set of track files and checks it is the complete set: each STIME track once, in a
/// file named after its id.
pub fn parse_tracks<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<Track>, TrackError> {
    let mut tracks: Vec<Track> = Vec::new();
    for (file, text) in files {
        let t = parse_track(file, text)?;
        let err = |message: String| TrackError {
            file: file.to_string(),
            field: "id".into(),
            message,
        };
        let stem = file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".json");
        if stem != t.id.as_str() {
            return Err(err(format!("file should be named {}.json", t.id.as_str())));
        }
        if tracks.iter().any(|o| o.id == t.id || o.number == t.number) {
            return Err(err(format!(
                "track {} or number {} given twice",
                t.id.as_str(),
                t.number
            )));
        }
        tracks.push(t);
    }
    if let Some(p) = Programme::ALL
        .into_iter()
        .filter(|p| *p != Programme::Kit)
        .find(|p| !tracks.iter().any(|t| t.id == *p))
    {
        return Err(TrackError {
            file: format!("{}.json", p.as_str()),
            field: String::new(),
            message: "track file missing".into(),
        });
    }
    tracks.sort_by_key(|t| t.number);
    Ok(tracks)
}

/// The shipped tracks. Their validity is guaranteed by the tests below.
pub fn shipped() -> Result<Vec<Track>, TrackError> {
    parse_tracks(SHIPPED)
}

/// Checks that every `indicated_by` rule names an instrument, a scale of it and bands its band
/// tables use. Track files and instrument files are separate data that can drift apart, and a
/// rule naming nothing that exists would never fire without anyone noticing.
pub fn check_indications(tracks: &[Track], catalogue: &Catalogue) -> Result<(), TrackError> {
    for t in tracks {
        for (i, rule) in t.indicated_by.iter().enumerate() {
            let err = |field: &str, message: String| TrackError {
                file: format!("{}.json", t.id.as_str()),
                field: format!("indicated_by[{i}].{field}"),
                message,
            };
            let Some(instrument) = catalogue.get(&rule.instrument) else {
                return Err(err(
                    "instrument",
                    format!("no instrument {:?}", rule.instrument),
                ));
            };
            if instrument.scale(&rule.scale).is_none() {
                return Err(err(
                    "scale",
                    format!("{:?} has no scale {:?}", rule.instrument, rule.scale),
                ));
            }
            for (j, band) in rule.bands.iter().enumerate() {
                let used = instrument
                    .band_tables()
                    .iter()
                    .filter(|table| table.scale == rule.scale)
                    .any(|table| table.rows.iter().any(|row| &row.band == band));
                if !used {
                    return Err(err(
                        &format!("bands[{j}]"),
                        format!(
                            "no band table of {:?} scale {:?} has the band {band:?}",
                            rule.instrument, rule.scale
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The basename of a file as given (a path on disk or a bare name).
fn basename(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Loads a whole track directory as a server runs with it: every track file and
/// `psychiatry_signs.json`, parsed and then checked against each other and the instruments
/// (`check_indications`, `plan::check_plans`, `support::check_signs`). `files` are (path,
/// text); errors name the path as given, so an operator sees which file to fix, and the field.
pub fn load_checked(
    files: &[(String, String)],
    catalogue: &Catalogue,
) -> Result<(Vec<Track>, Vec<super::support::SignRule>), TrackError> {
    let (signs_files, track_files): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|(path, _)| basename(path) == super::support::SHIPPED_SIGNS.0);
    // The cross-checks name files by their bare name; give back the path they were read from.
    let located = |mut e: TrackError| {
        if let Some((path, _)) = files
            .iter()
            .find(|(path, _)| e.file != *path && basename(path) == e.file)
        {
            e.file = path.clone();
        }
        e
    };
    let tracks =
        parse_tracks(track_files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).map_err(located)?;
    check_indications(&tracks, catalogue).map_err(located)?;
    super::plan::check_plans(&tracks, catalogue).map_err(located)?;
    let Some((signs_path, signs_text)) = signs_files.first() else {
        return Err(TrackError {
            file: super::support::SHIPPED_SIGNS.0.to_string(),
            field: String::new(),
            message: "file missing".into(),
        });
    };
    let signs = super::support::parse_signs(signs_path, signs_text)?;
    super::support::check_signs(signs_path, &signs, &tracks, catalogue)?;
    Ok((tracks, signs))
}

/// The shipped tracks and signs, checked as `load_checked` checks a directory: with other
/// instrument definitions than the shipped ones, the shipped tracks can stop fitting.
pub fn shipped_checked(
    catalogue: &Catalogue,
) -> Result<(Vec<Track>, Vec<super::support::SignRule>), TrackError> {
    let files: Vec<(String, String)> = SHIPPED
        .iter()
        .chain(std::iter::once(&super::support::SHIPPED_SIGNS))
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    load_checked(&files, catalogue)
}

/// The track with this id in a parsed set.
pub fn find(tracks: &[Track], id: Programme) -> Option<&Track> {
    tracks.iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn shipped_tracks_parse_and_match_the_programmes() {
        let tracks = shipped().unwrap();
        assert_eq!(tracks.len(), 5);
        for t in &tracks {
            // The Danish names in code and in data must not drift apart.
            assert_eq!(t.name_da, t.id.label(Lang::Da), "{}", t.id.as_str());
        }
        let self_harm = find(&tracks, Programme::SelfHarm).unwrap();
        assert_eq!((self_harm.ages.min, self_harm.ages.max), (12, 17));
        assert_eq!(self_harm.eligibility.inclusion.len(), 2);
        let refer: Vec<_> = self_harm
            .eligibility
            .exclusion
            .iter()
            .filter(|c| c.refer_to_psychiatry)
            .map(|c| c.id.as_str())
            .collect();
        assert!(refer.contains(&"suicide_risk"));
        assert!(refer.contains(&"suicidal_intent"));
        assert!(!refer.contains(&"socially_accepted_only"));
        let restless = find(&tracks, Programme::Restlessness).unwrap();
        assert!(restless.ages.contains(3) && restless.ages.contains(10));
        assert!(!restless.ages.contains(11));
        // Track 5's ages are unknown in the sources, and the data must say so.
        assert!(
            !find(&tracks, Programme::RepeatedThoughts)
                .unwrap()
                .ages
                .verified
        );
    }

    fn base() -> Value {
        serde_json::from_str(SHIPPED[3].1).unwrap()
    }

    fn parse_err(v: &Value) -> TrackError {
        parse_track("self_harm.json", &v.to_string()).unwrap_err()
    }

    #[test]
    fn errors_name_file_and_field() {
        let mut v = base();
        v["ages"].as_object_mut().unwrap().remove("verified");
        let e = parse_err(&v);
        assert_eq!(
            (e.file.as_str(), e.field.as_str()),
            ("self_harm.json", "ages.verified")
        );

        let mut v = base();
        v["ages"]["max"] = 18.into();
        assert_eq!(parse_err(&v).field, "ages");
        v["ages"]["max"] = 11.into();
        assert_eq!(parse_err(&v).field, "ages.min");

        let mut v = base();
        v["eligibility"]["exclusion"][2]["refer_to_psychiatry"] = "yes".into();
        assert_eq!(
            parse_err(&v).field,
            "eligibility.exclusion[2].refer_to_psychiatry"
        );

        let mut v = base();
        v["eligibility"]["inclusion"][0]["refer_to_psychiatry"] = true.into();
        assert_eq!(
            parse_err(&v).field,
            "eligibility.inclusion[0].refer_to_psychiatry"
        );

        let mut v = base();
        v["eligibility"]["exclusion"][1]["id"] = "socially_accepted_only".into();
        assert_eq!(parse_err(&v).field, "eligibility.exclusion[1].id");

        let mut v = base();
        v["id"] = "kit".into();
        assert_eq!(parse_err(&v).field, "id");

        let mut v = base();
        v["nmae_da"] = "x".into();
        assert_eq!(parse_err(&v).field, "nmae_da");

        let e = parse_track("x.json", "{").unwrap_err();
        assert_eq!(e.file, "x.json");
        assert!(e.to_string().starts_with("x.json: : not valid JSON"));
    }

    #[test]
    fn every_indication_names_an_existing_instrument_scale_and_band() {
        let tracks = shipped().unwrap();
        let catalogue = Catalogue::shipped();
        check_indications(&tracks, &catalogue).unwrap();
        // The same, spelt out, so the test does not only trust the function it tests.
        for t in &tracks {
            for rule in &t.indicated_by {
                assert!(
                    !rule.verified,
                    "{}: mapping is not confirmed",
                    t.id.as_str()
                );
                let i = catalogue
                    .get(&rule.instrument)
                    .unwrap_or_else(|| panic!("{}: {}", t.id.as_str(), rule.instrument));
                assert!(i.scale(&rule.scale).is_some(), "{}", rule.scale);
                for band in &rule.bands {
                    assert!(
                        i.band_tables()
                            .iter()
                            .filter(|b| b.scale == rule.scale)
                            .any(|b| b.rows.iter().any(|r| &r.band == band)),
                        "{} {} {band}",
                        rule.instrument,
                        rule.scale
                    );
                    assert!(i.band_label(band, Lang::En).is_some());
                }
            }
        }
        let rules = |p| &find(&tracks, p).unwrap().indicated_by;
        assert!(rules(Programme::WorrySadness).iter().any(|r| r.matches(
            "sdq-parent-4-17",
            "emotional",
            "very_high"
        )));
        assert!(rules(Programme::Restlessness).iter().any(|r| r.matches(
            "sdq-teacher-4-17",
            "hyperactivity",
            "high"
        )));
        assert!(!rules(Programme::Restlessness).iter().any(|r| r.matches(
            "sdq-teacher-4-17",
            "hyperactivity",
            "slightly_raised"
        )));
        assert!(rules(Programme::BodyFood).is_empty());
    }

    #[test]
    fn indication_errors_name_file_and_field() {
        let mut v: Value = serde_json::from_str(SHIPPED[1].1).unwrap();
        let parse = |v: &Value| parse_track("worry_sadness.json", &v.to_string());
        assert!(parse(&v).is_ok());

        let mut missing = v.clone();
        missing.as_object_mut().unwrap().remove("indicated_by");
        assert_eq!(parse(&missing).unwrap_err().field, "indicated_by");

        v["indicated_by"][1]["bands"] = serde_json::json!([]);
        assert_eq!(parse(&v).unwrap_err().field, "indicated_by[1].bands");
        v["indicated_by"][1]["bands"] = serde_json::json!(["high", "high"]);
        assert_eq!(parse(&v).unwrap_err().field, "indicated_by[1].bands[1]");
        v["indicated_by"][1]["bands"] = serde_json::json!(["high", " "]);
        assert_eq!(parse(&v).unwrap_err().field, "indicated_by[1].bands[1]");
        v["indicated_by"][1]["bands"] = serde_json::json!(["high"]);
        v["indicated_by"][1]["verified"] = "no".into();
        assert_eq!(parse(&v).unwrap_err().field, "indicated_by[1].verified");
        v["indicated_by"][1]["verified"] = false.into();
        v["indicated_by"][1]["cut_off"] = 3.into();
        assert_eq!(parse(&v).unwrap_err().field, "indicated_by[1].cut_off");
        v["indicated_by"][1]
            .as_object_mut()
            .unwrap()
            .remove("cut_off");
        v["indicated_by"][1]["instrument"] = "sdq-parent-4-17".into();
        let e = parse(&v).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.field.as_str()),
            ("worry_sadness.json", "indicated_by[1].scale")
        );

        // Well-formed but naming what the instruments do not have.
        let mut tracks = shipped().unwrap();
        let catalogue = Catalogue::shipped();
        let worry = tracks
            .iter_mut()
            .find(|t| t.id == Programme::WorrySadness)
            .unwrap();
        worry.indicated_by[0].bands.push("sky_high".into());
        let e = check_indications(&tracks, &catalogue).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.field.as_str()),
            ("worry_sadness.json", "indicated_by[0].bands[2]")
        );
        let worry = &mut tracks[1];
        worry.indicated_by[0].bands.pop();
        worry.indicated_by[0].scale = "worry".into();
        assert_eq!(
            check_indications(&tracks, &catalogue).unwrap_err().field,
            "indicated_by[0].scale"
        );
        tracks[1].indicated_by[0].instrument = "rcads".into();
        assert_eq!(
            check_indications(&tracks, &catalogue).unwrap_err().field,
            "indicated_by[0].instrument"
        );
    }

    fn dir_files() -> Vec<(String, String)> {
        SHIPPED
            .iter()
            .chain(std::iter::once(&crate::course::support::SHIPPED_SIGNS))
            .map(|(name, text)| (format!("tracks/{name}"), text.to_string()))
            .collect()
    }

    #[test]
    fn a_loaded_directory_is_checked_and_errors_name_the_path() {
        let catalogue = Catalogue::shipped();
        let (tracks, signs) = shipped_checked(&catalogue).unwrap();
        assert_eq!(tracks.len(), 5);
        assert!(!signs.is_empty());
        let (from_dir, _) = load_checked(&dir_files(), &catalogue).unwrap();
        assert_eq!(from_dir, tracks);

        // A plan naming an unknown instrument: found by the cross-check, named by its path.
        let mut files = dir_files();
        let worry = files
            .iter_mut()
            .find(|(p, _)| p.ends_with("/worry_sadness.json"))
            .unwrap();
        let mut v: Value = serde_json::from_str(&worry.1).unwrap();
        v["plan"]["measurements"][2]["instrument"] = "sdq-x".into();
        worry.1 = v.to_string();
        let e = load_checked(&files, &catalogue).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tracks/worry_sadness.json: plan.measurements[2].instrument: unknown instrument \"sdq-x\""
        );

        // A parse error names the path too.
        let mut files = dir_files();
        files[0].1 = "{".into();
        assert_eq!(
            load_checked(&files, &catalogue).unwrap_err().file,
            "tracks/restlessness.json"
        );

        // Without the signs file the set is incomplete.
        let mut files = dir_files();
        files.retain(|(p, _)| !p.ends_with("psychiatry_signs.json"));
        assert_eq!(
            load_checked(&files, &catalogue).unwrap_err().file,
            "psychiatry_signs.json"
        );
    }

    proptest::proptest! {
        /// Wherever the directory lies, a cross-check error names the file by the path it was
        /// read from, so the operator is pointed at the right copy.
        #[test]
        fn errors_name_the_path_as_given(dir in "[a-z]{1,8}(/[a-z0-9_]{1,8}){0,2}") {
            let catalogue = Catalogue::shipped();
            let mut files: Vec<(String, String)> = dir_files()
                .into_iter()
                .map(|(p, t)| (p.replacen("tracks", &dir, 1), t))
                .collect();
            let i = files.iter().position(|(p, _)| p.ends_with("/body_food.json")).unwrap();
            let mut v: Value = serde_json::from_str(&files[i].1).unwrap();
            v["plan"]["measurements"][0]["instrument"] = "nope".into();
            files[i].1 = v.to_string();
            let e = load_checked(&files, &catalogue).unwrap_err();
            proptest::prop_assert_eq!(e.file, format!("{dir}/body_food.json"));
            proptest::prop_assert_eq!(e.field, "plan.measurements[0].instrument");
        }
    }

    #[test]
    fn set_must_be_complete_and_files_named_by_id() {
        let e = parse_tracks(SHIPPED.into_iter().take(4)).unwrap_err();
        assert_eq!(e.file, "repeated_thoughts.json");
        let mut files = SHIPPED.to_vec();
        files[0].0 = "tracks/uro.json";
        assert_eq!(parse_tracks(files).unwrap_err().file, "tracks/uro.json");
    }
}
