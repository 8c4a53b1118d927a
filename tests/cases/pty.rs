//! The pseudo-terminal helpers every PTY case relies on: a session starts as a shell leaves the
//! terminal (echo on), and `send_hidden` types only once a hidden prompt reads, so that the
//! prompt's switch to echo off, which discards earlier input, cannot eat the line.

#![cfg(unix)]

use expectrl::Expect;

use crate::support::*;

/// A hidden prompt as `console` (dialoguer's `Password`) reads one: the prompt text, then echo
/// off with TCSAFLUSH (discarding what was typed before), one line, echo back on. The pause
/// between the text and the switch is the window a busy machine opens: a line typed on seeing
/// the text alone falls into it and is discarded, and the prompt then waits forever.
const HIDDEN_PROMPT: &str = r#"
import sys, termios, time
t = termios.tcgetattr(0)
print("echo at start:", "on" if t[3] & termios.ECHO else "off", flush=True)
print("Secret: ", end="", flush=True)
time.sleep(0.5)
t[3] &= ~termios.ECHO
termios.tcsetattr(0, termios.TCSAFLUSH, t)
line = sys.stdin.readline().rstrip("\r\n")
t[3] |= termios.ECHO
termios.tcsetattr(0, termios.TCSAFLUSH, t)
print("\ngot %d characters" % len(line), flush=True)
"#;

#[test]
fn send_hidden_types_only_once_the_hidden_prompt_reads() {
    let Some(python) = which("python3") else {
        e2e_available("python3 (the hidden prompt of the PTY helper test)", false);
        return;
    };
    let mut cmd = std::process::Command::new(python);
    cmd.args(["-c", HIDDEN_PROMPT]);
    let mut p = pty_session(cmd);
    p.expect("echo at start: on").expect("a session starts with echo on, as a shell leaves the terminal");
    p.expect("Secret: ").unwrap();
    let secret = "s3cret-typed-at-the-prompt";
    send_hidden(&mut p, secret);
    let seen = p.expect(format!("got {} characters", secret.len())).expect("the hidden line reached the prompt");
    assert!(!String::from_utf8_lossy(seen.before()).contains(secret), "the hidden line was echoed");
}
