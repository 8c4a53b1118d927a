//! `verify`, `refresh` and `logout` against the emulator: each check's statuses, rotation,
//! concurrency, outages, and the env-only CI mode.

use serde_json::Value;

use crate::support::*;

fn verify_json(f: &Fixture, extra: &[&str]) -> (i32, Value) {
    let out = f.env.cmd().args(["verify", "--json"]).args(extra).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v)
}

fn status(v: &Value, id: &str) -> String {
    v["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}: {v}"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn check<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()
}

#[test]
fn all_checks_pass_with_the_contracts_json() {
    let f = fixture(|_| {});
    f.setup().login();
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["profile"], "default");
    let ids: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "config",
            "callback_url",
            "login_host",
            "client_id",
            "callback_registered",
            "loopback_registered",
            "client_secret",
            "refresh_token",
            "scopes",
            "api_access",
            "mailfino_env",
            "user_active",
            "org_identity",
            "api_limits",
            "approvals"
        ]
    );
    for c in v["checks"].as_array().unwrap().iter().filter(|c| c["id"] != "mailfino_env") {
        assert_eq!(c["status"], "pass", "{c}");
        assert!(c.get("summary").is_some() && c.get("hint").is_some());
    }
    // human output: a line per check and a closing line
    let out = f.env.cmd().arg("verify").output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("14 passed, 0 warnings, 0 failed, 1 skipped"), "{text}");
    assert_eq!(status(&v, "mailfino_env"), "skip", "no env file known");
    assert!(text.contains("Not proven: mailfino_env") && !text.contains("connection works"), "claims only what was checked: {text}");
}

#[test]
fn wrong_secret_fails_client_secret() {
    let f = fixture(|_| {});
    f.setup().login();
    f.emu.state().config.client_secret = "0".repeat(64);
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 1);
    assert_eq!(status(&v, "client_secret"), "fail");
    assert!(check(&v, "client_secret")["hint"].as_str().unwrap().contains("Consumer Secret"));
    assert_eq!(status(&v, "client_id"), "pass");
}

#[test]
fn unknown_client_id_fails_and_skips_what_depends_on_it() {
    let f = fixture(|_| {});
    f.setup();
    f.emu.state().config.client_id = "3MVG9other".into();
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 1);
    assert_eq!(status(&v, "client_id"), "fail");
    assert!(check(&v, "client_id")["hint"].as_str().unwrap().contains("30 minutes"));
    assert_eq!(status(&v, "callback_registered"), "skip");
    assert_eq!(status(&v, "loopback_registered"), "skip");
    assert_eq!(status(&v, "refresh_token"), "fail", "no refresh token stored yet");
    assert_eq!(status(&v, "scopes"), "skip");
}

#[test]
fn mailfino_callback_not_registered() {
    let f = fixture(|_| {});
    f.setup();
    f.emu.state().config.callbacks.retain(|c| c != CLOUD_CALLBACK);
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 1);
    assert_eq!(status(&v, "callback_registered"), "fail");
    let hint = check(&v, "callback_registered")["hint"].as_str().unwrap();
    assert!(hint.contains(&format!("OAuth Settings → Callback URL: add `{CLOUD_CALLBACK}`")), "{hint}");
    assert!(hint.contains("Quick Find"), "{hint}");
    assert_eq!(status(&v, "loopback_registered"), "pass");
    // the human output puts the fix under the failure
    let text = stdout(&f.env.cmd().arg("verify").output().unwrap());
    assert!(
        text.contains("✘ fail  callback_registered") && text.contains("fix: in Salesforce Setup → External Client App Manager"),
        "{text}"
    );
    // at 60 columns every line fits and no word is broken (a URL longer than a line stands alone)
    let narrow = stdout(&f.env.cmd().arg("verify").env("COLUMNS", "60").output().unwrap());
    for line in narrow.lines() {
        assert!(line.chars().count() <= 60 || !line.trim().contains(' '), "too long at 60 columns: {line:?}");
    }
    let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(words(&narrow), words(&text), "wrapping only moves line breaks");
}

