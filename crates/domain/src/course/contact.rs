//! The contact ("Henvendelse") that opens a course, with the referral content every source
//! gives, and the public self-referral form a family or young person fills in themselves.

use crate::child::{ChildInput, GuardianInput, parse_child_cpr};
use crate::cpr::Cpr;
use crate::i18n::Lang;
use crate::validation::{
    FieldError, FieldErrors, optional_text, parse_email, parse_phone, required_text,
};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

pub const TEXT_MAX: usize = 4000;
pub const SHORT_MAX: usize = 200;
/// The youngest age at which a young person may ask for help without their parents.
pub const SELF_REFERRAL_MIN_AGE: u32 = 13;

/// Who made the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The family or the young person themselves.
    #[serde(rename = "self")]
    SelfReferral,
    Gp,
    School,
    Hospital,
    SocialServices,
    /// Child psychiatry sending a referral back ("tilbagehenvisning").
    PsychiatryReturn,
    Other,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::SelfReferral,
        Source::Gp,
        Source::School,
        Source::Hospital,
        Source::SocialServices,
        Source::PsychiatryReturn,
        Source::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::SelfReferral => "self",
            Source::Gp => "gp",
            Source::School => "school",
            Source::Hospital => "hospital",
            Source::SocialServices => "social_services",
            Source::PsychiatryReturn => "psychiatry_return",
            Source::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Source::SelfReferral, Lang::Da) => "Familien eller den unge selv",
            (Source::SelfReferral, Lang::En) => "The family or young person",
            (Source::Gp, Lang::Da) => "Egen læge",
            (Source::Gp, Lang::En) => "GP",
            (Source::School, Lang::Da) => "Skole eller PPR",
            (Source::School, Lang::En) => "School or PPR",
            (Source::Hospital, Lang::Da) => "Hospital",
            (Source::Hospital, Lang::En) => "Hospital",
            (Source::SocialServices, Lang::Da) => "Socialforvaltningen",
            (Source::SocialServices, Lang::En) => "Social services",
            (Source::PsychiatryReturn, Lang::Da) => {
                "Børne- og ungdomspsykiatrien (tilbagehenvisning)"
            }
            (Source::PsychiatryReturn, Lang::En) => "Child psychiatry (returned referral)",
            (Source::Other, Lang::Da) => "Andre",
            (Source::Other, Lang::En) => "Other",
        }
    }

    /// A professional source names who refers, so questions can go back to them.
    pub fn is_professional(self) -> bool {
        !matches!(self, Source::SelfReferral)
    }
}

/// Whether the family has consented to the referral and to sharing what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Given,
    NotGiven,
    Unknown,
}

impl Consent {
    pub const ALL: [Consent; 3] = [Consent::Given, Consent::NotGiven, Consent::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Consent::Given => "given",
            Consent::NotGiven => "not_given",
            Consent::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Consent> {
        Consent::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Consent::Given, Lang::Da) => "Samtykke givet",
            (Consent::Given, Lang::En) => "Consent given",
            (Consent::NotGiven, Lang::Da) => "Samtykke ikke givet",
            (Consent::NotGiven, Lang::En) => "Consent not given",
            (Consent::Unknown, Lang::Da) => "Ukendt",
            (Consent::Unknown, Lang::En) => "Unknown",
        }
    }
}

/// Referral content as submitted; codes arrive as text so an unknown value gets a field error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactInput {
    pub source: Option<String>,
    pub reason: Option<String>,
    pub duration: Option<String>,
    pub tried: Option<String>,
    pub consent: Option<String>,
    pub referrer_name: Option<String>,
    pub referrer_contact: Option<String>,
    pub family_contact: Option<String>,
    pub psychiatry_reason: Option<String>,
    pub psychiatry_recommendation: Option<String>,
}

/// Checked referral content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub source: Source,
    pub reason: String,
    pub duration: Option<String>,
    pub tried: Option<String>,
    pub consent: Consent,
    pub referrer_name: Option<String>,
    pub referrer_contact: Option<String>,
    pub family_contact: Option<String>,
    pub psychiatry_reason: Option<String>,
    pub psychiatry_recommendation: Option<String>,
}

