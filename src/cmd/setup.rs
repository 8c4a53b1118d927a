//! `mailfino-sf setup`: the checklist wizard. Interactive on a terminal (dialoguer on stderr),
//! non-interactive from flags and the environment otherwise. Every value is validated before
//! anything is written; then the profile and the secret are saved, mailfino's environment is
//! written, and the app is checked live (with a propagation retry when asked for).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use dialoguer::Confirm;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::browser::BrowserChoice;
use crate::checks::{self, AppInputs, Check, CheckId, Status};
use crate::cmd::{login, verify};
use crate::context::Context;
use crate::error::{Error, Kind, Result};
use crate::salesforce::checklist::STEPS;
use crate::salesforce::explain::{self, Fix, PROPAGATION_MINUTES};
use crate::salesforce::values;
use crate::signals;
use crate::store::config::{ConfigFile, Profile};
use crate::store::envfile;
use crate::store::secrets::SecretKey;
use crate::ui::out;

mod wizard;

/// Validated values to set up.
pub struct SetupValues {
    pub login_url: String,
    pub client_id: String,
    /// None: keep the secret already stored.
    pub client_secret: Option<SecretString>,
    pub callback_url: String,
    pub redirect_uri: String,
    pub env_file: Option<PathBuf>,
    pub warnings: Vec<String>,
}

/// What to do with them.
pub struct ApplyOptions {
    pub print_env: bool,
    pub check: bool,
    pub retry_for: Duration,
    /// Offer (interactive) or run the retry and login steps.
    pub interactive: bool,
    pub login: Option<BrowserChoice>,
    /// How to show the checklist steps before saving.
    pub steps: StepsView,
    /// End with the "Next:" lines.
    pub next_steps: bool,
}

/// How `apply` shows the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepsView {
    /// Not at all (the interactive wizard already showed them).
    Hidden,
    /// Each step's title and first line, and the values.
    Compact,
    /// Everything, as the wizard shows it.
    Full,
}

/// What `setup` was asked to do (from the flags and the environment, by `settings`).
#[derive(Debug, Clone, Default)]
pub struct SetupPlan {
    /// Never prompt.
    pub non_interactive: bool,
    pub login_url: Option<String>,
    pub client_id: Option<String>,
    /// `client_id` was typed on the command line (visible in `ps`), not taken from the environment.
    pub client_id_typed: bool,
    /// Read the Consumer Secret from stdin.
    pub client_secret_stdin: bool,
    /// A self-hosted mailfino's public base URL.
    pub mailfino_url: Option<String>,
    pub redirect_uri: Option<String>,
    pub env_file: Option<PathBuf>,
    pub print_env: bool,
    /// Run the login at the end.
    pub login: bool,
    /// How long to keep re-checking while Salesforce does not know the app yet.
    pub retry_for: Duration,
    /// Check the app against Salesforce (not `--no-check`).
    pub check: bool,
}

pub fn run(args: &SetupPlan, ctx: &Context) -> Result<ExitCode> {
    let interactive = !args.non_interactive && ctx.ui.interactive;
    let cfg = ctx.load_config()?;
    let current = cfg.profile(&ctx.profile).cloned().unwrap_or_default();
    let values = if interactive { wizard::ask(ctx, args, &current)? } else { from_flags(ctx, args, &current)? };
    let login = if args.login { Some(BrowserChoice::System) } else { None };
    let opts = ApplyOptions {
        print_env: args.print_env,
        check: args.check,
        retry_for: args.retry_for,
        interactive,
        login,
        steps: if interactive { StepsView::Hidden } else { StepsView::Compact },
        next_steps: true,
    };
    apply(ctx, cfg, values, &opts)
}

fn missing(flag: &str, what: &str) -> Error {
    Error::usage(format!("missing {what}: pass {flag}"))
        .hint("setup runs without prompts because of --non-interactive or because stdin is not a terminal")
}

