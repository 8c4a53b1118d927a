//! Salesforce's REST answers as Salesforce sends them: error lists `[{"message","errorCode"}]`,
//! the `Sforce-Limit-Info` header, SOQL query answers (`totalSize`, `done`, `records`), the API
//! version list, and SOQL string literals. Pure parsing; nothing here talks HTTP.
//!
//! Every parser is total: an answer of another shape is `None`, never a panic and never a guess.

use serde_json::Value;

/// One REST error (`post-setup-failures.md` A.2, A.6, A.9: `[{"message","errorCode"}]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    pub code: String,
    pub message: String,
}

impl RestError {
    /// The first error of a REST error body (a list, or a single object as some resources send).
    pub fn parse(body: &str) -> Option<RestError> {
        let v: Value = serde_json::from_str(body).ok()?;
        let first = match &v {
            Value::Array(items) => items.first()?,
            Value::Object(_) => &v,
            _ => return None,
        };
        let code = first.get("errorCode")?.as_str()?.to_string();
        let message = first.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
        Some(RestError { code, message })
    }
}

/// Daily API usage from `Sforce-Limit-Info: api-usage=18/5000` (B.1, CONFIRMED).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    /// Reads the org-wide `api-usage=USED/MAX` part; other parts (`per-app-api-usage=…`) are ignored.
    pub fn parse(header: &str) -> Option<ApiUsage> {
        header.split([';', ',']).find_map(|part| {
            let (k, v) = part.split_once('=')?;
            if k.trim() != "api-usage" {
                return None;
            }
            let (used, max) = v.trim().split_once('/')?;
            let (used, max) = (used.trim().parse().ok()?, max.trim().parse().ok()?);
            (max > 0).then_some(ApiUsage { used, max })
        })
    }

    /// Per cent used, rounded down.
    pub fn percent(self) -> u64 {
        self.used.saturating_mul(100) / self.max
    }
}

/// The records of a SOQL answer, when it has Salesforce's shape.
pub fn query_records(body: &str) -> Option<Vec<Value>> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.get("totalSize")?.as_u64()?;
    v.get("records")?.as_array().cloned()
}

/// The newest version in the `/services/data/` list (ref 5.6), e.g. `63.0`.
pub fn latest_version(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.as_array()?
        .iter()
        .filter_map(|x| x.get("version")?.as_str())
        .filter(|s| valid_version(s))
        .max_by(|a, b| version_key(a).partial_cmp(&version_key(b)).unwrap_or(std::cmp::Ordering::Equal))
        .map(str::to_string)
}

fn version_key(v: &str) -> f64 {
    v.parse().unwrap_or(0.0)
}

/// `NN.N`: digits, one dot, digits (what goes into `/services/data/vNN.N/`).
pub fn valid_version(v: &str) -> bool {
    let Some((a, b)) = v.split_once('.') else { return false };
    !a.is_empty() && !b.is_empty() && a.len() <= 3 && b.len() <= 2 && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
}

/// A SOQL string literal: quoted, with `\` and `'` escaped (and line breaks, which SOQL forbids
/// unescaped).
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// What a user needs to read an object, for a `skip` when Salesforce refuses a query
/// (post-setup-failures.md B.2, B.3).
pub fn needed_for(object: &str) -> &'static str {
    match object {
        "OauthToken" => "API version 32.0 or later; an admin needs Customize Application to see other users' approvals",
        "ExternalClientApplication" | "ExtlClntAppOauthPlcyCnfg" | "ExtlClntAppPlcyCnfg" | "ExtlClntAppOauthSettings" => {
            "the permission \"View all External Client Apps, view their settings, and edit their policies\" (and External Client Apps enabled in Setup)"
        }
        "ConnectedApplication" | "SetupEntityAccess" | "PermissionSetAssignment" | "PermissionSet" => {
            "the permission \"View Setup and Configuration\""
        }
        "UserLogin" => "the permission \"Manage Users\"",
        "User" => "the API Enabled permission",
        _ => "an admin's permissions",
    }
}

/// What a refusal of a query on `object` with `code` asks for: the API version, or the permission.
pub fn refusal_needs(object: &str, code: &str) -> String {
    match code {
        "NOT_FOUND" => "an API version this instance offers (run `mailfino-sf login` again to learn it)".into(),
        "INVALID_FIELD" => format!("{} (or a newer API version)", needed_for(object)),
        _ => needed_for(object).to_string(),
    }
}

/// A string field of a record (a path like `Parent.Name` follows relationships).
pub fn field<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(record, |v, k| v.get(k)).filter(|v| !v.is_null())
}

/// A string field of a record.
pub fn text(record: &Value, path: &str) -> Option<String> {
    field(record, path).and_then(Value::as_str).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_errors_in_both_shapes() {
        let e = RestError::parse(r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#).unwrap();
        assert_eq!(e.code, "REQUEST_LIMIT_EXCEEDED");
        assert_eq!(RestError::parse(r#"{"errorCode":"NOT_FOUND","message":"x"}"#).unwrap().code, "NOT_FOUND");
        for bad in ["", "[]", "{}", "<html>", r#"[{"message":"m"}]"#, r#"{"error":"invalid_grant"}"#, "5"] {
            assert!(RestError::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn limit_info() {
        assert_eq!(ApiUsage::parse("api-usage=18/5000"), Some(ApiUsage { used: 18, max: 5000 }));
        let u = ApiUsage::parse("per-app-api-usage=17/250(appName=sample-app); api-usage=4000/5000").unwrap();
        assert_eq!((u.used, u.percent()), (4000, 80));
        for bad in ["", "api-usage=", "api-usage=1/0", "api-usage=a/5", "per-app-api-usage=17/250"] {
            assert!(ApiUsage::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(ApiUsage { used: u64::MAX, max: 1 }.percent(), u64::MAX);
    }

    #[test]
    fn versions_and_literals() {
        let body = r#"[{"version":"61.0"},{"version":"9.0"},{"version":"63.0"},{"version":"x"}]"#;
        assert_eq!(latest_version(body).as_deref(), Some("63.0"));
        assert!(latest_version("[]").is_none() && latest_version("{}").is_none());
        assert!(valid_version("63.0") && !valid_version("63") && !valid_version("6.3.0") && !valid_version("../x"));
        assert_eq!(literal("it's a \\ test"), r"'it\'s a \\ test'");
        assert_eq!(literal("a\nb"), r"'a\nb'");
    }

    #[test]
    fn query_answers() {
        let body = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"User"},"Id":"005","Profile":{"Name":"P"}}]}"#;
        let r = query_records(body).unwrap();
        assert_eq!(text(&r[0], "Profile.Name").as_deref(), Some("P"));
        assert!(field(&r[0], "Missing.Name").is_none());
        assert!(query_records(r#"[{"errorCode":"INVALID_TYPE"}]"#).is_none());
    }
}