/// Checks a contact received at `received_at` for a child born on `birth_date`.
pub fn validate_contact(
    input: &ContactInput,
    received_at: Option<NaiveDateTime>,
    birth_date: NaiveDate,
    now: NaiveDateTime,
) -> Result<Contact, FieldErrors> {
    let mut errors = FieldErrors::default();
    let source = match input.source.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::required("source"));
            None
        }
        Some(s) => Source::parse(s).or_else(|| {
            errors.push(FieldError::new(
                "source",
                "Unknown source; use self, gp, school, hospital, social_services, psychiatry_return or other.",
                "Ukendt henvender; vælg en af mulighederne.",
            ));
            None
        }),
    };
    match received_at {
        None => errors.push(FieldError::required("received_at")),
        Some(at) if at > now => errors.push(FieldError::new(
            "received_at",
            "The contact cannot be received in the future.",
            "Henvendelsen kan ikke være modtaget i fremtiden.",
        )),
        Some(at) if at.date() < birth_date => errors.push(FieldError::new(
            "received_at",
            "The date is before the child's birth date.",
            "Datoen ligger før barnets fødselsdato.",
        )),
        Some(_) => {}
    }
    let reason = required_text(&mut errors, "reason", input.reason.as_deref(), TEXT_MAX);
    let duration = optional_text(
        &mut errors,
        "duration",
        input.duration.as_deref(),
        SHORT_MAX,
    );
    let tried = optional_text(&mut errors, "tried", input.tried.as_deref(), TEXT_MAX);
    let consent = match input.consent.as_deref().map(str::trim) {
        None | Some("") => Consent::Unknown,
        Some(s) => Consent::parse(s).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "consent",
                "Use given, not_given or unknown.",
                "Vælg givet, ikke givet eller ukendt.",
            ));
            Consent::Unknown
        }),
    };
    let referrer_name = optional_text(
        &mut errors,
        "referrer_name",
        input.referrer_name.as_deref(),
        SHORT_MAX,
    );
    let referrer_contact = optional_text(
        &mut errors,
        "referrer_contact",
        input.referrer_contact.as_deref(),
        SHORT_MAX,
    );
    let family_contact = optional_text(
        &mut errors,
        "family_contact",
        input.family_contact.as_deref(),
        SHORT_MAX,
    );
    if source.is_some_and(Source::is_professional)
        && source != Some(Source::Other)
        && referrer_name.is_none()
    {
        errors.push(FieldError::new(
            "referrer_name",
            "Name who refers, so questions can go back to them.",
            "Angiv, hvem der henviser, så spørgsmål kan gå tilbage til dem.",
        ));
    }
    let returned = source == Some(Source::PsychiatryReturn);
    let mut psychiatry = |field: &str, value: Option<&str>| {
        if returned {
            Some(required_text(&mut errors, field, value, TEXT_MAX))
        } else {
            optional_text(&mut errors, field, value, TEXT_MAX)
        }
    };
    let psychiatry_reason = psychiatry("psychiatry_reason", input.psychiatry_reason.as_deref());
    let psychiatry_recommendation = psychiatry(
        "psychiatry_recommendation",
        input.psychiatry_recommendation.as_deref(),
    );
    match (source, errors.is_empty()) {
        (Some(source), true) => Ok(Contact {
            source,
            reason,
            duration,
            tried,
            consent,
            referrer_name,
            referrer_contact,
            family_contact,
            psychiatry_reason,
            psychiatry_recommendation,
        }),
        _ => Err(errors),
    }
}

/// Who fills in the public form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Writer {
    Parent,
    YoungPerson,
}

/// The public self-referral form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SelfReferralInput {
    pub writer: Option<String>,
    pub child_given_name: Option<String>,
    pub child_family_name: Option<String>,
    pub child_cpr: Option<String>,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub worry: Option<String>,
    pub duration: Option<String>,
    pub tried: Option<String>,
}

/// A checked self-referral, kept until staff register it as a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfReferral {
    pub writer: Writer,
    pub child_given_name: String,
    pub child_family_name: String,
    pub child_cpr: Cpr,
    pub contact_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub worry: String,
    pub duration: Option<String>,
    pub tried: Option<String>,
}

