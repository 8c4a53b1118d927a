//! The checks that probe the app without a login: `client_id`, `callback_registered`,
//! `loopback_registered` (from unauthenticated `/authorize` answers) and `client_secret` (from a
//! bogus-code exchange and an introspection of a token that cannot exist).
//!
//! Invariant (contract, "Additions and changes"): a check passes only on positive evidence —
//! Salesforce's login page or a redirect to the registered callback for the authorize probes,
//! both secret probes accepting for the secret. An answer that cannot be classified is a `warn`
//! saying so, never a `pass`. Results say how strong they are: before a login the secret is only
//! "not rejected"; a refresh proves it.

use crate::checks::{Check, CheckId, Status};
use crate::error::{Error, Result};
use crate::http::Response;
use crate::salesforce::answers::{AuthorizeAnswer, FoundError};
use crate::salesforce::explain::{command, explain, explain_for, hint, Fix};
use crate::salesforce::types::OAuthError;
use crate::ui::sanitize;

/// Shortened Consumer Key for messages.
fn short(id: &str) -> String {
    let s = sanitize(id);
    if s.chars().count() > 16 {
        format!("{}…", s.chars().take(12).collect::<String>())
    } else {
        s
    }
}

fn unknown_client(p: &Result<AuthorizeAnswer>) -> bool {
    matches!(p, Ok(AuthorizeAnswer::Error(f)) if f.error == "invalid_client_id")
}

/// Positive evidence that Salesforce knows the client id: its login page, a redirect to the
/// callback, or a redirect_uri_mismatch (the registered callbacks can only be compared for a
/// known app; reference 1.18, 1.19, 1.24).
fn proves_client(p: &Result<AuthorizeAnswer>) -> Option<&'static str> {
    match p {
        Ok(AuthorizeAnswer::LoginPage) => Some("Salesforce offered its login page"),
        Ok(AuthorizeAnswer::Callback { .. }) => Some("Salesforce sent the browser on to the callback"),
        Ok(AuthorizeAnswer::Error(f)) if f.error == "redirect_uri_mismatch" => Some("Salesforce compared its callback URLs"),
        _ => None,
    }
}

/// What an unclassified or unexpected answer was, and its fix.
fn unclear(p: &AuthorizeAnswer) -> (String, String) {
    match p {
        AuthorizeAnswer::Error(FoundError { error, description }) => {
            let x = explain(error, description);
            (format!("Salesforce answered {} ({}): {}", sanitize(error), sanitize(description), x.meaning), x.hint())
        }
        AuthorizeAnswer::Unknown(what) => (
            format!("the authorize endpoint answered {}", sanitize(what)),
            format!("{}; `{}` proves the app works", hint(&Fix::LoginUrl), command("login")),
        ),
        AuthorizeAnswer::LoginPage | AuthorizeAnswer::Callback { .. } => (String::new(), String::new()),
    }
}

/// `client_id`, `callback_registered` and `loopback_registered` from the two authorize probes.
pub fn authorize_checks(
    client_id: &str,
    callback: &str,
    redirect: &str,
    cb: Result<AuthorizeAnswer>,
    lb: Result<AuthorizeAnswer>,
) -> Vec<Check> {
    let client = if unknown_client(&cb) || unknown_client(&lb) {
        Check::fail(
            CheckId::ClientId,
            format!("Salesforce does not know the Consumer Key {} (invalid_client_id)", short(client_id)),
            hint(&Fix::ConsumerKey),
        )
    } else if let Some(how) = proves_client(&cb).or(proves_client(&lb)) {
        Check::pass(CheckId::ClientId, format!("the Consumer Key {} is known to Salesforce ({how})", short(client_id)))
    } else {
        match (&cb, &lb) {
            (Err(e), _) | (_, Err(e)) => Check::from_error(CheckId::ClientId, e),
            (Ok(p), _) => {
                let (what, fix) = unclear(p);
                Check::warn(CheckId::ClientId, format!("could not tell whether Salesforce knows the Consumer Key: {what}"), fix)
            }
        }
    };
    let client_failed = client.status == Status::Fail;
    let registered = |id: CheckId, probe: Result<AuthorizeAnswer>, url: &str, what: &str| -> Check {
        if client_failed {
            return Check::skip(id, "the Consumer Key is not known");
        }
        match probe {
            Ok(AuthorizeAnswer::LoginPage) | Ok(AuthorizeAnswer::Callback { .. }) => Check::pass(id, format!("{what} {url} is registered")),
            // mailfino needs only its own callback; the loopback one only this tool's login.
            Ok(AuthorizeAnswer::Error(f)) if f.error == "redirect_uri_mismatch" && id == CheckId::LoopbackRegistered => Check::warn(
                id,
                format!("{what} {url} is not registered on the app; only `mailfino-sf login` needs it, mailfino does not"),
                format!("before `{}`: {}", command("login"), hint(&Fix::CallbackUrl(url.to_string()))),
            ),
            Ok(AuthorizeAnswer::Error(f)) if f.error == "redirect_uri_mismatch" => Check::fail(
                id,
                format!("{what} {url} is not registered on the app (redirect_uri_mismatch)"),
                explain_for(&f.error, &f.description, Some(url)).hint(),
            ),
            Ok(p) => {
                let (answer, fix) = unclear(&p);
                Check::warn(id, format!("could not tell whether {what} {url} is registered: {answer}"), fix)
            }
            Err(e) => Check::from_error(id, &e),
        }
    };
    vec![
        client,
        registered(CheckId::CallbackRegistered, cb, callback, "mailfino's callback URL"),
        registered(CheckId::LoopbackRegistered, lb, redirect, "the loopback redirect URI"),
    ]
}

