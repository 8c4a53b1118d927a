//! Hostile peers and hostile input (issue 13): a server that trickles its body, numbers out of
//! range, a token endpoint that echoes secrets and escape sequences, the browser's environment,
//! devices given as files, line breaks in exported values and URLs, and `setup --login`'s real
//! outcome.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::support::*;

const CLIENT_SECRET: &str = "hostile-client-secret-0123456789abcdef";
const REFRESH_TOKEN: &str = "5Aep861hostile.refresh/token+with=signs";
const ACCESS_TOKEN: &str = "00Dhostile!AccessTokenEchoedBack0123";

/// Reads one request: the request line, headers and a Content-Length body.
fn read_request(stream: &mut TcpStream) -> (String, String) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap_or(0);
    let mut len = 0;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    (line, String::from_utf8_lossy(&body).into_owned())
}

/// How a hostile server answers (request line, form body) -> (status, content type, body).
type Answer = fn(&str, &str) -> (u16, &'static str, String);

/// What a hostile server was sent: (request line, body) of each request.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A token endpoint that answers with `answer(request line, form body)`; returns its URL and the
/// requests it received.
fn hostile_server(answer: Answer) -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Received::default();
    let log = received.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let (line, body) = read_request(&mut stream);
                let (status, content_type, text) = answer(&line, &body);
                log.lock().unwrap().push((line, body));
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    text.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(text.as_bytes());
            });
        }
    });
    (url, received)
}

fn echo_form(body: &str) -> String {
    // everything the tool sent, decoded, as one string
    url::form_urlencoded::parse(body.as_bytes()).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
}

fn assert_clean(what: &str, text: &str) {
    for secret in [CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN, "hostile-client-secret", "AccessTokenEchoed", "refresh/token"] {
        assert!(!text.contains(secret), "{what}: `{secret}` was printed:\n{text}");
    }
    let encoded: String = url::form_urlencoded::byte_serialize(REFRESH_TOKEN.as_bytes()).collect();
    assert!(!text.contains(&encoded), "{what}: the encoded refresh token was printed:\n{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{what}: a control character reached the output:\n{text:?}");
}

#[test]
fn secrets_echoed_by_a_hostile_token_endpoint_are_never_printed() {
    let answers: [Answer; 4] = [
        |_, body| {
            let desc = format!("expired access/refresh token: {} \u{1b}[2J", echo_form(body));
            (400, "application/json", serde_json::json!({"error": "invalid_grant", "error_description": desc}).to_string())
        },
        |_, body| (400, "text/plain", format!("error=invalid_grant&error_description={body}")),
        |_, body| (500, "text/html", format!("<html>oops {} {body}</html>", echo_form(body))),
        |line, body| {
            if line.starts_with("GET /services/oauth2/userinfo") {
                let v = serde_json::json!({"preferred_username": format!("{ACCESS_TOKEN}\u{1b}]0;owned\u{7}")});
                return (200, "application/json", v.to_string());
            }
            let v = serde_json::json!({
                "access_token": ACCESS_TOKEN, "instance_url": "http://127.0.0.1:9/\u{1b}[31mred",
                "scope": format!("api refresh_token {}", echo_form(body)), "issued_at": "1708058728442",
            });
            (200, "application/json", v.to_string())
        },
    ];
    // The exit code of each run (refresh, refresh --json, verify --renew --json, verify) for each
    // answer: refused (4) and unreachable (5) for the errors, a renewed token from the echoing
    // success; verify fails on the login host check, which the hostile server cannot pass.
    let codes = [[4, 4, 1, 1], [4, 4, 1, 1], [5, 5, 1, 1], [0, 0, 1, 1]];
    for (i, answer) in answers.into_iter().enumerate() {
        let (url, received) = hostile_server(answer);
        let env = Env::new();
        let rotated = env.path("rotated");
        let runs: [&[&str]; 4] = [
            &["refresh", "-v"],
            &["refresh", "-v", "--json"],
            &["verify", "-v", "--json", "--renew"],
            &["verify", "-v"], // introspection, answered the same way
        ];
        for (args, code) in runs.into_iter().zip(codes[i]) {
            received.lock().unwrap().clear();
            let out = env
                .cmd()
                .args(args)
                .arg("--rotated-token-out")
                .arg(&rotated)
                .env("MAILFINO_SF_LOGIN_URL", &url)
                .env("MAILFINO_SF_CLIENT_ID", "3MVG9hostile")
                .env("MAILFINO_SF_CLIENT_SECRET", CLIENT_SECRET)
                .env("MAILFINO_SF_REFRESH_TOKEN", REFRESH_TOKEN)
                .output()
                .unwrap();
            let text = all_output(&out);
            let what = format!("answer {i}, {args:?}");
            assert_eq!(out.status.code(), Some(code), "{what}: {text}");
            // The leak path really ran: the server got the secrets, and its answer (which echoes
            // them) reached the tool, whose verbose log shows the exchange redacted.
            let grant = received.lock().unwrap().iter().any(|(line, body)| {
                line.starts_with("POST /services/oauth2/token ") && echo_form(body).contains(&format!("refresh_token={REFRESH_TOKEN} "))
            });
            assert!(grant, "{what}: the server never got the refresh grant");
            assert!(text.contains("refresh_token=[redacted]&client_id=3MVG9hostile&client_secret=[redacted]"), "{what}: {text}");
            if code == 0 {
                let asked = received.lock().unwrap().iter().any(|(line, _)| line.starts_with("GET /services/oauth2/userinfo "));
                // shown as `user: …` or as JSON's `"username": …`, escaped either way
                let shown = text.replace("\\\\", "\\").contains("[redacted]\\u{1b}]0;owned\\u{7}");
                assert!(asked && shown, "{what}: the echoed access token was not shown redacted: {text}");
            }
            assert_clean(&what, &text);
        }
    }
}

