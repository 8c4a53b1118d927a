//! `mailfino-sf emulator`: run the Salesforce OAuth emulator until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use crate::cli::{EmulatorArgs, PreLoginErrorForm, RevokeErrorForm};
use crate::context::Context;
use crate::error::{Error, Result};
use mailfino_sf_emulator::{generate_client_id, generate_client_secret, Emulator, EmulatorConfig, PreLoginErrors, RevokeErrors};

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
        org: Default::default(),
        ..EmulatorConfig::default()
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
