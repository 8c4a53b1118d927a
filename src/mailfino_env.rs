//! mailfino's environment file as mailfino reads it: the `mailfino_env` check of `verify`, the
//! comparison of a file with a profile's values ([`compare`], also for `status`), and
//! `verify --env-file PATH` without a profile ([`verify_file`]): on mailfino's own server, the
//! file's values are checked live.
//!
//! Invariants: a secret is never shown, only masked (its first four characters and its length);
//! a file that cannot be read is "could not tell" (`warn`), never a pass; a value is read the way
//! a shell or dotenv reader reads it (see [`envfile::values`]), the last assignment counting.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::checks::{self, AppInputs, Check, CheckId, IDS};
use crate::context::Context;
use crate::salesforce::explain::{hint, Fix};
use crate::salesforce::values;
use crate::store::envfile;
use crate::ui::sanitize;

pub const CLIENT_ID: &str = "MAILFINO_SALESFORCE_CLIENT_ID";
pub const CLIENT_SECRET: &str = "MAILFINO_SALESFORCE_CLIENT_SECRET";
pub const LOGIN_URL: &str = "MAILFINO_SALESFORCE_LOGIN_URL";
pub const CALLBACK_URL: &str = "MAILFINO_SALESFORCE_CALLBACK_URL";
/// The four keys mailfino reads, in the order `setup` writes them.
pub const KEYS: [&str; 4] = [CLIENT_ID, CLIENT_SECRET, LOGIN_URL, CALLBACK_URL];

/// The profile's values the file should hold. `login_url` is in its normal form.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub client_id: &'a str,
    /// None: no secret is known, so the file's is not compared.
    pub client_secret: Option<&'a SecretString>,
    pub login_url: &'a str,
    pub callback_url: &'a str,
}

/// How one key of the file compares with the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    Same,
    Missing,
    /// The line is there but its value cannot be read (e.g. an open quote).
    Unreadable(&'static str),
    /// Both values as they may be shown (secrets masked).
    Differs {
        found: String,
        expected: String,
    },
    /// The profile has no value to compare with (no secret known).
    NotCompared,
}

/// A file that could be read, compared key by key.
#[derive(Debug, Clone)]
pub struct FileState {
    /// The file read (symlinks followed).
    pub target: PathBuf,
    /// Its permission bits (None where the platform has none).
    pub mode: Option<u32>,
    pub keys: Vec<(&'static str, KeyState)>,
}

/// What reading mailfino's env file found.
#[derive(Debug, Clone)]
pub enum Reading {
    Missing,
    /// `denied`: this user may not read it (someone else may).
    Unreadable {
        denied: bool,
        why: String,
    },
    Read(FileState),
}

impl FileState {
    /// Other users may read it (the group may: it can be mailfino's).
    pub fn others_can_read(&self) -> bool {
        self.mode.is_some_and(|m| m & 0o007 != 0)
    }
    /// The keys that are missing, unreadable or different (not those left uncompared).
    pub fn differing_keys(&self) -> Vec<&'static str> {
        self.keys.iter().filter(|(_, s)| !matches!(s, KeyState::Same | KeyState::NotCompared)).map(|(k, _)| *k).collect()
    }
    /// One phrase per problem, naming the key (secrets masked).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, state) in &self.keys {
            match state {
                KeyState::Same | KeyState::NotCompared => {}
                KeyState::Missing => out.push(format!("{key} is missing")),
                KeyState::Unreadable(why) => out.push(format!("{key} cannot be read ({why})")),
                KeyState::Differs { found, expected } => out.push(format!("{key} differs (the file has {found}, the profile {expected})")),
            }
        }
        if let Some(mode) = self.mode.filter(|_| self.others_can_read()) {
            out.push(format!("other users can read it (mode {mode:04o})"));
        }
        out
    }
}

/// A secret as it may be shown: its first four characters and its length.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n <= 8 {
        return format!("a {n}-character value");
    }
    format!("{}… ({n} characters)", sanitize(&secret.chars().take(4).collect::<String>()))
}

