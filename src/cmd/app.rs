//! `mailfino-sf app export DIR` and `app check DIR`: mailfino's External Client App as
//! metadata. The values come from the profile when there is one (mailfino's callback, the
//! loopback redirect URI, `app_name`) and from the flags; without a profile the defaults are
//! mailfino Cloud's callback and the default loopback URI. `check` renders like `verify`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;

use crate::app::check::{self, Expected};
use crate::app::export::{self, Outcome, Written};
use crate::app::spec::{self, AppSpec, TYPES};
use crate::checks::Status;
use crate::cmd::verify::{print_checks, print_closing};
use crate::context::{no_such_profile, Context, Settings};
use crate::error::{Error, Result};
use crate::salesforce::values;
use crate::store::config::Profile;
use crate::ui::{out, sanitize};

/// Where mailfino and this tool's login live, when given as flags.
#[derive(Debug, Clone, Default)]
pub struct UrlFlags {
    /// The public base URL of a self-hosted mailfino.
    pub mailfino_url: Option<String>,
    /// This tool's loopback redirect URI.
    pub redirect_uri: Option<String>,
}

/// What `app export` was asked to do (from the flags, by `settings`).
#[derive(Debug, Clone)]
pub struct ExportPlan {
    pub dir: PathBuf,
    pub name: Option<String>,
    pub contact_email: Option<String>,
    pub permission_set: Option<String>,
    pub refresh_policy: spec::RefreshPolicy,
    pub ip_policy: spec::IpPolicy,
    pub rotation: bool,
    pub urls: UrlFlags,
}

/// What `app check` was asked to do (from the flags, by `settings`).
#[derive(Debug, Clone)]
pub struct CheckPlan {
    pub dir: PathBuf,
    pub name: Option<String>,
    pub urls: UrlFlags,
}

/// The profile's settings; an explicitly named profile that does not exist is exit 3, the
/// absent default profile means "no profile" (the defaults apply).
fn settings(ctx: &Context) -> Result<Settings> {
    let cfg = ctx.load_config()?;
    if ctx.profile != "default" && cfg.profile(&ctx.profile).is_none() {
        return Err(no_such_profile(&ctx.profile, &cfg));
    }
    Ok(ctx.settings(&cfg))
}

/// mailfino's callback and the loopback redirect URI: flags, else the profile (with the
/// environment on top), else the defaults. Warnings go to stderr.
pub fn urls(ctx: &Context, s: &Settings, flags: &UrlFlags) -> Result<(String, String)> {
    let callback = match &flags.mailfino_url {
        Some(base) => {
            let (cb, warnings) = values::mailfino_callback(Some(base))?;
            warnings.iter().for_each(|w| ctx.ui.warn(w));
            cb
        }
        None => {
            let cb = s.callback();
            values::check_callback(&cb)
                .map_err(|e| e.hint("pass --mailfino-url BASE_URL (self-hosted) or fix the profile with `mailfino-sf setup`"))?
                .iter()
                .for_each(|w| ctx.ui.warn(w));
            cb
        }
    };
    let redirect = flags.redirect_uri.clone().unwrap_or_else(|| s.redirect());
    values::redirect_uri(&redirect)?;
    Ok((callback, redirect.trim().to_string()))
}

/// The app's API name and label: `--name`, else the profile's `app_name` (which may be a
/// label: an API name is made from it), else `mailfino`.
fn name_and_label(flag: Option<&str>, profile: &Profile) -> Result<(String, String)> {
    if let Some(n) = flag {
        let n = spec::api_name("app name", n)?;
        return Ok((n.clone(), n));
    }
    match profile.app_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(label) => {
            let name = spec::api_name("app name", label).unwrap_or_else(|_| spec::api_name_from_label(label));
            Ok((name, label.chars().take(80).collect()))
        }
        None => Ok((spec::DEFAULT_APP_NAME.to_string(), spec::DEFAULT_APP_NAME.to_string())),
    }
}

