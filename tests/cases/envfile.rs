//! mailfino's configuration as it really is: `verify` reads mailfino's env file (`mailfino_env`,
//! and `verify --env-file` without a profile), `setup` never writes a value it flagged, the env
//! file stays mailfino's (symlink, owner, group, mode, backups), and a missing loopback URL is
//! only a warning.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

fn verify(env: &Env, extra: &[&str]) -> (i32, Value, String) {
    let out = env.cmd().args(["verify", "--json"]).args(extra).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v, all_output(&out))
}

fn set_line(path: &Path, key: &str, line: Option<&str>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: Vec<String> = text.lines().filter(|l| !l.starts_with(&format!("{key}="))).map(str::to_string).collect();
    if let Some(l) = line {
        out.push(l.to_string());
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}

/// A profile set up and logged in, with mailfino's env file written by setup.
fn with_env_file() -> (Fixture, PathBuf) {
    let f = fixture(|_| {});
    let path = f.env.path("salesforce.env");
    f.setup_cmd().args(["--env-file", path.to_str().unwrap()]).assert().success();
    f.login();
    (f, path)
}

#[test]
fn mailfino_env_fails_naming_a_changed_or_removed_secret() {
    let (f, path) = with_env_file();
    let secret = f.emu.client_secret();
    let (code, v, text) = verify(&f.env, &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(check_of(&v, "mailfino_env")["status"], "pass", "{v}");
    let out = f.env.cmd().arg("verify").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let human = stdout(&out);
    assert!(human.contains("15 passed, 0 warnings, 0 failed") && human.contains("mailfino's Salesforce connection works"), "{human}");

    // A changed secret: named by key, both values masked.
    let other = "0123456789abcdef".repeat(4);
    set_line(&path, "MAILFINO_SALESFORCE_CLIENT_SECRET", Some(&format!("MAILFINO_SALESFORCE_CLIENT_SECRET={other}")));
    let (code, v, text) = verify(&f.env, &[]);
    assert_eq!(code, 1, "{text}");
    let summary = check_of(&v, "mailfino_env")["summary"].as_str().unwrap();
    assert!(summary.contains("MAILFINO_SALESFORCE_CLIENT_SECRET differs"), "{summary}");
    assert!(summary.contains("0123… (64 characters)") && summary.contains(&format!("{}…", &secret[..4])), "{summary}");
    assert!(!text.contains(&other) && !text.contains(&secret), "secrets are masked: {text}");
    let out = f.env.cmd().arg("verify").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let human = stdout(&out);
    assert!(human.contains("✘ fail  mailfino_env") && !human.contains("connection works"), "{human}");

    // A removed secret and a changed login URL: both named.
    set_line(&path, "MAILFINO_SALESFORCE_CLIENT_SECRET", None);
    set_line(&path, "MAILFINO_SALESFORCE_LOGIN_URL", Some("MAILFINO_SALESFORCE_LOGIN_URL=https://test.salesforce.com"));
    let (code, v, text) = verify(&f.env, &[]);
    assert_eq!(code, 1, "{text}");
    let summary = check_of(&v, "mailfino_env")["summary"].as_str().unwrap();
    assert!(summary.contains("MAILFINO_SALESFORCE_CLIENT_SECRET is missing"), "{summary}");
    assert!(summary.contains("MAILFINO_SALESFORCE_LOGIN_URL differs"), "{summary}");
    assert!(check_of(&v, "mailfino_env")["hint"].as_str().unwrap().contains("--env-file"), "{v}");

    // Deleted: fails. Readable by others: fails.
    std::fs::remove_file(&path).unwrap();
    let (code, v, _) = verify(&f.env, &[]);
    assert_eq!(code, 1);
    assert!(check_of(&v, "mailfino_env")["summary"].as_str().unwrap().contains("does not exist"), "{v}");
    f.setup_cmd().args(["--env-file", path.to_str().unwrap()]).assert().success();
    assert_eq!(verify(&f.env, &[]).0, 0, "setup wrote it again");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (code, v, _) = verify(&f.env, &[]);
        assert_eq!(code, 1);
        assert!(check_of(&v, "mailfino_env")["summary"].as_str().unwrap().contains("other users can read it (mode 0644)"), "{v}");
    }
    // --env-file names another file to compare with the profile.
    let copy = f.env.path("copy.env");
    std::fs::write(&copy, format!("MAILFINO_SALESFORCE_CLIENT_ID={}\n", f.emu.client_id())).unwrap();
    let (code, v, text) = verify(&f.env, &["--env-file", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    let summary = check_of(&v, "mailfino_env")["summary"].as_str().unwrap();
    assert!(summary.contains("copy.env") && summary.contains("MAILFINO_SALESFORCE_CALLBACK_URL is missing"), "{summary}");
}

#[test]
fn verify_env_file_checks_the_files_values_live_with_an_empty_config_dir() {
    let (f, path) = with_env_file();
    let server = Env::new();
    let (code, v, text) = verify(&server, &["--env-file", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    for id in ["config", "callback_url", "login_host", "client_id", "callback_registered", "client_secret", "mailfino_env"] {
        assert_eq!(check_of(&v, id)["status"], "pass", "{id}: {v}");
    }
    for id in ["loopback_registered", "refresh_token", "scopes", "api_access"] {
        assert_eq!(check_of(&v, id)["status"], "skip", "{id}: {v}");
    }
    for id in ["user_active", "org_identity", "api_limits", "approvals"] {
        assert_eq!(check_of(&v, id)["status"], "skip", "{id}: {v}");
    }
    let ids: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let at = ids.iter().position(|id| *id == "api_access").unwrap();
    assert_eq!(ids[at + 1], "mailfino_env", "the contract's order: {ids:?}");
    assert!(!server.config_dir().exists(), "nothing written on mailfino's server");
    let out = server.cmd().args(["verify", "--env-file", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let human = stdout(&out);
    let not_proven = human.split("Not proven: ").nth(1).unwrap_or_else(|| panic!("no `Not proven:` in {human}"));
    assert!(not_proven.starts_with("loopback_registered, refresh_token, scopes, api_access"), "{human}");
    assert!(!human.contains("the refresh token renews"), "claims only what was checked: {human}");

    // The file's secret is what is checked, live.
    set_line(&path, "MAILFINO_SALESFORCE_CLIENT_SECRET", Some(&format!("MAILFINO_SALESFORCE_CLIENT_SECRET='{}'", "f".repeat(64))));
    let (code, v, text) = verify(&server, &["--env-file", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(check_of(&v, "client_secret")["status"], "fail", "{v}");
    // An incomplete file names what is missing.
    set_line(&path, "MAILFINO_SALESFORCE_CLIENT_ID", None);
    let (code, v, _) = verify(&server, &["--env-file", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(check_of(&v, "config")["summary"].as_str().unwrap().contains("MAILFINO_SALESFORCE_CLIENT_ID"), "{v}");
    let (code, v, _) = verify(&server, &["--env-file", f.env.path("nope.env").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(check_of(&v, "config")["summary"].as_str().unwrap().contains("does not exist"), "{v}");
}

#[test]
fn flagged_values_exit_2_in_non_interactive_mode_and_write_nothing() {
    let f = fixture(|_| {});
    let envfile = f.env.path("mailfino.env");
    let secret = f.emu.client_secret();
    let run = |id: &str, stdin: &str, id_from_env: bool| {
        let mut c = f.env.cmd();
        c.args(["setup", "--non-interactive", "--login-url", f.emu.url(), "--client-secret-stdin"])
            .args(["--redirect-uri", &f.redirect, "--env-file", envfile.to_str().unwrap()])
            .write_stdin(stdin.to_string());
        if id_from_env {
            c.env("MAILFINO_SF_CLIENT_ID", id);
        } else {
            c.args(["--client-id", id]);
        }
        c.output().unwrap()
    };
    // The secret as the key, on the command line: refused, and the `ps` exposure is named.
    let out = run(&secret, &secret, false);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("looks like a Consumer Secret") && err.contains("`ps`"), "{err}");
    assert!(!err.contains(&secret), "never echoed: {err}");
    // The same from the environment: refused, no `ps` advice.
    let out = run(&secret, &secret, true);
    let err = assert_exit(&out, 2, "looks like a Consumer Secret");
    assert!(!err.contains("`ps`") && !err.contains(&secret), "{err}");
    // The key as the secret, piped: refused, no `ps` advice.
    let key = f.emu.client_id();
    let out = run(&key, &key, false);
    let err = assert_exit(&out, 2, "looks like a Consumer Key");
    assert!(!err.contains("`ps`"), "{err}");
    // A Setup domain as login URL, an env file in a missing directory.
    let out = f
        .env
        .cmd()
        .args(["setup", "--non-interactive", "--login-url", "https://acme.my.salesforce-setup.com", "--client-id", &key])
        .env("MAILFINO_SF_CLIENT_SECRET", &secret)
        .output()
        .unwrap();
    assert_exit(&out, 2, "https://acme.my.salesforce.com");
    let out = f.setup_cmd().args(["--env-file", f.env.path("no/such/dir.env").to_str().unwrap()]).output().unwrap();
    assert_exit(&out, 2, "does not exist");
    assert!(!f.env.config_dir().exists() && !envfile.exists(), "nothing written");
    // A merely unusual key passes with a warning.
    let out = f
        .env
        .cmd()
        .args(["setup", "--non-interactive", "--no-check", "--login-url", f.emu.url(), "--client-id", "3MVG9short"])
        .env("MAILFINO_SF_CLIENT_SECRET", &secret)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("does not look like the usual"), "{}", stderr(&out));
}

/// The secret pasted into the key prompt (and the key into the secret prompt) is explained and
/// asked again; nothing is written until every value passed.
#[cfg(unix)]
#[test]
fn the_wizard_refuses_a_secret_in_the_key_prompt_and_asks_again() {
    use expectrl::{Eof, Expect};
    let f = fixture(|_| {});
    let envfile = f.env.path("mailfino.env");
    let mut p = wizard_at_the_consumer_key(&f);
    p.send_line(f.emu.client_secret()).unwrap();
    let seen = p.expect("looks like a Consumer Secret").unwrap();
    let before = String::from_utf8_lossy(seen.before()).to_string();
    p.send_line(f.emu.client_id()).unwrap();
    p.expect("Consumer Secret (input hidden)").unwrap();
    send_hidden(&mut p, &f.emu.client_id());
    p.expect("looks like a Consumer Key").unwrap();
    assert!(!f.env.config_dir().join("config.toml").exists(), "nothing written while values are being asked");
    send_hidden(&mut p, &f.emu.client_secret());
    p.expect("server environment").unwrap();
    p.send_line(f.env.path("no/such/dir.env").to_str().unwrap()).unwrap();
    p.expect("does not exist").unwrap();
    p.send_line(envfile.to_str().unwrap()).unwrap();
    let rest = p.expect("Log in now").unwrap();
    let after = String::from_utf8_lossy(rest.before()).to_string();
    p.send_line("n").unwrap();
    p.expect(Eof).unwrap();
    assert_pty_exit(&p, 0);
    assert!(!before.contains("`ps`") && !after.contains("`ps`"), "no `ps` advice for typed input");
    let env = std::fs::read_to_string(&envfile).unwrap();
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_CLIENT_ID={}", f.emu.client_id())), "{env}");
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_CLIENT_SECRET={}", f.emu.client_secret())), "{env}");
    assert!(f.env.config_text().contains(&format!("client_id = \"{}\"", f.emu.client_id())), "{}", f.env.config_text());
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

/// A symlinked env file owned by mailfino's user (`nobody` here): the link, the owner, the group
/// and the mode stay; others lose read access with a note; two changing runs keep the original.
#[cfg(unix)]
#[test]
fn the_env_file_stays_mailfinos_through_a_symlink_owner_and_two_runs() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if !e2e_available("root (to give the env file to `nobody`)", is_root()) {
        return;
    }
    const NOBODY: u32 = 65534;
    let f = fixture(|_| {});
    let real_dir = f.env.path("srv");
    std::fs::create_dir(&real_dir).unwrap();
    let target = real_dir.join("salesforce.env");
    let original = "# mailfino\nDATABASE_URL=postgres://db\nMAILFINO_SALESFORCE_CLIENT_ID=old\n";
    std::fs::write(&target, original).unwrap();
    std::os::unix::fs::chown(&target, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = f.env.path("salesforce.env");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let run = |client_id: &str| {
        let out = f
            .env
            .cmd()
            .args(["setup", "--non-interactive", "--no-check", "--login-url", f.emu.url(), "--client-id", client_id])
            .args(["--env-file", link.to_str().unwrap()])
            .env("MAILFINO_SF_CLIENT_SECRET", f.emu.client_secret())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", all_output(&out));
        stderr(&out)
    };
    let err = run(&f.emu.client_id());
    assert!(err.contains("readable by other users (mode 0644)"), "a note on the removed permissions: {err}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
    let meta = std::fs::metadata(&target).unwrap();
    assert_eq!((meta.uid(), meta.gid(), meta.mode() & 0o777), (NOBODY, NOBODY, 0o640), "owner, group kept; others removed");
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with("# mailfino\nDATABASE_URL=postgres://db\n") && text.contains(&f.emu.client_id()), "{text}");

    // A second run that changes a value, then one that changes nothing.
    run("3MVG9another_key");
    let backups = env_backups(&target);
    assert_eq!(backups.len(), 2, "{backups:?}");
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), original, "the first backup keeps the file as it was");
    for b in &backups {
        let m = std::fs::metadata(b).unwrap();
        assert_eq!((m.uid(), m.mode() & 0o777), (NOBODY, 0o600), "backups are private and mailfino's");
    }
    let err = run("3MVG9another_key");
    assert!(err.contains("already holds these settings"), "{err}");
    assert_eq!(env_backups(&target).len(), 2, "a run that changes nothing writes no backup");
    let meta = std::fs::metadata(&target).unwrap();
    assert_eq!((meta.uid(), meta.gid(), meta.mode() & 0o777), (NOBODY, NOBODY, 0o640));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[test]
fn setup_with_only_mailfinos_callback_exits_0_and_says_what_login_needs() {
    let f = fixture(|c| c.callbacks = vec![CLOUD_CALLBACK.to_string()]);
    let out = f.setup_cmd().output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.lines().any(|l| l.starts_with("! warn  loopback_registered ")), "{err}");
    assert!(err.contains("`mailfino-sf login` will need") && err.contains(&f.redirect), "{err}");
    // Asked to log in as well: that cannot work yet, and says why.
    let out = f.setup_cmd().arg("--login").output().unwrap();
    assert_exit(&out, 4, "not registered");
    assert!(
        f.refresh_token().is_none()
            && f.emu.requests_to("/services/oauth2/token").iter().all(|r| r.field("grant_type") != Some("refresh_token"))
    );
    // mailfino's own callback missing stays a failure.
    let f = fixture(|c| c.callbacks.retain(|cb| cb != CLOUD_CALLBACK));
    let out = f.setup_cmd().output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
    assert!(stderr(&out).lines().any(|l| l.starts_with("✘ fail  callback_registered ")), "{}", stderr(&out));
}

#[test]
fn setup_json_says_what_it_did_to_the_env_file_and_names_the_backup() {
    let f = fixture(|_| {});
    let path = f.env.path("salesforce.env");
    let original = "# mailfino's own settings\nMAILFINO_DB_URL=postgres://db/mailfino\n";
    std::fs::write(&path, original).unwrap();
    let run = || {
        let out = f.setup_cmd().args(["--env-file", path.to_str().unwrap(), "--json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
        v
    };
    let first = run();
    assert_eq!(first["env_file"], path.to_str().unwrap(), "{first}");
    assert_eq!(first["env_file_changed"], true, "{first}");
    let backup = PathBuf::from(first["env_file_backup"].as_str().unwrap_or_else(|| panic!("no backup named: {first}")));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original, "the named backup is the original file");
    assert!(std::fs::read_to_string(&path).unwrap().starts_with(original), "mailfino's own lines stay first");

    // The same values again: nothing rewritten, no backup made or named.
    let second = run();
    assert_eq!(second["env_file_changed"], false, "{second}");
    assert_eq!(second["env_file_backup"], Value::Null, "{second}");
    let backups: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("salesforce.env.bak."))
        .collect();
    assert_eq!(backups.len(), 1, "one backup, from the first run only");

    // No env file: the fields say so.
    let out = f.setup_cmd().arg("--json").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((&v["env_file"], &v["env_file_changed"], &v["env_file_backup"]), (&Value::Null, &Value::Null, &Value::Null), "{v}");
}
