//! Ctrl-C, SIGTERM and SIGHUP at the setup wizard's prompts, in a real pseudo-terminal: the
//! process exits 130 itself (never dies of the signal), puts the terminal back (echo on, cursor
//! shown), says "setup cancelled; nothing was written" on a line of its own, and has written
//! nothing (no config, no credentials, no env file, no backup).
//!
//! Every case starts the program with echo on, as a shell leaves the terminal, and waits until the
//! prompt has the terminal (echo off: raw mode at a menu or a text prompt, echo off at a hidden
//! one) before the signal, so the echo seen on afterwards was put back by the program;
//! the exit after the signal is bounded: without the signal each case fails within the bound.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{ControlCode, Eof, Expect};

use crate::support::*;

const CANCELLED: &str = "setup cancelled; nothing was written";
/// How long the program may take to end after the signal.
const EXIT_BOUND: Duration = Duration::from_secs(10);
const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

/// How the prompt is interrupted.
#[derive(Clone, Copy, Debug)]
enum Interrupt {
    /// Ctrl-C typed at the terminal.
    CtrlC,
    /// A signal sent to the process.
    Signal(libc::c_int),
}

/// What the program left behind.
struct Ended {
    /// The terminal output from the interrupt to the end.
    output: String,
    status: WaitStatus,
    /// Whether the terminal echoes input again.
    echo: bool,
}

/// `mailfino-sf ARGS` in a pseudo-terminal as an admin's shell leaves it: echo on.
fn pty(env: &Env, args: &[&str]) -> OsSession {
    env.pty(args)
}

/// `sh -c SCRIPT BIN ARGS` in a pseudo-terminal (echo on), with the scrubbed environment of [`Env`].
fn spawn_sh(env: &Env, script: &str, args: &[&str]) -> OsSession {
    let base = env.std_cmd();
    let mut cmd = std::process::Command::new("sh");
    cmd.env_clear();
    for (k, v) in base.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.env("TERM", "xterm").args(["-c", script, bin().to_str().unwrap()]).args(args);
    pty_session(cmd)
}

/// Every file under `dir` with its content (an empty map when `dir` does not exist).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir).into_iter().map(|p| (p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap())).collect()
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { files_under(&e.path()) } else { vec![e.path()] }).collect()
}

