//! Hostile input and faults: junk on the loopback listener, a token endpoint that misbehaves.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use crate::support::*;

#[test]
fn the_listener_survives_junk_connections_while_the_real_callback_arrives() {
    let f = fixture(|_| {});
    f.setup();
    let (mut child, url) = f.start_login(&["--no-browser", "--wait", "30"]);
    let port = f.port();
    let mut junk = Vec::new();
    for i in 0..200 {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { continue };
        s.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
        let _ = match i % 4 {
            0 => s.write_all(b"GET /callback?code=x HTTP/1.1\r\nHost: local"), // half a request, left open
            1 => s.write_all(b"GET /wrong/path HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            2 => s.write_all(format!("GET /callback HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(16 * 1024)).as_bytes()),
            _ => Ok(()), // connected, silent
        };
        junk.push(s);
    }
    let started = std::time::Instant::now();
    mailfino_sf_emulator::robot::browse(&url, mailfino_sf_emulator::robot::Action::Allow).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(20));
    drop(junk);
    assert!(f.refresh_token().is_some());
}

/// A server that answers every request with the given raw bytes.
fn raw_server(response: &'static [u8]) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 8192];
                let _ = std::io::Read::read(&mut stream, &mut buf);
                let _ = stream.write_all(response);
                std::thread::sleep(Duration::from_secs(30));
            });
        }
    });
    url
}

fn refresh_against(url: &str) -> std::process::Output {
    let env = Env::new();
    env.cmd()
        .args(["refresh", "--rotated-token-out"])
        .arg(env.path("rotated"))
        .env("MAILFINO_SF_LOGIN_URL", url)
        .env("MAILFINO_SF_CLIENT_ID", "id")
        .env("MAILFINO_SF_CLIENT_SECRET", "s")
        .env("MAILFINO_SF_REFRESH_TOKEN", "rt")
        .env("MAILFINO_SF_HTTP_TIMEOUT", "2")
        .output()
        .unwrap()
}

#[test]
fn faulty_token_endpoints_give_clear_errors_and_never_hang() {
    // Each answer, with what the error must say (any one of the phrasings listed).
    let cases: [(&[u8], &[&str]); 4] = [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<html>hi</html>", &["the token response is not JSON"]),
        (
            b"HTTP/1.1 302 Found\r\nLocation: https://evil.example/steal\r\nContent-Length: 0\r\n\r\n",
            &["https://evil.example/steal; it was not followed"],
        ),
        // A body cut short: the read times out, or the connection breaks when the server gives up.
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"access",
            &["timed out after 2s", "the connection broke while reading the answer"],
        ),
        (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\noops!", &["an HTML page"]),
    ];
    for (response, needles) in cases {
        let url = raw_server(response);
        let started = std::time::Instant::now();
        let out = refresh_against(&url);
        let needle = needles[0];
        assert_eq!(out.status.code(), Some(5), "{needle}: {}", all_output(&out));
        assert!(needles.iter().any(|n| stderr(&out).contains(n)), "{needles:?}: {}", stderr(&out));
        assert!(started.elapsed() < Duration::from_secs(15), "{needle} took {:?}", started.elapsed());
    }
    // connection refused
    let port = free_port();
    let out = refresh_against(&format!("http://127.0.0.1:{port}"));
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("cannot connect"), "{}", stderr(&out));
}

#[test]
fn a_huge_body_is_capped() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n");
            let chunk = vec![b' '; 65536];
            for _ in 0..800 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
    });
    let out = refresh_against(&url);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("more than 1024 KiB"), "{}", stderr(&out));
}

/// A server that answers the n-th connection with the n-th response (the last one repeats).
fn sequence_server(responses: Vec<&'static [u8]>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let response = responses[n.min(responses.len() - 1)];
            let mut buf = [0u8; 8192];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = stream.write_all(response);
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    });
    (url, hits)
}

