//! The one HTTP client of a run: rustls, connect and total timeouts, no automatic redirects,
//! `User-Agent: mailfino-sf/VERSION`, proxies from the environment, bodies capped in size.
//!
//! The timeout (`MAILFINO_SF_HTTP_TIMEOUT`) is a deadline for the whole exchange, body included:
//! each exchange runs on a helper thread that is abandoned when the deadline passes, so a server
//! that trickles its body a byte at a time cannot keep the tool waiting.
//!
//! Every secret sent (secret form fields, Bearer tokens) is registered with `redact` before it
//! leaves, so that a server echoing it back cannot get it printed. With `-v` every exchange is
//! traced on stderr with secrets redacted: the `Authorization` header, form fields and JSON
//! fields that hold secrets, `code`/`state` in URLs, and every known secret anywhere else.

use std::io::Read;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::redact;
use crate::ui::{sanitize, sanitize_max};

/// Names whose values are never printed (form fields, JSON fields, query parameters).
const SECRET_FIELDS: &[&str] =
    &["client_secret", "code", "code_verifier", "refresh_token", "access_token", "token", "id_token", "signature", "password"];

/// Largest body read from a server; a larger one is an error, never read into memory whole.
pub const MAX_BODY: u64 = 1024 * 1024;

/// A response, read whole (up to [`MAX_BODY`]).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
    pub content_type: String,
    /// `Sforce-Limit-Info`, when sent.
    pub limit_info: Option<String>,
    pub body: String,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The shared client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::blocking::Client,
    verbose: bool,
    timeout: Duration,
}

impl Http {
    /// A client whose every exchange ends within `timeout`.
    pub fn new(verbose: bool, timeout: Duration) -> Result<Self> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("mailfino-sf/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .build()
            .map_err(|e| Error::internal(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Http { client, verbose, timeout })
    }

    /// GET, with a Bearer token when given.
    pub fn get(&self, url: &str, bearer: Option<&SecretString>) -> Result<Response> {
        let mut req = self.client.get(url);
        if let Some(token) = bearer {
            redact::register(token.expose_secret());
            req = req.bearer_auth(token.expose_secret());
        }
        self.trace_request("GET", url, bearer.is_some(), None);
        self.send(req, url)
    }

    /// POST an `application/x-www-form-urlencoded` body.
    pub fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<Response> {
        for (_, v) in form.iter().filter(|(k, _)| is_secret(k)) {
            redact::register(v);
        }
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        self.trace_request("POST", url, false, Some(form));
        let req = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body);
        self.send(req, url)
    }

    /// Sends `req` and reads the answer, all within the deadline.
    fn send(&self, req: reqwest::blocking::RequestBuilder, url: &str) -> Result<Response> {
        let started = Instant::now();
        let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        let path = url::Url::parse(url).map(|u| u.path().to_string()).unwrap_or_default();
        // On a terminal a slow answer is named in the spinner (nothing when none shows).
        let _waiting = crate::progress::waiting(&host, &path);
        let (tx, rx) = mpsc::channel();
        let (this, h) = (self.clone(), host.clone());
        // Abandoned at the deadline; it ends by itself at reqwest's own timeout at the latest.
        std::thread::spawn(move || {
            let _ = tx.send(this.exchange(req, &h));
        });
        let response = match rx.recv_timeout(self.timeout) {
            Ok(result) => result?,
            Err(_) => {
                return Err(Error::unreachable(format!("{host}: timed out after {:?} without a complete answer", self.timeout)).hint(
                    format!(
                        "{}; MAILFINO_SF_HTTP_TIMEOUT sets the deadline",
                        crate::salesforce::explain::hint(&crate::salesforce::explain::Fix::Network)
                    ),
                ))
            }
        };
        self.trace_response(&response, started.elapsed());
        Ok(response)
    }

    /// The exchange itself (on the helper thread of [`send`](Self::send)).
    fn exchange(&self, req: reqwest::blocking::RequestBuilder, host: &str) -> Result<Response> {
        let resp = req.send().map_err(|e| self.transport_error(host, e))?;
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let limit_info = header("sforce-limit-info");
        let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
        let mut bytes = Vec::new();
        resp.take(MAX_BODY + 1).read_to_end(&mut bytes).map_err(|e| {
            let what = if is_timeout_io(&e) {
                format!("timed out after {:?} reading the answer", self.timeout)
            } else {
                format!("the connection broke while reading the answer ({e})")
            };
            Error::unreachable(format!("{host}: {what}"))
        })?;
        if bytes.len() as u64 > MAX_BODY {
            return Err(Error::unreachable(format!(
                "{host} answered with more than {} KiB; that is not a Salesforce OAuth answer",
                MAX_BODY / 1024
            )));
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Response { status, location, retry_after, content_type, limit_info, body })
    }

