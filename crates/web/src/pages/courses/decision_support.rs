//! Decision support in the reader's language: signs and their causes, the indicated
//! programmes, and each track's checklist.

use samspor_domain::course::support::{CauseSource, Support};
use samspor_domain::i18n::Lang;

pub(super) struct ReasonView {
    pub(super) label: String,
    pub(super) respondent: &'static str,
    pub(super) score: Option<i64>,
    pub(super) unverified: bool,
}

pub(super) struct IndicatedView {
    pub(super) name: String,
    pub(super) offered: bool,
    pub(super) age_fits: bool,
    pub(super) reasons: Vec<ReasonView>,
}

pub(super) struct CheckView {
    pub(super) value: String,
    pub(super) id: String,
    pub(super) text: String,
    pub(super) ticked: bool,
    pub(super) verified: bool,
    pub(super) refers: bool,
}

pub(super) struct ChecklistView {
    pub(super) name: String,
    pub(super) offered: bool,
    pub(super) age: u32,
    pub(super) min: u32,
    pub(super) max: u32,
    pub(super) age_ok: bool,
    pub(super) age_verified: bool,
    pub(super) inclusion: Vec<CheckView>,
    pub(super) exclusion: Vec<CheckView>,
    pub(super) excluded: bool,
}

pub(super) struct SignView {
    pub(super) text: String,
    pub(super) verified: bool,
    pub(super) causes: Vec<String>,
}

pub(super) fn support_views(
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
