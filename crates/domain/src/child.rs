//! The child's record: what is entered, and how it is checked.

use crate::cpr::{Cpr, Sex};
use crate::i18n::Lang;
use crate::validation::{
    FieldError, FieldErrors, optional_text, parse_email, parse_phone, required_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Samspor serves children and young people from 3 to 17 years.
pub const MIN_AGE: u32 = 3;
pub const MAX_AGE: u32 = 17;
const NAME_MAX: usize = 100;
const TEXT_MAX: usize = 300;
const MAX_GUARDIANS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Mother,
    Father,
    Parent,
    FosterParent,
    Other,
}

impl Relation {
    pub const ALL: [Relation; 5] = [
        Relation::Mother,
        Relation::Father,
        Relation::Parent,
        Relation::FosterParent,
        Relation::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Mother => "mother",
            Relation::Father => "father",
            Relation::Parent => "parent",
            Relation::FosterParent => "foster_parent",
            Relation::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Relation::Mother, Lang::Da) => "Mor",
            (Relation::Mother, Lang::En) => "Mother",
            (Relation::Father, Lang::Da) => "Far",
            (Relation::Father, Lang::En) => "Father",
            (Relation::Parent, Lang::Da) => "Forælder",
            (Relation::Parent, Lang::En) => "Parent",
            (Relation::FosterParent, Lang::Da) => "Plejeforælder",
            (Relation::FosterParent, Lang::En) => "Foster parent",
            (Relation::Other, Lang::Da) => "Anden",
            (Relation::Other, Lang::En) => "Other",
        }
    }
}

/// A parent or other adult around the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    pub name: String,
    pub relation: Relation,
    /// Holds custody ("forældremyndighed"): consents for a child under 15.
    pub custody: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Guardian fields as they arrive from a form or JSON.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GuardianInput {
    pub name: Option<String>,
    pub relation: Option<String>,
    pub custody: Option<bool>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Child fields as they arrive from a form or JSON, before any checking.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChildInput {
    pub cpr: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub address: Option<String>,
    pub school: Option<String>,
    pub guardians: Option<Vec<GuardianInput>>,
}

/// A checked child record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildData {
    pub cpr: Cpr,
    pub given_name: String,
    pub family_name: String,
    pub address: Option<String>,
    pub school: Option<String>,
    pub guardians: Vec<Guardian>,
}

impl ChildData {
    pub fn birth_date(&self) -> NaiveDate {
        self.cpr.birth_date()
    }

    pub fn sex(&self) -> Sex {
        self.cpr.sex()
    }
}

fn parse_guardians(errors: &mut FieldErrors, input: &[GuardianInput]) -> Vec<Guardian> {
    if input.len() > MAX_GUARDIANS {
        errors.push(FieldError::new(
            "guardians",
            format!("At most {MAX_GUARDIANS} guardians."),
            format!("Højst {MAX_GUARDIANS} voksne."),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, g) in input.iter().enumerate() {
        let f = |name: &str| format!("guardians[{i}].{name}");
        let name = required_text(errors, &f("name"), g.name.as_deref(), NAME_MAX);
        let relation = match g.relation.as_deref().map(str::trim) {
            None | Some("") => Relation::Other,
            Some(r) => Relation::parse(r).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    f("relation"),
                    "Choose mother, father, parent, foster_parent or other.",
                    "Vælg mor, far, forælder, plejeforælder eller anden.",
                ));
                Relation::Other
            }),
        };
        let phone = match g.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => parse_phone(&f("phone"), p).map_err(|e| errors.push(e)).ok(),
        };
        let email = match g.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => parse_email(&f("email"), e).map_err(|e| errors.push(e)).ok(),
        };
        out.push(Guardian {
            name,
            relation,
            custody: g.custody.unwrap_or(false),
            phone,
            email,
        });
    }
    out
}

/// Checks a CPR for a child to be registered today.
pub fn parse_child_cpr(value: Option<&str>, today: NaiveDate) -> Result<Cpr, FieldError> {
    let raw = value.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Err(FieldError::required("cpr"));
    }
    let cpr = Cpr::parse(raw).map_err(|e| e.to_field_error("cpr"))?;
    if cpr.birth_date() > today {
        return Err(FieldError::new(
            "cpr",
            "The birth date in the CPR number is in the future.",
            "Fødselsdatoen i CPR-nummeret ligger i fremtiden.",
        ));
    }
    let age = cpr.age_on(today);
    if !(MIN_AGE..=MAX_AGE).contains(&age) {
        return Err(FieldError::new(
            "cpr",
            format!(
                "Samspor is for children and young people aged {MIN_AGE} to {MAX_AGE}; this CPR number gives age {age}."
            ),
            format!(
                "Samspor er for børn og unge fra {MIN_AGE} til {MAX_AGE} år; CPR-nummeret giver alderen {age}."
            ),
        ));
    }
    Ok(cpr)
}

/// Checks a whole new child record; every problem is reported at once.
pub fn parse_child(input: &ChildInput, today: NaiveDate) -> Result<ChildData, FieldErrors> {
    build(parse_child_cpr(input.cpr.as_deref(), today), input)
}

