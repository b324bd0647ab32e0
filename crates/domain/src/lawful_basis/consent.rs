//! A consent to share: who gave it, what it covers, for how long, and whether it is a basis
//! on a given day.

use super::family::{Family, Person};
use super::kinds::{ConsentForm, DataCategory, Purpose, RecipientKind};
use super::rules::{ConsentRule, RequiredForm, Rules};
use crate::validation::{FieldError, FieldErrors, optional_day, optional_text, required_text};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const TEXT_MAX: usize = 500;

/// An organisation data may be shared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recipient {
    pub org_id: Uuid,
    pub kind: RecipientKind,
}

/// The record that a custody holder consents for a 15–17-year-old because the young person
/// cannot understand the consequences (sundhedsloven § 17, stk. 2): who assessed it, when, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityAssessment {
    pub by: Uuid,
    pub on: NaiveDate,
    pub reason: String,
}

/// A consent as recorded, with its history in `givers` and `withdrawn`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub id: Uuid,
    pub purpose: Purpose,
    pub recipients: Vec<Recipient>,
    pub categories: Vec<DataCategory>,
    /// What the sharing is for, in the giver's words or the staff member's summary.
    pub purpose_text: String,
    pub form: ConsentForm,
    /// Why a consent that should be written was given orally (§ 44: the circumstances).
    pub oral_reason: Option<String>,
    pub recorded_by: Uuid,
    pub given_on: NaiveDate,
    /// The last day it is a basis.
    pub valid_to: Option<NaiveDate>,
    /// Who gave it, each with the day they did (a second custody holder may follow later).
    pub givers: Vec<(Person, NaiveDate)>,
    pub capacity: Option<CapacityAssessment>,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub at: DateTime<Utc>,
    pub by: Person,
    pub recorded_by: Uuid,
}

/// Whether a consent is a basis on a day, and if not, why not: what the UI tells the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConsentState {
    Active {
        until: Option<NaiveDate>,
    },
    NotYetValid,
    Expired {
        on: NaiveDate,
    },
    Withdrawn,
    /// Under 15, and the rules need every custody holder: these have not consented.
    AwaitingCustodyHolders {
        missing: Vec<Uuid>,
    },
    /// Given by custody holders, and the child has turned 15: it is no basis until the young
    /// person confirms it (or a capacity assessment is recorded).
    NeedsYoungPerson,
}

impl ConsentState {
    pub fn is_active(&self) -> bool {
        matches!(self, ConsentState::Active { .. })
    }
}

