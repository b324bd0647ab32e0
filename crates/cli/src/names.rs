//! Word lists for demo people and places. Family names, streets and schools are put together
//! from parts, so the combinations are made up rather than taken from anyone.

pub(crate) const GIRLS: &[&str] = &[
    "Alma", "Astrid", "Agnes", "Clara", "Ella", "Emma", "Esther", "Freja", "Ida", "Karla", "Liva",
    "Lærke", "Luna", "Maja", "Nora", "Olivia", "Signe", "Sofie", "Vilma", "Ingrid",
];

pub(crate) const BOYS: &[&str] = &[
    "Aksel", "Alfred", "Anton", "Carl", "Elias", "Emil", "Frederik", "Hugo", "Johan", "Lucas",
    "Magnus", "Malthe", "Noah", "Oscar", "Otto", "Storm", "Theo", "Valdemar", "Viggo", "Bertram",
];

pub(crate) const WOMEN: &[&str] = &[
    "Anne", "Camilla", "Helle", "Line", "Louise", "Maria", "Marianne", "Mette", "Pernille",
    "Rikke", "Sanne", "Stine", "Tina", "Trine", "Dorte", "Gitte",
];

pub(crate) const MEN: &[&str] = &[
    "Anders",
    "Brian",
    "Christian",
    "Henrik",
    "Jakob",
    "Jesper",
    "Kasper",
    "Lars",
    "Martin",
    "Mikkel",
    "Morten",
    "Rasmus",
    "Søren",
    "Thomas",
    "Torben",
    "Ulrik",
];

/// First halves of family names, streets and schools: trees, landscape, directions.
pub(crate) const STEMS: &[&str] = &[
    "Birke", "Ege", "Lunde", "Skov", "Mølle", "Ravn", "Hvid", "Sten", "Bøge", "Hassel", "Kilde",
    "Mose", "Elle", "Lyng", "Fjord", "Strand", "Vester", "Nør", "Sønder", "Øster", "Ahorn",
    "Rønne",
];

pub(crate) const FAMILY_ENDINGS: &[&str] = &[
    "gaard", "holm", "lund", "bæk", "toft", "vang", "sted", "dal", "høj", "rup", "bjerg", "mark",
];

pub(crate) const STREET_ENDINGS: &[&str] = &["vej", "gade", "allé", "stien", "toften", "parken"];

pub(crate) const DAYCARES: &[&str] = &[
    "Mælkebøtten",
    "Solsikken",
    "Troldehøjen",
    "Spiren",
    "Regnbuen",
    "Myretuen",
];

/// Lower-case ASCII for e-mail addresses: the Danish letters spelled out the usual way and
/// spaces, hyphens and anything else dropped, e.g. "København" → "kobenhavn".
pub(crate) fn ascii_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push('a'),
            'é' | 'è' => out.push('e'),
            'ü' => out.push('u'),
            'ö' => out.push('o'),
            'ä' => out.push('a'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slugs_follow_the_danish_spelling_rules() {
        assert_eq!(ascii_slug("København"), "kobenhavn");
        assert_eq!(ascii_slug("Aarhus"), "aarhus");
        assert_eq!(ascii_slug("Ringkøbing-Skjern"), "ringkobingskjern");
        assert_eq!(ascii_slug("Ærø"), "aero");
        assert_eq!(ascii_slug("Lyngby-Taarbæk"), "lyngbytaarbaek");
    }

    #[test]
    fn every_municipality_has_its_own_plain_slug() {
        let slugs: HashSet<String> = samspor_domain::geo::municipalities()
            .iter()
            .map(|m| ascii_slug(m.name))
            .collect();
        assert_eq!(slugs.len(), samspor_domain::geo::municipalities().len());
        assert!(
            slugs
                .iter()
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }
}
