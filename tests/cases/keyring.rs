//! The secret store against a real Secret Service: gnome-keyring-daemon on a private D-Bus
//! session started with dbus-run-session. Skipped with a reason when absent; a failure when
//! `MAILFINO_SF_REQUIRE_E2E=1`. Also: the fallback to the file store, said once.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use crate::support::*;

/// A D-Bus session with an unlocked gnome-keyring; killed on drop.
struct KeyringSession {
    child: Child,
    address: String,
    _home: tempfile::TempDir,
}

impl KeyringSession {
    fn start() -> Option<Self> {
        if which("dbus-run-session").is_none() || which("gnome-keyring-daemon").is_none() {
            return None;
        }
        let home = tempfile::tempdir().unwrap();
        let script = "echo -n mailfino-sf-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; echo \"$DBUS_SESSION_BUS_ADDRESS\"; exec sleep 120";
        // Its own process group, so that drop can end dbus-run-session, its dbus-daemon and the
        // shell together; gnome-keyring-daemon (which daemonizes) exits when its bus goes away.
        let mut child = Command::new("dbus-run-session")
            .process_group(0)
            .args(["--", "sh", "-c", script])
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", home.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).ok()?;
        let address = line.trim().to_string();
        if address.is_empty() {
            let _ = child.kill();
            return None;
        }
        Some(KeyringSession { child, address, _home: home })
    }
}

impl KeyringSession {
    /// A session, or `None` after the E2E gate printed why (a failure under
    /// `MAILFINO_SF_REQUIRE_E2E=1`).
    fn required() -> Option<Self> {
        let session = Self::start();
        if e2e_available("gnome-keyring-daemon under dbus-run-session", session.is_some()) {
            session
        } else {
            None
        }
    }
}

impl KeyringSession {
    /// `c` with this session's keyring as the only store.
    fn keyring_only(&self, mut c: assert_cmd::Command) -> assert_cmd::Command {
        c.env("DBUS_SESSION_BUS_ADDRESS", &self.address).env("MAILFINO_SF_STORE", "keyring").env("MAILFINO_SF_KEYRING_TIMEOUT_MS", "10000");
        c
    }
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The summary of `verify --json`'s `config` check.
fn config_check(out: &std::process::Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", all_output(out)));
    let config = check_of(&v, "config");
    assert_eq!(config["status"], "fail", "{config}");
    config["summary"].as_str().unwrap().to_string()
}

#[test]
fn secrets_live_in_a_real_secret_service() {
    let Some(session) = KeyringSession::required() else { return };
    let f = fixture(|_| {});
    let with_keyring = |mut c: assert_cmd::Command| {
        c.env("DBUS_SESSION_BUS_ADDRESS", &session.address)
            .env("MAILFINO_SF_STORE", "keyring")
            .env("MAILFINO_SF_KEYRING_TIMEOUT_MS", "10000");
        c
    };
    let out = with_keyring(f.setup_cmd()).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("stored the Consumer Secret in the keyring"), "{}", stderr(&out));
    assert!(!f.env.credentials_text().contains(&f.emu.client_secret()), "the secret is not in the file store");
    let out = with_keyring(f.login_cmd()).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("refresh token stored in the keyring"), "{}", stderr(&out));
    assert!(!f.env.credentials_text().contains("refresh-token"), "the token is not in the file store");
    let mut verify = f.env.cmd();
    verify.arg("verify");
    let out = with_keyring(verify).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stdout(&out).contains("secret from the keyring"), "{}", stdout(&out));
    // Without D-Bus the same profile has no secret: it really is in the keyring.
    let out = f.env.cmd().args(["verify", "--json"]).env("MAILFINO_SF_STORE", "file").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(config_check(&out), "profile `default` is missing the Consumer Secret");
    // logout deletes both from the keyring: the keyring run no longer finds the secret either
    let mut logout = f.env.cmd();
    logout.args(["logout", "--local-only", "--forget-secret"]);
    let out = with_keyring(logout).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stdout(&out).lines().any(|l| l.trim() == "deleted: refresh-token, client-secret"), "{}", all_output(&out));
    let mut verify = f.env.cmd();
    verify.args(["verify", "--json"]);
    let out = with_keyring(verify).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(config_check(&out), "profile `default` is missing the Consumer Secret");
}