const INVALID_GRANT: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 76\r\nConnection: close\r\n\r\n{\"error\":\"invalid_grant\",\"error_description\":\"expired access/refresh token\"}";

#[test]
fn retries_only_on_503_and_429_honouring_retry_after() {
    use std::sync::atomic::Ordering;
    // 429 with Retry-After: 1, then Salesforce's answer: retried once, after about a second.
    let (url, hits) = sequence_server(vec![
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        INVALID_GRANT,
    ]);
    let started = std::time::Instant::now();
    let out = refresh_against(&url);
    assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After honoured");
    // 503 without Retry-After: backoff, then the answer
    let (url, hits) =
        sequence_server(vec![b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", INVALID_GRANT]);
    assert_eq!(refresh_against(&url).status.code(), Some(4));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // 500 is not retried: the request may have reached Salesforce
    let (url, hits) = sequence_server(vec![
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops",
        INVALID_GRANT,
    ]);
    let out = refresh_against(&url);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("HTTP 500"), "{}", stderr(&out));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // 503 for ever: exit 5 after the retries
    let (url, hits) = sequence_server(vec![b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"]);
    assert_eq!(refresh_against(&url).status.code(), Some(5));
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}

#[test]
fn a_connection_reset_mid_response_is_reported() {
    let (url, _) =
        sequence_server(vec![b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"access_token\":\"abc"]);
    let out = refresh_against(&url);
    assert_eq!(out.status.code(), Some(5), "{}", all_output(&out));
    assert!(stderr(&out).contains("connection broke"), "{}", stderr(&out));
}

/// A crash at each step of an atomic write leaves the previous file intact and readable.
#[test]
fn an_interrupted_write_never_damages_the_previous_file() {
    for point in ["crash-before-fsync", "crash-before-rename"] {
        let f = fixture(|_| {});
        f.setup();
        let before_cfg = f.env.config_text();
        let before_creds = f.env.credentials_text();
        let out = f
            .env
            .cmd()
            .args(["setup", "--non-interactive", "--client-id", "3MVG9changed", "--no-check"])
            .env("MAILFINO_SF_FAULT", point)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the simulated crash happened");
        assert_eq!(f.env.config_text(), before_cfg, "{point}");
        assert_eq!(f.env.credentials_text(), before_creds, "{point}");
        let leftovers =
            std::fs::read_dir(f.env.config_dir()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count();
        assert_eq!(leftovers, 1, "{point}: the crash left its temp file, as a real one would");
        // the next run reads the intact file and works
        f.env.cmd().arg("verify").assert().code(1);
        f.setup();
    }
}

#[cfg(unix)]
#[test]
fn files_are_private_even_with_a_permissive_umask() {
    let f = fixture(|_| {});
    let envfile = f.env.path("mailfino.env");
    let script = format!(
        "umask 000; exec '{}' setup --non-interactive --login-url {} --client-id {} --client-secret-stdin --redirect-uri {} --env-file '{}'",
        bin().display(),
        f.emu.url(),
        f.emu.client_id(),
        f.redirect,
        envfile.display()
    );
    let mut sh = assert_cmd::Command::new("sh");
    sh.args(["-c", &script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", f.env.dir.path())
        .env("MAILFINO_SF_CONFIG_DIR", f.env.config_dir())
        .env("MAILFINO_SF_STORE", "file")
        .write_stdin(f.emu.client_secret());
    sh.assert().success();
    assert_eq!(mode(&f.env.config_dir()), 0o700);
    for file in ["config.toml", "credentials.toml"] {
        assert_eq!(mode(&f.env.config_dir().join(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&envfile), 0o600);
    // a loosened file gets a warning
    std::fs::set_permissions(f.env.config_dir().join("credentials.toml"), std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = f.env.cmd().arg("verify").output().unwrap();
    assert!(stderr(&out).contains("readable by other users") && stderr(&out).contains("chmod 600"), "{}", stderr(&out));
}
