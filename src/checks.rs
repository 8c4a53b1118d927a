//! The verify checks: stable ids, statuses, summaries and fix hints, run concurrently.
//!
//! Independent network checks start at once on scoped threads, so the total time is close to
//! the slowest chain (refresh -> API versions -> Bearer call), not the sum. A check that cannot
//! run because an earlier one failed is `skip` with the reason.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Serialize;

use crate::context::{Context, Settings, TokenSource};
use crate::error::{Error, Kind};
use crate::health::{self, Health, Stored};
use crate::http::Http;
use crate::oauth;
use crate::probes;
use crate::progress;
use crate::renew::{self, Renewed, Rotated};
use crate::salesforce::explain::{command, explain, for_status, hint, Fix};
use crate::salesforce::paths;
use crate::salesforce::types::ScopeVerdict;
use crate::salesforce::values;
use crate::store::secrets::Source;
use crate::ui::sanitize;

/// Every check id of `verify`, `audit` and `app check`. The snake_case names are contract (in
/// `--json` and in the human lines): add, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    // verify
    Config,
    CallbackUrl,
    LoginHost,
    ClientId,
    CallbackRegistered,
    LoopbackRegistered,
    ClientSecret,
    RefreshToken,
    Scopes,
    ApiAccess,
    MailfinoEnv,
    UserActive,
    OrgIdentity,
    ApiLimits,
    Approvals,
    // audit
    AppEnabled,
    RefreshTokenPolicy,
    IpPolicy,
    PermittedUsers,
    SessionTimeout,
    IntegrationUser,
    // app check (with `scopes`, the policies, `permitted_users` and `app_enabled` above)
    Files,
    CallbackUrls,
    Pkce,
    SecretRequired,
    Distribution,
}

impl CheckId {
    /// The id as it is printed and serialised.
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckId::Config => "config",
            CheckId::CallbackUrl => "callback_url",
            CheckId::LoginHost => "login_host",
            CheckId::ClientId => "client_id",
            CheckId::CallbackRegistered => "callback_registered",
            CheckId::LoopbackRegistered => "loopback_registered",
            CheckId::ClientSecret => "client_secret",
            CheckId::RefreshToken => "refresh_token",
            CheckId::Scopes => "scopes",
            CheckId::ApiAccess => "api_access",
            CheckId::MailfinoEnv => "mailfino_env",
            CheckId::UserActive => "user_active",
            CheckId::OrgIdentity => "org_identity",
            CheckId::ApiLimits => "api_limits",
            CheckId::Approvals => "approvals",
            CheckId::AppEnabled => "app_enabled",
            CheckId::RefreshTokenPolicy => "refresh_token_policy",
            CheckId::IpPolicy => "ip_policy",
            CheckId::PermittedUsers => "permitted_users",
            CheckId::SessionTimeout => "session_timeout",
            CheckId::IntegrationUser => "integration_user",
            CheckId::Files => "files",
            CheckId::CallbackUrls => "callback_urls",
            CheckId::Pkce => "pkce",
            CheckId::SecretRequired => "secret_required",
            CheckId::Distribution => "distribution",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    pub summary: String,
    pub hint: Option<String>,
}

impl Check {
    /// Summaries and hints may quote what a server sent: every known secret is redacted and
    /// control characters are escaped here, for the terminal and for `--json` alike.
    fn new(id: CheckId, status: Status, summary: impl Into<String>, hint: Option<String>) -> Self {
        Check { id, status, summary: crate::ui::clean(&summary.into()), hint: hint.map(|h| crate::ui::clean(&h)) }
    }
    pub fn pass(id: CheckId, summary: impl Into<String>) -> Self {
        Self::new(id, Status::Pass, summary, None)
    }
    pub fn warn(id: CheckId, summary: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(id, Status::Warn, summary, Some(hint.into()))
    }
    pub fn fail(id: CheckId, summary: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(id, Status::Fail, summary, Some(hint.into()))
    }
    pub fn skip(id: CheckId, why: impl Into<String>) -> Self {
        let why = why.into();
        Self::new(id, Status::Skip, format!("skipped: {why}"), Some(why))
    }
    pub fn from_error(id: CheckId, e: &Error) -> Self {
        let hints: Vec<&str> = e.hints.iter().map(String::as_str).filter(|h| !h.trim().is_empty()).collect();
        let hint = if hints.is_empty() { None } else { Some(hints.join("; ")) };
        Self::new(id, Status::Fail, sanitize(&e.message), hint)
    }
}

