//! `audit` against the emulator: an admin logs in through the app (robot browser, `--paste`),
//! each policy in each of its states, a user without the rights (skips naming the permission),
//! and the admin's token revoked at the end or kept with `--keep-admin-token`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Output, Stdio};

use mailfino_sf_emulator::{AppKind, RefreshPolicy, Role};
use serde_json::Value;

use crate::support::*;

/// Setup and the integration user's login; then the browser belongs to the admin.
fn ready(tweak: impl FnOnce(&mut mailfino_sf_emulator::EmulatorConfig)) -> Fixture {
    let f = fixture(tweak);
    f.setup().login();
    f.emu.state().config.org.browser_user = Role::Admin;
    f
}

/// `audit --json` with the scripted browser, and its raw output.
fn audit_output(f: &Fixture, extra: &[&str]) -> Output {
    f.env
        .cmd()
        .args(["audit", "--json", "--wait", "20"])
        .args(extra)
        .env("BROWSER", format!("{} robot-browser", bin().display()))
        .output()
        .unwrap()
}

fn audit(f: &Fixture, extra: &[&str]) -> (i32, Value, String) {
    let out = audit_output(f, extra);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v, stderr(&out))
}

fn check(v: &Value, id: &str) -> (String, String, String) {
    let c = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}: {v}"));
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    (s("status"), s("summary"), s("hint"))
}

#[test]
fn audit_as_admin_passes_and_revokes_the_admins_token() {
    let f = ready(|_| {});
    let integration_token = f.refresh_token().unwrap();
    let (code, v, err) = audit(&f, &[]);
    assert_eq!(code, 0, "{v}\n{err}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    assert_eq!(v["admin_token"], "revoked");
    let ids: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["app_enabled", "refresh_token_policy", "ip_policy", "permitted_users", "session_timeout", "integration_user"]);
    for c in v["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "pass", "{c}");
    }
    assert!(check(&v, "integration_user").1.contains(mailfino_sf_emulator::USERNAME), "{v}");
    // the admin's token is gone at Salesforce and was never stored; the integration's stays
    let revokes = f.emu.requests_to("/services/oauth2/revoke");
    assert_eq!(revokes.len(), 1);
    assert_ne!(revokes[0].field("token"), Some(integration_token.as_str()));
    assert_eq!(f.emu.state().active_refresh_tokens(), 1);
    assert_eq!(f.refresh_token().as_deref(), Some(integration_token.as_str()));
    assert!(!f.env.credentials_text().contains("admin"), "{}", f.env.credentials_text());
    // it read the objects of the reference, with SOQL on the query endpoint
    let queries: Vec<String> = f.emu.requests_to("/services/data/v63.0/query").iter().map(|r| r.query.clone()).collect();
    for object in [
        "ExternalClientApplication",
        "ExtlClntAppOauthPlcyCnfg",
        "ExtlClntAppPlcyCnfg",
        "SetupEntityAccess",
        "UserLogin",
        "PermissionSetAssignment",
        "FROM+User",
    ] {
        assert!(queries.iter().any(|q| q.contains(object)), "{object} not queried: {queries:#?}");
    }
    // the human output: a line per check and a closing line
    f.emu.state().config.org.browser_user = Role::Admin;
    let out = f.env.cmd().args(["audit", "--wait", "20"]).env("BROWSER", format!("{} robot-browser", bin().display())).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stdout(&out).contains("✔ pass  refresh_token_policy") && stdout(&out).contains("No policy of the app"), "{}", stdout(&out));
}