/// A server that sends the headers, then one byte a second: the deadline covers the body.
#[test]
fn the_http_timeout_bounds_the_whole_exchange() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = read_request(&mut stream);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
                for _ in 0..60 {
                    if stream.write_all(b" ").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
        }
    });
    let env = Env::new();
    let started = Instant::now();
    let out = env
        .cmd()
        .args(["refresh", "--rotated-token-out"])
        .arg(env.path("rotated"))
        .env("MAILFINO_SF_LOGIN_URL", &url)
        .env("MAILFINO_SF_CLIENT_ID", "id")
        .env("MAILFINO_SF_CLIENT_SECRET", "s")
        .env("MAILFINO_SF_REFRESH_TOKEN", "rt")
        .env("MAILFINO_SF_HTTP_TIMEOUT", "2")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_exit(&out, 5, "timed out after 2s");
    assert!(took < Duration::from_millis(4500), "took {took:?} with a 2 s deadline");
}

#[test]
fn numbers_out_of_range_are_usage_errors_naming_the_value() {
    let env = Env::new();
    let huge = "18446744073709551615";
    let env_cases: &[(&str, &str)] = &[
        ("MAILFINO_SF_HTTP_TIMEOUT", "1e300"),
        ("MAILFINO_SF_HTTP_TIMEOUT", "inf"),
        ("MAILFINO_SF_HTTP_TIMEOUT", "NaN"),
        ("MAILFINO_SF_HTTP_TIMEOUT", "-1"),
        ("MAILFINO_SF_HTTP_TIMEOUT", "0"),
        ("MAILFINO_SF_HTTP_TIMEOUT", "ten"),
        ("MAILFINO_SF_HTTP_TIMEOUT", huge),
        ("MAILFINO_SF_KEYRING_TIMEOUT_MS", huge),
        ("MAILFINO_SF_KEYRING_TIMEOUT_MS", "1.5"),
        ("MAILFINO_SF_LOCK_TIMEOUT", "inf"),
    ];
    for (name, value) in env_cases {
        let out = env.cmd().arg("refresh").env(name, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}={value}: {}", all_output(&out));
        assert!(stderr(&out).contains(&format!("{name}=`{value}`")), "{name}={value}: {}", stderr(&out));
    }
    let flag_cases: &[&[&str]] = &[
        &["login", "--wait", huge],
        &["login", "--wait", "0"],
        &["login", "--wait", "1e300"],
        &["setup", "--non-interactive", "--retry-for", huge],
        &["setup", "--non-interactive", "--retry-for", "-1"],
        &["emulator", "--access-ttl", huge],
        &["emulator", "--access-ttl", "0"],
        &["emulator", "--slow-ms", huge],
        &["emulator", "--slow-ms", "inf"],
        &["emulator", "--port", "70000"],
        &["emulator", "--port", "-1"],
        &["emulator", "--fail-token", huge],
        &["emulator", "--propagation", "99999999999"],
    ];
    for args in flag_cases {
        let out = env.cmd().args(*args).timeout(Duration::from_secs(10)).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all_output(&out));
        let value = args.last().unwrap();
        assert!(stderr(&out).contains(&format!("'{value}'")), "{args:?}: {}", stderr(&out));
        assert!(!all_output(&out).contains("panicked"));
    }
    assert!(!env.config_dir().exists(), "nothing was written");
}