/// Builds the app's description from the profile and flags (all validated; exit 2 on bad input).
pub fn spec_from(ctx: &Context, args: &ExportPlan) -> Result<AppSpec> {
    let s = settings(ctx)?;
    let (name, label) = name_and_label(args.name.as_deref(), &s.stored)?;
    let contact_email = match &args.contact_email {
        Some(e) => spec::contact_email(e)?,
        None => {
            return Err(Error::usage("app export needs --contact-email ADDRESS")
                .hint("the address Salesforce shows as the app's contact, e.g. --contact-email salesforce-admin@example.com"))
        }
    };
    let permission_set = args.permission_set.as_deref().map(|p| spec::api_name("permission set", p)).transpose()?;
    let (callback, redirect) = urls(ctx, &s, &args.urls)?;
    Ok(AppSpec {
        name,
        label,
        contact_email,
        callback,
        redirect,
        permission_set,
        refresh: args.refresh_policy,
        ip: args.ip_policy,
        rotation: args.rotation,
    })
}

pub fn export_cmd(args: &ExportPlan, ctx: &Context) -> Result<ExitCode> {
    let spec = spec_from(ctx, args)?;
    let written = export::write_project(&args.dir, &spec)?;
    if ctx.json {
        let v = json!({
            "ok": true,
            "dir": args.dir.display().to_string(),
            "app": spec.name,
            "callback_urls": [spec.callback, spec.redirect],
            "files": written,
            "deploy_command": deploy_command(&args.dir),
        });
        out(&v.to_string());
    } else {
        print_export(ctx, &args.dir, &spec, &written, true);
    }
    Ok(ExitCode::SUCCESS)
}

