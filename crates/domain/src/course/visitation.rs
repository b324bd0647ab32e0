//! Visitation decisions. The rule that shapes this module: never a no without a way. Every
//! decision that does not start a track names where the family is guided (a KL referral
//! destination) and what they were told.

use super::kl::ReferralDestination;
use super::support::PsychiatrySign;
use super::tracks::{self, Track};
use crate::i18n::Lang;
use crate::organisation::Programme;
use crate::validation::{FieldError, FieldErrors, optional_text, required_text};
use serde::{Deserialize, Serialize};

/// Longest note on what the family was told; long enough for a real explanation.
pub const NOTE_MAX: usize = 2000;

/// What the visitation decided; serde names are the API's `outcome` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Track,
    OtherOfferHome,
    OtherMunicipality,
    Gp,
    Psychiatry,
    CivilSociety,
    Close,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Track,
        Outcome::OtherOfferHome,
        Outcome::OtherMunicipality,
        Outcome::Gp,
        Outcome::Psychiatry,
        Outcome::CivilSociety,
        Outcome::Close,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Track => "track",
            Outcome::OtherOfferHome => "other_offer_home",
            Outcome::OtherMunicipality => "other_municipality",
            Outcome::Gp => "gp",
            Outcome::Psychiatry => "psychiatry",
            Outcome::CivilSociety => "civil_society",
            Outcome::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The referral destination an outcome itself names. A decision "gp" guided to civil society
    /// would report a different referral than was decided, so such pairs are refused.
    /// `None`: a track needs no way, and a closing may guide anywhere.
    pub fn destination(self) -> Option<ReferralDestination> {
        match self {
            Outcome::Track | Outcome::Close => None,
            Outcome::OtherOfferHome => Some(ReferralDestination::OtherOfferHome),
            Outcome::OtherMunicipality => Some(ReferralDestination::OtherMunicipality),
            Outcome::Gp => Some(ReferralDestination::Gp),
            Outcome::Psychiatry => Some(ReferralDestination::Psychiatry),
            Outcome::CivilSociety => Some(ReferralDestination::CivilSociety),
        }
    }
}

/// A decision as submitted (`POST /api/v1/courses/{id}/decisions`). Codes arrive as text so an
/// unknown value is answered with a field error rather than a bare parse failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DecisionInput {
    pub outcome: Option<String>,
    pub track: Option<String>,
    pub way: Option<WayInput>,
    /// Why the child is not referred to psychiatry although signs point there.
    #[serde(default)]
    pub reason_despite_signs: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WayInput {
    pub destination: Option<String>,
    pub note: Option<String>,
}

/// Where the family was guided, and what they were told; recorded as a KL Referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Way {
    pub destination: ReferralDestination,
    pub note: String,
}

/// A valid decision. Fields are private so the invariants (a track iff outcome is track, a way
/// for every other outcome, a reason whenever signs were set aside) cannot be bypassed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    outcome: Outcome,
    track: Option<Programme>,
    way: Option<Way>,
    reason_despite_signs: Option<String>,
}

impl Decision {
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }
    pub fn track(&self) -> Option<Programme> {
        self.track
    }
    /// The guidance to record as a KL Referral; always present unless a track was started,
    /// and optional alongside a track.
    pub fn way(&self) -> Option<&Way> {
        self.way.as_ref()
    }
    /// Present exactly when psychiatry signs were raised and the outcome is not psychiatry.
    pub fn reason_despite_signs(&self) -> Option<&str> {
        self.reason_despite_signs.as_deref()
    }
}

/// What the municipality offers and who the child is, for checking a track decision.
#[derive(Debug, Clone, Copy)]
pub struct TrackOffer<'a> {
    /// The tracks this municipality takes part in (participation data).
    pub offered: &'a [Programme],
    /// The child's age in completed years on the decision date.
    pub age: u32,
    pub tracks: &'a [Track],
    /// Psychiatry signs raised for this child (`support::decision_support`).
    pub signs: &'a [PsychiatrySign],
}

