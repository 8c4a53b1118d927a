//! The loopback callback listener and the parsers for what comes back: the callback request, or
//! an address the admin pastes.
//!
//! The listener binds the redirect URI's own port before the browser opens: for `localhost` on
//! both 127.0.0.1 and ::1 (browsers pick either), never on 0.0.0.0. Its HTTP server is our own
//! ([`http`]): connections are read on their own threads with caps on count, size and time, so
//! no local peer can block or exhaust the login; only complete request heads reach the login loop,
//! which answers through a channel and never waits on a client.

mod http;

use std::sync::mpsc::Receiver;
use std::time::Duration;

use url::{Host, Url};

use crate::error::{Error, Kind, Result};
use crate::salesforce::explain::{self, Fix};

pub use http::{parse_head, Head, Method, Request, Response};

/// The path the result page is served on after the callback (so the code leaves the address bar).
pub const RESULT_PATH: &str = "/mailfino-sf/result";

/// A bound listener; dropping it frees the port.
pub struct Listener {
    _server: http::Server,
    rx: Receiver<Request>,
    pub port: u16,
    pub path: String,
}

impl Listener {
    /// Binds the redirect URI's host and port. A taken port is exit 8 naming the port.
    pub fn bind(redirect: &Url) -> Result<Listener> {
        let port = redirect.port_or_known_default().unwrap_or(80);
        let addrs: Vec<(&str, bool)> = match redirect.host() {
            Some(Host::Domain(_)) => vec![("127.0.0.1", true), ("::1", false)],
            Some(Host::Ipv4(_)) => vec![("127.0.0.1", true)],
            Some(Host::Ipv6(_)) => vec![("::1", true)],
            None => return Err(Error::usage("the redirect URI has no host")),
        };
        let mut sockets = Vec::new();
        for (ip, required) in addrs {
            match std::net::TcpListener::bind((ip, port)) {
                Ok(s) => sockets.push(s),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied) => {
                    return Err(port_taken(port, redirect));
                }
                // No IPv6 on this machine: 127.0.0.1 alone serves `localhost`.
                Err(_) if !required => {}
                Err(e) => return Err(Error::new(Kind::PortTaken, format!("cannot listen on {ip} port {port}: {e}"))),
            }
        }
        let (server, rx) = http::serve(sockets);
        Ok(Listener { _server: server, rx, port, path: redirect.path().to_string() })
    }

    /// The next complete request, if one arrives within `wait`.
    pub fn next(&self, wait: Duration) -> Option<Request> {
        self.rx.recv_timeout(wait).ok()
    }
}

fn port_taken(port: u16, redirect: &Url) -> Error {
    Error::new(Kind::PortTaken, format!("port {port} on this machine is taken, so the login callback {redirect} cannot be received"))
        .hint(format!("free the port: find the program with `ss -ltnp 'sport = :{port}'` (or `lsof -i :{port}`) and stop it"))
        .hint(explain::hint(&Fix::OtherLoopback(format!("http://localhost:{}/callback", port.wrapping_add(1).max(1024)))))
}

/// What a request to the listener is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hit {
    /// The callback path with these query parameters (decoded once).
    Callback(Vec<(String, String)>),
    /// The result page after the callback.
    ResultPage,
    /// A CORS / private-network preflight.
    Preflight,
    /// Anything else (favicon, `/`, HEAD, other methods).
    Other,
}

/// Classifies a request by method and URL.
pub fn classify(method: &Method, raw_url: &str, callback_path: &str) -> Hit {
    let (path, query) = raw_url.split_once('?').unwrap_or((raw_url, ""));
    match method {
        Method::Options => Hit::Preflight,
        Method::Get if path == callback_path => Hit::Callback(url::form_urlencoded::parse(query.as_bytes()).into_owned().collect()),
        Method::Get if path == RESULT_PATH => Hit::ResultPage,
        _ => Hit::Other,
    }
}

/// Answers a request that is not the callback, and ignores it.
pub fn answer_other(request: Request, hit: &Hit) {
    let reply = match hit {
        Hit::Preflight => Response::new(204).with_header("Access-Control-Allow-Private-Network", "true"),
        _ if request.method() == &Method::Head => Response::new(404),
        _ => page(404, "Not found", "This is mailfino-sf's login listener; it only answers the login callback."),
    };
    request.respond(reply);
}

/// A small HTML page.
pub fn page(status: u16, title: &str, text: &str) -> Response {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>mailfino-sf: {t}</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:4em auto;color:#181818}}</style></head>\
         <body><h1>{t}</h1><p>{x}</p></body></html>",
        t = esc(title),
        x = esc(text)
    );
    Response::new(status).with_header("Content-Type", "text/html; charset=utf-8").with_header("Cache-Control", "no-store").with_body(html)
}

/// A 303 to the result page.
pub fn to_result_page(request: Request) {
    request.respond(Response::new(303).with_header("Location", RESULT_PATH));
}

/// What the admin pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pasted {
    /// A callback URL: its code, state and error (decoded once).
    Callback { code: Option<String>, state: Option<String>, error: Option<String>, description: Option<String> },
    /// Salesforce's own error page.
    ErrorPage { error: String, description: String },
    /// Error text copied from the page (not the address bar): the pre-login errors come as a
    /// bare `error=…&error_description=…` body (reference 1.18, 1.19).
    ErrorText { error: String, description: String },
    /// Just the code (decoded once when %-encoded).
    Code(String),
}

