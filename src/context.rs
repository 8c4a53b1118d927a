//! The resolved settings of one run: profile, config dir, store, colour and interactivity, the
//! HTTP client (built on first use, once), and the profile's effective values with the
//! environment overrides of the contract applied on top.
//!
//! The seam between the outside and the work: the only module that reads the process
//! environment ([`Environment`], taken once and typed; `tests/cases/shape.rs` holds that), and the
//! one place that decides where the refresh token comes from ([`TokenSource`]).
//!
//! Environment overrides (`MAILFINO_SF_LOGIN_URL`, `…_CLIENT_ID`, `…_CLIENT_SECRET`,
//! `…_REFRESH_TOKEN`, `…_CALLBACK_URL`, `…_REDIRECT_URI`) take precedence over stored values and
//! are never written anywhere.
//!
//! Numeric settings (`MAILFINO_SF_HTTP_TIMEOUT`, `…_KEYRING_TIMEOUT_MS`, `…_LOCK_TIMEOUT`) are
//! read and range-checked here, once, when the run starts: a value that is not a number, is
//! infinite or out of range is a usage error (exit 2) naming it, before anything happens.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::http::Http;
use crate::salesforce::{explain, values};
use crate::settings::Global;
use crate::store::config::{ConfigFile, Profile};
use crate::store::recovery;
use crate::store::secrets::{SecretKey, Secrets, Source, StoreMode};
use crate::ui::Ui;

/// The process environment as this program reads it, taken once (the first time anything asks)
/// and typed. This module is the only one that reads the environment (a test holds that);
/// everything else asks here.
#[derive(Debug, Default)]
pub struct Environment {
    /// Every variable with a non-empty (trimmed) UTF-8 value, for the `MAILFINO_SF_*` settings.
    values: std::collections::BTreeMap<String, String>,
    /// Names of the variables that must not reach a child process (`MAILFINO_SF_*`,
    /// `MAILFINO_SALESFORCE_*`), whatever their value.
    pub private_names: Vec<std::ffi::OsString>,
    /// `$BROWSER`, when set and not blank.
    pub browser: Option<String>,
    /// An SSH session (`SSH_CONNECTION` or `SSH_TTY` set).
    pub ssh: bool,
    /// A graphical display (`DISPLAY` or `WAYLAND_DISPLAY` set).
    pub display: bool,
    /// Colour is off by the environment: `NO_COLOR` non-empty, or `TERM=dumb`.
    pub no_color: bool,
    /// `COLUMNS`, when it is a number.
    pub columns: Option<usize>,
    /// The test suite's fault switches (`MAILFINO_SF_FAULT`, comma-separated; see `faults`).
    pub faults: Vec<String>,
}

impl Environment {
    fn read() -> Self {
        let mut env = Environment::default();
        for (name, value) in std::env::vars_os() {
            if name.to_str().is_some_and(crate::browser::is_private_var) {
                env.private_names.push(name.clone());
            }
            let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else { continue };
            let value = value.trim();
            if !value.is_empty() {
                env.values.insert(name.to_string(), value.to_string());
            }
        }
        let set = |name: &str| std::env::var_os(name).is_some();
        env.ssh = set("SSH_CONNECTION") || set("SSH_TTY");
        env.display = set("DISPLAY") || set("WAYLAND_DISPLAY");
        env.browser = env.values.get("BROWSER").cloned();
        env.no_color = env.values.contains_key("NO_COLOR") || env.values.get("TERM").is_some_and(|t| t == "dumb");
        env.columns = env.values.get("COLUMNS").and_then(|c| c.parse().ok());
        env.faults = env.values.get("MAILFINO_SF_FAULT").map(|v| v.split(',').map(|f| f.trim().to_string()).collect()).unwrap_or_default();
        env
    }
}

/// The environment of this run (read once).
pub fn environment() -> &'static Environment {
    static ENV: OnceLock<Environment> = OnceLock::new();
    ENV.get_or_init(Environment::read)
}

/// A non-empty environment variable (trimmed), from the snapshot of this run.
pub fn env_var(name: &str) -> Option<String> {
    environment().values.get(name).cloned()
}

/// Where this run's refresh token comes from, decided once when the run starts: the
/// environment (`MAILFINO_SF_REFRESH_TOKEN`, CI) or the profile's store (with its recovery files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Env,
    Store,
}

