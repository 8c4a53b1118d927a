//! `mailfino-sf audit`: an admin logs in through the same app (the login's PKCE, listener and
//! `--paste`), the tool reads the app's policies and the integration user's state with the
//! admin's token, and reports each as a check (the same lines and JSON as `verify`).
//!
//! Invariant: the admin's token is never stored unless `--keep-admin-token`; otherwise it is
//! revoked at the end, whatever the result. A token kept earlier is used instead of a new browser
//! login: with `--keep-admin-token` it stays kept (replaced by the rotated one when Salesforce
//! rotates it; a dead one is deleted and the new login's token kept), without it the audit revokes
//! it and deletes it. A kept token is deleted only once Salesforce has answered the revoke, a
//! rotated one replaces the spent one in the store before the audit goes on, and a token the
//! store cannot keep is revoked, so a live admin token is never forgotten (`status` shows it,
//! `logout` revokes it).

use std::cell::RefCell;
use std::process::ExitCode;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::audit::{self, Session, Target};
use crate::browser::BrowserChoice;
use crate::checks::{Check, Status};
use crate::cmd::login::{self, App, LoginOutcome, LoginPlan};
use crate::cmd::verify::print_checks;
use crate::context::{not_configured, Context};
use crate::error::{Error, Result};
use crate::oauth::{self, Revoked};
use crate::salesforce::explain::{self, Fix};
use crate::salesforce::rest;
use crate::salesforce::types::TokenResponse;
use crate::signals::Critical;
use crate::store::config::DEFAULT_APP_NAME;
use crate::store::secrets::SecretKey;
use crate::store::ProfileLock;
use crate::ui::{out, sanitize};

