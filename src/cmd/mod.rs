//! One file per subcommand; each exposes `run(args, ctx) -> Result<ExitCode>`.

pub mod app;
pub mod audit;
pub mod completions;
pub mod demo;
pub mod emulator;
pub mod export_ci;
pub mod login;
pub mod logout;
pub mod refresh;
pub mod robot;
pub mod setup;
pub mod status;
pub mod verify;
