//! `mailfino-sf robot-browser URL` (hidden): the scripted browser, for tests' `$BROWSER`.

use std::process::ExitCode;

use crate::error::{Error, Result};
use mailfino_sf_emulator::robot::{browse, Action, RobotError};

/// Where the robot goes and what it answers (from the flags, by `settings`).
#[derive(Debug, Clone)]
pub struct RobotPlan {
    pub url: String,
    pub action: Action,
}

pub fn run(plan: &RobotPlan) -> Result<ExitCode> {
    let outcome = browse(&plan.url, plan.action).map_err(|e| match e {
        RobotError::Unreachable(m) => Error::unreachable(m),
        RobotError::Unexpected(m) => Error::internal(m),
    })?;
    println!("{} {}", outcome.status, crate::http::redact_url(&outcome.final_url));
    Ok(ExitCode::SUCCESS)
}