/// Values from flags, the environment and the current profile, validated.
pub fn from_flags(ctx: &Context, args: &SetupPlan, current: &Profile) -> Result<SetupValues> {
    let mut warnings = Vec::new();
    let login_raw = args.login_url.clone().or(current.login_url.clone()).ok_or_else(|| missing("--login-url URL", "the login URL"))?;
    let login_url = values::login_url(&login_raw)?;
    let id_raw = args.client_id.clone().or(current.client_id.clone()).ok_or_else(|| missing("--client-id KEY", "the Consumer Key"))?;
    let (client_id, w) = values::client_id(&id_raw).map_err(|e| on_command_line(args, &id_raw, e))?;
    warnings.extend(w);
    let callback_url = match (&args.mailfino_url, ctx.env("MAILFINO_SF_CALLBACK_URL"), current.callback_url.clone()) {
        (Some(base), _, _) => {
            let (cb, w) = values::mailfino_callback(Some(base))?;
            warnings.extend(w);
            cb
        }
        (None, Some(cb), _) | (None, None, Some(cb)) => {
            warnings.extend(values::check_callback(&cb)?);
            cb
        }
        (None, None, None) => values::CLOUD_CALLBACK.to_string(),
    };
    let redirect_uri = args.redirect_uri.clone().or(current.redirect_uri.clone()).unwrap_or_else(|| values::DEFAULT_REDIRECT_URI.into());
    values::redirect_uri(&redirect_uri)?;
    let client_secret = if args.client_secret_stdin {
        let mut s = String::new();
        // A secret is short: read at most 64 KiB, so that `< /dev/zero` ends at once.
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut s)
            .map_err(|e| Error::usage(format!("cannot read the Consumer Secret from stdin: {e}")))?;
        let (secret, w) = secret_for(&s, &client_id)?;
        warnings.extend(w);
        Some(SecretString::from(secret))
    } else if let Some(s) = ctx.env("MAILFINO_SF_CLIENT_SECRET") {
        let (secret, w) = secret_for(&s, &client_id)?;
        warnings.extend(w);
        Some(SecretString::from(secret))
    } else if ctx.secrets().get(&ctx.profile, SecretKey::ClientSecret)?.is_some() {
        None
    } else {
        return Err(missing("--client-secret-stdin (the secret on stdin) or set MAILFINO_SF_CLIENT_SECRET", "the Consumer Secret"));
    };
    let env_file = args.env_file.clone();
    if let Some(p) = &env_file {
        if p.as_os_str().is_empty() || p.is_dir() || (p.exists() && !p.is_file()) {
            return Err(Error::usage(format!("--env-file `{}` is not a file path", p.display()))
                .hint("expected a file path, e.g. /etc/mailfino/salesforce.env"));
        }
        envfile::inspect(p)?;
    }
    Ok(SetupValues { login_url, client_id, client_secret, callback_url, redirect_uri: redirect_uri.trim().to_string(), env_file, warnings })
}

/// The Consumer Secret checked on its own and against the key (the same value in both is a paste
/// into the wrong field).
fn secret_for(raw: &str, client_id: &str) -> Result<(String, Vec<String>)> {
    let (secret, w) = values::client_secret(raw)?;
    if secret == client_id {
        return Err(Error::usage("the Consumer Secret is the same as the Consumer Key")
            .hint("copy the secret from Consumer Key and Secret → Consumer Secret"));
    }
    Ok((secret, w))
}

/// A key flagged as a secret: when it came from `--client-id` on the command line (not from the
/// environment), it was visible to other users in `ps` while this ran; say so.
fn on_command_line(args: &SetupPlan, raw: &str, e: Error) -> Error {
    let from_flag = args.client_id_typed && args.client_id.as_deref() == Some(raw);
    if from_flag && values::looks_like_secret(raw) {
        e.hint("--client-id was on the command line, where other users can see it in `ps`: if this is the secret, reset it in Salesforce and pass the new one on stdin (--client-secret-stdin)")
    } else {
        e
    }
}

