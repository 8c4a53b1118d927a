//! Nobody reading the output (`mailfino-sf demo 2>&1 | head -1`, a closed terminal) never ends a
//! run half-way: the text is lost, the work goes on, and the exit code tells how it ended. Before,
//! the first write to the closed pipe panicked (exit 101), e.g. while `-v` traced Salesforce's
//! answer, before the rotated refresh token was stored.

#![cfg(unix)]

use std::io::PipeWriter;
use std::process::Command;

use crate::support::*;

/// The write end of a pipe whose read end is already closed.
fn closed_pipe() -> PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

/// Runs `cmd` with stdout and stderr into a closed pipe; its exit code.
fn into_closed_pipe(cmd: &mut Command) -> i32 {
    let w = closed_pipe();
    let status = cmd.stdout(w.try_clone().unwrap()).stderr(w).status().unwrap();
    status.code().unwrap_or_else(|| panic!("ended by a signal: {status:?}"))
}

#[test]
fn the_demo_runs_to_the_end_with_nobody_reading() {
    let env = Env::new();
    assert_eq!(into_closed_pipe(env.std_cmd().arg("demo")), 0);
    assert_eq!(into_closed_pipe(env.std_cmd().args(["demo", "--json"])), 0);
}

#[test]
fn a_rotated_token_is_stored_with_nobody_reading_even_under_v() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    for args in [&["refresh", "-v"][..], &["verify", "-v"], &["refresh", "--show-token"]] {
        let before = f.refresh_token().unwrap();
        assert_eq!(into_closed_pipe(f.env.std_cmd().args(args)), 0, "{args:?}");
        let after = f.refresh_token().unwrap();
        assert_ne!(after, before, "{args:?}: the refresh rotated the token");
        assert!(refresh_token_active(&f, &after), "{args:?}: the stored token is the live one");
        assert!(!refresh_token_active(&f, &before), "{args:?}: the old one is spent");
    }
}

#[test]
fn a_failure_keeps_its_exit_code_with_nobody_reading() {
    let f = fixture(|_| {});
    f.setup().login();
    f.emu.state().revoke_all();
    assert_eq!(into_closed_pipe(f.env.std_cmd().arg("refresh")), 4);
    assert_eq!(into_closed_pipe(f.env.std_cmd().args(["verify", "--json"])), 1);
    assert_eq!(into_closed_pipe(f.env.std_cmd().args(["--profile", "nope", "status"])), 3);
}
