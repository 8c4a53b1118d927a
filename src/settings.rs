//! The seam between the command line and the work: clap's parsed flags (`cli`) become typed
//! settings here, once, and nothing past this module sees a clap type (a test in
//! `tests/cases/shape.rs` holds that: only `lib.rs`, `generate.rs` and this module name
//! `crate::cli`).
//!
//! [`plan`] turns the parsed command into one [`Plan`]: the command with its own typed plan (`SetupPlan`, `LoginPlan`, `VerifyOptions`, …, each defined
//! next to the command that runs it). Invalid values are usage errors (exit 2) here, before
//! anything happens: a profile name, a config dir that cannot be found, an emulator flag.
//! [`global`] turns the global options into the run's [`Global`] settings, from which
//! `context::Context` is built. The environment is read
//! through `context` (the one module that reads it), never directly.
//!
//! To add a flag: add it to the clap struct in `cli.rs`, to the command's plan, and map it in
//! this module's function for that command.

mod emulator;

use std::path::PathBuf;

use crate::app::spec::IpPolicy;
use crate::browser::BrowserChoice;
use crate::checks::VerifyOptions;
use crate::cli::{
    AppCheckArgs, AppCommand, AppExportArgs, AppUrls, AuditArgs, Command, ExportCiArgs, ExportFormat, GlobalArgs, IpPolicyArg, LoginArgs,
    LogoutArgs, RefreshArgs, SetupArgs, StoreKind, VerifyArgs,
};
use crate::cmd::app::{CheckPlan, ExportPlan, UrlFlags};
use crate::cmd::audit::AuditPlan;
use crate::cmd::demo::DemoPlan;
use crate::cmd::emulator::EmulatorPlan;
use crate::cmd::export_ci::{ExportCiPlan, Format};
use crate::cmd::login::LoginPlan;
use crate::cmd::logout::LogoutPlan;
use crate::cmd::refresh::RefreshPlan;
use crate::cmd::robot::RobotPlan;
use crate::cmd::setup::SetupPlan;
use crate::context::env_var;
use crate::error::{Error, Result};
use crate::store::secrets::StoreMode;

/// The run-wide settings (the global options), resolved and validated.
#[derive(Debug, Clone)]
pub struct Global {
    /// The profile's name (`default` when none is given), a valid name.
    pub profile: String,
    /// `--profile` (or `MAILFINO_SF_PROFILE`) was given: `status` then shows only that profile.
    pub profile_explicit: bool,
    pub config_dir: PathBuf,
    pub store_mode: StoreMode,
    pub json: bool,
    pub no_color: bool,
    pub verbose: bool,
}

/// One command line's command, with its typed plan.
pub enum Plan {
    Setup(SetupPlan),
    Login(LoginPlan, BrowserChoice),
    Verify(VerifyOptions),
    Audit(AuditPlan, BrowserChoice),
    Refresh(RefreshPlan),
    Logout(LogoutPlan),
    Status,
    ExportCi(ExportCiPlan),
    Emulator(Box<EmulatorPlan>),
    Demo(DemoPlan),
    AppExport(ExportPlan),
    AppCheck(CheckPlan),
    Completions(clap_complete::Shell),
    RobotBrowser(RobotPlan),
    CompleteProfiles,
}

/// The command's plan from its flags.
pub fn plan(command: &Command) -> Result<Plan> {
    Ok(match command {
        Command::Setup(a) => Plan::Setup(setup(a)),
        Command::Login(a) => Plan::Login(login(a), browser(a.no_browser)),
        Command::Verify(a) => Plan::Verify(verify(a)),
        Command::Audit(a) => Plan::Audit(audit(a), browser(a.login.no_browser)),
        Command::Refresh(a) => Plan::Refresh(refresh(a)),
        Command::Logout(a) => Plan::Logout(logout(a)),
        Command::Status => Plan::Status,
        Command::ExportCi(a) => Plan::ExportCi(export_ci(a)),
        Command::Emulator(a) => Plan::Emulator(Box::new(emulator::plan(a)?)),
        Command::Demo(a) => Plan::Demo(DemoPlan { keep: a.keep }),
        Command::App(AppCommand::Export(a)) => Plan::AppExport(app_export(a)),
        Command::App(AppCommand::Check(a)) => Plan::AppCheck(app_check(a)),
        Command::Completions(a) => Plan::Completions(a.shell),
        Command::RobotBrowser(a) => Plan::RobotBrowser(emulator::robot(a)),
        Command::CompleteProfiles => Plan::CompleteProfiles,
    })
}

