//! `mailfino-sf login`: the PKCE authorization-code login through the loopback listener and the
//! browser, or `--paste` for servers without one. Stores the refresh token and the identity.

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::browser::{self, BrowserChoice, Opened};
use crate::context::{not_configured, Context};
use crate::error::{Error, Kind, Result};
use crate::loopback::{self, Hit, Listener, Pasted};
use crate::oauth::{self, AuthRequest};
use crate::salesforce::explain::{command, explain_for, hint, Fix};
use crate::salesforce::types::{ScopeVerdict, TokenResponse};
use crate::salesforce::values;
use crate::signals;
use crate::store::secrets::{SecretKey, Source};
use crate::store::{recovery, ProfileLock};
use crate::ui::{out, sanitize};

/// What a successful login established.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub username: Option<String>,
    pub org_id: Option<String>,
    pub instance_url: Option<String>,
    pub scopes: String,
    /// Where the refresh token was stored (None: handed out, see [`Keep::HandOut`]).
    pub stored_in: Option<Source>,
    /// What happened to the profile's previous refresh token.
    pub previous: Option<Previous>,
    /// [`Keep::HandOut`]: the new refresh token, stored nowhere.
    pub handed_out: Option<SecretString>,
}

/// What a login does with the refresh token it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Store it as the profile's (revoking the profile's previous one) and note the identity.
    Profile,
    /// Return it and change nothing local: a separate approval for someone else, e.g. CI's own
    /// token from `export-ci` (the profile's token and profile stay as they are).
    HandOut,
}

/// The profile's previous refresh token after a new one was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    Revoked,
    /// Salesforce no longer knew it.
    AlreadyInvalid,
    /// It could not be revoked: why.
    Kept(String),
}

impl Previous {
    fn label(&self) -> &'static str {
        match self {
            Previous::Revoked => "revoked",
            Previous::AlreadyInvalid => "already_invalid",
            Previous::Kept(_) => "not_revoked",
        }
    }
}

/// Said once per login: why the previous token is revoked (reference 9.2).
pub const APPROVALS_NOTE: &str = "Salesforce keeps at most five approvals (refresh tokens) per user and app and silently revokes the oldest; mailfino's server uses this same app, so mailfino-sf keeps only one per profile and revokes the one it replaces.";

/// Revokes the profile's previous refresh token once the new one is stored, so that this tool
/// never holds more than one of the user's five approvals of the app (9.2).
fn revoke_previous(http: &crate::http::Http, login_url: &str, previous: &secrecy::SecretString) -> Previous {
    match oauth::revoke(http, login_url, previous) {
        Ok(oauth::Revoked::Confirmed) => Previous::Revoked,
        Ok(oauth::Revoked::Unknown(_)) => Previous::AlreadyInvalid,
        Err(e) => Previous::Kept(sanitize(&e.message)),
    }
}

pub fn run(plan: &LoginPlan, choice: BrowserChoice, ctx: &Context) -> Result<ExitCode> {
    let outcome = login(ctx, plan, choice)?;
    report(ctx, &outcome);
    Ok(ExitCode::SUCCESS)
}

/// What a browser login does: from the flags (by `settings`), or set by a command that runs a
/// login itself (`setup --login`, `demo`, `export-ci`, `audit`).
#[derive(Debug, Clone)]
pub struct LoginPlan {
    /// Read the browser's address from stdin instead of listening.
    pub paste: bool,
    /// The loopback redirect URI, when not the profile's.
    pub redirect_uri: Option<String>,
    /// How long to wait for the browser, in seconds.
    pub wait: u64,
    /// Scopes to ask for (none: the app's).
    pub scope: Option<String>,
}

impl LoginPlan {
    /// A listener login on `redirect_uri` that waits `wait` seconds.
    pub fn listen(redirect_uri: Option<String>, wait: u64) -> Self {
        LoginPlan { paste: false, redirect_uri, wait, scope: None }
    }
}