impl Consent {
    /// The consent rule that applies: the purpose's, through any of its recipients (a consent
    /// covers recipients of one purpose).
    fn rule<'r>(&self, rules: &'r Rules) -> Option<&'r ConsentRule> {
        self.recipients
            .first()
            .map(|r| &rules.recipient(r.kind).consent)
    }

    /// The last day the consent can be a basis: its own end, or the rules' longest validity.
    pub fn last_day(&self, rules: &Rules) -> Option<NaiveDate> {
        let lapse = self
            .rule(rules)
            .and_then(|r| r.max_months)
            .and_then(|m| lapse_day(self.given_on, m));
        match (self.valid_to, lapse) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The state on `day` (in Danish time), for a request made at `now`.
    pub fn state(
        &self,
        rules: &Rules,
        family: &Family,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> ConsentState {
        if self.withdrawn.as_ref().is_some_and(|w| w.at <= now) {
            return ConsentState::Withdrawn;
        }
        if day < self.given_on {
            return ConsentState::NotYetValid;
        }
        let last = self.last_day(rules);
        if let Some(last) = last
            && day > last
        {
            return ConsentState::Expired { on: last };
        }
        let given = |p: Person| self.givers.iter().any(|(g, on)| *g == p && *on <= day);
        if family.child_decides(day) {
            if given(Person::Child) || (self.capacity.is_some() && self.custody_given(family, day))
            {
                return ConsentState::Active { until: last };
            }
            return ConsentState::NeedsYoungPerson;
        }
        let both = self.rule(rules).is_none_or(|r| r.both_custody_holders);
        let missing: Vec<Uuid> = family
            .custody_holders()
            .filter(|g| !given(Person::Guardian { id: g.id }))
            .map(|g| g.id)
            .collect();
        let any_given = family
            .custody_holders()
            .any(|g| given(Person::Guardian { id: g.id }));
        if (both && !missing.is_empty()) || !any_given {
            return ConsentState::AwaitingCustodyHolders { missing };
        }
        ConsentState::Active { until: last }
    }

    fn custody_given(&self, family: &Family, day: NaiveDate) -> bool {
        self.givers
            .iter()
            .any(|(p, on)| *on <= day && family.has_custody(*p))
    }

    /// Whether the consent names `recipient` and `category`.
    pub fn covers(&self, org_id: Uuid, category: DataCategory) -> bool {
        self.recipients.iter().any(|r| r.org_id == org_id) && self.categories.contains(&category)
    }
}

/// The day a consent given on `given_on` lapses at the latest, `months` later (the day before
/// the same date, so that "one year" is 365 or 366 days).
pub fn lapse_day(given_on: NaiveDate, months: u32) -> Option<NaiveDate> {
    given_on
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
}

/// A consent as entered: codes and dates as text, so each wrong value gets its own message.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConsentInput {
    pub recipients: Vec<Recipient>,
    pub categories: Vec<String>,
    pub purpose_text: Option<String>,
    pub form: Option<String>,
    pub oral_reason: Option<String>,
    pub given_on: Option<String>,
    pub valid_to: Option<String>,
    /// `child` or a guardian's id.
    pub givers: Vec<String>,
    /// Only when custody holders consent for a young person of 15 or more.
    pub capacity_reason: Option<String>,
}

