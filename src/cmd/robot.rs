//! `mailfino-sf robot-browser URL` (hidden): the scripted browser, for tests' `$BROWSER`.

use std::process::ExitCode;

use crate::cli::{RobotAction, RobotBrowserArgs};
use crate::error::{Error, Result};
use mailfino_sf_emulator::robot::{browse, Action, RobotError};

pub fn run(args: &RobotBrowserArgs) -> Result<ExitCode> {
    let action = match args.action {
        RobotAction::Allow => Action::Allow,
        RobotAction::Deny => Action::Deny,
    };
    let outcome = browse(&args.url, action).map_err(|e| match e {
        RobotError::Unreachable(m) => Error::unreachable(m),
        RobotError::Unexpected(m) => Error::internal(m),
    })?;
    println!("{} {}", outcome.status, crate::http::redact_url(&outcome.final_url));
    Ok(ExitCode::SUCCESS)
}
