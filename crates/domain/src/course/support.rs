//! Decision support for visitation: which tracks the questionnaire scores point to, the
//! eligibility checklist of every track, and the signs that the child belongs in child
//! psychiatry (DOMAIN.md §6.1) rather than in a municipal course.
//!
//! It only suggests. Staff decide, and `visitation::validate_decision` makes them write why
//! when they choose something other than psychiatry while signs are raised.

use super::tracks::{Criterion, Reader, Track, TrackError};
use crate::instrument::{Catalogue, Respondent, Scored};
use crate::organisation::Programme;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Text in both UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub da: String,
    pub en: String,
}

/// A sign that the child needs child psychiatry or an acute assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsychiatrySign {
    pub id: String,
    pub da: String,
    pub en: String,
    /// Whether a source confirms that this sign calls for psychiatry.
    pub verified: bool,
}

/// One exclusion criterion of one track, as staff tick it on the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionRef {
    pub track: Programme,
    pub criterion: String,
}

/// A sign and what raises it (`tracks/psychiatry_signs.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignRule {
    pub sign: PsychiatrySign,
    /// Critical item codes of the instruments (`CriticalHit::code`).
    pub alerts: Vec<String>,
    pub criteria: Vec<CriterionRef>,
}

/// The shipped sign data, embedded like the tracks so it is always available.
pub const SHIPPED_SIGNS: (&str, &str) = (
    "psychiatry_signs.json",
    include_str!("../../../../tracks/psychiatry_signs.json"),
);

/// Parses and checks a sign file on its own; `check_signs` checks it against tracks and
/// instruments.
pub fn parse_signs(file: &str, text: &str) -> Result<Vec<SignRule>, TrackError> {
    let value: Value = serde_json::from_str(text).map_err(|e| TrackError {
        file: file.to_string(),
        field: String::new(),
        message: format!("not valid JSON: {e}"),
    })?;
    let r = Reader::new(file, String::new(), &value)?;
    r.only(&["notes", "sources", "signs"])?;
    if r.obj.contains_key("notes") {
        r.text("notes")?;
    }
    r.texts("sources")?;
    let mut rules: Vec<SignRule> = Vec::new();
    for (i, v) in r.array("signs")?.iter().enumerate() {
        let s = r.element("signs", i, v)?;
        s.only(&["id", "da", "en", "verified", "raised_by"])?;
        let sign = PsychiatrySign {
            id: s.text("id")?,
            da: s.text("da")?,
            en: s.text("en")?,
            verified: s.bool("verified")?,
        };
        if rules.iter().any(|o| o.sign.id == sign.id) {
            return Err(s.err("id", format!("duplicate id {:?}", sign.id)));
        }
        let by = s.child("raised_by")?;
        by.only(&["alerts", "criteria"])?;
        let alerts = by.texts("alerts")?;
        for (j, code) in alerts.iter().enumerate() {
            if let Some(o) = rules.iter().find(|o| o.alerts.contains(code)) {
                return Err(by.err(
                    &format!("alerts[{j}]"),
                    format!("{code:?} already raises {:?}", o.sign.id),
                ));
            }
        }
        let mut criteria: Vec<CriterionRef> = Vec::new();
        for (j, v) in by.array("criteria")?.iter().enumerate() {
            let c = by.element("criteria", j, v)?;
            c.only(&["track", "criterion"])?;
            let track_text = c.text("track")?;
            let track = match Programme::parse(&track_text) {
                Some(Programme::Kit) | None => {
                    return Err(c.err("track", format!("{track_text:?} is not a STIME track")));
                }
                Some(p) => p,
            };
            let reference = CriterionRef {
                track,
                criterion: c.text("criterion")?,
            };
            // One criterion raising two signs is almost certainly a copy left behind.
            let earlier = rules
                .iter()
                .find(|o| o.criteria.contains(&reference))
                .map(|o| o.sign.id.as_str())
                .or_else(|| criteria.contains(&reference).then_some(sign.id.as_str()));
            if let Some(other) = earlier {
                return Err(c.err("criterion", format!("already raises {other:?}")));
            }
            criteria.push(reference);
        }
        // A sign nothing can raise is dead data that looks like protection.
        if alerts.is_empty() && criteria.is_empty() {
            return Err(by.err("", "must name at least one alert or criterion"));
        }
        rules.push(SignRule {
            sign,
            alerts,
            criteria,
        });
    }
    Ok(rules)
}

