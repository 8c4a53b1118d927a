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

// `println!` and `eprintln!` for every module below (declared first, so that they shadow std's):
// they never panic. A closed stdout or stderr (`mailfino-sf demo 2>&1 | head -1`, a hung-up
// terminal) must not end a run half-way, e.g. between Salesforce's answer and the store: the
// text is lost, the work goes on, and the exit code still tells how it ended.
macro_rules! println {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! eprintln {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

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
pub(crate) mod settings;
pub(crate) mod signals;
pub mod store;
pub(crate) mod ui;

use std::process::ExitCode;

use cli::Cli;
use context::Context;
use error::Result;
use settings::Plan;

/// Prints a failed run's error on stderr (or as JSON with `--json`), as the contract says.
pub fn report_error(err: &error::Error, json: bool, no_color: bool) {
    ui::report_error(err, json, no_color);
}

/// Runs one command line: the flags become typed settings and a plan (`settings`, the seam),
/// then the command runs on them.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // SIGINT, SIGTERM and SIGHUP end every run with exit 130 (the contract's "interrupted"),
    // deferred where a signal must not cut the run short (see `signals`).
    signals::install();
    let plan = settings::plan(&cli.command)?;
    // Commands that need no profile, store or network start without the global settings.
    match &plan {
        Plan::Completions(shell) => return cmd::completions::run(*shell),
        Plan::RobotBrowser(p) => return cmd::robot::run(p),
        _ => {}
    }
    let ctx = Context::new(&settings::global(&cli.global)?)?;
    match &plan {
        Plan::Setup(p) => cmd::setup::run(p, &ctx),
        Plan::Login(p, browser) => cmd::login::run(p, *browser, &ctx),
        Plan::Verify(p) => cmd::verify::run(p, &ctx),
        Plan::Audit(p, browser) => cmd::audit::run(p, *browser, &ctx),
        Plan::Refresh(p) => cmd::refresh::run(p, &ctx),
        Plan::Logout(p) => cmd::logout::run(p, &ctx),
        Plan::Status => cmd::status::run(&ctx),
        Plan::ExportCi(p) => cmd::export_ci::run(p, &ctx),
        Plan::Emulator(p) => cmd::emulator::run(p, &ctx),
        Plan::Demo(p) => cmd::demo::run(p, &ctx),
        Plan::AppExport(p) => cmd::app::export_cmd(p, &ctx),
        Plan::AppCheck(p) => cmd::app::check_cmd(p, &ctx),
        Plan::CompleteProfiles => cmd::completions::profiles(&ctx),
        Plan::Completions(_) | Plan::RobotBrowser(_) => unreachable!("these need no context"),
    }
}
