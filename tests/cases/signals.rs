//! SIGINT and SIGTERM during `refresh` (issue 13): 100+ refreshes with rotation on, each
//! interrupted at a random moment; after every one the profile's stored token (or its recovery
//! file) is the live one at the emulator.

#![cfg(unix)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::support::*;

// Salesforce (and the emulator) keeps five approvals per user and app: five profiles at most.
const PROFILES: usize = 5;
const ROUNDS: usize = 21; // 5 x 21 = 105 interrupted refreshes

/// The token the profile would use next: the newest recovery file, else the store.
fn live_token(env: &Env, profile: &str) -> Option<String> {
    let mut files = recovery_files(env, profile);
    files.sort();
    match files.last() {
        Some(p) => Some(std::fs::read_to_string(p).unwrap().trim().to_string()),
        None => stored_refresh_token(env, profile),
    }
}

#[test]
fn interrupted_refreshes_never_lose_the_rotated_token() {
    // Every answer is delayed, so that signals land while the grant is under way.
    let f = fixture(|c| {
        c.rotate_refresh_tokens = true;
        c.slow = Duration::from_millis(40);
    });
    for i in 0..PROFILES {
        let p = format!("s{i}");
        f.setup_cmd().env("MAILFINO_SF_PROFILE", &p).arg("--no-check").assert().success();
        f.login_cmd().env("MAILFINO_SF_PROFILE", &p).assert().success();
    }
    let started = Instant::now();
    let results: Vec<(usize, usize, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..PROFILES)
            .map(|i| {
                let f = &f;
                s.spawn(move || {
                    let profile = format!("s{i}");
                    let mut rng = rand::rng();
                    let (mut deferred, mut interrupted, mut losses) = (0, 0, Vec::new());
                    for round in 0..ROUNDS {
                        let mut child =
                            spawn(f.env.std_cmd().args(["refresh", "--profile", &profile]).stdout(Stdio::null()).stderr(Stdio::piped()));
                        std::thread::sleep(Duration::from_millis(rng.random_range(0..140)));
                        let signal = if round % 2 == 0 { libc::SIGINT } else { libc::SIGTERM };
                        // SAFETY: kill(2) on our own child's pid.
                        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
                        let mut err = String::new();
                        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
                        let status = child.wait().unwrap();
                        if err.contains("finishing the refresh") {
                            deferred += 1;
                        }
                        // Done (0); ended through the tool's handler (130); or, in the first
                        // milliseconds before the run installs its handler, by the signal's
                        // default action. A panic or any other ending is a failure.
                        match (status.code(), status.signal()) {
                            (Some(0), _) => {}
                            (Some(130), _) if !err.contains("panicked") => interrupted += 1,
                            (None, Some(s)) if s == signal && err.is_empty() => interrupted += 1,
                            _ => losses.push(format!("{profile} round {round}: ended with {status:?}: {err}")),
                        }
                        let token = live_token(&f.env, &profile);
                        if !token.as_deref().is_some_and(|t| refresh_token_active(f, t)) {
                            losses.push(format!("{profile} round {round}: {status:?} {err}"));
                        }
                    }
                    (deferred, interrupted, losses)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let deferred: usize = results.iter().map(|r| r.0).sum();
    let interrupted: usize = results.iter().map(|r| r.1).sum();
    let losses: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    eprintln!("{} refreshes: {interrupted} interrupted, {deferred} deferred until the token was stored", PROFILES * ROUNDS);
    assert!(losses.is_empty(), "{} tokens lost or runs ended wrongly:\n{losses:#?}", losses.len());
    assert!(interrupted >= PROFILES * ROUNDS / 4, "the signals mostly came too late to test anything ({interrupted})");
    assert!(deferred >= 5, "hardly any signal landed inside the refresh sequence ({deferred})");
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}

/// Waits at most `bound` for `child` to end.
fn ended_within(child: &mut std::process::Child, bound: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + bound;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "still running {bound:?} after the signal");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Outside the moments that defer a signal, SIGINT, SIGTERM and SIGHUP end the run at once with
/// the contract's exit 130 ("interrupted"), never death by the signal (which a shell shows as
/// 143 or 129): a serving emulator, and `setup` waiting for a slow answer of its live checks.
#[test]
fn a_signal_at_any_other_moment_exits_130_at_once() {
    use std::io::{BufRead, BufReader};
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let env = Env::new();
        let mut child = spawn(env.std_cmd().args(["emulator", "--port", "0"]).stdout(Stdio::piped()).stderr(Stdio::null()));
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(first.starts_with("listening on http://127.0.0.1:"), "the emulator is serving: {first}");
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = ended_within(&mut child, Duration::from_secs(10));
        assert_eq!((status.code(), status.signal()), (Some(130), None), "the emulator, signal {signal}");
    }
    let f = fixture(|c| c.slow = Duration::from_secs(4));
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        let (url, id) = (f.emu.url().to_string(), f.emu.client_id());
        let args =
            ["setup", "--non-interactive", "--login-url", &url, "--client-id", &id, "--client-secret-stdin", "--redirect-uri", &f.redirect];
        let mut child = spawn(f.env.std_cmd().args(args).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped()));
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(f.emu.client_secret().as_bytes()).unwrap();
        }
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        // The profile is saved first; then the checks wait for the slow answers.
        while !line.contains("saved profile") {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "setup ended before saving");
        }
        let sent = Instant::now();
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = ended_within(&mut child, Duration::from_secs(3));
        assert_eq!((status.code(), status.signal()), (Some(130), None), "setup, signal {signal}");
        assert!(sent.elapsed() < Duration::from_secs(3), "at once, not after the 4 s answer");
    }
}
