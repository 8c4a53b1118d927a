//! Connection health beyond the login, seen from the integration user's own fresh token:
//! `api_access`, `user_active`, `org_identity`, `api_limits`, `approvals`
//! (post-setup-failures.md, vantage point I).
//!
//! Critical path: the refresh, then ONE wave of concurrent calls (identity URL, the pinned API
//! version's root, the `OauthToken` query). The API version is the one `login` learned; it is
//! discovered only when none is stored or the instance refuses it. While the refresh is in
//! flight, [`preconnect`] opens connections to the stored instance (and learns its versions).
//!
//! Invariant: a check passes only on positive evidence; an answer it cannot read is a `warn`
//! ("could not tell"), and a check that cannot run says why in a `skip`.

use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use secrecy::SecretString;
use serde_json::Value;

use crate::api::{self, Queried};
use crate::checks::{Check, CheckId};
use crate::error::{Error, Result};
use crate::http::{Http, Response};
use crate::salesforce::explain::{explain_rest, hint, Fix};
use crate::salesforce::rest::{self, ApiUsage, RestError};
use crate::salesforce::types::TokenResponse;
use crate::ui::sanitize;

/// The ids this module decides, in the contract's order.
pub const IDS: [CheckId; 4] = [CheckId::UserActive, CheckId::OrgIdentity, CheckId::ApiLimits, CheckId::Approvals];

/// Salesforce keeps five approvals per user per app and silently revokes the oldest (A.1 1b).
const APPROVAL_SLOTS: usize = 5;

/// What `login` stored to compare against.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    pub org_id: Option<String>,
    pub instance_url: Option<String>,
    pub user_id: Option<String>,
    pub api_version: Option<String>,
    pub app_name: String,
}

/// The wave's verdicts.
#[derive(Debug, Clone)]
pub struct Health {
    pub api_access: Check,
    /// In [`IDS`] order.
    pub checks: Vec<Check>,
}

impl Health {
    /// Every check skipped for one reason.
    pub fn skipped(api_access: Check, why: &str) -> Health {
        Health { api_access, checks: IDS.iter().map(|&id| Check::skip(id, why)).collect() }
    }
}

/// Opens two connections to the instance while the refresh is in flight (the wave then needs no
/// handshake), reading the version list on the way; the receiver gets the newest version.
pub fn preconnect(http: &Http, instance: &str) -> Receiver<Option<String>> {
    let (tx, rx) = mpsc::channel();
    for _ in 0..2 {
        let (http, instance, tx) = (http.clone(), instance.to_string(), tx.clone());
        std::thread::spawn(move || {
            let _ = tx.send(api::discover_version(&http, &instance).ok().flatten());
        });
    }
    rx
}

/// The health checks when the refresh failed: they skip, except that `user_active` names a
/// deactivated user (`invalid_grant: inactive user`, A.8).
pub fn after_failed_refresh(e: &Error, api_access: Check, why: &str) -> Health {
    let mut h = Health::skipped(api_access, why);
    let inactive = match (e.oauth_code.as_deref(), e.oauth_description.as_deref()) {
        (Some("invalid_grant"), Some(description)) => description.to_ascii_lowercase().contains("inactive user"),
        (Some("inactive_user"), _) => true,
        _ => false,
    };
    if inactive {
        // post-setup-failures.md A.8 / B.1 "User inactive": refresh -> invalid_grant: inactive user.
        h.checks[0] = Check::fail(
            CheckId::UserActive,
            "Salesforce refused the refresh because the integration user is inactive",
            hint(&Fix::InactiveUser),
        );
    }
    h
}

