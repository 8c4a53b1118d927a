//! Calls on an instance's REST API with an access token: the version list, the version root and
//! SOQL queries, each classified into what came back (records, Salesforce's refusal, or an answer
//! the tool cannot read). Shared by `verify`'s health checks and `audit`.

use secrecy::SecretString;
use serde_json::Value;

use crate::error::Result;
use crate::http::{Http, Response};
use crate::salesforce::paths;
use crate::salesforce::rest::{self, RestError};

/// What a SOQL query gave.
#[derive(Debug, Clone)]
pub enum Queried {
    Records(Vec<Value>),
    /// Salesforce refused it (`INVALID_TYPE`, `INVALID_FIELD`, `INSUFFICIENT_ACCESS…`, …).
    Refused {
        error: RestError,
    },
    /// Neither: HTTP status and what it was.
    Unexpected(String),
}

/// The instance's base URL without a trailing slash.
pub fn base(instance: &str) -> &str {
    instance.trim_end_matches('/')
}

/// `GET {instance}/services/data/` (no token needed, ref 5.6): the newest API version.
pub fn discover_version(http: &Http, instance: &str) -> Result<Option<String>> {
    let r = http.get(&format!("{}{}", base(instance), paths::DATA), None)?;
    Ok(if r.is_success() { rest::latest_version(&r.body) } else { None })
}

/// `GET {instance}/services/data/vVER/` with the token.
pub fn version_root(http: &Http, instance: &str, version: &str, token: &SecretString) -> Result<Response> {
    http.get(&format!("{}/services/data/v{version}/", base(instance)), Some(token))
}

/// Runs one SOQL query; the answer and the raw response (for `Sforce-Limit-Info`).
pub fn query(http: &Http, instance: &str, version: &str, token: &SecretString, soql: &str) -> Result<(Queried, Response)> {
    let mut url = url::Url::parse(&format!("{}/services/data/v{version}/query", base(instance)))
        .map_err(|e| crate::error::Error::unreachable(format!("the instance URL is not a URL: {e}")))?;
    url.query_pairs_mut().append_pair("q", soql);
    let r = http.get(url.as_str(), Some(token))?;
    Ok((classify(&r), r))
}

/// Classifies a query answer.
pub fn classify(r: &Response) -> Queried {
    if r.is_success() {
        return match rest::query_records(&r.body) {
            Some(records) => Queried::Records(records),
            None => Queried::Unexpected(format!("HTTP {} without Salesforce's query shape", r.status)),
        };
    }
    match RestError::parse(&r.body) {
        Some(error) => Queried::Refused { error },
        None => Queried::Unexpected(format!("HTTP {}", r.status)),
    }
}

/// The refusal of a REST answer, when it is one.
pub fn refusal(r: &Response) -> Option<RestError> {
    if r.is_success() {
        None
    } else {
        RestError::parse(&r.body)
    }
}
