//! `verify`'s health checks beyond the login (`user_active`, `org_identity`, `api_limits`,
//! `approvals`, and `api_access`'s own explanations) against the emulator's switches: every
//! check in each of its states, and the request structure (refresh, then one wave).

use serde_json::Value;

use crate::support::*;

fn verify_json(f: &Fixture) -> (i32, Value) {
    let out = f.env.cmd().args(["verify", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v)
}

/// The health checks (the last five of verify's table) as "id status".
fn health(v: &Value) -> Vec<String> {
    check_table(v).into_iter().filter(|row| HEALTH.iter().any(|id| row.split(' ').next() == Some(id))).collect()
}

const HEALTH: [&str; 6] = ["refresh_token", "api_access", "user_active", "org_identity", "api_limits", "approvals"];

/// `rows` as "id status", for comparing with [`health`].
fn rows(statuses: [&str; 6]) -> Vec<String> {
    HEALTH.iter().zip(statuses).map(|(id, st)| format!("{id} {st}")).collect()
}

/// A logged-in fixture whose org `tweak` then changes, and its `verify --json`.
fn verify_after(tweak: impl FnOnce(&mut mailfino_sf_emulator::OrgConfig)) -> (Fixture, i32, Value) {
    let f = ready();
    tweak(&mut f.emu.state().config.org);
    let (code, v) = verify_json(&f);
    (f, code, v)
}

const USER: &str = mailfino_sf_emulator::USERNAME;

fn ready() -> Fixture {
    let f = fixture(|_| {});
    f.setup().login();
    f
}

#[test]
fn login_stores_what_the_checks_compare_against() {
    let f = ready();
    let cfg: toml::Value = toml::from_str(&f.env.config_text()).unwrap();
    let p = &cfg["default"];
    assert_eq!(p["org_id"].as_str(), Some(mailfino_sf_emulator::ORG_ID));
    assert_eq!(p["user_id"].as_str(), Some(mailfino_sf_emulator::USER_ID));
    assert_eq!(p["instance_url"].as_str(), Some(f.emu.url()));
    assert_eq!(p["api_version"].as_str(), Some("63.0"));
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0, "{v}");
    assert_eq!(health(&v), rows(["pass"; 6]));
    assert_eq!(check(&v, "approvals").1, "1 of 5 approvals of `mailfino` in use by this user");
    let limits = check(&v, "api_limits").1;
    assert!(regex::Regex::new(r"^\d of 15000 daily API requests used \(0 %\)$").unwrap().is_match(&limits), "{limits}");
    assert_eq!(check(&v, "user_active").1, format!("{USER} is active"));
    assert_eq!(check(&v, "org_identity").1, format!("org {} at {}, as stored", mailfino_sf_emulator::ORG_ID, f.emu.url()));
}

#[test]
fn user_active_fail_warn_skip() {
    // fail: the user was deactivated; the refresh says so, and both checks name the fix
    let (_f, code, v) = verify_after(|org| org.integration_inactive = true);
    assert_eq!(code, 1);
    assert_eq!(health(&v), rows(["fail", "skip", "fail", "skip", "skip", "skip"]));
    let (_, summary, hint) = check(&v, "user_active");
    assert_eq!(summary, "Salesforce refused the refresh because the integration user is inactive");
    assert!(hint.starts_with("in Salesforce Setup → Users → the user → Edit → Active: reactivate the user"), "{hint}");
    let (_, summary, hint) = check(&v, "refresh_token");
    assert!(summary.starts_with("Salesforce refused: invalid_grant (inactive user): ") && summary.contains("inactive"), "{summary}");
    assert!(
        hint.contains("reactivate") && !hint.contains("a login code works once"),
        "a deactivated user is not a stale login code: {hint}"
    );
    assert_eq!(check(&v, "org_identity").1, "skipped: the refresh failed");
    // warn: the identity URL answers with a maintenance page
    let (f, code, v) = verify_after(|org| org.fail_paths = vec!["/id/".into()]);
    assert_eq!(code, 0, "a warning is not a failure: {v}");
    assert_eq!(health(&v), rows(["pass", "pass", "warn", "pass", "pass", "pass"]));
    assert_eq!(
        check(&v, "user_active").1,
        "could not tell whether the user is active: the identity URL answered HTTP 503 without an `active` field"
    );
    assert_eq!(
        f.emu.requests_to(&format!("/id/{}/{}", mailfino_sf_emulator::ORG_ID, mailfino_sf_emulator::USER_ID)).last().map(|r| r.status),
        Some(503)
    );
    // skip: the refresh token is dead
    let f = ready();
    f.emu.state().revoke_all();
    let (code, v) = verify_json(&f);
    assert_eq!(code, 1);
    assert_eq!(health(&v), rows(["fail", "skip", "skip", "skip", "skip", "skip"]));
    assert_eq!(check(&v, "user_active").1, "skipped: the refresh failed");
}