/// The bounded waits of a run, from the environment.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Whole HTTP exchange, body included (`MAILFINO_SF_HTTP_TIMEOUT`, seconds, default 15).
    pub http: Duration,
    /// One keyring call (`MAILFINO_SF_KEYRING_TIMEOUT_MS`, default 3000).
    pub keyring: Duration,
    /// Waiting for the store or a profile lock (`MAILFINO_SF_LOCK_TIMEOUT`, seconds, default 60).
    pub lock: Duration,
}

impl Limits {
    /// Reads and range-checks the variables.
    pub fn from_env() -> Result<Self> {
        Ok(Limits {
            http: seconds_var("MAILFINO_SF_HTTP_TIMEOUT", 15.0, (0.1, 3600.0))?,
            keyring: seconds_var_ms("MAILFINO_SF_KEYRING_TIMEOUT_MS", 3000, (1, 600_000))?,
            lock: seconds_var("MAILFINO_SF_LOCK_TIMEOUT", 60.0, (0.0, 86_400.0))?,
        })
    }
}

/// A duration in seconds (fractions allowed) from `name`, within `range`.
fn seconds_var(name: &str, default: f64, (min, max): (f64, f64)) -> Result<Duration> {
    let Some(raw) = env_var(name) else { return Ok(Duration::from_secs_f64(default)) };
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(Duration::from_secs_f64(v)),
        _ => Err(Error::usage(format!("{name}=`{}` is not valid", crate::ui::sanitize(&raw)))
            .hint(format!("expected a number of seconds from {min} to {max}, e.g. {default}"))),
    }
}

/// A duration in whole milliseconds from `name`, within `range`.
fn seconds_var_ms(name: &str, default: u64, (min, max): (u64, u64)) -> Result<Duration> {
    let Some(raw) = env_var(name) else { return Ok(Duration::from_millis(default)) };
    match raw.parse::<u64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(Duration::from_millis(v)),
        _ => Err(Error::usage(format!("{name}=`{}` is not valid", crate::ui::sanitize(&raw)))
            .hint(format!("expected whole milliseconds from {min} to {max}, e.g. {default}"))),
    }
}

/// Everything a command needs.
pub struct Context {
    pub profile: String,
    /// `--profile` (or `MAILFINO_SF_PROFILE`) was given: `status` then shows only that profile.
    pub profile_explicit: bool,
    pub config_dir: PathBuf,
    pub ui: Ui,
    pub json: bool,
    pub verbose: bool,
    pub store_mode: StoreMode,
    /// Ignore the MAILFINO_SF_* overrides (the demo's throwaway profile).
    pub ignore_env: bool,
    /// Where the refresh token comes from (decided once, here).
    pub token_source: TokenSource,
    pub limits: Limits,
    secrets: OnceLock<Secrets>,
    http: OnceLock<Http>,
}

impl Context {
    /// The context of a run with these global settings (resolved by `settings`); reads the
    /// numeric limits from the environment (exit 2 when one is out of range).
    pub fn new(global: &Global) -> Result<Self> {
        let Global { profile, profile_explicit, config_dir, store_mode, json, no_color, verbose } = global.clone();
        let limits = Limits::from_env()?;
        crate::store::lock::set_timeout(limits.lock);
        explain::set_run(&profile, None);
        Ok(Context {
            profile,
            profile_explicit,
            config_dir,
            ui: Ui::detect(no_color),
            json,
            verbose,
            store_mode,
            ignore_env: false,
            token_source: if env_var("MAILFINO_SF_REFRESH_TOKEN").is_some() { TokenSource::Env } else { TokenSource::Store },
            limits,
            secrets: OnceLock::new(),
            http: OnceLock::new(),
        })
    }

    /// A context for another profile and config dir, with the same output settings; the
    /// environment overrides are ignored (used by `demo`).
    pub fn isolated(&self, profile: &str, config_dir: PathBuf, store_mode: StoreMode) -> Context {
        Context {
            profile: profile.to_string(),
            profile_explicit: true,
            config_dir,
            ui: self.ui,
            json: false,
            verbose: self.verbose,
            store_mode,
            ignore_env: true,
            token_source: TokenSource::Store,
            limits: self.limits,
            secrets: OnceLock::new(),
            http: OnceLock::new(),
        }
    }

    /// An environment override (MAILFINO_SF_…), unless this context ignores them.
    pub fn env(&self, name: &str) -> Option<String> {
        if self.ignore_env {
            None
        } else {
            env_var(name)
        }
    }