pub fn run(plan: &AuditPlan, choice: BrowserChoice, ctx: &Context) -> Result<ExitCode> {
    let (checks, admin, token_fate) = audit(ctx, plan, choice)?;
    let ok = checks.iter().all(|c| c.status != Status::Fail);
    if ctx.json {
        out(&json!({"ok": ok, "profile": ctx.profile, "admin": admin, "admin_token": token_fate, "checks": checks}).to_string());
    } else {
        eprintln!("Audited as {}; the admin's token was {token_fate}.", sanitize(admin.as_deref().unwrap_or("(unknown admin)")));
        print_checks(&ctx.ui, &checks, false, true);
        let fail = checks.iter().filter(|c| c.status == Status::Fail).count();
        let verdict = if fail == 0 {
            ctx.ui.green(true).apply_to("No policy of the app stands in mailfino's way.".to_string())
        } else {
            ctx.ui.red(true).apply_to(format!("{fail} check(s) failed; fix them in Setup."))
        };
        out(&format!("\n{verdict}"));
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// What an audit does: the admin's login, and whether the admin's token is kept (from the
/// flags, by `settings`, or set by `demo`).
#[derive(Debug, Clone)]
pub struct AuditPlan {
    pub login: LoginPlan,
    pub keep_admin_token: bool,
}

/// The whole audit: the admin's token, the checks, the token's fate. Used by `demo` too.
pub fn audit(ctx: &Context, args: &AuditPlan, choice: BrowserChoice) -> Result<(Vec<Check>, Option<String>, String)> {
    let cfg = ctx.load_config()?;
    let settings = ctx.settings(&cfg);
    let login_url = settings.require_login_url(ctx)?;
    let client_id = settings.require_client_id(ctx)?;
    let (secret, _) = ctx.client_secret()?.ok_or_else(|| not_configured(ctx, "no client secret"))?;
    let app = App { login_url: &login_url, client_id: &client_id, secret: &secret };
    let (tokens, was_kept) = admin_tokens(ctx, args, choice, &app, &settings.redirect())?;
    let http = ctx.http()?;
    let info = oauth::userinfo(http, &login_url, &tokens.access_token).ok();
    let admin = info.and_then(|i| i.username).or_else(|| tokens.org_and_user().map(|t| t.1));
    let p = &settings.stored;
    if tokens.org_and_user().is_some_and(|(_, u)| Some(&u) == p.user_id.as_ref()) {
        ctx.ui.warn("you logged in as the integration user itself: the audit needs an admin's rights, so most checks will be skipped");
    }
    let checks = match tokens.instance_url.as_deref() {
        None => audit::IDS.iter().map(|&id| Check::skip(id, "Salesforce sent no instance_url")).collect(),
        Some(instance) => {
            // The audit is not latency-critical: ask the instance (a pinned version may be retired).
            let version = crate::api::discover_version(http, instance)
                .ok()
                .flatten()
                .or_else(|| p.api_version.clone().filter(|v| rest::valid_version(v)));
            match version {
                None => audit::IDS.iter().map(|&id| Check::skip(id, "the instance does not list its API versions")).collect(),
                Some(version) => {
                    let target = Target {
                        app_name: p.app_name.clone().unwrap_or_else(|| DEFAULT_APP_NAME.to_string()),
                        user_id: p.user_id.clone(),
                        username: p.username.clone(),
                    };
                    audit::run(&Session { http, instance, version: &version, token: &tokens.access_token }, &target)
                }
            }
        }
    };
    let fate = settle_token(ctx, args, &login_url, &tokens, was_kept);
    Ok((checks, admin, fate))
}

/// A kept admin token renewed, else a browser login through the app that stores nothing.
fn admin_tokens(ctx: &Context, args: &AuditPlan, choice: BrowserChoice, app: &App, redirect: &str) -> Result<(TokenResponse, bool)> {
    if let Some(renewed) = renew_kept(ctx, app)? {
        return Ok(renewed);
    }
    browser_login(ctx, args, choice, app, redirect)
}

/// The kept admin token renewed (None: none is kept, or it no longer works and is deleted).
/// Under the profile's lock, as `renew` does: two audits at once never spend the same token, which
/// with rotation would revoke the whole chain (reference 6.2).
fn renew_kept(ctx: &Context, app: &App) -> Result<Option<(TokenResponse, bool)>> {
    let _lock = ProfileLock::acquire(&ctx.config_dir, &ctx.profile)?;
    if let Some((kept, _)) = ctx.secrets().get(&ctx.profile, SecretKey::AdminRefreshToken)? {
        let http = ctx.http()?;
        // As in `renew`: a signal waits until a rotated token is stored.
        let critical = Critical::begin();
        let answer = oauth::refresh(http, app.login_url, app.client_id, Some(app.secret), &kept);
        let stored = match &answer {
            Ok(Ok(t)) => keep_rotated(ctx, &kept, t),
            _ => true,
        };
        if critical.finish() {
            std::process::exit(130);
        }
        match answer? {
            Ok(mut t) => {
                t.refresh_token = t.refresh_token.or(Some(kept));
                return Ok(Some((t, stored)));
            }
            Err(e) => {
                ctx.ui.warn(&format!("the kept admin token no longer works ({}); logging in again", sanitize(&e.error)));
                ctx.secrets().delete(&ctx.profile, SecretKey::AdminRefreshToken)?;
            }
        }
    }
    Ok(None)
}

/// The admin's browser login through the app; stores nothing.
fn browser_login(ctx: &Context, args: &AuditPlan, choice: BrowserChoice, app: &App, redirect: &str) -> Result<(TokenResponse, bool)> {
    eprintln!("Log in as a Salesforce admin (View Setup and Configuration, Manage Users, and \"View all External Client Apps\").");
    let got: RefCell<Option<TokenResponse>> = RefCell::new(None);
    let finish = |tokens: TokenResponse| -> Result<LoginOutcome> {
        let outcome = LoginOutcome {
            username: tokens.org_and_user().map(|t| t.1),
            org_id: tokens.org_and_user().map(|t| t.0),
            instance_url: tokens.instance_url.clone(),
            scopes: tokens.scope.clone().unwrap_or_default(),
            // Nothing is stored here, nor handed out: the audit revokes or keeps the token itself.
            stored_in: None,
            previous: None,
            handed_out: None,
        };
        *got.borrow_mut() = Some(tokens);
        Ok(outcome)
    };
    let redirect = args.login.redirect_uri.clone().unwrap_or_else(|| redirect.to_string());
    login::browser_flow(ctx, &args.login, choice, app, &redirect, &finish)?;
    let tokens = got.into_inner().ok_or_else(|| Error::internal("the login finished without tokens"))?;
    Ok((tokens, false))
}

/// With Refresh Token Rotation the refresh spent the kept token (reference 6.2): the new one
/// replaces it in the store at once, before the audit goes on. Returns whether the store holds
/// the live token (false: it could not be written; the audit then revokes the new one).
fn keep_rotated(ctx: &Context, kept: &SecretString, t: &TokenResponse) -> bool {
    let Some(new) = t.refresh_token.as_ref().filter(|n| n.expose_secret() != kept.expose_secret()) else { return true };
    match ctx.secrets().set(&ctx.profile, SecretKey::AdminRefreshToken, new) {
        Ok(_) => true,
        Err(e) => {
            ctx.ui.warn(&format!("could not store the admin's rotated token: {}", sanitize(&e.message)));
            false
        }
    }
}

/// Revokes the admin's token (or keeps it with `--keep-admin-token`); says which. A token the
/// store cannot keep is revoked, never left alive at Salesforce with nobody holding it.
fn settle_token(ctx: &Context, args: &AuditPlan, login_url: &str, tokens: &TokenResponse, was_kept: bool) -> String {
    if args.keep_admin_token {
        let Some(rt) = &tokens.refresh_token else { return "not kept: Salesforce gave no refresh token to the admin".into() };
        match ctx.secrets().set(&ctx.profile, SecretKey::AdminRefreshToken, rt) {
            Ok(to) => return format!("kept in the {} (--keep-admin-token)", to.label()),
            Err(e) => {
                let why = sanitize(&e.message);
                ctx.ui.warn(&format!("could not keep the admin's token ({why}); revoking it instead"));
                return format!("not kept ({why}); {}", revoke_admin(ctx, login_url, tokens, was_kept));
            }
        }
    }
    revoke_admin(ctx, login_url, tokens, was_kept)
}

/// Revokes the admin's token; a kept one is deleted once Salesforce has answered.
fn revoke_admin(ctx: &Context, login_url: &str, tokens: &TokenResponse, was_kept: bool) -> String {
    let token: &SecretString = tokens.refresh_token.as_ref().unwrap_or(&tokens.access_token);
    // Any 400 answer to the revoke, form-encoded or JSON, means Salesforce no longer knows it (9.1).
    let fate = match ctx.http().and_then(|h| oauth::revoke(h, login_url, token)) {
        Ok(Revoked::Confirmed) => "revoked".to_string(),
        Ok(Revoked::Unknown(why)) => format!("already unknown to Salesforce ({})", sanitize(&why)),
        Err(e) => {
            ctx.ui.warn(&format!("could not revoke the admin's token: {}", sanitize(&e.message)));
            // A kept token that may still be valid stays where `status` shows it and `logout`
            // (or the next audit) revokes it, rather than being forgotten while alive.
            let still = if was_kept { "; it stays kept (`status` shows it, `logout` revokes it)" } else { "" };
            return format!("not revoked (Salesforce did not answer){still}; {}", explain::hint(&Fix::RevokeAdminToken));
        }
    };
    if was_kept {
        if let Err(e) = ctx.secrets().delete(&ctx.profile, SecretKey::AdminRefreshToken) {
            ctx.ui.warn(&format!("could not delete the kept admin token: {}", sanitize(&e.message)));
        }
    }
    fate
}
