//! mailfino-sf: set up, log in to and verify the Salesforce External Client App that connects
//! mailfino. The program lives here so that tests can reach it; `main.rs` only parses and exits.
//!
//! Data flows one way: `cli` -> `context` -> `cmd::X` -> (`checks` | `oauth` | `loopback`) ->
//! `salesforce` types -> `store`. The Salesforce emulator is its own crate
//! (`crates/emulator`, `mailfino_sf_emulator`); only the `emulator`, `demo` and hidden
//! `robot-browser` subcommands use it.

pub mod api;
pub mod app;
pub mod audit;
pub mod browser;
pub mod checks;
pub mod cli;
pub mod cmd;
pub mod context;
pub mod error;
pub mod faults;
pub mod generate;
pub mod health;
pub mod http;
pub mod loopback;
pub mod mailfino_env;
pub mod oauth;
pub mod probes;
pub mod progress;
pub mod redact;
pub mod renew;
pub mod salesforce;
pub mod signals;
pub mod store;
pub mod ui;

use std::process::ExitCode;

use cli::{Cli, Command};
use context::Context;
use error::Result;

/// Runs one command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Commands that need no profile, store or network start without building a Context.
    match &cli.command {
        Command::Completions(args) => return cmd::completions::run(args),
        Command::RobotBrowser(args) => return cmd::robot::run(args),
        _ => {}
    }
    let ctx = Context::from_args(&cli.global)?;
    match &cli.command {
        Command::Setup(args) => cmd::setup::run(args, &ctx),
        Command::Login(args) => cmd::login::run(args, &ctx),
        Command::Verify(args) => cmd::verify::run(args, &ctx),
        Command::Audit(args) => cmd::audit::run(args, &ctx),
        Command::Refresh(args) => cmd::refresh::run(args, &ctx),
        Command::Logout(args) => cmd::logout::run(args, &ctx),
        Command::Status => cmd::status::run(&ctx),
        Command::ExportCi(args) => cmd::export_ci::run(args, &ctx),
        Command::Emulator(args) => cmd::emulator::run(args, &ctx),
        Command::Demo(args) => cmd::demo::run(args, &ctx),
        Command::App(args) => cmd::app::run(args, &ctx),
        Command::CompleteProfiles => cmd::completions::profiles(&ctx),
        Command::Completions(_) | Command::RobotBrowser(_) => unreachable!("handled above"),
    }
}
