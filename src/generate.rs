//! Shell completions and man pages, generated from the clap `Command` (no build script). The
//! files are committed under `completions/` and `man/`; a test regenerates them and fails with
//! a diff when they are stale (`MAILFINO_SF_UPDATE_GENERATED=1 cargo test generated` rewrites).

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// A completion script for `shell`.
pub fn completion(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mailfino-sf", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The committed file name of each shell's script.
pub fn completion_file(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "mailfino-sf.bash",
        Shell::Zsh => "_mailfino-sf",
        Shell::Fish => "mailfino-sf.fish",
        Shell::PowerShell => "_mailfino-sf.ps1",
        Shell::Elvish => "mailfino-sf.elv",
        _ => "mailfino-sf.completion",
    }
}

const ENVIRONMENT: &[(&str, &str)] = &[
    ("MAILFINO_SF_PROFILE", "the profile (like --profile)"),
    ("MAILFINO_SF_CONFIG_DIR", "the config dir (like --config-dir)"),
    ("MAILFINO_SF_STORE", "keyring or file (like --store)"),
    ("MAILFINO_SF_LOGIN_URL, MAILFINO_SF_CLIENT_ID, MAILFINO_SF_CLIENT_SECRET, MAILFINO_SF_REFRESH_TOKEN, MAILFINO_SF_CALLBACK_URL, MAILFINO_SF_REDIRECT_URI", "override the stored values (CI); never written anywhere. With them set, verify and refresh work with an empty config dir"),
    ("MAILFINO_SF_HTTP_TIMEOUT", "seconds for one HTTP exchange (default 15)"),
    ("MAILFINO_SF_KEYRING_TIMEOUT_MS", "milliseconds for one keyring call (default 3000)"),
    ("BROWSER", "the command that opens the login URL (the URL is its last argument, or replaces %s)"),
    ("NO_COLOR", "no ANSI colour"),
    ("HTTPS_PROXY, HTTP_PROXY, NO_PROXY", "proxies"),
];

const FILES: &[(&str, &str)] = &[
    ("CONFIG_DIR/config.toml", "one table per profile; no secrets (mode 0600)"),
    ("CONFIG_DIR/credentials.toml", "the file store of secrets, when the keyring is not used (mode 0600)"),
    ("CONFIG_DIR", "the platform config dir + /mailfino-sf (~/.config/mailfino-sf on Linux), mode 0700"),
];

fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('-', "\\-")
}

fn section(title: &str, rows: &[(&str, &str)]) -> String {
    let mut out = format!(".SH \"{title}\"\n");
    for (k, v) in rows {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff_escape(k), roff_escape(v)));
    }
    out
}

fn render(cmd: clap::Command) -> Vec<u8> {
    let man = clap_mangen::Man::new(cmd);
    let mut buf = Vec::new();
    man.render(&mut buf).expect("render to memory");
    let exit_status: Vec<(String, &str)> = crate::error::EXIT_CODES.iter().map(|e| (e.code.to_string(), e.meaning)).collect();
    let exit_status: Vec<(&str, &str)> = exit_status.iter().map(|(c, m)| (c.as_str(), *m)).collect();
    buf.extend(section("EXIT STATUS", &exit_status).into_bytes());
    buf.extend(section("ENVIRONMENT", ENVIRONMENT).into_bytes());
    buf.extend(section("FILES", FILES).into_bytes());
    buf
}

/// Every generated file: (path relative to the repo root, content).
pub fn files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
        out.push((PathBuf::from("completions").join(completion_file(shell)), completion(shell).into_bytes()));
    }
    let mut root = Cli::command();
    root.build();
    out.push((PathBuf::from("man/mailfino-sf.1"), render(root.clone())));
    for sub in root.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("mailfino-sf-{}", sub.get_name());
        let sub = sub.clone().name(name.clone()).bin_name(name.clone());
        out.push((PathBuf::from("man").join(format!("{name}.1")), render(sub)));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        crate::cli::Cli::command().debug_assert();
    }
}
