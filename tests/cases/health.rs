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

fn check(v: &Value, id: &str) -> (String, String, String) {
    let c = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}: {v}"));
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    (s("status"), s("summary"), s("hint"))
}

fn ready() -> Fixture {
    let f = fixture(|_| {});
    f.setup().login();
    f
}

#[test]
fn login_stores_what_the_checks_compare_against() {
    let f = ready();
    let cfg = f.env.config_text();
    for needle in [
        format!("org_id = \"{}\"", mailfino_sf_emulator::ORG_ID),
        format!("user_id = \"{}\"", mailfino_sf_emulator::USER_ID),
        format!("instance_url = \"{}\"", f.emu.url()),
        "api_version = \"63.0\"".to_string(),
    ] {
        assert!(cfg.contains(&needle), "{needle} missing in {cfg}");
    }
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0, "{v}");
    let (st, summary, _) = check(&v, "approvals");
    assert_eq!((st.as_str(), summary.contains("1 of 5")), ("pass", true), "{summary}");
    assert!(check(&v, "api_limits").1.contains("of 15000"), "{v}");
    assert!(check(&v, "user_active").1.contains(mailfino_sf_emulator::USERNAME), "{v}");
}

#[test]
fn user_active_fail_warn_skip() {
    // fail: the user was deactivated; the refresh says so
    let f = ready();
    f.emu.state().config.org.integration_inactive = true;
    let (code, v) = verify_json(&f);
    assert_eq!(code, 1);
    let (st, summary, hint) = check(&v, "user_active");
    assert_eq!(st, "fail", "{v}");
    assert!(summary.contains("inactive") && hint.contains("reactivate"), "{summary} / {hint}");
    assert_eq!(check(&v, "org_identity").0, "skip");
    // warn: the identity URL answers with a maintenance page
    let f = ready();
    f.emu.state().config.org.fail_paths = vec!["/id/".into()];
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0, "a warning is not a failure: {v}");
    let (st, summary, _) = check(&v, "user_active");
    assert_eq!(st, "warn");
    assert!(summary.contains("could not tell") && summary.contains("503"), "{summary}");
    // skip: the refresh token is dead
    let f = ready();
    f.emu.state().revoke_all();
    let (_, v) = verify_json(&f);
    for id in ["user_active", "org_identity", "api_limits", "approvals"] {
        assert_eq!(check(&v, id).0, "skip", "{id}");
    }
}

#[test]
fn org_identity_fail_warn_skip() {
    // fail: a refreshed sandbox has a new org id
    let f = ready();
    f.emu.state().config.org.org_id = "00D5g000009NewSBOX".into();
    let (code, v) = verify_json(&f);
    assert_eq!(code, 1);
    let (st, summary, hint) = check(&v, "org_identity");
    assert_eq!(st, "fail");
    assert!(summary.contains("00D5g000009NewSBOX") && summary.contains("sandbox"), "{summary}");
    assert!(hint.contains("mailfino-sf login"), "{hint}");
    // warn: the instance moved (My Domain change): the new URL is named
    let f = ready();
    f.emu.state().config.org.instance_host = Some("localhost".into());
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0, "{v}");
    let (st, summary, _) = check(&v, "org_identity");
    let port = f.emu.url().rsplit(':').next().unwrap().to_string();
    assert_eq!(st, "warn");
    assert!(summary.contains(&format!("http://localhost:{port}")), "{summary}");
    assert_eq!(check(&v, "api_access").0, "pass", "the new instance answers");
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
    assert_eq!(check(&v, "org_identity").0, "skip", "{v}");
    assert_eq!(check(&v, "user_active").0, "pass", "{v}");
    assert_eq!(check(&v, "approvals").0, "pass", "the version is discovered when none is stored: {v}");
}

#[test]
fn api_limits_warn_fail_skip_and_rest_refusals_explained() {
    // warn at 80 %
    let f = ready();
    f.emu.state().config.org.api_used = 12_500;
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0);
    let (st, summary, _) = check(&v, "api_limits");
    assert_eq!(st, "warn");
    assert!(summary.contains("of 15000") && summary.contains('%'), "{summary}");
    // fail: REQUEST_LIMIT_EXCEEDED, with its own explanation on api_access
    f.emu.state().config.org.api_used = 15_000;
    let (code, v) = verify_json(&f);
    assert_eq!(code, 1);
    let (st, summary, _) = check(&v, "api_limits");
    assert_eq!(st, "fail");
    assert!(summary.contains("REQUEST_LIMIT_EXCEEDED"), "{summary}");
    let (st, summary, hint) = check(&v, "api_access");
    assert_eq!(st, "fail");
    assert!(summary.contains("REQUEST_LIMIT_EXCEEDED") && summary.contains("daily API request limit"), "{summary}");
    assert!(hint.contains("System Overview"), "{hint}");
    // skip, and INVALID_SESSION_ID right after a fresh refresh explained as IP lock / API Access Control
    let f = ready();
    f.emu.state().config.org.session_locked = true;
    let (code, v) = verify_json(&f);
    assert_eq!(code, 1);
    let (st, summary, hint) = check(&v, "api_access");
    assert_eq!(st, "fail");
    assert!(summary.contains("INVALID_SESSION_ID") && summary.contains("API Access Control"), "{summary}");
    assert!(hint.contains("Relax IP restrictions") && hint.contains("Lock sessions"), "{hint}");
    assert_eq!(check(&v, "api_limits").0, "skip");
    assert_eq!(check(&v, "approvals").0, "skip");
    // API_DISABLED_FOR_ORG
    let f = ready();
    f.emu.state().config.org.api_disabled = true;
    let (_, v) = verify_json(&f);
    let (st, summary, hint) = check(&v, "api_access");
    assert_eq!(st, "fail");
    assert!(summary.contains("API_DISABLED_FOR_ORG") && hint.contains("API Enabled"), "{summary} / {hint}");
    // the human output puts each fix under its failure
    let text = stdout(&f.env.cmd().arg("verify").output().unwrap());
    assert!(
        text.contains("✘ fail  api_access")
            && text
                .contains("fix: in Salesforce Setup → Users → the user's profile (or a permission set) → System Permissions → API Enabled"),
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
    let (st, summary, hint) = check(&v, "approvals");
    assert_eq!(st, "warn");
    assert!(summary.contains("4 of 5") && summary.contains("oldest"), "{summary}");
    assert!(hint.contains("Revoke"), "{hint}");
    // warn: an app name the org does not know cannot be counted
    f.emu.state().config.org.app_name = "Mailfino Production".into();
    let (_, v) = verify_json(&f);
    let (st, summary, hint) = check(&v, "approvals");
    assert_eq!(st, "warn");
    assert!(summary.contains("found no approval") && hint.contains("app_name"), "{summary} / {hint}");
    // skip: Salesforce refuses the query, and says what is needed
    let f = ready();
    f.emu.state().config.org.hidden_objects = vec!["OauthToken".into()];
    let (code, v) = verify_json(&f);
    assert_eq!(code, 0);
    let (st, summary, _) = check(&v, "approvals");
    assert_eq!(st, "skip");
    assert!(summary.contains("INVALID_TYPE") && summary.contains("API version 32.0"), "{summary}");
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
    assert!(check(&v, "api_access").1.contains("v63.0"), "{v}");
    assert_eq!(check(&v, "approvals").0, "pass", "{v}");
    assert!(f.emu.requests_to("/services/data/v50.0/").len() == 1, "the pinned version was tried first");
}