/// Prints the result of a login.
pub fn report(ctx: &Context, o: &LoginOutcome) {
    if ctx.json {
        out(&json!({
            "ok": true, "profile": ctx.profile, "username": o.username.as_deref().map(sanitize),
            "org_id": o.org_id.as_deref().map(sanitize), "instance_url": o.instance_url.as_deref().map(sanitize),
            "scopes": sanitize(&o.scopes), "refresh_token_store": o.stored_in.map(Source::label),
            "previous_refresh_token": o.previous.as_ref().map(Previous::label), "approvals_note": APPROVALS_NOTE,
        })
        .to_string());
        return;
    }
    let ui = &ctx.ui;
    let who = o.username.as_deref().unwrap_or("(unknown user)");
    eprintln!(
        "{} Logged in as {} to org {} at {}",
        ui.green(false).apply_to("✔"),
        ui.bold(false).apply_to(sanitize(who)),
        sanitize(o.org_id.as_deref().unwrap_or("?")),
        sanitize(o.instance_url.as_deref().unwrap_or("?"))
    );
    eprintln!("  granted scopes: {}", sanitize(&o.scopes));
    eprintln!("  refresh token stored in the {}", o.stored_in.map_or("output only", Source::label));
    match &o.previous {
        Some(Previous::Revoked) => eprintln!("  the profile's previous refresh token was revoked at Salesforce"),
        Some(Previous::AlreadyInvalid) => eprintln!("  the profile's previous refresh token was already invalid at Salesforce"),
        Some(Previous::Kept(why)) => ui.warn(&format!(
            "the profile's previous refresh token could not be revoked ({why}); it still counts as one of the user's five approvals: revoke it in Setup (Connected Apps OAuth Usage)"
        )),
        None => {}
    }
    eprintln!("  note: {APPROVALS_NOTE}");
}

/// The login itself; `choice` says who opens the URL. The refresh token becomes the profile's.
pub fn login(ctx: &Context, plan: &LoginPlan, choice: BrowserChoice) -> Result<LoginOutcome> {
    login_keeping(ctx, plan, choice, Keep::Profile)
}

/// The login, with the refresh token going where `keep` says.
pub fn login_keeping(ctx: &Context, plan: &LoginPlan, choice: BrowserChoice, keep: Keep) -> Result<LoginOutcome> {
    let cfg = ctx.load_config()?;
    ctx.require_profile(&cfg)?;
    let settings = ctx.settings(&cfg);
    let cfg = std::cell::RefCell::new(cfg);
    let login_url = settings.require_login_url(ctx)?;
    let client_id = settings.require_client_id(ctx)?;
    let redirect_raw = plan.redirect_uri.clone().unwrap_or_else(|| settings.redirect());
    flow_args(plan, &redirect_raw)?;
    let redirect_str = redirect_raw.trim().to_string();
    let (secret, _) = ctx.client_secret()?.ok_or_else(|| not_configured(ctx, "no client secret"))?;
    let http = ctx.http()?;
    let finish = |tokens: TokenResponse| -> Result<LoginOutcome> {
        require_grants(ctx, &tokens)?;
        let rt = tokens.refresh_token.as_ref().expect("checked by require_grants");
        if keep == Keep::HandOut {
            return Ok(handed_out(http, &login_url, &tokens, rt));
        }
        // Under the profile lock, so that a concurrent refresh cannot store an older chain's
        // token over this one; recovery files of the profile are older than this login.
        let profile_lock = ProfileLock::acquire(&ctx.config_dir, &ctx.profile)?;
        let previous = ctx.secrets().get(&ctx.profile, SecretKey::RefreshToken)?.map(|p| p.0);
        let stored_in = ctx.secrets().set(&ctx.profile, SecretKey::RefreshToken, rt)?;
        recovery::remove(&recovery::find(&ctx.config_dir, &ctx.profile));
        drop(profile_lock);
        // Only once the new token is stored (nothing is lost if the revoke goes wrong).
        let previous = previous.filter(|p| p.expose_secret() != rt.expose_secret()).map(|p| revoke_previous(http, &login_url, &p));
        // Who and where, and the API version verify will pin: asked at once, side by side.
        let (info, version) = std::thread::scope(|s| {
            let version = s.spawn(|| tokens.instance_url.as_deref().and_then(|i| crate::api::discover_version(http, i).ok().flatten()));
            let info = oauth::userinfo(http, &login_url, &tokens.access_token).ok();
            (info, version.join().ok().flatten())
        });
        let (id_org, id_user) = tokens.org_and_user().unzip();
        let mut profile = cfg.borrow().profile(&ctx.profile).cloned().unwrap_or_default();
        profile.instance_url = tokens.instance_url.clone();
        profile.user_id = id_user.clone();
        profile.api_version = version.or(profile.api_version);
        profile.username = info.as_ref().and_then(|i| i.username.clone()).or(id_user);
        profile.org_id = info.as_ref().and_then(|i| i.org_id.clone()).or(id_org);
        if plan.redirect_uri.is_some() {
            profile.redirect_uri = Some(redirect_str.clone());
        }
        cfg.borrow_mut().save_profile(&ctx.profile, profile.clone())?;
        Ok(LoginOutcome {
            username: profile.username,
            org_id: profile.org_id,
            instance_url: profile.instance_url,
            scopes: tokens.scope.unwrap_or_default(),
            stored_in: Some(stored_in),
            previous,
            handed_out: None,
        })
    };

    browser_flow(ctx, plan, choice, &App { login_url: &login_url, client_id: &client_id, secret: &secret }, &redirect_raw, &finish)
}

