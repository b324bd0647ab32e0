//! Decision support in the reader's language: signs and their causes, the indicated
//! programmes, and each track's checklist.

use samspor_domain::course::support::{CauseSource, Support};
use samspor_domain::i18n::Lang;

pub(crate) struct ReasonView {
    pub(crate) label: String,
    pub(crate) respondent: &'static str,
    pub(crate) score: Option<i64>,
    pub(crate) unverified: bool,
}

pub(crate) struct IndicatedView {
    pub(crate) name: String,
    pub(crate) offered: bool,
    pub(crate) age_fits: bool,
    pub(crate) reasons: Vec<ReasonView>,
}

pub(crate) struct CheckView {
    pub(crate) value: String,
    pub(crate) id: String,
    pub(crate) text: String,
    pub(crate) ticked: bool,
    pub(crate) verified: bool,
    pub(crate) refers: bool,
}

pub(crate) struct ChecklistView {
    pub(crate) name: String,
    pub(crate) offered: bool,
    pub(crate) age: u32,
    pub(crate) min: u32,
    pub(crate) max: u32,
    pub(crate) age_ok: bool,
    pub(crate) age_verified: bool,
    pub(crate) inclusion: Vec<CheckView>,
    pub(crate) exclusion: Vec<CheckView>,
    pub(crate) excluded: bool,
}

pub(crate) struct SignView {
    pub(crate) text: String,
    pub(crate) verified: bool,
    pub(crate) causes: Vec<String>,
}

pub(crate) fn support_views(
    lang: Lang,
    s: &Support,
) -> (Vec<SignView>, Vec<IndicatedView>, Vec<ChecklistView>) {
    let pick = |da: &str, en: &str| match lang {
        Lang::Da => da.to_string(),
        Lang::En => en.to_string(),
    };
    let signs = s
        .signs
        .iter()
        .map(|sign| SignView {
            text: pick(&sign.da, &sign.en),
            verified: sign.verified,
            causes: s
                .sign_causes
                .iter()
                .filter(|c| c.sign == sign.id)
                .map(|c| match &c.from {
                    CauseSource::Alert {
                        message_en,
                        message_da,
                        ..
                    } => pick(message_da, message_en),
                    CauseSource::Criterion { track, da, en, .. } => {
                        format!("{}: {}", track.label(lang), pick(da, en))
                    }
                })
                .collect(),
        })
        .collect();
    let indicated = s
        .indicated
        .iter()
        .map(|i| IndicatedView {
            name: pick(&i.name.da, &i.name.en),
            offered: i.offered,
            age_fits: i.age_fits,
            reasons: i
                .reasons
                .iter()
                .map(|r| ReasonView {
                    label: pick(&r.label.da, &r.label.en),
                    respondent: r.respondent.label(lang),
                    score: r.score,
                    unverified: !(r.band_verified && r.rule_verified),
                })
                .collect(),
        })
        .collect();
    let checklists = s
        .checklists
        .iter()
        .map(|c| {
            let items = |list: &[samspor_domain::course::support::CheckItem]| {
                list.iter()
                    .map(|i| CheckView {
                        value: format!("{}:{}", c.track.as_str(), i.criterion.id),
                        id: format!("tick-{}-{}", c.track.as_str(), i.criterion.id),
                        text: pick(&i.criterion.da, &i.criterion.en),
                        ticked: i.ticked,
                        verified: i.criterion.verified,
                        refers: i.criterion.refer_to_psychiatry,
                    })
                    .collect()
            };
            ChecklistView {
                name: pick(&c.name.da, &c.name.en),
                offered: c.offered,
                age: c.age.age,
                min: c.age.min,
                max: c.age.max,
                age_ok: c.age.ok,
                age_verified: c.age.verified,
                inclusion: items(&c.inclusion),
                exclusion: items(&c.exclusion),
                excluded: c.excluded,
            }
        })
        .collect();
    (signs, indicated, checklists)
}
