//! Danish regions and municipalities: the reference data behind organisation codes and the
//! region/municipality fields of a case.

pub mod changes;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validation::FieldError;

/// A region, identified by its ISO 3166-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region {
    /// `DK-81` .. `DK-85`.
    pub code: &'static str,
    pub name: &'static str,
}

/// A municipality with its 4-digit code and the region it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Municipality {
    pub code: &'static str,
    pub name: &'static str,
    /// The region's code, e.g. `DK-84`.
    pub region: &'static str,
}

static REGIONS: [Region; 5] = [
    Region {
        code: "DK-81",
        name: "Region Nordjylland",
    },
    Region {
        code: "DK-82",
        name: "Region Midtjylland",
    },
    Region {
        code: "DK-83",
        name: "Region Syddanmark",
    },
    Region {
        code: "DK-84",
        name: "Region Hovedstaden",
    },
    Region {
        code: "DK-85",
        name: "Region Sjælland",
    },
];

const fn m(code: &'static str, name: &'static str, region: &'static str) -> Municipality {
    Municipality { code, name, region }
}

/// Sorted by code, which lookups rely on. Christiansø (0411) has a code in dk-core but is
/// administered by the state, not a municipality, so no case can belong to it.
static MUNICIPALITIES: [Municipality; 98] = [
    m("0101", "København", "DK-84"),
    m("0147", "Frederiksberg", "DK-84"),
    m("0151", "Ballerup", "DK-84"),
    m("0153", "Brøndby", "DK-84"),
    m("0155", "Dragør", "DK-84"),
    m("0157", "Gentofte", "DK-84"),
    m("0159", "Gladsaxe", "DK-84"),
    m("0161", "Glostrup", "DK-84"),
    m("0163", "Herlev", "DK-84"),
    m("0165", "Albertslund", "DK-84"),
    m("0167", "Hvidovre", "DK-84"),
    m("0169", "Høje-Taastrup", "DK-84"),
    m("0173", "Lyngby-Taarbæk", "DK-84"),
    m("0175", "Rødovre", "DK-84"),
    m("0183", "Ishøj", "DK-84"),
    m("0185", "Tårnby", "DK-84"),
    m("0187", "Vallensbæk", "DK-84"),
    m("0190", "Furesø", "DK-84"),
    m("0201", "Allerød", "DK-84"),
    m("0210", "Fredensborg", "DK-84"),
    m("0217", "Helsingør", "DK-84"),
    m("0219", "Hillerød", "DK-84"),
    m("0223", "Hørsholm", "DK-84"),
    m("0230", "Rudersdal", "DK-84"),
    m("0240", "Egedal", "DK-84"),
    m("0250", "Frederikssund", "DK-84"),
    m("0253", "Greve", "DK-85"),
    m("0259", "Køge", "DK-85"),
    m("0260", "Halsnæs", "DK-84"),
    m("0265", "Roskilde", "DK-85"),
    m("0269", "Solrød", "DK-85"),
    m("0270", "Gribskov", "DK-84"),
    m("0306", "Odsherred", "DK-85"),
    m("0316", "Holbæk", "DK-85"),
    m("0320", "Faxe", "DK-85"),
    m("0326", "Kalundborg", "DK-85"),
    m("0329", "Ringsted", "DK-85"),
    m("0330", "Slagelse", "DK-85"),
    m("0336", "Stevns", "DK-85"),
    m("0340", "Sorø", "DK-85"),
    m("0350", "Lejre", "DK-85"),
    m("0360", "Lolland", "DK-85"),
    m("0370", "Næstved", "DK-85"),
    m("0376", "Guldborgsund", "DK-85"),
    m("0390", "Vordingborg", "DK-85"),
    m("0400", "Bornholm", "DK-84"),
    m("0410", "Middelfart", "DK-83"),
    m("0420", "Assens", "DK-83"),
    m("0430", "Faaborg-Midtfyn", "DK-83"),
    m("0440", "Kerteminde", "DK-83"),
    m("0450", "Nyborg", "DK-83"),
    m("0461", "Odense", "DK-83"),
    m("0479", "Svendborg", "DK-83"),
    m("0480", "Nordfyns", "DK-83"),
    m("0482", "Langeland", "DK-83"),
    m("0492", "Ærø", "DK-83"),
    m("0510", "Haderslev", "DK-83"),
    m("0530", "Billund", "DK-83"),
    m("0540", "Sønderborg", "DK-83"),
    m("0550", "Tønder", "DK-83"),
    m("0561", "Esbjerg", "DK-83"),
    m("0563", "Fanø", "DK-83"),
    m("0573", "Varde", "DK-83"),
    m("0575", "Vejen", "DK-83"),
    m("0580", "Aabenraa", "DK-83"),
    m("0607", "Fredericia", "DK-83"),
    m("0615", "Horsens", "DK-82"),
    m("0621", "Kolding", "DK-83"),
    m("0630", "Vejle", "DK-83"),
    m("0657", "Herning", "DK-82"),
    m("0661", "Holstebro", "DK-82"),
    m("0665", "Lemvig", "DK-82"),
    m("0671", "Struer", "DK-82"),
    m("0706", "Syddjurs", "DK-82"),
    m("0707", "Norddjurs", "DK-82"),
    m("0710", "Favrskov", "DK-82"),
    m("0727", "Odder", "DK-82"),
    m("0730", "Randers", "DK-82"),
    m("0740", "Silkeborg", "DK-82"),
    m("0741", "Samsø", "DK-82"),
    m("0746", "Skanderborg", "DK-82"),
    m("0751", "Aarhus", "DK-82"),
    m("0756", "Ikast-Brande", "DK-82"),
    m("0760", "Ringkøbing-Skjern", "DK-82"),
    m("0766", "Hedensted", "DK-82"),
    m("0773", "Morsø", "DK-81"),
    m("0779", "Skive", "DK-82"),
    m("0787", "Thisted", "DK-81"),
    m("0791", "Viborg", "DK-82"),
    m("0810", "Brønderslev", "DK-81"),
    m("0813", "Frederikshavn", "DK-81"),
    m("0820", "Vesthimmerland", "DK-81"),
    m("0825", "Læsø", "DK-81"),
    m("0840", "Rebild", "DK-81"),
    m("0846", "Mariagerfjord", "DK-81"),
    m("0849", "Jammerbugt", "DK-81"),
    m("0851", "Aalborg", "DK-81"),
    m("0860", "Hjørring", "DK-81"),
];