/// The grant must hold what mailfino needs (`api`, `refresh_token`) and a refresh token;
/// otherwise nothing is stored. `full` is allowed, with a warning.
fn require_grants(ctx: &Context, tokens: &TokenResponse) -> Result<()> {
    let verdict = tokens.scope.as_deref().map(ScopeVerdict::of);
    let missing: Vec<&str> = match &verdict {
        Some(v) => v.missing(),
        // No `scope` in the answer (not seen, but tolerated): judge by the refresh token alone.
        None => Vec::new(),
    };
    if !missing.is_empty() || tokens.refresh_token.is_none() {
        let what = if missing.is_empty() {
            "no refresh token came back".to_string()
        } else {
            format!("the app did not grant {}", missing.join(" and "))
        };
        return Err(Error::refused(format!("the login worked, but {what}; mailfino needs it to stay connected"))
            .hint(hint(&Fix::Scopes))
            .hint("nothing was stored"));
    }
    if verdict.as_ref().is_some_and(|v| v.full) {
        ctx.ui.warn(&format!(
            "the app grants `full`, which is broader than mailfino needs; `api` and `refresh_token` are enough: {}",
            hint(&Fix::FullScope)
        ));
    }
    Ok(())
}

/// A refresh token handed out (`export-ci`'s own token): who and where, nothing stored.
fn handed_out(http: &crate::http::Http, login_url: &str, tokens: &TokenResponse, rt: &SecretString) -> LoginOutcome {
    let (org_id, username) = tokens.org_and_user().unzip();
    let info = oauth::userinfo(http, login_url, &tokens.access_token).ok();
    LoginOutcome {
        username: info.as_ref().and_then(|i| i.username.clone()).or(username),
        org_id: info.and_then(|i| i.org_id).or(org_id),
        instance_url: tokens.instance_url.clone(),
        scopes: tokens.scope.clone().unwrap_or_default(),
        stored_in: None,
        previous: None,
        handed_out: Some(rt.clone()),
    }
}

/// The app a browser login goes through.
pub struct App<'a> {
    pub login_url: &'a str,
    pub client_id: &'a str,
    pub secret: &'a SecretString,
}

/// Checks the redirect URI and `--wait` before anything else happens.
fn flow_args(plan: &LoginPlan, redirect_raw: &str) -> Result<url::Url> {
    let redirect = values::redirect_uri(redirect_raw)?;
    if plan.wait == 0 {
        return Err(Error::usage("--wait 0 leaves no time to log in").hint("expected a number of seconds, e.g. --wait 300"));
    }
    Ok(redirect)
}

