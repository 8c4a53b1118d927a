//! Hostile input and faults: junk on the loopback listener, a token endpoint that misbehaves.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use crate::support::*;

#[test]
fn the_listener_survives_junk_connections_while_the_real_callback_arrives() {
    let f = fixture(|_| {});
    f.setup();
    let mut child =
        f.env.std_cmd().args(["login", "--no-browser", "--wait", "30"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0);
        if line.contains("/services/oauth2/authorize") {
            break line[line.find("http").unwrap()..].trim().to_string();
        }
    };
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {}
    });
    let port: u16 = f.redirect.split(':').nth(2).unwrap().split('/').next().unwrap().parse().unwrap();
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
    mailfino_sf::emulator::robot::browse(&url, mailfino_sf::emulator::robot::Action::Allow).unwrap();
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
        .arg("refresh")
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
    let cases: [(&[u8], &str); 4] = [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<html>hi</html>", "not JSON"),
        (b"HTTP/1.1 302 Found\r\nLocation: https://evil.example/steal\r\nContent-Length: 0\r\n\r\n", "not followed"),
        (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"access", "timed out"),
        (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\noops!", "HTML page"),
    ];
    for (response, needle) in cases {
        let url = raw_server(response);
        let started = std::time::Instant::now();
        let out = refresh_against(&url);
        assert_eq!(out.status.code(), Some(5), "{needle}: {}", all_output(&out));
        assert!(stderr(&out).contains(needle) || stderr(&out).contains("broke"), "{needle}: {}", stderr(&out));
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
