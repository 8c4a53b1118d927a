//! The OAuth flow against a Salesforce login host: PKCE and state, the authorize URL (built with
//! the `oauth2` crate), the code exchange, refresh, revoke, introspection and userinfo.
//!
//! Salesforce specifics live here: client credentials go in the form body (Basic auth is
//! reported to fail for the code exchange), no `expires_in`, error bodies
//! `{"error","error_description"}`. Token calls are retried only when nothing reached
//! Salesforce (connect error) or on 503 / 429, with backoff.

use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::{Http, Response};
use crate::salesforce::answers::{self, AuthorizeAnswer};
use crate::salesforce::explain::{self, explain, Fix};
use crate::salesforce::paths;
use crate::salesforce::types::{OAuthError, TokenResponse};
use crate::ui::sanitize;

/// A prepared authorization request: the URL for the browser and what must be kept secret.
pub struct AuthRequest {
    pub url: String,
    pub state: SecretString,
    pub verifier: SecretString,
}

/// Builds the authorize URL: `response_type=code`, `client_id`, the exact `redirect_uri`, a fresh
/// 128-bit `state`, PKCE S256 (`code_challenge_method` sent explicitly; a 43-character verifier
/// from `[A-Za-z0-9-_]`, never `~`), `prompt=login`, and `scope` only when asked for.
pub fn authorize_request(login_url: &str, client_id: &str, redirect_uri: &str, scope: Option<&str>) -> Result<AuthRequest> {
    let auth_url = AuthUrl::new(format!("{login_url}{}", paths::AUTHORIZE)).map_err(|e| Error::usage(format!("bad login URL: {e}")))?;
    let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(|e| Error::usage(format!("bad redirect URI: {e}")))?;
    let client = oauth2::basic::BasicClient::new(ClientId::new(client_id.to_string())).set_auth_uri(auth_url).set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge).add_extra_param("prompt", "login");
    for s in scope.unwrap_or("").split_whitespace() {
        req = req.add_scope(Scope::new(s.to_string()));
    }
    let (url, state) = req.url();
    crate::redact::register(state.secret());
    crate::redact::register(verifier.secret());
    Ok(AuthRequest {
        url: url.to_string(),
        state: SecretString::from(state.secret().clone()),
        verifier: SecretString::from(verifier.secret().clone()),
    })
}

/// The answer of a token call: tokens, or Salesforce's OAuth error.
pub type TokenResult = Result<Result<TokenResponse, OAuthError>>;

fn token_url(login_url: &str) -> String {
    format!("{login_url}{}", paths::TOKEN)
}

/// Turns a token endpoint response into tokens or an OAuth error; anything else is an error
/// that says what came back (never the body, which could hold tokens).
pub fn read_token_response(resp: &Response, host: &str) -> TokenResult {
    if resp.is_success() {
        let tokens = TokenResponse::parse(&resp.body).map_err(|why| Error::unreachable(format!("{host}: {}", sanitize(&why))))?;
        crate::redact::register(tokens.access_token.expose_secret());
        if let Some(rt) = &tokens.refresh_token {
            crate::redact::register(rt.expose_secret());
        }
        return Ok(Ok(tokens));
    }
    if let Some(err) = OAuthError::parse(resp.status, &resp.body) {
        return Ok(Err(err));
    }
    Err(unexpected(resp, host))
}

/// An answer that is neither success nor Salesforce's error JSON.
pub fn unexpected(resp: &Response, host: &str) -> Error {
    if (300..400).contains(&resp.status) {
        let to = resp.location.as_deref().map(crate::http::redact_url).unwrap_or_default();
        return Error::unreachable(format!("{host} answered with a redirect ({}) to {to}; it was not followed", resp.status))
            .hint(explain::hint(&Fix::LoginUrl));
    }
    let kind = if resp.content_type.contains("html") { "an HTML page" } else { "an unexpected body" };
    let e = Error::unreachable(format!("{host} answered HTTP {} with {kind} instead of Salesforce's JSON", resp.status));
    e.hint(explain::hint(&explain::for_status(resp.status)))
}