/// Reads the file at `path` and compares its four keys with `expected`.
pub fn compare(path: &Path, expected: &Expected) -> Reading {
    let File { target, text, mode } = match read(path) {
        Ok(Some(f)) => f,
        Ok(None) => return Reading::Missing,
        Err(Unreadable { denied, why }) => return Reading::Unreadable { denied, why },
    };
    let found = envfile::values(&text, &KEYS);
    let keys = KEYS
        .iter()
        .map(|key| {
            let state = match found.iter().find(|(k, _)| k == key).map(|(_, v)| v) {
                None => KeyState::Missing,
                Some(Err(why)) => KeyState::Unreadable(why),
                Some(Ok(v)) => compare_one(key, v, expected),
            };
            (*key, state)
        })
        .collect();
    Reading::Read(FileState { target, mode, keys })
}

fn compare_one(key: &str, found: &str, e: &Expected) -> KeyState {
    let differs = |shown: fn(&str) -> String, want: &str| KeyState::Differs { found: shown(found), expected: shown(want) };
    let plain = |s: &str| if s.is_empty() { "an empty value".to_string() } else { format!("`{}`", sanitize(s)) };
    match key {
        CLIENT_SECRET => match e.client_secret {
            None => KeyState::NotCompared,
            Some(s) if s.expose_secret() == found => KeyState::Same,
            Some(s) => differs(mask, s.expose_secret()),
        },
        // The login URL is compared in its normal form (a trailing slash is the same URL).
        LOGIN_URL if values::login_url(found).is_ok_and(|u| u == e.login_url) => KeyState::Same,
        LOGIN_URL => differs(plain, e.login_url),
        CLIENT_ID if found == e.client_id => KeyState::Same,
        CLIENT_ID => differs(plain, e.client_id),
        CALLBACK_URL if found == e.callback_url => KeyState::Same,
        _ => differs(plain, e.callback_url),
    }
}

/// A file as read: the path read (symlinks followed), its text and its mode.
struct File {
    target: PathBuf,
    text: String,
    mode: Option<u32>,
}

/// Why a file could not be read; `denied`: this user may not (someone else may).
struct Unreadable {
    denied: bool,
    why: String,
}

/// Reads the file; `Ok(None)` when it does not exist.
fn read(path: &Path) -> Result<Option<File>, Unreadable> {
    let target = envfile::resolve(path).map_err(|e| Unreadable { denied: false, why: e.message })?;
    match envfile::read(&target) {
        Ok(None) => Ok(None),
        Ok(Some(text)) => Ok(Some(File { mode: mode_of(&target), target, text })),
        Err(e) => Err(Unreadable { denied: e.kind() == std::io::ErrorKind::PermissionDenied, why: e.to_string() }),
    }
}

fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The `mailfino_env` check of `verify` for a profile: `path` is `--env-file` or the profile's
/// `env_file` (None: skip).
pub fn check(ctx: &Context, path: Option<&Path>, expected: &Expected) -> Check {
    const ID: CheckId = CheckId::MailfinoEnv;
    let Some(path) = path else {
        return Check::skip(
            ID,
            format!(
                "no env file of mailfino's is known (`mailfino-sf setup{} --env-file PATH` records it; `verify --env-file PATH` checks one)",
                ctx.profile_flag()
            ),
        );
    };
    let shown = path.display();
    let rewrite = hint(&Fix::EnvFileRewrite { path: shown.to_string() });
    match compare(path, expected) {
        Reading::Missing => Check::fail(ID, format!("mailfino's env file {shown} does not exist"), rewrite),
        Reading::Unreadable { denied: true, why } => Check::warn(
            ID,
            format!("could not tell whether mailfino's env file {shown} matches: {}", sanitize(&why)),
            hint(&Fix::EnvFileUnreadable),
        ),
        Reading::Unreadable { why, .. } => {
            Check::fail(ID, format!("mailfino's env file {shown} cannot be read: {}", sanitize(&why)), rewrite)
        }
        Reading::Read(state) => file_check(ID, path, &state, &rewrite),
    }
}

fn file_check(id: CheckId, path: &Path, state: &FileState, rewrite: &str) -> Check {
    let problems = state.problems();
    let shown = path.display();
    if !problems.is_empty() {
        let mut hint = rewrite.to_string();
        if state.others_can_read() {
            hint = format!("{hint}; `chmod o-rwx {}`", state.target.display());
        }
        return Check::fail(id, format!("mailfino's env file {shown}: {}", problems.join("; ")), hint);
    }
    if state.keys.iter().any(|(_, s)| *s == KeyState::NotCompared) {
        return Check::warn(
            id,
            format!("mailfino's env file {shown} matches the profile, but its {CLIENT_SECRET} was not compared (no secret is known)"),
            hint(&Fix::Setup),
        );
    }
    Check::pass(id, format!("mailfino's env file {shown} holds the profile's four MAILFINO_SALESFORCE_* values and is private"))
}