impl SelfReferral {
    /// How to reach the family, as one line for the referral content.
    pub fn family_contact(&self) -> String {
        [
            Some(self.contact_name.as_str()),
            self.phone.as_deref(),
            self.email.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// The child record to register when none exists in the municipality yet.
    pub fn child_input(&self) -> ChildInput {
        let guardians = match self.writer {
            Writer::Parent => vec![GuardianInput {
                name: Some(self.contact_name.clone()),
                relation: Some("parent".into()),
                custody: Some(true),
                phone: self.phone.clone(),
                email: self.email.clone(),
            }],
            Writer::YoungPerson => Vec::new(),
        };
        ChildInput {
            cpr: Some(self.child_cpr.to_string()),
            given_name: Some(self.child_given_name.clone()),
            family_name: Some(self.child_family_name.clone()),
            address: None,
            school: None,
            guardians: Some(guardians),
        }
    }

    pub fn contact_input(&self) -> ContactInput {
        ContactInput {
            source: Some(Source::SelfReferral.as_str().into()),
            reason: Some(self.worry.clone()),
            duration: self.duration.clone(),
            tried: self.tried.clone(),
            // Writing to the municipality is the family's own request for help.
            consent: Some(Consent::Given.as_str().into()),
            referrer_name: None,
            referrer_contact: None,
            family_contact: Some(self.family_contact()),
            psychiatry_reason: None,
            psychiatry_recommendation: None,
        }
    }
}

/// Checks the public form; every problem is reported at once.
pub fn validate_self_referral(
    input: &SelfReferralInput,
    today: NaiveDate,
) -> Result<SelfReferral, FieldErrors> {
    let mut errors = FieldErrors::default();
    let writer = match input.writer.as_deref().map(str::trim) {
        Some("parent") => Some(Writer::Parent),
        Some("young_person") => Some(Writer::YoungPerson),
        _ => {
            errors.push(FieldError::new(
                "writer",
                "Tell us whether you are a parent or the young person.",
                "Fortæl, om du er forælder eller den unge selv.",
            ));
            None
        }
    };
    let given = required_text(
        &mut errors,
        "child_given_name",
        input.child_given_name.as_deref(),
        SHORT_MAX,
    );
    let family = required_text(
        &mut errors,
        "child_family_name",
        input.child_family_name.as_deref(),
        SHORT_MAX,
    );
    let cpr = parse_child_cpr(input.child_cpr.as_deref(), today)
        .map_err(|mut e| {
            e.field = "child_cpr".into();
            errors.push(e)
        })
        .ok();
    let contact_name = required_text(
        &mut errors,
        "contact_name",
        input.contact_name.as_deref(),
        SHORT_MAX,
    );
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    let phone = (!blank(&input.phone))
        .then(|| parse_phone("phone", input.phone.as_deref().unwrap_or("")))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let email = (!blank(&input.email))
        .then(|| parse_email("email", input.email.as_deref().unwrap_or("")))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if blank(&input.phone) && blank(&input.email) {
        errors.push(FieldError::new(
            "phone",
            "Give a phone number or an e-mail address so we can reach you.",
            "Skriv et telefonnummer eller en e-mailadresse, så vi kan kontakte dig.",
        ));
    }
    // Below 13 the parents write: a child that young cannot start a course on their own.
    if let (Some(Writer::YoungPerson), Some(cpr)) = (writer, &cpr)
        && cpr.age_on(today) < SELF_REFERRAL_MIN_AGE
    {
        errors.push(FieldError::new(
            "writer",
            format!(
                "Young people can write themselves from age {SELF_REFERRAL_MIN_AGE}; below that a parent writes."
            ),
            format!(
                "Unge kan selv skrive fra {SELF_REFERRAL_MIN_AGE} år; er barnet yngre, skriver en forælder."
            ),
        ));
    }
    let worry = required_text(&mut errors, "worry", input.worry.as_deref(), TEXT_MAX);
    let duration = optional_text(
        &mut errors,
        "duration",
        input.duration.as_deref(),
        SHORT_MAX,
    );
    let tried = optional_text(&mut errors, "tried", input.tried.as_deref(), TEXT_MAX);
    match (writer, cpr, errors.is_empty()) {
        (Some(writer), Some(child_cpr), true) => Ok(SelfReferral {
            writer,
            child_given_name: given,
            child_family_name: family,
            child_cpr,
            contact_name,
            phone,
            email,
            worry,
            duration,
            tried,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dt(s: &str) -> NaiveDateTime {
        s.parse().unwrap()
    }

    fn gp_input() -> ContactInput {
        ContactInput {
            source: Some("gp".into()),
            reason: Some("Ondt i maven hver morgen før skole".into()),
            referrer_name: Some("Lægehuset".into()),
            ..Default::default()
        }
    }

    const BORN: &str = "2014-03-01";

    #[test]
    fn a_gp_contact_needs_who_refers() {
        let now = dt("2026-11-20T12:00:00");
        let born = BORN.parse().unwrap();
        let ok = validate_contact(&gp_input(), Some(dt("2026-11-19T09:00:00")), born, now);
        assert_eq!(ok.unwrap().consent, Consent::Unknown);
        let mut no_name = gp_input();
        no_name.referrer_name = None;
        let err = validate_contact(&no_name, Some(dt("2026-11-19T09:00:00")), born, now);
        assert!(err.unwrap_err().get("referrer_name").is_some());
    }

    #[test]
    fn a_returned_referral_needs_psychiatrys_reason_and_recommendation() {
        let now = dt("2026-11-20T12:00:00");
        let mut input = gp_input();
        input.source = Some("psychiatry_return".into());
        let err = validate_contact(&input, Some(now), BORN.parse().unwrap(), now).unwrap_err();
        assert!(err.get("psychiatry_reason").is_some());
        assert!(err.get("psychiatry_recommendation").is_some());
    }

    #[test]
    fn unknown_source_and_future_date_are_named() {
        let now = dt("2026-11-20T12:00:00");
        let mut input = gp_input();
        input.source = Some("police".into());
        let err = validate_contact(
            &input,
            Some(dt("2026-11-21T08:00:00")),
            BORN.parse().unwrap(),
            now,
        )
        .unwrap_err();
        assert!(err.get("source").is_some());
        assert!(err.get("received_at").is_some());
    }

    fn form() -> SelfReferralInput {
        SelfReferralInput {
            writer: Some("parent".into()),
            child_given_name: Some("Alma".into()),
            child_family_name: Some("Testesen".into()),
            child_cpr: Some(
                Cpr::synthetic(dob(), crate::cpr::Sex::Female, 2)
                    .unwrap()
                    .to_string(),
            ),
            contact_name: Some("Mette Testesen".into()),
            phone: Some("12 34 56 78".into()),
            email: None,
            worry: Some("Hun er bange for at gå i skole.".into()),
            duration: None,
            tried: None,
        }
    }

    fn dob() -> NaiveDate {
        "2015-06-10".parse().unwrap()
    }

    #[test]
    fn the_public_form_needs_a_way_to_reach_the_family() {
        let today = "2026-11-20".parse().unwrap();
        let ok = validate_self_referral(&form(), today).unwrap();
        assert_eq!(ok.family_contact(), "Mette Testesen, 12 34 56 78");
        assert_eq!(ok.child_input().guardians.unwrap().len(), 1);
        let mut f = form();
        f.phone = None;
        assert!(
            validate_self_referral(&f, today)
                .unwrap_err()
                .get("phone")
                .is_some()
        );
        let mut f = form();
        f.writer = Some("young_person".into());
        assert!(
            validate_self_referral(&f, today)
                .unwrap_err()
                .get("writer")
                .is_some(),
            "an 11-year-old cannot refer themselves"
        );
        let mut f = form();
        f.child_cpr = Some("0101".into());
        assert!(
            validate_self_referral(&f, today)
                .unwrap_err()
                .get("child_cpr")
                .is_some()
        );
    }

    proptest! {
        #[test]
        fn a_contact_is_never_accepted_from_the_future(mins in 1i64..100_000) {
            let now = dt("2026-11-20T12:00:00");
            let at = now + chrono::Duration::minutes(mins);
            let r = validate_contact(&gp_input(), Some(at), BORN.parse().unwrap(), now);
            prop_assert!(r.unwrap_err().get("received_at").is_some());
        }

        #[test]
        fn every_source_round_trips(i in 0usize..7) {
            let s = Source::ALL[i];
            prop_assert_eq!(Source::parse(s.as_str()), Some(s));
        }
    }
}
