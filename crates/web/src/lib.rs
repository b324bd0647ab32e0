//! Samspor's web server: the Danish/English web UI and the JSON API, both on axum.
#![forbid(unsafe_code)]

mod accounts;
mod advice;
mod api;
mod audit;
mod auth;
mod chart;
mod children;
mod consent;
mod courses;
mod error;
mod export;
mod i18n;
mod referrals;
pub use i18n::ui_texts;
mod intake;
mod kit;
mod learning_environment;
mod medcom;
mod messages;
mod organisations;
mod pages;
mod questionnaires;
mod request;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use samspor_domain::course::support::SignRule;
use samspor_domain::course::tracks::Track;
use samspor_domain::instrument::Catalogue;
use samspor_store::Store;
use samspor_store::accounts::SessionPolicy;
use samspor_store::courses::Rules;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi_document;
pub use error::WebError;

/// Largest request body accepted (API and forms).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    /// The questionnaires this server knows, loaded and checked at start.
    pub catalogue: Arc<Catalogue>,
    pub sessions: SessionPolicy,
    pub settings: Settings,
    /// The STIME tracks and the signs that call for psychiatry, checked at start.
    pub tracks: Arc<Vec<Track>>,
    pub signs: Arc<Vec<SignRule>>,
    /// Submissions of the public self-referral form per client address.
    pub public_form_limiter: Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>,
    /// How e-mail and SMS leave Samspor; a channel without a transport queues nothing.
    pub outbox: samspor_store::notifications::transport::Transports,
}

/// What an operator sets for a running server. The command line reads these once (flags and
/// environment) and hands them down; nothing in the web crate reads the environment.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Mark cookies `Secure`: set when Samspor is served over HTTPS (behind a proxy).
    pub secure_cookies: bool,
    /// Behind our own proxy, the last `X-Forwarded-For` entry is the client's address.
    pub trust_forwarded_for: bool,
    /// An alert nobody has acknowledged for this long is escalated to every coordinator.
    pub alert_escalation: chrono::Duration,
    /// How often the server checks whether last night's KL deliveries are made.
    pub export_check: std::time::Duration,
    /// How often measurements that have fallen due are sent.
    pub measurement_interval: std::time::Duration,
    /// How often MedCom messages are sent and acknowledgements read.
    pub medcom_interval: std::time::Duration,
    /// The folder of the MedCom file-drop transport (docs/MEDCOM.md); without it, messages to
    /// practices outside Samspor wait.
    pub medcom_drop_dir: Option<std::path::PathBuf>,
    /// The address people and systems reach Samspor at (`https://…`, no trailing slash; see
    /// [`parse_public_url`]). Every link Samspor hands out is built on it; `serve` uses the
    /// listening address when none is configured.
    pub public_url: Option<String>,
    /// How often queued e-mail and SMS are sent.
    pub notification_interval: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            trust_forwarded_for: false,
            alert_escalation: chrono::Duration::minutes(120),
            export_check: std::time::Duration::from_secs(600),
            measurement_interval: std::time::Duration::from_secs(300),
            medcom_interval: std::time::Duration::from_secs(30),
            medcom_drop_dir: None,
            public_url: None,
            notification_interval: std::time::Duration::from_secs(15),
        }
    }
}

/// How many public self-referrals one address may send: a family may need a second try,
/// a script flooding a municipality's queue may not.
pub const PUBLIC_FORM_BURST: u32 = 5;
pub const PUBLIC_FORM_PERIOD: std::time::Duration = std::time::Duration::from_secs(10 * 60);

fn public_form_limiter() -> governor::DefaultKeyedRateLimiter<std::net::IpAddr> {
    let quota = governor::Quota::with_period(PUBLIC_FORM_PERIOD / PUBLIC_FORM_BURST)
        .expect("the period is not zero")
        .allow_burst(std::num::NonZeroU32::new(PUBLIC_FORM_BURST).expect("the burst is not zero"));
    governor::RateLimiter::keyed(quota)
}

