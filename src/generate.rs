//! Shell completions and man pages, generated from the clap `Command` (no build script). The
//! files are committed under `completions/` and `man/`; a test regenerates them and fails with
//! a diff when they are stale (`MAILFINO_SF_UPDATE_GENERATED=1 cargo test generated` rewrites).

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// A completion script for `shell`: hidden commands left out, `--profile` completed with the
/// stored profile names (the script calls `mailfino-sf __complete-profiles`).
pub fn completion(shell: Shell) -> String {
    let mut cmd = without_hidden_subcommands(Cli::command());
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mailfino-sf", &mut buf);
    complete_profiles(shell, String::from_utf8_lossy(&buf).into_owned())
}

/// The same command line without its hidden subcommands (clap's generators list them).
fn without_hidden_subcommands(cmd: clap::Command) -> clap::Command {
    let mut out = clap::Command::new(cmd.get_name().to_string());
    if let Some(v) = cmd.get_version() {
        out = out.version(v.to_string());
    }
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    for arg in cmd.get_arguments() {
        out = out.arg(arg.clone());
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out = out.subcommand(sub.clone());
    }
    out
}

/// The shell's call of `mailfino-sf __complete-profiles` for `--profile`.
const PROFILES_CALL: &str = "mailfino-sf __complete-profiles 2>/dev/null";

/// Rewrites the generated script so that `--profile` completes the stored profile names.
/// Panics when clap's output no longer has the expected shape (the generated-files test then
/// fails, rather than a script silently completing file names).
fn complete_profiles(shell: Shell, script: String) -> String {
    let replaced = |script: &str, from: &str, to: &str| -> String {
        assert!(script.contains(from), "the {shell} completion script no longer contains {from:?}");
        script.replace(from, to)
    };
    match shell {
        Shell::Bash => {
            // clap_complete names the subcommand cases of a hyphenated binary inconsistently
            // (`mailfino__sf__subcmd__setup` is set, `mailfino__subcmd__sf__subcmd__setup)` is
            // matched), so no subcommand's options completed; one spelling for both.
            let script = replaced(&script, "mailfino__subcmd__sf", "mailfino__sf");
            let from = "--profile)\n                    COMPREPLY=($(compgen -f \"${cur}\"))";
            let to = format!("--profile)\n                    COMPREPLY=($(compgen -W \"$({PROFILES_CALL})\" -- \"${{cur}}\"))");
            replaced(&script, from, &to)
        }
        Shell::Zsh => {
            let script = replaced(&script, "]:NAME:_default'", "]:NAME:_mailfino_sf_profiles'");
            let helper = format!(
                "#compdef mailfino-sf\n\n(( $+functions[_mailfino_sf_profiles] )) ||\n_mailfino_sf_profiles() {{\n    local -a profiles\n    profiles=(${{(f)\"$({PROFILES_CALL})\"}})\n    _describe -t profiles 'profile' profiles\n}}\n"
            );
            replaced(&script, "#compdef mailfino-sf\n", &helper)
        }
        Shell::Fish => replaced(
            &script,
            "-l profile -d 'Which stored configuration to use' -r",
            &format!("-l profile -d 'Which stored configuration to use' -r -f -a \"({PROFILES_CALL})\""),
        ),
        _ => script,
    }
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

/// The examples (`after_long_help` starting with "Examples:") as an EXAMPLES section, each
/// line as it stands (no filling, so that two examples never run together).
fn examples_section(text: &str) -> String {
    let mut out = String::from(".SH EXAMPLES\n.nf\n");
    for line in text.lines().skip(1) {
        out.push_str(&roff_escape(line.strip_prefix("  ").unwrap_or(line)));
        out.push('\n');
    }
    out.push_str(".fi\n");
    out
}

fn render(cmd: clap::Command) -> Vec<u8> {
    let examples = cmd.get_after_long_help().map(|t| t.to_string()).filter(|t| t.starts_with("Examples:"));
    let cmd = if examples.is_some() { cmd.after_long_help(None::<&'static str>) } else { cmd };
    let man = clap_mangen::Man::new(cmd);
    let mut buf = Vec::new();
    man.render(&mut buf).expect("render to memory");
    if let Some(text) = &examples {
        buf.extend(examples_section(text).into_bytes());
    }
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
