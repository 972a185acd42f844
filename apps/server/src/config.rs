//! The configuration of the public contract: environment variables, and an
//! optional TOML file (`PORTICO_CONFIG`) that may give the same keys. The
//! environment wins over the file. Secrets in URLs print redacted.

use std::net::SocketAddr;

pub use portico_http::TrustedProxies;

/// Everything the server and the CLI need to start.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The public base URL for links in emails; `None` means `http://<listen>`.
    pub public_url: Option<String>,
    /// `file://DIR`, `smtp://...` or `smtps://...`.
    pub mail: String,
    /// The payment gateway: `sandbox` or `sandbox?settle_after_days=N`.
    pub payments: String,
    /// The `From` of every email, such as `Maple Street Bakery <billing@maple.example>`.
    pub mail_from: String,
    /// Emails sent per second at most (the mail provider's limit); `None` for no limit.
    pub mail_rate: Option<std::num::NonZeroU32>,
    /// Proxies whose `X-Forwarded-For` names the client; by default none,
    /// and the connection's peer is the client.
    pub trusted_proxies: TrustedProxies,
}

/// The file's keys: the environment variables' names without `PORTICO_`, lower-case.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    mail: Option<String>,
    payments: Option<String>,
    mail_from: Option<String>,
    mail_rate: Option<u32>,
    trusted_proxies: Option<String>,
}

/// Why the configuration is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named by `PORTICO_CONFIG` cannot be read.
    #[error("cannot read the configuration file {path}")]
    Read {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("the configuration file {path} is invalid: {reason}")]
    Parse {
        /// The path.
        path: String,
        /// What the parser said.
        reason: String,
    },
    /// A value is invalid.
    #[error("{key} is invalid: {reason}")]
    Invalid {
        /// The variable.
        key: &'static str,
        /// Why.
        reason: String,
    },
}

/// The default SQLite database under `./portico-data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://portico-data/portico.db?mode=rwc";
/// The default address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The default mail transport: `.eml` files under `./portico-data/mail`.
pub const DEFAULT_MAIL: &str = "file://portico-data/mail";
/// The default sender.
pub const DEFAULT_MAIL_FROM: &str = "Portico <no-reply@portico.invalid>";

