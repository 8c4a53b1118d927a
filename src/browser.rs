//! Opening the login URL: `$BROWSER` when set (a command that takes the URL as its last
//! argument, or in place of `%s`), else the platform opener, unless this is a headless session
//! (no display on Linux, or inside SSH), where nothing is tried and the admin is told how to
//! finish from another machine.
//!
//! The browser runs with this process's environment minus every `MAILFINO_SF_*` and
//! `MAILFINO_SALESFORCE_*` variable: CI secrets (`MAILFINO_SF_CLIENT_SECRET`,
//! `MAILFINO_SF_REFRESH_TOKEN`) never reach a child process.

use std::process::{Command, Stdio};

/// What happened when the browser was to be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A browser command was started.
    Started(String),
    /// Nothing was tried, for this reason.
    NotTried(String),
    /// Starting it failed.
    Failed(String),
}

/// Who opens the URL.
#[derive(Debug, Clone, Copy)]
pub enum BrowserChoice {
    /// `$BROWSER`, else the platform opener (unless headless).
    System,
    /// A caller-supplied opener, run on its own thread (`demo` passes the emulator's scripted
    /// browser, so that the product itself never depends on the emulator).
    Custom(fn(String)),
    /// Print only.
    None,
}

/// Why a session is headless, if it is.
pub fn headless_reason() -> Option<&'static str> {
    let env = crate::context::environment();
    if env.ssh {
        return Some("this is an SSH session");
    }
    if cfg!(all(unix, not(target_os = "macos"))) && !env.display {
        return Some("there is no display (DISPLAY / WAYLAND_DISPLAY are unset)");
    }
    None
}

/// Opens `url` as the contract says.
pub fn open(url: &str) -> Opened {
    if let Some(cmd) = &crate::context::environment().browser {
        return run_browser_var(cmd, url);
    }
    if let Some(why) = headless_reason() {
        return Opened::NotTried(why.to_string());
    }
    let mut last_error = String::from("no opener is known for this platform");
    for mut cmd in open::commands(url) {
        match scrubbed(&mut cmd).spawn() {
            Ok(child) => {
                reap(child);
                return Opened::Started("the system browser".into());
            }
            Err(e) => last_error = format!("{} could not be started: {e}", cmd.get_program().to_string_lossy()),
        }
    }
    Opened::Failed(format!("the system opener failed: {last_error}"))
}

/// Whether a variable must not reach a child process.
pub fn is_private_var(name: &str) -> bool {
    name.starts_with("MAILFINO_SF_") || name.starts_with("MAILFINO_SALESFORCE_")
}

/// The command with the private variables removed and no inherited stdio.
fn scrubbed(cmd: &mut Command) -> &mut Command {
    for name in &crate::context::environment().private_names {
        cmd.env_remove(name);
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null())
}

/// Waits for the child in the background, so that it does not linger as a zombie.
fn reap(mut child: std::process::Child) {
    std::thread::spawn(move || {
        let _ = child.wait();
    });
}

fn run_browser_var(cmd: &str, url: &str) -> Opened {
    let mut words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
    if words.iter().any(|w| w.contains("%s")) {
        words.iter_mut().for_each(|w| *w = w.replace("%s", url));
    } else {
        words.push(url.to_string());
    }
    let (program, args) = words.split_first().expect("non-empty");
    match scrubbed(Command::new(program).args(args)).spawn() {
        Ok(child) => {
            reap(child);
            Opened::Started(format!("$BROWSER ({program})"))
        }
        Err(e) => Opened::Failed(format!("$BROWSER ({program}) could not be started: {e}")),
    }
}
