//! The `emulator` and hidden `robot-browser` subcommands' flags as the emulator crate's own
//! configuration (the one place besides those two commands and `demo` that names the emulator
//! crate: it only translates flags into its types).

use std::time::Duration;

use crate::cli::{EmulatedOrgArgs, EmulatedUser, EmulatorArgs, PreLoginErrorForm, RevokeErrorForm, RobotAction, RobotBrowserArgs};
use crate::cmd::emulator::EmulatorPlan;
use crate::cmd::robot::RobotPlan;
use crate::error::{Error, Result};
use crate::ui::sanitize;
use mailfino_sf_emulator::robot::Action;
use mailfino_sf_emulator::{
    generate_client_id, generate_client_secret, AppKind, EmulatorConfig, OrgConfig, PreLoginErrors, RefreshPolicy, RevokeErrors, Role,
};

/// The emulator to run: its configuration and what was generated or typed.
pub(super) fn plan(args: &EmulatorArgs) -> Result<EmulatorPlan> {
    Ok(EmulatorPlan { config: config(args)?, generated_id: args.client_id.is_none(), generated_secret: args.client_secret.is_none() })
}

/// The robot browser's URL and answer.
pub(super) fn robot(args: &RobotBrowserArgs) -> RobotPlan {
    let action = match args.action {
        RobotAction::Allow => Action::Allow,
        RobotAction::Deny => Action::Deny,
    };
    RobotPlan { url: args.url.clone(), action }
}

/// The emulator configuration the flags describe.
fn config(args: &EmulatorArgs) -> Result<EmulatorConfig> {
    let scopes: Vec<String> = args.scopes.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_string).collect();
    for cb in &args.callbacks {
        url::Url::parse(cb).map_err(|e| Error::usage(format!("callback URL `{}` is not a URL ({e})", crate::ui::sanitize(cb))))?;
    }
    Ok(EmulatorConfig {
        port: args.port,
        client_id: args.client_id.clone().unwrap_or_else(generate_client_id),
        client_secret: args.client_secret.clone().unwrap_or_else(generate_client_secret),
        callbacks: args.callbacks.clone(),
        scopes,
        rotate_refresh_tokens: args.rotate_refresh_tokens,
        auto_approve: args.auto_approve,
        require_pkce: !args.no_require_pkce,
        require_secret: true,
        access_ttl: Duration::from_secs(args.access_ttl),
        fail_token: args.fail_token,
        slow: Duration::from_millis(args.slow_ms),
        propagation: args.propagation,
        pre_login_errors: match args.pre_login_errors {
            PreLoginErrorForm::Text => PreLoginErrors::Text,
            PreLoginErrorForm::Page => PreLoginErrors::Page,
        },
        revoke_errors: match args.revoke_errors {
            RevokeErrorForm::Form => RevokeErrors::Form,
            RevokeErrorForm::Json => RevokeErrors::Json,
        },
        org: org_from_args(&args.org)?,
        ..EmulatorConfig::default()
    })
}

/// The emulated org the flags describe.
fn org_from_args(a: &EmulatedOrgArgs) -> Result<OrgConfig> {
    let d = OrgConfig::default();
    let (api_used, api_max) = match &a.api_usage {
        None => (d.api_used, d.api_max),
        Some(s) => s
            .split_once('/')
            .and_then(|(u, m)| Some((u.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?)))
            .filter(|(u, m)| *m > 0 && u <= m)
            .ok_or_else(|| {
                Error::usage(format!("--api-usage `{}` is not USED/MAX", sanitize(s)))
                    .hint("expected two numbers, USED at most MAX, e.g. 12500/15000")
            })?,
    };
    let refresh_policy =
        RefreshPolicy::parse(&a.refresh_policy).map_err(|why| Error::usage(format!("--refresh-policy: {}", sanitize(&why))))?;
    Ok(OrgConfig {
        org_id: a.org_id.clone().unwrap_or(d.org_id),
        instance_host: a.instance_host.clone(),
        api_used,
        api_max,
        api_disabled: a.api_disabled,
        session_locked: a.session_locked,
        browser_user: if a.login_as == EmulatedUser::Admin { Role::Admin } else { Role::Integration },
        integration_inactive: a.user_inactive,
        integration_frozen: a.user_frozen,
        integration_has_permission_set: !a.no_permission_set,
        prior_approvals: a.prior_approvals,
        app_kind: if a.connected_app { AppKind::ConnectedApp } else { AppKind::ExternalClientApp },
        app_name: a.app_name.clone(),
        app_enabled: !a.app_disabled,
        refresh_policy,
        ip_policy: a.ip_policy.clone(),
        admin_approved: a.admin_approved,
        session_timeout_minutes: a.session_timeout,
        hidden_objects: a.hidden_objects.clone(),
        fail_paths: a.fail_paths.clone(),
        ..d
    })
}