/// One secret probe's reading.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SecretProbe {
    /// The credentials were not rejected (the text says what answered).
    Accepted(String),
    /// Salesforce refused the secret.
    Rejected(OAuthError),
    /// Salesforce does not know the client id.
    UnknownClient,
    /// Could not tell.
    Unclear(String),
}

fn rejected(e: &OAuthError) -> bool {
    matches!(e.error.as_str(), "invalid_client" | "invalid_client_credentials") && !e.description.contains("installed")
}

fn error_probe(where_: &str, resp: &Response) -> SecretProbe {
    match OAuthError::parse(resp.status, &resp.body) {
        Some(e) if e.error == "invalid_client_id" => SecretProbe::UnknownClient,
        Some(e) if rejected(&e) => SecretProbe::Rejected(e),
        Some(e) => SecretProbe::Unclear(format!("{where_} answered {} ({})", sanitize(&e.error), sanitize(&e.description))),
        None => SecretProbe::Unclear(format!("{where_} answered HTTP {} with nothing recognisable", resp.status)),
    }
}

/// The bogus-code exchange: `invalid_grant` means the secret was not rejected (2.13, 9.6).
fn read_token_probe(resp: &Response) -> SecretProbe {
    match OAuthError::parse(resp.status, &resp.body) {
        Some(e) if e.error == "invalid_grant" => SecretProbe::Accepted("the token endpoint".into()),
        _ => error_probe("the token endpoint", resp),
    }
}

/// Introspection of a dummy token: `{"active": false}` means the credentials were accepted (5.4, 9.6).
fn read_introspect_probe(resp: &Response) -> SecretProbe {
    if resp.is_success() {
        let v: Option<serde_json::Value> = serde_json::from_str(&resp.body).ok();
        if v.as_ref().and_then(|v| v.get("active")).and_then(serde_json::Value::as_bool).is_some() {
            return SecretProbe::Accepted("introspection".into());
        }
    }
    error_probe("introspection", resp)
}

fn describe(p: &SecretProbe) -> String {
    match p {
        SecretProbe::Accepted(w) => format!("{w} accepted it"),
        SecretProbe::Rejected(e) => format!("refused with {} ({})", sanitize(&e.error), sanitize(&e.description)),
        SecretProbe::UnknownClient => "the Consumer Key is not known".into(),
        SecretProbe::Unclear(w) => w.clone(),
    }
}

