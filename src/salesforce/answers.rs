//! Salesforce's answers read in every form it is known to use, as pure functions (no I/O):
//! OAuth errors as JSON, as a form-encoded body, as `error=…&error_description=…` text inside any
//! body (plain or wrapped in HTML such as `<pre>` with `&amp;`), on its own error page
//! `RemoteAccessErrorPage.apexp?error=…`, or on a redirect to the callback; and what an
//! unauthenticated `/authorize` answer proves.
//!
//! Invariant (the fidelity rule of the contract): only positive evidence classifies an answer as
//! accepted; anything else is an error (when one is found) or [`AuthorizeAnswer::Unknown`].
//! Decoding is `url::form_urlencoded` (both `+` and `%20`), never a hand-written decoder.

use serde_json::Value;
use url::Url;

/// An OAuth error found in an answer: the `error` code and its description (decoded once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundError {
    pub error: String,
    pub description: String,
}

/// An `error` code looks like Salesforce's: letters, digits, `_`, `-`, `.` (e.g. `invalid_client_id`,
/// `OAUTH_APP_BLOCKED`, `access-denied`).
fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// `error` and `error_description` from a query or form-encoded string. With `need_description`
/// the description must be present (guards against a stray `error=` in unrelated text).
fn from_query(query: &str, need_description: bool) -> Option<FoundError> {
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "error" if error.is_none() => error = Some(v.into_owned()),
            "error_description" if description.is_none() => description = Some(v.into_owned()),
            _ => {}
        }
        if error.is_some() && description.is_some() {
            break;
        }
    }
    let error = error.filter(|e| is_code(e))?;
    if need_description && description.is_none() {
        return None;
    }
    Some(FoundError { error, description: description.unwrap_or_default() })
}

/// Longest error text read: Salesforce's are short, and a bound keeps a hostile body of many
/// `error=` without blanks linear in its size.
const MAX_RUN: usize = 1024;

/// How many `error=` keys with a description after them are read at most: Salesforce's error
/// pages hold one; the bound keeps any hostile body to about a millisecond (measured in
/// `benches/parsers.rs`) instead of half a second.
const MAX_TRIES: usize = 256;