/// Runs the wave on a fresh token and judges it.
pub fn after_refresh(http: &Http, tokens: &TokenResponse, stored: &Stored, warm: Option<Receiver<Option<String>>>) -> Health {
    let Some(instance) = tokens.instance_url.as_deref() else {
        return Health::skipped(Check::skip(CheckId::ApiAccess, "Salesforce sent no instance_url"), "Salesforce sent no instance_url");
    };
    let token_ids = tokens.org_and_user();
    let user_id = token_ids.as_ref().map(|t| t.1.clone()).or_else(|| stored.user_id.clone());
    let pinned = stored.api_version.clone().filter(|v| rest::valid_version(v));
    let version = match &pinned {
        Some(v) => Some(v.clone()),
        None => warm.and_then(|rx| rx.recv_timeout(Duration::from_secs(20)).ok().flatten()).or_else(|| discover(http, instance)),
    };
    let Some(version) = version else {
        let api = Check::fail(CheckId::ApiAccess, "the instance does not list its API versions", hint(&Fix::ApiVersion));
        return Health::skipped(api, "the API version is unknown");
    };
    let soql = approvals_query(&stored.app_name, user_id.as_deref());
    let (identity, mut wave) = std::thread::scope(|s| {
        let identity = s.spawn(|| tokens.id.as_deref().map(|id| http.get(id, Some(&tokens.access_token))));
        let wave = instance_wave(http, instance, &version, &tokens.access_token, soql.as_deref());
        (identity.join().unwrap_or(None), wave)
    });
    let mut version = version;
    if pinned.is_some() && refused_version(&wave.root) {
        // The pinned version was retired: discover the newest and ask again (one more round trip).
        if let Some(latest) = discover(http, instance).filter(|l| *l != version) {
            version = latest;
            wave = instance_wave(http, instance, &version, &tokens.access_token, soql.as_deref());
        }
    }
    judge(tokens, stored, identity, &wave, &version)
}

fn discover(http: &Http, instance: &str) -> Option<String> {
    api::discover_version(http, instance).ok().flatten()
}

/// What the instance answered in the wave.
struct Wave {
    root: Result<Response>,
    approvals: Option<Result<(Queried, Response)>>,
}

fn instance_wave(http: &Http, instance: &str, version: &str, token: &SecretString, soql: Option<&str>) -> Wave {
    std::thread::scope(|s| {
        let q = soql.map(|q| s.spawn(move || api::query(http, instance, version, token, q)));
        let root = api::version_root(http, instance, version, token);
        Wave { root, approvals: q.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))) }
    })
}

fn refused_version(root: &Result<Response>) -> bool {
    matches!(root, Ok(r) if r.status == 404 && api::refusal(r).is_some_and(|e| e.code == "NOT_FOUND"))
}

/// The integration user's own approvals of the app (B.1 "5-approval slots used up").
fn approvals_query(app_name: &str, user_id: Option<&str>) -> Option<String> {
    let user = user_id?;
    Some(format!(
        "SELECT Id, AppName, CreatedDate, LastUsedDate, UseCount FROM OauthToken WHERE AppName = {} AND UserId = {}",
        rest::literal(app_name),
        rest::literal(user)
    ))
}

fn judge(tokens: &TokenResponse, stored: &Stored, identity: Option<Result<Response>>, wave: &Wave, version: &str) -> Health {
    let identity_json = identity
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .filter(|r| r.is_success())
        .and_then(|r| serde_json::from_str::<Value>(&r.body).ok());
    let api_access = api_access(&wave.root, version);
    let refused_wholesale = api_access.status == crate::checks::Status::Fail;
    Health {
        checks: vec![
            user_active(identity.as_ref(), identity_json.as_ref()),
            org_identity(tokens, stored, identity_json.as_ref()),
            api_limits(wave, refused_wholesale),
            approvals(wave.approvals.as_ref(), &stored.app_name, refused_wholesale),
        ],
        api_access,
    }
}

fn rest_fail(id: CheckId, e: &RestError, status: u16) -> Check {
    let x = explain_rest(&e.code, &e.message);
    Check::fail(
        id,
        format!(
            "the REST API refused the fresh access token: {} ({}, HTTP {status}): {}",
            sanitize(&e.code),
            sanitize(&e.message),
            x.meaning
        ),
        x.hint(),
    )
}

