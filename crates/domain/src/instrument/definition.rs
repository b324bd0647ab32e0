//! One instrument version, read from a FHIR R4 Questionnaire-shaped JSON file with our own
//! `samspor` section, and checked so thoroughly that scoring can trust it afterwards.

use super::Respondent;
use super::json::{Issue, Node, Res, identifier};
use super::translation::{PRIMARY_LANG, bilingual};
use crate::cpr::Sex;
use crate::i18n::Lang;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A definition file that cannot be used, with the file and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionError {
    pub file: String,
    /// Path inside the document, e.g. `samspor.scales[2].items[4]`; empty when the file as a
    /// whole is at fault (not JSON, duplicate id).
    pub field: String,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.field, self.message)
        }
    }
}

impl std::error::Error for DefinitionError {}

/// One screen of the questionnaire (a FHIR `group` item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    pub link_id: String,
    /// The Danish title; [`Page::title`] picks the language.
    pub title: String,
    pub title_en: String,
    pub items: Vec<Question>,
}

impl Page {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.title,
            Lang::En => &self.title_en,
        }
    }
}

/// One question (a FHIR `choice` item). The label is our own neutral description, never the
/// licensed item text, and it is what a respondent reads: it says only what the question is
/// about. Anything meant for staff alone (scale, reverse scoring) is in the staff note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub link_id: String,
    /// The Danish label; [`Question::label`] picks the language.
    pub label: String,
    pub label_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_note: Option<StaffNote>,
    pub options: Vec<AnswerOption>,
}

/// A remark about a question for staff only (which scale it counts towards, whether it is
/// reverse-scored or not scored); never shown to respondents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffNote {
    pub da: String,
    pub en: String,
}

impl StaffNote {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.da,
            Lang::En => &self.en,
        }
    }
}

impl Question {
    /// What the respondent reads.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.label,
            Lang::En => &self.label_en,
        }
    }

    /// The staff-only remark, if the definition has one.
    pub fn staff_note(&self, lang: Lang) -> Option<&str> {
        self.staff_note.as_ref().map(|n| n.get(lang))
    }

    pub fn accepts(&self, value: i64) -> bool {
        self.options.iter().any(|o| o.value == value)
    }

    pub fn min_value(&self) -> i64 {
        self.options.iter().map(|o| o.value).min().unwrap_or(0)
    }

    pub fn max_value(&self) -> i64 {
        self.options.iter().map(|o| o.value).max().unwrap_or(0)
    }

    /// The printed values, in the order they are offered, for messages.
    pub fn values_text(&self) -> String {
        let values: Vec<String> = self.options.iter().map(|o| o.value.to_string()).collect();
        values.join(", ")
    }
}

/// One answer option: the printed value and our short label for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerOption {
    pub value: i64,
    /// The Danish label; [`AnswerOption::label`] picks the language.
    pub label: String,
    pub label_en: String,
}

impl AnswerOption {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.label,
            Lang::En => &self.label_en,
        }
    }
}

/// Which way a scale points, for reliable change and for charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HigherIs {
    Worse,
    Better,
}

/// What to do with a partly answered item scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Prorate {
    /// Every item must be answered.
    None,
    /// floor(0.5 + mean × item count), as in the official SDQ syntax.
    MeanRoundHalfUp,
}

/// How a scale's score is computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ScaleRule {
    /// Sum of item values, reverse-scored items mirrored first.
    Items {
        items: Vec<String>,
        reverse: Vec<String>,
        min_answered: usize,
        prorate: Prorate,
    },
    /// 0 when the gate question is answered 0, otherwise the sum of the recoded items (the
    /// SDQ impact score).
    GatedSum {
        gate: String,
        items: Vec<String>,
        /// Points for option value 0, 1, 2, …
        recode: Vec<i64>,
    },
    /// Sum of other scales.
    Sum { of: Vec<String> },
    /// Another scale times a factor (WHO-5 percentage).
    Multiply { of: String, factor: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scale {
    pub name: String,
    pub title_en: String,
    pub title_da: String,
    pub higher_is: HigherIs,
    pub min: i64,
    pub max: i64,
    #[serde(flatten)]
    pub rule: ScaleRule,
}

impl Scale {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.title_da,
            Lang::En => &self.title_en,
        }
    }
}

/// One band table for one scale, possibly limited to an age range or sex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandTable {
    pub scale: String,
    /// False for cut-offs not confirmed in a cited source; the UI shows them as provisional.
    pub verified: bool,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_max: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Lowest scores first, each row starting right after the previous one.
    pub rows: Vec<BandRow>,
}