#[cfg(unix)]
#[test]
fn the_browser_gets_no_mailfino_secrets_in_its_environment() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture(|_| {});
    f.setup();
    let dump = f.env.path("browser-env");
    let script = f.env.path("browser.sh");
    std::fs::write(&script, format!("#!/bin/sh\nenv > '{}.tmp'\nmv '{0}.tmp' '{0}'\n", dump.display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = f.emu.client_secret();
    let out = f
        .env
        .cmd()
        .args(["login", "--wait", "3"])
        .env("BROWSER", &script)
        .env("MAILFINO_SF_CLIENT_SECRET", &secret)
        .env("MAILFINO_SF_REFRESH_TOKEN", REFRESH_TOKEN)
        .env("MAILFINO_SALESFORCE_CLIENT_SECRET", &secret)
        .env("UNRELATED_SETTING", "kept")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", all_output(&out));
    let env_text = std::fs::read_to_string(&dump).expect("the browser script ran");
    assert!(env_text.contains("UNRELATED_SETTING=kept"), "{env_text}");
    assert!(!env_text.contains("MAILFINO_SF_") && !env_text.contains("MAILFINO_SALESFORCE_"), "{env_text}");
    assert!(!env_text.contains(&secret) && !env_text.contains(REFRESH_TOKEN), "{env_text}");
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_given_as_files_end_at_once() {
    let f = fixture(|_| {});
    let fifo = f.env.path("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for path in [std::path::Path::new("/dev/zero"), fifo.as_path()] {
        let started = Instant::now();
        let out = f.setup_cmd().arg("--env-file").arg(path).timeout(Duration::from_secs(20)).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}: {}", path.display(), all_output(&out));
        assert!(stderr(&out).contains("is not a file path"), "{}", stderr(&out));
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(!f.env.config_dir().join("config.toml").exists(), "nothing was saved");
    }
    // a secret on stdin is read with a cap, too
    let started = Instant::now();
    let mut c = f.env.std_cmd();
    c.args(["setup", "--non-interactive", "--login-url", f.emu.url(), "--client-id", "3MVG9x", "--client-secret-stdin"])
        .args(["--redirect-uri", &f.redirect])
        .stdin(std::fs::File::open("/dev/zero").unwrap());
    let out = c.output().unwrap();
    assert_exit(&out, 2, "error: the Consumer Secret contains whitespace or a control character");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!f.env.config_dir().join("config.toml").exists(), "nothing was saved");
    // a config file that became a device is refused, not read for ever
    std::fs::create_dir_all(f.env.config_dir()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", f.env.config_dir().join("config.toml")).unwrap();
    let out = f.env.cmd().arg("verify").output().unwrap();
    assert_exit(&out, 2, "is not a regular file");
}

#[test]
fn export_ci_refuses_values_with_line_breaks() {
    let f = fixture(|_| {});
    f.setup().login();
    for (name, value) in [
        ("MAILFINO_SF_CALLBACK_URL", "https://m.example.com/x\nMAILFINO_SF_EVIL=1"),
        ("MAILFINO_SF_CLIENT_SECRET", "abcdef0123456789\rMAILFINO_SF_EVIL=1"),
    ] {
        for format in ["env", "github", "json"] {
            let out = f.env.cmd().args(["export-ci", "--format", format]).env(name, value).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{name} {format}: {}", all_output(&out));
            assert!(stderr(&out).contains(name), "{}", stderr(&out));
            assert!(stdout(&out).is_empty(), "{format}: {}", stdout(&out));
        }
    }
    // Without the line breaks the same export works: one `NAME=value` line per setting.
    let out = f.env.cmd().args(["export-ci", "--share-profile-token", "--format", "github"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = stdout(&out);
    let lines: Vec<(&str, &str)> = text.lines().filter(|l| !l.starts_with('#')).map(|l| l.split_once('=').unwrap()).collect();
    let names: Vec<&str> = lines.iter().map(|(n, _)| *n).collect();
    let suffixes = ["LOGIN_URL", "CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "CALLBACK_URL", "REDIRECT_URI"];
    assert_eq!(names, suffixes.map(|s| format!("MAILFINO_SF_{s}")), "{text}");
    assert_eq!(lines[3].1, f.refresh_token().unwrap(), "{text}");
}

/// The emulator's URL with a line break before the port's last digit.
fn broken_emulator_url(f: &Fixture) -> String {
    let url = f.emu.url();
    format!("{}\n{}", &url[..url.len() - 1], &url[url.len() - 1..])
}

#[test]
fn a_url_with_a_control_character_is_a_usage_error() {
    let f = fixture(|_| {});
    let cases: [(&str, String); 4] = [
        ("--login-url", format!("{}\n/x", f.emu.url())),
        ("--login-url", "https://login.sales\tforce.com".to_string()),
        ("--redirect-uri", "http://localhost:8717/call\nback".to_string()),
        ("--mailfino-url", "https://mail.exa\rmple.com".to_string()),
    ];
    for (flag, value) in &cases {
        let mut args = vec!["setup", "--non-interactive", "--no-check", "--client-secret-stdin"];
        for (default_flag, default) in [("--login-url", f.emu.url()), ("--redirect-uri", f.redirect.as_str())] {
            if *flag != default_flag {
                args.extend([default_flag, default]);
            }
        }
        args.extend(["--client-id", "3MVG9key", flag, value]);
        let out = f.env.cmd().args(&args).write_stdin(f.emu.client_secret()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value:?}: {}", all_output(&out));
        assert!(stderr(&out).contains("a URL holds no line breaks"), "{}", stderr(&out));
    }
    assert!(!f.env.config_dir().join("config.toml").exists(), "nothing was saved");
    let ci = Env::new();
    let out = ci
        .cmd()
        .args(["refresh", "--rotated-token-out"])
        .arg(ci.path("rotated"))
        .envs(f.ci_env("5Aep861-some-refresh-token"))
        // The emulator's own address with a line break inside: a URL parser drops it and would
        // reach the emulator, so only the refusal keeps the log empty.
        .env("MAILFINO_SF_LOGIN_URL", broken_emulator_url(&f))
        .output()
        .unwrap();
    assert_exit(&out, 2, "a URL holds no line breaks");
    assert!(f.emu.log().is_empty(), "nothing was sent");
}

/// `setup --login` reports what the checks after the login found: a failure is a non-zero exit
/// and `--json` holds every check.
#[test]
fn setup_login_reports_the_checks_after_the_login() {
    // Access tokens that are dead on arrival: the login works, the API check after it fails.
    let f = fixture(|c| c.access_ttl = Duration::ZERO);
    let out = f
        .setup_cmd()
        .args(["--login", "--json"])
        .env("BROWSER", format!("{} robot-browser", bin().display()))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", all_output(&out)));
    assert_eq!(v["ok"], false);
    let ids: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in ["config", "client_id", "client_secret", "refresh_token", "scopes", "api_access"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let failed: Vec<&str> =
        v["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "fail").map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(failed, ["api_access"], "{v}");
    let refresh = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == "refresh_token").unwrap();
    assert_eq!(refresh["status"], "pass", "the login itself worked: {refresh}");
    // and the human form says so too, with the same exit code
    let f = fixture(|c| c.access_ttl = Duration::ZERO);
    let out = f.setup_cmd().arg("--login").env("BROWSER", format!("{} robot-browser", bin().display())).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let err = stderr(&out);
    let api = err.lines().find(|l| l.starts_with("✘ fail  api_access ")).unwrap_or_else(|| panic!("no api_access failure: {err}"));
    assert!(api.contains("the REST API refused the fresh access token: INVALID_SESSION_ID"), "{api}");
    assert!(err.contains(", 1 failed, ") && err.contains("1 check(s) failed"), "{err}");
}
