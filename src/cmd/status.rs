//! `mailfino-sf status`: what is configured, offline and at once. Every stored profile (or only
//! `--profile`): login URL, the Consumer Key masked, where the secret and the refresh token are
//! kept (and an admin's token kept by `audit --keep-admin-token`), the last login's identity, when `refresh` and `verify` last ran and how they ended, and
//! mailfino's env file with whether it still matches the profile.
//!
//! Invariants: no network, no write, never a secret (the key is masked; the secret is only
//! compared with the env file's value, never shown).

use std::path::Path;
use std::process::ExitCode;

use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;

use crate::context::{no_such_profile, Context, ENV_OVERRIDES};
use crate::error::Result;
use crate::mailfino_env::{self, Reading};
use crate::salesforce::values;
use crate::store::config::{LastRun, Profile};
use crate::store::secrets::{SecretKey, Source};
use crate::ui::{out, sanitize, Ui};

/// One profile as `status` reports it.
#[derive(Debug, Serialize)]
pub struct ProfileStatus {
    pub name: String,
    pub current: bool,
    pub login_url: Option<String>,
    /// The Consumer Key, masked (`3MVG…WXYZ`).
    pub client_id: Option<String>,
    /// Where the Consumer Secret is kept: `keyring`, `file store`, or null.
    pub client_secret: Option<&'static str>,
    /// Where the refresh token is kept, or null when there is none.
    pub refresh_token: Option<&'static str>,
    /// Where an admin's refresh token kept by `audit --keep-admin-token` is, or null when none is
    /// kept (never its value). `logout` revokes and deletes it.
    pub admin_token: Option<&'static str>,
    pub username: Option<String>,
    pub org_id: Option<String>,
    pub instance_url: Option<String>,
    pub last_refresh: Option<LastRun>,
    pub last_verify: Option<LastRun>,
    pub env_file: Option<EnvFileStatus>,
    /// The secrets went to the file store because no keyring answered (the one-time warning).
    pub keyring_fallback: bool,
    /// A secret could not be read (the store failed); the message says why.
    pub store_error: Option<String>,
}

/// mailfino's env file and whether it matches the profile.
#[derive(Debug, Serialize)]
pub struct EnvFileStatus {
    pub path: String,
    /// `matches`, `differs`, `missing` or `unreadable`.
    pub state: &'static str,
    /// The keys that differ or are absent, or why the file cannot be read.
    pub detail: Option<String>,
}

pub fn run(ctx: &Context) -> Result<ExitCode> {
    let cfg = ctx.load_config()?;
    // The fallback to the file store is shown as a reminder per profile, not as a warning.
    ctx.secrets().quiet();
    let names: Vec<&String> = if ctx.profile_explicit {
        if cfg.profile(&ctx.profile).is_none() {
            return Err(no_such_profile(&ctx.profile, &cfg));
        }
        cfg.profiles.keys().filter(|k| **k == ctx.profile).collect()
    } else {
        cfg.profiles.keys().collect()
    };
    let statuses: Vec<ProfileStatus> = names.iter().map(|name| profile_status(ctx, name, &cfg.profiles[*name])).collect();
    let overrides: Vec<&str> = ENV_OVERRIDES.iter().copied().filter(|n| ctx.env(n).is_some()).collect();
    if ctx.json {
        out(&json!({
            "ok": true, "config_dir": ctx.config_dir.display().to_string(), "current_profile": ctx.profile,
            "profiles": statuses, "env_overrides": overrides,
        })
        .to_string());
    } else {
        print_human(ctx, &statuses, &overrides);
    }
    Ok(ExitCode::SUCCESS)
}

fn profile_status(ctx: &Context, name: &str, p: &Profile) -> ProfileStatus {
    let mut store_error = None;
    let mut lookup = |key: SecretKey| match ctx.secrets().get(name, key) {
        Ok(found) => found,
        Err(e) => {
            store_error = Some(e.message);
            None
        }
    };
    let secret = lookup(SecretKey::ClientSecret);
    let token = lookup(SecretKey::RefreshToken);
    let admin = lookup(SecretKey::AdminRefreshToken);
    let env_file = p.env_file.as_deref().map(|path| env_file_status(path, p, secret.as_ref().map(|s| &s.0)));
    let keyring_fallback =
        p.keyring_fallback_noted && [&secret, &token, &admin].iter().any(|s| s.as_ref().is_some_and(|s| s.1 == Source::File));
    ProfileStatus {
        name: name.to_string(),
        current: name == ctx.profile,
        login_url: p.login_url.clone(),
        client_id: p.client_id.as_deref().map(mask),
        client_secret: secret.as_ref().map(|s| s.1.label()),
        refresh_token: token.as_ref().map(|s| s.1.label()),
        admin_token: admin.as_ref().map(|s| s.1.label()),
        username: p.username.clone(),
        org_id: p.org_id.clone(),
        instance_url: p.instance_url.clone(),
        last_refresh: p.last_refresh.clone(),
        last_verify: p.last_verify.clone(),
        env_file,
        keyring_fallback,
        store_error,
    }
}