/// A validation error as one short line for a prompt: the message, and the hint when it is short
/// (e.g. the My Domain form of a Lightning URL).
fn prompt_error(e: Error) -> String {
    match e.hints.first().filter(|h| h.len() <= 70) {
        Some(h) => format!("{}; {h}", e.message),
        None => e.message,
    }
}

fn theme() -> dialoguer::theme::SimpleTheme {
    dialoguer::theme::SimpleTheme
}

/// What a signal at a wizard prompt prints (the wizard writes nothing; the caller saves after it).
const CANCELLED: &str = "setup cancelled; nothing was written";
/// What a signal at a prompt after the save prints (naming `verify` for this run's profile).
fn stopped() -> String {
    format!("setup stopped; what you entered is saved (`{}` checks it)", explain::command("verify"))
}

/// Opens prompts: a signal (Ctrl-C, SIGTERM, SIGHUP) at any of them restores the terminal,
/// reports `message` as an interruption and exits 130 (see `signals`).
fn prompts(ctx: &Context, message: impl Into<String>) -> signals::Prompts {
    let message = message.into();
    let (ui, json) = (ctx.ui, ctx.json);
    signals::Prompts::begin(move || ui.report(&Error::new(Kind::Interrupted, message), json))
}

/// A prompt that failed: Ctrl-C read as a key ends the run here (see `signals`); any other
/// failure (e.g. the terminal went away) cancels the wizard with its reason.
pub(crate) fn prompt_err(e: dialoguer::Error) -> Error {
    let e = std::io::Error::from(e);
    signals::prompt_interrupted(&e);
    Error::new(Kind::Interrupted, format!("setup cancelled ({e}); nothing was written"))
}

/// Prints one checklist step with the values to paste on their own lines.
fn show_step(ctx: &Context, n: u8, callback: &str, redirect: &str, compact: bool) {
    let ui = &ctx.ui;
    let Some(step) = STEPS.iter().find(|s| s.number == n) else { return };
    eprintln!("\n{} {}", ui.bold(false).apply_to(format!("Step {}:", step.number)), ui.bold(false).apply_to(step.title));
    let lines: &[&str] = if compact { &step.lines[..1.min(step.lines.len())] } else { step.lines };
    let width = console::Term::stderr().size_checked().map(|(_, w)| usize::from(w)).unwrap_or(100).clamp(40, 100);
    for line in lines {
        for part in textwrap::wrap(line, textwrap::Options::new(width - 2).initial_indent("  ").subsequent_indent("    ")) {
            eprintln!("{part}");
        }
    }
    if n == 4 {
        eprintln!("  Paste these two lines into Callback URL:");
        eprintln!();
        eprintln!("    {}", ui.cyan(false).apply_to(callback));
        eprintln!("    {}", ui.cyan(false).apply_to(redirect));
        eprintln!();
        eprintln!("  (the first is mailfino's; the second lets `mailfino-sf login` prove the app works)");
    }
}

/// mailfino's server environment for these values.
fn env_pairs<'a>(v: &'a SetupValues, secret: &'a str) -> [(&'static str, &'a str); 4] {
    [
        ("MAILFINO_SALESFORCE_CLIENT_ID", v.client_id.as_str()),
        ("MAILFINO_SALESFORCE_CLIENT_SECRET", secret),
        ("MAILFINO_SALESFORCE_LOGIN_URL", v.login_url.as_str()),
        ("MAILFINO_SALESFORCE_CALLBACK_URL", v.callback_url.as_str()),
    ]
}

/// Says what writing mailfino's env file did.
fn report_env_write(ctx: &Context, path: &std::path::Path, w: &envfile::Written) {
    let tick = ctx.ui.green(false).apply_to("✔");
    if w.changed {
        let kept = w.backup.as_ref().map(|b| format!("; the previous file is kept as {}", b.display())).unwrap_or_default();
        eprintln!("{tick} wrote mailfino's Salesforce settings to {}{kept}", path.display());
    } else {
        eprintln!("{tick} mailfino's env file {} already holds these settings (not rewritten)", path.display());
    }
    for note in &w.notes {
        eprintln!("  note: {note}");
    }
}