    fn transport_error(&self, host: &str, e: reqwest::Error) -> Error {
        let e = e.without_url();
        let what = if e.is_timeout() {
            format!("no answer within {:?}", self.timeout)
        } else if e.is_connect() {
            let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
            let mut detail = String::new();
            while let Some(s) = source {
                detail = s.to_string();
                source = s.source();
            }
            format!("cannot connect ({detail})")
        } else {
            format!("{e}")
        };
        let mut err = Error::unreachable(format!("{host} is unreachable: {what}"))
            .hint(crate::salesforce::explain::hint(&crate::salesforce::explain::Fix::Network));
        err.not_sent = e.is_connect();
        err
    }

    fn trace_request(&self, method: &str, url: &str, bearer: bool, form: Option<&[(&str, &str)]>) {
        if !self.verbose {
            return;
        }
        eprintln!("> {method} {}", redact_url(url));
        if bearer {
            eprintln!("> authorization: Bearer [redacted]");
        }
        if let Some(form) = form {
            let shown: Vec<String> =
                form.iter().map(|(k, v)| format!("{k}={}", if is_secret(k) { "[redacted]".to_string() } else { sanitize(v) })).collect();
            eprintln!("> {}", shown.join("&"));
        }
    }

    fn trace_response(&self, r: &Response, took: Duration) {
        if !self.verbose {
            return;
        }
        eprintln!("< {} ({} ms, {} bytes)", r.status, took.as_millis(), r.body.len());
        if let Some(loc) = &r.location {
            eprintln!("< location: {}", redact_url(loc));
        }
        if !r.body.is_empty() {
            eprintln!("< {}", redact_body(&r.body));
        }
    }
}

/// Whether reading the body ended at a deadline: by the error's kind, or the reqwest error it
/// wraps (reqwest reports its own timeout that way), never by its message text.
fn is_timeout_io(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
        || e.get_ref().and_then(|inner| inner.downcast_ref::<reqwest::Error>()).is_some_and(reqwest::Error::is_timeout)
}

fn is_secret(name: &str) -> bool {
    SECRET_FIELDS.contains(&name)
}

/// The URL with secret query parameters replaced.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else { return sanitize(url) };
    if parsed.query().is_none() {
        return sanitize(url);
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret(&k) || k == "state" { "[redacted]".to_string() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    sanitize(parsed.as_str())
}

/// A response body for the trace: JSON with secret fields replaced, or the start of other text.
pub fn redact_body(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) => {
            redact_json(&mut v);
            sanitize(&v.to_string())
        }
        // Redacted whole before it is cut, so that no secret leaks by halves.
        Err(_) => sanitize_max(body, 200),
    }
}

fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret(k) {
                    *val = serde_json::Value::String("[redacted]".into());
                } else {
                    redact_json(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

impl Http {
    /// POST a form, retried only when nothing reached the server (connect error) or on 503 /
    /// 429, with backoff (Retry-After honoured up to 10 s). Three retries at most.
    pub fn post_form_retrying(&self, url: &str, form: &[(&str, &str)]) -> Result<Response> {
        let mut delay = Duration::from_millis(300);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.post_form(url, form);
            let retry_after = match &result {
                Ok(r) if (r.status == 503 || r.status == 429) && attempt <= 3 => {
                    Some(r.retry_after.unwrap_or(delay).min(Duration::from_secs(10)))
                }
                Err(e) if e.not_sent && attempt <= 3 => Some(delay),
                _ => None,
            };
            match retry_after {
                Some(wait) => {
                    if self.verbose {
                        eprintln!("* retrying in {} ms", wait.as_millis());
                    }
                    std::thread::sleep(wait);
                    delay *= 2;
                }
                None => return result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        let u = redact_url("http://localhost:1/cb?code=abc%3D%3D&state=xyz&other=1");
        assert!(!u.contains("abc") && !u.contains("xyz") && u.contains("other=1"), "{u}");
        let b = redact_body(r#"{"access_token":"AT","nested":{"refresh_token":"RT"},"scope":"api"}"#);
        assert!(!b.contains("AT\"") && !b.contains("RT") && b.contains("api"), "{b}");
    }
}
