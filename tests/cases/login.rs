//! `login`: the PKCE login through the loopback listener, a scripted browser and a real
//! headless Chromium, the paste mode, and every way it can go wrong.

use std::io::Write;
use std::time::Duration;

use crate::support::*;

/// Starts `login --no-browser --wait 20 EXTRA` and returns the child and the authorize URL.
fn start_login(f: &Fixture, extra: &[&str]) -> (Running, String) {
    let mut args = vec!["--no-browser", "--wait", "20"];
    args.extend_from_slice(extra);
    f.start_login(&args)
}

fn wait_ok(child: Running) -> std::process::Output {
    child.wait_with_output().unwrap()
}

#[test]
fn happy_path_with_a_scripted_browser() {
    let f = fixture(|_| {});
    f.setup();
    let out = f.login_cmd().output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("Logged in as integration@emulator.mailfino.test"), "{err}");
    assert!(f.refresh_token().is_some());
    let cfg = f.env.config_text();
    assert!(
        cfg.contains("instance_url") && cfg.contains("username = \"integration@emulator.mailfino.test\"") && cfg.contains("org_id"),
        "{cfg}"
    );
    // The code went to the token endpoint %-decoded once, with the secret and verifier in the body.
    let tokens = f.emu.requests_to("/services/oauth2/token");
    let exchange = tokens
        .iter()
        .find(|r| r.field("grant_type") == Some("authorization_code") && r.field("code").is_some_and(|c| c.starts_with("aPrx")))
        .unwrap();
    assert!(exchange.field("code").unwrap().ends_with("=="));
    assert_eq!(exchange.field("client_secret"), Some(f.emu.client_secret().as_str()));
    assert!(exchange.field("code_verifier").is_some());
    assert!(exchange.authorization.is_none(), "no Basic auth at the code exchange");
    // The authorize request: S256 explicit, prompt=login, no scope by default.
    let logins: Vec<_> = f.emu.requests_to("/services/oauth2/authorize").into_iter().filter(|r| r.query.contains("prompt=login")).collect();
    assert_eq!(logins.len(), 1);
    let auth = &logins[0];
    assert!(auth.query.contains("code_challenge_method=S256"));
    assert!(!auth.query.contains("scope="));
    // what $BROWSER got on its command line (visible in `ps`) holds no secret
    assert!(!auth.query.contains(&f.emu.client_secret()) && !auth.query.contains(exchange.field("code_verifier").unwrap()));
}

#[test]
fn json_output_and_explicit_scope() {
    let f = fixture(|_| {});
    f.setup();
    let out = f.login_cmd().args(["--json", "--scope", "api refresh_token"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["scopes"], "api refresh_token");
    let auth = f.emu.requests_to("/services/oauth2/authorize").into_iter().find(|r| r.query.contains("prompt=login")).unwrap();
    assert!(auth.query.contains("scope=api+refresh_token") || auth.query.contains("scope=api%20refresh_token"), "{}", auth.query);
}

#[test]
fn deny_exits_4_with_the_fix() {
    let f = fixture(|c| c.auto_approve = false);
    f.setup();
    let out = f.login_cmd().env("BROWSER", format!("{} robot-browser --action deny", bin().display())).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("access_denied") && err.contains("Allow"), "{err}");
    assert!(f.refresh_token().is_none());
}

#[test]
fn a_forged_callback_never_reaches_the_token_endpoint() {
    let f = fixture(|c| c.auto_approve = true);
    f.setup();
    let (child, url) = start_login(&f, &[]);
    let port = f.port();
    let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // stray requests, a preflight, HEAD, and forged callbacks with a wrong or missing state
    assert_eq!(c.get(format!("http://127.0.0.1:{port}/favicon.ico")).send().unwrap().status().as_u16(), 404);
    assert_eq!(
        c.request(reqwest::Method::OPTIONS, format!("http://127.0.0.1:{port}/callback"))
            .header("Access-Control-Request-Private-Network", "true")
            .send()
            .unwrap()
            .status()
            .as_u16(),
        204
    );
    assert_eq!(c.head(format!("http://127.0.0.1:{port}/callback")).send().unwrap().status().as_u16(), 404);
    for forged in ["/callback?code=FORGED%3D%3D&state=wrong", "/callback?code=FORGED%3D%3D", "/callback?error=access_denied&state=nope"] {
        let r = c.get(format!("http://127.0.0.1:{port}{forged}")).send().unwrap();
        assert_eq!(r.status().as_u16(), 400, "{forged}");
    }
    // the real login still completes
    mailfino_sf_emulator::robot::browse(&url, mailfino_sf_emulator::robot::Action::Allow).unwrap();
    let out = wait_ok(child);
    assert!(out.status.success());
    let token_codes: Vec<String> = f
        .emu
        .requests_to("/services/oauth2/token")
        .iter()
        .filter_map(|r| r.field("code").map(str::to_string))
        .filter(|c| c != "mailfino-sf-probe-not-a-code")
        .collect();
    assert!(!token_codes.iter().any(|c| c.contains("FORGED")), "{token_codes:?}");
    assert_eq!(token_codes.len(), 1);
    assert!(f.refresh_token().is_some());
}