/// The browser part of a login, shared by `login` and `audit`: the PKCE authorize URL, the
/// loopback listener (or `--paste`), the code exchange; `finish` receives the tokens and decides
/// what is kept.
pub fn browser_flow(
    ctx: &Context,
    plan: &LoginPlan,
    choice: BrowserChoice,
    app: &App,
    redirect_raw: &str,
    finish: &dyn Fn(TokenResponse) -> Result<LoginOutcome>,
) -> Result<LoginOutcome> {
    let redirect = flow_args(plan, redirect_raw)?;
    let redirect_str = redirect_raw.trim().to_string();
    let request = oauth::authorize_request(app.login_url, app.client_id, &redirect_str, plan.scope.as_deref())?;
    let http = ctx.http()?;
    let exchange = |code: &str| -> Result<TokenResponse> {
        match oauth::exchange_code(http, app.login_url, app.client_id, Some(app.secret), code, &request.verifier, &redirect_str)? {
            Ok(t) => Ok(t),
            Err(e) => Err(oauth::oauth_error(&e)),
        }
    };
    if plan.paste {
        return paste_flow(ctx, &request, plan.wait, &exchange, finish);
    }
    let listener = Listener::bind(&redirect)?;
    listen_flow(ctx, &request, &listener, choice, plan.wait, &exchange, finish)
}

fn print_url(ctx: &Context, url: &str) {
    eprintln!("Open this address in a browser to log in to Salesforce:");
    eprintln!();
    eprintln!("  {}", ctx.ui.cyan(false).apply_to(url));
    eprintln!();
    eprintln!("{PAGE_ERROR_HINT}");
}

/// Where the two pre-login errors appear (1.18, 1.19): in the page, not the address bar.
const PAGE_ERROR_HINT: &str = "If the browser shows only a line of text such as error=invalid_client_id&error_description=… instead of\nSalesforce's login page, that error is in the page, not the address bar: copy that text and paste it here.";

fn paste_flow(
    ctx: &Context,
    request: &AuthRequest,
    wait: u64,
    exchange: &dyn Fn(&str) -> Result<TokenResponse>,
    finish: &dyn Fn(TokenResponse) -> Result<LoginOutcome>,
) -> Result<LoginOutcome> {
    print_url(ctx, &request.url);
    eprintln!("After you allow access, the browser lands on a page that may not load (that is expected).");
    eprintln!("Paste the whole address from its address bar here (or just the code, or the error text the page shows), then press Enter:");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        // One pasted address: at most 64 KiB, so that a stream without line breaks ends.
        let _ = std::io::Read::take(std::io::stdin().lock(), 64 * 1024).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(wait)).map_err(|_| timeout_error(wait))?;
    let code = code_from_paste(&line, request)?.ok_or_else(|| Error::usage("nothing was pasted"))?;
    finish(exchange(&code)?)
}

/// Turns a pasted line into a code to exchange (Ok(None): nothing useful, keep waiting).
fn code_from_paste(line: &str, request: &AuthRequest) -> Result<Option<String>> {
    match loopback::parse_pasted(line)? {
        Pasted::Code(code) => Ok(Some(code)),
        Pasted::ErrorPage { error, description } => Err(error_page_error(&error, &description, request)),
        Pasted::ErrorText { error, description } => Err(error_text_error(&error, &description, request)),
        Pasted::Callback { state, error, description, code } => {
            match state {
                Some(s) if s == request.state.expose_secret() => {}
                Some(_) => {
                    return Err(Error::usage("the pasted address belongs to another login (its state does not match)")
                        .hint("paste the address from the login started by this command"))
                }
                None if error.is_none() => {
                    return Err(Error::usage("the pasted address has no state").hint("paste the whole address from the address bar"))
                }
                None => {}
            }
            if let Some(error) = error {
                return Err(callback_error(&error, description.as_deref().unwrap_or(""), request));
            }
            Ok(code)
        }
    }
}

/// The explanation of an error for this login (a redirect mismatch names the URI it sent).
fn explain_login(error: &str, description: &str, request: &AuthRequest) -> crate::salesforce::explain::Explanation {
    let redirect = oauth::query_param(&request.url, "redirect_uri");
    explain_for(error, description, redirect.as_deref())
}

/// The pre-login error text that Salesforce shows in the page instead of its login form (1.18, 1.19).
fn error_text_error(error: &str, description: &str, request: &AuthRequest) -> Error {
    let x = explain_login(error, description, request);
    let mut e = Error::refused(format!(
        "Salesforce answered the login with {} ({}) before any login: {}",
        sanitize(error),
        sanitize(description),
        x.meaning
    ))
    .hint(x.hint());
    e.oauth_code = Some(error.to_string());
    e
}