/// `3MVG9abc…WXYZ` style: enough to recognise the key, not enough to use it elsewhere.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = sanitize(key).chars().collect();
    match chars.len() {
        0..=6 => "…".to_string(),
        7..=15 => format!("{}…", chars[..3].iter().collect::<String>()),
        n => format!("{}…{}", chars[..4].iter().collect::<String>(), chars[n - 4..].iter().collect::<String>()),
    }
}

/// Compares mailfino's env file with the profile (the four `MAILFINO_SALESFORCE_*` keys and the
/// file's privacy), through the comparison `verify` uses ([`mailfino_env::compare`]).
fn env_file_status(path: &Path, p: &Profile, secret: Option<&SecretString>) -> EnvFileStatus {
    let callback = p.callback_url.clone().unwrap_or_else(|| values::CLOUD_CALLBACK.to_string());
    let expected = mailfino_env::Expected {
        client_id: p.client_id.as_deref().unwrap_or_default(),
        client_secret: secret,
        login_url: p.login_url.as_deref().unwrap_or_default(),
        callback_url: &callback,
    };
    let status = |state, detail: Option<String>| EnvFileStatus { path: path.display().to_string(), state, detail };
    match mailfino_env::compare(path, &expected) {
        Reading::Missing => status("missing", Some("the file does not exist".into())),
        Reading::Unreadable { why, .. } => status("unreadable", Some(why)),
        Reading::Read(file) => {
            let mut detail = file.differing_keys().join(", ");
            if file.others_can_read() {
                let sep = if detail.is_empty() { "" } else { "; " };
                detail = format!("{detail}{sep}other users can read it");
            }
            if detail.is_empty() {
                status("matches", None)
            } else {
                status("differs", Some(detail))
            }
        }
    }
}

fn print_human(ctx: &Context, statuses: &[ProfileStatus], overrides: &[&str]) {
    let ui = &ctx.ui;
    if statuses.is_empty() {
        out(&format!("No profile is set up yet in {}.", ctx.config_dir.display()));
        out("Run `mailfino-sf setup` to create one (`mailfino-sf demo` shows the whole job first).");
    }
    for (i, s) in statuses.iter().enumerate() {
        if i > 0 {
            out("");
        }
        print_profile(ui, s);
    }
    if !overrides.is_empty() {
        out("");
        out(&format!("Environment overrides in effect (they win over the stored values): {}", overrides.join(", ")));
    }
}

fn print_profile(ui: &Ui, s: &ProfileStatus) {
    let current = if s.current { " (current)" } else { "" };
    out(&format!("{}{current}", ui.bold(true).apply_to(format!("profile `{}`", s.name))));
    let row = |label: &str, value: String| out(&format!("  {label:<16} {value}"));
    let or_none = |v: &Option<String>| v.as_deref().map(sanitize).unwrap_or_else(|| "(not set)".into());
    row("login URL", or_none(&s.login_url));
    row("Consumer Key", s.client_id.clone().unwrap_or_else(|| "(not set)".into()));
    row("Consumer Secret", s.client_secret.map(|w| format!("in the {w}")).unwrap_or_else(|| "not stored".into()));
    let who = match (&s.username, &s.org_id) {
        (Some(u), Some(o)) => format!(" (user {}, org {})", sanitize(u), sanitize(o)),
        (Some(u), None) => format!(" (user {})", sanitize(u)),
        _ => String::new(),
    };
    row("refresh token", s.refresh_token.map(|w| format!("stored in the {w}{who}")).unwrap_or_else(|| "none (not logged in)".into()));
    if let Some(w) = s.admin_token {
        row("admin token", format!("an admin's refresh token is kept in the {w} (audit --keep-admin-token); logout revokes it"));
    }
    let run = |r: &Option<LastRun>| match r {
        None => "never".to_string(),
        Some(r) => {
            let mark = if r.ok { ui.green(true).apply_to("ok") } else { ui.red(true).apply_to("failed") };
            format!("{} {mark}: {}", r.at, sanitize(&r.result))
        }
    };
    row("last refresh", run(&s.last_refresh));
    row("last verify", run(&s.last_verify));
    row(
        "env file",
        match &s.env_file {
            None => "none known (setup --env-file PATH writes one)".to_string(),
            Some(e) => match (&e.detail, e.state) {
                (_, "matches") => format!("{}: matches the profile", e.path),
                (Some(d), "differs") => format!("{}: differs from the profile in {d}", e.path),
                (Some(d), state) => format!("{}: {state} ({})", e.path, sanitize(d)),
                (None, state) => format!("{}: {state}", e.path),
            },
        },
    );
    if s.keyring_fallback {
        row("note", "no keyring answered when these secrets were stored; they are in the file store (mode 0600)".into());
    }
    if let Some(e) = &s.store_error {
        row("store error", sanitize(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked() {
        assert_eq!(mask("3MVG9abcdefghijklmnopWXYZ"), "3MVG…WXYZ");
        assert_eq!(mask("3MVG9demo_k"), "3MV…");
        assert_eq!(mask("abc"), "…");
    }
}