#[test]
fn each_policy_judged_for_mailfino() {
    let f = ready(|c| {
        c.org.refresh_policy = RefreshPolicy::parse("lifetime:4h").unwrap();
        c.org.ip_policy = "Enforce".into();
        c.org.admin_approved = true;
        c.org.integration_has_permission_set = false;
        c.org.session_timeout_minutes = Some(30);
    });
    f.emu.state().config.org.integration_frozen = true;
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["ok"], false);
    let (st, summary, hint) = check(&v, "refresh_token_policy");
    assert_eq!(st, "fail");
    assert!(summary.contains("mailfino loses access every 4 hours"), "{summary}");
    assert!(hint.contains("valid until revoked"), "{hint}");
    let (st, summary, hint) = check(&v, "ip_policy");
    assert_eq!(st, "warn");
    assert!(summary.contains("trusted IP ranges") && hint.contains("Relax IP restrictions for refresh tokens"), "{summary} / {hint}");
    let (st, summary, hint) = check(&v, "permitted_users");
    assert_eq!(st, "fail");
    assert!(
        summary.contains("Mailfino Integration") && hint.contains("assign permission set \"Mailfino Integration\""),
        "{summary} / {hint}"
    );
    assert!(hint.contains("Minimum Access - API Only Integrations"), "the profile is named too: {hint}");
    let (st, summary, _) = check(&v, "session_timeout");
    assert_eq!((st.as_str(), summary.contains("30 minutes")), ("pass", true), "{summary}");
    let (st, summary, hint) = check(&v, "integration_user");
    assert_eq!(st, "fail");
    assert!(summary.contains("frozen") && hint.contains("Unfreeze"), "{summary}");
    // Every hint of the audit comes from the one table: where in Setup, and how to get there.
    for c in v["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "fail" || c["status"] == "warn") {
        let hint = c["hint"].as_str().unwrap_or_default();
        assert!(hint.starts_with("in Salesforce Setup → ") && hint.contains("Quick Find"), "{c}");
    }

    // inactivity window: warn naming it; immediate expiry: fail; disabled app; inactive user
    {
        let mut st = f.emu.state();
        let org = &mut st.config.org;
        org.refresh_policy = RefreshPolicy::parse("inactivity:30d").unwrap();
        org.ip_policy = "Enforce_RelaxRefresh".into();
        org.integration_has_permission_set = true;
        org.integration_frozen = false;
        org.browser_user = Role::Admin;
    }
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 0, "{v}");
    let (st, summary, _) = check(&v, "refresh_token_policy");
    assert_eq!(st, "warn");
    assert!(summary.contains("30 days"), "{summary}");
    let (st, summary, _) = check(&v, "permitted_users");
    assert_eq!(st, "pass");
    assert!(summary.contains("Mailfino Integration"), "{summary}");
    {
        let mut st = f.emu.state();
        st.config.org.refresh_policy = RefreshPolicy::parse("zero").unwrap();
        st.config.org.app_enabled = false;
        st.config.org.integration_inactive = true;
    }
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 1);
    assert!(check(&v, "refresh_token_policy").1.contains("immediately"), "{v}");
    assert_eq!(check(&v, "app_enabled").0, "fail");
    let (st, summary, _) = check(&v, "integration_user");
    assert_eq!(st, "fail");
    assert!(summary.contains("inactive"), "{summary}");
}

#[test]
fn a_user_without_the_rights_gets_skips_naming_the_permission() {
    let f = fixture(|_| {});
    f.setup().login();
    let (code, v, err) = audit(&f, &[]);
    assert_eq!(code, 0, "nothing failed, nothing passed falsely: {v}");
    assert!(err.contains("integration user itself"), "{err}");
    for id in ["app_enabled", "refresh_token_policy", "ip_policy", "permitted_users", "session_timeout"] {
        let (st, summary, _) = check(&v, id);
        assert_eq!(st, "skip", "{id}: {summary}");
        assert!(summary.contains("INVALID_TYPE") && summary.contains("View all External Client Apps"), "{id}: {summary}");
    }
    let (st, summary, _) = check(&v, "integration_user");
    assert_eq!(st, "warn", "active, but frozen could not be read: {summary}");
    assert!(summary.contains("INSUFFICIENT_ACCESS_OR_READONLY") && summary.contains("Manage Users"), "{summary}");
    assert_eq!(v["admin_token"], "revoked");
    // an org without the ECA objects (older API version, feature off) is a skip too, for the admin
    let f = ready(|c| c.org.hidden_objects = vec!["ExternalClientApplication".into(), "ConnectedApplication".into()]);
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 0);
    assert_eq!(check(&v, "app_enabled").0, "skip");
    assert_eq!(check(&v, "integration_user").0, "pass");
}

#[test]
fn connected_app_and_an_unknown_app_name() {
    let f = ready(|c| {
        c.org.app_kind = AppKind::ConnectedApp;
        c.org.refresh_policy = RefreshPolicy::parse("lifetime:4h").unwrap();
    });
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(check(&v, "app_enabled").0, "pass");
    assert_eq!(check(&v, "refresh_token_policy").0, "fail");
    assert_eq!(check(&v, "ip_policy").0, "skip");
    assert_eq!(check(&v, "permitted_users").0, "pass");
    // an app name the org does not know
    {
        let mut st = f.emu.state();
        st.config.org.app_name = "Something Else".into();
        st.config.org.browser_user = Role::Admin;
    }
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 1);
    let (st, summary, hint) = check(&v, "app_enabled");
    assert_eq!(st, "fail");
    assert!(summary.contains("`mailfino`") && hint.contains("app_name"), "{summary} / {hint}");
    assert_eq!(check(&v, "refresh_token_policy").0, "skip");
}

