//! Encounters ("kontakter") of a course: the six KL types, and for Behandling how it was delivered.

use super::kl::{self, KlCode};
use crate::i18n::Lang;
use crate::validation::{FieldError, FieldErrors};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// The six KL LTT encounter types; serde names are the API's `type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncounterType {
    Henvendelse,
    Forsamtale,
    Screening,
    Behandling,
    AfsluttendeSamtale,
    Afslutning,
}

impl EncounterType {
    pub const ALL: [EncounterType; 6] = [
        EncounterType::Henvendelse,
        EncounterType::Forsamtale,
        EncounterType::Screening,
        EncounterType::Behandling,
        EncounterType::AfsluttendeSamtale,
        EncounterType::Afslutning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EncounterType::Henvendelse => "henvendelse",
            EncounterType::Forsamtale => "forsamtale",
            EncounterType::Screening => "screening",
            EncounterType::Behandling => "behandling",
            EncounterType::AfsluttendeSamtale => "afsluttende_samtale",
            EncounterType::Afslutning => "afslutning",
        }
    }

    pub fn parse(s: &str) -> Option<EncounterType> {
        EncounterType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn kl_code(self) -> KlCode {
        match self {
            EncounterType::Henvendelse => kl::ENC_HENVENDELSE,
            EncounterType::Forsamtale => kl::ENC_FORSAMTALE,
            EncounterType::Screening => kl::ENC_SCREENING,
            EncounterType::Behandling => kl::ENC_BEHANDLING,
            EncounterType::AfsluttendeSamtale => kl::ENC_AFSLUTTENDE_SAMTALE,
            EncounterType::Afslutning => kl::ENC_AFSLUTNING,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Da => self.kl_code().display,
            Lang::En => match self {
                EncounterType::Henvendelse => "Contact",
                EncounterType::Forsamtale => "First conversation",
                EncounterType::Screening => "Screening",
                EncounterType::Behandling => "Treatment",
                EncounterType::AfsluttendeSamtale => "Closing conversation",
                EncounterType::Afslutning => "Closing",
            },
        }
    }

    /// Types that only make sense once the family has made contact.
    fn needs_henvendelse_first(self) -> bool {
        matches!(
            self,
            EncounterType::Forsamtale | EncounterType::Screening | EncounterType::Behandling
        )
    }
}

/// KL "Leveringstype" of a Behandling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    Individual,
    Group,
}

impl Delivery {
    /// The form and JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Individual => "individual",
            Delivery::Group => "group",
        }
    }

    pub fn kl_code(self) -> KlCode {
        match self {
            Delivery::Individual => kl::DELIVERY_INDIVIDUAL,
            Delivery::Group => kl::DELIVERY_GROUP,
        }
    }
}

/// KL "Deltagere i kontakt" of a Behandling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Participants {
    ChildPresent,
    CaregiversOnly,
}

impl Participants {
    /// The form and JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            Participants::ChildPresent => "child_present",
            Participants::CaregiversOnly => "caregivers_only",
        }
    }

    pub fn kl_code(self) -> KlCode {
        match self {
            Participants::ChildPresent => kl::PARTICIPANT_CHILD,
            Participants::CaregiversOnly => kl::PARTICIPANT_CAREGIVER_ONLY,
        }
    }
}

/// How a Behandling was organised. KL requires both parts for every Behandling, so they travel
/// together and a Behandling without them cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Treatment {
    pub delivery: Delivery,
    pub participants: Participants,
}

impl Treatment {
    /// The combined "Organisering af behandlingskontakt" code staff pick in KL's UI model.
    pub fn organisation_code(self) -> KlCode {
        match (self.delivery, self.participants) {
            (Delivery::Group, Participants::ChildPresent) => kl::ORG_GROUP_WITH_CHILD,
            (Delivery::Group, Participants::CaregiversOnly) => kl::ORG_GROUP_WITHOUT_CHILD,
            (Delivery::Individual, Participants::ChildPresent) => kl::ORG_INDIVIDUAL_WITH_CHILD,
            (Delivery::Individual, Participants::CaregiversOnly) => {
                kl::ORG_INDIVIDUAL_WITHOUT_CHILD
            }
        }
    }
}

