//! The `mailfino-sf` binary: parse, run, print the error, exit with its code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = mailfino_sf::cli::Cli::parse();
    let (json, no_color) = (cli.global.json, cli.global.no_color);
    match mailfino_sf::run(cli) {
        Ok(code) => code,
        Err(err) => {
            mailfino_sf::report_error(&err, json, no_color);
            err.exit_code()
        }
    }
}