impl BandTable {
    fn is_restricted(&self) -> bool {
        self.age_min.is_some() || self.age_max.is_some() || self.sex.is_some()
    }

    fn age_window(&self) -> (u32, u32) {
        (self.age_min.unwrap_or(0), self.age_max.unwrap_or(u32::MAX))
    }

    /// Whether this table is meant for someone of this age and sex. A restriction the caller
    /// cannot answer (age unknown) does not match: a wrong norm is worse than none.
    pub fn applies_to(&self, age: Option<u32>, sex: Option<Sex>) -> bool {
        let age_ok = match (self.age_min.is_some() || self.age_max.is_some(), age) {
            (false, _) => true,
            (true, Some(a)) => {
                let (lo, hi) = self.age_window();
                (lo..=hi).contains(&a)
            }
            (true, None) => false,
        };
        let sex_ok = self.sex.is_none() || self.sex == sex;
        age_ok && sex_ok
    }

    pub fn band_for(&self, score: i64) -> Option<&BandRow> {
        self.rows.iter().find(|r| (r.min..=r.max).contains(&score))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandRow {
    pub band: String,
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandLabel {
    pub en: String,
    pub da: String,
}

/// An answer that must reach a clinician at once (e.g. thoughts of self-harm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriticalItem {
    pub link_id: String,
    /// Answer values that raise the alert.
    pub values: Vec<i64>,
    pub code: String,
    pub message_en: String,
    pub message_da: String,
}

/// The norms behind the reliable change index of one scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeNorm {
    pub scale: String,
    /// Standard deviation of the scale in the reference population.
    pub sd: f64,
    /// Reliability (test-retest or internal consistency), 0 ≤ r < 1.
    pub reliability: f64,
    pub verified: bool,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Licence {
    pub holder: String,
    pub electronic_use_requires_agreement: bool,
    /// Whether the official item texts may be shown on screen without a separate agreement.
    pub may_render_items_electronically: bool,
    pub note: String,
    /// Whether the terms above are confirmed in the cited source.
    pub verified: bool,
    pub source: String,
}

/// One version of one questionnaire, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instrument {
    id: String,
    url: String,
    version: String,
    name: String,
    status: String,
    title_da: String,
    title_en: String,
    respondent: Respondent,
    age_min: u32,
    age_max: u32,
    follow_up: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    pages: Vec<Page>,
    scales: Vec<Scale>,
    band_labels: BTreeMap<String, BandLabel>,
    bands: Vec<BandTable>,
    critical_items: Vec<CriticalItem>,
    reliable_change: Vec<ChangeNorm>,
    licence: Licence,
    /// linkId → (page, position on the page).
    #[serde(skip)]
    index: BTreeMap<String, (usize, usize)>,
}

impl Instrument {
    /// Parses and validates one definition file. `file_name` is only used in messages and to
    /// check that the file is called `<id>.json`.
    pub fn from_json(file_name: &str, text: &str) -> Result<Instrument, DefinitionError> {
        let value: Value = serde_json::from_str(text).map_err(|e| DefinitionError {
            file: file_name.to_string(),
            field: String::new(),
            message: format!("not valid JSON: {e}"),
        })?;
        parse(file_name, &value).map_err(|Issue { field, message }| DefinitionError {
            file: file_name.to_string(),
            field,
            message,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// FHIR publication status: draft, active, retired or unknown.
    pub fn status(&self) -> &str {
        &self.status
    }

    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.title_da,
            Lang::En => &self.title_en,
        }
    }

    pub fn respondent(&self) -> Respondent {
        self.respondent
    }

    /// Youngest and oldest age in years, both included.
    pub fn age_range(&self) -> (u32, u32) {
        (self.age_min, self.age_max)
    }

    pub fn accepts_age(&self, age: u32) -> bool {
        (self.age_min..=self.age_max).contains(&age)
    }

    pub fn is_follow_up(&self) -> bool {
        self.follow_up
    }

    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.pages.iter().flat_map(|p| p.items.iter())
    }

    pub fn question(&self, link_id: &str) -> Option<&Question> {
        let &(page, pos) = self.index.get(link_id)?;
        Some(&self.pages[page].items[pos])
    }