impl Config {
    /// Reads the process environment (and the file it names).
    ///
    /// # Errors
    /// [`ConfigError`] naming the key or file at fault.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup` (the environment in production, a
    /// map in tests).
    ///
    /// # Errors
    /// [`ConfigError`] naming the key or file at fault.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let file = match lookup("PORTICO_CONFIG") {
            None => FileConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| ConfigError::Read { path: path.clone(), source })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse { path, reason: e.message().to_owned() })?
            }
        };
        let pick = |key: &str, from_file: Option<String>| lookup(key).or(from_file);
        let database_url =
            pick("PORTICO_DATABASE_URL", file.database_url).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            let reason = format!("{} is neither sqlite:... nor postgres://...", redact_url(&database_url));
            return Err(ConfigError::Invalid { key: "PORTICO_DATABASE_URL", reason });
        }
        let listen_text = pick("PORTICO_LISTEN", file.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_text.trim().parse().map_err(|_| ConfigError::Invalid {
            key: "PORTICO_LISTEN",
            reason: format!("{listen_text:?} is not an address such as 127.0.0.1:8080"),
        })?;
        let public_url = pick("PORTICO_PUBLIC_URL", file.public_url).map(|u| u.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            let reason = format!("{url:?} must start with http:// or https://");
            return Err(ConfigError::Invalid { key: "PORTICO_PUBLIC_URL", reason });
        }
        let mail = pick("PORTICO_MAIL", file.mail).unwrap_or_else(|| DEFAULT_MAIL.to_owned());
        let payments = pick("PORTICO_PAYMENTS", file.payments).unwrap_or_else(|| "sandbox".to_owned());
        if let Err(e) = portico_payments::GatewaySpec::parse(&payments) {
            return Err(ConfigError::Invalid { key: "PORTICO_PAYMENTS", reason: e.to_string() });
        }
        let mail_from = pick("PORTICO_MAIL_FROM", file.mail_from).unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned());
        let mail_rate = match lookup("PORTICO_MAIL_RATE").or_else(|| file.mail_rate.map(|r| r.to_string())) {
            None => None,
            Some(text) => Some(text.trim().parse().map_err(|_| ConfigError::Invalid {
                key: "PORTICO_MAIL_RATE",
                reason: format!("{text:?} is not a whole number of emails per second above 0"),
            })?),
        };
        let proxies = pick("PORTICO_TRUSTED_PROXIES", file.trusted_proxies).unwrap_or_default();
        let trusted_proxies = TrustedProxies::parse(&proxies)
            .map_err(|e| ConfigError::Invalid { key: "PORTICO_TRUSTED_PROXIES", reason: e.to_string() })?;
        Ok(Self { database_url, listen, public_url, mail, payments, mail_from, mail_rate, trusted_proxies })
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("mail", &redact_url(&self.mail))
            .field("payments", &self.payments)
            .field("mail_from", &self.mail_from)
            .field("mail_rate", &self.mail_rate)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// A URL with the password of its user part replaced by `***`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            let redacted = if user_info.contains(':') { format!("{user}:***") } else { user.to_owned() };
            format!("{scheme}://{redacted}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_public_contract() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.mail, "file://portico-data/mail");
        assert_eq!(c.payments, "sandbox");
    }

    #[test]
    fn passwords_never_show_in_debug() {
        let c = config(&[
            ("PORTICO_DATABASE_URL", "postgres://app:s3cret@db:5432/portico"),
            ("PORTICO_MAIL", "smtps://mailer:hunter2@smtp.example.com:465"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("app:***@db:5432"), "{shown}");
    }

    #[test]
    fn the_file_adds_keys_and_the_environment_wins() {
        let dir = std::env::temp_dir().join(format!("portico-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("portico.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nmail = \"file://elsewhere\"\n").unwrap();
        let path = path.to_string_lossy().into_owned();
        let c = config(&[("PORTICO_CONFIG", &path), ("PORTICO_MAIL", "file://env-wins")]).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.mail, "file://env-wins");
        std::fs::write(&path, "lisen = 1\n").unwrap();
        assert!(matches!(config(&[("PORTICO_CONFIG", &path)]), Err(ConfigError::Parse { .. })));
    }

    #[test]
    fn invalid_values_name_their_key() {
        let err = config(&[("PORTICO_LISTEN", "localhost")]).unwrap_err();
        assert!(err.to_string().starts_with("PORTICO_LISTEN"), "{err}");
        let err = config(&[("PORTICO_PAYMENTS", "stripe")]).unwrap_err();
        assert!(err.to_string().starts_with("PORTICO_PAYMENTS"), "{err}");
        let err = config(&[("PORTICO_MAIL_RATE", "0")]).unwrap_err();
        assert!(err.to_string().starts_with("PORTICO_MAIL_RATE"), "{err}");
        assert_eq!(config(&[("PORTICO_MAIL_RATE", "200")]).unwrap().mail_rate.map(|r| r.get()), Some(200));
        let err = config(&[("PORTICO_TRUSTED_PROXIES", "10.0.0.0/8, lb.internal")]).unwrap_err();
        assert!(
            err.to_string().starts_with("PORTICO_TRUSTED_PROXIES") && err.to_string().contains("lb.internal"),
            "{err}"
        );
        let proxies = config(&[("PORTICO_TRUSTED_PROXIES", "10.0.0.0/8 ::1")]).unwrap().trusted_proxies;
        assert!(proxies.contains("10.9.8.7".parse().unwrap()) && proxies.contains("::1".parse().unwrap()));
        assert_eq!(config(&[]).unwrap().trusted_proxies, TrustedProxies::default(), "nobody by default");
    }
}
