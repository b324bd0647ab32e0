//! `samspor score` and `samspor instruments`: the questionnaire definitions and the scoring
//! engine from the command line. Pure computation: no database is chosen or opened.

use crate::output::{self, say};
use anyhow::Context;
use clap::{Args, Subcommand};
use samspor_domain::i18n::Lang;
use samspor_domain::instrument::{Answers, Catalogue, Instrument, score};
use samspor_domain::validation::{FieldError, FieldErrors};
use samspor_store::service::ServiceError;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

#[derive(Args, Clone)]
pub struct DefinitionsArgs {
    /// Load the instrument definitions (*.json) from this directory instead of the built-in ones
    #[arg(long, value_name = "DIR")]
    instruments_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct ScoreArgs {
    /// Instrument id, e.g. sdq-parent-4-17
    #[arg(long, value_name = "ID")]
    instrument: String,
    /// JSON file of the form {"answers": {LINKID: value or null}}
    #[arg(long, value_name = "FILE")]
    answers: PathBuf,
    #[command(flatten)]
    definitions: DefinitionsArgs,
}

#[derive(Subcommand)]
pub enum InstrumentsCommand {
    /// One line per instrument: id, respondent, ages, version, title
    List {
        #[command(flatten)]
        definitions: DefinitionsArgs,
    },
    /// One instrument's definition as JSON: pages, questions, scales, bands, licence
    Show {
        /// Instrument id, e.g. sdq-parent-4-17
        id: String,
        #[command(flatten)]
        definitions: DefinitionsArgs,
    },
    /// Load an organisation's licensed item texts (a text pack, JSON) into the database
    LoadTexts {
        /// {"organisation": CODE, "instrument": ID, "lang": "da"|"en", "texts": {LINKID: TEXT}}
        file: PathBuf,
        #[command(flatten)]
        definitions: DefinitionsArgs,
    },
}

/// Prints `{"instrument", "scales", ["critical"]}` for one set of answers.
pub fn score_command(args: &ScoreArgs) -> anyhow::Result<()> {
    let catalogue = load(&args.definitions)?;
    let instrument = find(&catalogue, &args.instrument)?;
    let answers = read_answers(&args.answers)?;
    let scored = score(instrument, &answers).map_err(|fields| {
        anyhow::Error::new(ServiceError::Invalid(fields)).context(format!(
            "the answers in {} do not fit {}",
            args.answers.display(),
            instrument.id()
        ))
    })?;
    let scales: Map<String, Value> = scored
        .scales
        .iter()
        .map(|(name, s)| (name.clone(), json!({"score": s.score, "band": s.band})))
        .collect();
    let mut out = json!({"instrument": instrument.id(), "scales": scales});
    if !scored.critical.is_empty() {
        out["critical"] = serde_json::to_value(&scored.critical)?;
    }
    say!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

pub fn instruments_command(command: &InstrumentsCommand) -> anyhow::Result<()> {
    match command {
        InstrumentsCommand::List { definitions } => {
            let catalogue = load(definitions)?;
            output::text(&list_table(&catalogue));
            Ok(())
        }
        InstrumentsCommand::Show { id, definitions } => {
            let catalogue = load(definitions)?;
            let instrument = find(&catalogue, id)?;
            say!("{}", serde_json::to_string_pretty(instrument)?);
            Ok(())
        }
        InstrumentsCommand::LoadTexts { .. } => {
            unreachable!("load-texts needs the database and is run by main")
        }
    }
}

/// Reads a text pack file and stores it; prints how many texts were loaded.
pub async fn load_texts(
    store: &samspor_store::Store,
    file: &Path,
    definitions: &DefinitionsArgs,
) -> anyhow::Result<()> {
    let catalogue = load(definitions)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let pack: samspor_store::questionnaires::TextPack = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a text pack", file.display()))?;
    let n = samspor_store::questionnaires::load_text_pack(store, &catalogue, &pack).await?;
    say!(
        "{n} texts loaded for {} ({}) in organisation {}",
        pack.instrument,
        pack.lang,
        pack.organisation
    );
    Ok(())
}

/// The definitions to use: the built-in ones, or those of `--instruments-dir`.
pub fn load(args: &DefinitionsArgs) -> anyhow::Result<Catalogue> {
    let Some(dir) = &args.instruments_dir else {
        return Ok(Catalogue::shipped());
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the instruments directory {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read the instruments directory {}", dir.display()))?;
    // Only definitions: a README or an editor's backup file beside them is not an error.
    files.retain(|p| p.extension().is_some_and(|e| e == "json") && p.is_file());
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no instrument definitions (*.json) in {}", dir.display());
    }
    let sources = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok((path.display().to_string(), text))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Catalogue::from_sources(sources)?)
}

/// An unknown id is the user's to fix (exit 2), and the message lists what there is.
fn find<'c>(catalogue: &'c Catalogue, id: &str) -> anyhow::Result<&'c Instrument> {
    catalogue.get(id).ok_or_else(|| {
        let known = catalogue.ids().collect::<Vec<_>>().join(", ");
        let field = FieldError::new(
            "instrument",
            format!("unknown instrument \"{id}\"; known instruments: {known}"),
            format!("ukendt skema \"{id}\"; kendte skemaer: {known}"),
        );
        anyhow::Error::new(ServiceError::Invalid(field.into()))
            .context(format!("unknown instrument \"{id}\""))
    })
}