fn error_page_error(error: &str, description: &str, request: &AuthRequest) -> Error {
    let x = explain_login(error, description, request);
    Error::refused(format!("Salesforce showed its error page: {} ({}): {}", sanitize(error), sanitize(description), x.meaning))
        .hint(x.hint())
}

fn callback_error(error: &str, description: &str, request: &AuthRequest) -> Error {
    let x = explain_login(error, description, request);
    let desc = if description.is_empty() { String::new() } else { format!(" ({})", sanitize(description)) };
    Error::refused(format!("Salesforce sent the login back with an error: {}{desc}: {}", sanitize(error), x.meaning)).hint(x.hint())
}

fn timeout_error(wait: u64) -> Error {
    Error::new(Kind::LoginTimeout, format!("no login arrived within {wait} s"))
        .hint("if the browser shows a line of text `error=invalid_client_id…` or `error=redirect_uri_mismatch…`, that error is in the page, not the address bar: invalid_client_id (Consumer Key unknown, or the app is not active yet: up to 30 minutes), redirect_uri_mismatch (loopback URL not registered)")
        .hint("if it shows Salesforce's error page, read `error=` in its address bar: invalid_scope, OAUTH_APP_BLOCKED (app blocked by an admin)")
        .hint(format!("paste that text or address into `{}` to have it explained", command("login --paste")))
        .hint("if the browser shows \"connection refused\" on localhost, it runs on another machine: use `--paste`, or an SSH port forward of the loopback port")
}

#[allow(clippy::too_many_arguments)]
fn listen_flow(
    ctx: &Context,
    request: &AuthRequest,
    listener: &Listener,
    choice: BrowserChoice,
    wait: u64,
    exchange: &dyn Fn(&str) -> Result<TokenResponse>,
    finish: &dyn Fn(TokenResponse) -> Result<LoginOutcome>,
) -> Result<LoginOutcome> {
    // Ctrl-C and SIGTERM now only end the wait (exit 130, port freed), see `signals`.
    signals::begin_wait();
    print_url(ctx, &request.url);
    open_browser(request, listener.port, choice);
    let paste_rx = pasted_lines(ctx);
    let deadline = Instant::now() + Duration::from_secs(wait);
    let spinner = wait_spinner(ctx);
    let mut warned_state = false;
    let result = loop {
        let now = Instant::now();
        if now >= deadline {
            break Err(timeout_error(wait));
        }
        if signals::interrupted() {
            break Err(Error::new(Kind::Interrupted, "login cancelled"));
        }
        if let Some(pb) = &spinner {
            let left = (deadline - now).as_secs();
            pb.set_message(format!("waiting for the browser… {}:{:02} left (or paste the address here)", left / 60, left % 60));
        }
        if let Some(done) = paste_rx.try_recv().ok().and_then(|line| on_paste(ctx, &line, request, spinner.as_ref(), exchange, finish)) {
            break done;
        }
        let Some(req) = listener.next(Duration::from_millis(100).min(deadline - now)) else { continue };
        let hit = loopback::classify(req.method(), req.url(), &listener.path);
        let Hit::Callback(params) = hit else {
            loopback::answer_other(req, &hit);
            continue;
        };
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if get("state").as_deref() != Some(request.state.expose_secret()) {
            reject_stray(ctx, req, &mut warned_state);
            continue;
        }
        let outcome = match (get("error"), get("code")) {
            (Some(error), _) => Err(callback_error(&error, &get("error_description").unwrap_or_default(), request)),
            (None, Some(code)) => exchange_and_finish(spinner.as_ref(), &code, exchange, finish),
            (None, None) => Err(Error::refused("the login callback carried neither a code nor an error")),
        };
        loopback::to_result_page(req);
        serve_result_page(listener, result_page(&outcome), &listener.path);
        break outcome;
    };
    signals::end_wait();
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    result
}