/// `client_secret` from the bogus-code exchange and the introspection probe.
pub fn secret_check(token: Result<Response>, intro: Result<Response>) -> Check {
    if let (Err(e), Err(_)) = (&token, &intro) {
        return Check::from_error(CheckId::ClientSecret, e);
    }
    let read = |r: &Result<Response>, f: fn(&Response) -> SecretProbe, what: &str| match r {
        Ok(resp) => f(resp),
        Err(e) => SecretProbe::Unclear(format!("{what} did not answer ({})", sanitize(&e.message))),
    };
    let t = read(&token, read_token_probe, "the token endpoint");
    let i = read(&intro, read_introspect_probe, "introspection");
    let both = format!("token endpoint: {}; introspection: {}", describe(&t), describe(&i));
    let login_proves = hint(&Fix::ProveSecret);
    match (&t, &i) {
        (SecretProbe::UnknownClient, _) | (_, SecretProbe::UnknownClient) => {
            Check::skip(CheckId::ClientSecret, "the Consumer Key is not known")
        }
        (SecretProbe::Accepted(_), SecretProbe::Accepted(_)) => Check::pass(
            CheckId::ClientSecret,
            "the Consumer Secret is not rejected by Salesforce (token endpoint and introspection); a refresh after a login proves it",
        ),
        (SecretProbe::Rejected(e), SecretProbe::Rejected(_))
        | (SecretProbe::Rejected(e), SecretProbe::Unclear(_))
        | (SecretProbe::Unclear(_), SecretProbe::Rejected(e)) => Check::fail(
            CheckId::ClientSecret,
            format!("Salesforce refused the Consumer Secret ({both})"),
            explain(&e.error, &e.description).hint(),
        ),
        (SecretProbe::Accepted(_), SecretProbe::Rejected(e)) | (SecretProbe::Rejected(e), SecretProbe::Accepted(_)) => Check::warn(
            CheckId::ClientSecret,
            format!("the secret probes disagree ({both})"),
            format!("{login_proves}; if that fails too: {}", explain(&e.error, &e.description).hint()),
        ),
        _ => Check::warn(CheckId::ClientSecret, format!("could not tell whether the Consumer Secret is right ({both})"), login_proves),
    }
}

/// The secret check once a refresh has run: a refresh that worked proves the secret; when the
/// probes said otherwise, both answers are shown (`warn`).
pub fn merge_secret(probe: Check, refresh: Check) -> Check {
    match (probe.status, refresh.status) {
        (_, Status::Fail) => refresh,
        (Status::Fail, _) => Check::warn(
            CheckId::ClientSecret,
            format!("a refresh with the Consumer Secret worked, but the probes said: {}", probe.summary),
            format!(
                "check \"Require secret for Refresh Token Flow\" on the app; if mailfino's logins fail: {}",
                hint(&Fix::ConsumerSecret)
            ),
        ),
        _ => refresh,
    }
}

/// The error of a failed refresh that names the secret (`invalid_client`), as a check.
pub fn secret_refused(e: &Error) -> Option<Check> {
    let code = e.oauth_code.as_deref()?;
    matches!(code, "invalid_client" | "invalid_client_credentials").then(|| Check::from_error(CheckId::ClientSecret, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response { status, location: None, retry_after: None, content_type: String::new(), limit_info: None, body: body.to_string() }
    }

    const GRANT: &str = r#"{"error":"invalid_grant","error_description":"expired authorization code"}"#;
    const CLIENT: &str = r#"{"error":"invalid_client","error_description":"invalid client credentials"}"#;
    const INACTIVE: &str = r#"{"active":false}"#;

    #[test]
    fn secret_results_by_strength() {
        let c = secret_check(Ok(resp(400, GRANT)), Ok(resp(200, INACTIVE)));
        assert_eq!(c.status, Status::Pass);
        assert!(c.summary.contains("not rejected"), "{}", c.summary);
        let c = secret_check(Ok(resp(400, CLIENT)), Ok(resp(400, "error=invalid_client&error_description=invalid%20client%20credentials")));
        assert_eq!(c.status, Status::Fail);
        let c = secret_check(Ok(resp(400, GRANT)), Ok(resp(400, CLIENT)));
        assert_eq!(c.status, Status::Warn, "disagreement");
        assert!(c.summary.contains("token endpoint: the token endpoint accepted it") && c.summary.contains("invalid_client"));
        let c = secret_check(Ok(resp(400, GRANT)), Ok(resp(200, "<html>hi</html>")));
        assert_eq!(c.status, Status::Warn, "an unclassified answer never passes");
        let c = secret_check(Ok(resp(200, "<html>hi</html>")), Ok(resp(404, "")));
        assert_eq!(c.status, Status::Warn);
        let proven = Check::pass(CheckId::ClientSecret, "proven by a refresh");
        assert_eq!(merge_secret(c.clone(), proven.clone()).summary, "proven by a refresh");
        let failed = secret_check(Ok(resp(400, CLIENT)), Ok(resp(400, CLIENT)));
        assert_eq!(merge_secret(failed, proven).status, Status::Warn);
    }
}