    /// The questions left unanswered, with the page each is on, in order. A gate answered
    /// "no" (the impact supplement's "no difficulties") ends its page: the questions after it
    /// were not asked, so they are not missing.
    pub fn unanswered(&self, answers: &super::Answers) -> Vec<(usize, &Question)> {
        let closed_gates: BTreeSet<&str> = self
            .scales
            .iter()
            .filter_map(|s| match &s.rule {
                ScaleRule::GatedSum { gate, .. } if answers.value(gate) == Some(0) => {
                    Some(gate.as_str())
                }
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for (i, page) in self.pages.iter().enumerate() {
            for q in &page.items {
                if answers.value(&q.link_id).is_none() {
                    out.push((i, q));
                }
                if closed_gates.contains(q.link_id.as_str()) {
                    break;
                }
            }
        }
        out
    }

    /// All scales in scoring order: item scales, gated sums, then derived totals.
    pub fn scales(&self) -> &[Scale] {
        &self.scales
    }

    pub fn scale(&self, name: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.name == name)
    }

    pub fn band_tables(&self) -> &[BandTable] {
        &self.bands
    }

    /// The band table for a scale: one limited to this age/sex if there is one, else the
    /// general one.
    pub fn band_table(
        &self,
        scale: &str,
        age: Option<u32>,
        sex: Option<Sex>,
    ) -> Option<&BandTable> {
        let mut for_scale = self.bands.iter().filter(|t| t.scale == scale);
        let restricted = for_scale
            .clone()
            .find(|t| t.is_restricted() && t.applies_to(age, sex));
        restricted.or_else(|| for_scale.find(|t| !t.is_restricted()))
    }

    pub fn band_label(&self, band: &str, lang: Lang) -> Option<&str> {
        self.band_labels.get(band).map(|l| match lang {
            Lang::Da => l.da.as_str(),
            Lang::En => l.en.as_str(),
        })
    }

    pub fn critical_items(&self) -> &[CriticalItem] {
        &self.critical_items
    }

    pub fn change_norm(&self, scale: &str) -> Option<&ChangeNorm> {
        self.reliable_change.iter().find(|n| n.scale == scale)
    }

    pub fn licence(&self) -> &Licence {
        &self.licence
    }
}

const STATUSES: [&str; 4] = ["draft", "active", "retired", "unknown"];

/// Far beyond any questionnaire's numbers, and small enough that no sum, product or range
/// computed from a definition can overflow.
const VALUE_LIMIT: i64 = 1000;

fn bounded(node: &Node<'_>, value: i64) -> Res<i64> {
    if !(-VALUE_LIMIT..=VALUE_LIMIT).contains(&value) {
        return Err(node.issue(format!(
            "{value} is outside -{VALUE_LIMIT} to {VALUE_LIMIT}"
        )));
    }
    Ok(value)
}

fn parse(file_name: &str, value: &Value) -> Res<Instrument> {
    let root = Node::root(value);
    let resource_type = root.get("resourceType")?;
    if resource_type.text()? != "Questionnaire" {
        return Err(resource_type.issue("must be \"Questionnaire\""));
    }
    let id_node = root.get("id")?;
    let id = id_node.text()?;
    let id_ok = id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && id.starts_with(|c: char| c.is_ascii_lowercase());
    if !id_ok {
        return Err(id_node.issue(format!(
            "\"{id}\" must be lower-case letters, digits and - and start with a letter"
        )));
    }
    // One file per version: a copied file whose id was not changed would shadow another.
    let base_name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    if base_name != format!("{id}.json") {
        return Err(id_node.issue(format!(
            "\"{id}\" does not match the file name; the file must be called {id}.json"
        )));
    }
    // The translation extensions only make sense against a known base language.
    let language = root.get("language")?;
    if language.text()? != PRIMARY_LANG {
        return Err(language.issue(format!(
            "must be \"{PRIMARY_LANG}\": text and display are Danish, with English translations"
        )));
    }
    let url = root.get("url")?.text()?.to_string();
    let version = root.get("version")?.text()?.to_string();
    let name = root.get("name")?.text()?.to_string();
    let title_da = root.get("title")?.text()?.to_string();
    let status_node = root.get("status")?;
    let status = status_node.text()?;
    if !STATUSES.contains(&status) {
        return Err(status_node.issue(format!(
            "\"{status}\" is not a FHIR status; expected one of {}",
            STATUSES.join(", ")
        )));
    }
    let (pages, index) = parse_pages(&root.get("item")?)?;

    let s = root.get("samspor")?;
    s.only_keys(&[
        "title_en",
        "respondent",
        "age_min",
        "age_max",
        "follow_up",
        "note",
        "staff_notes",
        "scales",
        "gated_sums",
        "derived",
        "band_labels",
        "bands",
        "critical_items",
        "reliable_change",
        "licence",
    ])?;
    let title_en = s.get("title_en")?.text()?.to_string();
    let respondent_node = s.get("respondent")?;
    let respondent_text = respondent_node.text()?;
    let respondent = Respondent::parse(respondent_text).ok_or_else(|| {
        respondent_node.issue(format!(
            "unknown respondent \"{respondent_text}\"; expected parent, child or teacher"
        ))
    })?;
    let age_min = s.get("age_min")?.uint()?;
    let age_max_node = s.get("age_max")?;
    let age_max = age_max_node.uint()?;
    if age_min > age_max {
        return Err(age_max_node.issue(format!("{age_max} is below age_min {age_min}")));
    }
    let follow_up = s.get("follow_up")?.boolean()?;
    let note = s
        .opt("note")?
        .map(|n| n.text().map(str::to_string))
        .transpose()?;

    let mut instrument = Instrument {
        id: id.to_string(),
        url,
        version,
        name,
        status: status.to_string(),
        title_da,
        title_en,
        respondent,
        age_min,
        age_max,
        follow_up,
        note,
        pages,
        scales: Vec::new(),
        band_labels: BTreeMap::new(),
        bands: Vec::new(),
        critical_items: Vec::new(),
        reliable_change: Vec::new(),
        licence: parse_licence(&s.get("licence")?)?,
        index,
    };
    if let Some(notes) = s.opt("staff_notes")? {
        for (link, node) in notes.entries()? {
            attach_staff_note(&mut instrument, link, &node)?;
        }
    }
    for node in s.get("scales")?.non_empty_array()? {
        let scale = parse_item_scale(&instrument, &node)?;
        push_scale(&mut instrument, &node, scale)?;
    }
    for node in optional_list(&s, "gated_sums")? {
        let scale = parse_gated_sum(&instrument, &node)?;
        push_scale(&mut instrument, &node, scale)?;
    }
    for node in optional_list(&s, "derived")? {
        let scale = parse_derived(&instrument, &node)?;
        push_scale(&mut instrument, &node, scale)?;
    }
    if let Some(labels) = s.opt("band_labels")? {
        for (code, node) in labels.entries()? {
            node.only_keys(&["en", "da"])?;
            let label = BandLabel {
                en: node.get("en")?.text()?.to_string(),
                da: node.get("da")?.text()?.to_string(),
            };
            instrument.band_labels.insert(code.to_string(), label);
        }
    }
    for node in optional_list(&s, "bands")? {
        let table = parse_band_table(&instrument, &node)?;
        check_band_table_overlap(&instrument, &node, &table)?;
        instrument.bands.push(table);
    }
    for node in optional_list(&s, "critical_items")? {
        let item = parse_critical_item(&instrument, &node)?;
        instrument.critical_items.push(item);
    }
    for node in optional_list(&s, "reliable_change")? {
        let norm = parse_change_norm(&instrument, &node)?;
        instrument.reliable_change.push(norm);
    }
    Ok(instrument)
}

fn attach_staff_note(instrument: &mut Instrument, link: &str, node: &Node<'_>) -> Res<()> {
    let Some(&(page, pos)) = instrument.index.get(link) else {
        return Err(node.issue(format!("unknown question linkId \"{link}\"")));
    };
    node.only_keys(&["en", "da"])?;
    let note = StaffNote {
        da: node.get("da")?.text()?.to_string(),
        en: node.get("en")?.text()?.to_string(),
    };
    instrument.pages[page].items[pos].staff_note = Some(note);
    Ok(())
}

fn optional_list<'a>(parent: &Node<'a>, key: &str) -> Res<Vec<Node<'a>>> {
    match parent.opt(key)? {
        Some(node) => node.array(),
        None => Ok(Vec::new()),
    }
}

