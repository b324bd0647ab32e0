//! The KL Gateway LTT codes Samspor reports with.
//!
//! Codes and displays were extracted by script from `CodeSystem-LTT.json` and
//! `CodeSystem-CareSocialCodes.json` (version 20250530) in `../shared/specs/kl-ltt`;
//! the test at the bottom re-checks them against those files whenever they are present,
//! so a KL update that renames or removes a code fails the build instead of the national report.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// KL's LTT code system: encounter types, themes, referral destinations, treatment organisation.
pub const LTT_SYSTEM: &str = "http://fhir.kl.dk/term/CodeSystem/LTT";
/// KL's common care/social code system: delivery type, participants, the CarePlan activity.
pub const CARE_SOCIAL_SYSTEM: &str = "http://fhir.kl.dk/term/CodeSystem/CareSocialCodes";

/// One coding as it goes into a FHIR `Coding`: system, code and the display KL publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct KlCode {
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
}

impl KlCode {
    pub const fn new(system: &'static str, code: &'static str, display: &'static str) -> Self {
        Self {
            system,
            code,
            display,
        }
    }
}

pub const ENC_HENVENDELSE: KlCode = KlCode::new(
    LTT_SYSTEM,
    "ac1057da-a510-4bab-a2b1-d96efa464bdc",
    "Henvendelse",
);
pub const ENC_FORSAMTALE: KlCode = KlCode::new(
    LTT_SYSTEM,
    "e2eee938-a58c-42d0-a514-dc91779b1243",
    "Forsamtale",
);
pub const ENC_SCREENING: KlCode = KlCode::new(
    LTT_SYSTEM,
    "404665f4-3488-4225-953e-3f1c5a061829",
    "Screening",
);
pub const ENC_BEHANDLING: KlCode = KlCode::new(
    LTT_SYSTEM,
    "b7f9217c-2315-4d6f-bba5-5117e202302c",
    "Behandling",
);
pub const ENC_AFSLUTTENDE_SAMTALE: KlCode = KlCode::new(
    LTT_SYSTEM,
    "afd9445a-7ca5-42f8-8011-c3802db3f30b",
    "Afsluttende samtale",
);
pub const ENC_AFSLUTNING: KlCode = KlCode::new(
    LTT_SYSTEM,
    "3b1d8884-5a1d-43cf-aabb-8c1035148c46",
    "Afslutning",
);
pub const THEME_ADFAERD: KlCode =
    KlCode::new(LTT_SYSTEM, "dcf2c302-09b9-4bf1-9865-d08a5876700c", "Adfærd");
pub const THEME_BEKYMRING: KlCode = KlCode::new(
    LTT_SYSTEM,
    "95c5e9fc-33b7-4d85-9417-64fc3164eb4c",
    "Bekymring",
);
pub const THEME_KROP_OG_MAD: KlCode = KlCode::new(
    LTT_SYSTEM,
    "bf4df811-805a-4309-8394-7d9ea31b8af7",
    "Krop og mad",
);
pub const THEME_SELVSKADE: KlCode = KlCode::new(
    LTT_SYSTEM,
    "5cea8eb2-5374-45f7-a985-cef1f577f0a1",
    "Selvskade",
);
pub const THEME_TRISTHED: KlCode = KlCode::new(
    LTT_SYSTEM,
    "9b82f4cd-bc63-4187-a2f0-ff2d74f63bd8",
    "Tristhed",
);
pub const THEME_TVANGSTANKER: KlCode = KlCode::new(
    LTT_SYSTEM,
    "c8887ec0-e529-48d9-914c-317e000c2036",
    "Tvangstanker og -handlinger",
);
pub const THEME_URO: KlCode = KlCode::new(
    LTT_SYSTEM,
    "2644b5af-73cc-41a5-b588-f244b813179d",
    "Uro og uopmærksomhed",
);
pub const THEME_ANDET: KlCode =
    KlCode::new(LTT_SYSTEM, "cc829c98-5904-45da-b777-2af5693e78e9", "Andet");