#[test]
fn timeout_exits_6_with_the_likely_causes() {
    let f = fixture(|_| {});
    f.setup();
    let out = f.env.cmd().args(["login", "--no-browser", "--wait", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("no login arrived within 1 s") && err.contains("redirect_uri_mismatch") && err.contains("--paste"), "{err}");
}

#[test]
fn a_taken_port_exits_8_at_once_naming_it() {
    let f = fixture(|_| {});
    f.setup();
    let port = f.port();
    let _hold = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let started = std::time::Instant::now();
    let out = f.env.cmd().args(["login", "--no-browser"]).output().unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", all_output(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
    let err = stderr(&out);
    assert!(err.contains(&format!("port {port}")) && err.contains("--redirect-uri"), "{err}");
    // The way out points into Setup with the URL to register, not at the checklist.
    let flat = err.split_whitespace().collect::<Vec<_>>().join(" ");
    let other = format!("http://localhost:{}/callback", port + 1);
    assert!(flat.contains("OAuth Settings → Callback URL") && flat.contains(&format!("`{other}`")), "{flat}");
    assert!(flat.contains(&format!("mailfino-sf login --redirect-uri {other}")) && !flat.contains("checklist step"), "{flat}");
}

#[test]
fn paste_mode_takes_the_address_bar_url() {
    let f = fixture(|c| c.auto_approve = true);
    f.setup();
    let (mut child, url) = f.start_login(&["--paste", "--wait", "20"]);
    // No listener in paste mode: the "browser" lands on a callback nothing serves.
    let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = c.get(&url).send().unwrap();
    let callback = r.headers()["location"].to_str().unwrap().to_string();
    assert!(callback.starts_with(&f.redirect));
    writeln!(child.stdin.as_mut().unwrap(), "  '{callback}#'  ").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(f.refresh_token().is_some());
}

#[test]
fn paste_mode_explains_salesforces_error_page() {
    let f = fixture(|_| {});
    f.setup();
    let out = f
        .env
        .cmd()
        .args(["login", "--paste"])
        .write_stdin(format!("{}/setup/secur/RemoteAccessErrorPage.apexp?error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration\n", f.emu.url()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    // where to go in Setup, and the exact URL to add there
    assert!(stderr(&out).contains(&format!("OAuth Settings → Callback URL: add `{}`", f.redirect)), "{}", stderr(&out));
    // A pasted address of another login (other state) is refused, and nothing is exchanged.
    let out =
        f.env.cmd().args(["login", "--paste"]).write_stdin(format!("{}?code=abc%3D%3D&state=someone-else\n", f.redirect)).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(f
        .emu
        .requests_to("/services/oauth2/token")
        .iter()
        .all(|r| r.field("grant_type") != Some("authorization_code") || r.field("code") == Some("mailfino-sf-probe-not-a-code")));
}

#[test]
fn code_reuse_is_explained() {
    let f = fixture(|_| {});
    f.setup();
    let (child, url) = start_login(&f, &[]);
    // Capture the callback ourselves, deliver it twice.
    let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let callback = c.get(&url).send().unwrap().headers()["location"].to_str().unwrap().to_string();
    assert_eq!(c.get(&callback).send().unwrap().status().as_u16(), 303);
    assert!(wait_ok(child).status.success());
    // A second login run given the old, used code (paste mode takes a bare code).
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let out = f.env.cmd().args(["login", "--paste"]).write_stdin(format!("{code}\n")).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("invalid_grant") && err.contains("already used"), "{err}");
}

#[test]
fn ipv6_loopback_callback() {
    let port = free_port();
    let redirect = format!("http://[::1]:{port}/callback");
    if std::net::TcpListener::bind(("::1", 0)).is_err() {
        eprintln!("SKIPPED: this machine has no IPv6 loopback");
        return;
    }
    let f = fixture(|c| c.callbacks.push(redirect.clone()));
    f.setup_cmd_with(&redirect, &f.emu.client_secret()).assert().success();
    let out = f.login_cmd().output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    // localhost listens on ::1 too
    let (child, url) = start_login(&f, &["--redirect-uri", &f.redirect]);
    let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let callback = c.get(&url).send().unwrap().headers()["location"].to_str().unwrap().replace("localhost", "[::1]");
    assert_eq!(c.get(&callback).send().unwrap().status().as_u16(), 303);
    assert!(wait_ok(child).status.success());
}

#[test]
fn no_refresh_token_granted_exits_4_and_stores_nothing() {
    let f = fixture(|c| c.scopes = vec!["api".into()]);
    f.setup();
    let out = f.login_cmd().output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("Perform requests at any time (refresh_token, offline_access)"), "{err}");
    assert!(err.contains("Setup → External Client App Manager → your app → Settings → OAuth Settings → OAuth Scopes"), "{err}");
    assert!(f.refresh_token().is_none());
    // `full` alone: no refresh token either
    let f = fixture(|c| c.scopes = vec!["full".into()]);
    f.setup();
    assert_eq!(f.login_cmd().output().unwrap().status.code(), Some(4));
}

#[test]
fn full_scope_gives_a_warning() {
    let f = fixture(|c| c.scopes = vec!["api".into(), "refresh_token".into(), "full".into()]);
    f.setup();
    let out = f.login_cmd().output().unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).contains("`full`"), "{}", stderr(&out));
}