/// Checks every field but the CPR number, which the caller has checked already.
fn build(cpr: Result<Cpr, FieldError>, input: &ChildInput) -> Result<ChildData, FieldErrors> {
    let mut errors = FieldErrors::default();
    let cpr = cpr.map_err(|e| errors.push(e)).ok();
    let given_name = required_text(
        &mut errors,
        "given_name",
        input.given_name.as_deref(),
        NAME_MAX,
    );
    let family_name = required_text(
        &mut errors,
        "family_name",
        input.family_name.as_deref(),
        NAME_MAX,
    );
    let address = optional_text(&mut errors, "address", input.address.as_deref(), TEXT_MAX);
    let school = optional_text(&mut errors, "school", input.school.as_deref(), TEXT_MAX);
    let guardians = parse_guardians(&mut errors, input.guardians.as_deref().unwrap_or(&[]));
    match cpr {
        Some(cpr) if errors.is_empty() => Ok(ChildData {
            cpr,
            given_name,
            family_name,
            address,
            school,
            guardians,
        }),
        _ => Err(errors),
    }
}

/// Applies a partial update: fields absent from `patch` keep their current value;
/// an empty string clears an optional field.
pub fn apply_patch(
    current: &ChildData,
    patch: &ChildInput,
    today: NaiveDate,
) -> Result<ChildData, FieldErrors> {
    let merged = ChildInput {
        cpr: None,
        given_name: Some(
            patch
                .given_name
                .clone()
                .unwrap_or_else(|| current.given_name.clone()),
        ),
        family_name: Some(
            patch
                .family_name
                .clone()
                .unwrap_or_else(|| current.family_name.clone()),
        ),
        address: patch.address.clone().or_else(|| current.address.clone()),
        school: patch.school.clone().or_else(|| current.school.clone()),
        guardians: Some(match &patch.guardians {
            Some(g) => g.clone(),
            None => current
                .guardians
                .iter()
                .map(|g| GuardianInput {
                    name: Some(g.name.clone()),
                    relation: Some(g.relation.as_str().into()),
                    custody: Some(g.custody),
                    phone: g.phone.clone(),
                    email: g.email.clone(),
                })
                .collect(),
        }),
    };
    // An unchanged CPR stays valid even after the child has grown past the age range.
    let cpr = match patch.cpr.as_deref() {
        None => Ok(current.cpr.clone()),
        Some(new) => parse_child_cpr(Some(new), today),
    };
    build(cpr, &merged)
}

/// The fields that differ between two versions of a record, by name.
/// Used for history entries and audit details, which must not carry the values.
pub fn changed_fields(old: &ChildData, new: &ChildData) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.cpr != new.cpr {
        out.push("cpr");
    }
    if old.given_name != new.given_name {
        out.push("given_name");
    }
    if old.family_name != new.family_name {
        out.push("family_name");
    }
    if old.address != new.address {
        out.push("address");
    }
    if old.school != new.school {
        out.push("school");
    }
    if old.guardians != new.guardians {
        out.push("guardians");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn input(cpr: &str) -> ChildInput {
        ChildInput {
            cpr: Some(cpr.into()),
            given_name: Some(" Testa ".into()),
            family_name: Some("Testesen".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_child_is_trimmed() {
        let c = parse_child(&input("150315-4321"), today()).unwrap();
        assert_eq!(c.given_name, "Testa");
        assert_eq!(
            c.birth_date(),
            NaiveDate::from_ymd_opt(2015, 3, 15).unwrap()
        );
        assert_eq!(c.sex(), Sex::Male);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let e = parse_child(&ChildInput::default(), today()).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["cpr", "given_name", "family_name"]);
    }

    #[test]
    fn age_outside_range_is_refused() {
        let adult = parse_child(&input("010190-1234"), today()).unwrap_err();
        assert!(adult.get("cpr").unwrap().message_en.contains("age 36"));
        let baby = parse_child(&input("010525-4321"), today()).unwrap_err();
        assert!(baby.get("cpr").is_some());
    }

    #[test]
    fn guardian_errors_name_the_field() {
        let mut i = input("150315-4321");
        i.guardians = Some(vec![GuardianInput {
            name: Some("Mor".into()),
            relation: Some("aunt".into()),
            email: Some("nope".into()),
            ..Default::default()
        }]);
        let e = parse_child(&i, today()).unwrap_err();
        assert!(e.get("guardians[0].relation").is_some());
        assert!(e.get("guardians[0].email").is_some());
    }

    #[test]
    fn patch_keeps_absent_fields_and_reports_changes() {
        let c = parse_child(&input("150315-4321"), today()).unwrap();
        let patch = ChildInput {
            school: Some("Byskolen".into()),
            ..Default::default()
        };
        let n = apply_patch(&c, &patch, today()).unwrap();
        assert_eq!(n.given_name, "Testa");
        assert_eq!(n.school.as_deref(), Some("Byskolen"));
        assert_eq!(changed_fields(&c, &n), ["school"]);
        let cleared = apply_patch(
            &n,
            &ChildInput {
                school: Some(String::new()),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(cleared.school, None);
    }
}
