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
    f.env.cmd().args(["audit", "--json", "--wait", "20"]).args(extra).env("BROWSER", robot_browser()).output().unwrap()
}

fn audit(f: &Fixture, extra: &[&str]) -> (i32, Value, String) {
    let out = audit_output(f, extra);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v, stderr(&out))
}

/// The audit's six checks, in order.
const IDS: [&str; 6] = ["app_enabled", "refresh_token_policy", "ip_policy", "permitted_users", "session_timeout", "integration_user"];

/// The audit's table with these statuses, as "id status" (see [`check_table`]).
fn table(statuses: [&str; 6]) -> Vec<String> {
    IDS.iter().zip(statuses).map(|(id, st)| format!("{id} {st}")).collect()
}

/// The integration user, as the audit names it.
const USER: &str = mailfino_sf_emulator::USERNAME;

#[test]
fn audit_as_admin_passes_and_revokes_the_admins_token() {
    let f = ready(|_| {});
    let integration_token = f.refresh_token().unwrap();
    let (code, v, err) = audit(&f, &[]);
    assert_eq!(code, 0, "{v}\n{err}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    assert_eq!(v["admin_token"], "revoked");
    assert_eq!(check_table(&v), table(["pass", "pass", "pass", "pass", "pass", "pass"]));
    assert_eq!(check(&v, "integration_user").1, format!("{USER} is active and not frozen"));
    assert_eq!(check(&v, "refresh_token_policy").1, "the refresh token is valid until revoked");
    // the admin's token is gone at Salesforce and was never stored; the integration's stays
    let revokes = f.emu.requests_to("/services/oauth2/revoke");
    assert_eq!(revokes.len(), 1);
    let revoked = revokes[0].field("token").expect("the revoke names a token");
    assert_ne!(revoked, integration_token);
    assert_eq!(revokes[0].status, 200);
    assert!(!refresh_token_active(&f, revoked), "the revoked token is dead");
    assert_eq!(f.emu.state().active_refresh_tokens(), 1, "the admin's token (a second one) is gone");
    assert!(refresh_token_active(&f, &integration_token), "the integration user's token stays valid");
    assert_eq!(f.refresh_token().as_deref(), Some(integration_token.as_str()));
    assert_eq!(stored_secret_names(&f.env, "default"), ["client-secret", "refresh-token"], "{}", f.env.credentials_text());
    assert!(!f.env.credentials_text().contains(revoked));
    // it read the objects of the reference, with SOQL on the query endpoint, as the admin
    let queries: Vec<_> = f.emu.requests_to("/services/data/v63.0/query");
    for object in [
        "ExternalClientApplication",
        "ExtlClntAppOauthPlcyCnfg",
        "ExtlClntAppPlcyCnfg",
        "SetupEntityAccess",
        "UserLogin",
        "PermissionSetAssignment",
        "FROM+User",
    ] {
        assert!(queries.iter().any(|q| q.query.contains(object) && q.status == 200), "{object} not queried: {queries:#?}");
    }
    // the human output: a line per check and a closing line
    f.emu.state().config.org.browser_user = Role::Admin;
    let out = f.env.cmd().args(["audit", "--wait", "20"]).env("BROWSER", robot_browser()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = stdout(&out);
    let marks: Vec<&str> = text.lines().filter(|l| l.starts_with('✔') || l.starts_with('✘') || l.starts_with('!')).collect();
    assert_eq!(marks.len(), 6, "{text}");
    assert!(marks.iter().all(|l| l.starts_with("✔ pass  ")), "{text}");
    assert!(text.contains("✔ pass  refresh_token_policy  the refresh token is valid until revoked\n"), "{text}");
    assert!(text.ends_with("\nNo policy of the app stands in mailfino's way.\n"), "{text}");
    assert!(
        stderr(&out).ends_with(&format!("Audited as {}; the admin's token was revoked.\n", mailfino_sf_emulator::ADMIN_USERNAME)),
        "{}",
        stderr(&out)
    );
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
    assert_eq!(check_table(&v), table(["pass", "fail", "warn", "fail", "pass", "fail"]));
    let (_, summary, hint) = check(&v, "refresh_token_policy");
    assert_eq!(summary, "the refresh token expires after a fixed time: mailfino loses access every 4 hours");
    assert!(hint.contains("Refresh Token Policy: choose \"Refresh token is valid until revoked\""), "{hint}");
    let (_, summary, hint) = check(&v, "ip_policy");
    assert_eq!(summary, "IP restrictions are enforced: mailfino's servers must be inside the org's and the profile's trusted IP ranges");
    assert!(hint.contains("Relax IP restrictions for refresh tokens"), "{hint}");
    let (_, summary, hint) = check(&v, "permitted_users");
    assert_eq!(
        summary,
        format!(
            "admin-approved users only, and {USER} holds none of the approved permission set \"Mailfino Integration\": \
             mailfino's login and refreshes are refused (OAUTH_APP_ACCESS_DENIED)"
        )
    );
    assert!(hint.contains("assign permission set \"Mailfino Integration\""), "{hint}");
    assert!(hint.contains("Minimum Access - API Only Integrations"), "the profile is named too: {hint}");
    assert_eq!(check(&v, "session_timeout").1, "access tokens of the app last 30 minutes; mailfino refreshes when one expires");
    let (_, summary, hint) = check(&v, "integration_user");
    assert_eq!(summary, format!("{USER} is frozen: it cannot log in, and mailfino's access may stop"));
    assert!(hint.contains("Unfreeze"), "{hint}");
    // Every hint of the audit comes from the one table: where in Setup, and how to get there.
    let org = format!("(open {}/lightning, then Setup and Quick Find ", f.emu.url());
    let flagged: Vec<&Value> = v["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "fail" || c["status"] == "warn").collect();
    assert_eq!(flagged.len(), 4);
    for c in flagged {
        let hint = c["hint"].as_str().unwrap_or_default();
        assert!(hint.starts_with("in Salesforce Setup → ") && hint.contains(&org) && hint.ends_with("then run `mailfino-sf audit`"), "{c}");
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
    assert_eq!(check_table(&v), table(["pass", "warn", "pass", "pass", "pass", "pass"]));
    assert_eq!(
        check(&v, "refresh_token_policy").1,
        "the refresh token expires after 30 days without use: mailfino stays connected only while it refreshes at least that often"
    );
    assert_eq!(
        check(&v, "permitted_users").1,
        format!("admin-approved users only; {USER} is approved through the permission set \"Mailfino Integration\"")
    );
    {
        let mut st = f.emu.state();
        st.config.org.refresh_policy = RefreshPolicy::parse("zero").unwrap();
        st.config.org.app_enabled = false;
        st.config.org.integration_inactive = true;
    }
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 1);
    assert_eq!(check_table(&v), table(["fail", "fail", "pass", "pass", "pass", "fail"]));
    assert_eq!(
        check(&v, "refresh_token_policy").1,
        "the refresh token expires immediately: mailfino loses access as soon as its access token expires"
    );
    assert_eq!(check(&v, "app_enabled").1, "the External Client App `mailfino` is disabled (Disabled): mailfino cannot log in or refresh");
    assert_eq!(check(&v, "integration_user").1, format!("{USER} is inactive: mailfino's refreshes are refused"));
}

#[test]
fn a_user_without_the_rights_gets_skips_naming_the_permission() {
    let f = fixture(|_| {});
    f.setup().login();
    let (code, v, err) = audit(&f, &[]);
    assert_eq!(code, 0, "nothing failed, nothing passed falsely: {v}");
    assert_eq!(v["admin"], USER);
    assert!(
        err.contains(
            "mailfino-sf: warning: you logged in as the integration user itself: the audit needs an admin's rights, so most checks will be skipped"
        ),
        "{err}"
    );
    assert_eq!(check_table(&v), table(["skip", "skip", "skip", "skip", "skip", "warn"]));
    for id in ["app_enabled", "refresh_token_policy", "ip_policy", "permitted_users", "session_timeout"] {
        let (_, summary, _) = check(&v, id);
        assert!(
            summary.starts_with("skipped: could not look up the app: ExternalClientApplication (INVALID_TYPE): needs the permission \"View all External Client Apps")
                && summary.contains("ConnectedApplication (INVALID_TYPE): needs the permission \"View Setup and Configuration\""),
            "{id}: {summary}"
        );
    }
    assert_eq!(
        check(&v, "integration_user").1,
        format!("{USER} is active; could not tell whether it is frozen (UserLogin (INSUFFICIENT_ACCESS_OR_READONLY): needs the permission \"Manage Users\")")
    );
    assert_eq!(v["admin_token"], "revoked");
    assert_eq!(f.emu.state().active_refresh_tokens(), 1, "the audit's own token is revoked even when it is the integration user's");
    // an org without the ECA objects (older API version, feature off) is a skip too, for the admin
    let f = ready(|c| c.org.hidden_objects = vec!["ExternalClientApplication".into(), "ConnectedApplication".into()]);
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    assert_eq!(check_table(&v), table(["skip", "skip", "skip", "skip", "skip", "pass"]));
    assert!(check(&v, "app_enabled").1.contains("ExternalClientApplication (INVALID_TYPE)"), "{v}");
}

#[test]
fn connected_app_and_an_unknown_app_name() {
    let f = ready(|c| {
        c.org.app_kind = AppKind::ConnectedApp;
        c.org.refresh_policy = RefreshPolicy::parse("lifetime:4h").unwrap();
    });
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(check_table(&v), table(["pass", "fail", "skip", "pass", "skip", "pass"]));
    assert!(check(&v, "app_enabled").1.starts_with("the Connected App `mailfino` exists"), "{v}");
    assert!(check(&v, "refresh_token_policy").2.contains("Manage Connected Apps"), "a Connected App's hint: {v}");
    assert!(check(&v, "ip_policy").1.contains("not readable through the API"), "{v}");
    // an app name the org does not know
    {
        let mut st = f.emu.state();
        st.config.org.app_name = "Something Else".into();
        st.config.org.browser_user = Role::Admin;
    }
    let (code, v, _) = audit(&f, &[]);
    assert_eq!(code, 1);
    assert_eq!(check_table(&v), table(["fail", "skip", "skip", "skip", "skip", "pass"]));
    let (_, summary, hint) = check(&v, "app_enabled");
    assert_eq!(summary, "no External Client App or Connected App named `mailfino` in this org");
    assert!(hint.contains("set `app_name` in the profile"), "{hint}");
    assert_eq!(check(&v, "refresh_token_policy").1, "skipped: the app was not found");
}

#[test]
fn keep_admin_token_then_an_audit_without_a_browser() {
    let f = ready(|_| {});
    let (code, v, _) = audit(&f, &["--keep-admin-token"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["admin_token"], "kept in the file store (--keep-admin-token)");
    let kept = stored_secret(&f.env, "default", "admin-refresh-token").expect("the admin's token is stored");
    assert_ne!(Some(&kept), f.refresh_token().as_ref());
    assert!(refresh_token_active(&f, &kept), "the kept token is live");
    assert!(f.emu.requests_to("/services/oauth2/revoke").is_empty());
    assert_eq!(f.emu.state().active_refresh_tokens(), 2);
    // no browser at all now: the kept token is used, then revoked and deleted
    let logins = f.emu.requests_to("/services/oauth2/authorize").len();
    let out = f.env.cmd().args(["audit", "--json", "--no-browser", "--wait", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["admin_token"], "revoked");
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    assert_eq!(check(&v, "app_enabled").0, "pass", "the kept admin token read the app: {v}");
    assert_eq!(f.emu.requests_to("/services/oauth2/authorize").len(), logins, "no new login");
    assert!(
        f.emu.log().iter().any(|r| r.field("grant_type") == Some("refresh_token") && r.field("refresh_token") == Some(kept.as_str())),
        "the kept token was refreshed"
    );
    let revokes = f.emu.requests_to("/services/oauth2/revoke");
    assert_eq!(revokes.iter().map(|r| r.field("token")).collect::<Vec<_>>(), [Some(kept.as_str())]);
    assert!(!refresh_token_active(&f, &kept));
    assert_eq!(stored_secret(&f.env, "default", "admin-refresh-token"), None);
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
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME);
    assert_eq!(v["admin_token"], "revoked");
    let rows = check_table(&v);
    assert!(rows.len() == 6 && rows.iter().all(|row| row.ends_with(" pass")), "{v}");
    assert_eq!(f.emu.state().active_refresh_tokens(), 1);
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
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap_or_else(|| panic!("{first}")).to_string();
    std::thread::spawn(move || lines.for_each(drop));
    let setup = env
        .cmd()
        .args(["setup", "--non-interactive", "--login-url", &url, "--client-id", "3MVG9flags", "--client-secret-stdin"])
        .args(["--redirect-uri", &redirect])
        .write_stdin("flags-secret")
        .output()
        .unwrap();
    assert_eq!(setup.status.code(), Some(0), "{}", all_output(&setup));
    let out = env.cmd().args(["audit", "--json", "--wait", "20"]).env("BROWSER", robot_browser()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", all_output(&out)));
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["admin"], mailfino_sf_emulator::ADMIN_USERNAME, "--login-as admin");
    assert_eq!(check(&v, "refresh_token_policy").1, "the refresh token expires after a fixed time: mailfino loses access every 4 hours");
    assert_eq!(check(&v, "ip_policy").0, "warn");
    assert!(check(&v, "ip_policy").1.starts_with("IP restrictions are enforced"), "{v}");
    // --api-usage shows in verify's api_limits (the login is the admin's, as --login-as says)
    let login = env.cmd().args(["login", "--wait", "20"]).env("BROWSER", robot_browser()).output().unwrap();
    assert_eq!(login.status.code(), Some(0), "{}", all_output(&login));
    let out = env.cmd().args(["verify", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", all_output(&out)));
    let (st, summary, _) = check(&v, "api_limits");
    assert_eq!(st, "warn", "{v}");
    assert!(regex::Regex::new(r"^140\d\d of 15000 daily API requests used \(93 %\)").unwrap().is_match(&summary), "{summary}");
    drop(child);
    // a bad switch is a usage error naming the expected form
    let out = env.cmd().args(["emulator", "--api-usage", "lots"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lots") && stderr(&out).contains("USED/MAX"), "{}", stderr(&out));
}

/// The admin's tokens never show, also with -v and --keep-admin-token.
#[test]
fn audit_leaks_no_token_even_verbose() {
    let f = ready(|_| {});
    let mut text = String::new();
    for extra in [&["-v"][..], &["-v", "--keep-admin-token"], &["-v"]] {
        f.emu.state().config.org.browser_user = Role::Admin;
        let out = audit_output(&f, extra);
        assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
        text.push_str(&all_output(&out));
    }
    assert!(text.contains("[redacted]"), "the -v trace ran");
    // Every kind of secret the runs exchanged, as the emulator saw it: access tokens, codes,
    // verifiers, refresh tokens (the kept admin token among them), revoked tokens.
    let mut secrets: Vec<(&str, String)> = Vec::new();
    for r in f.emu.log() {
        if let Some(b) = r.authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")) {
            secrets.push(("bearer", b.to_string()));
        }
        for k in ["code", "code_verifier", "refresh_token", "token"] {
            if let Some(v) = r.field(k).filter(|v| v.len() > 12) {
                secrets.push((k, v.to_string()));
            }
        }
    }
    let kinds: std::collections::BTreeSet<&str> = secrets.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["bearer", "code", "code_verifier", "refresh_token", "token"], "{secrets:?}");
    for (kind, s) in &secrets {
        assert!(!text.contains(s.as_str()), "a {kind} leaked: {}…", &s[..6]);
    }
}