/// Whether `track` may be chosen for this child in this municipality.
pub fn check_track(track: Programme, offer: &TrackOffer<'_>) -> Result<(), FieldError> {
    let name_en = track.label(Lang::En);
    let name_da = track.label(Lang::Da);
    if !offer.offered.contains(&track) {
        return Err(FieldError::new(
            "track",
            format!("The municipality does not offer the track \"{name_en}\"."),
            format!("Kommunen tilbyder ikke sporet \"{name_da}\"."),
        ));
    }
    let Some(rules) = tracks::find(offer.tracks, track) else {
        return Err(FieldError::new(
            "track",
            format!("No rules are configured for the track \"{name_en}\"."),
            format!("Der er ikke opsat regler for sporet \"{name_da}\"."),
        ));
    };
    let (min, max, age) = (rules.ages.min, rules.ages.max, offer.age);
    if !rules.ages.contains(age) {
        return Err(FieldError::new(
            "track",
            format!("The track \"{name_en}\" is for ages {min}-{max}; the child is {age}."),
            format!("Sporet \"{name_da}\" er for {min}-{max}-årige; barnet er {age} år."),
        ));
    }
    Ok(())
}

pub(crate) fn parse_way(
    errors: &mut FieldErrors,
    way: &WayInput,
    outcome: Option<Outcome>,
) -> Option<Way> {
    let raw = way.destination.as_deref().map(str::trim).unwrap_or("");
    let destination = if raw.is_empty() {
        errors.push(FieldError::new(
            "way.destination",
            "Choose where the family is guided.",
            "Vælg, hvor familien vejledes hen.",
        ));
        None
    } else if let Some(d) = ReferralDestination::parse(raw) {
        match outcome.and_then(Outcome::destination) {
            Some(expected) if expected != d => {
                errors.push(FieldError::new(
                    "way.destination",
                    format!(
                        "This decision guides the family to \"{}\".",
                        expected.label(Lang::En)
                    ),
                    format!(
                        "Denne afgørelse vejleder familien til \"{}\".",
                        expected.label(Lang::Da)
                    ),
                ));
                None
            }
            _ => Some(d),
        }
    } else {
        errors.push(FieldError::new(
            "way.destination",
            "Unknown destination.",
            "Ukendt henvisningsmål.",
        ));
        None
    };
    let note = required_text(errors, "way.note", way.note.as_deref(), NOTE_MAX);
    destination
        .filter(|_| !note.is_empty() && note.chars().count() <= NOTE_MAX)
        .map(|destination| Way { destination, note })
}

/// The written reason for not choosing psychiatry while signs point there; choosing otherwise is
/// allowed (an acute assessment may have found the risk low), but never silently.
fn reason_despite_signs(
    errors: &mut FieldErrors,
    input: &DecisionInput,
    signs: &[PsychiatrySign],
) -> Option<String> {
    const FIELD: &str = "reason_despite_signs";
    let reason = optional_text(
        errors,
        FIELD,
        input.reason_despite_signs.as_deref(),
        NOTE_MAX,
    );
    if reason.is_none() {
        let list = |text: fn(&PsychiatrySign) -> &str| {
            signs.iter().map(text).collect::<Vec<_>>().join(" ")
        };
        errors.push(FieldError::new(
            FIELD,
            format!(
                "The signs noted call for child psychiatry or an acute assessment: {} Choose a referral to child psychiatry, or write why not.",
                list(|s| &s.en)
            ),
            format!(
                "De registrerede tegn peger på børne- og ungdomspsykiatrien eller en akut vurdering: {} Vælg henvisning til børne- og ungdomspsykiatrien, eller skriv, hvorfor ikke.",
                list(|s| &s.da)
            ),
        ));
    }
    reason.filter(|r| r.chars().count() <= NOTE_MAX)
}

