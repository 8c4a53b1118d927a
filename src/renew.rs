//! The refresh sequence shared by `refresh` and `verify`: lock the profile, read the refresh
//! token (restoring a recovery file first), refresh, persist a rotated token before success is
//! reported.
//!
//! Invariants: two runs on one profile never spend the same rotating token (the profile lock
//! covers read-refresh-store; the store lock covers each write); a rotated token is never lost:
//! if the store fails it goes to a recovery file (see `store::recovery`) whose path is printed
//! (exit 7), and SIGINT/SIGTERM are deferred from before the grant is sent until it is stored
//! (see `signals`). A token that came from the environment is never written anywhere but
//! `--rotated-token-out`, and without that flag nothing is sent at all.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::context::{Context, TokenSource};
use crate::error::{Error, Result};
use crate::oauth;
use crate::salesforce::explain::{self, Fix};
use crate::salesforce::types::TokenResponse;
use crate::signals::Critical;
use crate::store::secrets::{SecretKey, Source};
use crate::store::{fsutil, recovery, ProfileLock};

/// Where a rotated refresh token went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotated {
    Store(Source),
    File(PathBuf),
}

/// A successful renewal.
#[derive(Debug)]
pub struct Renewed {
    pub tokens: TokenResponse,
    pub rotated: Option<Rotated>,
    /// Where the refresh token came from.
    pub source: Source,
}

/// The exact failure message when rotation spent a token from the environment.
pub fn spent_env_token_error() -> Error {
    Error::refused("refresh token rotation is on: the refresh token from MAILFINO_SF_REFRESH_TOKEN is now spent, and Salesforce's new one could not be kept")
        .hint("set up CI with `--rotated-token-out PATH` and store that file's token back into the CI secret after each run")
        .hint("or, for this tool's login, choose \"Refresh token is valid until revoked\" without rotation on the app's Policies tab")
        .hint(explain::hint(&Fix::CiRefreshToken))
}

/// Refuses, before anything is sent, a renewal of a token from the environment without a place
/// for the rotated one, and a `--rotated-token-out` that cannot be written.
pub fn check_rotated_out(ctx: &Context, command: &str, rotated_out: Option<&Path>) -> Result<()> {
    if let Some(path) = rotated_out {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if path.as_os_str().is_empty() || path.is_dir() || !dir.is_dir() {
            return Err(Error::usage(format!("--rotated-token-out `{}` is not a file path in an existing directory", path.display()))
                .hint("expected a file path, e.g. ./rotated-token (written with mode 0600)"));
        }
        return Ok(());
    }
    if ctx.token_source != TokenSource::Env {
        return Ok(());
    }
    Err(Error::usage(format!(
        "`{command}` with MAILFINO_SF_REFRESH_TOKEN needs --rotated-token-out PATH: Salesforce may rotate the token, and the new one must go somewhere"
    ))
    .hint("pass --rotated-token-out PATH and store that file's token back into the CI secret after each run")
    .hint("to check the token without spending it, run `mailfino-sf verify` without --renew (it introspects the token)"))
}

/// Runs the refresh sequence.
pub fn renew(
    ctx: &Context,
    login_url: &str,
    client_id: &str,
    secret: Option<&SecretString>,
    rotated_out: Option<&Path>,
) -> Result<Renewed> {
    let env_mode = ctx.token_source == TokenSource::Env;
    if env_mode {
        check_rotated_out(ctx, "refresh", rotated_out)?;
    }
    // No config dir: nothing is stored, so there is nothing to lock (and nothing is written).
    let _lock = if env_mode || !ctx.config_dir.exists() { None } else { Some(ProfileLock::acquire(&ctx.config_dir, &ctx.profile)?) };
    let (token, source) = ctx
        .refresh_token()?
        .ok_or_else(|| Error::not_configured(format!("profile `{}` has no refresh token", ctx.profile)).hint(explain::hint(&Fix::Login)))?;
    let http = ctx.http()?;
    let critical = Critical::begin();
    let result = refresh_and_persist(ctx, http, (login_url, client_id, secret), (&token, source), rotated_out);
    if critical.finish() {
        match &result {
            Ok(_) => eprintln!("mailfino-sf: interrupted; the access token was renewed and any new refresh token was stored first"),
            Err(e) => ctx.ui.error(e),
        }
        std::process::exit(130);
    }
    result
}

