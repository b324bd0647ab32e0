//! Learning-environment guidance (STIME's second pillar) as the municipality's own activity:
//! the schools and day-care institutions it guides, and guidance sessions with their staff about
//! a class or a group (no child identified) or about named children of its own on a lawful
//! basis covering the institution. The free text never holds a CPR number: a child is named
//! only by being linked, so the link is where the lawful basis is asked.

use crate::advice::contains_cpr;
use crate::i18n::Lang;
use crate::lawful_basis::kinds::coded;
use crate::validation::{FieldError, FieldErrors, optional_day, optional_text, required_text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const NAME_MAX: usize = 200;
pub const GROUP_MAX: usize = 100;
pub const TEXT_MAX: usize = 4000;

coded! {
    /// Where the guidance is given.
    InstitutionKind {
        School = "school", "Skole", "School";
        DayCare = "day_care", "Dagtilbud", "Day care";
    }
}

coded! {
    /// What a guidance session was about; counted in the indicators.
    Theme {
        Wellbeing = "wellbeing", "Trivsel i gruppen", "Wellbeing in the group";
        Worry = "worry", "Bekymring, angst og tristhed", "Worry, anxiety and sadness";
        Inclusion = "inclusion", "Inklusion og fællesskab", "Inclusion and belonging";
        Structure = "structure", "Struktur og forudsigelighed", "Structure and predictability";
        Conflicts = "conflicts", "Konflikter og samspil", "Conflicts and interaction";
        Absence = "absence", "Fravær", "Absence";
        Transitions = "transitions", "Overgange", "Transitions";
        Parents = "parents", "Samarbejde med forældre", "Working with parents";
    }
}

coded! {
    /// Whom a session was about.
    About {
        Group = "group", "En klasse eller gruppe", "A class or group";
        Children = "children", "Navngivne børn", "Named children";
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstitutionInput {
    pub kind: Option<String>,
    pub name: Option<String>,
    /// The school's organisation in Samspor, when it has one: guidance about named children
    /// needs it, as a lawful basis names an organisation.
    pub org_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Institution {
    pub kind: InstitutionKind,
    pub name: String,
    pub org_id: Option<Uuid>,
}

pub fn parse_institution(input: &InstitutionInput) -> Result<Institution, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = kind_of(&mut errors, input.kind.as_deref());
    let name = required_text(&mut errors, "name", input.name.as_deref(), NAME_MAX);
    if contains_cpr(&name) {
        errors.push(no_cpr("name"));
    }
    errors.into_result(Institution {
        kind: kind.unwrap_or(InstitutionKind::School),
        name,
        org_id: input.org_id,
    })
}

fn kind_of(errors: &mut FieldErrors, value: Option<&str>) -> Option<InstitutionKind> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(FieldError::required("kind"));
            None
        }
        Some(v) => InstitutionKind::parse(v).or_else(|| {
            errors.push(FieldError::new(
                "kind",
                "Choose school or day care.",
                "Vælg skole eller dagtilbud.",
            ));
            None
        }),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionInput {
    pub institution_id: Option<Uuid>,
    pub held_on: Option<String>,
    pub about: Option<String>,
    /// The class or group ("5.B", "Bøgegruppen"), when the session is about one.
    pub group_label: Option<String>,
    /// The municipality's own children the session was about, when it names any.
    #[serde(default)]
    pub child_ids: Vec<Uuid>,
    pub participants: Option<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub notes: Option<String>,
    pub follow_up: Option<String>,
    pub follow_up_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "about", rename_all = "snake_case")]
pub enum Subject {
    Group { group_label: String },
    Children { child_ids: Vec<Uuid> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub institution_id: Uuid,
    pub held_on: NaiveDate,
    pub subject: Subject,
    pub participants: String,
    pub themes: Vec<Theme>,
    pub notes: String,
    pub follow_up: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
}

fn no_cpr(field: &str) -> FieldError {
    FieldError::new(
        field,
        "Remove the CPR number: a child is named only by choosing it among the children.",
        "Fjern CPR-nummeret: et barn nævnes kun ved at vælge det blandt børnene.",
    )
}

/// Checks a session as written; `today` bounds the date (guidance is recorded once given).
pub fn parse_session(input: &SessionInput, today: NaiveDate) -> Result<Session, FieldErrors> {
    let mut errors = FieldErrors::default();
    if input.institution_id.is_none() {
        errors.push(FieldError::required("institution_id"));
    }
    let held_on = optional_day(&mut errors, "held_on", input.held_on.as_deref());
    match held_on {
        None if input.held_on.as_deref().is_none_or(|s| s.trim().is_empty()) => {
            errors.push(FieldError::required("held_on"));
        }
        Some(d) if d > today => errors.push(FieldError::new(
            "held_on",
            "The date cannot be in the future; record guidance once it has been given.",
            "Datoen kan ikke ligge i fremtiden; registrér vejledningen, når den er givet.",
        )),
        _ => {}
    }
    let subject = match input.about.as_deref().and_then(About::parse) {
        None => {
            errors.push(FieldError::new(
                "about",
                "Choose whether the session was about a class or group, or about named children.",
                "Vælg, om vejledningen handlede om en klasse eller gruppe eller om navngivne børn.",
            ));
            None
        }
        Some(About::Group) => {
            let label = required_text(
                &mut errors,
                "group_label",
                input.group_label.as_deref(),
                GROUP_MAX,
            );
            if !input.child_ids.is_empty() {
                errors.push(FieldError::new(
                    "child_ids",
                    "A session about a class or group names no child; choose named children instead.",
                    "En vejledning om en klasse eller gruppe nævner ingen børn; vælg navngivne børn i stedet.",
                ));
            }
            Some(Subject::Group { group_label: label })
        }
        Some(About::Children) => {
            let mut ids = input.child_ids.clone();
            ids.sort();
            ids.dedup();
            if ids.is_empty() {
                errors.push(FieldError::new(
                    "child_ids",
                    "Choose at least one child the session was about.",
                    "Vælg mindst ét barn, vejledningen handlede om.",
                ));
            }
            Some(Subject::Children { child_ids: ids })
        }
    };
    let participants = required_text(
        &mut errors,
        "participants",
        input.participants.as_deref(),
        TEXT_MAX,
    );
    let mut themes = Vec::new();
    for t in &input.themes {
        match Theme::parse(t) {
            Some(theme) if !themes.contains(&theme) => themes.push(theme),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "themes",
                "Choose themes from the list.",
                "Vælg temaer fra listen.",
            )),
        }
    }
    if input.themes.is_empty() {
        errors.push(FieldError::new(
            "themes",
            "Choose at least one theme.",
            "Vælg mindst ét tema.",
        ));
    }
    let notes = required_text(&mut errors, "notes", input.notes.as_deref(), TEXT_MAX);
    let follow_up = optional_text(
        &mut errors,
        "follow_up",
        input.follow_up.as_deref(),
        TEXT_MAX,
    );
    let follow_up_on = optional_day(&mut errors, "follow_up_on", input.follow_up_on.as_deref());
    if let (Some(on), Some(held)) = (follow_up_on, held_on)
        && on < held
    {
        errors.push(FieldError::new(
            "follow_up_on",
            "The follow-up comes after the session.",
            "Opfølgningen ligger efter vejledningen.",
        ));
    }
    let label = match &subject {
        Some(Subject::Group { group_label }) => group_label.as_str(),
        _ => "",
    };
    for (field, text) in [
        ("group_label", label),
        ("participants", participants.as_str()),
        ("notes", notes.as_str()),
        ("follow_up", follow_up.as_deref().unwrap_or("")),
    ] {
        if contains_cpr(text) {
            errors.push(no_cpr(field));
        }
    }
    let () = errors.into_result(())?;
    Ok(Session {
        institution_id: input.institution_id.unwrap_or_default(),
        held_on: held_on.unwrap_or(today),
        subject: subject.unwrap_or(Subject::Group {
            group_label: String::new(),
        }),
        participants,
        themes,
        notes,
        follow_up,
        follow_up_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    fn group() -> SessionInput {
        SessionInput {
            institution_id: Some(Uuid::from_u128(1)),
            held_on: Some("2026-11-18".into()),
            about: Some("group".into()),
            group_label: Some("5.B".into()),
            child_ids: vec![],
            participants: Some("Klasselærer og pædagog".into()),
            themes: vec!["wellbeing".into(), "structure".into(), "wellbeing".into()],
            notes: Some("Uro ved overgange mellem timerne.".into()),
            follow_up: Some("Ny samtale om fire uger".into()),
            follow_up_on: Some("2026-12-16".into()),
        }
    }

    fn fields(e: FieldErrors) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_group_session_names_its_group_and_themes_once() {
        let s = parse_session(&group(), today()).unwrap();
        assert_eq!(
            s.subject,
            Subject::Group {
                group_label: "5.B".into()
            }
        );
        assert_eq!(s.themes, [Theme::Wellbeing, Theme::Structure]);
    }

    #[test]
    fn each_wrong_field_is_named() {
        let input = SessionInput {
            held_on: Some("2026-11-21".into()),
            group_label: None,
            themes: vec!["astrology".into()],
            follow_up_on: Some("2026-11-01".into()),
            ..group()
        };
        let f = fields(parse_session(&input, today()).unwrap_err());
        assert_eq!(f, ["held_on", "group_label", "themes", "follow_up_on"]);
        let input = SessionInput {
            institution_id: None,
            about: Some("children".into()),
            themes: vec![],
            follow_up_on: Some("2026-11-01".into()),
            ..group()
        };
        let f = fields(parse_session(&input, today()).unwrap_err());
        assert_eq!(f, ["institution_id", "child_ids", "themes", "follow_up_on"]);
    }

    #[test]
    fn a_group_session_names_no_child() {
        let input = SessionInput {
            child_ids: vec![Uuid::from_u128(9)],
            ..group()
        };
        assert_eq!(
            fields(parse_session(&input, today()).unwrap_err()),
            ["child_ids"]
        );
    }

    #[test]
    fn institutions_need_a_kind_and_a_name() {
        let e = parse_institution(&InstitutionInput {
            kind: Some("castle".into()),
            name: Some(" ".into()),
            org_id: None,
        })
        .unwrap_err();
        assert_eq!(fields(e), ["kind", "name"]);
        let ok = parse_institution(&InstitutionInput {
            kind: Some("day_care".into()),
            name: Some("Børnehuset Solsikken".into()),
            org_id: None,
        })
        .unwrap();
        assert_eq!(ok.kind, InstitutionKind::DayCare);
    }

    #[test]
    fn codes_parse_back() {
        for t in Theme::ALL {
            assert_eq!(Theme::parse(t.as_str()), Some(*t));
            assert_ne!(t.label(Lang::Da), t.label(Lang::En));
        }
        for k in InstitutionKind::ALL {
            assert_eq!(InstitutionKind::parse(k.as_str()), Some(*k));
        }
    }

    proptest! {
        /// Whatever field a CPR number is written in, the session is refused at that field.
        #[test]
        fn a_cpr_number_in_any_text_is_refused(n in 1u32..900, field in 0usize..4) {
            let born = NaiveDate::from_ymd_opt(2015, 3, 7).unwrap();
            let cpr = crate::cpr::Cpr::synthetic(born, crate::cpr::Sex::Female, n);
            prop_assume!(cpr.is_some());
            let text = format!("om {}", cpr.unwrap().formatted());
            let mut input = group();
            let name = ["group_label", "participants", "notes", "follow_up"][field];
            match field {
                0 => input.group_label = Some(text),
                1 => input.participants = Some(text),
                2 => input.notes = Some(text),
                _ => input.follow_up = Some(text),
            }
            let f = fields(parse_session(&input, today()).unwrap_err());
            prop_assert_eq!(f, vec![name.to_string()]);
        }
    }
}
