//! `mailfino-sf emulator`: run the Salesforce OAuth emulator until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use crate::cli::{EmulatedOrgArgs, EmulatedUser, EmulatorArgs, PreLoginErrorForm, RevokeErrorForm};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::ui::sanitize;
use mailfino_sf_emulator::{
    generate_client_id, generate_client_secret, AppKind, Emulator, EmulatorConfig, OrgConfig, PreLoginErrors, RefreshPolicy, RevokeErrors,
    Role,
};

/// The emulator configuration the flags describe.
pub fn config_from_args(args: &EmulatorArgs) -> Result<EmulatorConfig> {
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

pub fn run(args: &EmulatorArgs, ctx: &Context) -> Result<ExitCode> {
    let config = config_from_args(args)?;
    if args.client_secret.is_some() {
        ctx.ui.warn("--client-secret is visible to other users in `ps`; fine for the emulator's throwaway secret, never pass a real one on the command line");
    }
    let (gen_id, gen_secret) = (args.client_id.is_none(), args.client_secret.is_none());
    let emu = Emulator::start(config.clone()).map_err(|e| {
        Error::new(crate::error::Kind::PortTaken, format!("the emulator cannot listen on port {}: {e}", args.port))
            .hint("pick another --port, or 0 for a free one")
    })?;
    println!("listening on {}", emu.url());
    // The emulator is a local test double: its generated credentials are printed so that the
    // admin can use them; they are worthless anywhere else.
    println!("client id:     {}{}", config.client_id, if gen_id { " (generated)" } else { "" });
    println!("client secret: {}{}", config.client_secret, if gen_secret { " (generated)" } else { "" });
    println!("login URL:     {}", emu.url());
    for cb in &config.callbacks {
        println!("callback:      {cb}");
    }
    println!("scopes:        {}", config.scopes.join(" "));
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = ctrlc::set_handler(|| std::process::exit(130));
    emu.wait();
    Ok(ExitCode::SUCCESS)
}
