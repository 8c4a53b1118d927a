//! The refresh sequence shared by `refresh` and `verify`: lock the profile, read the refresh
//! token, refresh, persist a rotated token before success is reported.
//!
//! Invariants: two runs on one profile never spend the same rotating token (the profile lock
//! covers read-refresh-store); a rotated token is never lost: if the store fails it goes to a
//! 0600 recovery file whose path is printed (exit 7). A token that came from the environment is
//! never written anywhere but `--rotated-token-out`.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::oauth;
use crate::salesforce::types::TokenResponse;
use crate::store::fsutil;
use crate::store::secrets::{SecretKey, Source};
use crate::store::ProfileLock;

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
        .hint("then run `mailfino-sf login` and `mailfino-sf export-ci` again to get a working token")
}

/// Runs the refresh sequence.
pub fn renew(
    ctx: &Context,
    login_url: &str,
    client_id: &str,
    secret: Option<&SecretString>,
    rotated_out: Option<&Path>,
) -> Result<Renewed> {
    let env_mode = ctx.env("MAILFINO_SF_REFRESH_TOKEN").is_some();
    // No config dir: nothing is stored, so there is nothing to lock (and nothing is written).
    let _lock = if env_mode || !ctx.config_dir.exists() { None } else { Some(ProfileLock::acquire(&ctx.config_dir, &ctx.profile)?) };
    let (token, source) = ctx.refresh_token()?.ok_or_else(|| {
        Error::not_configured(format!("profile `{}` has no refresh token", ctx.profile))
            .hint(format!("run `mailfino-sf login{}` first", ctx.profile_flag()))
    })?;
    let tokens = match oauth::refresh(ctx.http()?, login_url, client_id, secret, &token)? {
        Ok(t) => t,
        Err(e) => return Err(oauth::oauth_error(&e)),
    };
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
            Err(e) => Err(recover(ctx, new, e)),
        };
    }
    match ctx.secrets().set(&ctx.profile, SecretKey::RefreshToken, new) {
        Ok(to) => Ok(Rotated::Store(to)),
        Err(e) => Err(recover(ctx, new, e)),
    }
}

/// Keeps a rotated token that could not be stored in a 0600 recovery file; the error names it.
fn recover(ctx: &Context, token: &SecretString, cause: Error) -> Error {
    let name = format!("mailfino-sf-{}-refresh-token.recovered", ctx.profile);
    for dir in [ctx.config_dir.clone(), std::env::temp_dir()] {
        let path = dir.join(&name);
        if dir.is_dir() && fsutil::write_atomic(&path, format!("{}\n", token.expose_secret()).as_bytes()).is_ok() {
            return Error::storage(format!("Salesforce rotated the refresh token but it could not be stored ({cause})"))
                .hint(format!("the new token was saved to {} (mode 0600); it is the only valid one now", path.display()))
                .hint("fix the store, then put the token back, e.g. MAILFINO_SF_REFRESH_TOKEN=$(cat FILE) for CI, or run `mailfino-sf login` again");
        }
    }
    Error::storage(format!("Salesforce rotated the refresh token and it could not be stored anywhere ({cause})"))
        .hint("run `mailfino-sf login` again once the store works")
}