fn api_access(root: &Result<Response>, version: &str) -> Check {
    let r = match root {
        Err(e) => return Check::from_error(CheckId::ApiAccess, e),
        Ok(r) => r,
    };
    // Only the REST API's own JSON resource list is positive evidence.
    if r.is_success() && !serde_json::from_str::<Value>(&r.body).is_ok_and(|v| v.is_object()) {
        return Check::warn(
            CheckId::ApiAccess,
            format!("could not tell: the REST API answered HTTP {} with something that is not its JSON", r.status),
            hint(&Fix::LoginUrl),
        );
    }
    if r.is_success() {
        let usage = r.limit_info.as_deref().map(|l| format!(" ({})", sanitize(l))).unwrap_or_default();
        return Check::pass(CheckId::ApiAccess, format!("the REST API v{} answers with the access token{usage}", sanitize(version)));
    }
    match api::refusal(r) {
        // A.9 API_DISABLED_FOR_ORG, A.2/A.5 INVALID_SESSION_ID, A.6 REQUEST_LIMIT_EXCEEDED: each its own words.
        Some(e) => rest_fail(CheckId::ApiAccess, &e, r.status),
        None if r.status == 401 => {
            let x = explain_rest("INVALID_SESSION_ID", "");
            Check::fail(
                CheckId::ApiAccess,
                format!("the REST API refused the fresh access token (INVALID_SESSION_ID, HTTP 401): {}", x.meaning),
                x.hint(),
            )
        }
        None => Check::fail(CheckId::ApiAccess, format!("the REST API answered HTTP {}", r.status), hint(&for_status_api(r.status))),
    }
}

/// user_active: identity URL `active` (B.1 "User inactive", A.8; schema in B.2).
fn user_active(identity: Option<&Result<Response>>, json: Option<&Value>) -> Check {
    let Some(identity) = identity else { return Check::skip(CheckId::UserActive, "Salesforce sent no identity URL") };
    let who = json.and_then(|v| rest::text(v, "username")).map(|u| sanitize(&u)).unwrap_or_else(|| "the integration user".into());
    match json.and_then(|v| v.get("active")).and_then(Value::as_bool) {
        Some(true) => Check::pass(CheckId::UserActive, format!("{who} is active")),
        Some(false) => Check::fail(
            CheckId::UserActive,
            format!("{who} is inactive: the access token still works for now, the next refresh will not"),
            hint(&Fix::InactiveUser),
        ),
        None => {
            let what = match identity {
                Err(e) => sanitize(&e.message),
                Ok(r) => format!("HTTP {} without an `active` field", r.status),
            };
            Check::warn(
                CheckId::UserActive,
                format!("could not tell whether the user is active: the identity URL answered {what}"),
                hint(&Fix::UserState),
            )
        }
    }
}