/// Hints of a non-default profile carry `--profile NAME`; a keyring that is required and absent
/// gets a real hint, never an empty `fix:` line.
#[test]
fn hints_carry_the_profile_and_are_never_empty() {
    let f = fixture(|c| c.callbacks.retain(|c| c != CLOUD_CALLBACK));
    f.setup_cmd().args(["--profile", "acme"]).assert().code(4);
    let (_, v) = {
        let out = f.env.cmd().args(["--profile", "acme", "verify", "--json"]).output().unwrap();
        (out.status.code(), serde_json::from_slice::<Value>(&out.stdout).unwrap())
    };
    let hint = check(&v, "callback_registered")["hint"].as_str().unwrap().to_string();
    assert!(hint.contains("`mailfino-sf verify --profile acme`"), "{hint}");
    assert!(check(&v, "refresh_token")["hint"].as_str().unwrap().contains("mailfino-sf login --profile acme"), "{v}");
    let out = f
        .env
        .cmd()
        .args(["--profile", "acme", "--store", "keyring", "verify"])
        .env("MAILFINO_SF_KEYRING_TIMEOUT_MS", "500")
        .output()
        .unwrap();
    let text = all_output(&out);
    assert!(!text.lines().any(|l| l.trim() == "fix:" || l.trim() == "hint:"), "{text}");
    assert!(text.contains("--store file"), "{text}");
}

#[test]
fn revoked_refresh_token_fails_with_the_causes() {
    let f = fixture(|_| {});
    f.setup().login();
    f.emu.state().revoke_all();
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 1);
    assert_eq!(status(&v, "refresh_token"), "fail");
    assert_eq!(status(&v, "api_access"), "skip");
    let out = f.env.cmd().arg("refresh").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("revoked") && err.contains("rotated") && err.contains("sandbox") && err.contains("mailfino-sf login"), "{err}");
    // with --json the failure is also a JSON object on stdout
    let out = f.env.cmd().args(["refresh", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["exit_code"], 4);
    assert_eq!(v["error"]["oauth_error"], "invalid_grant");
}

#[test]
fn full_scope_is_a_warning_not_a_failure() {
    let f = fixture(|c| c.scopes = vec!["api".into(), "refresh_token".into(), "full".into()]);
    f.setup().login();
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 0);
    assert_eq!(status(&v, "scopes"), "warn");
}

#[test]
fn rotation_over_three_consecutive_refreshes() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let mut seen = vec![f.refresh_token().unwrap()];
    for _ in 0..3 {
        let out = f.env.cmd().args(["refresh", "--json"]).output().unwrap();
        assert!(out.status.success(), "{}", all_output(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["rotated"], true);
        assert_eq!(v["username"], mailfino_sf_emulator::USERNAME);
        let now = f.refresh_token().unwrap();
        assert!(!seen.contains(&now));
        seen.push(now);
    }
    assert_eq!(f.emu.state().active_refresh_tokens(), 1);
    let (code, _) = verify_json(&f, &[]);
    assert_eq!(code, 0);
}

#[test]
fn two_concurrent_refreshes_never_lose_the_rotated_token() {
    let f = fixture(|c| {
        c.rotate_refresh_tokens = true;
        c.slow = std::time::Duration::from_millis(50);
    });
    f.setup().login();
    let children: Vec<_> = (0..2)
        .map(|_| spawn(f.env.std_cmd().arg("refresh").stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped())))
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // the stored token is the live one
    let out = f.env.cmd().arg("refresh").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
}

#[test]
fn show_token_prints_only_the_access_token() {
    let f = fixture(|_| {});
    f.setup().login();
    let out = f.env.cmd().args(["refresh", "--show-token"]).output().unwrap();
    assert!(out.status.success());
    let token = stdout(&out);
    assert_eq!(token.lines().count(), 1);
    assert!(token.starts_with(mailfino_sf_emulator::ORG_ID));
    let plain = stdout(&f.env.cmd().arg("refresh").output().unwrap());
    assert!(!plain.contains(token.trim()), "the access token only with --show-token");
    assert!(plain.contains("instance URL") && plain.contains("issued at"), "{plain}");
}

