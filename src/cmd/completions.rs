//! `mailfino-sf completions SHELL`: print a completion script; and the hidden
//! `__complete-profiles`, which the scripts call to complete `--profile NAME`.

use std::process::ExitCode;

use crate::error::Result;

pub fn run(shell: clap_complete::Shell) -> Result<ExitCode> {
    let script = crate::generate::completion(shell);
    crate::ui::out(script.trim_end());
    Ok(ExitCode::SUCCESS)
}

/// Prints the stored profile names, one per line; prints nothing (and succeeds) when there is no
/// readable config: a completion must never print an error into the command line.
pub fn profiles(ctx: &crate::context::Context) -> Result<ExitCode> {
    if let Ok(cfg) = crate::store::config::ConfigFile::load(&ctx.config_dir) {
        for name in cfg.profiles.keys() {
            crate::ui::out(name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