/// The global options, validated: the profile name, the config dir, the store.
pub fn global(g: &GlobalArgs) -> Result<Global> {
    let profile = g.profile.clone().unwrap_or_else(|| "default".to_string());
    if profile.is_empty() || !profile.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) || profile.starts_with('.') {
        return Err(Error::usage(format!("profile name `{}` is not valid", crate::ui::sanitize(&profile)))
            .hint("expected letters, digits, `-`, `_` and `.`, e.g. `default` or `sandbox`"));
    }
    let config_dir = match &g.config_dir {
        Some(dir) if !dir.as_os_str().is_empty() => dir.clone(),
        _ => dirs::config_dir().map(|d| d.join("mailfino-sf")).ok_or_else(|| {
            Error::usage("cannot tell where the config dir is").hint("pass --config-dir DIR or set MAILFINO_SF_CONFIG_DIR")
        })?,
    };
    let store_mode = match g.store {
        None => StoreMode::Auto,
        Some(StoreKind::Keyring) => StoreMode::Keyring,
        Some(StoreKind::File) => StoreMode::File,
    };
    Ok(Global {
        profile,
        profile_explicit: g.profile.is_some(),
        config_dir,
        store_mode,
        json: g.json,
        no_color: g.no_color,
        verbose: g.verbose,
    })
}

fn browser(no_browser: bool) -> BrowserChoice {
    if no_browser {
        BrowserChoice::None
    } else {
        BrowserChoice::System
    }
}

fn setup(a: &SetupArgs) -> SetupPlan {
    // clap fills `--client-id` from MAILFINO_SF_CLIENT_ID too; only a value that differs from the
    // environment's was typed on the command line (and was visible in `ps`).
    let client_id_typed = a.client_id.as_deref().is_some_and(|v| env_var("MAILFINO_SF_CLIENT_ID").as_deref() != Some(v.trim()));
    SetupPlan {
        non_interactive: a.non_interactive,
        login_url: a.login_url.clone(),
        client_id: a.client_id.clone(),
        client_id_typed,
        client_secret_stdin: a.client_secret_stdin,
        mailfino_url: a.mailfino_url.clone(),
        redirect_uri: a.redirect_uri.clone(),
        env_file: a.env_file.clone(),
        print_env: a.print_env,
        login: a.login,
        retry_for: std::time::Duration::from_secs(a.retry_for),
        check: !a.no_check,
    }
}

fn login(a: &LoginArgs) -> LoginPlan {
    LoginPlan { paste: a.paste, redirect_uri: a.redirect_uri.clone(), wait: a.wait, scope: a.scope.clone() }
}

fn verify(a: &VerifyArgs) -> VerifyOptions {
    VerifyOptions { renew: a.renew, rotated_token_out: a.rotated_token_out.clone(), env_file: a.env_file.clone() }
}

fn audit(a: &AuditArgs) -> AuditPlan {
    AuditPlan { login: login(&a.login), keep_admin_token: a.keep_admin_token }
}

fn refresh(a: &RefreshArgs) -> RefreshPlan {
    RefreshPlan { show_token: a.show_token, rotated_token_out: a.rotated_token_out.clone() }
}

fn logout(a: &LogoutArgs) -> LogoutPlan {
    LogoutPlan { local_only: a.local_only, forget_secret: a.forget_secret }
}

fn export_ci(a: &ExportCiArgs) -> ExportCiPlan {
    let format = match a.format {
        ExportFormat::Env => Format::Env,
        ExportFormat::Json => Format::Json,
        ExportFormat::Github => Format::Github,
    };
    ExportCiPlan {
        format,
        share_profile_token: a.share_profile_token,
        login: LoginPlan { paste: a.paste, redirect_uri: None, wait: a.wait, scope: None },
        browser: browser(a.no_browser),
    }
}

fn urls(u: &AppUrls) -> UrlFlags {
    UrlFlags { mailfino_url: u.mailfino_url.clone(), redirect_uri: u.redirect_uri.clone() }
}

fn app_export(a: &AppExportArgs) -> ExportPlan {
    ExportPlan {
        dir: a.dir.clone(),
        name: a.name.clone(),
        contact_email: a.contact_email.clone(),
        permission_set: a.permission_set.clone(),
        refresh_policy: a.refresh_policy,
        ip_policy: match a.ip_policy {
            IpPolicyArg::Enforce => IpPolicy::Enforce,
            IpPolicyArg::Bypass => IpPolicy::Bypass,
            IpPolicyArg::RelaxRefresh => IpPolicy::RelaxRefresh,
        },
        rotation: a.rotation,
        urls: urls(&a.urls),
    }
}

fn app_check(a: &AppCheckArgs) -> CheckPlan {
    CheckPlan { dir: a.dir.clone(), name: a.name.clone(), urls: urls(&a.urls) }
}