fn refresh_and_persist(
    ctx: &Context,
    http: &crate::http::Http,
    (login_url, client_id, secret): (&str, &str, Option<&SecretString>),
    (token, source): (&SecretString, Source),
    rotated_out: Option<&Path>,
) -> Result<Renewed> {
    let tokens = match oauth::refresh(http, login_url, client_id, secret, token)? {
        Ok(t) => t,
        Err(e) => return Err(oauth::oauth_error(&e)),
    };
    crate::faults::crash_point("crash-after-refresh");
    let rotated = match &tokens.refresh_token {
        Some(new) if new.expose_secret() != token.expose_secret() => Some(persist_rotated(ctx, source, new, rotated_out)?),
        _ => None,
    };
    Ok(Renewed { tokens, rotated, source })
}

fn persist_rotated(ctx: &Context, source: Source, new: &SecretString, rotated_out: Option<&Path>) -> Result<Rotated> {
    if source == Source::Env {
        let Some(path) = rotated_out else { return Err(spent_env_token_error()) };
        return match fsutil::write_atomic(path, format!("{}\n", new.expose_secret()).as_bytes()) {
            Ok(()) => Ok(Rotated::File(path.to_path_buf())),
            Err(e) => Err(recover(ctx, new, e).error),
        };
    }
    // Recovery files of this profile are spent once the new token is kept anywhere.
    let spent = recovery::find(&ctx.config_dir, &ctx.profile);
    match ctx.secrets().set(&ctx.profile, SecretKey::RefreshToken, new) {
        Ok(to) => {
            recovery::remove(&spent);
            Ok(Rotated::Store(to))
        }
        Err(e) => {
            let recovered = recover(ctx, new, e);
            if recovered.kept {
                recovery::remove(&spent);
            }
            Err(recovered.error)
        }
    }
}

const KEPT: &str = "Salesforce rotated the refresh token but it could not be stored";

/// What [`recover`] did: the error to report, and whether the token is now kept in a recovery
/// file (then older recovery files of the profile are spent).
struct Recovered {
    error: Error,
    kept: bool,
}

/// Keeps a rotated token that could not be stored in a recovery file; the error names it and
/// says what happens next.
fn recover(ctx: &Context, token: &SecretString, cause: Error) -> Recovered {
    let saved = recovery::save(&ctx.config_dir, &ctx.profile, token);
    let kept = saved.is_ok();
    let error = match saved {
        Ok(path) if path.starts_with(recovery::dir(&ctx.config_dir)) => Error::storage(format!("{KEPT} ({cause})"))
            .hint(format!("the new token is kept in {} (mode 0600); it is the only valid one now", path.display()))
            .hint("fix the store (disk space, permissions, keyring); the next mailfino-sf command restores the token from that file by itself, before it sends anything")
            .hint("in CI, put that file's token into the CI secret (MAILFINO_SF_REFRESH_TOKEN) instead"),
        Ok(path) if recovery::found_automatically(&ctx.config_dir, &path) => Error::storage(format!("{KEPT} ({cause})"))
            .hint(format!("the new token is kept in {} (mode 0600, in a private directory); it is the only valid one now", path.display()))
            .hint(format!(
                "fix the config dir {} and the store (disk space, permissions); the next mailfino-sf command finds the token there and restores it by itself, before it sends anything (the temp dir must survive until then: no reboot that clears it)",
                ctx.config_dir.display()
            ))
            .hint("in CI, put that file's token into the CI secret (MAILFINO_SF_REFRESH_TOKEN) instead"),
        // This user's directory in the temp dir was not trusted (someone else made it first).
        Ok(path) => Error::storage(format!("{KEPT} ({cause})"))
            .hint(format!("the new token is kept in {} (mode 0600, in a private directory); it is the only valid one now", path.display()))
            .hint(format!(
                "once the config dir can be written, move it there: `mv {} {}/` and run any command; it is restored before anything is sent",
                path.display(),
                recovery::dir(&ctx.config_dir).display()
            )),
        Err(e) => Error::storage(format!("Salesforce rotated the refresh token and it could not be stored anywhere ({cause}; {})", e.message))
            .hint(format!("run `{}` again once the store works", explain::command("login"))),
    };
    Recovered { error, kept }
}