/// The five regions, ordered by code.
pub fn regions() -> &'static [Region] {
    &REGIONS
}

/// The 98 municipalities, ordered by code.
pub fn municipalities() -> &'static [Municipality] {
    &MUNICIPALITIES
}

/// A known region code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(&'static Region);

/// Why an input is not a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("the region code is empty")]
    Empty,
    #[error("unknown region code")]
    Unknown,
}

impl RegionCodeError {
    pub fn to_field_error(&self, field: &str) -> FieldError {
        match self {
            RegionCodeError::Empty => FieldError::new(
                field,
                "Choose a region, e.g. DK-84 for Region Hovedstaden.",
                "Vælg en region, fx DK-84 for Region Hovedstaden.",
            ),
            RegionCodeError::Unknown => FieldError::new(
                field,
                "Unknown region code: use DK-81 to DK-85, e.g. DK-84 for Region Hovedstaden.",
                "Ukendt regionskode: brug DK-81 til DK-85, fx DK-84 for Region Hovedstaden.",
            ),
        }
    }
}

impl RegionCode {
    /// Accepts `DK-81` .. `DK-85` in any letter case, with surrounding whitespace.
    pub fn parse(input: &str) -> Result<RegionCode, RegionCodeError> {
        let code = input.trim();
        if code.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        REGIONS
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code))
            .map(RegionCode)
            .ok_or(RegionCodeError::Unknown)
    }

    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    pub fn name(&self) -> &'static str {
        self.0.name
    }

    pub fn region(&self) -> &'static Region {
        self.0
    }

    /// The region's municipalities, ordered by code.
    pub fn municipalities(&self) -> impl Iterator<Item = &'static Municipality> + use<> {
        let code = self.0.code;
        MUNICIPALITIES.iter().filter(move |m| m.region == code)
    }
}

/// A code of one of the 98 municipalities.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MunicipalityCode(&'static Municipality);

