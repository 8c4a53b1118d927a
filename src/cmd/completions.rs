//! `mailfino-sf completions SHELL`: print a completion script.

use std::process::ExitCode;

use crate::cli::CompletionsArgs;
use crate::error::Result;

pub fn run(args: &CompletionsArgs) -> Result<ExitCode> {
    let script = crate::generate::completion(args.shell);
    crate::ui::out(script.trim_end());
    Ok(ExitCode::SUCCESS)
}