type PageIndex = BTreeMap<String, (usize, usize)>;

fn parse_pages(items: &Node<'_>) -> Res<(Vec<Page>, PageIndex)> {
    let mut pages = Vec::new();
    let mut index = BTreeMap::new();
    let mut page_ids = BTreeSet::new();
    for (p, group) in items.non_empty_array()?.into_iter().enumerate() {
        let kind = group.get("type")?;
        if kind.text()? != "group" {
            return Err(kind.issue(format!(
                "top-level items are pages and must have type \"group\", not \"{}\"",
                kind.text()?
            )));
        }
        let link_node = group.get("linkId")?;
        let link_id = link_node.text()?.to_string();
        if !page_ids.insert(link_id.clone()) || index.contains_key(&link_id) {
            return Err(link_node.issue(format!("linkId \"{link_id}\" is used twice")));
        }
        let (title, title_en) = bilingual(&group, "text")?;
        let mut questions = Vec::new();
        for (q, item) in group
            .get("item")?
            .non_empty_array()?
            .into_iter()
            .enumerate()
        {
            let question = parse_question(&item)?;
            if page_ids.contains(&question.link_id)
                || index.insert(question.link_id.clone(), (p, q)).is_some()
            {
                return Err(item
                    .get("linkId")?
                    .issue(format!("linkId \"{}\" is used twice", question.link_id)));
            }
            questions.push(question);
        }
        pages.push(Page {
            link_id,
            title,
            title_en,
            items: questions,
        });
    }
    Ok((pages, index))
}