impl ConsentInput {
    /// Checks a new consent against the rules and the family as they are on `today`.
    pub fn parse(
        &self,
        rules: &Rules,
        family: &Family,
        recorded_by: Uuid,
        today: NaiveDate,
    ) -> Result<Consent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let purpose = scope_purpose(&mut errors, rules, &self.recipients);
        let categories = parse_categories(&mut errors, rules, &self.recipients, &self.categories);
        let purpose_text = required_text(
            &mut errors,
            "purpose_text",
            self.purpose_text.as_deref(),
            TEXT_MAX,
        );
        let rule = purpose
            .and(self.recipients.first())
            .map(|r| &rules.recipient(r.kind).consent);
        let (form, oral_reason) = self.parse_form(&mut errors, rule);
        let given_on = optional_day(&mut errors, "given_on", self.given_on.as_deref());
        let valid_to = optional_day(&mut errors, "valid_to", self.valid_to.as_deref());
        let given_on = match given_on {
            Some(d) if d > today => {
                errors.push(FieldError::new(
                    "given_on",
                    "A consent cannot be recorded as given in the future.",
                    "Et samtykke kan ikke registreres som givet i fremtiden.",
                ));
                d
            }
            Some(d) => d,
            None => {
                if self.given_on.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    errors.push(FieldError::required("given_on"));
                }
                today
            }
        };
        let valid_to = check_validity(&mut errors, rule, given_on, valid_to);
        let givers = self.parse_givers(&mut errors, family, given_on);
        let capacity = self.parse_capacity(&mut errors, family, &givers, recorded_by, given_on);
        let consent = Consent {
            id: Uuid::nil(),
            purpose: purpose.unwrap_or(Purpose::Treatment),
            recipients: self.recipients.clone(),
            categories,
            purpose_text,
            form,
            oral_reason,
            recorded_by,
            given_on,
            valid_to,
            givers: givers.into_iter().map(|p| (p, given_on)).collect(),
            capacity,
            withdrawn: None,
        };
        errors.into_result(consent)
    }

    fn parse_form(
        &self,
        errors: &mut FieldErrors,
        rule: Option<&ConsentRule>,
    ) -> (ConsentForm, Option<String>) {
        let form = match self.form.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::required("form"));
                ConsentForm::Written
            }
            Some(s) => ConsentForm::parse(s).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "form",
                    "Choose written or oral.",
                    "Vælg skriftligt eller mundtligt.",
                ));
                ConsentForm::Written
            }),
        };
        let oral_reason =
            optional_text(errors, "oral_reason", self.oral_reason.as_deref(), TEXT_MAX);
        if form == ConsentForm::Oral
            && rule.is_some_and(|r| r.form == RequiredForm::Written)
            && oral_reason.is_none()
        {
            errors.push(FieldError::new(
                "oral_reason",
                format!(
                    "A consent under {} must be written; say why the circumstances speak against it, or record it as written.",
                    rule.map(|r| r.provision.as_str()).unwrap_or_default()
                ),
                format!(
                    "Et samtykke efter {} skal være skriftligt; skriv hvorfor forholdene taler imod det, eller registrér det som skriftligt.",
                    rule.map(|r| r.provision.as_str()).unwrap_or_default()
                ),
            ));
        }
        (form, oral_reason)
    }

    fn parse_givers(
        &self,
        errors: &mut FieldErrors,
        family: &Family,
        day: NaiveDate,
    ) -> Vec<Person> {
        let mut givers = Vec::new();
        for text in &self.givers {
            let Some(person) = Person::parse(text) else {
                errors.push(unknown_giver());
                continue;
            };
            match person {
                Person::Child if !family.child_decides(day) => errors.push(FieldError::new(
                    "givers",
                    "A child under 15 cannot consent; the custody holders do (forældreansvarsloven § 2).",
                    "Et barn under 15 år kan ikke selv give samtykke; det gør forældremyndighedens indehavere (forældreansvarsloven § 2).",
                )),
                Person::Guardian { id } => match family.guardian(id) {
                    None => errors.push(unknown_giver()),
                    Some(g) if !g.custody => errors.push(FieldError::new(
                        "givers",
                        format!("{} does not hold custody: a parent without custody has a right to orientation only (forældreansvarsloven § 23), not to consent.", g.name),
                        format!("{} har ikke forældremyndigheden: en forælder uden forældremyndighed har kun ret til orientering (forældreansvarsloven § 23), ikke til at give samtykke.", g.name),
                    )),
                    Some(_) => {}
                },
                Person::Child => {}
            }
            if !givers.contains(&person) {
                givers.push(person);
            }
        }
        if self.givers.is_empty() {
            errors.push(FieldError::new(
                "givers",
                "Choose who gave the consent.",
                "Vælg hvem der har givet samtykket.",
            ));
        }
        givers
    }

    fn parse_capacity(
        &self,
        errors: &mut FieldErrors,
        family: &Family,
        givers: &[Person],
        recorded_by: Uuid,
        day: NaiveDate,
    ) -> Option<CapacityAssessment> {
        let reason = optional_text(
            errors,
            "capacity_reason",
            self.capacity_reason.as_deref(),
            TEXT_MAX,
        );
        let by_custody = givers.iter().any(|p| family.has_custody(*p));
        let needs = family.child_decides(day) && by_custody && !givers.contains(&Person::Child);
        if needs && reason.is_none() {
            errors.push(FieldError::new(
                "capacity_reason",
                "The young person is 15 or older and consents themself (sundhedsloven § 17). A custody holder can consent only when it is assessed that the young person cannot understand the consequences: record why.",
                "Den unge er fyldt 15 år og giver selv samtykke (sundhedsloven § 17). Forældremyndighedens indehaver kan kun give samtykke, når det er vurderet, at den unge ikke kan forstå konsekvenserne: skriv hvorfor.",
            ));
        }
        reason.filter(|_| needs).map(|reason| CapacityAssessment {
            by: recorded_by,
            on: day,
            reason,
        })
    }
}

