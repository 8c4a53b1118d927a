//! Opening the login URL: `$BROWSER` when set (a command that takes the URL as its last
//! argument, or in place of `%s`), else the platform opener, unless this is a headless session
//! (no display on Linux, or inside SSH), where nothing is tried and the admin is told how to
//! finish from another machine.

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
    if std::env::var_os("SSH_CONNECTION").is_some() || std::env::var_os("SSH_TTY").is_some() {
        return Some("this is an SSH session");
    }
    if cfg!(all(unix, not(target_os = "macos"))) && std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Some("there is no display (DISPLAY / WAYLAND_DISPLAY are unset)");
    }
    None
}

/// Opens `url` as the contract says.
pub fn open(url: &str) -> Opened {
    if let Some(cmd) = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()) {
        return run_browser_var(&cmd, url);
    }
    if let Some(why) = headless_reason() {
        return Opened::NotTried(why.to_string());
    }
    match open::that_detached(url) {
        Ok(()) => Opened::Started("the system browser".into()),
        Err(e) => Opened::Failed(format!("the system opener failed: {e}")),
    }
}

fn run_browser_var(cmd: &str, url: &str) -> Opened {
    let mut words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
    if words.iter().any(|w| w.contains("%s")) {
        words.iter_mut().for_each(|w| *w = w.replace("%s", url));
    } else {
        words.push(url.to_string());
    }
    let (program, args) = words.split_first().expect("non-empty");
    match Command::new(program).args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
        Ok(_) => Opened::Started(format!("$BROWSER ({program})")),
        Err(e) => Opened::Failed(format!("$BROWSER ({program}) could not be started: {e}")),
    }
}