#[test]
fn keep_admin_token_then_an_audit_without_a_browser() {
    let f = ready(|_| {});
    let (code, v, _) = audit(&f, &["--keep-admin-token"]);
    assert_eq!(code, 0, "{v}");
    assert!(v["admin_token"].as_str().unwrap().starts_with("kept"), "{v}");
    assert!(f.env.credentials_text().contains("admin-refresh-token"));
    assert!(f.emu.requests_to("/services/oauth2/revoke").is_empty());
    assert_eq!(f.emu.state().active_refresh_tokens(), 2);
    // no browser at all now: the kept token is used, then revoked and deleted
    let out = f.env.cmd().args(["audit", "--json", "--no-browser", "--wait", "2"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["admin_token"], "revoked");
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    assert!(!f.env.credentials_text().contains("admin-refresh-token"));
    assert_eq!(f.emu.state().active_refresh_tokens(), 1);
}

#[test]
fn audit_with_paste() {
    let f = ready(|_| {});
    let (mut child, url) = spawn_until_url(f.env.std_cmd().args(["audit", "--paste", "--json", "--wait", "20"]));
    let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let callback = c.get(&url).send().unwrap().headers()["location"].to_str().unwrap().to_string();
    assert!(callback.starts_with(&f.redirect), "{callback}");
    writeln!(child.stdin.as_mut().unwrap(), "{callback}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    assert_eq!(check(&v, "permitted_users").0, "pass");
}

/// The switches are flags of `mailfino-sf emulator` too.
#[test]
fn emulator_subcommand_flags_play_the_policies() {
    let env = Env::new();
    let redirect = format!("http://localhost:{}/callback", free_port());
    let mut cmd = env.std_cmd();
    cmd.args(["emulator", "--auto-approve", "--client-id", "3MVG9flags", "--client-secret", "flags-secret"])
        .args(["--callback", CLOUD_CALLBACK, "--callback", &redirect])
        .args(["--login-as", "admin", "--refresh-policy", "lifetime:4h", "--ip-policy", "Enforce", "--api-usage", "14000/15000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = spawn(&mut cmd);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap().trim_start_matches("listening on ").to_string();
    std::thread::spawn(move || lines.for_each(drop));
    let setup = env
        .cmd()
        .args([
            "setup",
            "--non-interactive",
            "--login-url",
            &url,
            "--client-id",
            "3MVG9flags",
            "--client-secret-stdin",
            "--redirect-uri",
            &redirect,
        ])
        .write_stdin("flags-secret")
        .output()
        .unwrap();
    assert!(setup.status.success(), "{}", all_output(&setup));
    let out =
        env.cmd().args(["audit", "--json", "--wait", "20"]).env("BROWSER", format!("{} robot-browser", bin().display())).output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", all_output(&out)));
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(check(&v, "refresh_token_policy").0, "fail");
    assert_eq!(check(&v, "ip_policy").0, "warn");
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    // a bad switch is a usage error naming the expected form
    let out = env.cmd().args(["emulator", "--api-usage", "lots"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("USED/MAX"), "{}", stderr(&out));
}

/// The admin's tokens never show, also with -v and --keep-admin-token.
#[test]
fn audit_leaks_no_token_even_verbose() {
    let f = ready(|_| {});
    let mut text = String::new();
    for extra in [&["-v"][..], &["-v", "--keep-admin-token"], &["-v"]] {
        f.emu.state().config.org.browser_user = Role::Admin;
        let out = audit_output(&f, extra);
        assert!(out.status.success(), "{}", all_output(&out));
        text.push_str(&all_output(&out));
    }
    assert!(text.contains("[redacted]"), "the -v trace ran");
    let mut secrets = Vec::new();
    for r in f.emu.log() {
        if let Some(b) = r.authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")) {
            secrets.push(b.to_string());
        }
        for k in ["code", "code_verifier", "refresh_token", "token"] {
            if let Some(v) = r.field(k).filter(|v| v.len() > 12) {
                secrets.push(v.to_string());
            }
        }
    }
    assert!(secrets.len() > 4);
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "a token leaked: {}…", &s[..6]);
    }
}
