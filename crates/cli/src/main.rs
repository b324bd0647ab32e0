//! `samspor`: runs the server and the operator tasks (accounts, tokens, audit, demo data,
//! questionnaire scoring).

mod export;
mod instruments;
mod output;
mod settings;

use output::say;

use anyhow::{Context, bail};
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use samspor::database;
use samspor::demo::{self, DemoOptions};
use samspor_domain::cpr::Cpr;
use samspor_store::accounts::{self, UserInput};
use samspor_store::audit;
use samspor_store::service::ServiceError;
use samspor_store::{DatabaseTarget, Store};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "samspor",
    version,
    about = "Samspor: the shared system for children and young people in psychological distress"
)]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DatabaseArgs {
    /// Directory of the SQLite database [default: ./samspor-data]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: postgres://… for PostgreSQL, sqlite:… for an SQLite file
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "SAMSPOR_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
}

#[derive(Subcommand)]
// Parsed once at start-up: the size of the `serve` variant costs nothing.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Serve the web UI and the API until Ctrl-C or SIGTERM
    Serve {
        /// Address to listen on; port 0 picks a free port
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Add the demo data to an empty database and print the demo logins
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        definitions: instruments::DefinitionsArgs,
        /// Load the STIME track definitions (tracks/*.json, psychiatry_signs.json) from this
        /// directory instead of the built-in ones
        #[arg(long, value_name = "DIR", env = "SAMSPOR_TRACKS_DIR")]
        tracks_dir: Option<PathBuf>,
        #[command(flatten)]
        settings: settings::ServerSettings,
    },
    /// Create or update the database schema
    Migrate,
    /// Add synthetic demo data (made-up people, CPR numbers that belong to no one)
    Demo {
        /// Same seed, same people
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Municipalities with staff and children: København, Aarhus, then others
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=98))]
        municipalities: u16,
        /// Children registered in each municipality
        #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(0..=5000))]
        children: u32,
    },
    /// Staff accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The tamper-evident audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Reports to national bodies
    Export {
        #[command(subcommand)]
        command: export::ExportCommand,
    },
    /// Score one set of answers with an instrument and print the scores as JSON (no database)
    Score(instruments::ScoreArgs),
    /// The questionnaire definitions (no database)
    Instruments {
        #[command(subcommand)]
        command: instruments::InstrumentsCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account; prints its id
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, coordinator, therapist, psychiatry, gp, kit_coordinator, secretariat or analyst
        #[arg(long)]
        role: String,
        /// Organisation code: a municipality (0101), a region (DK-84) or a unit (U000001)
        #[arg(long)]
        org: String,
        /// Read the password from the first line of standard input, so it stays out of the
        /// shell history and the process list
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable an account: it cannot log in, its sessions end and its API tokens are revoked
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; it is printed once and cannot be shown again
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// How many days the token works (1–730)
        #[arg(long, default_value_t = 365, value_name = "DAYS")]
        expires_in_days: u32,
    },
    /// List API tokens (never the tokens themselves): id, user, label, created, expires, revoked
    List {
        /// Only this user's tokens
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke an API token by its id (from `token list`); it stops working at once
    Revoke {
        #[arg(long)]
        id: uuid::Uuid,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain of the audit log
    Verify,
    /// Every audit entry about one child, as JSON, for a citizen's access request
    Export {
        /// The child's CPR number
        #[arg(long, value_name = "CPR")]
        child: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = parse_args();
    init_logging();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(&err),
    }
}

/// Parses the arguments, settling `--data-dir` against `--database-url`: given both on the
/// command line they contradict each other, but an explicit `--data-dir` beats a URL that
/// only comes from the environment, as flags usually beat the environment.
fn parse_args() -> Cli {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if cli.database.data_dir.is_some() {
        if matches.value_source("database_url") == Some(ValueSource::CommandLine) {
            Cli::command()
                .error(
                    ErrorKind::ArgumentConflict,
                    "--data-dir and --database-url name two different databases; give one",
                )
                .exit();
        }
        cli.database.database_url = None;
    }
    cli
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SAMSPOR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only help a person at a terminal; in files and pipes they are noise.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Field errors are the user's to fix, so they get their own exit code (2, like a usage
/// error) and one line per field; anything else is a failure (1).
fn report(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", message(err));
    if let Some(ServiceError::Invalid(fields)) = err.downcast_ref::<ServiceError>() {
        for f in &fields.0 {
            eprintln!("  {}: {}", f.field, f.message_en);
        }
        return ExitCode::from(2);
    }
    ExitCode::FAILURE
}

/// The error and its causes on one line. Several error types repeat their source in their
/// own message, so a cause already told is not told again.
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// `samspor user …`: staff accounts.
async fn user_command(
    store: &Store,
    command: UserCommand,
    password: Option<String>,
) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            org,
            password_stdin: _,
        } => {
            let user = accounts::add_user(
                store,
                UserInput {
                    email: &email,
                    name: &name,
                    role: &role,
                    org_code: &org,
                    password: password.as_deref().unwrap_or(""),
                },
                chrono::Utc::now(),
            )
            .await?;
            tracing::info!(user_id = %user.id, role = user.role.as_str(), "user created");
            say!("{}", user.id);
        }
        UserCommand::Disable { email } => {
            let (sessions, tokens) = accounts::disable_user(store, &email).await?;
            say!("disabled; {sessions} session(s) ended, {tokens} API token(s) revoked");
        }
    }
    Ok(())
}