/// Why an input is not a municipality code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MunicipalityCodeError {
    #[error("the municipality code is empty")]
    Empty,
    #[error("a municipality code has exactly 4 digits")]
    NotFourDigits,
    #[error("unknown municipality code")]
    Unknown,
}

impl MunicipalityCodeError {
    pub fn to_field_error(&self, field: &str) -> FieldError {
        match self {
            MunicipalityCodeError::Empty => FieldError::new(
                field,
                "Choose a municipality, e.g. 0101 for København.",
                "Vælg en kommune, fx 0101 for København.",
            ),
            MunicipalityCodeError::NotFourDigits => FieldError::new(
                field,
                "A municipality code has exactly 4 digits, e.g. 0101 for København.",
                "Kommunekoden skal have præcis 4 cifre, fx 0101 for København.",
            ),
            MunicipalityCodeError::Unknown => FieldError::new(
                field,
                "Unknown municipality code: use the 4-digit code, e.g. 0101 for København.",
                "Ukendt kommunekode: brug den 4-cifrede kode, fx 0101 for København.",
            ),
        }
    }
}

impl MunicipalityCode {
    /// Accepts exactly 4 digits (surrounding whitespace is ignored) naming one of the 98
    /// municipalities. `101` is refused rather than padded: a short code is more likely a typo
    /// than a dropped zero, and guessing would file a child under the wrong municipality.
    pub fn parse(input: &str) -> Result<MunicipalityCode, MunicipalityCodeError> {
        let code = input.trim();
        if code.is_empty() {
            return Err(MunicipalityCodeError::Empty);
        }
        if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MunicipalityCodeError::NotFourDigits);
        }
        MUNICIPALITIES
            .binary_search_by(|m| m.code.cmp(code))
            .map(|i| MunicipalityCode(&MUNICIPALITIES[i]))
            .map_err(|_| MunicipalityCodeError::Unknown)
    }

    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    pub fn name(&self) -> &'static str {
        self.0.name
    }

    pub fn municipality(&self) -> &'static Municipality {
        self.0
    }

    pub fn region(&self) -> RegionCode {
        let region = REGIONS
            .iter()
            .find(|r| r.code == self.0.region)
            // Every municipality's region is one of REGIONS; a test checks it.
            .unwrap_or(&REGIONS[0]);
        RegionCode(region)
    }
}

macro_rules! code_traits {
    ($ty:ident, $err:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({} {})", stringify!($ty), self.as_str(), self.name())
            }
        }

        impl FromStr for $ty {
            type Err = $err;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_traits!(RegionCode, RegionCodeError);
code_traits!(MunicipalityCode, MunicipalityCodeError);

/// The two database backends the store supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlDialect {
    Sqlite,
    Postgres,
}

/// When the reference rows were created: the day sundhedsloven § 126 a took effect, fixed so the
/// seed is identical on every install and the migration files can be compared byte for byte.
const REFERENCE_CREATED_AT: &str = "2024-07-01T00:00:00Z";

/// The seed of the `organisations` table: the 5 regions, then the 98 municipalities, each
/// municipality pointing at its region. The migrations `0002_reference_data.sql` must equal this
/// text; a test enforces it.
pub fn reference_data_sql(dialect: SqlDialect) -> String {
    let new_id = match dialect {
        SqlDialect::Sqlite => "randomblob(16)",
        SqlDialect::Postgres => "gen_random_uuid()",
    };
    let insert = "INSERT INTO organisations \
                  (id, code, kind, name, parent_id, region_code, municipality_code, created_at) VALUES";
    let at = sql_string(REFERENCE_CREATED_AT);
    let mut sql = String::from(
        "-- Reference data: the 5 Danish regions and 98 municipalities as organisations \
         (generated by samspor_domain::geo::reference_data_sql; do not edit by hand).\n",
    );
    for r in regions() {
        let code = sql_string(r.code);
        sql.push_str(&format!(
            "{insert} ({new_id}, {code}, 'region', {}, NULL, {code}, NULL, {at});\n",
            sql_string(r.name),
        ));
    }
    for m in municipalities() {
        let code = sql_string(m.code);
        let region = sql_string(m.region);
        sql.push_str(&format!(
            "{insert} ({new_id}, {code}, 'municipality', {}, \
             (SELECT id FROM organisations WHERE code = {region}), {region}, {code}, {at});\n",
            sql_string(m.name),
        ));
    }
    sql
}