/// Parses a pasted address-bar URL or bare code. Tolerates whitespace, quotes and `#` fragments.
pub fn parse_pasted(input: &str) -> Result<Pasted> {
    let s = input.trim().trim_matches(|c| c == '"' || c == '\'' || c == '<' || c == '>').trim();
    if s.is_empty() {
        return Err(Error::usage("nothing was pasted").hint("paste the whole address from the browser's address bar, or just the code"));
    }
    let bad = || {
        Error::usage("what was pasted is neither the callback address nor a code")
            .hint("paste the whole address from the browser's address bar (it starts with http://localhost…), or just the value of `code=`")
    };
    let error_text =
        || crate::salesforce::answers::error_in_text(s).map(|f| Pasted::ErrorText { error: f.error, description: f.description });
    let starts_as_url = s.starts_with("http://") || s.starts_with("https://") || s.starts_with('/');
    if !starts_as_url {
        if let Some(text) = error_text() {
            return Ok(text);
        }
    }
    if s.contains("://") || s.starts_with('/') {
        let without_fragment = s.split('#').next().unwrap_or(s);
        let params: Vec<(String, String)> = without_fragment
            .split_once('?')
            .map(|(_, q)| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if without_fragment.contains("RemoteAccessErrorPage") {
            return Ok(Pasted::ErrorPage {
                error: get("error").unwrap_or_else(|| "unknown".into()),
                description: get("error_description").unwrap_or_default(),
            });
        }
        if get("code").is_none() && get("error").is_none() {
            return error_text().ok_or_else(bad);
        }
        return Ok(Pasted::Callback { code: get("code"), state: get("state"), error: get("error"), description: get("error_description") });
    }
    let s = s.strip_prefix("code=").unwrap_or(s);
    // A code is one token; '=' appears only as base64 padding at its end.
    if s.chars().any(char::is_whitespace) || s.contains('&') || s.trim_end_matches('=').contains('=') {
        return Err(bad());
    }
    let code = if s.contains('%') { percent_decode(s).ok_or_else(bad)? } else { s.to_string() };
    Ok(Pasted::Code(code))
}

/// Decodes `%XX` once (a `+` stays a `+`: it is part of a base64 code). Malformed escapes or
/// bytes that are not UTF-8 give `None`.
fn percent_decode(s: &str) -> Option<String> {
    let malformed = s.match_indices('%').any(|(i, _)| s.get(i + 1..i + 3).is_none_or(|h| !h.chars().all(|c| c.is_ascii_hexdigit())));
    if malformed {
        return None;
    }
    percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_callback_urls() {
        let p = parse_pasted("  'http://localhost:8717/callback?code=aPrx%2Bx%3D%3D&state=abc#_=_'\n").unwrap();
        assert_eq!(p, Pasted::Callback { code: Some("aPrx+x==".into()), state: Some("abc".into()), error: None, description: None });
        let p = parse_pasted("http://localhost:8717/callback?error=access_denied&error_description=end-user+denied+authorization&state=s")
            .unwrap();
        assert!(matches!(p, Pasted::Callback { error: Some(ref e), .. } if e == "access_denied"));
        let p = parse_pasted("https://acme.my.salesforce.com/setup/secur/RemoteAccessErrorPage.apexp?error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration").unwrap();
        assert_eq!(
            p,
            Pasted::ErrorPage { error: "redirect_uri_mismatch".into(), description: "redirect_uri must match configuration".into() }
        );
    }

    #[test]
    fn pasted_codes() {
        assert_eq!(parse_pasted("aPrxAB%2Fc%3D%3D").unwrap(), Pasted::Code("aPrxAB/c==".into()));
        assert_eq!(parse_pasted("\"aPrxAB+c==\"").unwrap(), Pasted::Code("aPrxAB+c==".into()));
        assert_eq!(parse_pasted("code=aPrx%3D%3D").unwrap(), Pasted::Code("aPrx==".into()));
        assert!(parse_pasted("").is_err());
        assert!(parse_pasted("two words").is_err());
        assert!(parse_pasted("http://localhost:8717/callback").is_err());
        assert!(parse_pasted("abc%zz").is_err());
    }

    #[test]
    fn pasted_error_text_from_the_page() {
        let want = Pasted::ErrorText { error: "invalid_client_id".into(), description: "client identifier invalid".into() };
        assert_eq!(parse_pasted("error=invalid_client_id&error_description=client%20identifier%20invalid\n").unwrap(), want);
        assert_eq!(
            parse_pasted("The page says: error=invalid_client_id&error_description=client%20identifier%20invalid - help?").unwrap(),
            want
        );
        let p = parse_pasted("<pre>error=redirect_uri_mismatch&amp;error_description=redirect_uri%20must%20match%20configuration</pre>");
        assert!(matches!(p, Ok(Pasted::ErrorText { ref error, .. }) if error == "redirect_uri_mismatch"), "{p:?}");
    }

    #[test]
    fn classify_requests() {
        assert_eq!(classify(&Method::Options, "/callback", "/callback"), Hit::Preflight);
        assert_eq!(classify(&Method::Get, "/favicon.ico", "/callback"), Hit::Other);
        assert_eq!(classify(&Method::Head, "/callback?code=x", "/callback"), Hit::Other);
        assert_eq!(classify(&Method::Get, RESULT_PATH, "/callback"), Hit::ResultPage);
        assert_eq!(
            classify(&Method::Get, "/callback?code=a%3D%3D&state=s", "/callback"),
            Hit::Callback(vec![("code".into(), "a==".into()), ("state".into(), "s".into())])
        );
    }
}
