//! The `mailfino-sf` binary: parse, run, print the error, exit with its code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = mailfino_sf::cli::Cli::parse();
    match mailfino_sf::run(cli) {
        Ok(code) => code,
        Err(err) => {
            mailfino_sf::ui::Ui::detect(false).error(&err);
            err.exit_code()
        }
    }
}