/// Exchanges an authorization code (credentials and verifier in the body).
pub fn exchange_code(
    http: &Http,
    login_url: &str,
    client_id: &str,
    secret: Option<&SecretString>,
    code: &str,
    verifier: &SecretString,
    redirect_uri: &str,
) -> TokenResult {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier.expose_secret()),
    ];
    if let Some(s) = secret {
        form.push(("client_secret", s.expose_secret()));
    }
    let resp = http.post_form_retrying(&token_url(login_url), &form)?;
    read_token_response(&resp, &host_of(login_url))
}

/// A refresh grant.
pub fn refresh(http: &Http, login_url: &str, client_id: &str, secret: Option<&SecretString>, refresh_token: &SecretString) -> TokenResult {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token.expose_secret()), ("client_id", client_id)];
    if let Some(s) = secret {
        form.push(("client_secret", s.expose_secret()));
    }
    let resp = http.post_form_retrying(&token_url(login_url), &form)?;
    read_token_response(&resp, &host_of(login_url))
}

/// A token call with a code that cannot be valid, for the secret check: `invalid_client` means
/// a wrong secret; `invalid_grant` means the secret was not rejected (whether Salesforce checks
/// the secret before the code is not documented, 9.6: no proof either way).
pub fn probe_secret(http: &Http, login_url: &str, client_id: &str, secret: &SecretString, redirect_uri: &str) -> Result<Response> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", "mailfino-sf-probe-not-a-code"),
        ("client_id", client_id),
        ("client_secret", secret.expose_secret()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", "mailfino-sf-probe-verifier-0000000000000000000"),
    ];
    http.post_form(&token_url(login_url), &form)
}

/// Introspection of a token that cannot exist, for the secret check: the endpoint is documented
/// to require the app's id and secret (5.4, 9.6), so `{"active": false}` means both were accepted
/// and `invalid_client` means the secret was refused.
pub fn probe_introspect(http: &Http, login_url: &str, client_id: &str, secret: &SecretString) -> Result<Response> {
    let form = [
        ("token", "mailfino-sf-probe-not-a-token"),
        ("token_type_hint", "access_token"),
        ("client_id", client_id),
        ("client_secret", secret.expose_secret()),
    ];
    http.post_form(&format!("{login_url}{}", paths::INTROSPECT), &form)
}