pub const REF_ANDET: KlCode =
    KlCode::new(LTT_SYSTEM, "e961ba32-9e1e-4bfd-82aa-d73c8653d170", "Andet");
pub const REF_ANDET_TILBUD_HJEMKOMMUNE: KlCode = KlCode::new(
    LTT_SYSTEM,
    "59721d6a-71c7-4cae-954c-5997cbebd387",
    "Andet tilbud i hjemkommune",
);
pub const REF_ANDEN_KOMMUNE: KlCode = KlCode::new(
    LTT_SYSTEM,
    "e648f06e-8a17-47af-95ff-babeb3e7543c",
    "§126a-tilbud i anden kommune",
);
pub const REF_ALMEN_PRAKSIS: KlCode = KlCode::new(
    LTT_SYSTEM,
    "0cdc1b09-f53f-41c4-80d3-a2c59ff98287",
    "Alment praktiserende læge",
);
pub const REF_BOERNEPSYKIATRI: KlCode = KlCode::new(
    LTT_SYSTEM,
    "42b97e5a-7584-4b07-a7c7-d441ccb331b2",
    "Børne- og ungdomspsykiatri",
);
pub const REF_CIVILSAMFUND: KlCode = KlCode::new(
    LTT_SYSTEM,
    "f3d5cb7b-e059-4fbc-9514-a53299c2e3cf",
    "Civilsamfund",
);
pub const ORG_GROUP_WITH_CHILD: KlCode = KlCode::new(
    LTT_SYSTEM,
    "8742dc92-2878-4074-b128-b0384c4989c9",
    "Gruppebaseret behandling med barn/ung",
);
pub const ORG_GROUP_WITHOUT_CHILD: KlCode = KlCode::new(
    LTT_SYSTEM,
    "dadb1540-9542-46d1-a784-0559d94e0b9a",
    "Gruppebaseret behandling uden barn/ung",
);
pub const ORG_INDIVIDUAL_WITH_CHILD: KlCode = KlCode::new(
    LTT_SYSTEM,
    "ca52f015-193e-4d31-9471-7385717dfa44",
    "Individuel behandling med barn/ung",
);
pub const ORG_INDIVIDUAL_WITHOUT_CHILD: KlCode = KlCode::new(
    LTT_SYSTEM,
    "c86b5c04-7e13-488b-87fd-fb1e30309bb8",
    "Individuel behandling uden barn/ung",
);
pub const DELIVERY_GROUP: KlCode = KlCode::new(
    CARE_SOCIAL_SYSTEM,
    "2865f123-15a7-4a36-a514-32ea37c400ca",
    "Gruppebaseret indsats",
);
pub const DELIVERY_INDIVIDUAL: KlCode = KlCode::new(
    CARE_SOCIAL_SYSTEM,
    "8d12d74c-17da-47a7-a4fe-e69dbaec0a8c",
    "Individuel indsats",
);
pub const PARTICIPANT_CHILD: KlCode = KlCode::new(
    CARE_SOCIAL_SYSTEM,
    "ca228a58-bd0e-4b0e-81ce-3866adc26535",
    "Barn/ung deltager",
);
pub const PARTICIPANT_CAREGIVER_ONLY: KlCode = KlCode::new(
    CARE_SOCIAL_SYSTEM,
    "d3578249-10df-4051-851d-3986b1570bee",
    "Omsorgsperson uden barn/ung",
);
pub const CAREPLAN_ACTIVITY_LTT: KlCode = KlCode::new(
    CARE_SOCIAL_SYSTEM,
    "01302bcb-c7f3-42c4-8ded-68e33da064eb",
    "Lettilgængelige tilbud til børn og unge i psykisk mistrivsel",
);