fn parse_question(item: &Node<'_>) -> Res<Question> {
    let kind = item.get("type")?;
    match kind.text()? {
        "choice" => {}
        "group" => {
            return Err(kind.issue("pages cannot be nested; questions must have type \"choice\""));
        }
        other => {
            return Err(kind.issue(format!(
                "only \"choice\" questions are supported, not \"{other}\""
            )));
        }
    }
    let link_id = item.get("linkId")?.text()?.to_string();
    let (label, label_en) = bilingual(item, "text")?;
    let option_nodes = item.get("answerOption")?.array()?;
    if option_nodes.len() < 2 {
        return Err(item
            .get("answerOption")?
            .issue("a question needs at least two answer options"));
    }
    let mut options: Vec<AnswerOption> = Vec::new();
    for node in option_nodes {
        let coding = node.get("valueCoding")?;
        let code_node = coding.get("code")?;
        let code = code_node.text()?;
        let value: i64 = code
            .parse()
            .map_err(|_| code_node.issue(format!("\"{code}\" is not a whole number")))?;
        let value = bounded(&code_node, value)?;
        if options.iter().any(|o| o.value == value) {
            return Err(code_node.issue(format!("value {value} is offered twice")));
        }
        let (label, label_en) = bilingual(&coding, "display")?;
        options.push(AnswerOption {
            value,
            label,
            label_en,
        });
    }
    Ok(Question {
        link_id,
        label,
        label_en,
        staff_note: None,
        options,
    })
}

const SCALE_HEAD: [&str; 4] = ["name", "title_en", "title_da", "higher_is"];

struct Head {
    name: String,
    title_en: String,
    title_da: String,
    higher_is: HigherIs,
}

fn parse_head(node: &Node<'_>, extra: &[&str]) -> Res<Head> {
    let allowed: Vec<&str> = SCALE_HEAD.iter().chain(extra).copied().collect();
    node.only_keys(&allowed)?;
    let higher = node.get("higher_is")?;
    let higher_is = match higher.text()? {
        "worse" => HigherIs::Worse,
        "better" => HigherIs::Better,
        other => {
            return Err(higher.issue(format!("\"{other}\" must be \"worse\" or \"better\"")));
        }
    };
    Ok(Head {
        name: identifier(&node.get("name")?)?,
        title_en: node.get("title_en")?.text()?.to_string(),
        title_da: node.get("title_da")?.text()?.to_string(),
        higher_is,
    })
}

fn push_scale(instrument: &mut Instrument, node: &Node<'_>, scale: Scale) -> Res<()> {
    if instrument.scale(&scale.name).is_some() {
        return Err(node
            .get("name")?
            .issue(format!("scale name \"{}\" is used twice", scale.name)));
    }
    instrument.scales.push(scale);
    Ok(())
}

/// The linkIds of a list, each a known question and none twice.
fn question_list<'i>(instrument: &'i Instrument, list: &Node<'_>) -> Res<Vec<&'i Question>> {
    let mut out: Vec<&Question> = Vec::new();
    for node in list.non_empty_array()? {
        let link = node.text()?;
        let question = instrument
            .question(link)
            .ok_or_else(|| node.issue(format!("unknown linkId \"{link}\"")))?;
        if out.iter().any(|q| q.link_id == link) {
            return Err(node.issue(format!("\"{link}\" is listed twice")));
        }
        out.push(question);
    }
    Ok(out)
}