#[test]
fn a_503_from_the_token_endpoint_is_retried() {
    let f = fixture(|_| {});
    f.setup();
    f.emu.state().config.fail_token = 1;
    let out = f.login_cmd().output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let statuses: Vec<u16> = f
        .emu
        .requests_to("/services/oauth2/token")
        .iter()
        .filter(|r| r.field("code").is_some_and(|c| c.starts_with("aPrx")))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![503, 200]);
}

#[test]
fn the_browser_is_told_the_result_on_a_page_without_the_code() {
    let f = fixture(|_| {});
    f.setup();
    let (child, url) = start_login(&f, &[]);
    let outcome = mailfino_sf_emulator::robot::browse(&url, mailfino_sf_emulator::robot::Action::Allow).unwrap();
    assert!(outcome.final_url.ends_with("/mailfino-sf/result"), "{outcome:?}");
    assert_eq!(outcome.status, 200);
    assert!(wait_ok(child).status.success());
}

/// A real headless Chromium opens the login URL and clicks Allow on the consent page.
#[test]
fn real_chromium_clicks_allow() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().map(std::path::PathBuf::from).find(|p| p.exists());
    if !e2e_available("Chromium (/usr/bin/chromium)", chromium.is_some()) {
        return;
    }
    let f = fixture(|c| c.auto_approve = false);
    f.setup();
    let (child, url) = start_login(&f, &[]);
    let profile = tempfile::tempdir().unwrap();
    let args: Vec<&std::ffi::OsStr> = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .collect();
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(chromium)
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let browser = headless_chrome::Browser::new(options).expect("start chromium");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(30));
    tab.navigate_to(&url).unwrap();
    tab.wait_for_element("#oaapprove").unwrap().click().unwrap();
    let out = wait_ok(child);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(f.refresh_token().is_some());
    // The browser ends on the result page, with the code out of the address bar.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !tab.get_url().contains("/mailfino-sf/result") && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(tab.get_url().ends_with("/mailfino-sf/result"), "{}", tab.get_url());
    let text = tab.find_element("body").unwrap().get_inner_text().unwrap();
    assert!(text.contains("Logged in"), "{text}");
}

#[cfg(unix)]
fn pty_login(f: &Fixture, extra: &[&str]) -> expectrl::session::OsSession {
    let mut args = vec!["login", "--wait", "30"];
    args.extend_from_slice(extra);
    f.env.pty(&args)
}

/// On a terminal with no display, the admin pastes the browser's address while the login waits.
#[cfg(unix)]
#[test]
fn paste_while_waiting_on_a_terminal() {
    use expectrl::Expect;
    let f = fixture(|_| {});
    f.setup();
    let mut p = pty_login(&f, &[]);
    let found = p.expect(expectrl::Regex("http://127\\.0\\.0\\.1:[0-9]+/services/oauth2/authorize\\?[^\\s\\x1b]+")).unwrap();
    let url = String::from_utf8_lossy(found.get(0).unwrap()).to_string();
    p.expect("Not opening a browser here").unwrap();
    p.expect("ssh -L").unwrap();
    let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let callback = c.get(&url).send().unwrap().headers()["location"].to_str().unwrap().to_string();
    p.send_line(&callback).unwrap();
    p.expect("Logged in as").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert!(f.refresh_token().is_some());
}

/// Ctrl-C while waiting exits 130 and releases the port at once.
#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_and_releases_the_port() {
    use expectrl::Expect;
    let f = fixture(|_| {});
    f.setup();
    let mut p = pty_login(&f, &["--no-browser"]);
    p.expect("/services/oauth2/authorize").unwrap();
    let sent = std::time::Instant::now();
    p.send(expectrl::ControlCode::EndOfText).unwrap();
    // Without the Ctrl-C the login would still be waiting: no EOF within 20 s, and the test
    // fails here (reading to EOF also drains the terminal, so the login never blocks on it).
    p.expect(expectrl::Eof).unwrap();
    let status = format!("{:?}", p.get_process().wait().unwrap());
    assert!(status.starts_with("Exited(") && status.ends_with(", 130)"), "{status}");
    assert!(sent.elapsed() < Duration::from_secs(10), "Ctrl-C took {:?}", sent.elapsed());
    let port = f.port();
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
    assert_eq!(f.refresh_token(), None, "an interrupted login stores no token");
    let exchanged =
        f.emu.requests_to("/services/oauth2/token").iter().any(|r| r.field("code").is_some_and(|c| c != "mailfino-sf-probe-not-a-code"));
    assert!(!exchanged, "no code was exchanged");
}