/// Saves, writes the environment, checks, and optionally logs in. `cfg` is the config as read at
/// the start of the command (read once; the save re-reads under the write).
pub fn apply(ctx: &Context, cfg: ConfigFile, v: SetupValues, opts: &ApplyOptions) -> Result<ExitCode> {
    for w in &v.warnings {
        ctx.ui.warn(w);
    }
    if opts.steps != StepsView::Hidden {
        for step in &STEPS {
            show_step(ctx, step.number, &v.callback_url, &v.redirect_uri, opts.steps == StepsView::Compact);
        }
        eprintln!();
    }
    let (secret, env_written) = save(ctx, cfg, &v)?;
    if opts.print_env {
        ctx.ui.warn(
            "the lines below contain the Consumer Secret; put them into mailfino's secret store (Kubernetes secret, systemd credential, …)",
        );
        for (k, val) in &env_pairs(&v, secret.expose_secret()) {
            out(&envfile::format_assignment(k, val));
        }
    }
    let (mut results, mut code) = if opts.check { check_app(ctx, &v, &secret, opts)? } else { (Vec::new(), ExitCode::SUCCESS) };
    // mailfino needs only its own callback; this tool's login also needs the loopback one.
    let login_blocked = results.iter().any(|c| c.id == CheckId::LoopbackRegistered && matches!(c.status, Status::Warn | Status::Fail));
    let mut logged_in = None;
    if results.iter().all(|c| c.status != Status::Fail) {
        if login_blocked && !ctx.json {
            eprintln!(
                "\nmailfino's side checks out. `mailfino-sf login` will need {} registered as a second Callback URL on the app \
                 (Step 4, one per line; a change can take up to ten minutes); add it before you log in.",
                v.redirect_uri
            );
        }
        if let Some(choice) = login_choice(ctx, &v, opts, login_blocked)? {
            let (o, all, c) = login_and_verify(ctx, &v, choice)?;
            (results, logged_in) = (all, Some(o));
            code = c.unwrap_or(code);
        }
    }
    finish(ctx, &v, opts, &Outcome { results: &results, env_written: env_written.as_ref(), logged_in: logged_in.as_ref(), login_blocked });
    Ok(code)
}

/// Saves the profile and the secret and writes mailfino's environment; returns the secret in use
/// and what writing the env file did.
fn save(ctx: &Context, mut cfg: ConfigFile, v: &SetupValues) -> Result<(SecretString, Option<envfile::Written>)> {
    let mut profile = cfg.profile(&ctx.profile).cloned().unwrap_or_default();
    let changed_app =
        profile.client_id.as_deref() != Some(v.client_id.as_str()) || profile.login_url.as_deref() != Some(v.login_url.as_str());
    profile.login_url = Some(v.login_url.clone());
    profile.client_id = Some(v.client_id.clone());
    profile.callback_url = Some(v.callback_url.clone());
    profile.redirect_uri = Some(v.redirect_uri.clone());
    if v.env_file.is_some() {
        profile.env_file = v.env_file.clone();
    }
    if changed_app {
        // A login of another app or org no longer describes this profile.
        profile.instance_url = None;
        profile.username = None;
        profile.org_id = None;
    }
    let secret = match &v.client_secret {
        Some(s) => s.clone(),
        None => ctx
            .secrets()
            .get(&ctx.profile, SecretKey::ClientSecret)?
            .map(|s| s.0)
            .ok_or_else(|| Error::not_configured("no Consumer Secret is stored"))?,
    };
    // mailfino's environment is prepared (path, old content, owner) before any file changes.
    let pairs = env_pairs(v, secret.expose_secret());
    let env_plan = v.env_file.as_deref().map(|p| envfile::prepare(p, &pairs)).transpose()?;
    cfg.save_profile(&ctx.profile, profile)?;
    let stored_in = match &v.client_secret {
        Some(s) => Some(ctx.secrets().set(&ctx.profile, SecretKey::ClientSecret, s)?),
        None => None,
    };
    eprintln!("{} saved profile `{}` in {}", ctx.ui.green(false).apply_to("✔"), ctx.profile, cfg.path.display());
    if let Some(to) = stored_in {
        eprintln!("{} stored the Consumer Secret in the {}", ctx.ui.green(false).apply_to("✔"), to.label());
    }
    let written = match env_plan {
        Some(plan) => {
            let path = plan.path.clone();
            let w = plan.commit()?;
            report_env_write(ctx, &path, &w);
            Some(w)
        }
        None => None,
    };
    Ok((secret, written))
}