/// The shipped signs. Their validity is guaranteed by the tests below.
pub fn shipped_signs() -> Result<Vec<SignRule>, TrackError> {
    parse_signs(SHIPPED_SIGNS.0, SHIPPED_SIGNS.1)
}

/// Checks sign rules against the tracks and instruments they name: each criterion must be an
/// exclusion that refers to psychiatry, each alert code must be one an instrument raises, and
/// every such criterion and code must raise some sign. Data that drifted apart would otherwise
/// go unnoticed until a child's sign fell back to its bare criterion or alert text.
pub fn check_signs(
    file: &str,
    rules: &[SignRule],
    tracks: &[Track],
    catalogue: &Catalogue,
) -> Result<(), TrackError> {
    let err = |field: String, message: String| TrackError {
        file: file.to_string(),
        field,
        message,
    };
    let codes: Vec<&str> = catalogue
        .all()
        .iter()
        .flat_map(|i| i.critical_items())
        .map(|c| c.code.as_str())
        .collect();
    for (i, rule) in rules.iter().enumerate() {
        for (j, code) in rule.alerts.iter().enumerate() {
            if !codes.contains(&code.as_str()) {
                return Err(err(
                    format!("signs[{i}].raised_by.alerts[{j}]"),
                    format!("no instrument raises the alert {code:?}"),
                ));
            }
        }
        for (j, c) in rule.criteria.iter().enumerate() {
            let refers = super::tracks::find(tracks, c.track)
                .and_then(|t| t.eligibility.exclusion.iter().find(|e| e.id == c.criterion))
                .is_some_and(|e| e.refer_to_psychiatry);
            if !refers {
                return Err(err(
                    format!("signs[{i}].raised_by.criteria[{j}]"),
                    format!(
                        "{} has no exclusion {:?} that refers to psychiatry",
                        c.track.as_str(),
                        c.criterion
                    ),
                ));
            }
        }
    }
    if let Some(code) = codes
        .iter()
        .find(|code| !rules.iter().any(|r| r.alerts.iter().any(|a| a == *code)))
    {
        return Err(err(
            "signs".into(),
            format!("no sign is raised by the alert {code:?}"),
        ));
    }
    for t in tracks {
        for e in t
            .eligibility
            .exclusion
            .iter()
            .filter(|e| e.refer_to_psychiatry)
        {
            let reference = CriterionRef {
                track: t.id,
                criterion: e.id.clone(),
            };
            if !rules.iter().any(|r| r.criteria.contains(&reference)) {
                return Err(err(
                    "signs".into(),
                    format!(
                        "no sign is raised by {}'s exclusion {:?}",
                        t.id.as_str(),
                        e.id
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The latest scored response of one instrument (and so one respondent) for the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestResult {
    /// Instrument id, e.g. `sdq-parent-4-17`.
    pub instrument: String,
    pub respondent: Respondent,
    /// As scored and stored: bands per scale and the alerts the answers raised.
    pub scored: Scored,
}

/// A questionnaire alert as stored, for alerts from responses that are no longer the latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedAlert {
    pub code: String,
    pub message_en: String,
    pub message_da: String,
}

/// Everything decision support looks at; the caller gathers it.
#[derive(Debug, Clone, Copy)]
pub struct SupportInput<'a> {
    /// The child's age in completed years on the decision date.
    pub age: u32,
    pub results: &'a [LatestResult],
    /// Open or recent alerts of this child, whichever response raised them. Alerts on
    /// `results` count without being repeated here; repeats are harmless.
    pub alerts: &'a [RaisedAlert],
    /// Criteria staff ticked as applying to the child, on any track's checklist.
    pub ticked: &'a [CriterionRef],
    pub tracks: &'a [Track],
    /// The tracks this municipality takes part in.
    pub offered: &'a [Programme],
    pub signs: &'a [SignRule],
    /// For instrument, scale and band labels.
    pub catalogue: &'a Catalogue,
}

/// What the support shows next to the decision form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Support {
    /// Tracks the scores point to, in track order.
    pub indicated: Vec<IndicatedTrack>,
    /// Every track's eligibility checklist, in track order.
    pub checklists: Vec<Checklist>,
    /// Raised signs; pass them on as `TrackOffer::signs`.
    pub signs: Vec<PsychiatrySign>,
    /// Why each sign was raised.
    pub sign_causes: Vec<SignCause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatedTrack {
    pub track: Programme,
    pub name: Text,
    pub offered: bool,
    pub age_fits: bool,
    pub reasons: Vec<Reason>,
}

/// One scale result that points to a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub instrument: String,
    pub respondent: Respondent,
    pub scale: String,
    pub band: String,
    pub score: Option<i64>,
    /// Instrument, scale and band in words, e.g. "SDQ – parent report (4–17 years), Emotional
    /// symptoms: High".
    pub label: Text,
    /// Whether the band table that gave the band is confirmed in its source.
    pub band_verified: bool,
    /// Whether the rule that this band points to the track is confirmed.
    pub rule_verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    pub track: Programme,
    pub name: Text,
    pub offered: bool,
    pub age: AgeCheck,
    pub inclusion: Vec<CheckItem>,
    pub exclusion: Vec<CheckItem>,
    /// Some exclusion criterion is ticked.
    pub excluded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeCheck {
    pub ok: bool,
    pub age: u32,
    pub min: u32,
    pub max: u32,
    /// Whether the track's age range is confirmed in its source.
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckItem {
    #[serde(flatten)]
    pub criterion: Criterion,
    pub ticked: bool,
}

/// Why a sign was raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignCause {
    /// The id of the raised sign.
    pub sign: String,
    pub from: CauseSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CauseSource {
    Alert {
        code: String,
        message_en: String,
        message_da: String,
    },
    Criterion {
        track: Programme,
        criterion: String,
        da: String,
        en: String,
    },
}

/// Suggests tracks, lays out the checklists and raises psychiatry signs. Pure: same input,
/// same output.
pub fn decision_support(input: &SupportInput<'_>) -> Support {
    let indicated = input
        .tracks
        .iter()
        .filter_map(|t| {
            let reasons = reasons_for(t, input);
            (!reasons.is_empty()).then(|| IndicatedTrack {
                track: t.id,
                name: track_name(t),
                offered: input.offered.contains(&t.id),
                age_fits: t.ages.contains(input.age),
                reasons,
            })
        })
        .collect();

    let checklists = input
        .tracks
        .iter()
        .map(|t| {
            let items = |list: &[Criterion]| -> Vec<CheckItem> {
                list.iter()
                    .map(|c| CheckItem {
                        criterion: c.clone(),
                        ticked: is_ticked(input.ticked, t.id, &c.id),
                    })
                    .collect()
            };
            let exclusion = items(&t.eligibility.exclusion);
            Checklist {
                track: t.id,
                name: track_name(t),
                offered: input.offered.contains(&t.id),
                age: AgeCheck {
                    ok: t.ages.contains(input.age),
                    age: input.age,
                    min: t.ages.min,
                    max: t.ages.max,
                    verified: t.ages.verified,
                },
                inclusion: items(&t.eligibility.inclusion),
                excluded: exclusion.iter().any(|c| c.ticked),
                exclusion,
            }
        })
        .collect();

    let (signs, sign_causes) = raise_signs(input);
    Support {
        indicated,
        checklists,
        signs,
        sign_causes,
    }
}

fn track_name(t: &Track) -> Text {
    Text {
        da: t.name_da.clone(),
        en: t.name_en.clone(),
    }
}

fn is_ticked(ticked: &[CriterionRef], track: Programme, criterion: &str) -> bool {
    ticked
        .iter()
        .any(|c| c.track == track && c.criterion == criterion)
}

fn reasons_for(track: &Track, input: &SupportInput<'_>) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for result in input.results {
        for rule in track
            .indicated_by
            .iter()
            .filter(|r| r.instrument == result.instrument)
        {
            let Some(scale) = result.scored.scales.get(&rule.scale) else {
                continue;
            };
            let Some(band) = scale.band.as_deref() else {
                continue;
            };
            if !rule.matches(&result.instrument, &rule.scale, band) {
                continue;
            }
            reasons.push(Reason {
                instrument: result.instrument.clone(),
                respondent: result.respondent,
                scale: rule.scale.clone(),
                band: band.to_string(),
                score: scale.score,
                label: reason_label(input.catalogue, &result.instrument, &rule.scale, band),
                band_verified: scale.band_verified,
                rule_verified: rule.verified,
            });
        }
    }
    reasons
}

/// Falls back to the ids where the catalogue no longer knows the instrument, so an old result
/// still shows rather than disappears.
fn reason_label(catalogue: &Catalogue, instrument: &str, scale: &str, band: &str) -> Text {
    use crate::i18n::Lang;
    let words = |lang: Lang| {
        let def = catalogue.get(instrument);
        let title = def.map_or(instrument, |d| d.title(lang));
        let scale_title = def
            .and_then(|d| d.scale(scale))
            .map_or(scale, |s| s.title(lang));
        let band_label = def.and_then(|d| d.band_label(band, lang)).unwrap_or(band);
        format!("{title}, {scale_title}: {band_label}")
    };
    Text {
        da: words(Lang::Da),
        en: words(Lang::En),
    }
}

fn raise_signs(input: &SupportInput<'_>) -> (Vec<PsychiatrySign>, Vec<SignCause>) {
    let mut alerts: Vec<RaisedAlert> = Vec::new();
    let from_results = input
        .results
        .iter()
        .flat_map(|r| &r.scored.critical)
        .map(|h| RaisedAlert {
            code: h.code.clone(),
            message_en: h.message_en.clone(),
            message_da: h.message_da.clone(),
        });
    for a in from_results.chain(input.alerts.iter().cloned()) {
        if !alerts.contains(&a) {
            alerts.push(a);
        }
    }

    // (sign, cause); a trigger the data does not map still raises a sign made from its own
    // text, because missing data must not silence a child's risk.
    let mut raised: Vec<(PsychiatrySign, SignCause)> = Vec::new();
    for a in alerts {
        let sign = match input.signs.iter().find(|r| r.alerts.contains(&a.code)) {
            Some(rule) => rule.sign.clone(),
            None => PsychiatrySign {
                id: format!("alert:{}", a.code),
                da: a.message_da.clone(),
                en: a.message_en.clone(),
                verified: false,
            },
        };
        let cause = SignCause {
            sign: sign.id.clone(),
            from: CauseSource::Alert {
                code: a.code,
                message_en: a.message_en,
                message_da: a.message_da,
            },
        };
        raised.push((sign, cause));
    }
    for t in input.tracks {
        // Checklist order, not tick order, so the output does not depend on how the form
        // happened to send the ticks.
        for c in t
            .eligibility
            .exclusion
            .iter()
            .filter(|c| c.refer_to_psychiatry && is_ticked(input.ticked, t.id, &c.id))
        {
            let reference = CriterionRef {
                track: t.id,
                criterion: c.id.clone(),
            };
            let sign = match input.signs.iter().find(|r| r.criteria.contains(&reference)) {
                Some(rule) => rule.sign.clone(),
                None => PsychiatrySign {
                    id: format!("{}.{}", t.id.as_str(), c.id),
                    da: c.da.clone(),
                    en: c.en.clone(),
                    verified: c.verified,
                },
            };
            let cause = SignCause {
                sign: sign.id.clone(),
                from: CauseSource::Criterion {
                    track: t.id,
                    criterion: c.id.clone(),
                    da: c.da.clone(),
                    en: c.en.clone(),
                },
            };
            raised.push((sign, cause));
        }
    }

    // Signs in the data's order (it lists the gravest first), then the fallbacks.
    let rank = |s: &PsychiatrySign| {
        input
            .signs
            .iter()
            .position(|r| r.sign.id == s.id)
            .unwrap_or(input.signs.len())
    };
    raised.sort_by_key(|(s, _)| rank(s));
    let mut signs: Vec<PsychiatrySign> = Vec::new();
    let mut causes = Vec::with_capacity(raised.len());
    for (sign, cause) in raised {
        if !signs.iter().any(|s| s.id == sign.id) {
            signs.push(sign);
        }
        causes.push(cause);
    }
    (signs, causes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::tracks::{self, find};
    use crate::instrument::{Answers, CriticalHit, ScaleScore, score};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn tracks() -> Vec<Track> {
        tracks::shipped().unwrap()
    }

    fn signs() -> Vec<SignRule> {
        shipped_signs().unwrap()
    }

    fn result(instrument: &str, respondent: Respondent, bands: &[(&str, &str)]) -> LatestResult {
        LatestResult {
            instrument: instrument.into(),
            respondent,
            scored: Scored {
                scales: bands
                    .iter()
                    .map(|(scale, band)| {
                        let s = ScaleScore {
                            score: Some(5),
                            band: Some((*band).into()),
                            band_verified: false,
                        };
                        ((*scale).to_string(), s)
                    })
                    .collect(),
                critical: Vec::new(),
            },
        }
    }

    struct Fixture {
        tracks: Vec<Track>,
        signs: Vec<SignRule>,
        catalogue: Catalogue,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                tracks: tracks(),
                signs: signs(),
                catalogue: Catalogue::shipped(),
            }
        }

        fn run(
            &self,
            age: u32,
            results: &[LatestResult],
            alerts: &[RaisedAlert],
            ticked: &[CriterionRef],
            offered: &[Programme],
        ) -> Support {
            decision_support(&SupportInput {
                age,
                results,
                alerts,
                ticked,
                tracks: &self.tracks,
                offered,
                signs: &self.signs,
                catalogue: &self.catalogue,
            })
        }
    }

    fn tick(track: Programme, criterion: &str) -> CriterionRef {
        CriterionRef {
            track,
            criterion: criterion.into(),
        }
    }

    #[test]
    fn shipped_signs_parse_and_cover_every_alert_and_referring_criterion() {
        let rules = signs();
        check_signs(SHIPPED_SIGNS.0, &rules, &tracks(), &Catalogue::shipped()).unwrap();
        assert!(rules.iter().all(|r| !r.sign.verified));
        let suicide = rules.iter().find(|r| r.sign.id == "suicide_risk").unwrap();
        assert!(
            suicide
                .criteria
                .contains(&tick(Programme::SelfHarm, "suicidal_intent"))
        );
        assert!(
            rules
                .iter()
                .any(|r| r.alerts.iter().any(|a| a == "self_harm_thoughts"))
        );
    }

    #[test]
    fn sign_data_errors_name_file_and_field() {
        let base: Value = serde_json::from_str(SHIPPED_SIGNS.1).unwrap();
        let parse = |v: &Value| parse_signs("psychiatry_signs.json", &v.to_string());
        let field = |v: &Value| parse(v).unwrap_err().field;

        let mut v = base.clone();
        v["signs"][1]["raised_by"]["alerts"] = serde_json::json!([]);
        assert_eq!(field(&v), "signs[1].raised_by");
        let mut v = base.clone();
        v["signs"][2]["id"] = "suicide_risk".into();
        assert_eq!(field(&v), "signs[2].id");
        let mut v = base.clone();
        v["signs"][2]["raised_by"]["criteria"][0]["criterion"] = "suicide_risk".into();
        assert_eq!(field(&v), "signs[2].raised_by.criteria[0].criterion");
        let mut v = base.clone();
        v["signs"][0]["raised_by"]["criteria"][0]["track"] = "kit".into();
        assert_eq!(field(&v), "signs[0].raised_by.criteria[0].track");
        let mut v = base.clone();
        v["signs"][0]["verified"] = Value::Null;
        assert_eq!(field(&v), "signs[0].verified");
        let mut v = base.clone();
        v["signs"][0]["raised_by"]["alerts"] = serde_json::json!(["self_harm_thoughts"]);
        assert_eq!(field(&v), "signs[1].raised_by.alerts[0]");
        let mut v = base.clone();
        v["sign"] = serde_json::json!([]);
        let e = parse(&v).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.field.as_str()),
            ("psychiatry_signs.json", "sign")
        );

        // Well-formed but out of step with the tracks or instruments.
        let (tracks, catalogue) = (tracks(), Catalogue::shipped());
        let check = |rules: &[SignRule]| {
            check_signs("psychiatry_signs.json", rules, &tracks, &catalogue)
                .unwrap_err()
                .field
        };
        let mut rules = signs();
        rules[0]
            .criteria
            .push(tick(Programme::SelfHarm, "by_proxy"));
        assert_eq!(check(&rules), "signs[0].raised_by.criteria[2]");
        let mut rules = signs();
        rules[1].alerts.push("sad_face".into());
        assert_eq!(check(&rules), "signs[1].raised_by.alerts[1]");
        let mut rules = signs();
        rules[3].criteria.clear();
        assert_eq!(check(&rules), "signs");
        let mut rules = signs();
        rules[1].alerts.clear();
        assert_eq!(check(&rules), "signs");
    }

    #[test]
    fn scores_point_to_tracks_with_reasons_in_both_languages() {
        let f = Fixture::new();
        let results = [
            result(
                "sdq-parent-4-17",
                Respondent::Parent,
                &[("emotional", "high"), ("hyperactivity", "close_to_average")],
            ),
            result(
                "smfq-child",
                Respondent::Child,
                &[("total", "above_cut_off")],
            ),
            result(
                "scared-child",
                Respondent::Child,
                &[("total", "below_cut_off")],
            ),
        ];
        let s = f.run(9, &results, &[], &[], &[Programme::Restlessness]);
        assert_eq!(s.indicated.len(), 1);
        let worry = &s.indicated[0];
        assert_eq!(worry.track, Programme::WorrySadness);
        assert!(!worry.offered);
        assert!(worry.age_fits);
        let reasons: Vec<_> = worry
            .reasons
            .iter()
            .map(|r| (r.instrument.as_str(), r.scale.as_str(), r.band.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("sdq-parent-4-17", "emotional", "high"),
                ("smfq-child", "total", "above_cut_off")
            ]
        );
        let r = &worry.reasons[0];
        assert_eq!(r.respondent, Respondent::Parent);
        assert!(!r.rule_verified);
        assert_eq!(
            r.label.en,
            "SDQ – parent report (4–17 years), Emotional symptoms: High"
        );
        assert_eq!(
            r.label.da,
            "SDQ – forældreskema (4–17 år), Følelsesmæssige symptomer: Høj"
        );
        assert!(s.signs.is_empty() && s.sign_causes.is_empty());
    }

    #[test]
    fn unknown_instrument_labels_fall_back_to_ids() {
        let mut f = Fixture::new();
        f.tracks[1].indicated_by[0].instrument = "retired-form".into();
        let results = [result(
            "retired-form",
            Respondent::Parent,
            &[("emotional", "high")],
        )];
        let s = f.run(9, &results, &[], &[], &[]);
        assert_eq!(
            s.indicated[0].reasons[0].label.en,
            "retired-form, emotional: high"
        );
    }

    #[test]
    fn checklists_show_ages_criteria_and_ticks() {
        let f = Fixture::new();
        let ticked = [
            tick(Programme::SelfHarm, "current_thoughts"),
            tick(Programme::SelfHarm, "by_proxy"),
            // A tick for a criterion the track does not have is ignored.
            tick(Programme::WorrySadness, "by_proxy"),
        ];
        let s = f.run(11, &[], &[], &ticked, &[Programme::SelfHarm]);
        assert_eq!(s.checklists.len(), 5);
        let harm = s
            .checklists
            .iter()
            .find(|c| c.track == Programme::SelfHarm)
            .unwrap();
        assert!(harm.offered);
        assert_eq!(
            harm.age,
            AgeCheck {
                ok: false,
                age: 11,
                min: 12,
                max: 17,
                verified: true
            }
        );
        assert!(harm.inclusion[0].ticked && !harm.inclusion[1].ticked);
        assert!(harm.excluded);
        // by_proxy does not refer to psychiatry, so it raises no sign.
        assert!(s.signs.is_empty());
        let worry = &s.checklists[1];
        assert!(!worry.excluded && worry.age.ok && !worry.offered);

        let json = serde_json::to_value(harm).unwrap();
        assert_eq!(json["track"], "self_harm");
        assert_eq!(json["exclusion"][3]["id"], "suicidal_intent");
        assert_eq!(json["exclusion"][3]["refer_to_psychiatry"], true);
        assert_eq!(json["exclusion"][2]["ticked"], true);
    }

    #[test]
    fn alerts_and_referring_exclusions_raise_signs_once_each() {
        let f = Fixture::new();
        let mut phq = result("phq-a", Respondent::Child, &[("total", "mild")]);
        let hit = CriticalHit {
            link_id: "q9".into(),
            code: "self_harm_thoughts".into(),
            message_en: "Thoughts of death".into(),
            message_da: "Tanker om død".into(),
        };
        phq.scored.critical.push(hit.clone());
        // The same alert still open in the store is not a second cause.
        let open = RaisedAlert {
            code: hit.code.clone(),
            message_en: hit.message_en.clone(),
            message_da: hit.message_da.clone(),
        };
        let ticked = [
            tick(Programme::SelfHarm, "suicide_risk"),
            tick(Programme::SelfHarm, "suicidal_intent"),
            tick(Programme::SelfHarm, "socially_accepted_only"),
        ];
        let s = f.run(14, &[phq], &[open], &ticked, &[Programme::SelfHarm]);
        let ids: Vec<_> = s.signs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            ["suicide_risk", "death_or_self_harm_thoughts_reported"]
        );
        assert_eq!(s.sign_causes.len(), 3);
        let alert_cause = CauseSource::Alert {
            code: "self_harm_thoughts".into(),
            message_en: "Thoughts of death".into(),
            message_da: "Tanker om død".into(),
        };
        assert!(s.sign_causes.iter().any(|c| c.from == alert_cause));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["sign_causes"][0]["sign"], "suicide_risk");
        assert_eq!(json["sign_causes"][0]["from"]["kind"], "criterion");
        assert_eq!(
            json["sign_causes"][0]["from"]["criterion"],
            "suicidal_intent"
        );
        assert_eq!(json["signs"][0]["verified"], false);
    }

    #[test]
    fn unmapped_triggers_still_raise_a_sign() {
        let mut f = Fixture::new();
        f.signs.clear();
        let alert = RaisedAlert {
            code: "new_code".into(),
            message_en: "Something".into(),
            message_da: "Noget".into(),
        };
        let s = f.run(
            14,
            &[],
            &[alert],
            &[tick(Programme::SelfHarm, "rising_frequency")],
            &[],
        );
        let ids: Vec<_> = s.signs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["alert:new_code", "self_harm.rising_frequency"]);
        assert_eq!(s.signs[0].en, "Something");
        assert_eq!(s.signs[1].da, "Gentagen selvskade med stigende hyppighed.");
    }

    #[test]
    fn real_scores_feed_support() {
        let f = Fixture::new();
        let phq = f.catalogue.get("phq-a").unwrap();
        let mut a: Answers = (1..=9).map(|n| (format!("q{n}"), Some(2))).collect();
        a.set("q9", Some(1));
        let results = [LatestResult {
            instrument: "phq-a".into(),
            respondent: Respondent::Child,
            scored: score(phq, &a).unwrap(),
        }];
        let s = f.run(13, &results, &[], &[], &[Programme::WorrySadness]);
        assert_eq!(s.indicated[0].track, Programme::WorrySadness);
        assert_eq!(s.indicated[0].reasons[0].band, "moderately_severe");
        assert_eq!(s.indicated[0].reasons[0].score, Some(17));
        assert!(s.indicated[0].offered && s.indicated[0].age_fits);
        assert_eq!(s.signs[0].id, "death_or_self_harm_thoughts_reported");
    }

    /// Every (instrument, scale, band) in the shipped band tables, so generated results both
    /// hit and miss the indication rules.
    fn band_universe() -> Vec<(String, String, String)> {
        let catalogue = Catalogue::shipped();
        let mut out = Vec::new();
        for i in catalogue.all() {
            for table in i.band_tables() {
                for row in &table.rows {
                    let key = (i.id().to_string(), table.scale.clone(), row.band.clone());
                    if !out.contains(&key) {
                        out.push(key);
                    }
                }
            }
        }
        out
    }

    fn results_strategy() -> impl Strategy<Value = Vec<LatestResult>> {
        prop::collection::vec(prop::sample::select(band_universe()), 0..12).prop_map(|picks| {
            // One latest result per instrument, as the caller passes them.
            let mut by_instrument: BTreeMap<String, BTreeMap<String, ScaleScore>> = BTreeMap::new();
            for (instrument, scale, band) in picks {
                by_instrument.entry(instrument).or_default().insert(
                    scale,
                    ScaleScore {
                        score: None,
                        band: Some(band),
                        band_verified: true,
                    },
                );
            }
            by_instrument
                .into_iter()
                .map(|(instrument, scales)| LatestResult {
                    instrument,
                    respondent: Respondent::Parent,
                    scored: Scored {
                        scales,
                        critical: Vec::new(),
                    },
                })
                .collect()
        })
    }

    fn criterion_ticks() -> impl Strategy<Value = Vec<CriterionRef>> {
        let all: Vec<CriterionRef> = tracks()
            .iter()
            .flat_map(|t| {
                let e = &t.eligibility;
                e.inclusion
                    .iter()
                    .chain(&e.exclusion)
                    .map(|c| tick(t.id, &c.id))
                    .collect::<Vec<_>>()
            })
            .collect();
        let n = all.len();
        prop::sample::subsequence(all, 0..=n)
    }

    fn programmes() -> impl Strategy<Value = Vec<Programme>> {
        prop::sample::subsequence(Programme::ALL.to_vec(), 0..=Programme::ALL.len())
    }

    fn refers(tracks: &[Track], c: &CriterionRef) -> bool {
        find(tracks, c.track)
            .and_then(|t| t.eligibility.exclusion.iter().find(|e| e.id == c.criterion))
            .is_some_and(|e| e.refer_to_psychiatry)
    }

    proptest! {
        #[test]
        fn indicated_tracks_come_only_from_matching_bands(
            results in results_strategy(),
            age in 0u32..25,
            offered in programmes(),
        ) {
            let f = Fixture::new();
            let s = f.run(age, &results, &[], &[], &offered);
            for t in &f.tracks {
                let expected: Vec<(&str, &str, &str)> = results
                    .iter()
                    .flat_map(|r| {
                        t.indicated_by.iter().filter_map(move |rule| {
                            let band = r.scored.scales.get(&rule.scale)?.band.as_deref()?;
                            rule.matches(&r.instrument, &rule.scale, band)
                                .then_some((r.instrument.as_str(), rule.scale.as_str(), band))
                        })
                    })
                    .collect();
                match s.indicated.iter().find(|i| i.track == t.id) {
                    None => prop_assert!(expected.is_empty(), "{:?} missed", t.id),
                    Some(i) => {
                        let reasons: Vec<_> = i
                            .reasons
                            .iter()
                            .map(|r| (r.instrument.as_str(), r.scale.as_str(), r.band.as_str()))
                            .collect();
                        prop_assert_eq!(reasons, expected);
                        prop_assert_eq!(i.offered, offered.contains(&t.id));
                        prop_assert_eq!(i.age_fits, t.ages.contains(age));
                    }
                }
            }
        }

        #[test]
        fn age_check_agrees_with_the_track_range(age in 0u32..40) {
            let f = Fixture::new();
            let s = f.run(age, &[], &[], &[], &[]);
            prop_assert_eq!(s.checklists.len(), f.tracks.len());
            for (c, t) in s.checklists.iter().zip(&f.tracks) {
                prop_assert_eq!(c.track, t.id);
                prop_assert_eq!(c.age.ok, t.ages.contains(age));
                prop_assert_eq!((c.age.min, c.age.max, c.age.age), (t.ages.min, t.ages.max, age));
            }
        }

        #[test]
        fn signs_are_raised_exactly_by_referring_ticks_and_alerts(
            ticked in criterion_ticks(),
            alert in any::<bool>(),
        ) {
            let f = Fixture::new();
            let alerts: Vec<RaisedAlert> = if alert {
                vec![RaisedAlert {
                    code: "self_harm_thoughts".into(),
                    message_en: "x".into(),
                    message_da: "x".into(),
                }]
            } else {
                Vec::new()
            };
            let s = f.run(14, &[], &alerts, &ticked, &[]);
            let referring = ticked.iter().filter(|c| refers(&f.tracks, c)).count();
            prop_assert_eq!(s.sign_causes.len(), referring + usize::from(alert));
            prop_assert_eq!(s.signs.is_empty(), referring == 0 && !alert);
            for c in &s.sign_causes {
                prop_assert!(s.signs.iter().any(|x| x.id == c.sign));
            }
            for x in &s.signs {
                prop_assert!(s.sign_causes.iter().any(|c| c.sign == x.id));
            }
            // The shipped data covers every shipped trigger, so no fallback sign appears.
            prop_assert!(s.signs.iter().all(|x| f.signs.iter().any(|r| r.sign == *x)));
        }
    }
}
