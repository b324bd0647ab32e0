//! `samspor export kl-ltt`: the KL Gateway LTT delivery made by an operator.

use anyhow::Context;
use clap::{Args, Subcommand};
use samspor_domain::validation::FieldErrors;
use samspor_store::Store;
use samspor_store::export::{self, Caller, ExportRequest, System};
use samspor_store::service::ServiceError;
use samspor_store::{DeliverySource, KlDelivery};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ExportCommand {
    /// The KL Gateway LTT report: one report per child whose KL data changed in the period,
    /// checked against KL's profiles, written as a FHIR delivery Bundle and recorded
    #[command(name = "kl-ltt")]
    KlLtt(KlLttArgs),
}

#[derive(Args)]
pub struct KlLttArgs {
    /// Report changes after this RFC 3339 time, e.g. 2026-11-20T00:00:00+01:00
    #[arg(long, value_name = "RFC3339")]
    since: String,
    /// Report changes up to this RFC 3339 time [default: now]
    #[arg(long, value_name = "RFC3339")]
    until: Option<String>,
    /// Only this municipality's courses (its code, e.g. 0316) [default: every organisation]
    #[arg(long, value_name = "CODE")]
    municipality: Option<String>,
    /// Write the delivery to this file [default: standard output]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub async fn run(store: &Store, command: &ExportCommand) -> anyhow::Result<()> {
    let ExportCommand::KlLtt(args) = command;
    let now = chrono::Utc::now();
    let mut errors = FieldErrors::default();
    let since = export::parse_since(&args.since, now)
        .map_err(|e| errors.push(e))
        .ok();
    let until = match &args.until {
        Some(u) => export::parse_until(u, now).map_err(|e| errors.push(e)).ok(),
        None => Some(now),
    };
    let (Some(since), Some(until), true) = (since, until, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors).into());
    };
    let org = match &args.municipality {
        None => None,
        Some(code) => {
            let org = store
                .read(async |tx| tx.organisation_by_code(code.trim()).await)
                .await?;
            let org = org.with_context(|| format!("no organisation has the code {code}"))?;
            Some(org.id)
        }
    };
    let request_id = format!("cli-{}", uuid::Uuid::new_v4());
    let delivery = export::kl_ltt(
        store,
        Caller::System(System {
            source: DeliverySource::Cli,
            request_id: request_id.clone(),
            now,
        }),
        ExportRequest { since, until, org },
    )
    .await?;
    match &args.out {
        Some(path) => write_file(path, &delivery.json)?,
        None => crate::output::line(format_args!("{}", delivery.json)),
    }
    report(&delivery.record, &request_id, args.out.as_ref());
    Ok(())
}

/// Writes next to the target and renames, so a reader never sees half a delivery.
fn write_file(path: &PathBuf, json: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.part");
    std::fs::write(&tmp, json).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// What was made, on standard error so that standard output stays the delivery alone.
fn report(d: &KlDelivery, request_id: &str, out: Option<&PathBuf>) {
    tracing::info!(delivery = %d.id, reports = d.reports, %request_id, "KL delivery recorded");
    let place = out.map_or_else(
        || "standard output".to_string(),
        |p| p.display().to_string(),
    );
    eprintln!(
        "KL delivery {} with {} report(s) for changes after {} up to {} written to {place}",
        d.id,
        d.reports,
        d.since.to_rfc3339(),
        d.until.to_rfc3339()
    );
}
