//! Salesforce's token responses, error bodies and scopes, parsed as Salesforce sends them.
//!
//! Parsing is tolerant where the reference is UNSURE: `issued_at` is accepted as a string or a
//! number of milliseconds, and unknown extra fields are ignored. No `expires_in` is expected.

use secrecy::SecretString;
use serde_json::Value;

/// A successful token response (authorization-code or refresh grant).
#[derive(Debug)]
pub struct TokenResponse {
    pub access_token: SecretString,
    /// Only when granted (and on a refresh only when rotation is on).
    pub refresh_token: Option<SecretString>,
    /// Granted scopes, space-separated (absent on some responses).
    pub scope: Option<String>,
    pub instance_url: Option<String>,
    /// The identity URL `https://HOST/id/ORG/USER`.
    pub id: Option<String>,
    pub token_type: Option<String>,
    /// Milliseconds since the epoch.
    pub issued_at: Option<u64>,
}

/// An OAuth error body `{"error","error_description"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub error: String,
    pub description: String,
}

fn string_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

impl TokenResponse {
    /// Parses a 2xx body. Errors name what is wrong without echoing the body (it holds tokens).
    pub fn parse(body: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(body).map_err(|_| "the token response is not JSON".to_string())?;
        if !v.is_object() {
            return Err("the token response is not a JSON object".into());
        }
        let access_token = string_field(&v, "access_token").filter(|s| !s.is_empty()).ok_or("the token response has no access_token")?;
        let issued_at = match v.get("issued_at") {
            Some(Value::String(s)) => s.parse().ok(),
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        Ok(TokenResponse {
            access_token: SecretString::from(access_token),
            refresh_token: string_field(&v, "refresh_token").filter(|s| !s.is_empty()).map(SecretString::from),
            scope: string_field(&v, "scope"),
            instance_url: string_field(&v, "instance_url"),
            id: string_field(&v, "id"),
            token_type: string_field(&v, "token_type"),
            issued_at,
        })
    }

    /// (org id, user id) from the identity URL.
    pub fn org_and_user(&self) -> Option<(String, String)> {
        let id = self.id.as_deref()?;
        let mut parts = id.trim_end_matches('/').rsplit('/');
        let user = parts.next()?.to_string();
        let org = parts.next()?.to_string();
        (parts.next()? == "id").then_some((org, user))
    }
}

impl OAuthError {
    /// Reads an error body in any form Salesforce uses: JSON, form-encoded (revoke, 9.1) or
    /// `error=…&error_description=…` text in any body (1.18, 1.19). `None` when there is none.
    pub fn parse(status: u16, body: &str) -> Option<Self> {
        let found = super::answers::error_in_body(body)?;
        Some(OAuthError { status, error: found.error, description: found.description })
    }
}

/// What the granted scopes mean for mailfino.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeVerdict {
    pub api: bool,
    pub refresh: bool,
    pub full: bool,
}

impl ScopeVerdict {
    pub fn of(scope: &str) -> Self {
        let has = |name: &str| scope.split_whitespace().any(|s| s == name);
        ScopeVerdict { api: has("api"), refresh: has("refresh_token") || has("offline_access"), full: has("full") }
    }

    /// The required scopes that are missing, in Setup's words.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if !self.api && !self.full {
            missing.push("Manage user data via APIs (api)");
        }
        if !self.refresh {
            missing.push("Perform requests at any time (refresh_token, offline_access)");
        }
        missing
    }
}

/// Milliseconds since the epoch as an RFC 3339 UTC time.
pub fn format_ms(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil-from-days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn parses_salesforce_token_response() {
        let body = r#"{"access_token":"00Dx!AQ","refresh_token":"5Aep","signature":"s","scope":"refresh_token api","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00Dx/005y","token_type":"Bearer","issued_at":"1708058728442","extra":{"x":1}}"#;
        let t = TokenResponse::parse(body).unwrap();
        assert_eq!(t.access_token.expose_secret(), "00Dx!AQ");
        assert_eq!(t.issued_at, Some(1708058728442));
        assert_eq!(t.org_and_user(), Some(("00Dx".into(), "005y".into())));
        let t = TokenResponse::parse(r#"{"access_token":"a","issued_at":1708058728442}"#).unwrap();
        assert_eq!(t.issued_at, Some(1708058728442));
        assert!(t.refresh_token.is_none());
        for bad in ["", "[]", "{}", r#"{"access_token":5}"#, "<html>"] {
            assert!(TokenResponse::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_tokens() {
        let t = TokenResponse::parse(r#"{"access_token":"SECRET-AT","refresh_token":"SECRET-RT"}"#).unwrap();
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("SECRET"), "{dbg}");
    }

    #[test]
    fn scope_verdicts() {
        assert!(ScopeVerdict::of("api refresh_token").missing().is_empty());
        assert!(ScopeVerdict::of("offline_access full").missing().is_empty());
        assert_eq!(ScopeVerdict::of("full").missing(), ["Perform requests at any time (refresh_token, offline_access)"]);
        assert_eq!(ScopeVerdict::of("refresh_token web").missing(), ["Manage user data via APIs (api)"]);
        assert_eq!(
            ScopeVerdict::of("web id apiX").missing(),
            ["Manage user data via APIs (api)", "Perform requests at any time (refresh_token, offline_access)"]
        );
    }

    #[test]
    fn formats_times() {
        assert_eq!(format_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_ms(1708058728442), "2024-02-16T04:45:28Z");
    }
}
