//! `mailfino-sf logout`: revoke the refresh token at Salesforce, then delete it locally. An
//! admin's token kept by `audit --keep-admin-token` is revoked and deleted with it (a powerful
//! token must not outlive the login it belongs to unseen). The Consumer Secret is app
//! configuration and stays, unless `--forget-secret` (which asks first on a terminal). When
//! Salesforce cannot be reached nothing is deleted (the tokens would stay valid there);
//! `--local-only` skips the revokes.

use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;

use crate::context::{Context, Settings};
use crate::error::{Error, Kind, Result};
use crate::oauth::{self, Revoked};
use crate::store::secrets::{SecretKey, Source};
use crate::ui::{out, sanitize};

/// What a logout did.
#[derive(Debug, Clone)]
pub struct LogoutOutcome {
    /// What Salesforce said about the revocation, in words.
    pub revocation: String,
    /// What happened to an admin's token kept by `audit --keep-admin-token` (None: none kept).
    pub admin_token: Option<AdminToken>,
    /// The secrets deleted (`refresh-token`, `admin-refresh-token`, `client-secret`).
    pub deleted: Vec<&'static str>,
    /// The Consumer Secret was deleted too.
    pub forgot_secret: bool,
}

/// What became of the admin's kept token.
#[derive(Debug, Clone)]
pub struct AdminToken {
    pub fate: AdminTokenFate,
    /// In words, for the human report.
    pub detail: String,
}

/// `logout --json`'s `admin_token` field (null when no admin token was kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminTokenFate {
    /// Salesforce confirmed the revocation; the local copy is deleted.
    Revoked,
    /// Salesforce no longer knew it (revoked or expired); the local copy is deleted.
    AlreadyInvalid,
    /// `--local-only`: deleted here, still valid at Salesforce until revoked in Setup.
    NotRevoked,
}

/// What `logout` was asked to do (from the flags, by `settings`; `demo` uses the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogoutPlan {
    /// Do not revoke at Salesforce; only delete locally.
    pub local_only: bool,
    /// Also delete the Consumer Secret (asks first on a terminal).
    pub forget_secret: bool,
}

pub fn run(args: &LogoutPlan, ctx: &Context) -> Result<ExitCode> {
    let o = logout(args, ctx)?;
    report(ctx, &o);
    Ok(ExitCode::SUCCESS)
}

/// Revokes and deletes; prints nothing but warnings and the `--forget-secret` question.
pub fn logout(args: &LogoutPlan, ctx: &Context) -> Result<LogoutOutcome> {
    let cfg = ctx.load_config()?;
    ctx.require_profile(&cfg)?;
    let settings = ctx.settings(&cfg);
    let token = ctx.refresh_token()?;
    let from_env = token.as_ref().is_some_and(|t| t.1 == Source::Env);
    if from_env {
        ctx.ui.warn("the refresh token comes from MAILFINO_SF_REFRESH_TOKEN: that one is revoked; the profile's stored token (if any) is left as it is");
    }
    // The admin's kept token first: the more powerful one is never left alive by a revoke of the
    // profile's that then stops the run. Both revocations come before any deletion: when
    // Salesforce cannot be reached, nothing goes.
    let admin_token = admin_token(args, ctx, &settings)?;
    let revoked = match (&token, args.local_only) {
        (None, _) => "no refresh token was stored".to_string(),
        (Some(_), true) => "not revoked at Salesforce (--local-only)".to_string(),
        (Some((t, _)), false) => match revoke(ctx, &settings, t)? {
            Revoked::Confirmed => "Salesforce confirmed the revocation".to_string(),
            // Not a failure: the token is dead either way, and the local copy goes (9.1).
            Revoked::Unknown(why) => {
                format!("the token was already invalid: Salesforce no longer knew it (revoked or expired; it answered {})", sanitize(&why))
            }
        },
    };
    let mut deleted = Vec::new();
    // A token from the environment was revoked, not the stored one: that stays (deleting it
    // would forget a live token).
    if !from_env && ctx.secrets().delete(&ctx.profile, SecretKey::RefreshToken)? {
        deleted.push(SecretKey::RefreshToken.name());
    }
    if admin_token.is_some() && ctx.secrets().delete(&ctx.profile, SecretKey::AdminRefreshToken)? {
        deleted.push(SecretKey::AdminRefreshToken.name());
    }
    let forget = args.forget_secret && confirm_forget(ctx)?;
    if forget && ctx.secrets().delete(&ctx.profile, SecretKey::ClientSecret)? {
        deleted.push(SecretKey::ClientSecret.name());
    }
    Ok(LogoutOutcome { revocation: revoked, admin_token, deleted, forgot_secret: forget })
}

