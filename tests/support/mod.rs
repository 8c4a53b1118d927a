//! Test helpers: a command builder with a scrubbed environment, an emulator fixture, a profile
//! set up against it, and the E2E gate (skip with a reason, or fail when
//! `MAILFINO_SF_REQUIRE_E2E=1`).

#![allow(dead_code)]

use std::net::TcpListener;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Output};

use assert_cmd::Command;
use mailfino_sf_emulator::{Emulator, EmulatorConfig};

pub const CLOUD_CALLBACK: &str = "https://app.mailfino.de/api/v6/integrations/oauth/salesforce/callback";

/// The binary under test.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("mailfino-sf").to_path_buf()
}

/// A throwaway home and config dir.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Env { dir: tempfile::tempdir().unwrap() }
    }
    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// The binary with a scrubbed environment: no D-Bus, no display, no colour, file store.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg"))
            .env("MAILFINO_SF_CONFIG_DIR", self.config_dir())
            .env("MAILFINO_SF_STORE", "file")
            .env("MAILFINO_SF_HTTP_TIMEOUT", "5")
            .timeout(std::time::Duration::from_secs(60));
        c
    }
    /// A std Command with the same environment (for children that run alongside the test).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(bin());
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("MAILFINO_SF_CONFIG_DIR", self.config_dir())
            .env("MAILFINO_SF_STORE", "file")
            .env("MAILFINO_SF_HTTP_TIMEOUT", "5");
        c
    }
    /// The binary with `args` in a real pseudo-terminal (scrubbed environment, `TERM=xterm`),
    /// started with echo on (see [`pty_session`]).
    #[cfg(unix)]
    pub fn pty(&self, args: &[&str]) -> expectrl::session::OsSession {
        let mut cmd = self.std_cmd();
        cmd.env("TERM", "xterm").args(args);
        pty_session(cmd)
    }
    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.config_dir().join("config.toml")).unwrap_or_default()
    }
    pub fn credentials_text(&self) -> String {
        std::fs::read_to_string(self.config_dir().join("credentials.toml")).unwrap_or_default()
    }
}

/// A child process of a test that is killed (and reaped) when dropped, so that a failing
/// assertion or a panic never leaves an emulator or a login running after the test run.
pub struct Running(Option<Child>);

impl Running {
    pub fn new(child: Child) -> Self {
        Running(Some(child))
    }
    /// Waits for the child to end and collects its output (see [`Child::wait_with_output`]).
    pub fn wait_with_output(mut self) -> std::io::Result<Output> {
        self.0.take().expect("a running child").wait_with_output()
    }
}

impl Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.0.as_ref().expect("a running child")
    }
}

impl DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        self.0.as_mut().expect("a running child")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Spawns `cmd` as a [`Running`] child.
pub fn spawn(cmd: &mut std::process::Command) -> Running {
    Running::new(cmd.spawn().expect("spawn the binary"))
}

/// Spawns a command that logs in (`login`, `audit`, `export-ci`) with piped stdio, reads its
/// stderr until it prints the authorize URL, and drains the rest in the background (so that it
/// never blocks on a full pipe). Returns the child and the URL.
pub fn spawn_until_url(cmd: &mut std::process::Command) -> (Running, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = spawn(cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()));
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the command ended before printing the authorize URL");
        if let (Some(i), true) = (line.find("http"), line.contains("/services/oauth2/authorize")) {
            break line[i..].trim().to_string();
        }
    };
    std::thread::spawn(move || reader.lines().for_each(drop));
    (child, url)
}

/// A loopback port free on 127.0.0.1 and ::1 now, for a listener a test starts later.
///
/// Taken below Linux's ephemeral range (32768–60999): a port the kernel handed out for `bind(0)`
/// is also what it hands out as the local port of outgoing connections, so between this call and
/// the later bind the many connections of a parallel test run could take it. Ports are handed out
/// in turn from a random start, so two tests of one run never get the same one.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const LOW: u16 = 20_000;
    const SPAN: u16 = 12_000;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    if NEXT.load(Ordering::Relaxed) == 0 {
        let seed = (std::process::id() as u64
            ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64)
            % SPAN as u64;
        let _ = NEXT.compare_exchange(0, seed as u16 + 1, Ordering::Relaxed, Ordering::Relaxed);
    }
    for _ in 0..SPAN {
        let port = LOW + NEXT.fetch_add(1, Ordering::Relaxed) % SPAN;
        let Ok(v4) = TcpListener::bind(("127.0.0.1", port)) else { continue };
        let v6_taken = matches!(TcpListener::bind(("::1", port)), Err(e) if e.kind() == std::io::ErrorKind::AddrInUse);
        drop(v4);
        if !v6_taken {
            return port;
        }
    }
    panic!("no free loopback port between {LOW} and {}", LOW + SPAN);
}