fn unknown_giver() -> FieldError {
    FieldError::new(
        "givers",
        "Choose the young person or one of the adults on the child's record.",
        "Vælg den unge eller en af de voksne på barnets stamkort.",
    )
}

/// The purpose of the recipients (all must share one), or `None` after an error.
fn scope_purpose(
    errors: &mut FieldErrors,
    rules: &Rules,
    recipients: &[Recipient],
) -> Option<Purpose> {
    let mut purposes: Vec<Purpose> = recipients
        .iter()
        .map(|r| rules.recipient(r.kind).purpose)
        .collect();
    purposes.dedup();
    match purposes.as_slice() {
        [] => {
            errors.push(FieldError::new(
                "recipients",
                "Choose at least one organisation to share with.",
                "Vælg mindst én organisation, der skal deles med.",
            ));
            None
        }
        [one] => Some(*one),
        _ => {
            errors.push(FieldError::new(
                "recipients",
                "Treatment (health persons) and other purposes (school, authorities) follow different rules: record them as two consents.",
                "Behandling (sundhedspersoner) og andre formål (skole, myndigheder) følger forskellige regler: registrér dem som to samtykker.",
            ));
            None
        }
    }
}

fn parse_categories(
    errors: &mut FieldErrors,
    rules: &Rules,
    recipients: &[Recipient],
    input: &[String],
) -> Vec<DataCategory> {
    let mut out = Vec::new();
    for text in input {
        let Some(c) = DataCategory::parse(text) else {
            errors.push(FieldError::new(
                "categories",
                format!(
                    "Unknown kind of data: {}",
                    text.chars().take(40).collect::<String>()
                ),
                format!(
                    "Ukendt slags oplysninger: {}",
                    text.chars().take(40).collect::<String>()
                ),
            ));
            continue;
        };
        if let Some(r) = recipients.iter().find(|r| !rules.shareable(r.kind, c)) {
            errors.push(FieldError::new(
                "categories",
                format!(
                    "{} cannot be shared with {}.",
                    c.label(crate::i18n::Lang::En),
                    r.kind.label(crate::i18n::Lang::En).to_lowercase()
                ),
                format!(
                    "{} kan ikke deles med {}.",
                    c.label(crate::i18n::Lang::Da),
                    r.kind.label(crate::i18n::Lang::Da).to_lowercase()
                ),
            ));
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if input.is_empty() {
        errors.push(FieldError::new(
            "categories",
            "Choose what may be shared.",
            "Vælg hvilke oplysninger der må deles.",
        ));
    }
    out.sort();
    out
}

/// The consent's last day: as entered, or the rules' longest validity; refused when it is
/// before the first day or beyond what the law allows.
fn check_validity(
    errors: &mut FieldErrors,
    rule: Option<&ConsentRule>,
    given_on: NaiveDate,
    valid_to: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let lapse = rule.and_then(|r| {
        r.max_months
            .and_then(|m| lapse_day(given_on, m).map(|d| (d, m, r)))
    });
    match (valid_to, lapse) {
        (Some(to), _) if to < given_on => {
            errors.push(FieldError::new(
                "valid_to",
                "The last day is before the day the consent was given.",
                "Slutdatoen ligger før den dag, samtykket blev givet.",
            ));
            Some(to)
        }
        (Some(to), Some((last, months, r))) if to > last => {
            errors.push(FieldError::new(
                "valid_to",
                format!(
                    "A consent under {} lapses at the latest {months} months after it was given: the last possible day is {last}.",
                    r.provision
                ),
                format!(
                    "Et samtykke efter {} bortfalder senest {months} måneder efter, det blev givet: sidste mulige dag er {}.",
                    r.provision,
                    last.format("%d.%m.%Y")
                ),
            ));
            Some(to)
        }
        (Some(to), _) => Some(to),
        (None, Some((last, _, _))) => Some(last),
        (None, None) => None,
    }
}