/// The app checks (with the propagation retry), printed; the exit code of a failure.
fn check_app(ctx: &Context, v: &SetupValues, secret: &SecretString, opts: &ApplyOptions) -> Result<(Vec<Check>, ExitCode)> {
    let results = check_with_retry(ctx, v, secret, opts)?;
    if !ctx.json {
        eprintln!("\nChecking the app against Salesforce ({}):", v.login_url);
        verify::print_checks(&ctx.ui, &results, false, false);
    }
    let Some(failed) = results.iter().find(|c| c.status == Status::Fail) else { return Ok((results, ExitCode::SUCCESS)) };
    let kind = if failed.id == CheckId::LoginHost { Kind::Unreachable } else { Kind::Refused };
    if !ctx.json {
        eprintln!("\nWhat you entered is saved; fix the app in Setup and run `mailfino-sf verify{}` (or setup again).", ctx.profile_flag());
    }
    Ok((results, ExitCode::from(kind.code())))
}

/// Whether to log in now: `--login`, or asked on a terminal; refused while the loopback
/// redirect URI is not registered.
fn login_choice(ctx: &Context, v: &SetupValues, opts: &ApplyOptions, login_blocked: bool) -> Result<Option<BrowserChoice>> {
    Ok(match opts.login {
        Some(_) if login_blocked => {
            return Err(Error::refused(format!(
                "not logging in: the loopback redirect URI {} is not registered on the app",
                v.redirect_uri
            ))
            .hint(explain::hint(&Fix::CallbackUrl(v.redirect_uri.clone())))
            .hint("everything else is saved and mailfino's settings are written"));
        }
        Some(c) => Some(c),
        None if login_blocked => None,
        None if opts.interactive => {
            let _prompts = prompts(ctx, stopped());
            Confirm::with_theme(&theme())
                .with_prompt("Log in now to prove the login works and keep a refresh token?")
                .default(true)
                .wait_for_newline(true)
                .interact()
                .map_err(prompt_err)?
                .then_some(BrowserChoice::System)
        }
        None => None,
    })
}

/// Logs in, then runs every check, now that there is a refresh token (and what the login
/// stored): their outcome is setup's (exit 1 when one failed, as `verify`).
fn login_and_verify(ctx: &Context, v: &SetupValues, choice: BrowserChoice) -> Result<(login::LoginOutcome, Vec<Check>, Option<ExitCode>)> {
    let plan = login::LoginPlan::listen(Some(v.redirect_uri.clone()), 300);
    let o = login::login(ctx, &plan, choice)?;
    if !ctx.json {
        login::report(ctx, &o);
    }
    let cfg = ctx.load_config()?;
    let all = checks::verify(ctx, &ctx.settings(&cfg), &checks::VerifyOptions::default());
    if !ctx.json {
        eprintln!("\nVerifying the whole connection:");
        verify::print_checks(&ctx.ui, &all, true, false);
    }
    let code = all.iter().any(|c| c.status == Status::Fail).then(|| ExitCode::from(Kind::Failed.code()));
    Ok((o, all, code))
}

/// What a setup did, for [`finish`].
struct Outcome<'a> {
    results: &'a [Check],
    /// What writing mailfino's env file did (None: no env file).
    env_written: Option<&'a envfile::Written>,
    logged_in: Option<&'a login::LoginOutcome>,
    login_blocked: bool,
}

