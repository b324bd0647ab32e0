//! Everything an operator sets for `samspor serve`, read once from flags and the environment
//! and handed down to the web server as one `Settings`.

use clap::Args;
use samspor_store::notifications::transport::{
    SmsGateway, SmsSettings, Smtp, SmtpSettings, Transports,
};
use std::sync::Arc;

#[derive(Args)]
pub struct ServerSettings {
    /// Mark cookies `Secure`: set when Samspor is served over HTTPS behind a proxy
    #[arg(long, env = "SAMSPOR_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Behind a proxy that sets `X-Forwarded-For`: count the public form's per-address limit
    /// against the address the proxy saw
    #[arg(long, env = "SAMSPOR_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Escalate alerts nobody has acknowledged after this many minutes
    #[arg(
        long,
        env = "SAMSPOR_ALERT_ESCALATE_MINUTES",
        default_value_t = 120,
        value_name = "MINUTES",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    alert_escalate_minutes: u32,
    /// How often to check whether last night's KL deliveries are made
    #[arg(
        long,
        env = "SAMSPOR_EXPORT_CHECK_SECONDS",
        default_value_t = 600,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    export_check_seconds: u64,
    /// How often to send the measurements that have fallen due
    #[arg(
        long,
        env = "SAMSPOR_MEASUREMENT_INTERVAL_SECONDS",
        default_value_t = 300,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    measurement_interval_seconds: u64,
    /// How often to send MedCom messages and read acknowledgements
    #[arg(
        long,
        env = "SAMSPOR_MEDCOM_INTERVAL_SECONDS",
        default_value_t = 30,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    medcom_interval_seconds: u64,
    /// Folder of the MedCom file-drop transport: messages to practices outside Samspor are
    /// written to DIR/out, acknowledgements read from DIR/in (docs/MEDCOM.md)
    #[arg(long, env = "SAMSPOR_MEDCOM_DROP_DIR", value_name = "DIR")]
    medcom_drop_dir: Option<std::path::PathBuf>,
    /// The address Samspor is reached at, e.g. https://samspor.example.dk
    #[arg(long, env = "SAMSPOR_PUBLIC_URL", value_name = "URL", value_parser = samspor_web::parse_public_url)]
    public_url: Option<String>,
    /// How often to send queued e-mail and SMS
    #[arg(
        long,
        env = "SAMSPOR_NOTIFICATION_INTERVAL_SECONDS",
        default_value_t = 15,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    notification_interval_seconds: u64,
    /// The mail server links and notices are e-mailed through (TLS is always required);
    /// without it nothing is e-mailed and pages offer the link to copy
    #[arg(long, env = "SAMSPOR_SMTP_HOST", value_name = "HOST")]
    smtp_host: Option<String>,
    /// The mail server's port: 587 for STARTTLS, 465 with --smtp-implicit-tls
    #[arg(
        long,
        env = "SAMSPOR_SMTP_PORT",
        default_value_t = 587,
        value_name = "PORT"
    )]
    smtp_port: u16,
    /// TLS from the first byte (port 465) instead of STARTTLS
    #[arg(long, env = "SAMSPOR_SMTP_IMPLICIT_TLS")]
    smtp_implicit_tls: bool,
    /// The user name at the mail server, if it asks for one
    #[arg(long, env = "SAMSPOR_SMTP_USERNAME", value_name = "NAME")]
    smtp_username: Option<String>,
    /// The password at the mail server (set it in the environment, not on the command line)
    #[arg(
        long,
        env = "SAMSPOR_SMTP_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    smtp_password: Option<String>,
    /// The sender of Samspor's e-mail, e.g. "Samspor <no-reply@kommune.dk>"
    #[arg(long, env = "SAMSPOR_SMTP_FROM", value_name = "ADDRESS")]
    smtp_from: Option<String>,
    /// A PEM file with a certificate authority the mail server's certificate is trusted by,
    /// besides the usual public ones
    #[arg(long, env = "SAMSPOR_SMTP_CA_FILE", value_name = "FILE")]
    smtp_ca_file: Option<std::path::PathBuf>,
    /// The SMS gateway's URL: it takes {"to", "text"} as JSON and answers 2xx
    #[arg(long, env = "SAMSPOR_SMS_URL", value_name = "URL")]
    sms_url: Option<String>,
    /// The bearer token for the SMS gateway (set it in the environment)
    #[arg(
        long,
        env = "SAMSPOR_SMS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    sms_token: Option<String>,
}

impl ServerSettings {
    pub fn web(&self) -> samspor_web::Settings {
        samspor_web::Settings {
            secure_cookies: self.secure_cookies,
            trust_forwarded_for: self.trust_forwarded_for,
            alert_escalation: chrono::Duration::minutes(i64::from(self.alert_escalate_minutes)),
            export_check: std::time::Duration::from_secs(self.export_check_seconds),
            measurement_interval: std::time::Duration::from_secs(self.measurement_interval_seconds),
            medcom_interval: std::time::Duration::from_secs(self.medcom_interval_seconds),
            medcom_drop_dir: self.medcom_drop_dir.clone(),
            public_url: self.public_url.clone(),
            notification_interval: std::time::Duration::from_secs(
                self.notification_interval_seconds,
            ),
        }
    }

    /// The e-mail and SMS transports the settings name; an error says which setting is wrong.
    pub fn transports(&self) -> anyhow::Result<Transports> {
        let mut t = Transports::default();
        if let Some(host) = &self.smtp_host {
            let Some(from) = &self.smtp_from else {
                anyhow::bail!(
                    "--smtp-host needs --smtp-from (SAMSPOR_SMTP_FROM), the sender address"
                );
            };
            let smtp = Smtp::new(&SmtpSettings {
                host: host.clone(),
                port: self.smtp_port,
                implicit_tls: self.smtp_implicit_tls,
                username: self.smtp_username.clone(),
                password: self.smtp_password.clone(),
                from: from.clone(),
                ca_file: self.smtp_ca_file.clone(),
            })
            .map_err(|e| anyhow::anyhow!("e-mail settings: {e}"))?;
            t.email = Some(Arc::new(smtp));
        }
        if let Some(url) = &self.sms_url {
            let sms = SmsGateway::new(SmsSettings {
                url: url.clone(),
                token: self.sms_token.clone(),
            })
            .map_err(|e| anyhow::anyhow!("SMS settings: {e}"))?;
            t.sms = Some(Arc::new(sms));
        }
        Ok(t)
    }
}
