//! Progress on a terminal only: `verify` names the checks still running and what a slow answer
//! waits for; nothing of it reaches a pipe or `--json`.

use std::time::Duration;

use crate::support::*;

fn slow_fixture() -> Fixture {
    let f = fixture(|_| {});
    f.setup().login();
    f.emu.state().config.slow = Duration::from_millis(1500);
    f
}

#[cfg(unix)]
#[test]
fn verify_shows_running_checks_and_slow_answers_on_a_terminal() {
    use expectrl::{Eof, Expect, Regex};
    let f = slow_fixture();
    let mut p = f.env.pty(&["verify"]);
    // Wide enough that no line is cut: what is shown, not where a narrow terminal cuts it.
    p.get_process_mut().set_window_size(250, 40).unwrap();
    p.expect(Regex("still running: [a-z_, ]*(login_host|client_secret|refresh_token)")).unwrap();
    p.expect(Regex("waiting for 127\\.0\\.0\\.1 to answer /[a-z0-9/._]+ \\([0-9]+ s\\)")).unwrap();
    p.expect("14 passed, 0 warnings, 0 failed, 1 skipped").unwrap();
    p.expect(Eof).unwrap();
    assert_pty_exit(&p, 0);
}

#[cfg(unix)]
#[test]
fn no_progress_with_json_or_on_a_pipe() {
    use expectrl::{Eof, Expect};
    let f = slow_fixture();
    let mut p = f.env.pty(&["verify", "--json"]);
    let found = p.expect(Eof).unwrap();
    let mut bytes = found.before().to_vec();
    bytes.extend(found.get(0).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert_pty_exit(&p, 0);
    // The terminal gets the JSON document and nothing else (no progress line before or after).
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    assert_eq!(v["ok"], true, "{v}");
    assert!(!text.contains("still running") && !text.contains("waiting for"), "{text}");
    let out = f.env.cmd().arg("verify").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let all = all_output(&out);
    assert!(!all.contains("still running") && !all.contains("waiting for") && !all.contains('\r'), "{all}");
}

/// The login spinner says what it is doing once the browser came back.
#[cfg(unix)]
#[test]
fn login_spinner_says_what_it_is_doing() {
    use expectrl::{Eof, Expect};
    let f = fixture(|_| {});
    f.setup();
    f.emu.state().config.slow = Duration::from_millis(1500);
    let mut cmd = f.env.std_cmd();
    cmd.env("TERM", "xterm").env("BROWSER", format!("{} robot-browser", bin().display())).args(["login", "--wait", "60"]);
    let mut p = pty_session(cmd);
    p.set_expect_timeout(Some(Duration::from_secs(40)));
    p.expect("exchanging the code with Salesforce").unwrap();
    p.expect("verifying the grant").unwrap();
    p.expect("Logged in").unwrap();
    p.expect(Eof).unwrap();
    assert_pty_exit(&p, 0);
    assert!(refresh_token_active(&f, &f.refresh_token().expect("a stored refresh token")));
}