/// `POST /services/oauth2/revoke` for `token`; an error says how to delete locally anyway.
/// Any 400 answer, form-encoded or JSON, means Salesforce no longer knows the token (9.1).
fn revoke(ctx: &Context, settings: &Settings, token: &secrecy::SecretString) -> Result<Revoked> {
    let login_url = settings.require_login_url(ctx)?;
    oauth::revoke(ctx.http()?, &login_url, token).map_err(|e| {
        e.hint(format!("to delete the local tokens anyway, run `{}`", crate::salesforce::explain::command("logout --local-only")))
    })
}

/// Revokes the admin's token kept by `audit --keep-admin-token`, if there is one (not with
/// `--local-only`); the caller deletes it. The admin's token is revoked at the same login URL
/// the audit used (the profile's).
fn admin_token(args: &LogoutPlan, ctx: &Context, settings: &Settings) -> Result<Option<AdminToken>> {
    let Some((kept, _)) = ctx.secrets().get(&ctx.profile, SecretKey::AdminRefreshToken)? else { return Ok(None) };
    let (fate, detail) = if args.local_only {
        let fix = crate::salesforce::explain::hint(&crate::salesforce::explain::Fix::RevokeAdminToken);
        ctx.ui.warn(&format!("the admin's kept token is deleted here but stays valid at Salesforce (--local-only): {fix}"));
        (AdminTokenFate::NotRevoked, "deleted without revoking it (--local-only); it stays valid at Salesforce".to_string())
    } else {
        match revoke(ctx, settings, &kept)? {
            Revoked::Confirmed => (AdminTokenFate::Revoked, "revoked (Salesforce confirmed) and deleted".to_string()),
            Revoked::Unknown(why) => {
                (AdminTokenFate::AlreadyInvalid, format!("already invalid (Salesforce answered {}); deleted", sanitize(&why)))
            }
        }
    };
    Ok(Some(AdminToken { fate, detail }))
}

/// Prints the result on stdout (`--json`: one object).
pub fn report(ctx: &Context, o: &LogoutOutcome) {
    let (revoked, deleted, forget) = (&o.revocation, &o.deleted, o.forgot_secret);
    if ctx.json {
        let admin = o.admin_token.as_ref().map(|a| a.fate);
        out(&json!({
            "ok": true, "profile": ctx.profile, "revocation": revoked, "admin_token": admin, "deleted": deleted,
            "client_secret_kept": !forget,
        })
        .to_string());
    } else {
        out(&format!("{} logged out of profile `{}`", ctx.ui.green(true).apply_to("✔"), ctx.profile));
        out(&format!("  {revoked}"));
        if let Some(a) = &o.admin_token {
            out(&format!("  the admin's token kept by `audit --keep-admin-token`: {}", a.detail));
        }
        out(&format!(
            "  deleted: {}",
            if deleted.is_empty() { "nothing (no secrets were stored)".to_string() } else { deleted.join(", ") }
        ));
        if forget {
            out(&format!(
                "  the profile's settings stay in config.toml; `mailfino-sf setup{}` stores a Consumer Secret again",
                ctx.profile_flag()
            ));
        } else {
            out(&format!(
                "  the Consumer Secret and the settings stay; `mailfino-sf login{}` logs in again (`--forget-secret` also deletes the secret)",
                ctx.profile_flag()
            ));
        }
    }
}

/// What an interrupted `--forget-secret` question says.
const FORGET_STOPPED: &str = "logout stopped at the question: the refresh tokens are revoked and deleted; the Consumer Secret is kept";

/// `--forget-secret` on a terminal asks first (getting the secret back means the Salesforce Setup
/// page and an e-mail code); elsewhere the flag is the answer.
fn confirm_forget(ctx: &Context) -> Result<bool> {
    if !ctx.ui.interactive {
        return Ok(true);
    }
    // The tokens are gone already: a signal at this prompt says so, keeps the secret and exits 130.
    let (ui, json) = (ctx.ui, ctx.json);
    let _prompts = crate::signals::Prompts::begin(move || ui.report(&Error::new(Kind::Interrupted, FORGET_STOPPED), json));
    let yes = dialoguer::Confirm::with_theme(&dialoguer::theme::SimpleTheme)
        .with_prompt(format!(
            "Also delete profile `{}`'s Consumer Secret? Getting it back means copying it from Salesforce Setup again",
            ctx.profile
        ))
        .default(false)
        .wait_for_newline(true)
        .interact()
        .map_err(|e| {
            let e = std::io::Error::from(e);
            crate::signals::prompt_interrupted(&e);
            Error::new(Kind::Interrupted, format!("{FORGET_STOPPED} ({e})"))
        })?;
    if !yes {
        eprintln!("Kept the Consumer Secret.");
    }
    Ok(yes)
}