#[test]
fn org_identity_fail_warn_skip() {
    // fail: a refreshed sandbox has a new org id
    let (_f, code, v) = verify_after(|org| org.org_id = "00D5g000009NewSBOX".into());
    assert_eq!(code, 1);
    assert_eq!(health(&v), rows(["pass", "pass", "pass", "fail", "pass", "pass"]));
    let (_, summary, hint) = check(&v, "org_identity");
    assert_eq!(
        summary,
        format!(
            "the token belongs to org 00D5g000009NewSBOX, but this profile was set up for org {}: a refreshed sandbox gets a new org id",
            mailfino_sf_emulator::ORG_ID
        )
    );
    assert!(hint.contains("log in to store the new org, and reconnect mailfino to the sandbox"), "{hint}");
    assert!(hint.ends_with("then run `mailfino-sf login`"), "{hint}");
    // warn: the instance moved (My Domain change): the new URL is named
    let (f, code, v) = verify_after(|org| org.instance_host = Some("localhost".into()));
    assert_eq!(code, 0, "{v}");
    assert_eq!(health(&v), rows(["pass", "pass", "pass", "warn", "pass", "pass"]), "the new instance answers");
    let port = f.emu.url().rsplit(':').next().unwrap().to_string();
    let (_, summary, hint) = check(&v, "org_identity");
    assert_eq!(
        summary,
        format!(
            "org {} now answers at http://localhost:{port} (stored: {}): a My Domain change or an instance move",
            mailfino_sf_emulator::ORG_ID,
            f.emu.url()
        )
    );
    assert!(hint.contains(&format!("log in to store http://localhost:{port}")) && hint.ends_with("then run `mailfino-sf login`"), "{hint}");
    // skip: an env-only CI run has no stored org to compare with
    let f = ready();
    let ci = Env::new();
    let out = ci
        .cmd()
        .args(["verify", "--json", "--renew", "--rotated-token-out"])
        .arg(ci.path("rotated"))
        .envs(f.ci_env(&f.refresh_token().unwrap()))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", all_output(&out)));
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(health(&v), rows(["pass", "pass", "pass", "skip", "pass", "pass"]), "the version is discovered when none is stored");
    assert!(check(&v, "org_identity").1.starts_with("skipped: "), "{v}");
}

#[test]
fn api_limits_warn_fail_skip_and_rest_refusals_explained() {
    // warn at 80 %
    let (f, code, v) = verify_after(|org| org.api_used = 12_500);
    assert_eq!(code, 0);
    assert_eq!(health(&v), rows(["pass", "pass", "pass", "pass", "warn", "pass"]));
    let summary = check(&v, "api_limits").1;
    assert!(regex::Regex::new(r"^125\d\d of 15000 daily API requests used \(83 %\)$").unwrap().is_match(&summary), "{summary}");
    // fail: REQUEST_LIMIT_EXCEEDED, with its own explanation on api_access
    f.emu.state().config.org.api_used = 15_000;
    let (code, v) = verify_json(&f);
    assert_eq!(code, 1);
    assert_eq!(health(&v), rows(["pass", "fail", "pass", "pass", "fail", "skip"]));
    assert_eq!(
        check(&v, "api_limits").1,
        "REQUEST_LIMIT_EXCEEDED: the org's daily API requests are used up (15000 of 15000); mailfino's calls are refused"
    );
    let (_, summary, hint) = check(&v, "api_access");
    assert!(
        summary.starts_with("the REST API refused the fresh access token: REQUEST_LIMIT_EXCEEDED")
            && summary.contains("the org's daily API request limit is used up"),
        "{summary}"
    );
    assert!(hint.starts_with("in Salesforce Setup → System Overview → API Requests, Last 24 Hours: "), "{hint}");
    // skip, and INVALID_SESSION_ID right after a fresh refresh explained as IP lock / API Access Control
    let (_f, code, v) = verify_after(|org| org.session_locked = true);
    assert_eq!(code, 1);
    assert_eq!(health(&v), rows(["pass", "fail", "pass", "pass", "skip", "skip"]));
    let (_, summary, hint) = check(&v, "api_access");
    assert!(summary.contains("INVALID_SESSION_ID") && summary.contains("API Access Control"), "{summary}");
    assert!(hint.contains("Relax IP restrictions") && hint.contains("Lock sessions"), "{hint}");
    assert_eq!(check(&v, "api_limits").1, "skipped: the REST API refused the token");
    // API_DISABLED_FOR_ORG
    let (f, code, v) = verify_after(|org| org.api_disabled = true);
    assert_eq!(code, 1);
    assert_eq!(health(&v), rows(["pass", "fail", "pass", "pass", "skip", "skip"]));
    let (_, summary, hint) = check(&v, "api_access");
    assert!(summary.contains("API_DISABLED_FOR_ORG") && hint.contains("API Enabled"), "{summary} / {hint}");
    // the human output puts each fix under its failure
    let text = stdout(&f.env.cmd().arg("verify").output().unwrap());
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("✘ fail  api_access ")).unwrap_or_else(|| panic!("{text}"));
    assert!(
        lines[at + 1]
            .trim_start()
            .starts_with("fix: in Salesforce Setup → Users → the user's profile (or a permission set) → System Permissions → API Enabled"),
        "{text}"
    );
}

