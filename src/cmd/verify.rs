//! `mailfino-sf verify`: every check, one line each, hints under anything but pass; `--json`.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;

use crate::checks::{self, Check, CheckId, Status, VerifyOptions};
use crate::context::{Context, RunKind};
use crate::error::Result;
use crate::store::config::LastRun;
use crate::ui::{out, wrap, Ui};

pub fn run(args: &VerifyOptions, ctx: &Context) -> Result<ExitCode> {
    if args.renew || args.rotated_token_out.is_some() {
        crate::renew::check_rotated_out(ctx, "verify --renew", args.rotated_token_out.as_deref())?;
    }
    let cfg = ctx.load_config()?;
    // On mailfino's own server there is no profile: `--env-file` alone names what to check.
    let file_only = match &args.env_file {
        Some(path) if ctx.profile == "default" && ctx.require_profile(&cfg).is_err() => Some(path),
        _ => None,
    };
    if let Some(path) = file_only {
        return finish(ctx, &crate::mailfino_env::verify_file(ctx, path));
    }
    ctx.require_profile(&cfg)?;
    let settings = ctx.settings(&cfg);
    let spinner = crate::progress::Spinner::start(&ctx.ui, ctx.json, Duration::from_millis(300), crate::progress::verify_message);
    let results = checks::verify(ctx, &settings, args);
    drop(spinner);
    ctx.record_run(RunKind::Verify, LastRun::now(results.iter().all(|c| c.status != Status::Fail), outcome_line(&results)));
    finish(ctx, &results)
}

/// Prints the results; exit 0 when nothing failed.
fn finish(ctx: &Context, results: &[Check]) -> Result<ExitCode> {
    let ok = results.iter().all(|c| c.status != Status::Fail);
    if ctx.json {
        out(&json!({"ok": ok, "profile": ctx.profile, "checks": results}).to_string());
    } else {
        print_checks(&ctx.ui, results, true, true);
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// One line per check with a mark, hints under anything but pass, and a closing line; on stdout
/// (verify's result) or stderr (narration in setup and demo).
pub fn print_checks(ui: &Ui, results: &[Check], closing: bool, to_stdout: bool) {
    let emit = |line: &str| if to_stdout { out(line) } else { eprintln!("{line}") };
    let ui = &Ui { color_out: if to_stdout { ui.color_out } else { ui.color_err }, ..*ui };
    let width = results.iter().map(|c| c.id.as_str().len()).max().unwrap_or(0);
    // Summaries and hints wrap at word boundaries under their own column.
    let indent = 6 + 2 + width + 2;
    let text_width = crate::ui::width(to_stdout).saturating_sub(indent).max(24);
    for c in results {
        let mark = match c.status {
            Status::Pass => ui.green(true).apply_to("✔ pass"),
            Status::Warn => ui.yellow(true).apply_to("! warn"),
            Status::Fail => ui.red(true).apply_to("✘ fail"),
            Status::Skip => ui.dim(true).apply_to("- skip"),
        };
        for (i, line) in wrap(&c.summary, text_width).iter().enumerate() {
            if i == 0 {
                emit(&format!("{mark}  {:<width$}  {line}", c.id));
            } else {
                emit(&format!("{:indent$}{line}", ""));
            }
        }
        match (&c.hint, c.status) {
            (Some(hint), Status::Warn | Status::Fail) if !hint.trim().is_empty() => {
                for (i, line) in wrap(hint, text_width.saturating_sub(5)).iter().enumerate() {
                    if i == 0 {
                        emit(&format!("{:indent$}{} {line}", "", ui.dim(true).apply_to("fix:")));
                    } else {
                        emit(&format!("{:indent$}     {line}", ""));
                    }
                }
            }
            _ => {}
        }
    }
    if closing {
        print_closing(ui, results, &claim(results), "fix them in the order shown.", to_stdout);
    }
}

/// The closing line: the counts, then `ok_text` when nothing failed, else "N check(s) failed;
/// `fail_text`".
pub fn print_closing(ui: &Ui, results: &[Check], ok_text: &str, fail_text: &str, to_stdout: bool) {
    let ui = &Ui { color_out: if to_stdout { ui.color_out } else { ui.color_err }, ..*ui };
    let count = |s: Status| results.iter().filter(|c| c.status == s).count();
    let (pass, warn, fail, skip) = (count(Status::Pass), count(Status::Warn), count(Status::Fail), count(Status::Skip));
    let verdict = if fail == 0 {
        ui.green(true).apply_to(ok_text.to_string())
    } else {
        ui.red(true).apply_to(format!("{fail} check(s) failed; {fail_text}"))
    };
    let emit = |line: &str| if to_stdout { out(line) } else { eprintln!("{line}") };
    emit("");
    for line in wrap(&format!("{pass} passed, {warn} warnings, {fail} failed, {skip} skipped. {verdict}"), crate::ui::width(to_stdout)) {
        emit(&line);
    }
}

/// "10 passed" or "failed: client_secret, refresh_token; 2 warnings", for `status`.
fn outcome_line(results: &[Check]) -> String {
    let ids = |s: Status| results.iter().filter(|c| c.status == s).map(|c| c.id.as_str()).collect::<Vec<_>>();
    let (failed, warned) = (ids(Status::Fail), ids(Status::Warn));
    let passed = ids(Status::Pass).len();
    match (failed.is_empty(), warned.is_empty()) {
        (true, true) => format!("{passed} passed"),
        (true, false) => format!("{passed} passed; warnings: {}", warned.join(", ")),
        // `status` shows it after "failed:", so the word is not repeated here.
        (false, _) => format!("{passed} passed; failing: {}", failed.join(", ")),
    }
}

/// What a run without failures proved, and nothing more: each claim needs its checks to pass;
/// whatever was skipped or only warned about is named as not proven.
pub fn claim(results: &[Check]) -> String {
    let passed = |ids: &[CheckId]| ids.iter().all(|id| results.iter().any(|c| c.id == *id && c.status == Status::Pass));
    let app = passed(&[CheckId::ClientId, CheckId::CallbackRegistered, CheckId::ClientSecret]);
    let env = passed(&[CheckId::MailfinoEnv]) && passed(&[CheckId::Config]);
    let mut proven = Vec::new();
    if app {
        proven.push("Salesforce accepts mailfino's Consumer Key, Secret and callback URL");
    }
    if passed(&[CheckId::RefreshToken, CheckId::ApiAccess]) {
        proven.push("the refresh token renews and the REST API answers");
    }
    if env {
        proven.push("mailfino's env file holds these values");
    }
    let mut text = match (app && env, proven.is_empty()) {
        (true, _) => format!("mailfino's Salesforce connection works: {}.", proven.join("; ")),
        (false, false) => format!("Proven: {}.", proven.join("; ")),
        (false, true) => "Nothing failed, but nothing was proven.".to_string(),
    };
    let open: Vec<&str> = results.iter().filter(|c| matches!(c.status, Status::Skip | Status::Warn)).map(|c| c.id.as_str()).collect();
    if !open.is_empty() {
        text.push_str(&format!(" Not proven: {}.", open.join(", ")));
    }
    text
}
