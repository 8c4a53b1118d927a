//! `status` (offline, every profile), "no such profile" for every command that reads one, and
//! `logout` keeping the Consumer Secret unless `--forget-secret`.

use serde_json::Value;

use crate::support::*;

fn status_json(env: &Env, extra: &[&str]) -> (i32, Value) {
    let out = env.cmd().args(["status", "--json"]).args(extra).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v)
}

/// The runs of `status` (no `--json`): exit code and stdout, with `Scrub` applied.
fn status_text(f: &Fixture, extra: &[&str]) -> (i32, String) {
    let out = f.env.cmd().arg("status").args(extra).output().unwrap();
    assert_eq!(stderr(&out), "", "status writes nothing on stderr");
    (out.status.code().unwrap(), Scrub::for_fixture(f).apply(&stdout(&out)))
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
    setup_unchecked(&f.env, "sandbox", "https://test.salesforce.com", &format!("3MVG9{}", "s".repeat(80)), &"1".repeat(19));
    let requests_before = f.emu.log().len();
    let (code, v) = status_json(&f.env, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(f.emu.log().len(), requests_before, "status never talks to Salesforce");
    assert_eq!(v["current_profile"], "default");
    assert_eq!(v["env_overrides"], serde_json::json!([]));
    let profiles = v["profiles"].as_array().unwrap();
    let names: Vec<&str> = profiles.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default", "sandbox"], "{v}");
    let d = &profiles[0];
    assert_eq!(d["current"], true);
    assert_eq!(d["login_url"], f.emu.url());
    assert_eq!(d["instance_url"], f.emu.url());
    let key = f.emu.client_id();
    assert_eq!(d["client_id"], format!("{}…{}", &key[..4], &key[key.len() - 4..]));
    assert_eq!(d["client_secret"], "file store");
    assert_eq!(d["refresh_token"], "file store");
    assert_eq!(d["username"], mailfino_sf_emulator::USERNAME);
    assert_eq!(d["org_id"], mailfino_sf_emulator::ORG_ID);
    assert_eq!(
        (&d["last_refresh"]["ok"], &d["last_refresh"]["result"]),
        (&Value::Bool(true), &Value::from("the access token was renewed")),
        "{d}"
    );
    assert_eq!((&d["last_verify"]["ok"], &d["last_verify"]["result"]), (&Value::Bool(true), &Value::from("15 passed")), "{d}");
    let utc = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").unwrap();
    for run in ["last_refresh", "last_verify"] {
        let at = d[run]["at"].as_str().unwrap();
        assert!(utc.is_match(at), "{run}: {at}");
    }
    assert_eq!(d["env_file"], serde_json::json!({"path": envfile.to_str().unwrap(), "state": "matches", "detail": null}), "{d}");
    let s = &profiles[1];
    assert_eq!(s["current"], false);
    assert_eq!(s["client_id"], "3MVG…ssss");
    assert_eq!(s["client_secret"], "file store");
    for absent in ["refresh_token", "username", "org_id", "instance_url", "last_refresh", "last_verify", "env_file"] {
        assert_eq!(s[absent], Value::Null, "{absent}: {s}");
    }
    // the human form: every row of both profiles
    let (code, text) = status_text(&f, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        format!(
            "profile `default` (current)
  login URL        http://EMULATOR
  Consumer Key     CLIENT_ID_MASKED
  Consumer Secret  in the file store
  refresh token    stored in the file store (user {user}, org {org})
  last refresh     TIMESTAMP ok: the access token was renewed
  last verify      TIMESTAMP ok: 15 passed
  env file         HOME/mailfino.env: matches the profile

profile `sandbox`
  login URL        https://test.salesforce.com
  Consumer Key     3MVG…ssss
  Consumer Secret  in the file store
  refresh token    none (not logged in)
  last refresh     never
  last verify      never
  env file         none known (setup --env-file PATH writes one)
",
            user = mailfino_sf_emulator::USERNAME,
            org = mailfino_sf_emulator::ORG_ID
        )
    );
    // The secret is read (it is compared with the env file's value) but never shown.
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()), "the secret is in the store status reads");
    let raw = all_output(&f.env.cmd().arg("status").output().unwrap()) + &v.to_string();
    assert!(!raw.contains(&key) && !raw.contains(&f.emu.client_secret()), "{raw}");
    // only one profile with --profile; the env file drifting from the profile is named
    std::fs::write(&envfile, "MAILFINO_SALESFORCE_CLIENT_ID=someone-else\n").unwrap();
    let (code, v) = status_json(&f.env, &["--profile", "default"]);
    assert_eq!(code, 0);
    assert_eq!(v["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(v["profiles"][0]["name"], "default");
    let e = &v["profiles"][0]["env_file"];
    assert_eq!(e["state"], "differs", "{e}");
    assert_eq!(
        e["detail"],
        "MAILFINO_SALESFORCE_CLIENT_ID, MAILFINO_SALESFORCE_CLIENT_SECRET, MAILFINO_SALESFORCE_LOGIN_URL, MAILFINO_SALESFORCE_CALLBACK_URL"
    );
    let (_, text) = status_text(&f, &["--profile", "sandbox"]);
    assert!(text.starts_with("profile `sandbox` (current)\n") && !text.contains("`default`"), "{text}");
    std::fs::remove_file(&envfile).unwrap();
    let (_, v) = status_json(&f.env, &["--profile", "default"]);
    assert_eq!(
        v["profiles"][0]["env_file"],
        serde_json::json!({"path": envfile.to_str().unwrap(), "state": "missing", "detail": "the file does not exist"})
    );
    assert_eq!(f.emu.log().len(), requests_before, "status never talks to Salesforce");
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
    let result = d["last_refresh"]["result"].as_str().unwrap();
    assert!(result.starts_with("exit 4: Salesforce refused: invalid_grant"), "{d}");
    assert_eq!(d["last_verify"]["ok"], false);
    assert_eq!(d["last_verify"]["result"], "7 passed; failing: refresh_token", "{d}");
    let (_, text) = status_text(&f, &[]);
    assert!(text.contains("\n  last verify      ") && text.contains(" failed: 7 passed; failing: refresh_token\n"), "{text}");
    // env-only runs describe the environment, not the profile: nothing is recorded, not even
    // a success (which would otherwise replace the failures above)
    let before = f.env.config_text();
    let token = f.grant_directly(&f.redirect, None);
    f.env.cmd().args(["verify"]).envs(f.ci_env(&token)).assert().code(0);
    let rotated = f.env.path("rotated");
    f.env.cmd().args(["refresh", "--rotated-token-out"]).arg(&rotated).envs(f.ci_env(&token)).assert().code(0);
    assert_eq!(f.env.config_text(), before);
    let (_, v) = status_json(&f.env, &[]);
    assert_eq!(
        (&v["profiles"][0]["last_refresh"]["ok"], &v["profiles"][0]["last_verify"]["ok"]),
        (&Value::Bool(false), &Value::Bool(false))
    );
}

#[test]
fn status_with_no_profiles_and_an_unknown_profile() {
    let env = Env::new();
    let out = env.cmd().arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        format!(
            "No profile is set up yet in {}.\nRun `mailfino-sf setup` to create one (`mailfino-sf demo` shows the whole job first).\n",
            env.config_dir().display()
        )
    );
    let (code, v) = status_json(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["profiles"], serde_json::json!([]));
    assert_eq!(v["current_profile"], "default");
    let out = env.cmd().args(["status", "--profile", "acme"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "mailfino-sf: error: no such profile `acme`: no profile is set up yet\n  hint: run `mailfino-sf setup --profile acme` to create it\n"
    );
    assert!(!env.config_dir().exists(), "status writes nothing");
}

/// Every command that reads a profile says "no such profile" (exit 3) and names the known ones,
/// before it sends anything; `setup` creates it instead.
#[test]
fn unknown_profile_is_exit_3_for_every_command_that_reads_one() {
    let f = fixture(|_| {});
    f.setup();
    setup_unchecked(&f.env, "sandbox", f.emu.url(), &f.emu.client_id(), &f.emu.client_secret());
    let before = (f.env.config_text(), f.env.credentials_text());
    let requests = f.emu.log().len();
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
        assert_eq!(
            err,
            "mailfino-sf: error: no such profile `acme`; known profiles: `default`, `sandbox`\n  \
             hint: run `mailfino-sf setup --profile acme` to create it, or pass --profile with one of those\n",
            "{args:?}"
        );
    }
    let out = f.env.cmd().args(["--profile", "acme", "--json", "refresh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["exit_code"], 3);
    assert!(v["error"]["message"].as_str().unwrap().starts_with("no such profile `acme`"), "{v}");
    assert_eq!((f.env.config_text(), f.env.credentials_text()), before, "nothing changed");
    assert_eq!(f.emu.log().len(), requests, "nothing was sent: {:?}", &f.emu.log()[requests..]);
    // setup creates it
    setup_unchecked(&f.env, "acme", f.emu.url(), &f.emu.client_id(), &f.emu.client_secret());
    let (code, v) = status_json(&f.env, &["--profile", "acme"]);
    assert_eq!(code, 0);
    assert_eq!(v["profiles"][0]["name"], "acme");
    assert_eq!(v["profiles"][0]["login_url"], f.emu.url());
}

#[test]
fn logout_keeps_the_consumer_secret_unless_asked() {
    let f = fixture(|_| {});
    f.setup().login();
    let token = f.refresh_token().unwrap();
    let out = f.env.cmd().args(["logout", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["deleted"], serde_json::json!(["refresh-token"]));
    assert_eq!(v["client_secret_kept"], true);
    assert!(f.refresh_token().is_none());
    assert!(!refresh_token_active(&f, &token), "revoked at Salesforce too");
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()), "the secret stays");
    // so a new login needs no setup
    f.login();
    let out = f.env.cmd().args(["logout", "--forget-secret"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stdout(&out).lines().any(|l| l.trim() == "deleted: refresh-token, client-secret"), "{}", stdout(&out));
    assert!(f.refresh_token().is_none());
    assert!(!f.env.credentials_text().contains(&f.emu.client_secret()));
    assert!(f.env.config_text().contains(&f.emu.client_id()), "the settings stay");
}

/// On a terminal `--forget-secret` asks first; "no" keeps the secret.
#[cfg(unix)]
#[test]
fn forget_secret_asks_on_a_terminal() {
    use expectrl::{Eof, Expect};
    let f = fixture(|_| {});
    f.setup().login();
    let token = f.refresh_token().unwrap();
    let mut p = f.env.pty(&["logout", "--forget-secret"]);
    p.expect("Also delete profile `default`'s Consumer Secret?").unwrap();
    p.send_line("n").unwrap();
    p.expect("Kept the Consumer Secret").unwrap();
    p.expect(Eof).unwrap();
    assert_pty_exit(&p, 0);
    assert!(f.refresh_token().is_none(), "the refresh token is gone either way");
    assert!(!refresh_token_active(&f, &token), "and revoked at Salesforce");
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()));
    let mut p = f.env.pty(&["logout", "--local-only", "--forget-secret"]);
    p.expect("Consumer Secret?").unwrap();
    p.send_line("y").unwrap();
    p.expect(Eof).unwrap();
    assert_pty_exit(&p, 0);
    assert!(!f.env.credentials_text().contains(&f.emu.client_secret()));
    assert!(f.env.config_text().contains(&f.emu.client_id()), "the settings stay");
}