/// `verify --env-file PATH` without a profile: the file's values, checked live as mailfino would
/// use them. Tokens are mailfino's own business: the token checks are skipped.
pub fn verify_file(ctx: &Context, path: &Path) -> Vec<Check> {
    let shown = path.display().to_string();
    let file = match read(path) {
        Ok(Some(x)) => x,
        Ok(None) => return config_failed(Check::fail(CheckId::Config, format!("{shown} does not exist"), hint(&Fix::EnvFilePath))),
        Err(Unreadable { why, .. }) => {
            return config_failed(Check::fail(
                CheckId::Config,
                format!("{shown} cannot be read: {}", sanitize(&why)),
                hint(&Fix::EnvFileUnreadable),
            ));
        }
    };
    let found = envfile::values(&file.text, &KEYS);
    let get = |k: &str| found.iter().find(|(f, _)| *f == k).and_then(|(_, v)| v.clone().ok()).filter(|v| !v.is_empty());
    let absent: Vec<&str> = KEYS.iter().copied().filter(|k| get(k).is_none()).collect();
    if !absent.is_empty() {
        return config_failed(Check::fail(
            CheckId::Config,
            format!("{shown} does not hold {}", absent.join(", ")),
            hint(&Fix::EnvFileValues),
        ));
    }
    let login_url = match values::login_url(&get(LOGIN_URL).unwrap_or_default()) {
        Ok(u) => u,
        Err(e) => return config_failed(Check::from_error(CheckId::Config, &e.context(LOGIN_URL))),
    };
    let (client_id, callback) = (get(CLIENT_ID).unwrap_or_default(), get(CALLBACK_URL).unwrap_or_default());
    let secret = SecretString::from(get(CLIENT_SECRET).unwrap_or_default());
    let mut out = vec![
        Check::pass(CheckId::Config, format!("read mailfino's four MAILFINO_SALESFORCE_* values from {shown} (no profile)")),
        checks::callback_url_check(&callback),
    ];
    match ctx.http() {
        Ok(http) => {
            let redirect = values::DEFAULT_REDIRECT_URI;
            let inputs =
                AppInputs { http, login_url: &login_url, client_id: &client_id, callback: &callback, redirect, secret: Some(&secret) };
            out.extend(checks::app_checks(&inputs).into_iter().map(|c| match c.id {
                CheckId::LoopbackRegistered => {
                    Check::skip(c.id, "only `mailfino-sf login` needs it; it is not part of mailfino's configuration")
                }
                _ => c,
            }));
        }
        Err(e) => out.push(Check::from_error(CheckId::LoginHost, &e)),
    }
    let done: Vec<CheckId> = out.iter().map(|c| c.id).collect();
    let tokens = "mailfino keeps its own tokens; the env file holds none";
    out.extend(IDS.iter().filter(|id| !done.contains(id) && **id != CheckId::MailfinoEnv).map(|&id| Check::skip(id, tokens)));
    out.push(privacy_check(&shown, &file));
    out.sort_by_key(|c| IDS.iter().position(|id| *id == c.id));
    out
}

/// The file's own `mailfino_env` in file mode: it exists and others may not read it.
fn privacy_check(shown: &str, file: &File) -> Check {
    let state = FileState { target: file.target.clone(), mode: file.mode, keys: Vec::new() };
    if state.others_can_read() {
        let hint = format!("`chmod o-rwx {}`", state.target.display());
        Check::fail(CheckId::MailfinoEnv, format!("mailfino's env file {shown}: {}", state.problems().join("; ")), hint)
    } else {
        Check::pass(CheckId::MailfinoEnv, format!("mailfino's env file {shown} is private (other users may not read it)"))
    }
}

/// `config` failed in file mode: everything after it is skipped.
fn config_failed(config: Check) -> Vec<Check> {
    let why = "mailfino's settings could not be read from the env file";
    std::iter::once(config).chain(IDS.iter().skip(1).map(|&id| Check::skip(id, why))).collect()
}