/// Checks a decision; all problems are reported at once.
pub fn validate_decision(
    input: &DecisionInput,
    offer: &TrackOffer<'_>,
) -> Result<Decision, FieldErrors> {
    let mut errors = FieldErrors::default();
    let outcome = match input.outcome.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required("outcome"));
            None
        }
        Some(s) => {
            let o = Outcome::parse(s);
            if o.is_none() {
                errors.push(FieldError::new(
                    "outcome",
                    "Unknown decision.",
                    "Ukendt afgørelse.",
                ));
            }
            o
        }
    };

    let track_text = input
        .track
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut track = None;
    match (outcome, track_text) {
        (Some(Outcome::Track), None) => errors.push(FieldError::new(
            "track",
            "Choose the track the child starts.",
            "Vælg det spor, barnet starter i.",
        )),
        (Some(Outcome::Track), Some(t)) => match Programme::parse(t) {
            Some(p) if p != Programme::Kit => match check_track(p, offer) {
                Ok(()) => track = Some(p),
                Err(e) => errors.push(e),
            },
            _ => errors.push(FieldError::new("track", "Unknown track.", "Ukendt spor.")),
        },
        (Some(_), Some(_)) => errors.push(FieldError::new(
            "track",
            "Only a track decision names a track.",
            "Kun en afgørelse om et spor angiver et spor.",
        )),
        _ => {}
    }

    // A way left entirely blank on a track decision is no way at all, not a half-filled one.
    let way_input = input.way.as_ref().filter(|w| {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        !(blank(&w.destination) && blank(&w.note))
    });
    let way = match (outcome, way_input) {
        (_, Some(w)) => parse_way(&mut errors, w, outcome),
        (Some(Outcome::Track) | None, None) => None,
        (Some(_), None) => {
            errors.push(FieldError::new(
                "way",
                "Say where the family is guided and what they were told: no decision without a way forward.",
                "Angiv, hvor familien vejledes hen, og hvad de har fået at vide: ingen afgørelse uden en vej videre.",
            ));
            None
        }
    };

    let reason_despite_signs = match outcome {
        Some(o) if o != Outcome::Psychiatry && !offer.signs.is_empty() => {
            reason_despite_signs(&mut errors, input, offer.signs)
        }
        // Not asked for: a reason left in the form after the outcome changed to psychiatry, or
        // written before the signs were cleared, is not part of the decision.
        _ => None,
    };

    match outcome {
        Some(outcome) if errors.is_empty() => Ok(Decision {
            outcome,
            track,
            way,
            reason_despite_signs,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(outcome: &str, track: Option<&str>, way: Option<(&str, &str)>) -> DecisionInput {
        DecisionInput {
            outcome: Some(outcome.into()),
            track: track.map(Into::into),
            way: way.map(|(d, n)| WayInput {
                destination: Some(d.into()),
                note: Some(n.into()),
            }),
            reason_despite_signs: None,
        }
    }

    fn run(i: &DecisionInput, offered: &[Programme], age: u32) -> Result<Decision, FieldErrors> {
        let tracks = tracks::shipped().unwrap();
        validate_decision(
            i,
            &TrackOffer {
                offered,
                age,
                tracks: &tracks,
                signs: &[],
            },
        )
    }

    fn fields(r: Result<Decision, FieldErrors>) -> Vec<String> {
        r.unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    const OFFERED: &[Programme] = &[Programme::WorrySadness, Programme::SelfHarm];

    #[test]
    fn gp_without_way_is_refused_naming_way() {
        let err = run(&input("gp", None, None), OFFERED, 10).unwrap_err();
        assert_eq!(err.0.len(), 1);
        let e = err.get("way").unwrap();
        assert!(e.message_en.contains("no decision without a way"));
        assert!(e.message_da.contains("ingen afgørelse uden en vej"));
    }

    #[test]
    fn every_non_track_outcome_needs_a_way() {
        for o in Outcome::ALL.into_iter().filter(|o| *o != Outcome::Track) {
            assert_eq!(
                fields(run(&input(o.as_str(), None, None), OFFERED, 10)),
                ["way"]
            );
            let dest = o.destination().unwrap_or(ReferralDestination::Other);
            let d = run(
                &input(
                    o.as_str(),
                    None,
                    Some((dest.as_str(), "Told them to call Headspace.")),
                ),
                OFFERED,
                10,
            )
            .unwrap();
            assert_eq!(d.outcome(), o);
            assert_eq!(d.track(), None);
            assert_eq!(d.way().unwrap().destination, dest);
        }
    }

    #[test]
    fn way_parts_are_checked() {
        let blank_note = run(&input("gp", None, Some(("gp", "  "))), OFFERED, 10);
        assert_eq!(fields(blank_note), ["way.note"]);
        assert_eq!(
            fields(run(
                &input("close", None, Some(("hospital", "x"))),
                OFFERED,
                10
            )),
            ["way.destination"]
        );
        // The outcome names the destination; a contradicting one is refused.
        assert_eq!(
            fields(run(
                &input("gp", None, Some(("civil_society", "x"))),
                OFFERED,
                10
            )),
            ["way.destination"]
        );
        let no_dest = DecisionInput {
            outcome: Some("civil_society".into()),
            track: None,
            way: Some(WayInput {
                destination: None,
                note: Some("x".into()),
            }),
            reason_despite_signs: None,
        };
        assert_eq!(fields(run(&no_dest, OFFERED, 10)), ["way.destination"]);
        let long = "x".repeat(NOTE_MAX + 1);
        assert_eq!(
            fields(run(
                &input("close", None, Some(("other", &long))),
                OFFERED,
                10
            )),
            ["way.note"]
        );
    }

    #[test]
    fn track_required_iff_outcome_is_track() {
        assert_eq!(
            fields(run(&input("track", None, None), OFFERED, 10)),
            ["track"]
        );
        assert_eq!(
            fields(run(
                &input("gp", Some("worry_sadness"), Some(("gp", "x"))),
                OFFERED,
                10
            )),
            ["track"]
        );
        let d = run(&input("track", Some("worry_sadness"), None), OFFERED, 10).unwrap();
        assert_eq!(d.track(), Some(Programme::WorrySadness));
        assert_eq!(d.way(), None);
        // Guidance may accompany a track, and is then checked like any other.
        let d = run(
            &input(
                "track",
                Some("worry_sadness"),
                Some(("civil_society", "Ventilen")),
            ),
            OFFERED,
            10,
        )
        .unwrap();
        assert_eq!(
            d.way().unwrap().destination,
            ReferralDestination::CivilSociety
        );
        assert_eq!(
            fields(run(&input("track", Some("kit"), None), OFFERED, 10)),
            ["track"]
        );
    }

    #[test]
    fn track_not_offered_or_outside_age_is_refused() {
        let e = run(&input("track", Some("body_food"), None), OFFERED, 13).unwrap_err();
        assert!(
            e.get("track")
                .unwrap()
                .message_en
                .contains("does not offer")
        );
        // Self-harm track is for 12-17.
        let e = run(&input("track", Some("self_harm"), None), OFFERED, 11).unwrap_err();
        assert_eq!(
            e.get("track").unwrap().message_en,
            "The track \"Difficult feelings leading to self-harm\" is for ages 12-17; the child is 11."
        );
        assert!(run(&input("track", Some("self_harm"), None), OFFERED, 12).is_ok());
        assert!(run(&input("track", Some("self_harm"), None), OFFERED, 17).is_ok());
    }

    #[test]
    fn missing_or_unknown_outcome() {
        assert_eq!(
            fields(run(&DecisionInput::default(), OFFERED, 10)),
            ["outcome"]
        );
        assert_eq!(
            fields(run(&input("maybe", None, None), OFFERED, 10)),
            ["outcome"]
        );
        let i: DecisionInput = serde_json::from_value(serde_json::json!({
            "outcome": "psychiatry", "way": {"destination": "psychiatry", "note": "Sent referral"}
        }))
        .unwrap();
        assert_eq!(run(&i, OFFERED, 10).unwrap().outcome(), Outcome::Psychiatry);
    }

    fn sign() -> PsychiatrySign {
        PsychiatrySign {
            id: "suicide_risk".into(),
            da: "Øget selvmordsrisiko.".into(),
            en: "Increased suicide risk.".into(),
            verified: false,
        }
    }

    fn run_with_signs(
        i: &DecisionInput,
        signs: &[PsychiatrySign],
    ) -> Result<Decision, FieldErrors> {
        let tracks = tracks::shipped().unwrap();
        validate_decision(
            i,
            &TrackOffer {
                offered: OFFERED,
                age: 14,
                tracks: &tracks,
                signs,
            },
        )
    }

    fn with_reason(mut i: DecisionInput, reason: &str) -> DecisionInput {
        i.reason_despite_signs = Some(reason.into());
        i
    }

    /// A decision that is valid on every other count, for each outcome.
    fn valid(o: Outcome) -> DecisionInput {
        match o {
            Outcome::Track => input("track", Some("self_harm"), None),
            _ => {
                let dest = o.destination().unwrap_or(ReferralDestination::Other);
                input(o.as_str(), None, Some((dest.as_str(), "Told the family.")))
            }
        }
    }

    #[test]
    fn signs_need_psychiatry_or_a_written_reason() {
        let signs = [sign()];
        let err = run_with_signs(&valid(Outcome::Track), &signs).unwrap_err();
        assert_eq!(err.0.len(), 1);
        let e = err.get("reason_despite_signs").unwrap();
        assert_eq!(
            e.message_en,
            "The signs noted call for child psychiatry or an acute assessment: Increased suicide \
             risk. Choose a referral to child psychiatry, or write why not."
        );
        assert!(
            e.message_da
                .contains("børne- og ungdomspsykiatrien eller en akut vurdering")
        );
        assert!(e.message_da.contains("Øget selvmordsrisiko."));
        assert!(e.message_da.contains("skriv, hvorfor ikke"));

        let d = run_with_signs(
            &with_reason(
                valid(Outcome::Track),
                "  Acute assessment by BUC on 3 March: low risk. ",
            ),
            &signs,
        )
        .unwrap();
        assert_eq!(
            d.reason_despite_signs(),
            Some("Acute assessment by BUC on 3 March: low risk.")
        );
        assert_eq!(d.track(), Some(Programme::SelfHarm));

        let long = "x".repeat(NOTE_MAX + 1);
        let e = run_with_signs(&with_reason(valid(Outcome::Gp), &long), &signs).unwrap_err();
        assert_eq!(
            e.get("reason_despite_signs").unwrap().message_en,
            "At most 2000 characters."
        );
        let exact = "x".repeat(NOTE_MAX);
        assert!(run_with_signs(&with_reason(valid(Outcome::Gp), &exact), &signs).is_ok());
    }

    #[test]
    fn psychiatry_never_needs_the_reason_and_no_signs_never_keep_one() {
        let signs = [sign()];
        let d = run_with_signs(&valid(Outcome::Psychiatry), &signs).unwrap();
        assert_eq!(d.reason_despite_signs(), None);
        let d = run_with_signs(
            &with_reason(valid(Outcome::Psychiatry), "left over"),
            &signs,
        );
        assert_eq!(d.unwrap().reason_despite_signs(), None);
        let d = run_with_signs(&with_reason(valid(Outcome::Gp), "no signs"), &[]).unwrap();
        assert_eq!(d.reason_despite_signs(), None);
        // The reason is checked alongside the rest, not instead of it.
        let e = run_with_signs(&input("gp", None, None), &signs).unwrap_err();
        assert_eq!(fields(Err(e)), ["way", "reason_despite_signs"]);
    }

    #[test]
    fn reason_is_optional_in_the_json() {
        let i: DecisionInput = serde_json::from_value(serde_json::json!({
            "outcome": "gp", "way": {"destination": "gp", "note": "x"},
            "reason_despite_signs": "Assessed by the GP today."
        }))
        .unwrap();
        let d = run_with_signs(&i, &[sign()]).unwrap();
        assert_eq!(d.reason_despite_signs(), Some("Assessed by the GP today."));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["reason_despite_signs"], "Assessed by the GP today.");
    }

    fn reason_text() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            "[ \t\n]{0,4}".prop_map(Some),
            "[ ]{0,2}[a-zæøå .]{1,40}".prop_map(Some),
            (NOTE_MAX - 2..NOTE_MAX + 3).prop_map(|n| Some("å".repeat(n))),
        ]
    }

    proptest! {
        #[test]
        fn signs_without_psychiatry_need_exactly_a_usable_reason(
            o in prop::sample::select(Outcome::ALL.to_vec()),
            reason in reason_text(),
            raised in 0usize..3,
        ) {
            let signs = vec![sign(); raised];
            let mut i = valid(o);
            i.reason_despite_signs = reason.clone();
            let r = run_with_signs(&i, &signs);
            let trimmed = reason.as_deref().map(str::trim).unwrap_or("");
            let usable = !trimmed.is_empty() && trimmed.chars().count() <= NOTE_MAX;
            if o == Outcome::Psychiatry || signs.is_empty() {
                let d = r.unwrap();
                prop_assert_eq!(d.reason_despite_signs(), None);
            } else if usable {
                let d = r.unwrap();
                prop_assert_eq!(d.reason_despite_signs(), Some(trimmed));
            } else {
                let e = r.unwrap_err();
                prop_assert_eq!(e.0.len(), 1);
                prop_assert!(e.get("reason_despite_signs").is_some());
            }
        }
    }
}