fn parse_item_scale(instrument: &Instrument, node: &Node<'_>) -> Res<Scale> {
    let head = parse_head(node, &["items", "reverse", "min_answered", "prorate"])?;
    let questions = question_list(instrument, &node.get("items")?)?;
    let mut reverse: Vec<String> = Vec::new();
    if let Some(list) = node.opt("reverse")? {
        for item in list.array()? {
            let link = item.text()?;
            let Some(question) = questions.iter().find(|q| q.link_id == link) else {
                return Err(item.issue(format!("\"{link}\" is not one of this scale's items")));
            };
            if reverse.iter().any(|r| r == link) {
                return Err(item.issue(format!("\"{link}\" is listed twice")));
            }
            // Mirroring maps v to min + max − v, which must again be an option.
            let (lo, hi) = (question.min_value(), question.max_value());
            if !question
                .options
                .iter()
                .all(|o| question.accepts(lo + hi - o.value))
            {
                return Err(item.issue(format!(
                    "\"{link}\" cannot be reverse-scored: its option values {} are not symmetric",
                    question.values_text()
                )));
            }
            reverse.push(link.to_string());
        }
    }
    let prorate = match node.opt("prorate")? {
        None => Prorate::None,
        Some(p) => match p.text()? {
            "none" => Prorate::None,
            "mean_round_half_up" => Prorate::MeanRoundHalfUp,
            other => {
                return Err(p.issue(format!(
                    "\"{other}\" must be \"none\" or \"mean_round_half_up\""
                )));
            }
        },
    };
    let count = questions.len();
    let min_answered = match node.opt("min_answered")? {
        None => count,
        Some(m) => {
            let n = m.uint()? as usize;
            if n == 0 || n > count {
                return Err(m.issue(format!("must be between 1 and the {count} items")));
            }
            if prorate == Prorate::None && n != count {
                return Err(m.issue(format!(
                    "without a prorate rule every item must be answered; use {count} or set prorate"
                )));
            }
            n
        }
    };
    Ok(Scale {
        name: head.name,
        title_en: head.title_en,
        title_da: head.title_da,
        higher_is: head.higher_is,
        min: questions.iter().map(|q| q.min_value()).sum(),
        max: questions.iter().map(|q| q.max_value()).sum(),
        rule: ScaleRule::Items {
            items: questions.iter().map(|q| q.link_id.clone()).collect(),
            reverse,
            min_answered,
            prorate,
        },
    })
}

fn parse_gated_sum(instrument: &Instrument, node: &Node<'_>) -> Res<Scale> {
    let head = parse_head(node, &["gate", "items", "recode"])?;
    let gate_node = node.get("gate")?;
    let gate = gate_node.text()?;
    let gate_question = instrument
        .question(gate)
        .ok_or_else(|| gate_node.issue(format!("unknown linkId \"{gate}\"")))?;
    if !gate_question.accepts(0) {
        return Err(gate_node.issue(format!(
            "\"{gate}\" has no option 0, which is the answer that makes the score 0"
        )));
    }
    let items_node = node.get("items")?;
    let questions = question_list(instrument, &items_node)?;
    let recode_node = node.get("recode")?;
    let recode = recode_node
        .non_empty_array()?
        .iter()
        .map(|n| bounded(n, n.int()?))
        .collect::<Res<Vec<i64>>>()?;
    let (mut lo, mut hi) = (0i64, 0i64);
    for (i, question) in questions.iter().enumerate() {
        let mut points = Vec::new();
        for option in &question.options {
            let slot = usize::try_from(option.value)
                .ok()
                .and_then(|v| recode.get(v));
            let Some(&p) = slot else {
                return Err(Issue {
                    field: format!("{}[{i}]", items_node.path),
                    message: format!(
                        "option value {} of \"{}\" has no entry in recode (which covers 0 to {})",
                        option.value,
                        question.link_id,
                        recode.len() - 1
                    ),
                });
            };
            points.push(p);
        }
        lo += points.iter().min().copied().unwrap_or(0);
        hi += points.iter().max().copied().unwrap_or(0);
    }
    Ok(Scale {
        name: head.name,
        title_en: head.title_en,
        title_da: head.title_da,
        higher_is: head.higher_is,
        // The gate answered 0 gives 0, whatever the items could add up to.
        min: lo.min(0),
        max: hi.max(0),
        rule: ScaleRule::GatedSum {
            gate: gate.to_string(),
            items: questions.iter().map(|q| q.link_id.clone()).collect(),
            recode,
        },
    })
}

