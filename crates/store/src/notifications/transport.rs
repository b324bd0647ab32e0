//! How a message leaves Samspor: one interface ([`Transport`]) with an SMTP transport (TLS
//! always required) and an SMS gateway transport (JSON over HTTP). Digital Post, for letters and
//! access-log extracts to citizens, is a third transport of the same shape (docs/OPERATIONS.md).

use async_trait::async_trait;
use samspor_domain::notification::Channel;
use std::sync::Arc;
use std::time::Duration;

/// Why a message was not delivered; the text never holds the recipient or the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It may pass later (the server is down, a 4xx of SMTP, a timeout): tried again.
    Retry(String),
    /// Refused for good (an SMTP 5xx at submission, a gateway that refuses the number).
    Bounced(String),
}

#[async_trait]
pub trait Transport: Send + Sync {
    /// Hands one message to the mail server or the gateway. `subject` is empty for an SMS.
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), Failure>;
}

/// The transports a server has, per channel.
#[derive(Clone, Default)]
pub struct Transports {
    pub email: Option<Arc<dyn Transport>>,
    pub sms: Option<Arc<dyn Transport>>,
}

impl Transports {
    pub fn for_channel(&self, channel: Channel) -> Option<&Arc<dyn Transport>> {
        match channel {
            Channel::Email => self.email.as_ref(),
            Channel::Sms => self.sms.as_ref(),
            Channel::Manual => None,
        }
    }

    pub fn channels(&self) -> crate::notifications::Channels {
        crate::notifications::Channels {
            email: self.email.is_some(),
            sms: self.sms.is_some(),
        }
    }
}

/// How the mail server is reached.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `true`: TLS from the first byte (port 465); `false`: STARTTLS, which must succeed.
    pub implicit_tls: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Samspor <no-reply@kommune.dk>`.
    pub from: String,
    /// A PEM file of a certificate authority to trust besides the usual ones (a private CA).
    pub ca_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("implicit_tls", &self.implicit_tls)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Sends e-mail over SMTP; never in clear text.
pub struct Smtp {
    mailer: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Smtp {
    /// Checks the settings and reads the CA file; no connection is made until the first send.
    pub fn new(s: &SmtpSettings) -> Result<Smtp, String> {
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let from = s
            .from
            .parse()
            .map_err(|e| format!("the sender address {:?} is not valid: {e}", s.from))?;
        let mut params = TlsParameters::builder(s.host.clone());
        if let Some(file) = &s.ca_file {
            let pem = std::fs::read(file)
                .map_err(|e| format!("cannot read the CA file {}: {e}", file.display()))?;
            let cert = Certificate::from_pem(&pem).map_err(|e| {
                format!(
                    "the CA file {} is not a PEM certificate: {e}",
                    file.display()
                )
            })?;
            params = params.add_root_certificate(cert);
        }
        let params = params
            .build_rustls()
            .map_err(|e| format!("TLS settings for the mail server: {e}"))?;
        let tls = if s.implicit_tls {
            Tls::Wrapper(params)
        } else {
            Tls::Required(params)
        };
        let mut builder =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&s.host)
                .port(s.port)
                .tls(tls)
                .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Smtp {
            mailer: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Transport for Smtp {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), Failure> {
        use lettre::AsyncTransport;
        let to = to
            .parse()
            .map_err(|_| Failure::Bounced("the e-mail address is not valid".into()))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| Failure::Bounced(format!("the message could not be built: {e}")))?;
        match self.mailer.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Bounced(smtp_error(&e))),
            Err(e) => Err(Failure::Retry(smtp_error(&e))),
        }
    }
}

/// The status code and kind of an SMTP error: the server's own text may quote the address.
fn smtp_error(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) => format!("the mail server answered {code}"),
        None if e.is_timeout() => "the mail server did not answer in time".into(),
        None if e.is_tls() => "TLS with the mail server failed".into(),
        None => "the mail server could not be reached".into(),
    }
}

/// How the SMS gateway is reached: a URL that takes `{"to": "...", "text": "..."}` as JSON with
/// a bearer token, and answers 2xx when it has taken the message.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsSettings {
    pub url: String,
    pub token: Option<String>,
}

impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Sends text messages through an HTTP gateway.
pub struct SmsGateway {
    client: reqwest::Client,
    settings: SmsSettings,
}

impl SmsGateway {
    pub fn new(settings: SmsSettings) -> Result<SmsGateway, String> {
        if !(settings.url.starts_with("https://") || settings.url.starts_with("http://")) {
            return Err("the SMS gateway URL starts with https://".into());
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("HTTP client for the SMS gateway: {e}"))?;
        Ok(SmsGateway { client, settings })
    }
}

#[async_trait]
impl Transport for SmsGateway {
    async fn send(&self, to: &str, _subject: &str, body: &str) -> Result<(), Failure> {
        let mut request = self
            .client
            .post(&self.settings.url)
            .json(&serde_json::json!({ "to": to, "text": body }));
        if let Some(token) = &self.settings.token {
            request = request.bearer_auth(token);
        }
        let status = match request.send().await {
            Ok(r) => r.status(),
            Err(e) if e.is_timeout() => {
                return Err(Failure::Retry(
                    "the SMS gateway did not answer in time".into(),
                ));
            }
            Err(_) => {
                return Err(Failure::Retry(
                    "the SMS gateway could not be reached".into(),
                ));
            }
        };
        let why = format!("the SMS gateway answered {}", status.as_u16());
        match status.as_u16() {
            200..=299 => Ok(()),
            // Too many at once, or a timeout on its side: it may pass.
            408 | 429 => Err(Failure::Retry(why)),
            400..=499 => Err(Failure::Bounced(why)),
            _ => Err(Failure::Retry(why)),
        }
    }
}