#[test]
fn approvals_warn_and_skip() {
    // warn: three approvals from other machines plus this login make four of five
    let f = fixture(|c| c.org.prior_approvals = 3);
    f.setup().login();
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0);
    assert_eq!(health(&v), rows(["pass", "pass", "pass", "pass", "pass", "warn"]));
    let (_, summary, hint) = check(&v, "approvals");
    assert_eq!(
        summary,
        "4 of 5 approvals of `mailfino` are in use by this user: the next login through the app revokes the oldest, which may be mailfino's"
    );
    assert!(
        hint.starts_with("in Salesforce Setup → Users → the integration user → OAuth Connected Apps: revoke the approvals no longer used"),
        "{hint}"
    );
    // warn: an app name the org does not know cannot be counted
    f.emu.state().config.org.app_name = "Mailfino Production".into();
    let (_, v) = verify_json(&f);
    let (st, summary, hint) = check(&v, "approvals");
    assert_eq!(st, "warn");
    assert_eq!(summary, "found no approval of an app labelled `mailfino` for this user, so they could not be counted");
    assert!(hint.contains("set `app_name` in the profile to its name or label"), "{hint}");
    // skip: Salesforce refuses the query, and says what is needed
    let (_f, code, v) = verify_after(|org| org.hidden_objects = vec!["OauthToken".into()]);
    assert_eq!(code, 0);
    assert_eq!(health(&v), rows(["pass", "pass", "pass", "pass", "pass", "skip"]));
    let summary = check(&v, "approvals").1;
    assert!(summary.contains("(INVALID_TYPE): needs API version 32.0 or later"), "{summary}");
}

/// The network critical path: the refresh, then ONE wave on the instance (identity URL, the
/// pinned version's root, the approvals query), none waiting for another; no version discovery.
#[test]
fn verify_is_the_refresh_then_one_wave() {
    let f = ready();
    f.emu.state().config.slow = std::time::Duration::from_millis(300);
    let before = f.emu.log().len();
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0, "{v}");
    let log: Vec<_> = f.emu.log().into_iter().skip(before).collect();
    let refresh = log.iter().find(|r| r.field("grant_type") == Some("refresh_token")).expect("a refresh");
    let wave: Vec<_> = log.iter().filter(|r| r.path.starts_with("/id/") || r.path.starts_with("/services/data/v")).collect();
    assert_eq!(wave.len(), 3, "identity, version root, query: {wave:#?}");
    assert!(wave.iter().any(|r| r.path == "/services/data/v63.0/query"), "{wave:#?}");
    for a in &wave {
        assert!(a.started > refresh.finished, "{} needs the refreshed token", a.path);
        for b in &wave {
            assert!(a.started < b.finished, "{} waited for {}: not one wave", a.path, b.path);
        }
    }
    // the version is pinned: the version list is read only while the refresh is in flight
    for r in log.iter().filter(|r| r.path == "/services/data/") {
        assert!(r.started < refresh.finished, "a version discovery after the refresh");
    }
    // every other request (the app checks) ran alongside the refresh, not after it
    for r in log.iter().filter(|r| !wave.iter().any(|w| w.started == r.started)) {
        assert!(r.started < refresh.finished, "{} started after the refresh", r.path);
    }
}

/// A pinned API version the instance no longer offers is discovered again (one more round trip).
#[test]
fn a_retired_pinned_version_is_discovered_again() {
    let f = ready();
    let cfg = f.env.config_text().replace("api_version = \"63.0\"", "api_version = \"50.0\"");
    std::fs::write(f.env.config_dir().join("config.toml"), cfg).unwrap();
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0, "{v}");
    assert!(check(&v, "api_access").1.starts_with("the REST API v63.0 answers"), "{v}");
    assert_eq!(health(&v), rows(["pass"; 6]));
    let tried = f.emu.requests_to("/services/data/v50.0/");
    assert_eq!(tried.iter().map(|r| r.status).collect::<Vec<_>>(), [404], "the pinned version was tried first, and is gone");
    assert!(!f.emu.requests_to("/services/data/").is_empty(), "then the versions were listed again");
}