/// `samspor token …`: API tokens.
async fn token_command(store: &Store, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            email,
            label,
            expires_in_days,
        } => {
            say!(
                "{}",
                accounts::create_api_token(store, &email, &label, expires_in_days).await?
            );
        }
        TokenCommand::List { email } => {
            let when = |d: Option<chrono::DateTime<chrono::Utc>>| {
                d.map_or("-".to_string(), |d| {
                    d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                })
            };
            for t in accounts::list_api_tokens(store, email.as_deref()).await? {
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.email,
                    t.label,
                    when(Some(t.created_at)),
                    when(t.expires_at),
                    when(t.revoked_at)
                );
            }
        }
        TokenCommand::Revoke { id } => {
            accounts::revoke_api_token(store, id).await?;
            say!("revoked {id}");
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = &cli.database;
    // Resolved only by the commands that use a database, so that the others work without one.
    let open = async || -> anyhow::Result<Arc<Store>> {
        let target = database::target(db.data_dir.clone(), db.database_url.as_deref())?;
        open_store(&target).await
    };
    match cli.command {
        Command::Serve {
            addr,
            demo,
            definitions,
            tracks_dir,
            settings,
        } => {
            // A broken questionnaire or track definition stops start-up before anything else.
            let catalogue = instruments::load(&definitions)?;
            let (tracks, signs) = load_tracks(tracks_dir.as_deref(), &catalogue)?;
            let transports = settings.transports()?;
            // Bound before anything slow, so a taken port fails at once and port 0 is
            // resolved to the real one that gets printed.
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let store = open().await?;
            let state =
                samspor_web::AppState::with_definitions(store.clone(), catalogue, tracks, signs)
                    .with_settings(settings.web())
                    .with_transports(transports);
            serve(listener, state, demo).await
        }
        Command::Migrate => {
            open().await?.close().await;
            say!("database is up to date");
            Ok(())
        }
        Command::Demo {
            seed,
            municipalities,
            children,
        } => {
            let store = open().await?;
            let options = DemoOptions {
                seed,
                municipalities: usize::from(municipalities),
                children: usize::try_from(children)?,
            };
            let summary = demo::seed(&store, &options).await;
            store.close().await;
            let summary = summary?;
            say!(
                "demo data created with seed {seed}: {} municipalities, {} users, {} children \
                 ({} guardians), {} programme participations, {} courses, {} self-referrals \
                 waiting in intake",
                summary.municipalities,
                summary.users,
                summary.children,
                summary.guardians,
                summary.participations,
                summary.courses,
                summary.self_referrals
            );
            print_logins(&summary.logins);
            Ok(())
        }
        Command::User { command } => {
            // The password comes first, so a missing one fails before the database is touched.
            let password = match command {
                UserCommand::Add { .. } => Some(read_password()?),
                UserCommand::Disable { .. } => None,
            };
            let store = open().await?;
            let done = user_command(&store, command, password).await;
            store.close().await;
            done
        }
        Command::Token { command } => {
            let store = open().await?;
            let done = token_command(&store, command).await;
            store.close().await;
            done
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = open().await?;
            let report = store.verify_audit().await;
            store.close().await;
            let report = report?;
            match report.result {
                Ok(()) => {
                    say!("audit log intact: {} entries", report.entries);
                    Ok(())
                }
                Err(chain_break) => bail!("audit log is broken: {chain_break}"),
            }
        }
        Command::Audit {
            command: AuditCommand::Export { child },
        } => {
            let cpr = Cpr::parse(&child)
                .map_err(|e| ServiceError::Invalid(e.to_field_error("child").into()))?;
            let store = open().await?;
            let request_id = format!("cli-{}", uuid::Uuid::new_v4());
            let lines = audit::export_for_child(&store, &request_id, cpr.as_str()).await;
            store.close().await;
            let lines = lines?;
            tracing::info!(entries = lines.len(), %request_id, "audit entries exported");
            say!("{}", serde_json::to_string_pretty(&lines)?);
            Ok(())
        }
        Command::Export { command } => {
            let store = open().await?;
            let done = export::run(&store, &command).await;
            store.close().await;
            done
        }
        Command::Score(args) => instruments::score_command(&args),
        Command::Instruments {
            command: instruments::InstrumentsCommand::LoadTexts { file, definitions },
        } => {
            let store = open().await?;
            let loaded = instruments::load_texts(&store, &file, &definitions).await;
            store.close().await;
            loaded
        }
        Command::Instruments { command } => instruments::instruments_command(&command),
    }
}

