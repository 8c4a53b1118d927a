//! The app's refresh token policy, the most reported cause of an integration that stops weeks
//! after setup (post-setup-failures.md rank 1a; reference 4.13): the emulator enforces it on an
//! emulated clock, and `verify`, `refresh`, CI's introspection and `audit` each say what broke
//! and where to fix it.

use std::time::Duration;

use mailfino_sf_emulator::{RefreshPolicy, Role};
use serde_json::Value;

use crate::support::*;

const DAY: Duration = Duration::from_secs(86_400);
const HOUR: Duration = Duration::from_secs(3_600);

/// Set up and logged in, under `policy`.
fn under(policy: &str) -> Fixture {
    let f = fixture(|c| c.org.refresh_policy = RefreshPolicy::parse(policy).unwrap());
    f.setup().login();
    f
}

fn verify(f: &Fixture) -> (i32, Value) {
    let out = f.env.cmd().args(["verify", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v)
}

fn refresh_code(f: &Fixture) -> i32 {
    f.env.cmd().arg("refresh").output().unwrap().status.code().unwrap()
}

/// `verify`'s refresh_token check failed the way an expired token fails: Salesforce's words, what
/// they mean, and the Refresh Token Policy named in the fix.
fn assert_expired(code: i32, v: &Value) {
    assert_eq!(code, 1, "{v}");
    let (status, summary, hint) = check(v, "refresh_token");
    assert_eq!(status, "fail", "{v}");
    assert!(summary.contains("expired access/refresh token"), "Salesforce's description is shown: {summary}");
    assert!(summary.contains("expired by the app's refresh token policy"), "the likely causes are named: {summary}");
    assert!(hint.contains("Refresh Token Policy") && hint.contains("Refresh token is valid until revoked"), "{hint}");
    assert!(hint.contains("`mailfino-sf audit` reads the app's policy"), "the hint names the command that reads the policy: {hint}");
    assert_eq!(check(v, "api_access").0, "skip", "nothing past a dead token is claimed: {v}");
}

#[test]
fn an_idle_token_expires_after_the_inactivity_window_and_each_refresh_restarts_it() {
    let f = under("inactivity:30d");
    assert_eq!(verify(&f).0, 0, "a fresh token passes");
    // Used every 20 days, it never idles for 30.
    for _ in 0..3 {
        f.emu.state().advance_clock(20 * DAY);
        assert_eq!(refresh_code(&f), 0, "a refresh within the window renews it");
    }
    f.emu.state().advance_clock(31 * DAY);
    let (code, v) = verify(&f);
    assert_expired(code, &v);
    let token = f.refresh_token().expect("a failed refresh deletes nothing");
    assert!(!refresh_token_active(&f, &token), "introspection agrees the token is dead");
}

#[test]
fn a_lifetime_counts_from_the_login_whatever_the_use_and_rotation() {
    let f = fixture(|c| {
        c.org.refresh_policy = RefreshPolicy::parse("lifetime:4h").unwrap();
        c.rotate_refresh_tokens = true;
    });
    f.setup().login();
    f.emu.state().advance_clock(3 * HOUR);
    let before = f.refresh_token().unwrap();
    assert_eq!(refresh_code(&f), 0, "three hours in, the token works");
    assert_ne!(f.refresh_token().unwrap(), before, "and rotated");
    f.emu.state().advance_clock(2 * HOUR);
    let (code, v) = verify(&f);
    assert_expired(code, &v);
    // A new login starts a new lifetime.
    f.login();
    assert_eq!(verify(&f).0, 0, "a new login starts a new lifetime");
}

#[test]
fn immediate_expiry_fails_the_first_refresh_after_the_login() {
    let f = under("zero");
    let (code, v) = verify(&f);
    assert_expired(code, &v);
    let out = f.env.cmd().arg("refresh").output().unwrap();
    assert_eq!(out.status.code(), Some(4), "refresh exits 4 (refused): {}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("expired access/refresh token") && err.contains("Refresh Token Policy"), "{err}");
}

#[test]
fn ci_sees_the_expired_token_by_introspection_without_spending_it() {
    let f = under("inactivity:1d");
    let token = f.refresh_token().unwrap();
    let envs = f.ci_env(&token);
    let ci_verify = || {
        let ci = Env::new();
        let out = ci.cmd().envs(envs.iter().map(|(k, v)| (k, v))).args(["verify", "--json"]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
        (out.status.code().unwrap(), v)
    };
    let (code, v) = ci_verify();
    assert_eq!((code, check(&v, "refresh_token").0.as_str()), (0, "pass"), "{v}");
    f.emu.state().advance_clock(2 * DAY);
    let (code, v) = ci_verify();
    assert_eq!(code, 1, "{v}");
    let (status, summary, hint) = check(&v, "refresh_token");
    assert_eq!(status, "fail", "{v}");
    assert!(summary.contains("not active"), "{summary}");
    assert!(hint.contains("MAILFINO_SF_REFRESH_TOKEN"), "CI is told which secret to replace: {hint}");
    assert!(f.emu.requests_to("/services/oauth2/token").iter().all(|r| r.field("grant_type") != Some("refresh_token")), "CI spent nothing");
}

#[test]
fn the_audit_names_the_policy_that_expired_the_token() {
    let f = under("inactivity:30d");
    f.emu.state().advance_clock(31 * DAY);
    assert_expired(verify(&f).0, &verify(&f).1);
    f.emu.state().config.org.browser_user = Role::Admin;
    let out = f.env.cmd().args(["audit", "--json", "--wait", "20"]).env("BROWSER", robot_browser()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    let (status, summary, hint) = check(&v, "refresh_token_policy");
    assert_eq!(status, "warn", "{v}");
    assert!(summary.contains("30 days without use"), "{summary}");
    assert!(hint.contains("Refresh token is valid until revoked"), "{hint}");
}