/// A single-quoted SQL string literal. Doubling the quote is the one escape both SQLite and
/// PostgreSQL (with standard_conforming_strings, the default) agree on.
fn sql_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::PathBuf;

    #[test]
    fn counts_per_region_and_total() {
        assert_eq!(regions().len(), 5);
        assert_eq!(municipalities().len(), 98);
        let count = |code: &str| municipalities().iter().filter(|m| m.region == code).count();
        assert_eq!(count("DK-84"), 29);
        assert_eq!(count("DK-85"), 17);
        assert_eq!(count("DK-83"), 22);
        assert_eq!(count("DK-82"), 19);
        assert_eq!(count("DK-81"), 11);
        for r in regions() {
            let code = RegionCode::parse(r.code).unwrap();
            assert_eq!(code.municipalities().count(), count(r.code));
        }
    }

    #[test]
    fn codes_are_unique_sorted_and_well_formed() {
        let codes: HashSet<_> = municipalities().iter().map(|m| m.code).collect();
        assert_eq!(codes.len(), 98);
        let names: HashSet<_> = municipalities().iter().map(|m| m.name).collect();
        assert_eq!(names.len(), 98);
        assert!(municipalities().windows(2).all(|w| w[0].code < w[1].code));
        assert!(regions().windows(2).all(|w| w[0].code < w[1].code));
        let region_codes: HashSet<_> = regions().iter().map(|r| r.code).collect();
        for m in municipalities() {
            assert!(m.code.len() == 4 && m.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(
                region_codes.contains(m.region),
                "{} has unknown region",
                m.code
            );
        }
        assert!(!codes.contains("0411"), "Christiansø is not a municipality");
    }

    #[test]
    fn known_pairs() {
        for (code, name, region) in [
            ("0101", "København", "DK-84"),
            ("0751", "Aarhus", "DK-82"),
            ("0851", "Aalborg", "DK-81"),
            ("0461", "Odense", "DK-83"),
            ("0316", "Holbæk", "DK-85"),
            ("0400", "Bornholm", "DK-84"),
        ] {
            let m = MunicipalityCode::parse(code).unwrap();
            assert_eq!(m.name(), name);
            assert_eq!(m.region().as_str(), region);
        }
        assert_eq!(
            MunicipalityCode::parse("0101").unwrap().region().name(),
            "Region Hovedstaden"
        );
        assert_eq!(
            RegionCode::parse("DK-85").unwrap().name(),
            "Region Sjælland"
        );
    }

    #[test]
    fn region_code_parsing() {
        assert_eq!(RegionCode::parse("dk-84").unwrap().as_str(), "DK-84");
        assert_eq!(RegionCode::parse(" DK-81 ").unwrap().to_string(), "DK-81");
        assert_eq!(RegionCode::parse(""), Err(RegionCodeError::Empty));
        assert_eq!(RegionCode::parse("DK-86"), Err(RegionCodeError::Unknown));
        assert_eq!(RegionCode::parse("84"), Err(RegionCodeError::Unknown));
        let fe = RegionCodeError::Unknown.to_field_error("region");
        assert_eq!(fe.field, "region");
        assert!(fe.message_da.starts_with("Ukendt regionskode"));
        assert!(fe.message_en.contains("DK-81 to DK-85"));
    }

    #[test]
    fn municipality_code_parsing() {
        assert_eq!(MunicipalityCode::parse(" 0461 ").unwrap().as_str(), "0461");
        assert_eq!(
            MunicipalityCode::parse(""),
            Err(MunicipalityCodeError::Empty)
        );
        assert_eq!(
            MunicipalityCode::parse("101"),
            Err(MunicipalityCodeError::NotFourDigits)
        );
        assert_eq!(
            MunicipalityCode::parse("01010"),
            Err(MunicipalityCodeError::NotFourDigits)
        );
        assert_eq!(
            MunicipalityCode::parse("01a1"),
            Err(MunicipalityCodeError::NotFourDigits)
        );
        assert_eq!(
            MunicipalityCode::parse("0411"),
            Err(MunicipalityCodeError::Unknown)
        );
        assert_eq!(
            MunicipalityCode::parse("9999"),
            Err(MunicipalityCodeError::Unknown)
        );
        assert_eq!(
            MunicipalityCodeError::Unknown
                .to_field_error("kommune")
                .message_da,
            "Ukendt kommunekode: brug den 4-cifrede kode, fx 0101 for København."
        );
        assert!(
            MunicipalityCodeError::NotFourDigits
                .to_field_error("kommune")
                .message_en
                .contains("4 digits")
        );
        for m in municipalities() {
            assert_eq!(MunicipalityCode::parse(m.code).unwrap().municipality(), m);
        }
    }

    #[test]
    fn serde_and_display() {
        let m = MunicipalityCode::parse("0751").unwrap();
        assert_eq!(m.to_string(), "0751");
        assert_eq!(format!("{m:?}"), "MunicipalityCode(0751 Aarhus)");
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"0751\"");
        assert_eq!(
            serde_json::from_str::<MunicipalityCode>("\"0751\"").unwrap(),
            m
        );
        assert!(serde_json::from_str::<MunicipalityCode>("\"751\"").is_err());
        let r: RegionCode = serde_json::from_str("\"dk-82\"").unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"DK-82\"");
        assert_eq!(
            "DK-83".parse::<RegionCode>().unwrap().name(),
            "Region Syddanmark"
        );
    }

    #[test]
    fn sql_strings_are_escaped() {
        assert_eq!(sql_string("O'Brien"), "'O''Brien'");
        assert_eq!(sql_string("Ærø"), "'Ærø'");
    }

    #[test]
    fn reference_sql_shape() {
        for dialect in [SqlDialect::Sqlite, SqlDialect::Postgres] {
            let sql = reference_data_sql(dialect);
            let lines: Vec<_> = sql.lines().collect();
            assert!(lines[0].starts_with("-- "));
            assert_eq!(lines.len(), 1 + 5 + 98);
            assert!(
                lines[1..]
                    .iter()
                    .all(|l| l.starts_with("INSERT INTO organisations ("))
            );
            assert_eq!(sql.matches("'region'").count(), 5);
            assert_eq!(sql.matches("'municipality'").count(), 98);
            // Regions come first so the municipalities' parent look-ups find them.
            assert!(lines[1..6].iter().all(|l| l.contains("'region'")));
            assert!(sql.contains(
                "'0400', 'municipality', 'Bornholm', \
                 (SELECT id FROM organisations WHERE code = 'DK-84'), 'DK-84', '0400', \
                 '2024-07-01T00:00:00Z');"
            ));
            assert!(sql.contains("'DK-82', 'region', 'Region Midtjylland', NULL, 'DK-82', NULL,"));
        }
        assert!(reference_data_sql(SqlDialect::Sqlite).contains("(randomblob(16), "));
        assert!(!reference_data_sql(SqlDialect::Sqlite).contains("gen_random_uuid"));
        assert!(reference_data_sql(SqlDialect::Postgres).contains("(gen_random_uuid(), "));
        assert!(!reference_data_sql(SqlDialect::Postgres).contains("randomblob"));
    }

    fn migration_path(dialect: SqlDialect) -> PathBuf {
        let dir = match dialect {
            SqlDialect::Sqlite => "sqlite",
            SqlDialect::Postgres => "postgres",
        };
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../store/migrations")
            .join(dir)
            .join("0002_reference_data.sql")
    }

    #[test]
    fn migrations_equal_reference_sql() {
        for dialect in [SqlDialect::Sqlite, SqlDialect::Postgres] {
            let path = migration_path(dialect);
            let on_disk = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            assert!(
                on_disk == reference_data_sql(dialect),
                "{} differs from geo::reference_data_sql({dialect:?}); regenerate it with \
                 `cargo test -p samspor-domain write_reference_data_migrations -- --ignored`",
                path.display()
            );
        }
    }

    /// Regenerates the migration files after the reference data changed.
    #[test]
    #[ignore = "writes files; run on purpose"]
    fn write_reference_data_migrations() {
        for dialect in [SqlDialect::Sqlite, SqlDialect::Postgres] {
            let path = migration_path(dialect);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, reference_data_sql(dialect)).unwrap();
        }
    }
}
