//! `status` (offline, every profile), "no such profile" for every command that reads one, and
//! `logout` keeping the Consumer Secret unless `--forget-secret`.

use serde_json::Value;

use crate::support::*;

fn status_json(env: &Env, extra: &[&str]) -> (i32, Value) {
    let out = env.cmd().args(["status", "--json"]).args(extra).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v)
}

#[test]
fn status_shows_every_profile_offline_without_secrets() {
    let f = fixture(|_| {});
    let envfile = f.env.path("mailfino.env");
    f.setup_cmd().args(["--env-file", envfile.to_str().unwrap()]).assert().success();
    f.login();
    f.env.cmd().arg("refresh").assert().success();
    f.env.cmd().arg("verify").assert().success();
    // a second profile, with no secret and no login
    f.env
        .cmd()
        .args(["--profile", "sandbox", "setup", "--non-interactive", "--no-check", "--login-url", "https://test.salesforce.com"])
        .args(["--client-id", &format!("3MVG9{}", "s".repeat(80))])
        .env("MAILFINO_SF_CLIENT_SECRET", "1".repeat(19))
        .assert()
        .success();
    let requests_before = f.emu.log().len();
    let (code, v) = status_json(&f.env, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(f.emu.log().len(), requests_before, "status never talks to Salesforce");
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2, "{v}");
    let d = profiles.iter().find(|p| p["name"] == "default").unwrap();
    assert_eq!(d["current"], true);
    assert_eq!(d["login_url"], f.emu.url());
    let key = f.emu.client_id();
    assert_eq!(d["client_id"], format!("{}…{}", &key[..4], &key[key.len() - 4..]));
    assert_eq!(d["client_secret"], "file store");
    assert_eq!(d["refresh_token"], "file store");
    assert_eq!(d["last_refresh"]["ok"], true, "{d}");
    assert!(d["last_refresh"]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(d["last_verify"]["ok"], true, "{d}");
    assert_eq!(d["env_file"]["state"], "matches", "{d}");
    assert_eq!(d["env_file"]["path"], envfile.to_str().unwrap());
    let s = profiles.iter().find(|p| p["name"] == "sandbox").unwrap();
    assert_eq!(s["refresh_token"], Value::Null);
    assert_eq!(s["last_verify"], Value::Null);
    assert_eq!(s["env_file"], Value::Null);
    let text = all_output(&f.env.cmd().arg("status").output().unwrap());
    for needle in ["profile `default` (current)", "profile `sandbox`", "matches the profile", "in the file store", "never"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(!text.contains(&key) && !text.contains(&f.emu.client_secret()), "{text}");
    assert!(!v.to_string().contains(&f.emu.client_secret()));
    // only one profile with --profile; the env file drifting from the profile is named
    std::fs::write(&envfile, "MAILFINO_SALESFORCE_CLIENT_ID=someone-else\n").unwrap();
    let (code, v) = status_json(&f.env, &["--profile", "default"]);
    assert_eq!(code, 0);
    assert_eq!(v["profiles"].as_array().unwrap().len(), 1);
    let e = &v["profiles"][0]["env_file"];
    assert_eq!(e["state"], "differs", "{e}");
    let detail = e["detail"].as_str().unwrap();
    for k in ["CLIENT_ID", "CLIENT_SECRET", "LOGIN_URL", "CALLBACK_URL"] {
        assert!(detail.contains(k), "{detail}");
    }
    std::fs::remove_file(&envfile).unwrap();
    let (_, v) = status_json(&f.env, &["--profile", "default"]);
    assert_eq!(v["profiles"][0]["env_file"]["state"], "missing");
}

#[test]
fn a_failed_refresh_and_verify_are_recorded() {
    let f = fixture(|_| {});
    f.setup().login();
    f.emu.state().revoke_all();
    f.env.cmd().arg("refresh").assert().code(4);
    f.env.cmd().arg("verify").assert().code(1);
    let (_, v) = status_json(&f.env, &[]);
    let d = &v["profiles"][0];
    assert_eq!(d["last_refresh"]["ok"], false, "{d}");
    assert!(d["last_refresh"]["result"].as_str().unwrap().contains("exit 4"), "{d}");
    assert_eq!(d["last_verify"]["ok"], false);
    assert!(d["last_verify"]["result"].as_str().unwrap().contains("refresh_token"), "{d}");
    // env-only runs describe the environment, not the profile: nothing is recorded
    let before = f.env.config_text();
    let token = "not-a-real-token";
    f.env.cmd().args(["verify"]).envs(f.ci_env(token)).assert().code(1);
    assert_eq!(f.env.config_text(), before);
}

#[test]
fn status_with_no_profiles_and_an_unknown_profile() {
    let env = Env::new();
    let out = env.cmd().arg("status").output().unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("mailfino-sf setup"), "{}", all_output(&out));
    let (code, v) = status_json(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["profiles"], serde_json::json!([]));
    assert!(!env.config_dir().exists(), "status writes nothing");
    let out = env.cmd().args(["status", "--profile", "acme"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("no such profile `acme`"), "{}", stderr(&out));
}

/// Every command that reads a profile says "no such profile" (exit 3) and names the known ones;
/// `setup` creates it instead.
#[test]
fn unknown_profile_is_exit_3_for_every_command_that_reads_one() {
    let f = fixture(|_| {});
    f.setup();
    f.env
        .cmd()
        .args(["--profile", "sandbox", "setup", "--non-interactive", "--no-check"])
        .args(["--login-url", f.emu.url()])
        .args(["--client-id", &f.emu.client_id()])
        .env("MAILFINO_SF_CLIENT_SECRET", f.emu.client_secret())
        .assert()
        .success();
    let before = (f.env.config_text(), f.env.credentials_text());
    let commands: [&[&str]; 8] = [
        &["verify"],
        &["refresh"],
        &["login", "--no-browser", "--wait", "1"],
        &["logout"],
        &["logout", "--local-only", "--forget-secret"],
        &["export-ci"],
        &["status"],
        &["verify", "--json"],
    ];
    for args in commands {
        let out = f.env.cmd().args(["--profile", "acme"]).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", all_output(&out));
        let err = stderr(&out);
        assert!(err.contains("no such profile `acme`"), "{args:?}: {err}");
        assert!(err.contains("`default`") && err.contains("`sandbox`"), "{args:?}: {err}");
        assert!(err.contains("mailfino-sf setup --profile acme"), "{args:?}: {err}");
        assert!(!err.contains("logged out"), "{args:?}: {err}");
    }
    let out = f.env.cmd().args(["--profile", "acme", "--json", "refresh"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["exit_code"], 3);
    assert_eq!((f.env.config_text(), f.env.credentials_text()), before, "nothing changed");
    // setup creates it
    f.env
        .cmd()
        .args(["--profile", "acme", "setup", "--non-interactive", "--no-check"])
        .args(["--login-url", f.emu.url()])
        .args(["--client-id", &f.emu.client_id()])
        .env("MAILFINO_SF_CLIENT_SECRET", f.emu.client_secret())
        .assert()
        .success();
    f.env.cmd().args(["--profile", "acme", "status"]).assert().success();
}

#[test]
fn logout_keeps_the_consumer_secret_unless_asked() {
    let f = fixture(|_| {});
    f.setup().login();
    let out = f.env.cmd().args(["logout", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["deleted"], serde_json::json!(["refresh-token"]));
    assert_eq!(v["client_secret_kept"], true);
    assert!(f.refresh_token().is_none());
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()), "the secret stays");
    // so a new login needs no setup
    f.login();
    let out = f.env.cmd().args(["logout", "--forget-secret"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stdout(&out).contains("refresh-token, client-secret"), "{}", stdout(&out));
    assert!(!f.env.credentials_text().contains(&f.emu.client_secret()));
}

/// On a terminal `--forget-secret` asks first; "no" keeps the secret.
#[cfg(unix)]
#[test]
fn forget_secret_asks_on_a_terminal() {
    use expectrl::{Eof, Expect};
    let f = fixture(|_| {});
    f.setup().login();
    let mut p = f.env.pty(&["logout", "--forget-secret"]);
    p.expect("Also delete profile `default`'s Consumer Secret?").unwrap();
    p.send_line("n").unwrap();
    p.expect("Kept the Consumer Secret").unwrap();
    p.expect(Eof).unwrap();
    assert!(f.refresh_token().is_none(), "the refresh token is gone either way");
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()));
    let mut p = f.env.pty(&["logout", "--local-only", "--forget-secret"]);
    p.expect("Consumer Secret?").unwrap();
    p.send_line("y").unwrap();
    p.expect(Eof).unwrap();
    assert!(!f.env.credentials_text().contains(&f.emu.client_secret()));
}
