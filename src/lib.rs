//! mailfino-sf: set up, log in to and verify the Salesforce External Client App that connects
//! mailfino. The program lives here so that tests can reach it; `main.rs` only parses and exits.
//!
//! Data flows one way: `cli` -> `context` -> `cmd::X` -> (`checks` | `oauth` | `loopback`) ->
//! `salesforce` types -> `store`. The Salesforce emulator is its own crate
//! (`crates/emulator`, `mailfino_sf_emulator`); only the `emulator`, `demo` and hidden
//! `robot-browser` subcommands use it.
//!
//! The library surface is small and exists for `main.rs`, the tests, the benchmarks and the fuzz
//! targets: [`run`] and [`report_error`], the clap types (`cli`), the error type and exit-code
//! table (`error`), the generated files (`generate`), and the pure parsers and formatters they
//! exercise (`salesforce`, `loopback`, `oauth::authorize_request`, `http::redact_body`,
//! `store::config::parse`, `store::envfile`, `app::xml`). Everything else is `pub(crate)`, so
//! that the compiler finds what nothing uses. ARCHITECTURE.md maps the modules.

pub(crate) mod api;
pub mod app;
pub(crate) mod audit;
pub(crate) mod browser;
pub(crate) mod checks;
pub mod cli;
pub(crate) mod cmd;
pub(crate) mod context;
pub mod error;
pub(crate) mod faults;
pub mod generate;
pub(crate) mod health;
pub mod http;
pub mod loopback;
pub(crate) mod mailfino_env;
pub mod oauth;
pub(crate) mod probes;
pub(crate) mod progress;
pub(crate) mod redact;
pub(crate) mod renew;
pub mod salesforce;
pub(crate) mod signals;
pub mod store;
pub(crate) mod ui;

use std::process::ExitCode;

use cli::{Cli, Command};
use context::Context;
use error::Result;

/// Prints a failed run's error on stderr (or as JSON with `--json`), as the contract says.
pub fn report_error(err: &error::Error, json: bool, no_color: bool) {
    ui::report_error(err, json, no_color);
}

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