/// The order of the contract.
pub const IDS: [CheckId; 15] = [
    CheckId::Config,
    CheckId::CallbackUrl,
    CheckId::LoginHost,
    CheckId::ClientId,
    CheckId::CallbackRegistered,
    CheckId::LoopbackRegistered,
    CheckId::ClientSecret,
    CheckId::RefreshToken,
    CheckId::Scopes,
    CheckId::ApiAccess,
    CheckId::MailfinoEnv,
    CheckId::UserActive,
    CheckId::OrgIdentity,
    CheckId::ApiLimits,
    CheckId::Approvals,
];

/// How `verify` treats the refresh token.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// In env-only mode, do a real refresh grant.
    pub renew: bool,
    pub rotated_token_out: Option<PathBuf>,
    /// mailfino's env file to compare (`verify --env-file`); else the profile's `env_file`.
    pub env_file: Option<PathBuf>,
}

/// What the app checks need.
pub struct AppInputs<'a> {
    pub http: &'a Http,
    pub login_url: &'a str,
    pub client_id: &'a str,
    pub callback: &'a str,
    pub redirect: &'a str,
    pub secret: Option<&'a SecretString>,
}

/// The app checks that need no login: login host, client id, both callback URLs, secret.
/// Runs them concurrently.
pub fn app_checks(a: &AppInputs) -> Vec<Check> {
    let (host, cb, lb, secret) = std::thread::scope(|s| {
        let host = s.spawn(|| {
            let _t = progress::task("login_host");
            login_host(a.http, a.login_url)
        });
        let cb = s.spawn(|| {
            let _t = progress::task("callback_registered");
            oauth::probe_authorize(a.http, a.login_url, a.client_id, a.callback)
        });
        let lb = s.spawn(|| {
            let _t = progress::task("loopback_registered");
            oauth::probe_authorize(a.http, a.login_url, a.client_id, a.redirect)
        });
        let secret = a.secret.map(|sec| {
            let token = s.spawn(move || {
                let _t = progress::task("client_secret");
                oauth::probe_secret(a.http, a.login_url, a.client_id, sec, a.redirect)
            });
            let intro = s.spawn(move || {
                let _t = progress::task("client_secret");
                oauth::probe_introspect(a.http, a.login_url, a.client_id, sec)
            });
            (token, intro)
        });
        (join(host), join(cb), join(lb), secret.map(|(t, i)| (join(t), join(i))))
    });
    let unreachable = host.status == Status::Fail;
    let mut out = vec![host];
    if unreachable {
        out.extend(
            [CheckId::ClientId, CheckId::CallbackRegistered, CheckId::LoopbackRegistered]
                .into_iter()
                .map(|id| Check::skip(id, "the login host did not answer")),
        );
    } else {
        out.extend(probes::authorize_checks(a.client_id, a.callback, a.redirect, cb, lb));
    }
    out.push(match secret {
        None => Check::skip(CheckId::ClientSecret, "no Consumer Secret to check"),
        Some(_) if unreachable => Check::skip(CheckId::ClientSecret, "the login host did not answer"),
        Some((token, intro)) => probes::secret_check(token, intro),
    });
    out
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

fn login_host(http: &Http, login_url: &str) -> Check {
    let host = oauth::host_of(login_url);
    match http.get(&format!("{login_url}{}", paths::OPENID), None) {
        Err(e) => Check::from_error(CheckId::LoginHost, &e),
        Ok(r) => {
            let v: Option<serde_json::Value> = serde_json::from_str(&r.body).ok();
            let ok = r.status == 200
                && v.as_ref().is_some_and(|v| v.get("authorization_endpoint").is_some() && v.get("token_endpoint").is_some());
            if ok {
                Check::pass(CheckId::LoginHost, format!("{host} answers as a Salesforce login host"))
            } else {
                Check::fail(
                    CheckId::LoginHost,
                    format!("{host} does not answer as a Salesforce login host (HTTP {} on {})", r.status, paths::OPENID),
                    hint(&for_status(r.status)),
                )
            }
        }
    }
}

/// The `callback_url` check: mailfino's callback URL has the form mailfino serves.
pub fn callback_url_check(callback: &str) -> Check {
    match values::check_callback(callback) {
        Ok(w) if w.is_empty() => Check::pass(CheckId::CallbackUrl, format!("mailfino's callback URL is {}", sanitize(callback))),
        Ok(w) => Check::warn(CheckId::CallbackUrl, format!("mailfino's callback URL is {}", sanitize(callback)), w.join("; ")),
        Err(e) => Check::fail(CheckId::CallbackUrl, sanitize(&e.message), hint(&Fix::MailfinoUrl)),
    }
}

/// The outcome of the refresh-token chain (refresh or introspection, then the API call).
struct TokenChain {
    refresh: Check,
    scopes: Check,
    /// api_access and the health checks after it.
    health: Health,
    /// The refresh proved (or disproved) the secret.
    secret_verdict: Option<Check>,
}

/// Runs every check of `verify`.
pub fn verify(ctx: &Context, settings: &Settings, opts: &VerifyOptions) -> Vec<Check> {
    let login = settings.login_url.as_deref().map(values::login_url);
    let (config, secret) = config_check(ctx, settings, login.as_ref());
    let mut checks = vec![config];
    let callback = settings.callback();
    checks.push(callback_url_check(&callback));
    let (Some(Ok(login_url)), Some(client_id)) = (login, settings.client_id.clone()) else {
        for id in &IDS[2..] {
            checks.push(Check::skip(*id, "the profile is incomplete"));
        }
        return checks;
    };
    let http = match ctx.http() {
        Ok(h) => h,
        Err(e) => {
            checks.push(Check::from_error(CheckId::LoginHost, &e));
            return checks;
        }
    };
    let redirect = settings.redirect();
    let secret_value = secret.as_ref().map(|s| &s.0);
    let inputs =
        AppInputs { http, login_url: &login_url, client_id: &client_id, callback: &callback, redirect: &redirect, secret: secret_value };
    let (app, chain) = std::thread::scope(|s| {
        let stored = stored_of(settings);
        let (login_url, client_id) = (&login_url, &client_id);
        let chain = s.spawn(move || {
            let _t = progress::task("refresh_token, scopes, api_access, user_active, org_identity, api_limits, approvals");
            token_chain(ctx, http, login_url, client_id, secret_value, opts, &stored)
        });
        (app_checks(&inputs), join(chain))
    });
    let host_down = app.first().is_some_and(|c| c.status == Status::Fail);
    for mut c in app {
        if c.id == CheckId::ClientSecret {
            if let Some(v) = &chain.secret_verdict {
                c = probes::merge_secret(c, v.clone());
            }
        }
        checks.push(c);
    }
    // mailfino's env file: local, right after api_access (the contract's order).
    let expected = crate::mailfino_env::Expected {
        client_id: &client_id,
        client_secret: secret_value,
        login_url: &login_url,
        callback_url: &callback,
    };
    let env_check = crate::mailfino_env::check(ctx, opts.env_file.as_deref().or(settings.stored.env_file.as_deref()), &expected);
    if host_down {
        for id in [CheckId::RefreshToken, CheckId::Scopes, CheckId::ApiAccess] {
            checks.push(Check::skip(id, "the login host did not answer"));
        }
        checks.push(env_check);
        checks.extend(health::IDS.into_iter().map(|id| Check::skip(id, "the login host did not answer")));
    } else {
        checks.extend([chain.refresh, chain.scopes, chain.health.api_access, env_check]);
        checks.extend(chain.health.checks);
    }
    checks
}

/// The `config` check (is the profile complete?) and the Consumer Secret it found.
fn config_check(
    ctx: &Context,
    settings: &Settings,
    login: Option<&crate::error::Result<String>>,
) -> (Check, Option<(SecretString, crate::store::secrets::Source)>) {
    let mut missing = Vec::new();
    if settings.login_url.is_none() {
        missing.push("login URL");
    }
    if settings.client_id.is_none() {
        missing.push("Consumer Key");
    }
    let secret = match ctx.client_secret() {
        Ok(Some(s)) => Some(s),
        Ok(None) => {
            missing.push("Consumer Secret");
            None
        }
        Err(e) => return (Check::from_error(CheckId::Config, &e), None),
    };
    let check = match (login, missing.is_empty()) {
        (Some(Err(e)), _) => Check::from_error(CheckId::Config, e),
        (_, false) => {
            Check::fail(CheckId::Config, format!("profile `{}` is missing the {}", ctx.profile, missing.join(", ")), hint(&Fix::Setup))
        }
        _ => Check::pass(
            CheckId::Config,
            format!("profile `{}` is complete (secret from the {})", ctx.profile, secret.as_ref().map(|s| s.1.label()).unwrap_or("?")),
        ),
    };
    (check, secret)
}

/// What `login` stored, for the health checks to compare against.
fn stored_of(settings: &Settings) -> Stored {
    let p = &settings.stored;
    Stored {
        org_id: p.org_id.clone(),
        instance_url: p.instance_url.clone(),
        user_id: p.user_id.clone(),
        api_version: p.api_version.clone(),
        app_name: p.app_name.clone().unwrap_or_else(|| crate::store::config::DEFAULT_APP_NAME.to_string()),
    }
}

fn token_chain(
    ctx: &Context,
    http: &Http,
    login_url: &str,
    client_id: &str,
    secret: Option<&SecretString>,
    opts: &VerifyOptions,
    stored: &Stored,
) -> TokenChain {
    let env_mode = ctx.token_source == TokenSource::Env;
    if env_mode && !opts.renew && opts.rotated_token_out.is_none() {
        return introspection_chain(ctx, http, login_url, client_id, secret);
    }
    // Connections to the instance open while the refresh is in flight.
    let warm = stored.instance_url.as_deref().map(|i| health::preconnect(http, i));
    match renew::renew(ctx, login_url, client_id, secret, opts.rotated_token_out.as_deref()) {
        Ok(renewed) => renewed_chain(http, renewed, stored, warm),
        Err(e) => {
            let secret_verdict = probes::secret_refused(&e);
            let why = if e.kind == Kind::Unreachable { "Salesforce did not answer" } else { "the refresh failed" };
            TokenChain {
                refresh: Check::from_error(CheckId::RefreshToken, &e),
                scopes: Check::skip(CheckId::Scopes, why),
                health: health::after_failed_refresh(&e, Check::skip(CheckId::ApiAccess, why), why),
                secret_verdict,
            }
        }
    }
}

fn introspection_chain(ctx: &Context, http: &Http, login_url: &str, client_id: &str, secret: Option<&SecretString>) -> TokenChain {
    let skip_rest = |refresh: Check, why: &str| TokenChain {
        refresh,
        scopes: Check::skip(CheckId::Scopes, why),
        health: Health::skipped(Check::skip(CheckId::ApiAccess, why), why),
        secret_verdict: None,
    };
    let Some(secret) = secret else {
        return skip_rest(
            Check::skip(CheckId::RefreshToken, "introspection needs the Consumer Secret"),
            "the refresh token was not checked",
        );
    };
    let token = match ctx.env_refresh_token() {
        Some(t) => t,
        None => return skip_rest(Check::skip(CheckId::RefreshToken, "no refresh token"), "no refresh token"),
    };
    match oauth::introspect(http, login_url, client_id, secret, &token, "refresh_token") {
        Err(e) => skip_rest(Check::from_error(CheckId::RefreshToken, &e), "the refresh token was not checked"),
        Ok(Err(e)) => {
            let x = explain(&e.error, &e.description);
            skip_rest(
                Check::fail(
                    CheckId::RefreshToken,
                    format!("introspection failed: {} ({})", sanitize(&e.error), sanitize(&e.description)),
                    x.hint(),
                ),
                "the refresh token was not checked",
            )
        }
        Ok(Ok(i)) if i.active.is_none() => skip_rest(
            Check::warn(
                CheckId::RefreshToken,
                "could not tell whether the refresh token is active: the introspection answer has no `active` field",
                format!("{}; `{}` proves the token with a refresh", hint(&Fix::LoginUrl), command("verify --renew")),
            ),
            "the refresh token was not checked",
        ),
        Ok(Ok(i)) if i.active == Some(false) => skip_rest(
            Check::fail(
                CheckId::RefreshToken,
                "the refresh token from MAILFINO_SF_REFRESH_TOKEN is not active (revoked, expired or rotated out)",
                hint(&Fix::CiRefreshToken),
            ),
            "the refresh token is not active",
        ),
        Ok(Ok(i)) => TokenChain {
            refresh: Check::pass(CheckId::RefreshToken, "the refresh token is active (checked by introspection, not spent)"),
            scopes: scope_check(i.scope.as_deref()),
            health: Health::skipped(
                Check::skip(
                    CheckId::ApiAccess,
                    "not renewed in env-only mode: pass --renew (or --rotated-token-out PATH) to prove an access token works",
                ),
                "not renewed in env-only mode (pass --renew)",
            ),
            secret_verdict: None,
        },
    }
}

fn renewed_chain(http: &Http, r: Renewed, stored: &Stored, warm: Option<std::sync::mpsc::Receiver<Option<String>>>) -> TokenChain {
    let rotated = match &r.rotated {
        None => String::new(),
        Some(Rotated::Store(s)) => format!("; rotated, the new token is saved in the {}", s.label()),
        Some(Rotated::File(p)) => format!("; rotated, the new token is in {}", p.display()),
    };
    let from = if r.source == Source::Env { " from the environment" } else { "" };
    let refresh = Check::pass(CheckId::RefreshToken, format!("the refresh token{from} renews the access token{rotated}"));
    let scopes = scope_check(r.tokens.scope.as_deref());
    let health = health::after_refresh(http, &r.tokens, stored, warm);
    TokenChain {
        refresh,
        scopes,
        health,
        secret_verdict: Some(Check::pass(CheckId::ClientSecret, "the Consumer Secret is proven by a refresh")),
    }
}

fn scope_check(scope: Option<&str>) -> Check {
    let Some(scope) = scope else { return Check::skip(CheckId::Scopes, "Salesforce did not say which scopes were granted") };
    let v = ScopeVerdict::of(scope);
    let missing = v.missing();
    if !missing.is_empty() {
        return Check::fail(
            CheckId::Scopes,
            format!("granted `{}`; missing {}", sanitize(scope), missing.join(" and ")),
            hint(&Fix::Scopes),
        );
    }
    if v.full {
        return Check::warn(CheckId::Scopes, format!("granted `{}`, which includes `full`", sanitize(scope)), hint(&Fix::FullScope));
    }
    Check::pass(CheckId::Scopes, format!("granted `{}`", sanitize(scope)))
}
