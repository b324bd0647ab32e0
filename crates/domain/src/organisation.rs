//! Organisations: regions, municipalities and the units that work in them.

use crate::i18n::Lang;
use crate::validation::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Region,
    Municipality,
    Ppr,
    Psychiatry,
    GpPractice,
    HospitalDepartment,
    School,
    Secretariat,
}

impl OrgKind {
    pub const ALL: [OrgKind; 8] = [
        OrgKind::Region,
        OrgKind::Municipality,
        OrgKind::Ppr,
        OrgKind::Psychiatry,
        OrgKind::GpPractice,
        OrgKind::HospitalDepartment,
        OrgKind::School,
        OrgKind::Secretariat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Region => "region",
            OrgKind::Municipality => "municipality",
            OrgKind::Ppr => "ppr",
            OrgKind::Psychiatry => "psychiatry",
            OrgKind::GpPractice => "gp_practice",
            OrgKind::HospitalDepartment => "hospital_department",
            OrgKind::School => "school",
            OrgKind::Secretariat => "secretariat",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (OrgKind::Region, Lang::Da) => "Region",
            (OrgKind::Region, Lang::En) => "Region",
            (OrgKind::Municipality, Lang::Da) => "Kommune",
            (OrgKind::Municipality, Lang::En) => "Municipality",
            (OrgKind::Ppr, Lang::Da) => "PPR",
            (OrgKind::Ppr, Lang::En) => "PPR (educational psychology)",
            (OrgKind::Psychiatry, Lang::Da) => "Børne- og ungdomspsykiatri",
            (OrgKind::Psychiatry, Lang::En) => "Child and adolescent psychiatry",
            (OrgKind::GpPractice, Lang::Da) => "Almen praksis",
            (OrgKind::GpPractice, Lang::En) => "GP practice",
            (OrgKind::HospitalDepartment, Lang::Da) => "Hospitalsafdeling",
            (OrgKind::HospitalDepartment, Lang::En) => "Hospital department",
            (OrgKind::School, Lang::Da) => "Skole",
            (OrgKind::School, Lang::En) => "School",
            (OrgKind::Secretariat, Lang::Da) => "Sekretariat",
            (OrgKind::Secretariat, Lang::En) => "Secretariat",
        }
    }
}

/// What a municipality can take part in: the five STIME tracks and KIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Programme {
    /// Track 1: restlessness, attention or impulsivity (3-10, parent group course).
    Restlessness,
    /// Track 2: worry or sadness (6-17).
    WorrySadness,
    /// Track 3: thoughts about body and food (10-17).
    BodyFood,
    /// Track 4: difficult feelings leading to self-harm (12-17).
    SelfHarm,
    /// Track 5: repeated thoughts and actions.
    RepeatedThoughts,
    /// Koordineret Indsats på Tværs.
    Kit,
}

impl Programme {
    pub const ALL: [Programme; 6] = [
        Programme::Restlessness,
        Programme::WorrySadness,
        Programme::BodyFood,
        Programme::SelfHarm,
        Programme::RepeatedThoughts,
        Programme::Kit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Programme::Restlessness => "restlessness",
            Programme::WorrySadness => "worry_sadness",
            Programme::BodyFood => "body_food",
            Programme::SelfHarm => "self_harm",
            Programme::RepeatedThoughts => "repeated_thoughts",
            Programme::Kit => "kit",
        }
    }

    pub fn parse(s: &str) -> Option<Programme> {
        Programme::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Programme::Restlessness, Lang::Da) => {
                "Når uro, opmærksomhed eller impulsivitet er en udfordring"
            }
            (Programme::Restlessness, Lang::En) => "Restlessness, attention or impulsivity",
            (Programme::WorrySadness, Lang::Da) => "Når bekymring eller tristhed fylder for meget",
            (Programme::WorrySadness, Lang::En) => "Worry or sadness",
            (Programme::BodyFood, Lang::Da) => "Når tanker om krop og mad fylder for meget",
            (Programme::BodyFood, Lang::En) => "Thoughts about body and food",
            (Programme::SelfHarm, Lang::Da) => "Når svære følelser fører til selvskade",
            (Programme::SelfHarm, Lang::En) => "Difficult feelings leading to self-harm",
            (Programme::RepeatedThoughts, Lang::Da) => {
                "Når gentagne tanker og handlinger tager styringen"
            }
            (Programme::RepeatedThoughts, Lang::En) => "Repeated thoughts and actions",
            (Programme::Kit, Lang::Da) => "KIT – Koordineret Indsats på Tværs",
            (Programme::Kit, Lang::En) => "KIT – coordinated cross-sector effort",
        }
    }
}

/// A code for a unit that is neither a region nor a municipality.
/// Units get a generated code `U` + 6 digits; regions and municipalities keep their official codes.
pub fn parse_unit_code(s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_ascii_uppercase();
    let ok = s.len() == 7 && s.starts_with('U') && s[1..].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(
            "code",
            "A unit code is U followed by 6 digits, e.g. U000123.",
            "En enhedskode er U efterfulgt af 6 cifre, fx U000123.",
        ))
    }
}

/// SOR codes (Sundhedsvæsenets Organisationsregister) are at least 11 digits.
pub fn parse_sor(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.len() >= 11 && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(
            "sor_code",
            "A SOR code has at least 11 digits.",
            "En SOR-kode har mindst 11 cifre.",
        ))
    }
}

/// EAN/GLN location numbers: 13 digits with a GS1 mod-10 check digit.
pub fn parse_ean(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let err = || {
        FieldError::new(
            "ean_code",
            "An EAN location number has 13 digits with a valid check digit.",
            "Et EAN-lokationsnummer har 13 cifre med gyldigt kontrolciffer.",
        )
    };
    if s.len() != 13 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    if ean_check_digit(&s[..12]) == Some(s.as_bytes()[12] - b'0') {
        Ok(s.to_string())
    } else {
        Err(err())
    }
}

/// The GS1 mod-10 check digit of an EAN's twelve data digits; `None` if they are not twelve
/// digits. Weights 3 and 1 alternate from the rightmost data digit.
pub fn ean_check_digit(data: &str) -> Option<u8> {
    if data.len() != 12 || !data.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = data
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean_numbers_carry_a_gs1_check_digit() {
        assert!(parse_ean("5790000121526").is_ok());
        assert!(parse_ean("5790000121527").is_err());
        assert!(parse_ean("579000012152").is_err());
        assert_eq!(ean_check_digit("579000012152"), Some(6));
        assert_eq!(ean_check_digit("57900001215"), None);
    }

    #[test]
    fn unit_and_sor_codes() {
        assert_eq!(parse_unit_code("u000123").unwrap(), "U000123");
        assert!(parse_unit_code("0101").is_err());
        assert!(parse_sor("451000016003").is_ok());
        assert!(parse_sor("4510000").is_err());
    }

    #[test]
    fn kinds_and_programmes_round_trip() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Some(k));
        }
        for p in Programme::ALL {
            assert_eq!(Programme::parse(p.as_str()), Some(p));
        }
    }
}