/// Opens the authorize URL as `choice` says, or tells the admin how to finish from elsewhere.
fn open_browser(request: &AuthRequest, port: u16, choice: BrowserChoice) {
    match choice {
        BrowserChoice::None => eprintln!("(not opening a browser: --no-browser)"),
        BrowserChoice::Custom(opener) => {
            let url = request.url.clone();
            std::thread::spawn(move || opener(url));
        }
        BrowserChoice::System => match browser::open(&request.url) {
            Opened::Started(what) => eprintln!("Opened {what}."),
            Opened::NotTried(why) | Opened::Failed(why) => {
                eprintln!("Not opening a browser here: {why}.");
                eprintln!("Open the address above in a browser on your own machine. When it lands on");
                eprintln!("http://localhost:{port}/… (which may not load there), either");
                eprintln!("  - paste that address here and press Enter, or");
                eprintln!("  - log in again after `ssh -L {port}:localhost:{port} THIS-HOST` from that machine.");
            }
        },
    }
}

/// While the login waits on a terminal, the admin may paste the browser's address instead: the
/// lines typed arrive here (nothing arrives when stdin is not a terminal).
fn pasted_lines(ctx: &Context) -> mpsc::Receiver<String> {
    let (paste_tx, paste_rx) = mpsc::channel::<String>();
    if ctx.ui.interactive {
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines().map_while(std::result::Result::ok) {
                if paste_tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    paste_rx
}

/// The spinner of the wait, on a terminal only (never with `--json`).
fn wait_spinner(ctx: &Context) -> Option<indicatif::ProgressBar> {
    (ctx.ui.stderr_tty && !ctx.json).then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    })
}

/// A line the admin pasted while the login waits: `Some(result)` ends the wait; `None` keeps
/// waiting (a line that is not an address is said as an error, and the wait goes on).
fn on_paste(
    ctx: &Context,
    line: &str,
    request: &AuthRequest,
    spinner: Option<&indicatif::ProgressBar>,
    exchange: &dyn Fn(&str) -> Result<TokenResponse>,
    finish: &dyn Fn(TokenResponse) -> Result<LoginOutcome>,
) -> Option<Result<LoginOutcome>> {
    match code_from_paste(line, request) {
        Ok(Some(code)) => Some(exchange_and_finish(spinner, &code, exchange, finish)),
        Ok(None) => None,
        Err(e) if e.kind == Kind::Usage => {
            ctx.ui.error(&e);
            None
        }
        Err(e) => Some(Err(e)),
    }
}

/// A stray or forged callback (its state does not match): answered 400, never exchanged, said
/// once, and the login keeps waiting.
fn reject_stray(ctx: &Context, req: loopback::Request, warned: &mut bool) {
    req.respond(loopback::page(400, "Login not accepted", "This response does not belong to the login mailfino-sf is waiting for (its state does not match). Start the login from the terminal again if needed."));
    if !*warned {
        ctx.ui.warn("ignored a callback whose state did not match this login; still waiting");
        *warned = true;
    }
}

/// The page the browser ends on: the result, never the code.
fn result_page(outcome: &Result<LoginOutcome>) -> loopback::Response {
    match outcome {
        Ok(o) => loopback::page(
            200,
            "Logged in",
            &format!(
                "mailfino-sf is logged in as {}. You can close this tab and return to the terminal.",
                o.username.as_deref().unwrap_or("your user")
            ),
        ),
        Err(e) => loopback::page(200, "Login failed", &format!("{} See the terminal for how to fix it.", e.message)),
    }
}

/// Exchanges the code and stores the result, the spinner saying which of the two it is doing.
fn exchange_and_finish(
    spinner: Option<&indicatif::ProgressBar>,
    code: &str,
    exchange: &dyn Fn(&str) -> Result<TokenResponse>,
    finish: &dyn Fn(TokenResponse) -> Result<LoginOutcome>,
) -> Result<LoginOutcome> {
    if let Some(pb) = spinner {
        pb.set_message("exchanging the code with Salesforce…");
    }
    let tokens = exchange(code)?;
    if let Some(pb) = spinner {
        pb.set_message("verifying the grant and storing the refresh token…");
    }
    finish(tokens)
}

/// Serves the result page to the browser's follow-up request (for at most two seconds).
fn serve_result_page(listener: &Listener, page: loopback::Response, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut page = Some(page);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Some(req) = listener.next(left) else { return };
        match loopback::classify(req.method(), req.url(), path) {
            Hit::ResultPage => {
                if let Some(p) = page.take() {
                    req.respond_flushed(p, left);
                }
                return;
            }
            hit => loopback::answer_other(req, &hit),
        }
    }
}