    /// The HTTP client, built once on first use.
    pub fn http(&self) -> Result<&Http> {
        if let Some(h) = self.http.get() {
            return Ok(h);
        }
        let h = Http::new(self.verbose, self.limits.http)?;
        Ok(self.http.get_or_init(|| h))
    }

    /// The secret store, set up on first use.
    pub fn secrets(&self) -> &Secrets {
        self.secrets.get_or_init(|| Secrets::new(self.store_mode, &self.config_dir, self.ui, self.limits.keyring))
    }

    /// Reads config.toml (once per command).
    pub fn load_config(&self) -> Result<ConfigFile> {
        let cfg = ConfigFile::load(&self.config_dir)?;
        for path in [cfg.path.clone(), self.config_dir.join("credentials.toml")] {
            if let Some(w) = crate::store::fsutil::loose_permissions(&path) {
                self.ui.warn(&w);
            }
        }
        Ok(cfg)
    }

    /// The profile must be stored, unless the environment supplies the app (login URL and
    /// Consumer Key: CI's env-only mode). Otherwise exit 3 "no such profile" naming the known ones.
    pub fn require_profile(&self, cfg: &ConfigFile) -> Result<()> {
        let env_only = self.env("MAILFINO_SF_LOGIN_URL").is_some() && self.env("MAILFINO_SF_CLIENT_ID").is_some();
        if cfg.profile(&self.profile).is_some() || env_only {
            return Ok(());
        }
        Err(no_such_profile(&self.profile, cfg))
    }

    /// Whether any `MAILFINO_SF_*` value override is in effect (then nothing is recorded in
    /// config.toml about this run: the results describe the environment, not the profile).
    pub fn overridden(&self) -> bool {
        ENV_OVERRIDES.iter().any(|name| self.env(name).is_some())
    }

    /// Notes how `refresh` or `verify` ended in the stored profile, for `status`. Best effort: a
    /// failure to write the note never changes the command's outcome.
    pub fn record_run(&self, which: RunKind, run: crate::store::config::LastRun) {
        if self.overridden() || !self.config_dir.join("config.toml").exists() {
            return;
        }
        let _ = crate::store::config::update_profile(&self.config_dir, &self.profile, |p| match which {
            RunKind::Refresh => p.last_refresh = Some(run),
            RunKind::Verify => p.last_verify = Some(run),
        });
    }

    /// The profile's effective settings: stored values with the environment on top.
    pub fn settings(&self, cfg: &ConfigFile) -> Settings {
        let base = cfg.profile(&self.profile).cloned().unwrap_or_default();
        let login_url = self.env("MAILFINO_SF_LOGIN_URL").or(base.login_url.clone());
        // Hints name the org's own address when it is known.
        let org = login_url.clone().filter(|u| u.contains(".my.salesforce.com")).or(base.instance_url.clone());
        explain::set_run(&self.profile, org.as_deref());
        Settings {
            login_url: self.env("MAILFINO_SF_LOGIN_URL").or(base.login_url.clone()),
            client_id: self.env("MAILFINO_SF_CLIENT_ID").or(base.client_id.clone()),
            callback_url: self.env("MAILFINO_SF_CALLBACK_URL").or(base.callback_url.clone()),
            redirect_uri: self.env("MAILFINO_SF_REDIRECT_URI").or(base.redirect_uri.clone()),
            stored: base,
        }
    }

    /// The client secret: the environment, else the store.
    pub fn client_secret(&self) -> Result<Option<(SecretString, Source)>> {
        if let Some(v) = self.env("MAILFINO_SF_CLIENT_SECRET") {
            crate::redact::register(&v);
            return Ok(Some((SecretString::from(v), Source::Env)));
        }
        self.secrets().get(&self.profile, SecretKey::ClientSecret)
    }

    /// The refresh token: the environment, else a recovery file (restored into the store first,
    /// see `store::recovery`), else the store.
    pub fn refresh_token(&self) -> Result<Option<(SecretString, Source)>> {
        if let Some(v) = self.env_refresh_token() {
            return Ok(Some((v, Source::Env)));
        }
        if let Some(found) = self.recovered_refresh_token()? {
            return Ok(Some(found));
        }
        self.secrets().get(&self.profile, SecretKey::RefreshToken)
    }