/// The run of URL-ish characters starting at `i` (up to whitespace, a quote or a tag bracket),
/// at most [`MAX_RUN`] bytes.
fn run_at(text: &str, i: usize) -> &str {
    let rest = &text[i..];
    let mut cap = rest.len().min(MAX_RUN);
    while !rest.is_char_boundary(cap) {
        cap -= 1;
    }
    let window = &rest[..cap];
    let end = window.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`')).unwrap_or(window.len());
    &window[..end]
}

/// Finds `error=…&error_description=…` anywhere in a text of any kind (reference 1.18, 1.19: the
/// pre-login errors come as a bare text body, which Chromium wraps in `<pre>`, and a captured page
/// shows `&amp;`), or a link to `RemoteAccessErrorPage.apexp?error=…` (1.17).
pub fn error_in_text(text: &str) -> Option<FoundError> {
    let text = text.replace("&amp;", "&").replace("&#38;", "&");
    const PAGE: &str = "RemoteAccessErrorPage.apexp?";
    if let Some(i) = text.find(PAGE) {
        if let Some(found) = from_query(run_at(&text, i + PAGE.len()), false) {
            return Some(found);
        }
    }
    // Error text is read only with its description (1.18, 1.19): a candidate is tried only when
    // an `error_description=` follows within its run, found in one pass over the text.
    let descriptions: Vec<usize> = text.match_indices("error_description=").map(|(d, _)| d).collect();
    let description_follows = |i: usize| {
        let next = descriptions.partition_point(|&d| d <= i);
        descriptions.get(next).is_some_and(|&d| d < i + MAX_RUN)
    };
    let mut from = 0;
    let mut tries = 0;
    while let Some(pos) = text[from..].find("error=") {
        let i = from + pos;
        from = i + "error=".len();
        // `error=` must start a key: not the tail of `xerror=` or `my_error=`, nor a value (`=error=`).
        let prev = text[..i].chars().next_back();
        if prev.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '=') || !description_follows(i) {
            continue;
        }
        tries += 1;
        if tries > MAX_TRIES {
            break; // a hostile body; "could not tell" is the safe answer
        }
        if let Some(found) = from_query(run_at(&text, i), true) {
            return Some(found);
        }
    }
    None
}

/// An OAuth error in a response body: JSON `{"error","error_description"}` (2c), a form-encoded
/// body (9.1: revoke errors), or error text inside any body (1.18, 1.19).
pub fn error_in_body(body: &str) -> Option<FoundError> {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(error) = s("error") {
            return Some(FoundError { error, description: s("error_description").unwrap_or_default() });
        }
        return None;
    }
    let trimmed = body.trim();
    if trimmed.starts_with("error=") || trimmed.contains("&error=") {
        if let Some(found) = from_query(trimmed, false) {
            return Some(found);
        }
    }
    error_in_text(body)
}

/// What an unauthenticated `GET /services/oauth2/authorize` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeAnswer {
    /// On to Salesforce's login page: the client id and redirect URI were accepted (1.24).
    LoginPage,
    /// Straight to the redirect URI, with a code or an error that is not about the app (1.13,
    /// 1.14, 9.3): the client id and redirect URI were accepted.
    Callback { error: Option<String> },
    /// Salesforce's error, in whichever form it came.
    Error(FoundError),
    /// Nothing recognisable: the tool cannot tell (never a pass).
    Unknown(String),
}

/// Errors that Salesforce raises before it trusts the redirect URI; they never legitimately
/// arrive on the callback.
const PRE_LOGIN: [&str; 2] = ["invalid_client_id", "redirect_uri_mismatch"];

/// The URL without query and fragment, for an exact comparison with a redirect URI (1.27).
fn without_query(u: &Url) -> String {
    let mut u = u.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// Classifies an `/authorize` answer. `base` is the login URL (to resolve a relative Location),
/// `redirect_uri` the one the probe sent.
pub fn classify_authorize(status: u16, location: Option<&str>, body: &str, base: &str, redirect_uri: &str) -> AuthorizeAnswer {
    let redirect = (300..400).contains(&status);
    if let (true, Some(loc)) = (redirect, location) {
        return classify_redirect(loc, base, redirect_uri);
    }
    if let Some(found) = error_in_body(body) {
        return AuthorizeAnswer::Error(found);
    }
    if status == 200 && is_login_form(body) {
        return AuthorizeAnswer::LoginPage;
    }
    let what = if redirect {
        "a redirect without a Location"
    } else if body.trim().is_empty() {
        "an empty body"
    } else {
        "a page that is neither a login page nor an error"
    };
    AuthorizeAnswer::Unknown(format!("HTTP {status} with {what}"))
}

fn classify_redirect(loc: &str, base: &str, redirect_uri: &str) -> AuthorizeAnswer {
    let target = Url::parse(base).and_then(|b| b.join(loc));
    let Ok(target) = target else { return AuthorizeAnswer::Unknown("a redirect to an address that is not a URL".into()) };
    let query = target.query().unwrap_or("");
    let on_callback = Url::parse(redirect_uri).is_ok_and(|r| without_query(&r) == without_query(&target));
    if on_callback {
        return match from_query(query, false) {
            Some(found) if PRE_LOGIN.contains(&found.error.as_str()) => AuthorizeAnswer::Error(found),
            Some(found) => AuthorizeAnswer::Callback { error: Some(found.error) },
            None => AuthorizeAnswer::Callback { error: None },
        };
    }
    if target.path().ends_with("RemoteAccessErrorPage.apexp") {
        return match from_query(query, false) {
            Some(found) => AuthorizeAnswer::Error(found),
            None => AuthorizeAnswer::Unknown("Salesforce's error page without an error code".into()),
        };
    }
    if let Some(found) = from_query(query, false) {
        return AuthorizeAnswer::Error(found);
    }
    // Salesforce sends an unauthenticated browser to its login page with `startURL` pointing at
    // the authorization page (1.24, UNSURE but strongly suggested by field reports).
    let start_url = target.query_pairs().any(|(k, _)| k.eq_ignore_ascii_case("startURL"));
    if start_url || target.path().contains("RemoteAccessAuthorizationPage") {
        return AuthorizeAnswer::LoginPage;
    }
    AuthorizeAnswer::Unknown(format!("a redirect to {}", crate::http::redact_url(target.as_str())))
}

/// A Salesforce login form rendered in place: a form with Salesforce's password field `pw`, or its
/// `login_form` id (UNSURE: seen on login pages, not documented).
fn is_login_form(body: &str) -> bool {
    let b = body.to_ascii_lowercase();
    b.contains("<form") && (b.contains("id=\"login_form\"") || b.contains("name=\"pw\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(e: &str, d: &str) -> Option<FoundError> {
        Some(FoundError { error: e.into(), description: d.into() })
    }

    #[test]
    fn every_reported_form_of_an_error() {
        let plain = "error=invalid_client_id&error_description=client%20identifier%20invalid";
        assert_eq!(error_in_body(plain), err("invalid_client_id", "client identifier invalid"));
        assert_eq!(error_in_body(&format!("{plain}\n")), err("invalid_client_id", "client identifier invalid"));
        let plus = "error=redirect_uri_mismatch&error_description=redirect_uri+must+match+configuration";
        assert_eq!(error_in_body(plus), err("redirect_uri_mismatch", "redirect_uri must match configuration"));
        let pre = "<html><head></head><body><pre style=\"word-wrap: break-word;\">error=redirect_uri_mismatch&amp;error_description=redirect_uri%20must%20match%20configuration</pre></body></html>";
        assert_eq!(error_in_body(pre), err("redirect_uri_mismatch", "redirect_uri must match configuration"));
        let json = r#"{"error":"invalid_client","error_description":"invalid client credentials"}"#;
        assert_eq!(error_in_body(json), err("invalid_client", "invalid client credentials"));
        let form = "error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported";
        assert_eq!(error_in_body(form), err("unsupported_token_type", "this token type is not supported"));
        let page = "<a href=\"/setup/secur/RemoteAccessErrorPage.apexp?error=OAUTH_APP_BLOCKED\">x</a>";
        assert_eq!(error_in_body(page), err("OAUTH_APP_BLOCKED", ""));
        let pasted = "The page says: error=invalid_client_id&error_description=client%20identifier%20invalid (what now?)";
        assert_eq!(error_in_text(pasted), err("invalid_client_id", "client identifier invalid"));
    }

    #[test]
    fn a_hostile_body_is_read_in_linear_time() {
        // 300 KB of `error=` without a blank: each candidate reads at most MAX_RUN bytes.
        let body = "error=".repeat(50_000);
        assert_eq!(error_in_body(&body), None);
        let body = format!("{}error=x&error_description=y", "error=a&".repeat(30_000));
        // Found within the capped run before the end; which of the repeated `error` keys it
        // takes (the window's first) does not matter, the description does.
        let found = error_in_body(&body).expect("the error at the end is found");
        assert!(found.description == "y" && ["a", "x"].contains(&found.error.as_str()), "{found:?}");
        // A million bytes of keys that are never an error with a description: nothing is found,
        // and nothing is read twice (the benchmark measures it).
        for hostile in ["&error=".repeat(150_000), "&error=&error_description=x".repeat(40_000)] {
            assert_eq!(error_in_body(&hostile), None);
        }
    }

    #[test]
    fn no_error_where_there_is_none() {
        for body in [
            "",
            "<html><body>hello</body></html>",
            "{}",
            r#"{"active":false}"#,
            "my_error=x&error_description=y",
            "error=&error_description=y",
            "error=two words&error_description=y",
            "<script>var u = '?error=' + e;</script>",
        ] {
            assert_eq!(error_in_body(body), None, "{body}");
        }
    }

    const CB: &str = "http://localhost:8717/callback";
    const BASE: &str = "https://acme.my.salesforce.com";

    #[test]
    fn authorize_answers() {
        let c = |status, loc: Option<&str>, body: &str| classify_authorize(status, loc, body, BASE, CB);
        assert_eq!(
            c(400, None, "error=invalid_client_id&error_description=client%20identifier%20invalid"),
            AuthorizeAnswer::Error(FoundError { error: "invalid_client_id".into(), description: "client identifier invalid".into() })
        );
        assert!(matches!(c(200, None, "error=redirect_uri_mismatch&error_description=x"), AuthorizeAnswer::Error(_)));
        let page = "/setup/secur/RemoteAccessErrorPage.apexp?error=invalid_client_id&error_description=client+identifier+invalid";
        assert!(matches!(c(302, Some(page), ""), AuthorizeAnswer::Error(ref f) if f.description == "client identifier invalid"));
        assert_eq!(
            c(302, Some("/?ec=302&startURL=%2Fsetup%2Fsecur%2FRemoteAccessAuthorizationPage.apexp"), ""),
            AuthorizeAnswer::LoginPage
        );
        assert_eq!(c(302, Some("http://localhost:8717/callback?code=a%3D%3D&state=s"), ""), AuthorizeAnswer::Callback { error: None });
        assert_eq!(
            c(302, Some("http://localhost:8717/callback?error=invalid_request&error_description=missing+required+code+challenge"), ""),
            AuthorizeAnswer::Callback { error: Some("invalid_request".into()) }
        );
        // A longer path that merely starts like the callback is not the callback.
        assert!(matches!(c(302, Some("http://localhost:8717/callbackX?code=a"), ""), AuthorizeAnswer::Unknown(_)));
        assert!(matches!(c(302, Some("https://elsewhere.example.com/"), ""), AuthorizeAnswer::Unknown(_)));
        assert!(matches!(c(302, None, ""), AuthorizeAnswer::Unknown(_)));
        assert!(matches!(c(200, None, "<html><body>Welcome</body></html>"), AuthorizeAnswer::Unknown(_)));
        assert!(matches!(c(500, None, ""), AuthorizeAnswer::Unknown(_)));
        assert_eq!(c(200, None, "<form id=\"login_form\"><input type=\"password\" name=\"pw\"></form>"), AuthorizeAnswer::LoginPage);
    }
}