/// Every KL code above, for the conformance test.
pub const ALL: [KlCode; 29] = [
    ENC_HENVENDELSE,
    ENC_FORSAMTALE,
    ENC_SCREENING,
    ENC_BEHANDLING,
    ENC_AFSLUTTENDE_SAMTALE,
    ENC_AFSLUTNING,
    THEME_ADFAERD,
    THEME_BEKYMRING,
    THEME_KROP_OG_MAD,
    THEME_SELVSKADE,
    THEME_TRISTHED,
    THEME_TVANGSTANKER,
    THEME_URO,
    THEME_ANDET,
    REF_ANDET,
    REF_ANDET_TILBUD_HJEMKOMMUNE,
    REF_ANDEN_KOMMUNE,
    REF_ALMEN_PRAKSIS,
    REF_BOERNEPSYKIATRI,
    REF_CIVILSAMFUND,
    ORG_GROUP_WITH_CHILD,
    ORG_GROUP_WITHOUT_CHILD,
    ORG_INDIVIDUAL_WITH_CHILD,
    ORG_INDIVIDUAL_WITHOUT_CHILD,
    DELIVERY_GROUP,
    DELIVERY_INDIVIDUAL,
    PARTICIPANT_CHILD,
    PARTICIPANT_CAREGIVER_ONLY,
    CAREPLAN_ACTIVITY_LTT,
];

/// The eight KL themes ("Tema", CarePlan.activity.detail.reasonCode); a course may carry several
/// and they change over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Behaviour,
    Worry,
    BodyFood,
    SelfHarm,
    Sadness,
    ObsessiveCompulsive,
    RestlessnessInattention,
    Other,
}

impl Theme {
    pub const ALL: [Theme; 8] = [
        Theme::Behaviour,
        Theme::Worry,
        Theme::BodyFood,
        Theme::SelfHarm,
        Theme::Sadness,
        Theme::ObsessiveCompulsive,
        Theme::RestlessnessInattention,
        Theme::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Behaviour => "behaviour",
            Theme::Worry => "worry",
            Theme::BodyFood => "body_food",
            Theme::SelfHarm => "self_harm",
            Theme::Sadness => "sadness",
            Theme::ObsessiveCompulsive => "obsessive_compulsive",
            Theme::RestlessnessInattention => "restlessness_inattention",
            Theme::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn kl_code(self) -> KlCode {
        match self {
            Theme::Behaviour => THEME_ADFAERD,
            Theme::Worry => THEME_BEKYMRING,
            Theme::BodyFood => THEME_KROP_OG_MAD,
            Theme::SelfHarm => THEME_SELVSKADE,
            Theme::Sadness => THEME_TRISTHED,
            Theme::ObsessiveCompulsive => THEME_TVANGSTANKER,
            Theme::RestlessnessInattention => THEME_URO,
            Theme::Other => THEME_ANDET,
        }
    }

    /// Danish label is KL's display, so what staff pick is exactly what is reported.
    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Da => self.kl_code().display,
            Lang::En => match self {
                Theme::Behaviour => "Behaviour",
                Theme::Worry => "Worry",
                Theme::BodyFood => "Body and food",
                Theme::SelfHarm => "Self-harm",
                Theme::Sadness => "Sadness",
                Theme::ObsessiveCompulsive => "Obsessive thoughts and actions",
                Theme::RestlessnessInattention => "Restlessness and inattention",
                Theme::Other => "Other",
            },
        }
    }
}

/// Where a family is guided when the municipality does not (only) treat: the six KL
/// "Henvisning" destinations, reported as a KL Referral on the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralDestination {
    Other,
    OtherOfferHome,
    OtherMunicipality,
    Gp,
    Psychiatry,
    CivilSociety,
}