#[test]
fn without_a_keyring_the_file_store_is_used_and_said_once() {
    let f = fixture(|_| {});
    let out = f.setup_cmd().env_remove("MAILFINO_SF_STORE").env("MAILFINO_SF_KEYRING_TIMEOUT_MS", "2000").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("no keyring answered").count(), 1, "{err}");
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()));
    let out = f.env.cmd().arg("verify").env_remove("MAILFINO_SF_STORE").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "no login yet: {}", all_output(&out));
    assert!(
        stdout(&out).contains("✔ pass  config               profile `default` is complete (secret from the file store)"),
        "{}",
        all_output(&out)
    );
    // said once per profile: remembered, and later only `status` reminds of it
    assert!(!stderr(&out).contains("no keyring answered"), "{}", stderr(&out));
    assert!(f.env.config_text().contains("keyring_fallback_noted = true"), "{}", f.env.config_text());
    let out = f.env.cmd().arg("status").env_remove("MAILFINO_SF_STORE").output().unwrap();
    assert!(stdout(&out).contains("no keyring answered when these secrets were stored"), "{}", all_output(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    // an explicit --store keyring with no keyring is a storage error, exit 7
    let out = f.setup_cmd().env("MAILFINO_SF_STORE", "keyring").output().unwrap();
    assert_exit(&out, 7, "error: the keyring store is not available");
}

#[cfg(unix)]
#[test]
fn a_hung_dbus_does_not_hang_the_tool() {
    // A socket that accepts and never answers.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let f = fixture(|_| {});
    let started = std::time::Instant::now();
    let out = f
        .setup_cmd()
        .env_remove("MAILFINO_SF_STORE")
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", path.display()))
        .env("MAILFINO_SF_KEYRING_TIMEOUT_MS", "1000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert!(stderr(&out).contains("no keyring answered (no answer within 1000 ms)"), "{}", stderr(&out));
    assert_eq!(stored_secret(&f.env, "default", "client-secret"), Some(f.emu.client_secret()), "the file store took the secret");
}

/// The keyring locks in the middle of a refresh (reads worked, the write of the rotated token
/// does not): the new token goes to the file store, and from then on the file's copy wins over
/// the spent one in the keyring, until a keyring write replaces both. A deletion the keyring
/// cannot take is marked in the file, so that the keyring's stale copy is never read again.
#[test]
fn a_file_copy_supersedes_a_stale_keyring_copy() {
    let Some(session) = KeyringSession::required() else { return };
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    let auto = |mut c: assert_cmd::Command| {
        c.env("DBUS_SESSION_BUS_ADDRESS", &session.address).env_remove("MAILFINO_SF_STORE").env("MAILFINO_SF_KEYRING_TIMEOUT_MS", "10000");
        c
    };
    let run = |args: &[&str], fault: Option<&str>| {
        let mut c = f.env.cmd();
        c.args(args);
        if let Some(fault) = fault {
            c.env("MAILFINO_SF_FAULT", fault);
        }
        auto(c).output().unwrap()
    };
    assert!(auto(f.setup_cmd()).output().unwrap().status.success());
    let out = auto(f.login_cmd()).output().unwrap();
    assert!(stderr(&out).contains("refresh token stored in the keyring"), "{}", all_output(&out));
    assert!(stored_refresh_token(&f.env, "default").is_none());

    let out = run(&["refresh"], Some("keyring-write-locked"));
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stdout(&out).contains("saved in the file store"), "{}", all_output(&out));
    let in_file = stored_refresh_token(&f.env, "default").unwrap();
    assert!(refresh_token_active(&f, &in_file));

    // The next run reads the file's copy (the keyring still holds the spent one) and rotates on.
    let out = run(&["refresh"], None);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stdout(&out).contains("saved in the keyring"), "{}", stdout(&out));
    assert!(stored_refresh_token(&f.env, "default").is_none(), "the keyring write removed the older file copy");
    let grants: Vec<_> =
        f.emu.requests_to("/services/oauth2/token").into_iter().filter(|r| r.field("grant_type") == Some("refresh_token")).collect();
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[1].field("refresh_token"), Some(in_file.as_str()), "the file copy was used, not the keyring's spent one");
    assert!(grants.iter().all(|g| g.status == 200));
    assert!(run(&["refresh"], None).status.success(), "the chain is alive");

    // A deletion while no keyring answers leaves a mark, and the keyring's copy is never read.
    let mut logout = f.env.cmd();
    logout.args(["logout", "--local-only"]).env_remove("MAILFINO_SF_STORE").env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    assert!(logout.output().unwrap().status.success());
    assert_eq!(stored_refresh_token(&f.env, "default").as_deref(), Some(""), "{}", f.env.credentials_text());
    let before = f.emu.requests_to("/services/oauth2/token").len();
    let out = run(&["refresh"], None);
    assert_eq!(out.status.code(), Some(3), "the stale keyring token must not be used: {}", all_output(&out));
    assert_eq!(f.emu.requests_to("/services/oauth2/token").len(), before, "nothing was sent");
}

/// An admin's token kept in the keyring by `audit --keep-admin-token`: `status` says where it is,
/// `logout` revokes it and deletes it from the keyring (a keyring run no longer finds it).
#[test]
fn a_kept_admin_token_in_the_keyring_is_shown_and_logged_out() {
    let Some(session) = KeyringSession::required() else { return };
    let f = fixture(|_| {});
    let with_keyring = |c| session.keyring_only(c);
    let json = |args: &[&str]| {
        let mut c = f.env.cmd();
        c.args(args).arg("--json").env("BROWSER", robot_browser());
        let out = with_keyring(c).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", all_output(&out)));
        (out.status.code(), v)
    };
    assert!(with_keyring(f.setup_cmd()).output().unwrap().status.success());
    assert!(with_keyring(f.login_cmd()).output().unwrap().status.success());
    f.emu.state().config.org.browser_user = mailfino_sf_emulator::Role::Admin;
    let (code, v) = json(&["audit", "--wait", "20", "--keep-admin-token"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["admin_token"], "kept in the keyring (--keep-admin-token)");
    assert!(!f.env.credentials_text().contains("admin-refresh-token"), "not in the file store");
    assert_eq!(json(&["status"]).1["profiles"][0]["admin_token"], "keyring");
    let (code, v) = json(&["logout"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["admin_token"], "revoked", "{v}");
    assert_eq!(v["deleted"], serde_json::json!(["refresh-token", "admin-refresh-token"]), "{v}");
    let revoked: Vec<String> =
        f.emu.requests_to("/services/oauth2/revoke").iter().filter_map(|r| r.field("token").map(str::to_string)).collect();
    assert_eq!(revoked.len(), 2, "{revoked:?}");
    assert!(revoked.iter().all(|t| !refresh_token_active(&f, t)));
    assert_eq!(json(&["status"]).1["profiles"][0]["admin_token"], serde_json::Value::Null, "gone from the keyring");
}