/// Reads `{"answers": {LINKID: value or null}}`. A file that cannot be read is a failure; one
/// that is read but wrong is the user's to fix, with one line per problem.
fn read_answers(path: &Path) -> anyhow::Result<Answers> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the answers file {}", path.display()))?;
    let invalid = |fields: FieldErrors| {
        anyhow::Error::new(ServiceError::Invalid(fields))
            .context(format!("the answers file {} is not usable", path.display()))
    };
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        invalid(
            FieldError::new(
                "answers",
                format!("not valid JSON: {e}"),
                format!("ikke gyldig JSON: {e}"),
            )
            .into(),
        )
    })?;
    let Some(entries) = doc.get("answers").and_then(Value::as_object) else {
        return Err(invalid(
            FieldError::new(
                "answers",
                "expected {\"answers\": {LINKID: value or null}}",
                "forventede {\"answers\": {LINKID: værdi eller null}}",
            )
            .into(),
        ));
    };
    let mut answers = Answers::new();
    let mut errors = FieldErrors::default();
    for (link_id, value) in entries {
        match value {
            Value::Null => answers.set(link_id.as_str(), None),
            v if v.as_i64().is_some() => answers.set(link_id.as_str(), v.as_i64()),
            other => errors.push(FieldError::new(
                link_id.as_str(),
                format!("{other} is not a whole number or null"),
                format!("{other} er hverken et helt tal eller null"),
            )),
        }
    }
    errors.into_result(answers).map_err(invalid)
}

fn list_table(catalogue: &Catalogue) -> String {
    let rows: Vec<[String; 5]> = catalogue
        .all()
        .iter()
        .map(|i| {
            let (min, max) = i.age_range();
            [
                i.id().to_string(),
                i.respondent().as_str().to_string(),
                format!("{min}-{max}"),
                i.version().to_string(),
                i.title(Lang::En).to_string(),
            ]
        })
        .collect();
    let header = ["ID", "RESPONDENT", "AGES", "VERSION", "TITLE"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter().zip(row) {
            out.push_str(&format!("{cell:<w$}  "));
        }
        out.push_str(&row[4]);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_has_one_aligned_line_per_instrument() {
        let table = list_table(&Catalogue::shipped());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 13);
        assert!(lines[0].starts_with("ID "));
        let title_at = lines[0].find("TITLE").unwrap();
        let sdq = lines
            .iter()
            .find(|l| l.starts_with("sdq-parent-4-17 "))
            .unwrap();
        assert_eq!(&sdq[title_at..], "SDQ – parent report (4–17 years)");
        assert!(sdq.contains(" parent ") && sdq.contains(" 4-17 "));
    }
}