/// Org ids are 15 or 18 characters; the first 15 identify the org.
fn same_id(a: &str, b: &str) -> bool {
    a.get(..15).unwrap_or(a) == b.get(..15).unwrap_or(b)
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// org_identity: the token's org vs the stored one (B.1 "Sandbox refreshed", A.1 1d) and the
/// instance vs the stored one (B.1 "My Domain / instance change", A.4).
fn org_identity(tokens: &TokenResponse, stored: &Stored, identity: Option<&Value>) -> Check {
    let Some(stored_org) = stored.org_id.as_deref() else {
        return Check::skip(CheckId::OrgIdentity, "no org id is stored for this profile (`mailfino-sf login` stores it)");
    };
    let org = identity.and_then(|v| rest::text(v, "organization_id")).or_else(|| tokens.org_and_user().map(|t| t.0));
    let Some(org) = org else {
        return Check::warn(
            CheckId::OrgIdentity,
            "could not tell which org the token belongs to (no identity answer)",
            hint(&Fix::AgainLater("verify")),
        );
    };
    if !same_id(&org, stored_org) {
        return Check::fail(
            CheckId::OrgIdentity,
            format!(
                "the token belongs to org {}, but this profile was set up for org {}: a refreshed sandbox gets a new org id",
                sanitize(&org),
                sanitize(stored_org)
            ),
            hint(&Fix::SandboxRefreshed),
        );
    }
    let now = tokens.instance_url.as_deref().unwrap_or_default();
    match stored.instance_url.as_deref() {
        Some(before) if !same_url(before, now) => Check::warn(
            CheckId::OrgIdentity,
            format!(
                "org {} now answers at {} (stored: {}): a My Domain change or an instance move",
                sanitize(&org),
                sanitize(now),
                sanitize(before)
            ),
            hint(&Fix::InstanceMoved { now: sanitize(now) }),
        ),
        _ => Check::pass(CheckId::OrgIdentity, format!("org {} at {}, as stored", sanitize(&org), sanitize(now))),
    }
}

/// api_limits: `Sforce-Limit-Info` (B.1 "API limit"): warn at 80 %, fail at 100 % or on
/// `REQUEST_LIMIT_EXCEEDED` (A.6).
fn api_limits(wave: &Wave, refused_wholesale: bool) -> Check {
    let responses: Vec<&Response> = wave.root.iter().chain(wave.approvals.iter().filter_map(|a| a.as_ref().ok().map(|(_, r)| r))).collect();
    let exceeded = responses.iter().any(|r| api::refusal(r).is_some_and(|e| e.code == "REQUEST_LIMIT_EXCEEDED"));
    let usage = responses.iter().filter_map(|r| r.limit_info.as_deref().and_then(ApiUsage::parse)).max_by_key(|u| (u.percent(), u.used));
    let fix = "find the integration that uses the most (Setup → System Overview, API Usage report); the limit is a rolling 24 hours; buy more API calls if mailfino needs them";
    if exceeded {
        let of = usage.map(|u| format!(" ({} of {})", u.used, u.max)).unwrap_or_default();
        return Check::fail(
            CheckId::ApiLimits,
            format!("REQUEST_LIMIT_EXCEEDED: the org's daily API requests are used up{of}; mailfino's calls are refused"),
            fix,
        );
    }
    if refused_wholesale {
        return Check::skip(CheckId::ApiLimits, "the REST API refused the token");
    }
    match usage {
        None => {
            Check::warn(CheckId::ApiLimits, "could not tell the API usage: no Sforce-Limit-Info header came back", hint(&Fix::ApiLimit))
        }
        Some(u) if u.percent() >= 100 => {
            Check::fail(CheckId::ApiLimits, format!("{} of {} daily API requests used ({} %)", u.used, u.max, u.percent()), fix)
        }
        Some(u) if u.percent() >= 80 => {
            Check::warn(CheckId::ApiLimits, format!("{} of {} daily API requests used ({} %)", u.used, u.max, u.percent()), fix)
        }
        Some(u) => Check::pass(CheckId::ApiLimits, format!("{} of {} daily API requests used ({} %)", u.used, u.max, u.percent())),
    }
}

/// approvals: the integration user's own `OauthToken` rows for the app (B.1 "5-approval slots",
/// A.1 1b): warn at 4 or more of 5.
fn approvals(answer: Option<&Result<(Queried, Response)>>, app_name: &str, refused_wholesale: bool) -> Check {
    let app = sanitize(app_name);
    let Some(answer) = answer else { return Check::skip(CheckId::Approvals, "the integration user's id is not known") };
    match answer {
        _ if refused_wholesale => Check::skip(CheckId::Approvals, "the REST API refused the token"),
        Err(e) => Check::warn(CheckId::Approvals, format!("could not count the approvals: {}", sanitize(&e.message)), hint(&Fix::AgainLater("verify"))),
        Ok((Queried::Refused { error, .. }, _)) => Check::skip(
            CheckId::Approvals,
            format!("Salesforce refused to list the user's approvals ({}): needs {}", sanitize(&error.code), rest::refusal_needs("OauthToken", &error.code)),
        ),
        Ok((Queried::Unexpected(what), _)) => {
            Check::warn(CheckId::Approvals, format!("could not count the approvals: the query answered {}", sanitize(what)), hint(&Fix::AgainLater("verify")))
        }
        Ok((Queried::Records(rows), _)) if rows.is_empty() => Check::warn(
            CheckId::Approvals,
            format!("found no approval of an app labelled `{app}` for this user, so they could not be counted"),
            hint(&Fix::AppName),
        ),
        Ok((Queried::Records(rows), _)) if rows.len() >= APPROVAL_SLOTS - 1 => Check::warn(
            CheckId::Approvals,
            format!("{} of {APPROVAL_SLOTS} approvals of `{app}` are in use by this user: the next login through the app revokes the oldest, which may be mailfino's", rows.len()),
            hint(&Fix::SpareApprovals),
        ),
        Ok((Queried::Records(rows), _)) => Check::pass(CheckId::Approvals, format!("{} of {APPROVAL_SLOTS} approvals of `{app}` in use by this user", rows.len())),
    }
}

/// A REST status without Salesforce's error body: 5xx and 429 are Salesforce's trouble (the same
/// hint as everywhere), anything else the user's API access.
fn for_status_api(status: u16) -> Fix {
    if status >= 500 || status == 429 {
        Fix::SalesforceTrouble
    } else {
        Fix::ApiEnabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str, limit: Option<&str>) -> Response {
        Response {
            status,
            location: None,
            retry_after: None,
            content_type: "application/json".into(),
            limit_info: limit.map(str::to_string),
            body: body.into(),
        }
    }

    #[test]
    fn user_active_reads_the_identity_answer() {
        let ok = Ok(resp(200, "{}", None));
        use crate::checks::Status::*;
        let judge = |identity: Option<&Result<Response>>, v: Value| {
            let c = user_active(identity, Some(&v));
            (c.status, c.summary)
        };
        let (st, summary) = judge(Some(&ok), serde_json::json!({"active": false, "username": "u@x"}));
        assert_eq!(st, Fail);
        assert!(summary.starts_with("u@x is inactive"), "{summary}");
        assert_eq!(judge(Some(&ok), serde_json::json!({"active": true})), (Pass, "the integration user is active".to_string()));
        // no `active` field (or not a boolean): could not tell, never a pass
        let answer = Ok(resp(503, "{}", None));
        for v in [serde_json::json!({}), serde_json::json!({"active": "true"})] {
            assert_eq!(
                judge(Some(&answer), v),
                (
                    Warn,
                    "could not tell whether the user is active: the identity URL answered HTTP 503 without an `active` field".to_string()
                )
            );
        }
        assert_eq!(user_active(None, None).status, Skip);
    }

    #[test]
    fn limits_thresholds() {
        let wave = |limit: &str| Wave { root: Ok(resp(200, "{}", Some(limit))), approvals: None };
        let st = |l: &str| api_limits(&wave(l), false).status;
        use crate::checks::Status::*;
        assert_eq!(st("api-usage=7999/10000"), Pass);
        assert_eq!(st("api-usage=8000/10000"), Warn);
        assert_eq!(st("api-usage=10000/10000"), Fail);
        assert_eq!(st("api-usage=10001/10000"), Fail);
        assert_eq!(st("garbage"), Warn);
        let summary = |l: &str| api_limits(&wave(l), false).summary;
        assert_eq!(summary("api-usage=8000/10000"), "8000 of 10000 daily API requests used (80 %)");
        let exceeded = Wave {
            root: Ok(resp(403, r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#, None)),
            approvals: None,
        };
        assert_eq!(api_limits(&exceeded, true).status, Fail);
    }

    #[test]
    fn ids_compare_on_fifteen_characters() {
        assert!(same_id("00D5g000004EmuLEAS", "00D5g000004EmuL"));
        assert!(!same_id("00D5g000004EmuLEAS", "00D5g000004OthER"));
        assert!(same_id("00D5g000004EmuL", "00D5g000004EmuLEAS"));
        assert!(!same_id("00D5g000004EmuLEAS", "00D5g000004EmuKEAS"), "one character of the first fifteen differs");
        assert!(same_url("https://a.my.salesforce.com/", "https://A.my.salesforce.com"));
        assert!(!same_url("https://a.my.salesforce.com", "https://b.my.salesforce.com"));
        assert!(!same_url("https://a.my.salesforce.com", "https://a.my.salesforce.com/x"));
    }
}