/// An emulated app with both callback URLs registered; `tweak` adjusts it.
pub struct Fixture {
    pub env: Env,
    pub emu: Emulator,
    pub redirect: String,
}

pub fn fixture(tweak: impl FnOnce(&mut EmulatorConfig)) -> Fixture {
    let redirect = format!("http://localhost:{}/callback", free_port());
    let mut cfg =
        EmulatorConfig { callbacks: vec![CLOUD_CALLBACK.to_string(), redirect.clone()], auto_approve: true, ..Default::default() };
    tweak(&mut cfg);
    let emu = Emulator::start(cfg).unwrap();
    Fixture { env: Env::new(), emu, redirect }
}

impl Fixture {
    /// `setup --non-interactive` with the secret on stdin.
    pub fn setup_cmd(&self) -> Command {
        self.setup_cmd_with(&self.redirect, &self.emu.client_secret())
    }
    /// `setup --non-interactive` with another redirect URI or secret.
    pub fn setup_cmd_with(&self, redirect: &str, secret: &str) -> Command {
        let mut c = self.env.cmd();
        c.args([
            "setup",
            "--non-interactive",
            "--login-url",
            self.emu.url(),
            "--client-id",
            &self.emu.client_id(),
            "--client-secret-stdin",
            "--redirect-uri",
            redirect,
        ])
        .write_stdin(secret.to_string());
        c
    }
    /// Starts `login ARGS` as a child and returns it with the authorize URL it printed; its
    /// stderr is drained in the background so that it never blocks.
    pub fn start_login(&self, args: &[&str]) -> (Running, String) {
        spawn_until_url(self.env.std_cmd().arg("login").args(args))
    }
    /// A refresh token obtained straight from the emulator, as another client of the same app
    /// (mailfino's server, a token made outside this tool) would: authorize with PKCE to
    /// `redirect_uri` (optionally with `scope`), then the code exchange.
    pub fn grant_directly(&self, redirect_uri: &str, scope: Option<&str>) -> String {
        use base64::Engine;
        let verifier = "direct-grant-verifier-0123456789abcdefghijklmnopq";
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(verifier.as_bytes()));
        let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let id = self.emu.client_id();
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", id.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_challenge", challenge.as_str()),
        ];
        params.extend(scope.map(|s| ("scope", s)));
        let auth = reqwest::Url::parse_with_params(&format!("{}/services/oauth2/authorize", self.emu.url()), &params).unwrap();
        let loc = c.get(auth).send().unwrap().headers()["location"].to_str().unwrap().to_string();
        let code = reqwest::Url::parse(&loc).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
        let secret = self.emu.client_secret();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ];
        let body: serde_json::Value =
            c.post(format!("{}/services/oauth2/token", self.emu.url())).form(&form).send().unwrap().json().unwrap();
        body["refresh_token"].as_str().unwrap().to_string()
    }
    /// The port of the loopback redirect URI.
    pub fn port(&self) -> u16 {
        self.redirect.rsplit(':').next().unwrap().split('/').next().unwrap().parse().unwrap()
    }
    /// Setup, asserting success.
    pub fn setup(&self) -> &Self {
        self.setup_cmd().assert().success();
        self
    }
    /// `login` with the robot as `$BROWSER`.
    pub fn login_cmd(&self) -> Command {
        let mut c = self.env.cmd();
        c.args(["login", "--wait", "20"]).env("BROWSER", format!("{} robot-browser", bin().display()));
        c
    }
    pub fn login(&self) -> &Self {
        self.login_cmd().assert().success();
        self
    }
    /// The stored refresh token.
    pub fn refresh_token(&self) -> Option<String> {
        let text = self.env.credentials_text();
        let v: toml::Value = toml::from_str(&text).ok()?;
        v.get("default")?.get("refresh-token")?.as_str().map(str::to_string)
    }
    /// The env vars of an env-only CI run.
    pub fn ci_env(&self, token: &str) -> Vec<(String, String)> {
        vec![
            ("MAILFINO_SF_LOGIN_URL".into(), self.emu.url().into()),
            ("MAILFINO_SF_CLIENT_ID".into(), self.emu.client_id()),
            ("MAILFINO_SF_CLIENT_SECRET".into(), self.emu.client_secret()),
            ("MAILFINO_SF_REFRESH_TOKEN".into(), token.into()),
            ("MAILFINO_SF_REDIRECT_URI".into(), self.redirect.clone()),
        ]
    }
}