/// The JSON document, or the "Next:" lines.
fn finish(ctx: &Context, v: &SetupValues, opts: &ApplyOptions, o: &Outcome) {
    let (results, logged_in, login_blocked) = (o.results, o.logged_in, o.login_blocked);
    let passed = results.iter().all(|c| c.status != Status::Fail);
    if ctx.json {
        out(&json!({
            "ok": passed, "profile": ctx.profile, "login_url": v.login_url, "client_id": v.client_id,
            "callback_url": v.callback_url, "redirect_uri": v.redirect_uri,
            "env_file": v.env_file.as_ref().map(|p| p.display().to_string()),
            "env_file_changed": o.env_written.map(|w| w.changed),
            "env_file_backup": o.env_written.and_then(|w| w.backup.as_ref()).map(|b| b.display().to_string()),
            "env_file_notes": o.env_written.map(|w| &w.notes),
            "checks": results, "logged_in": logged_in.map(|o| o.username.clone()),
        })
        .to_string());
        return;
    }
    if !passed || !opts.next_steps {
        return;
    }
    eprintln!("\n{}", ctx.ui.bold(false).apply_to("Next:"));
    if logged_in.is_none() && login_blocked {
        eprintln!("  register {} on the app, then: mailfino-sf login{}", v.redirect_uri, ctx.profile_flag());
    } else if logged_in.is_none() {
        eprintln!("  mailfino-sf login{}     prove the login works and keep a refresh token", ctx.profile_flag());
    }
    eprintln!("  mailfino-sf verify{}    check everything again at any time", ctx.profile_flag());
    if v.env_file.is_some() {
        eprintln!("  restart mailfino so that it reads its new Salesforce settings");
    }
}

fn is_propagation(results: &[Check]) -> bool {
    results
        .iter()
        .any(|c| c.status == Status::Fail && matches!(c.id, CheckId::ClientId | CheckId::CallbackRegistered | CheckId::LoopbackRegistered))
}

/// Runs the app checks; while Salesforce does not know the new app yet, retries for up to
/// `retry_for` (interactive: offers 30 minutes with a countdown, cancellable with Ctrl-C; 9.4).
/// Checks come every 2 s at first, then less often (at most every 15 s).
fn check_with_retry(ctx: &Context, v: &SetupValues, secret: &SecretString, opts: &ApplyOptions) -> Result<Vec<Check>> {
    let http = ctx.http()?;
    let inputs = AppInputs {
        http,
        login_url: &v.login_url,
        client_id: &v.client_id,
        callback: &v.callback_url,
        redirect: &v.redirect_uri,
        secret: Some(secret),
    };
    let mut results = checks::app_checks(&inputs);
    let mut retry_for = opts.retry_for;
    if is_propagation(&results) && retry_for.is_zero() && opts.interactive {
        verify::print_checks(&ctx.ui, &results, false, false);
        let _prompts = prompts(ctx, stopped());
        let keep = Confirm::with_theme(&theme())
            .with_prompt(format!(
                "Salesforce can take up to {m} minutes to accept a new or changed app. Keep checking for up to {m} minutes?",
                m = PROPAGATION_MINUTES
            ))
            .default(true)
            .wait_for_newline(true)
            .interact()
            .map_err(prompt_err)?;
        if keep {
            retry_for = Duration::from_secs(PROPAGATION_MINUTES * 60);
        }
    }
    if retry_for.is_zero() || !is_propagation(&results) {
        return Ok(results);
    }
    let deadline = Instant::now() + retry_for;
    let spinner = ctx.ui.stderr_tty.then(indicatif::ProgressBar::new_spinner);
    let mut pause = Duration::from_secs(2);
    while is_propagation(&results) {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else { break };
        let msg = format!(
            "Salesforce does not accept the app yet; checking again ({}:{:02} left, Ctrl-C to stop)",
            left.as_secs() / 60,
            left.as_secs() % 60
        );
        match &spinner {
            Some(pb) => {
                pb.set_message(msg);
                pb.tick();
            }
            None => eprintln!("{msg}"),
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 3 / 2).min(Duration::from_secs(15));
        results = checks::app_checks(&inputs);
    }
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    Ok(results)
}
