//! `mailfino-sf emulator`: run the Salesforce OAuth emulator until Ctrl-C.

use std::process::ExitCode;

use crate::context::Context;
use crate::error::{Error, Result};
use mailfino_sf_emulator::{Emulator, EmulatorConfig};

/// The emulator to run (from the flags, by `settings`).
#[derive(Debug, Clone)]
pub struct EmulatorPlan {
    pub config: EmulatorConfig,
    /// The Consumer Key was generated (not given).
    pub generated_id: bool,
    /// The Consumer Secret was generated (not given: a given one was typed on the command line,
    /// visible in `ps`).
    pub generated_secret: bool,
}

pub fn run(plan: &EmulatorPlan, ctx: &Context) -> Result<ExitCode> {
    let config = plan.config.clone();
    if !plan.generated_secret {
        ctx.ui.warn("--client-secret is visible to other users in `ps`; fine for the emulator's throwaway secret, never pass a real one on the command line");
    }
    let (gen_id, gen_secret) = (plan.generated_id, plan.generated_secret);
    let emu = Emulator::start(config.clone()).map_err(|e| {
        Error::new(crate::error::Kind::PortTaken, format!("the emulator cannot listen on port {}: {e}", plan.config.port))
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
    // Ctrl-C (SIGINT, SIGTERM, SIGHUP) ends it with exit 130 through the run's one handler.
    emu.wait();
    Ok(ExitCode::SUCCESS)
}