    /// `MAILFINO_SF_REFRESH_TOKEN`, when the token comes from the environment.
    pub fn env_refresh_token(&self) -> Option<SecretString> {
        if self.token_source != TokenSource::Env {
            return None;
        }
        let v = env_var("MAILFINO_SF_REFRESH_TOKEN")?;
        crate::redact::register(&v);
        Some(SecretString::from(v))
    }

    /// The newest recovery file of the profile, restored into the store (and then removed with
    /// the older ones), or used as it is when the store still fails.
    fn recovered_refresh_token(&self) -> Result<Option<(SecretString, Source)>> {
        let files = recovery::find(&self.config_dir, &self.profile);
        let Some(newest) = files.first() else { return Ok(None) };
        let token = recovery::read(newest)?;
        crate::redact::register(token.expose_secret());
        match self.secrets().set(&self.profile, SecretKey::RefreshToken, &token) {
            Ok(to) => {
                recovery::remove(&files);
                self.ui.warn(&format!(
                    "restored the refresh token kept in {} into the {} (an earlier run could not store it)",
                    newest.display(),
                    to.label()
                ));
                Ok(Some((token, to)))
            }
            Err(e) => {
                self.ui.warn(&format!(
                    "using the refresh token kept in {}; it still cannot be stored ({}); fix the store and run any command again",
                    newest.display(),
                    e.message
                ));
                Ok(Some((token, Source::Recovery)))
            }
        }
    }

    /// `--profile X` for hints, empty for the default profile.
    pub fn profile_flag(&self) -> String {
        if self.profile == "default" {
            String::new()
        } else {
            format!(" --profile {}", self.profile)
        }
    }
}

/// The environment overrides of the contract.
pub const ENV_OVERRIDES: [&str; 6] = [
    "MAILFINO_SF_LOGIN_URL",
    "MAILFINO_SF_CLIENT_ID",
    "MAILFINO_SF_CLIENT_SECRET",
    "MAILFINO_SF_REFRESH_TOKEN",
    "MAILFINO_SF_CALLBACK_URL",
    "MAILFINO_SF_REDIRECT_URI",
];

/// Which command's outcome [`Context::record_run`] notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Refresh,
    Verify,
}

/// Exit 3: "no such profile `X`", with the known profiles and the command that creates one.
pub fn no_such_profile(name: &str, cfg: &ConfigFile) -> Error {
    let flag = if name == "default" { String::new() } else { format!(" --profile {name}") };
    let known: Vec<String> = cfg.profiles.keys().map(|k| format!("`{k}`")).collect();
    let (message, pick) = if known.is_empty() {
        (format!("no such profile `{name}`: no profile is set up yet"), String::new())
    } else {
        (format!("no such profile `{name}`; known profiles: {}", known.join(", ")), ", or pass --profile with one of those".to_string())
    };
    Error::not_configured(message).hint(format!("run `mailfino-sf setup{flag}` to create it{pick}"))
}

/// A profile's effective values.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub login_url: Option<String>,
    pub client_id: Option<String>,
    pub callback_url: Option<String>,
    pub redirect_uri: Option<String>,
    /// What config.toml holds (for saving).
    pub stored: Profile,
}

impl Settings {
    /// The validated login URL, or exit 3 naming the fix.
    pub fn require_login_url(&self, ctx: &Context) -> Result<String> {
        let raw = self.login_url.as_deref().ok_or_else(|| not_configured(ctx, "no login URL"))?;
        values::login_url(raw)
    }
    /// The client id, or exit 3 naming the fix.
    pub fn require_client_id(&self, ctx: &Context) -> Result<String> {
        self.client_id.clone().ok_or_else(|| not_configured(ctx, "no Consumer Key (client id)"))
    }
    /// mailfino's callback URL (mailfino Cloud's when none is set).
    pub fn callback(&self) -> String {
        self.callback_url.clone().unwrap_or_else(|| values::CLOUD_CALLBACK.to_string())
    }
    /// The loopback redirect URI (the default when none is set).
    pub fn redirect(&self) -> String {
        self.redirect_uri.clone().unwrap_or_else(|| values::DEFAULT_REDIRECT_URI.to_string())
    }
}

/// "profile X has no Y" with the command that fixes it.
pub fn not_configured(ctx: &Context, what: &str) -> Error {
    Error::not_configured(format!("profile `{}` has {what}", ctx.profile)).hint(explain::hint(&explain::Fix::Setup))
}