fn parse_derived(instrument: &Instrument, node: &Node<'_>) -> Res<Scale> {
    let head = parse_head(node, &["op", "of", "factor"])?;
    let of_node = node.get("of")?;
    let mut parts: Vec<&Scale> = Vec::new();
    for item in of_node.non_empty_array()? {
        let name = item.text()?;
        // Only scales defined above: that keeps the order of computation obvious and rules
        // out cycles.
        let scale = instrument.scale(name).ok_or_else(|| {
            item.issue(format!(
                "unknown scale \"{name}\" (a total can only use scales defined before it)"
            ))
        })?;
        if parts.iter().any(|p| p.name == name) {
            return Err(item.issue(format!("\"{name}\" is listed twice")));
        }
        parts.push(scale);
    }
    let op_node = node.get("op")?;
    let (min, max, rule) = match op_node.text()? {
        "sum" => {
            if let Some(f) = node.opt("factor")? {
                return Err(f.issue("only \"multiply\" takes a factor"));
            }
            (
                parts.iter().map(|p| p.min).sum(),
                parts.iter().map(|p| p.max).sum(),
                ScaleRule::Sum {
                    of: parts.iter().map(|p| p.name.clone()).collect(),
                },
            )
        }
        "multiply" => {
            if parts.len() != 1 {
                return Err(of_node.issue("\"multiply\" takes exactly one scale"));
            }
            let factor_node = node.get("factor")?;
            let factor = factor_node.int()?;
            if !(1..=VALUE_LIMIT).contains(&factor) {
                return Err(
                    factor_node.issue(format!("must be between 1 and {VALUE_LIMIT}, not {factor}"))
                );
            }
            (
                parts[0].min * factor,
                parts[0].max * factor,
                ScaleRule::Multiply {
                    of: parts[0].name.clone(),
                    factor,
                },
            )
        }
        other => {
            return Err(op_node.issue(format!("\"{other}\" must be \"sum\" or \"multiply\"")));
        }
    };
    Ok(Scale {
        name: head.name,
        title_en: head.title_en,
        title_da: head.title_da,
        higher_is: head.higher_is,
        min,
        max,
        rule,
    })
}

fn parse_band_table(instrument: &Instrument, node: &Node<'_>) -> Res<BandTable> {
    node.only_keys(&[
        "scale", "verified", "source", "age_min", "age_max", "sex", "rows",
    ])?;
    let scale_node = node.get("scale")?;
    let scale_name = scale_node.text()?;
    let scale = instrument
        .scale(scale_name)
        .ok_or_else(|| scale_node.issue(format!("unknown scale \"{scale_name}\"")))?;
    let age_min = node.opt("age_min")?.map(|n| n.uint()).transpose()?;
    let age_max = match node.opt("age_max")? {
        None => None,
        Some(n) => {
            let max = n.uint()?;
            if age_min.is_some_and(|min| min > max) {
                return Err(n.issue(format!("{max} is below age_min")));
            }
            Some(max)
        }
    };
    let sex = match node.opt("sex")? {
        None => None,
        Some(n) => match n.text()? {
            "female" => Some(Sex::Female),
            "male" => Some(Sex::Male),
            other => return Err(n.issue(format!("\"{other}\" must be \"female\" or \"male\""))),
        },
    };
    let row_nodes = node.get("rows")?.non_empty_array()?;
    let mut rows: Vec<BandRow> = Vec::new();
    for (i, row) in row_nodes.iter().enumerate() {
        row.only_keys(&["band", "min", "max"])?;
        let band_node = row.get("band")?;
        let band = identifier(&band_node)?;
        if !instrument.band_labels.contains_key(&band) {
            return Err(band_node.issue(format!(
                "band \"{band}\" has no entry in samspor.band_labels"
            )));
        }
        if rows.iter().any(|r| r.band == band) {
            return Err(band_node.issue(format!("band \"{band}\" appears twice in this table")));
        }
        let min_node = row.get("min")?;
        let min = min_node.int()?;
        let max_node = row.get("max")?;
        let max = max_node.int()?;
        let expected_min = rows.last().map_or(scale.min, |prev| prev.max + 1);
        if min != expected_min {
            let message = if i == 0 {
                format!(
                    "the first band must start at the scale's minimum {expected_min}, not {min}"
                )
            } else if min == expected_min + 1 {
                format!("gap: score {expected_min} has no band")
            } else if min > expected_min {
                format!("gap: scores {expected_min} to {} have no band", min - 1)
            } else {
                format!("overlaps the previous band; expected {expected_min}")
            };
            return Err(min_node.issue(message));
        }
        if max < min {
            return Err(max_node.issue(format!("{max} is below this band's min {min}")));
        }
        rows.push(BandRow { band, min, max });
    }
    let last = rows.last().map_or(scale.min, |r| r.max);
    if last != scale.max {
        let max_node = row_nodes[row_nodes.len() - 1].get("max")?;
        return Err(max_node.issue(format!(
            "the last band must end at the scale's maximum {}, not {last}",
            scale.max
        )));
    }
    Ok(BandTable {
        scale: scale.name.clone(),
        verified: node.get("verified")?.boolean()?,
        source: node.get("source")?.text()?.to_string(),
        age_min,
        age_max,
        sex,
        rows,
    })
}