/// Checks an operator's public address: `http://` or `https://` and a host, no query, fragment
/// or white space; a trailing slash is dropped.
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("the public URL starts with https:// (or http:// for a local test)")?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty()
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '\\' | '@'))
    {
        return Err(
            "the public URL is a scheme and a host (and port), e.g. https://samspor.example.dk"
                .into(),
        );
    }
    Ok(s.to_string())
}

impl AppState {
    /// Where Samspor's links point: the configured public address, or (in tests, which serve
    /// no listener) `http://localhost`.
    pub fn public_base(&self) -> &str {
        self.settings
            .public_url
            .as_deref()
            .unwrap_or("http://localhost")
    }

    /// What a unit of work needs to send a link: the channels with a transport and the public
    /// address.
    pub fn sending(&self) -> samspor_store::notifications::Sending<'_> {
        samspor_store::notifications::Sending {
            channels: self.outbox.channels(),
            public_base: self.public_base(),
        }
    }

    /// With the transports e-mail and SMS are sent by.
    pub fn with_transports(
        mut self,
        outbox: samspor_store::notifications::transport::Transports,
    ) -> Self {
        self.outbox = outbox;
        self
    }

    /// With the operator's settings in place of the defaults.
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The rules visitation decisions are checked against.
    pub fn rules(&self) -> Rules<'_> {
        Rules {
            tracks: &self.tracks,
            signs: &self.signs,
            catalogue: &self.catalogue,
        }
    }

    /// With the questionnaires shipped in the binary.
    pub fn new(store: Arc<Store>) -> Self {
        Self::with_catalogue(store, Catalogue::shipped())
    }

    pub fn with_catalogue(store: Arc<Store>, catalogue: Catalogue) -> Self {
        let tracks = samspor_domain::course::tracks::shipped()
            .expect("the shipped tracks are checked by the domain tests");
        let signs = samspor_domain::course::support::shipped_signs()
            .expect("the shipped psychiatry signs are checked by the domain tests");
        Self::with_definitions(store, catalogue, tracks, signs)
    }

    /// With tracks and signs loaded (and checked against `catalogue`) by the caller.
    pub fn with_definitions(
        store: Arc<Store>,
        catalogue: Catalogue,
        tracks: Vec<Track>,
        signs: Vec<SignRule>,
    ) -> Self {
        AppState {
            tracks: Arc::new(tracks),
            signs: Arc::new(signs),
            public_form_limiter: Arc::new(public_form_limiter()),
            store,
            catalogue: Arc::new(catalogue),
            sessions: SessionPolicy::default(),
            settings: Settings::default(),
            outbox: Default::default(),
        }
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: pages, API, health checks and the shared middleware.
pub fn app(state: AppState) -> Router {
    // Browsers must keep to HTTPS once they have reached Samspor over it.
    let hsts = state
        .settings
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000"));
    Router::new()
        .merge(pages::router())
        .merge(api::router())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/readyz", axum::routing::get(readyz))
        .fallback(pages::not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Pages and API answers hold personal data: no browser or proxy may keep them. What may
        // be kept (the stylesheet) says so itself.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            // Paths can hold ids but never personal data; query strings are left out
            // because a search term may be a name or a CPR number.
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // A questionnaire link's path is its credential: never log it.
                let path = req.uri().path();
                let path = if path.starts_with("/s/") {
                    "/s/…"
                } else if path.starts_with("/password/") {
                    "/password/…"
                } else {
                    path
                };
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
}

async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, WebError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| WebError::Unavailable(e.to_string()))?;
    Ok("ready")
}

/// Serves until Ctrl-C or SIGTERM, then lets open requests finish.
pub async fn serve(listener: tokio::net::TcpListener, mut state: AppState) -> std::io::Result<()> {
    if state.settings.public_url.is_none() {
        state.settings.public_url = Some(format!("http://{}", listener.local_addr()?));
    }
    let escalation = tokio::spawn(escalate_alerts(state.clone()));
    let kl_export = tokio::spawn(nightly_kl_export(state.clone()));
    let measurements = tokio::spawn(send_due_measurements(state.clone()));
    let base = state.public_base().to_string();
    let transports = samspor_store::medcom::Transports {
        network: match &state.settings.medcom_drop_dir {
            Some(dir) => Some(std::sync::Arc::new(
                samspor_store::medcom::transport::FileDrop::new(dir)?,
            )),
            None => None,
        },
        fhir_base: format!("{base}/fhir/R4"),
    };
    let medcom = tokio::spawn(send_medcom(state.clone(), transports));
    let notifications = tokio::spawn(send_notifications(state.clone()));
    // The peer address is what the public form's per-address limit counts.
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    escalation.abort();
    measurements.abort();
    medcom.abort();
    notifications.abort();
    kl_export.abort();
    served
}