/// stdout + stderr of a run.
pub fn all_output(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether an end-to-end component is present. Absent: skip with the reason printed, or fail
/// when `MAILFINO_SF_REQUIRE_E2E=1` (CI).
pub fn e2e_available(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var("MAILFINO_SF_REQUIRE_E2E").is_ok_and(|v| v == "1") {
        panic!("MAILFINO_SF_REQUIRE_E2E=1 but {what} is missing");
    }
    eprintln!("SKIPPED: {what} is missing (set MAILFINO_SF_REQUIRE_E2E=1 to make this a failure)");
    false
}

pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(program)).find(|p| p.is_file()))
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Whether the emulator holds `token` as an active refresh token (asked through its
/// introspection endpoint, which spends nothing).
pub fn refresh_token_active(f: &Fixture, token: &str) -> bool {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/services/oauth2/introspect", f.emu.url()))
        .form(&[
            ("token", token),
            ("token_type_hint", "refresh_token"),
            ("client_id", &f.emu.client_id()),
            ("client_secret", &f.emu.client_secret()),
        ])
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .unwrap();
    let v: serde_json::Value = resp.json().unwrap();
    v["active"] == true && v["token_type"] == "refresh_token"
}

/// A profile's refresh token as stored in the file store of `env`.
pub fn stored_refresh_token(env: &Env, profile: &str) -> Option<String> {
    let v: toml::Value = toml::from_str(&env.credentials_text()).ok()?;
    v.get(profile)?.get("refresh-token")?.as_str().map(str::to_string)
}

/// The refresh tokens kept in the recovery files of `env` for `profile`.
pub fn recovery_files(env: &Env, profile: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(env.config_dir().join("recovered")) else { return Vec::new() };
    entries.flatten().map(|e| e.path()).filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{profile}."))).collect()
}

/// Whole-output snapshots ("golden files") under `tests/golden/`. A mismatch fails with both
/// texts; `MAILFINO_SF_UPDATE_GENERATED=1 cargo test --test integration golden` rewrites them
/// (review the diff before committing).
pub fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var("MAILFINO_SF_UPDATE_GENERATED").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no golden file {}; create it with `MAILFINO_SF_UPDATE_GENERATED=1 cargo test --test integration golden`", path.display())
    });
    if expected != actual {
        let line =
            expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output (first at line {}); if the change is intended, run \
             `MAILFINO_SF_UPDATE_GENERATED=1 cargo test --test integration golden`\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display(),
            line + 1
        );
    }
}

/// Replaces what changes from run to run (addresses, generated credentials, times, paths) with
/// stable placeholders, so that a golden file pins everything else.
#[derive(Default)]
pub struct Scrub {
    literals: Vec<(String, String)>,
}

impl Scrub {
    /// The emulator's address, credentials and the fixture's paths and redirect port.
    pub fn for_fixture(f: &Fixture) -> Self {
        let id = f.emu.client_id();
        Scrub::default()
            .literal(f.emu.url(), "http://EMULATOR")
            .literal(&f.emu.client_secret(), "CLIENT_SECRET")
            .literal(&id, "CLIENT_ID")
            .literal(&id[..12], "CLIENT_ID_START")
            .literal(&format!("{}…{}", &id[..4], &id[id.len() - 4..]), "CLIENT_ID_MASKED")
            .literal(&f.port().to_string(), "PORT")
            .literal(&f.env.config_dir().display().to_string(), "CONFIG_DIR")
            .literal(&f.env.dir.path().display().to_string(), "HOME")
    }
    pub fn literal(mut self, from: &str, to: &str) -> Self {
        self.literals.push((from.to_string(), to.to_string()));
        self
    }
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (from, to) in &self.literals {
            out = out.replace(from, to);
        }
        // Times, and the emulator's API request counter (which counts every request of the run).
        let patterns = [
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "TIMESTAMP"),
            (r"api-usage=\d+/", "api-usage=N/"),
            (r"\b\d+ of (\d+) daily API requests used \(\d+ %\)", "N of $1 daily API requests used (N %)"),
        ];
        for (pattern, to) in patterns {
            out = regex::Regex::new(pattern).unwrap().replace_all(&out, to).into_owned();
        }
        out
    }
}