/// Two tables that could both apply to the same child would make the band depend on the
/// order in the file.
fn check_band_table_overlap(
    instrument: &Instrument,
    node: &Node<'_>,
    table: &BandTable,
) -> Res<()> {
    for other in instrument.bands.iter().filter(|t| t.scale == table.scale) {
        let clash = match (table.is_restricted(), other.is_restricted()) {
            (false, false) => true,
            (true, true) => {
                let (a_lo, a_hi) = table.age_window();
                let (b_lo, b_hi) = other.age_window();
                let ages_meet = a_lo <= b_hi && b_lo <= a_hi;
                let sexes_meet =
                    table.sex.is_none() || other.sex.is_none() || table.sex == other.sex;
                ages_meet && sexes_meet
            }
            _ => false,
        };
        if clash {
            return Err(node.issue(format!(
                "a second band table for scale \"{}\" that applies to the same children",
                table.scale
            )));
        }
    }
    Ok(())
}

fn parse_critical_item(instrument: &Instrument, node: &Node<'_>) -> Res<CriticalItem> {
    node.only_keys(&["link_id", "values", "code", "message_en", "message_da"])?;
    let link_node = node.get("link_id")?;
    let link = link_node.text()?;
    let question = instrument
        .question(link)
        .ok_or_else(|| link_node.issue(format!("unknown linkId \"{link}\"")))?;
    let mut values = Vec::new();
    for v in node.get("values")?.non_empty_array()? {
        let value = v.int()?;
        if !question.accepts(value) {
            return Err(v.issue(format!(
                "{value} is not an option of \"{link}\" ({})",
                question.values_text()
            )));
        }
        values.push(value);
    }
    Ok(CriticalItem {
        link_id: link.to_string(),
        values,
        code: identifier(&node.get("code")?)?,
        message_en: node.get("message_en")?.text()?.to_string(),
        message_da: node.get("message_da")?.text()?.to_string(),
    })
}

fn parse_change_norm(instrument: &Instrument, node: &Node<'_>) -> Res<ChangeNorm> {
    node.only_keys(&["scale", "sd", "reliability", "verified", "source"])?;
    let scale_node = node.get("scale")?;
    let scale = scale_node.text()?;
    if instrument.scale(scale).is_none() {
        return Err(scale_node.issue(format!("unknown scale \"{scale}\"")));
    }
    if instrument.change_norm(scale).is_some() {
        return Err(scale_node.issue(format!("scale \"{scale}\" already has norms")));
    }
    let sd_node = node.get("sd")?;
    let sd = sd_node.number()?;
    if sd <= 0.0 {
        return Err(sd_node.issue(format!("must be above 0, not {sd}")));
    }
    let r_node = node.get("reliability")?;
    let reliability = r_node.number()?;
    // r = 1 would make every change, however small, reliable (division by zero).
    if !(0.0..1.0).contains(&reliability) {
        return Err(r_node.issue(format!("must be at least 0 and below 1, not {reliability}")));
    }
    Ok(ChangeNorm {
        scale: scale.to_string(),
        sd,
        reliability,
        verified: node.get("verified")?.boolean()?,
        source: node.get("source")?.text()?.to_string(),
    })
}

fn parse_licence(node: &Node<'_>) -> Res<Licence> {
    node.only_keys(&[
        "holder",
        "electronic_use_requires_agreement",
        "may_render_items_electronically",
        "note",
        "verified",
        "source",
    ])?;
    Ok(Licence {
        holder: node.get("holder")?.text()?.to_string(),
        electronic_use_requires_agreement: node
            .get("electronic_use_requires_agreement")?
            .boolean()?,
        may_render_items_electronically: node.get("may_render_items_electronically")?.boolean()?,
        note: node.get("note")?.text()?.to_string(),
        verified: node.get("verified")?.boolean()?,
        source: node.get("source")?.text()?.to_string(),
    })
}
