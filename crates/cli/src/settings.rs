//! Everything an operator sets for `samspor serve`, read once from flags and the environment
//! and handed down to the web server as one `Settings`.

use clap::Args;

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
        }
    }
}