/// Opens and migrates the database; every command goes through here first.
async fn open_store(target: &DatabaseTarget) -> anyhow::Result<Arc<Store>> {
    let described = database::describe(target);
    tracing::info!(database = %described, "opening database");
    samspor_store::open(target)
        .await
        .with_context(|| format!("cannot open the database ({described})"))
}

type TrackSet = (
    Vec<samspor_domain::course::tracks::Track>,
    Vec<samspor_domain::course::support::SignRule>,
);

/// The track definitions to serve with: the built-in ones, or those of `--tracks-dir`; either
/// way parsed and checked against the instruments, and a problem names the file and the field.
fn load_tracks(
    dir: Option<&std::path::Path>,
    catalogue: &samspor_domain::instrument::Catalogue,
) -> anyhow::Result<TrackSet> {
    use samspor_domain::course::tracks;
    let Some(dir) = dir else {
        return Ok(tracks::shipped_checked(catalogue)?);
    };
    let unreadable = || format!("cannot read the tracks directory {}", dir.display());
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(unreadable)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(unreadable)?;
    // Only definitions: a README or an editor's backup file beside them is not an error.
    paths.retain(|p| p.extension().is_some_and(|e| e == "json") && p.is_file());
    paths.sort();
    let files = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok((path.display().to_string(), text))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(tracks::load_checked(&files, catalogue)?)
}

async fn serve(
    listener: tokio::net::TcpListener,
    state: samspor_web::AppState,
    with_demo: bool,
) -> anyhow::Result<()> {
    let store = state.store.clone();
    let logins = if with_demo {
        if demo::has_users(&store).await? {
            tracing::info!("the database already has users; no demo data added");
        } else {
            demo::seed(&store, &DemoOptions::default()).await?;
        }
        Some(demo::existing_logins(&store).await?)
    } else {
        None
    };
    let addr = listener.local_addr()?;
    say!("Samspor is listening on http://{addr}/");
    if let Some(logins) = logins {
        print_logins(&logins);
    }
    // Whoever started us (a script, a test) may be waiting for these lines on a pipe.
    std::io::stdout().flush()?;
    let served = samspor_web::serve(listener, state).await;
    store.close().await;
    served.context("the web server stopped")
}

fn print_logins(logins: &[demo::DemoLogin]) {
    if logins.is_empty() {
        say!("no demo logins in this database");
        return;
    }
    say!("demo logins (password for every one: {}):", demo::PASSWORD);
    output::text(&demo::logins_table(logins));
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_string())
}