/// A run as one text: the command line, the exit code, stdout and stderr.
pub fn transcript(args: &[&str], o: &Output) -> String {
    format!("$ mailfino-sf {}\nexit: {:?}\n--- stdout\n{}--- stderr\n{}", args.join(" "), o.status.code(), stdout(o), stderr(o))
}

/// The timestamped backups of `path`, oldest first.
pub fn env_backups(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    let prefix = format!("{}.bak.", path.file_name().unwrap().to_str().unwrap());
    let mut v: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_str().unwrap().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// `cmd` in a real pseudo-terminal as an admin's shell leaves it: echo on, canonical input.
/// Every PTY test starts its program here (or through [`Env::pty`]).
///
/// expectrl starts the terminal with echo off, which no shell does; it would also make
/// [`send_hidden`]'s wait for the hidden prompt end at once. So the child turns echo back on
/// between fork and exec, before the program runs: nothing the program does can race it.
#[cfg(unix)]
pub fn pty_session(mut cmd: std::process::Command) -> expectrl::session::OsSession {
    use std::os::unix::process::CommandExt;
    // SAFETY: runs in the forked child before exec and calls only tcgetattr/tcsetattr on its
    // own stdin (the terminal), which are async-signal-safe; it allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            let mut t = std::mem::zeroed::<libc::termios>();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            t.c_lflag |= libc::ECHO;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    };
    let mut p = expectrl::Session::spawn(cmd).expect("spawn in a pty");
    p.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    p
}

/// The terminal's local flags (`c_lflag`) as the program in the session last set them.
#[cfg(unix)]
pub fn pty_local_flags(p: &expectrl::session::OsSession) -> libc::tcflag_t {
    use std::os::fd::AsRawFd;
    let master = p.get_process().get_raw_handle().expect("the terminal's master side");
    // SAFETY: tcgetattr writes into the termios we own, on a descriptor we own.
    let mut t = unsafe { std::mem::zeroed::<libc::termios>() };
    assert_eq!(unsafe { libc::tcgetattr(master.as_raw_fd(), &mut t) }, 0, "tcgetattr on the terminal");
    t.c_lflag
}

/// Types `line` at a hidden prompt once the prompt really reads: echo off with canonical input
/// on (a hidden prompt's terminal; a menu or a text prompt reads raw keys, canonical off). The
/// prompt switches the terminal with TCSAFLUSH, which discards input typed before the switch (as
/// a real terminal would), so a line sent on seeing the prompt text alone can be lost on a busy
/// machine. Needs a session started with echo on ([`pty_session`]), or the wait would mean nothing.
#[cfg(unix)]
pub fn send_hidden(p: &mut expectrl::session::OsSession, line: &str) {
    use expectrl::Expect;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let flags = pty_local_flags(p);
        if flags & libc::ECHO == 0 && flags & libc::ICANON != 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the hidden prompt never took the terminal (echo off, canonical input)");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    p.send_line(line).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Shared by the app, audit, ci, demo, health and status cases: check tables, the robot browser,
// a profile set up without checks.

/// `BROWSER` for the scripted browser that clicks Allow (the binary's hidden `robot-browser`).
pub fn robot_browser() -> String {
    format!("{} robot-browser", bin().display())
}

/// The check `id` of a JSON result with a `checks` array (`verify`, `audit`, `app check`).
pub fn check_of<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks array: {v}"))
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {v}"))
}

/// The check `id` as (status, summary, hint); an absent hint is "".
pub fn check(v: &serde_json::Value, id: &str) -> (String, String, String) {
    let c = check_of(v, id);
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    (s("status"), s("summary"), s("hint"))
}

/// Every check of a JSON result as "id status", in order: compared whole, a check that
/// appears, vanishes or changes its status anywhere in the table fails the comparison.
pub fn check_table(v: &serde_json::Value) -> Vec<String> {
    v["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks array: {v}"))
        .iter()
        .map(|c| format!("{} {}", c["id"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect()
}

/// `--profile NAME setup --non-interactive --no-check` with the secret from the environment,
/// asserting success.
pub fn setup_unchecked(env: &Env, profile: &str, login_url: &str, client_id: &str, secret: &str) {
    env.cmd()
        .args(["--profile", profile, "setup", "--non-interactive", "--no-check"])
        .args(["--login-url", login_url, "--client-id", client_id])
        .env("MAILFINO_SF_CLIENT_SECRET", secret)
        .assert()
        .success();
}

/// Waits for the program in the pseudo-terminal to end and asserts that it exited with `code`
/// (after `Eof`, so the wait is short).
#[cfg(unix)]
pub fn assert_pty_exit(p: &expectrl::session::OsSession, code: i32) {
    let status = format!("{:?}", p.get_process().wait().unwrap());
    assert!(status.starts_with("Exited(") && status.ends_with(&format!(", {code})")), "wanted exit {code}, got {status}");
}

/// A secret (`client-secret`, `refresh-token`, `admin-refresh-token`) of `profile` in the file
/// store of `env`.
pub fn stored_secret(env: &Env, profile: &str, key: &str) -> Option<String> {
    let v: toml::Value = toml::from_str(&env.credentials_text()).ok()?;
    v.get(profile)?.get(key)?.as_str().map(str::to_string)
}

/// The names of the secrets of `profile` in the file store of `env`, sorted.
pub fn stored_secret_names(env: &Env, profile: &str) -> Vec<String> {
    let v: toml::Value = toml::from_str(&env.credentials_text()).unwrap_or(toml::Value::Table(Default::default()));
    let mut names: Vec<String> = v.get(profile).and_then(|p| p.as_table()).map(|t| t.keys().cloned().collect()).unwrap_or_default();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------------
// Exit codes and messages, listeners under attack, and the setup wizard's first pages.

/// Asserts that a run ended with exit `code` and that its stderr holds `needle`; returns stderr.
#[track_caller]
pub fn assert_exit(o: &Output, code: i32, needle: &str) -> String {
    assert_eq!(o.status.code(), Some(code), "{}", all_output(o));
    let err = stderr(o);
    assert!(err.contains(needle), "stderr lacks `{needle}`:\n{err}");
    err
}

/// The setup wizard against the fixture's emulator (`setup --login-url … --redirect-uri …` in a
/// pseudo-terminal), taken through its first pages with the defaults (mailfino Cloud, that org,
/// every Setup step done) up to the Consumer Key prompt.
#[cfg(unix)]
pub fn wizard_at_the_consumer_key(f: &Fixture) -> expectrl::session::OsSession {
    use expectrl::Expect;
    let mut p = f.env.pty(&["setup", "--login-url", f.emu.url(), "--redirect-uri", &f.redirect]);
    p.expect("Where mailfino runs").unwrap();
    p.send_line("").unwrap(); // mailfino Cloud
    p.expect("Salesforce org").unwrap();
    p.send_line("").unwrap(); // preselected: My Domain, since --login-url is neither production nor sandbox
    p.expect("My Domain URL").unwrap();
    p.send_line("").unwrap(); // default: the URL given by --login-url
    p.expect("How to create the External Client App").unwrap();
    p.send_line("").unwrap(); // click through Setup
    for n in 1..=5 {
        p.expect(format!("Step {n} done?")).unwrap();
        p.send_line("y").unwrap();
    }
    p.expect("Consumer Key").unwrap();
    p
}

/// The wizard from the Consumer Secret prompt to its end: `secret` typed at the hidden prompt, no
/// env file, no login; waits until the program has ended.
#[cfg(unix)]
pub fn finish_wizard_without_env_file_or_login(p: &mut expectrl::session::OsSession, secret: &str) {
    use expectrl::{Eof, Expect};
    p.expect("Consumer Secret").unwrap();
    send_hidden(p, secret);
    p.expect("server environment").unwrap();
    p.send_line("").unwrap(); // no env file
    p.expect("Log in now").unwrap();
    p.send_line("n").unwrap();
    p.expect(Eof).unwrap();
}