/// An encounter as submitted (`POST /api/v1/courses/{id}/encounters`).
///
/// Times are Danish local wall-clock times: the waiting goals count Danish calendar days.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EncounterInput {
    #[serde(rename = "type")]
    pub kind: EncounterType,
    pub at: NaiveDateTime,
    #[serde(default)]
    pub delivery: Option<Delivery>,
    #[serde(default)]
    pub participants: Option<Participants>,
}

/// A valid encounter, upholding the KL invariant Behandling ⇔ treatment details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Encounter {
    #[serde(rename = "type")]
    pub kind: EncounterType,
    pub at: NaiveDateTime,
    pub treatment: Option<Treatment>,
}

/// What validation needs to know about the course the encounter is added to.
#[derive(Debug, Clone, Copy)]
pub struct CourseContext<'a> {
    pub birth_date: NaiveDate,
    /// Encounters already on the course (not entered-in-error).
    pub existing: &'a [Encounter],
    /// Local time now; encounters are records of what was held, so none lie in the future.
    pub now: NaiveDateTime,
}

fn at_error(en: &str, da: &str) -> FieldError {
    FieldError::new("at", en, da)
}

/// Checks a new encounter against the course; all problems are reported at once.
pub fn validate_encounter(
    input: &EncounterInput,
    ctx: &CourseContext<'_>,
) -> Result<Encounter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = input.kind;
    let day = input.at.date();

    if input.at > ctx.now {
        errors.push(at_error(
            "The time cannot be in the future; register encounters once they have taken place.",
            "Tidspunktet må ikke ligge i fremtiden; registrér kontakter, når de har fundet sted.",
        ));
    }
    if day < ctx.birth_date {
        errors.push(at_error(
            "The date is before the child's birth date.",
            "Datoen ligger før barnets fødselsdato.",
        ));
    }

    let of_type = |t: EncounterType| ctx.existing.iter().filter(move |e| e.kind == t);
    // Compared by date: a Henvendelse is often known only by its day, and the goals count days.
    let henvendelse = of_type(EncounterType::Henvendelse)
        .map(|e| e.at.date())
        .min();
    if kind.needs_henvendelse_first() {
        match henvendelse {
            None => errors.push(FieldError::new(
                "type",
                "Register the contact (Henvendelse) before this encounter.",
                "Registrér henvendelsen, før denne kontakt.",
            )),
            Some(h) if day < h => errors.push(at_error(
                "The date is before the contact (Henvendelse) that started the course.",
                "Datoen ligger før henvendelsen, der startede forløbet.",
            )),
            Some(_) => {}
        }
    }
    if kind == EncounterType::Henvendelse {
        if henvendelse.is_some() {
            errors.push(FieldError::new(
                "type",
                "The course already has its contact (Henvendelse); a new contact starts a new course.",
                "Forløbet har allerede en henvendelse; en ny henvendelse starter et nyt forløb.",
            ));
        } else if ctx
            .existing
            .iter()
            .any(|e| e.kind.needs_henvendelse_first() && e.at.date() < day)
        {
            errors.push(at_error(
                "The contact (Henvendelse) must come before the course's other encounters.",
                "Henvendelsen skal ligge før forløbets øvrige kontakter.",
            ));
        }
    }

    if let Some(closing) = of_type(EncounterType::Afslutning).map(|e| e.at).min() {
        if kind == EncounterType::Afslutning {
            errors.push(FieldError::new(
                "type",
                "The course has already been closed.",
                "Forløbet er allerede afsluttet.",
            ));
        } else if input.at > closing {
            errors.push(at_error(
                "Nothing can be registered after the course's closing (Afslutning).",
                "Der kan ikke registreres noget efter forløbets afslutning.",
            ));
        }
    } else if kind == EncounterType::Afslutning && ctx.existing.iter().any(|e| e.at > input.at) {
        errors.push(at_error(
            "The closing (Afslutning) must come after all other encounters of the course.",
            "Afslutningen skal ligge efter alle forløbets øvrige kontakter.",
        ));
    }

    let treatment = if kind == EncounterType::Behandling {
        if input.delivery.is_none() {
            errors.push(FieldError::new(
                "delivery",
                "Choose whether the treatment was individual or in a group.",
                "Vælg, om behandlingen var individuel eller i gruppe.",
            ));
        }
        if input.participants.is_none() {
            errors.push(FieldError::new(
                "participants",
                "Choose whether the child took part or only caregivers.",
                "Vælg, om barnet deltog, eller kun omsorgspersoner.",
            ));
        }
        input
            .delivery
            .zip(input.participants)
            .map(|(delivery, participants)| Treatment {
                delivery,
                participants,
            })
    } else {
        for (field, given) in [
            ("delivery", input.delivery.is_some()),
            ("participants", input.participants.is_some()),
        ] {
            if given {
                errors.push(FieldError::new(
                    field,
                    "Only a treatment session (Behandling) has this.",
                    "Kun en behandlingskontakt har dette felt.",
                ));
            }
        }
        None
    };

    errors.into_result(Encounter {
        kind,
        at: input.at,
        treatment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn enc(kind: EncounterType, at: &str) -> Encounter {
        let treatment = (kind == EncounterType::Behandling).then_some(Treatment {
            delivery: Delivery::Individual,
            participants: Participants::ChildPresent,
        });
        Encounter {
            kind,
            at: t(at),
            treatment,
        }
    }

    fn input(kind: EncounterType, at: &str) -> EncounterInput {
        EncounterInput {
            kind,
            at: t(at),
            delivery: None,
            participants: None,
        }
    }

    fn ctx(existing: &[Encounter]) -> CourseContext<'_> {
        CourseContext {
            birth_date: "2015-06-01".parse().unwrap(),
            existing,
            now: t("2027-03-01 12:00"),
        }
    }

    fn fields(r: Result<Encounter, FieldErrors>) -> Vec<String> {
        r.unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn serde_names_match_the_api() {
        let i: EncounterInput = serde_json::from_value(serde_json::json!({
            "type": "behandling", "at": "2027-01-10T10:00:00",
            "delivery": "group", "participants": "caregivers_only"
        }))
        .unwrap();
        assert_eq!(i.kind, EncounterType::Behandling);
        assert_eq!(i.delivery, Some(Delivery::Group));
        assert_eq!(i.participants, Some(Participants::CaregiversOnly));
        for t in EncounterType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(EncounterType::parse(t.as_str()), Some(t));
        }
        assert!(
            serde_json::from_value::<EncounterInput>(
                serde_json::json!({"type": "visit", "at": "2027-01-10T10:00:00"})
            )
            .is_err()
        );
    }

    #[test]
    fn forsamtale_after_henvendelse_is_accepted() {
        let existing = [enc(EncounterType::Henvendelse, "2027-01-05 09:00")];
        // Same day, earlier clock time: still fine, the order is by day.
        let e = validate_encounter(
            &input(EncounterType::Forsamtale, "2027-01-05 08:00"),
            &ctx(&existing),
        )
        .unwrap();
        assert_eq!(e.kind, EncounterType::Forsamtale);
        assert_eq!(e.treatment, None);
    }

    #[test]
    fn future_and_before_birth_are_refused() {
        let existing = [enc(EncounterType::Henvendelse, "2014-01-05 09:00")];
        assert_eq!(
            fields(validate_encounter(
                &input(EncounterType::Forsamtale, "2027-03-02 09:00"),
                &ctx(&existing)
            )),
            ["at"]
        );
        assert_eq!(
            fields(validate_encounter(
                &input(EncounterType::Forsamtale, "2015-05-31 09:00"),
                &ctx(&existing)
            )),
            ["at"]
        );
    }

    #[test]
    fn forsamtale_before_henvendelse_or_without_one_is_refused() {
        let existing = [enc(EncounterType::Henvendelse, "2027-01-05 09:00")];
        let err = validate_encounter(
            &input(EncounterType::Forsamtale, "2027-01-04 09:00"),
            &ctx(&existing),
        )
        .unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert!(err.get("at").unwrap().message_en.contains("Henvendelse"));
        assert!(err.get("at").unwrap().message_da.contains("henvendelsen"));
        assert_eq!(
            fields(validate_encounter(
                &input(EncounterType::Screening, "2027-01-04 09:00"),
                &ctx(&[])
            )),
            ["type"]
        );
    }

    #[test]
    fn behandling_needs_delivery_and_participants_others_must_not_have_them() {
        let existing = [enc(EncounterType::Henvendelse, "2027-01-05 09:00")];
        let mut i = input(EncounterType::Behandling, "2027-02-05 09:00");
        assert_eq!(
            fields(validate_encounter(&i, &ctx(&existing))),
            ["delivery", "participants"]
        );
        i.delivery = Some(Delivery::Group);
        assert_eq!(
            fields(validate_encounter(&i, &ctx(&existing))),
            ["participants"]
        );
        i.participants = Some(Participants::CaregiversOnly);
        let e = validate_encounter(&i, &ctx(&existing)).unwrap();
        let tr = e.treatment.unwrap();
        assert_eq!(tr.organisation_code(), kl::ORG_GROUP_WITHOUT_CHILD);
        assert_eq!(tr.delivery.kl_code(), kl::DELIVERY_GROUP);
        assert_eq!(tr.participants.kl_code(), kl::PARTICIPANT_CAREGIVER_ONLY);

        let mut s = input(EncounterType::Screening, "2027-02-05 09:00");
        s.delivery = Some(Delivery::Individual);
        s.participants = Some(Participants::ChildPresent);
        assert_eq!(
            fields(validate_encounter(&s, &ctx(&existing))),
            ["delivery", "participants"]
        );
    }

    #[test]
    fn nothing_after_afslutning_and_only_one_closing() {
        let existing = [
            enc(EncounterType::Henvendelse, "2027-01-05 09:00"),
            enc(EncounterType::Behandling, "2027-02-01 09:00"),
            enc(EncounterType::Afslutning, "2027-02-10 09:00"),
        ];
        let mut b = input(EncounterType::Behandling, "2027-02-11 09:00");
        b.delivery = Some(Delivery::Individual);
        b.participants = Some(Participants::ChildPresent);
        assert_eq!(fields(validate_encounter(&b, &ctx(&existing))), ["at"]);
        // Late registration of something held before the closing is still allowed.
        b.at = t("2027-02-09 09:00");
        assert!(validate_encounter(&b, &ctx(&existing)).is_ok());
        assert_eq!(
            fields(validate_encounter(
                &input(EncounterType::Afslutning, "2027-02-12 09:00"),
                &ctx(&existing)
            )),
            ["type"]
        );
        // A closing dated before an encounter already on the course is refused too.
        assert_eq!(
            fields(validate_encounter(
                &input(EncounterType::Afslutning, "2027-01-20 09:00"),
                &ctx(&existing[..2])
            )),
            ["at"]
        );
    }

    #[test]
    fn second_henvendelse_is_refused() {
        let existing = [enc(EncounterType::Henvendelse, "2027-01-05 09:00")];
        assert_eq!(
            fields(validate_encounter(
                &input(EncounterType::Henvendelse, "2027-01-06 09:00"),
                &ctx(&existing)
            )),
            ["type"]
        );
        assert!(
            validate_encounter(
                &input(EncounterType::Henvendelse, "2027-01-06 09:00"),
                &ctx(&[])
            )
            .is_ok()
        );
    }
}
