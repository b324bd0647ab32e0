//! The add-encounter form, and the words for how a treatment was given.

use super::{datetime_error, now_input, parse_local_datetime};
use crate::i18n::Tr;
use crate::request::Pairs;
use samspor_domain::course::encounter::{Delivery, EncounterInput, EncounterType, Participants};
use samspor_domain::validation::{FieldError, FieldErrors};

/// The add-encounter form as typed.
#[derive(Default, Clone)]
pub(crate) struct EncounterForm {
    pub(crate) kind: String,
    pub(crate) at: String,
    pub(crate) delivery: String,
    pub(crate) participants: String,
}

impl EncounterForm {
    pub(crate) fn blank() -> EncounterForm {
        EncounterForm {
            at: now_input(),
            ..Default::default()
        }
    }

    pub(crate) fn from_pairs(p: &Pairs) -> EncounterForm {
        EncounterForm {
            kind: p.get("type"),
            at: p.get("at"),
            delivery: p.get("delivery"),
            participants: p.get("participants"),
        }
    }

    /// Reads what the domain types cannot carry as text; the domain checks the rest.
    pub(crate) fn to_input(&self) -> Result<EncounterInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = EncounterType::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "type",
                "Choose the type of encounter.",
                "Vælg kontakttype.",
            ));
        }
        let at = parse_local_datetime(&self.at);
        if at.is_none() {
            errors.push(datetime_error("at"));
        }
        let delivery = match self.delivery.trim() {
            "" => None,
            "individual" => Some(Delivery::Individual),
            "group" => Some(Delivery::Group),
            _ => {
                errors.push(FieldError::new(
                    "delivery",
                    "Unknown delivery.",
                    "Ukendt leveringstype.",
                ));
                None
            }
        };
        let participants = match self.participants.trim() {
            "" => None,
            "child_present" => Some(Participants::ChildPresent),
            "caregivers_only" => Some(Participants::CaregiversOnly),
            _ => {
                errors.push(FieldError::new(
                    "participants",
                    "Unknown participants.",
                    "Ukendte deltagere.",
                ));
                None
            }
        };
        match (kind, at) {
            (Some(kind), Some(at)) if errors.is_empty() => Ok(EncounterInput {
                kind,
                at,
                delivery,
                participants,
            }),
            _ => Err(errors),
        }
    }
}

pub(crate) fn delivery_label(t: Tr, d: Delivery) -> &'static str {
    match d {
        Delivery::Individual => t.t("enc.delivery_individual"),
        Delivery::Group => t.t("enc.delivery_group"),
    }
}

/// The ways a session can be delivered, as (form value, label) for a choice.
pub(crate) fn delivery_choices(t: Tr) -> Vec<(&'static str, &'static str)> {
    [Delivery::Individual, Delivery::Group]
        .map(|d| (d.as_str(), delivery_label(t, d)))
        .to_vec()
}

/// Who took part in a session, as (form value, label) for a choice.
pub(crate) fn participant_choices(t: Tr) -> Vec<(&'static str, &'static str)> {
    [Participants::ChildPresent, Participants::CaregiversOnly]
        .map(|p| (p.as_str(), participants_label(t, p)))
        .to_vec()
}

pub(crate) fn participants_label(t: Tr, p: Participants) -> &'static str {
    match p {
        Participants::ChildPresent => t.t("enc.participants_child"),
        Participants::CaregiversOnly => t.t("enc.participants_caregivers"),
    }
}