/// Makes each municipality's nightly KL delivery once the Danish day has turned, checking
/// every `Settings::export_check`. Every server runs it; the unique key on (organisation,
/// period end) lets exactly one of them store each delivery.
async fn nightly_kl_export(state: AppState) {
    let mut tick = tokio::time::interval(state.settings.export_check);
    loop {
        tick.tick().await;
        match samspor_store::export::nightly(&state.store, chrono::Utc::now()).await {
            Ok(run) => {
                for d in &run.made {
                    tracing::info!(delivery = %d.id, reports = d.reports, "nightly KL delivery made");
                }
                // Messages name organisation codes and record ids, never a child.
                for (org, message) in &run.failed {
                    tracing::warn!(organisation = %org, %message, "nightly KL delivery refused");
                }
            }
            Err(e) => tracing::warn!(error = %e, "nightly KL delivery failed"),
        }
    }
}

/// Every `Settings::measurement_interval`, sends the course measurements that have fallen
/// due. Several instances may run this at once: a measurement is recorded once per course,
/// so a second sender's attempt is rolled back.
async fn send_due_measurements(state: AppState) {
    let mut tick = tokio::time::interval(state.settings.measurement_interval);
    loop {
        tick.tick().await;
        match samspor_store::courses::measurements::send_due(
            &state.store,
            state.rules(),
            state.sending(),
            chrono::Utc::now(),
        )
        .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(links = n, "due measurements sent"),
            Err(e) => tracing::warn!(error = %e, "sending due measurements failed"),
        }
    }
}

/// Every `Settings::medcom_interval`, sends the MedCom messages that are due and reads the
/// acknowledgements that have arrived. Logs name counts and files, never a child.
async fn send_medcom(state: AppState, transports: samspor_store::medcom::Transports) {
    let mut tick = tokio::time::interval(state.settings.medcom_interval);
    loop {
        tick.tick().await;
        match samspor_store::medcom::dispatch(&state.store, &transports, chrono::Utc::now()).await {
            Ok(run) => {
                if run != Default::default() {
                    tracing::info!(
                        inbox = run.delivered_to_inbox,
                        sent = run.sent,
                        acknowledged = run.acknowledged,
                        retried = run.retried,
                        failed = run.failed,
                        "MedCom messages sent"
                    );
                }
                for file in &run.rejected {
                    tracing::warn!(%file, "MedCom acknowledgement not understood");
                }
            }
            Err(e) => tracing::warn!(error = %e, "sending MedCom messages failed"),
        }
    }
}

/// Every `Settings::notification_interval`, sends the queued e-mail and SMS. Logs counts,
/// never an address.
async fn send_notifications(state: AppState) {
    let mut tick = tokio::time::interval(state.settings.notification_interval);
    loop {
        tick.tick().await;
        match samspor_store::notifications::dispatch(
            &state.store,
            &state.outbox,
            chrono::Utc::now(),
        )
        .await
        {
            Ok(run) if run == Default::default() => {}
            Ok(run) => tracing::info!(
                sent = run.sent,
                retried = run.retried,
                failed = run.failed,
                bounced = run.bounced,
                "notifications sent"
            ),
            Err(e) => tracing::warn!(error = %e, "sending notifications failed"),
        }
    }
}

/// Once a minute, escalates alerts left unacknowledged too long. Several instances
/// may run this at once: the update only touches alerts not yet escalated.
async fn escalate_alerts(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match samspor_store::questionnaires::escalate_overdue(
            &state.store,
            state.settings.alert_escalation,
        )
        .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(alerts = n, "alerts escalated"),
            Err(e) => tracing::warn!(error = %e, "escalating alerts failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