/// Asks `/authorize` without a session (redirects not followed) and classifies the answer in
/// every form Salesforce uses (see [`answers::classify_authorize`]).
pub fn probe_authorize(http: &Http, login_url: &str, client_id: &str, redirect_uri: &str) -> Result<AuthorizeAnswer> {
    let mut url = url::Url::parse(&format!("{login_url}{}", paths::AUTHORIZE)).map_err(|e| Error::usage(format!("bad login URL: {e}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("code_challenge", "mailfino-sf-probe-challenge-00000000000000000")
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", "mailfino-sf-probe");
    let resp = http.get(url.as_str(), None)?;
    Ok(answers::classify_authorize(resp.status, resp.location.as_deref(), &resp.body, login_url, redirect_uri))
}

/// One query parameter of a URL (relative URLs allowed), decoded once.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The result of revoking a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    Confirmed,
    /// Salesforce did not know the token (already revoked or expired).
    Unknown(String),
}

/// `POST /services/oauth2/revoke`. Salesforce answers 200, or 400 with an error that comes
/// form-encoded (`error=unsupported_token_type&…`, 9.1) or as JSON: both are read, and any 400
/// error means Salesforce no longer knows the token (5.5, 9.1).
pub fn revoke(http: &Http, login_url: &str, token: &SecretString) -> Result<Revoked> {
    let resp = http.post_form_retrying(&format!("{login_url}{}", paths::REVOKE), &[("token", token.expose_secret())])?;
    if resp.is_success() {
        return Ok(Revoked::Confirmed);
    }
    match OAuthError::parse(resp.status, &resp.body) {
        Some(e) if resp.status == 400 => Ok(Revoked::Unknown(format!("{}: {}", e.error, e.description))),
        Some(e) => Err(oauth_error(&e)),
        None => Err(unexpected(&resp, &host_of(login_url))),
    }
}

/// What introspection says about a token.
#[derive(Debug, Clone, Default)]
pub struct Introspection {
    /// `None`: the answer had no `active` field, so nothing can be concluded (5.4).
    pub active: Option<bool>,
    pub scope: Option<String>,
    pub username: Option<String>,
}

/// `POST /services/oauth2/introspect` with the app's own credentials.
pub fn introspect(
    http: &Http,
    login_url: &str,
    client_id: &str,
    secret: &SecretString,
    token: &SecretString,
    hint: &str,
) -> Result<Result<Introspection, OAuthError>> {
    let form =
        [("token", token.expose_secret()), ("token_type_hint", hint), ("client_id", client_id), ("client_secret", secret.expose_secret())];
    let resp = http.post_form_retrying(&format!("{login_url}{}", paths::INTROSPECT), &form)?;
    if !resp.is_success() {
        return match OAuthError::parse(resp.status, &resp.body) {
            Some(e) => Ok(Err(e)),
            None => Err(unexpected(&resp, &host_of(login_url))),
        };
    }
    let v: Value = serde_json::from_str(&resp.body).map_err(|_| Error::unreachable("the introspection answer is not JSON"))?;
    Ok(Ok(Introspection {
        active: v.get("active").and_then(Value::as_bool),
        scope: v.get("scope").and_then(Value::as_str).map(str::to_string),
        username: v.get("username").and_then(Value::as_str).map(str::to_string),
    }))
}

/// Who the token belongs to.
#[derive(Debug, Clone, Default)]
pub struct UserInfo {
    pub username: Option<String>,
    pub org_id: Option<String>,
}

/// `GET /services/oauth2/userinfo` on the login host.
pub fn userinfo(http: &Http, login_url: &str, access: &SecretString) -> Result<UserInfo> {
    let resp = http.get(&format!("{login_url}{}", paths::USERINFO), Some(access))?;
    if !resp.is_success() {
        return Err(Error::refused(format!("userinfo answered HTTP {}", resp.status)));
    }
    let v: Value = serde_json::from_str(&resp.body).map_err(|_| Error::unreachable("the userinfo answer is not JSON"))?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(UserInfo { username: s("preferred_username"), org_id: s("organization_id") })
}

/// Salesforce's OAuth error as an exit-4 error with its explanation and fix.
pub fn oauth_error(e: &OAuthError) -> Error {
    let x = explain(&e.error, &e.description);
    let desc = if e.description.is_empty() { String::new() } else { format!(" ({})", sanitize(&e.description)) };
    let mut err = Error::refused(format!("Salesforce refused: {}{desc}: {}", sanitize(&e.error), x.meaning)).hint(x.hint());
    err.oauth_code = Some(e.error.clone());
    err.oauth_description = Some(e.description.clone());
    err
}

/// The host of a URL, for messages.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| sanitize(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_has_what_salesforce_needs() {
        let req = authorize_request("https://login.salesforce.com", "KEY", "http://localhost:8717/callback", None).unwrap();
        let url = url::Url::parse(&req.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/services/oauth2/authorize");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "KEY");
        assert_eq!(q["redirect_uri"], "http://localhost:8717/callback");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["prompt"], "login");
        assert!(!q.contains_key("scope"));
        assert_eq!(q["state"], req.state.expose_secret());
        assert!(req.state.expose_secret().len() >= 22, "128 bits of state");
        let v = req.verifier.expose_secret();
        assert!((43..=128).contains(&v.len()));
        assert!(v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let again =
            authorize_request("https://login.salesforce.com", "KEY", "http://localhost:8717/callback", Some("api refresh_token")).unwrap();
        assert_ne!(again.state.expose_secret(), req.state.expose_secret());
        assert!(again.url.contains("scope=api+refresh_token") || again.url.contains("scope=api%20refresh_token"), "{}", again.url);
    }

    #[test]
    fn query_params_decode_once() {
        assert_eq!(query_param("http://x/cb?code=aPrx%3D%3D&state=s", "code").unwrap(), "aPrx==");
        assert_eq!(
            query_param("/p?error=invalid_client_id&error_description=client%20identifier%20invalid", "error_description").unwrap(),
            "client identifier invalid"
        );
        assert_eq!(query_param("/p?a=1#frag", "a").unwrap(), "1");
        assert!(query_param("/p", "a").is_none());
    }
}