#[test]
fn salesforce_down_is_login_host_fail_and_refresh_exit_5() {
    let f = fixture(|_| {});
    f.setup().login();
    drop(f.emu);
    let out = f.env.cmd().args(["verify", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status(&v, "login_host"), "fail");
    for id in ["client_id", "callback_registered", "loopback_registered", "client_secret", "refresh_token", "scopes", "api_access"] {
        assert_eq!(status(&v, id), "skip", "{id}");
    }
    let out = f.env.cmd().arg("refresh").output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", all_output(&out));
    assert!(stderr(&out).contains("unreachable"), "{}", stderr(&out));
}

#[test]
fn a_503_then_success() {
    let f = fixture(|_| {});
    f.setup().login();
    f.emu.state().config.fail_token = 2;
    let out = f.env.cmd().arg("refresh").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    f.emu.state().config.fail_token = 10;
    let out = f.env.cmd().arg("refresh").output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", all_output(&out));
    assert!(stderr(&out).contains("503"), "{}", stderr(&out));
}

#[test]
fn env_only_ci_run_writes_nothing() {
    let f = fixture(|_| {});
    f.setup().login();
    let token = f.refresh_token().unwrap();
    let ci = Env::new();
    let out = ci.cmd().args(["verify", "--json"]).envs(f.ci_env(&token)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let rotated_out = ci.path("rotated");
    let out2 =
        ci.cmd().args(["refresh", "--json", "--rotated-token-out", rotated_out.to_str().unwrap()]).envs(f.ci_env(&token)).output().unwrap();
    assert!(out2.status.success(), "{}", all_output(&out2));
    assert!(!ci.config_dir().exists(), "env-only mode wrote the config dir");
}

#[test]
fn logout_revokes_then_deletes() {
    let f = fixture(|_| {});
    f.setup().login();
    let token = f.refresh_token().unwrap();
    let out = f.env.cmd().arg("logout").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stdout(&out).contains("Salesforce confirmed"));
    assert!(f.refresh_token().is_none());
    assert!(f.env.credentials_text().contains("client-secret"), "the Consumer Secret stays (app configuration)");
    let revokes = f.emu.requests_to("/services/oauth2/revoke");
    assert_eq!(revokes[0].field("token"), Some(token.as_str()));
    assert_eq!(f.emu.state().active_refresh_tokens(), 0);
    // --local-only does not call Salesforce
    let f = fixture(|_| {});
    f.setup().login();
    f.env.cmd().args(["logout", "--local-only"]).assert().success();
    assert!(f.emu.requests_to("/services/oauth2/revoke").is_empty());
    assert_eq!(f.emu.state().active_refresh_tokens(), 1);
}

#[test]
fn logout_keeps_the_secrets_when_salesforce_is_unreachable() {
    let f = fixture(|_| {});
    f.setup().login();
    drop(f.emu);
    let out = f.env.cmd().arg("logout").output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("--local-only"));
    assert!(f.env.credentials_text().contains("refresh-token"));
}

/// No secret or token appears in any output, also with -v, on success and failure paths.
#[test]
fn no_secret_in_any_output_even_verbose() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    let original_secret = f.emu.client_secret();
    let mut outputs = Vec::new();
    let mut run = |mut c: assert_cmd::Command| outputs.push(all_output(&c.output().unwrap()));
    let mut setup = f.setup_cmd();
    setup.arg("-v");
    run(setup);
    let mut login = f.login_cmd();
    login.arg("-v");
    run(login);
    let rt = f.refresh_token().unwrap();
    for args in [&["verify", "-v"][..], &["refresh", "-v"], &["refresh", "-v", "--json"], &["verify", "-v", "--json"]] {
        let mut c = f.env.cmd();
        c.args(args);
        run(c);
    }
    f.emu.state().config.client_secret = "0".repeat(64);
    let mut c = f.env.cmd();
    c.args(["verify", "-v"]);
    run(c);
    let mut c = f.env.cmd();
    c.args(["logout", "-v"]);
    run(c);
    let log = f.emu.log();
    let mut secrets = vec![original_secret.clone(), rt];
    for r in &log {
        if let Some(bearer) = r.authorization.as_deref().and_then(|a| a.strip_prefix("Bearer ")) {
            secrets.push(bearer.to_string());
        }
        for k in ["code", "code_verifier", "refresh_token", "token"] {
            if let Some(v) = r.field(k) {
                if v.len() > 12 {
                    secrets.push(v.to_string());
                }
            }
        }
    }
    let text = outputs.join("\n");
    assert!(text.contains("[redacted]"), "the -v trace ran");
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "a secret leaked into the output: {}…", &s[..6]);
    }
    assert!(!f.env.config_text().contains(&original_secret));
}