/// The command that deploys the project (run in a shell).
pub fn deploy_command(dir: &Path) -> String {
    format!(
        "cd {} && sf project deploy start --manifest manifest/package.xml --target-org ADMIN_USERNAME",
        shell_quote(&dir.display().to_string())
    )
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The files written and what to do next.
/// On stdout (`app export`'s result) or stderr (narration in `setup`).
pub fn print_export(ctx: &Context, dir: &Path, spec: &AppSpec, written: &[Written], to_stdout: bool) {
    let ui = &ctx.ui;
    let out = |line: &str| if to_stdout { out(line) } else { eprintln!("{line}") };
    let changed = written.iter().filter(|w| w.outcome != Outcome::Unchanged).count();
    out(&format!(
        "The External Client App `{}` as metadata in {} ({changed} file(s) written):",
        spec.name,
        sanitize(&dir.display().to_string())
    ));
    for w in written {
        let what = match w.outcome {
            Outcome::Created => "created  ",
            Outcome::Updated => "updated  ",
            Outcome::Unchanged => "unchanged",
        };
        out(&format!("  {what}  {}", w.path));
    }
    out(&format!("Callback URLs: {} and {}", spec.callback, spec.redirect));
    out(&format!("\n{}", ui.bold(to_stdout).apply_to("Next:")));
    out("  1. Deploy it as an admin of the org (External Client Apps enabled), with the Salesforce CLI:");
    out(&format!("       {}", sanitize(&deploy_command(dir))));
    out(&format!(
        "  2. Copy the Consumer Key and Secret: Setup → External Client App Manager → {} → Settings → OAuth Settings →",
        spec.name
    ));
    out("     \"Consumer Key and Secret\" (Salesforce generates them; none is written here). Or fetch them with the");
    out("     Connect REST API: GET /services/data/v60.0/apps/oauth/credentials/APP_ID/CONSUMER_ID?part=keyandsecret");
    out("     (needs \"Allow access to External Client App consumer secrets via REST API\").");
    let mut n = 3;
    if let Some(ps) = &spec.permission_set {
        out(&format!("  {n}. Assign the permission set {ps} to mailfino's integration user (only pre-authorized users may use the app)."));
        n += 1;
    }
    out(&format!("  {n}. Run `mailfino-sf setup{}` and paste the key and secret; it checks them live.", ctx.profile_flag()));
    let members: Vec<String> = TYPES.iter().map(|t| format!("-m {}:{}", t.name, t.member(&spec.name))).collect();
    out(&format!("Later, check the app in the org: sf project retrieve start {} && mailfino-sf app check .", members.join(" ")));
    out("Do not commit retrieved files that hold a <consumerKey> or <consumerSecret>.");
}

pub fn check_cmd(args: &CheckPlan, ctx: &Context) -> Result<ExitCode> {
    if !args.dir.is_dir() {
        return Err(Error::usage(format!("{} is not a directory", sanitize(&args.dir.display().to_string())))
            .hint("name the project directory (the one with sfdx-project.json, or any folder holding the app's files)"));
    }
    let s = settings(ctx)?;
    let (callback, redirect) = urls(ctx, &s, &args.urls)?;
    let name = match &args.name {
        Some(n) => Some(spec::api_name("app name", n)?),
        None => None,
    };
    let report = check::check_dir(&args.dir, &Expected { callback, redirect, name });
    let ok = report.checks.iter().all(|c| c.status != Status::Fail);
    if ctx.json {
        let v = json!({"ok": ok, "dir": args.dir.display().to_string(), "app": report.app, "checks": report.checks});
        out(&v.to_string());
    } else {
        print_checks(&ctx.ui, &report.checks, false, true);
        let fix = "fix the files (or the app in Setup) and check again.";
        print_closing(&ctx.ui, &report.checks, "The app's files give mailfino what it needs.", fix, true);
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The wizard's choice: click through Setup, or deploy the app from metadata. For the latter it
/// asks for the directory and the contact e-mail, runs the export, and waits until the admin
/// has deployed the app (the key and secret are asked next). Returns whether the app was
/// exported (then the click-through checklist is not shown).
pub fn offer_deploy(ctx: &Context, current: &Profile, callback: &str, redirect: &str) -> Result<bool> {
    use dialoguer::{theme::SimpleTheme, Confirm, Input, Select};
    // Ctrl-C read as a key ends the run in `signals` (the wizard's prompts are open).
    let cancelled = crate::cmd::setup::prompt_err;
    let how = Select::with_theme(&SimpleTheme)
        .with_prompt("How to create the External Client App")
        .items(["click through Salesforce Setup (the checklist, step by step)", "deploy it from metadata with the Salesforce CLI (sf)"])
        .default(0)
        .interact()
        .map_err(cancelled)?;
    if how == 0 {
        return Ok(false);
    }
    let dir: String = Input::with_theme(&SimpleTheme)
        .with_prompt("Directory for the app's metadata project")
        .default("mailfino-app".to_string())
        .validate_with(|s: &String| if s.trim().is_empty() { Err("a directory is needed") } else { Ok(()) })
        .interact_text()
        .map_err(cancelled)?;
    let email: String = Input::with_theme(&SimpleTheme)
        .with_prompt("Contact e-mail shown on the app")
        .validate_with(|s: &String| spec::contact_email(s).map(|_| ()).map_err(|e| e.message))
        .interact_text()
        .map_err(cancelled)?;
    let (name, label) = name_and_label(None, current)?;
    let spec = AppSpec {
        name,
        label,
        contact_email: spec::contact_email(&email)?,
        callback: callback.to_string(),
        redirect: redirect.to_string(),
        permission_set: None,
        refresh: Default::default(),
        ip: Default::default(),
        rotation: false,
    };
    let dir = std::path::PathBuf::from(dir.trim());
    let written = export::write_project(&dir, &spec)?;
    print_export(ctx, &dir, &spec, &written, false);
    loop {
        let deployed = Confirm::with_theme(&SimpleTheme)
            .with_prompt("Deployed, and the Consumer Key and Secret at hand?")
            .default(true)
            .wait_for_newline(true)
            .interact()
            .map_err(cancelled)?;
        if deployed {
            return Ok(true);
        }
        eprintln!("Take your time: deploy with the command above, then copy the key and secret from the app.");
    }
}