impl ReferralDestination {
    pub const ALL: [ReferralDestination; 6] = [
        ReferralDestination::Other,
        ReferralDestination::OtherOfferHome,
        ReferralDestination::OtherMunicipality,
        ReferralDestination::Gp,
        ReferralDestination::Psychiatry,
        ReferralDestination::CivilSociety,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralDestination::Other => "other",
            ReferralDestination::OtherOfferHome => "other_offer_home",
            ReferralDestination::OtherMunicipality => "other_municipality",
            ReferralDestination::Gp => "gp",
            ReferralDestination::Psychiatry => "psychiatry",
            ReferralDestination::CivilSociety => "civil_society",
        }
    }

    pub fn parse(s: &str) -> Option<ReferralDestination> {
        ReferralDestination::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    pub fn kl_code(self) -> KlCode {
        match self {
            ReferralDestination::Other => REF_ANDET,
            ReferralDestination::OtherOfferHome => REF_ANDET_TILBUD_HJEMKOMMUNE,
            ReferralDestination::OtherMunicipality => REF_ANDEN_KOMMUNE,
            ReferralDestination::Gp => REF_ALMEN_PRAKSIS,
            ReferralDestination::Psychiatry => REF_BOERNEPSYKIATRI,
            ReferralDestination::CivilSociety => REF_CIVILSAMFUND,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Da => self.kl_code().display,
            Lang::En => match self {
                ReferralDestination::Other => "Other",
                ReferralDestination::OtherOfferHome => "Other offer in the home municipality",
                ReferralDestination::OtherMunicipality => "§ 126 a offer in another municipality",
                ReferralDestination::Gp => "General practitioner",
                ReferralDestination::Psychiatry => "Child and adolescent psychiatry",
                ReferralDestination::CivilSociety => "Civil society",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::PathBuf;

    /// The spec folder lives beside the repository (`../shared`), never inside it.
    fn spec_dir() -> Option<PathBuf> {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        [
            manifest.join("../../../shared/specs/kl-ltt"),
            PathBuf::from("../shared/specs/kl-ltt"),
        ]
        .into_iter()
        .find(|d| d.join("CodeSystem-LTT.json").is_file())
    }

    fn collect(concepts: &serde_json::Value, out: &mut HashMap<String, String>) {
        for c in concepts.as_array().into_iter().flatten() {
            let code = c["code"].as_str().unwrap_or_default().to_string();
            let display = c["display"].as_str().unwrap_or_default().to_string();
            out.insert(code, display);
            collect(&c["concept"], out);
        }
    }

    fn load(dir: &std::path::Path, file: &str) -> (String, HashMap<String, String>) {
        let text = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("{file} beside CodeSystem-LTT.json must be readable: {e}"));
        let json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let url = json["url"].as_str().expect("code system url").to_string();
        let mut codes = HashMap::new();
        collect(&json["concept"], &mut codes);
        (url, codes)
    }

    #[test]
    fn every_kl_code_exists_in_the_kl_code_systems() {
        let Some(dir) = spec_dir() else {
            eprintln!("note: ../shared/specs/kl-ltt not found; KL code check skipped");
            return;
        };
        let systems: HashMap<String, HashMap<String, String>> = [
            load(&dir, "CodeSystem-LTT.json"),
            load(&dir, "CodeSystem-CareSocialCodes.json"),
        ]
        .into_iter()
        .collect();
        assert!(systems.contains_key(LTT_SYSTEM));
        assert!(systems.contains_key(CARE_SOCIAL_SYSTEM));
        let mut all: Vec<KlCode> = ALL.to_vec();
        all.extend(Theme::ALL.map(Theme::kl_code));
        all.extend(ReferralDestination::ALL.map(ReferralDestination::kl_code));
        all.extend(crate::course::encounter::EncounterType::ALL.map(|t| t.kl_code()));
        for c in all {
            let display = systems[c.system].get(c.code);
            assert_eq!(
                display.map(String::as_str),
                Some(c.display),
                "{} in {}",
                c.code,
                c.system
            );
        }
    }

    #[test]
    fn enums_map_to_distinct_codes_and_round_trip() {
        let themes: std::collections::HashSet<_> =
            Theme::ALL.iter().map(|t| t.kl_code().code).collect();
        assert_eq!(themes.len(), 8);
        for t in Theme::ALL {
            assert_eq!(Theme::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::json!(t.as_str())
            );
        }
        let dests: std::collections::HashSet<_> = ReferralDestination::ALL
            .iter()
            .map(|d| d.kl_code().code)
            .collect();
        assert_eq!(dests.len(), 6);
        for d in ReferralDestination::ALL {
            assert_eq!(ReferralDestination::parse(d.as_str()), Some(d));
        }
        assert_eq!(
            ReferralDestination::Gp.label(Lang::Da),
            "Alment praktiserende læge"
        );
    }
}