/// The statuses not covered above, one scenario each.
#[test]
fn every_remaining_status_of_every_check() {
    // config fail (a stored profile without its secret), and what depends on it skips
    let env = Env::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_dir().join("config.toml"), "[default]\nlogin_url = \"https://login.salesforce.com\"\n").unwrap();
    let out = env.cmd().args(["verify", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status(&v, "config"), "fail");
    assert!(check(&v, "config")["hint"].as_str().unwrap().contains("mailfino-sf setup"));
    assert_eq!(status(&v, "login_host"), "skip");

    // callback_url: warn for a mailfino that is not publicly addressable, fail for a malformed one
    let f = fixture(|c| c.callbacks.push("https://localhost:8443/api/v6/integrations/oauth/salesforce/callback".into()));
    f.setup().login();
    let warn = f
        .env
        .cmd()
        .args(["verify", "--json"])
        .env("MAILFINO_SF_CALLBACK_URL", "https://localhost:8443/api/v6/integrations/oauth/salesforce/callback")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&warn.stdout).unwrap();
    assert_eq!(status(&v, "callback_url"), "warn", "{v}");
    assert_eq!(warn.status.code(), Some(0), "a warning is not a failure");
    let bad =
        f.env.cmd().args(["verify", "--json"]).env("MAILFINO_SF_CALLBACK_URL", "https://mail.example.com/oauth/callback").output().unwrap();
    let v: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(status(&v, "callback_url"), "fail");
    assert!(check(&v, "callback_url")["hint"].as_str().unwrap().contains("/api/v6/integrations/oauth/salesforce/callback"));

    // loopback_registered missing: a warning (only this tool's login needs it)
    f.emu.state().config.callbacks.retain(|c| !c.starts_with("http://localhost"));
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(status(&v, "loopback_registered"), "warn");
    assert!(check(&v, "loopback_registered")["summary"].as_str().unwrap().contains("only `mailfino-sf login` needs it"), "{v}");
    assert_eq!(status(&v, "callback_registered"), "pass");

    // api_access fail: the instance refuses the fresh access token
    let f = fixture(|c| c.access_ttl = std::time::Duration::ZERO);
    f.setup().login();
    let (code, v) = verify_json(&f, &[]);
    assert_eq!(code, 1);
    assert_eq!(status(&v, "api_access"), "fail");
    assert!(check(&v, "api_access")["summary"].as_str().unwrap().contains("INVALID_SESSION_ID"));
}

/// A refresh token granted without `api` (obtained outside this tool) fails `scopes` in CI mode.
#[test]
fn scopes_fail_names_the_missing_scope() {
    let f = fixture(|_| {});
    let token = f.grant_directly(&f.redirect, Some("refresh_token"));
    let token = token.as_str();
    let ci = Env::new();
    let out = ci.cmd().args(["verify", "--json"]).envs(f.ci_env(token)).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status(&v, "scopes"), "fail");
    assert!(check(&v, "scopes")["summary"].as_str().unwrap().contains("Manage user data via APIs (api)"));
    assert!(check(&v, "scopes")["hint"].as_str().unwrap().contains("OAuth Settings → OAuth Scopes"));
}
