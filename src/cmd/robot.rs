//! `mailfino-sf robot-browser URL` (hidden): the scripted browser, for tests' `$BROWSER`.

use std::process::ExitCode;

use crate::cli::{RobotAction, RobotBrowserArgs};
use crate::emulator::robot::{browse, Action};
use crate::error::Result;

pub fn run(args: &RobotBrowserArgs) -> Result<ExitCode> {
    let action = match args.action {
        RobotAction::Allow => Action::Allow,
        RobotAction::Deny => Action::Deny,
    };
    let outcome = browse(&args.url, action)?;
    println!("{} {}", outcome.status, crate::http::redact_url(&outcome.final_url));
    Ok(ExitCode::SUCCESS)
}