/// Waits until the prompt has switched echo off (it is reading from the terminal).
fn wait_for_echo_off(p: &OsSession) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while p.get_process().get_echo().unwrap() {
        assert!(Instant::now() < deadline, "the prompt never took the terminal (echo stayed on)");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Interrupts the prompt the session waits at and collects how the program ended.
fn interrupt(p: &mut OsSession, how: Interrupt) -> Ended {
    wait_for_echo_off(p);
    match how {
        Interrupt::CtrlC => p.send(ControlCode::EndOfText).unwrap(),
        Interrupt::Signal(sig) => {
            let pid = p.get_process().pid().as_raw();
            // SAFETY: kill(2) on our own child's pid.
            assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
        }
    }
    p.set_expect_timeout(Some(EXIT_BOUND));
    let rest = p.expect(Eof).unwrap_or_else(|e| panic!("{how:?}: the program did not end within {EXIT_BOUND:?}: {e}"));
    let output = String::from_utf8_lossy(rest.as_bytes()).to_string(); // Eof matches everything up to the end
    let status = p.get_process().wait().unwrap();
    let echo = p.get_process().get_echo().unwrap();
    Ended { output, status, echo }
}

/// The promised ending: exit 130 (not death by the signal), echo on, the message once, on a line
/// of its own.
fn assert_cancelled(e: &Ended, how: Interrupt) {
    assert!(matches!(e.status, WaitStatus::Exited(_, 130)), "{how:?}: {:?}\n{}", e.status, e.output);
    assert!(e.echo, "{how:?}: the terminal was left with echo off\n{}", e.output);
    assert_eq!(e.output.matches(CANCELLED).count(), 1, "{how:?}: the message once\n{}", e.output);
    let at = e.output.find(CANCELLED).unwrap();
    let line_start = e.output[..at].rfind("mailfino-sf: ").expect("the error line");
    assert!(e.output[..line_start].ends_with('\n'), "{how:?}: the message starts a line of its own\n{:?}", e.output);
    let (hide, show) = (e.output.rfind(HIDE_CURSOR), e.output.rfind(SHOW_CURSOR));
    assert!(show >= hide, "{how:?}: cursor left hidden: {:?}", e.output);
}

/// After a menu (which hides the cursor) the cursor is shown again.
fn assert_cursor_shown(e: &Ended) {
    let (hide, show) = (e.output.rfind(HIDE_CURSOR), e.output.rfind(SHOW_CURSOR));
    assert!(show.is_some() && show > hide, "cursor left hidden: {:?}", e.output);
}

/// A profile saved without prompts (nothing checked against Salesforce).
fn saved_profile(env: &Env) {
    let key = format!("3MVG9{}", "k".repeat(80)); // 85 characters, as Salesforce issues them
    let out = env
        .cmd()
        .args(["setup", "--non-interactive", "--no-check", "--login-url", "https://login.salesforce.com", "--client-id", &key])
        .arg("--client-secret-stdin")
        .write_stdin("E".repeat(64))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
}

#[test]
fn ctrl_c_at_a_menu_exits_130_with_the_cursor_shown() {
    let env = Env::new();
    let mut p = pty(&env, &["setup"]);
    p.expect("Where mailfino runs").unwrap();
    let e = interrupt(&mut p, Interrupt::CtrlC);
    assert_cancelled(&e, Interrupt::CtrlC);
    assert_cursor_shown(&e);
    assert_eq!(snapshot(&env.config_dir()), BTreeMap::new(), "nothing written");
}

#[test]
fn ctrl_c_at_a_text_prompt_while_typing_exits_130() {
    let env = Env::new();
    let mut p = pty(&env, &["setup"]);
    p.expect("Where mailfino runs").unwrap();
    p.send("j").unwrap(); // self-hosted
    p.send_line("").unwrap();
    p.expect("Public base URL").unwrap();
    p.send("https://mail").unwrap();
    p.expect("https://mail").unwrap();
    let e = interrupt(&mut p, Interrupt::CtrlC);
    assert_cancelled(&e, Interrupt::CtrlC);
    assert_eq!(snapshot(&env.config_dir()), BTreeMap::new(), "nothing written");
}

#[test]
fn ctrl_c_at_a_checklist_confirmation_exits_130() {
    let env = Env::new();
    let mut p = pty(&env, &["setup"]);
    for menu in ["Where mailfino runs", "Salesforce org", "How to create the External Client App"] {
        p.expect(menu).unwrap();
        p.send_line("").unwrap();
    }
    p.expect("Step 1 done?").unwrap();
    let e = interrupt(&mut p, Interrupt::CtrlC);
    assert_cancelled(&e, Interrupt::CtrlC);
    assert_eq!(snapshot(&env.config_dir()), BTreeMap::new(), "nothing written");
}

/// An existing profile: a new env file is chosen, then the signal comes at the hidden secret
/// prompt with half a secret typed. The config, the credentials and the directory stay exactly as
/// they were, and the env file is not created.
fn at_the_hidden_prompt(how: Interrupt) {
    let env = Env::new();
    saved_profile(&env);
    let before = snapshot(&env.config_dir());
    let env_file = env.path("mailfino.env");
    let mut p = pty(&env, &["setup"]);
    p.expect("Consumer Secret: stored").unwrap();
    p.send("jjjjj").unwrap(); // down to the env file
    p.send_line("").unwrap();
    p.expect("server environment").unwrap();
    p.send_line(env_file.to_str().unwrap()).unwrap();
    p.expect("mailfino's env file: ").unwrap();
    p.send("jjjj").unwrap(); // down to the secret
    p.send_line("").unwrap();
    p.expect("Consumer Secret (input hidden").unwrap();
    wait_for_echo_off(&p);
    p.send("FFFFFFFF").unwrap();
    let e = interrupt(&mut p, how);
    assert_cancelled(&e, how);
    assert!(!e.output.contains("FFFFFFFF"), "the hidden input is never shown: {:?}", e.output);
    assert_eq!(snapshot(&env.config_dir()), before, "{how:?}: nothing written");
    assert!(!env_file.exists(), "{how:?}: no env file");
    let names: Vec<_> = std::fs::read_dir(env.dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(!names.iter().any(|n| n.to_string_lossy().contains("mailfino.env")), "no backup or temp file: {names:?}");
}

#[test]
fn ctrl_c_at_the_hidden_prompt_exits_130_with_echo_back_on() {
    at_the_hidden_prompt(Interrupt::CtrlC);
}

#[test]
fn sigterm_at_the_hidden_prompt_exits_130_with_echo_back_on() {
    at_the_hidden_prompt(Interrupt::Signal(libc::SIGTERM));
}

#[test]
fn sighup_at_the_hidden_prompt_exits_130_with_echo_back_on() {
    at_the_hidden_prompt(Interrupt::Signal(libc::SIGHUP));
}

#[test]
fn sigterm_at_a_menu_of_an_existing_profile_exits_130_and_keeps_the_profile() {
    let env = Env::new();
    saved_profile(&env);
    let before = snapshot(&env.config_dir());
    let mut p = pty(&env, &["setup"]);
    p.expect("Consumer Secret: stored").unwrap();
    let e = interrupt(&mut p, Interrupt::Signal(libc::SIGTERM));
    assert_cancelled(&e, Interrupt::Signal(libc::SIGTERM));
    assert_cursor_shown(&e);
    assert_eq!(snapshot(&env.config_dir()), before, "nothing written");
}

/// As an admin sees it: the shell that ran `setup` goes on after Ctrl-C at the hidden prompt
/// with status 130, and `stty` reports echo on. (The shell catches SIGINT itself, so that the
/// terminal's Ctrl-C does not end it too; its child still starts with the default disposition.)
#[test]
fn the_shell_after_ctrl_c_at_the_hidden_prompt_has_echo_on() {
    let env = Env::new();
    saved_profile(&env);
    let before = snapshot(&env.config_dir());
    let script = r#"trap : INT; stty echo; "$0" setup; echo "setup exited with $?"; stty -a"#;
    let mut p = spawn_sh(&env, script, &[]);
    p.expect("Consumer Secret: stored").unwrap();
    p.send("jjjj").unwrap();
    p.send_line("").unwrap();
    p.expect("Consumer Secret (input hidden").unwrap();
    let e = interrupt(&mut p, Interrupt::CtrlC);
    assert!(e.output.contains("setup exited with 130"), "{}", e.output);
    assert_eq!(e.output.matches(CANCELLED).count(), 1, "{}", e.output);
    let flags: Vec<&str> = e.output.split_whitespace().collect();
    assert!(flags.contains(&"echo") && !flags.contains(&"-echo"), "stty after setup: {}", e.output);
    assert!(flags.contains(&"icanon") && !flags.contains(&"-icanon"), "stty after setup: {}", e.output);
    assert_eq!(snapshot(&env.config_dir()), before, "nothing written");
}

/// After the save, a signal at "Log in now?" says that what was entered is saved and names the
/// command that checks it for this profile (`--profile NAME`, not the default profile).
#[test]
fn ctrl_c_after_the_save_names_verify_for_this_profile() {
    let f = fixture(|_| {});
    f.setup_cmd().env("MAILFINO_SF_PROFILE", "sandbox").assert().success();
    let mut p = pty(&f.env, &["--profile", "sandbox", "setup"]);
    p.expect("Change").unwrap();
    p.send_line("").unwrap(); // done: keep the values
    p.expect("Log in now").unwrap();
    let e = interrupt(&mut p, Interrupt::CtrlC);
    assert!(matches!(e.status, WaitStatus::Exited(_, 130)), "{:?}\n{}", e.status, e.output);
    assert!(e.echo, "echo back on\n{}", e.output);
    let stopped = "setup stopped; what you entered is saved (`mailfino-sf verify --profile sandbox` checks it)";
    // The error line wraps at the terminal's width and is coloured: compare its words.
    let plain = regex::Regex::new("\x1b\\[[0-9;?]*[A-Za-z]").unwrap().replace_all(&e.output, "");
    let words = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(words.matches(stopped).count(), 1, "{}", e.output);
}

/// `logout --forget-secret` asks on a terminal after the tokens are gone: Ctrl-C there exits 130
/// and says what was done (tokens revoked and deleted, the secret kept), with the terminal back.
#[test]
fn ctrl_c_at_logouts_forget_question_exits_130_saying_what_was_done() {
    const STOPPED: &str = "logout stopped at the question: the refresh tokens are revoked and deleted; the Consumer Secret is kept";
    let f = fixture(|_| {});
    f.setup().login();
    let token = f.refresh_token().unwrap();
    let mut p = pty(&f.env, &["logout", "--forget-secret"]);
    p.expect("Also delete profile `default`'s Consumer Secret?").unwrap();
    let e = interrupt(&mut p, Interrupt::CtrlC);
    assert!(matches!(e.status, WaitStatus::Exited(_, 130)), "{:?}\n{}", e.status, e.output);
    assert!(e.echo, "the terminal was left with echo off\n{}", e.output);
    // The message is wrapped at the terminal's width: compare it with the lines joined.
    let flat = e.output.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(flat.matches(STOPPED).count(), 1, "{}", e.output);
    assert!(!refresh_token_active(&f, &token), "the token was revoked before the question");
    assert_eq!(f.refresh_token(), None, "and deleted");
    assert_eq!(stored_secret(&f.env, "default", "client-secret"), Some(f.emu.client_secret()), "the secret is kept");
}
