//! `audit`'s queries and judgements, from an admin's token (post-setup-failures.md vantage
//! point A): the app's policies as Salesforce stores them and the integration user's state.
//!
//! Two waves of concurrent SOQL queries: first the app (External Client App, else Connected
//! App) and the user; then what needs their ids (the policy objects, `SetupEntityAccess`,
//! `UserLogin`, `PermissionSetAssignment`).
//!
//! Invariant: a query Salesforce refuses is a `skip` naming the permission or setting needed;
//! an answer the tool cannot read is a `warn`; a `pass` needs the field that proves it.

use secrecy::SecretString;
use serde_json::Value;

use crate::api::{self, Queried};
use crate::checks::{Check, CheckId};
use crate::http::Http;
use crate::salesforce::explain::{hint, Fix};
use crate::salesforce::rest::{self, field, literal, text};
use crate::ui::sanitize;

/// The check ids of `audit`, in the contract's order.
pub const IDS: [CheckId; 6] = [
    CheckId::AppEnabled,
    CheckId::RefreshTokenPolicy,
    CheckId::IpPolicy,
    CheckId::PermittedUsers,
    CheckId::SessionTimeout,
    CheckId::IntegrationUser,
];

/// Where the admin's token works.
pub struct Session<'a> {
    pub http: &'a Http,
    pub instance: &'a str,
    pub version: &'a str,
    pub token: &'a SecretString,
}

impl Session<'_> {
    fn query(&self, soql: &str) -> Queried {
        match api::query(self.http, self.instance, self.version, self.token, soql) {
            Ok((q, _)) => q,
            Err(e) => Queried::Unexpected(sanitize(&e.message)),
        }
    }
}

/// What is audited: the app by name or label, the integration user by id or username.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub app_name: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
}

/// The app as found.
enum App {
    Eca {
        id: String,
        label: String,
    },
    Connected(Value),
    /// Not found where Salesforce answered; the refusals of the places it did not.
    Missing {
        refusals: Vec<String>,
    },
    /// Neither object could be read.
    Unreadable(String),
}

/// A refused or unreadable answer as the `skip`/`warn` it becomes.
fn not_read(id: CheckId, object: &str, q: &Queried) -> Check {
    match q {
        Queried::Refused { error, .. } => Check::skip(
            id,
            format!("Salesforce refused to read {object} ({}): needs {}", sanitize(&error.code), rest::refusal_needs(object, &error.code)),
        ),
        Queried::Unexpected(what) => {
            Check::warn(id, format!("could not read {object}: {}", sanitize(what)), hint(&Fix::AgainLater("audit")))
        }
        Queried::Records(_) => Check::warn(id, format!("{object} answered without the expected record"), hint(&Fix::AgainLater("audit"))),
    }
}

fn refusal_text(object: &str, q: &Queried) -> Option<String> {
    match q {
        Queried::Refused { error, .. } => {
            Some(format!("{object} ({}): needs {}", sanitize(&error.code), rest::refusal_needs(object, &error.code)))
        }
        Queried::Unexpected(what) => Some(format!("{object}: {}", sanitize(what))),
        Queried::Records(_) => None,
    }
}

/// Runs the audit.
pub fn run(s: &Session, t: &Target) -> Vec<Check> {
    let user_where = match (&t.user_id, &t.username) {
        (Some(id), _) => Some(format!("Id = {}", literal(id))),
        (None, Some(name)) => Some(format!("Username = {}", literal(name))),
        (None, None) => None,
    };
    let (eca, ca, user) = std::thread::scope(|sc| {
        let eca = sc.spawn(|| s.query("SELECT Id, DeveloperName, MasterLabel FROM ExternalClientApplication"));
        let ca = sc.spawn(|| {
            s.query(&format!(
                "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsRefreshTokenValidityMetric, RefreshTokenValidityPeriod FROM ConnectedApplication WHERE Name = {}",
                literal(&t.app_name)
            ))
        });
        let user =
            user_where.as_ref().map(|w| s.query(&format!("SELECT Id, Username, IsActive, ProfileId, Profile.Name FROM User WHERE {w}")));
        (join(eca), join(ca), user)
    });
    let app = find_app(&t.app_name, &eca, &ca);
    let user_id = match &user {
        Some(Queried::Records(rows)) => rows.first().and_then(|r| text(r, "Id")),
        _ => None,
    };
    let second = second_wave(s, &app, user_id.as_deref());
    let mut out = app_checks(&t.app_name, &app, &second);
    out.push(permitted_users(&app, &second, user_id.as_deref(), t));
    out.insert(4, session_timeout(&app, &second));
    out.push(integration_user(t, user.as_ref(), second.login.as_ref()));
    out
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

fn find_app(name: &str, eca: &Queried, ca: &Queried) -> App {
    if let Queried::Records(rows) = eca {
        let hit = rows
            .iter()
            .find(|r| ["DeveloperName", "MasterLabel"].iter().any(|k| text(r, k).is_some_and(|v| v.eq_ignore_ascii_case(name.trim()))));
        if let Some(r) = hit {
            return App::Eca { id: text(r, "Id").unwrap_or_default(), label: text(r, "MasterLabel").unwrap_or_else(|| name.to_string()) };
        }
    }
    if let Queried::Records(rows) = ca {
        if let Some(r) = rows.first() {
            return App::Connected(r.clone());
        }
    }
    let refusals: Vec<String> =
        [("ExternalClientApplication", eca), ("ConnectedApplication", ca)].iter().filter_map(|(o, q)| refusal_text(o, q)).collect();
    if refusals.len() == 2 {
        App::Unreadable(refusals.join("; "))
    } else {
        App::Missing { refusals }
    }
}

/// Answers of the second wave.
#[derive(Default)]
struct Second {
    oauth_policy: Option<Queried>,
    app_policy: Option<Queried>,
    approved: Option<Queried>,
    login: Option<Queried>,
    assignments: Option<Queried>,
}

fn second_wave(s: &Session, app: &App, user_id: Option<&str>) -> Second {
    let app_id = match app {
        App::Eca { id, .. } => Some(id.clone()),
        App::Connected(r) => text(r, "Id"),
        _ => None,
    };
    let eca_id = matches!(app, App::Eca { .. }).then(|| app_id.clone()).flatten();
    std::thread::scope(|sc| {
        let by_eca = |select: &'static str| {
            let eca_id = eca_id.clone();
            sc.spawn(move || eca_id.map(|id| s.query(&format!("{select} WHERE ExternalClientApplicationId = {}", literal(&id)))))
        };
        let oauth_policy = by_eca("SELECT PermittedUsersPolicyType, IpRelaxationPolicyType, RefreshTokenPolicyType, RefreshTokenValidityPeriod, RefreshTokenValidityUnit, SessionTimeoutInMinutes FROM ExtlClntAppOauthPlcyCnfg");
        let app_policy = by_eca("SELECT IsEnabled, OauthPluginStatus FROM ExtlClntAppPlcyCnfg");
        let approved = sc.spawn(|| {
            app_id.as_ref().map(|id| {
                s.query(&format!(
                    "SELECT ParentId, Parent.Name, Parent.Label, Parent.IsOwnedByProfile, Parent.Profile.Name FROM SetupEntityAccess WHERE SetupEntityId = {}",
                    literal(id)
                ))
            })
        });
        let login = sc
            .spawn(|| user_id.map(|u| s.query(&format!("SELECT IsFrozen, IsPasswordLocked FROM UserLogin WHERE UserId = {}", literal(u)))));
        let assignments = sc.spawn(|| {
            user_id.map(|u| {
                s.query(&format!(
                    "SELECT PermissionSetId, PermissionSet.Name, PermissionSet.Label, PermissionSet.IsOwnedByProfile, PermissionSet.Profile.Name FROM PermissionSetAssignment WHERE AssigneeId = {}",
                    literal(u)
                ))
            })
        });
        Second {
            oauth_policy: join(oauth_policy),
            app_policy: join(app_policy),
            approved: join(approved),
            login: join(login),
            assignments: join(assignments),
        }
    })
}

/// The one record of a policy answer, or the check it becomes.
fn policy_record<'a>(id: CheckId, object: &str, q: Option<&'a Queried>) -> Result<&'a Value, Check> {
    match q {
        Some(Queried::Records(rows)) if !rows.is_empty() => Ok(&rows[0]),
        Some(q) => Err(not_read(id, object, q)),
        None => Err(Check::skip(id, "the app was not found")),
    }
}

/// app_enabled, refresh_token_policy, ip_policy (and session_timeout is inserted after).
fn app_checks(name: &str, app: &App, second: &Second) -> Vec<Check> {
    let name = sanitize(name);
    match app {
        App::Unreadable(why) => IDS[..3].iter().map(|&id| Check::skip(id, format!("could not look up the app: {why}"))).collect(),
        App::Missing { refusals } => {
            let also = if refusals.is_empty() { String::new() } else { format!(" (not readable: {})", refusals.join("; ")) };
            let mut v = vec![Check::fail(
                CheckId::AppEnabled,
                format!("no External Client App or Connected App named `{name}` in this org{also}"),
                hint(&Fix::AppName),
            )];
            v.extend(IDS[1..3].iter().map(|&id| Check::skip(id, "the app was not found")));
            v
        }
        App::Eca { label, .. } => {
            let enabled = match policy_record(CheckId::AppEnabled, "ExtlClntAppPlcyCnfg", second.app_policy.as_ref()) {
                Err(c) => c,
                Ok(r) => app_enabled(label, r),
            };
            let (refresh, ip) = match policy_record(CheckId::RefreshTokenPolicy, "ExtlClntAppOauthPlcyCnfg", second.oauth_policy.as_ref()) {
                Err(c) => {
                    let ip = Check { id: CheckId::IpPolicy, ..c.clone() };
                    (c, ip)
                }
                Ok(r) => (eca_refresh_policy(r), ip_policy(r)),
            };
            vec![enabled, refresh, ip]
        }
        App::Connected(r) => vec![
            Check::pass(
                CheckId::AppEnabled,
                format!("the Connected App `{}` exists (whether an admin blocked it shows in Connected Apps OAuth Usage, and in `verify` as OAUTH_APP_BLOCKED)", text(r, "Name").map(|n| sanitize(&n)).unwrap_or(name)),
            ),
            connected_refresh_policy(r),
            Check::skip(CheckId::IpPolicy, "a Connected App's IP relaxation is not readable through the API: check Setup → Manage Connected Apps → the app → IP Relaxation"),
        ],
    }
}

/// ExtlClntAppPlcyCnfg.IsEnabled (B.1 "ECA missing / not installed / disabled").
fn app_enabled(label: &str, r: &Value) -> Check {
    let label = sanitize(label);
    match field(r, "IsEnabled").and_then(Value::as_bool) {
        Some(true) => Check::pass(CheckId::AppEnabled, format!("the External Client App `{label}` is enabled")),
        Some(false) => Check::fail(
            CheckId::AppEnabled,
            format!(
                "the External Client App `{label}` is disabled ({}): mailfino cannot log in or refresh",
                text(r, "OauthPluginStatus").map(|s| sanitize(&s)).unwrap_or_default()
            ),
            hint(&Fix::AppEnabled),
        ),
        None => Check::warn(
            CheckId::AppEnabled,
            format!("could not tell whether `{label}` is enabled (no IsEnabled field)"),
            hint(&Fix::AppEnabled),
        ),
    }
}

/// "N Hours" from a period and unit.
fn window(r: &Value, unit_field: Option<&str>) -> String {
    let n = field(r, "RefreshTokenValidityPeriod").and_then(Value::as_u64).map(|n| n.to_string()).unwrap_or_else(|| "?".into());
    let unit =
        unit_field.and_then(|u| text(r, u)).map(|u| sanitize(&u).to_lowercase()).unwrap_or_else(|| "(unit as Setup shows it)".into());
    format!("{n} {unit}")
}

/// ExtlClntAppOauthPlcyCnfg.RefreshTokenPolicyType (A.1 1a; values as in reference 4.13 — that
/// the sObject field holds the metadata values is UNSURE, so anything else is "could not tell").
fn eca_refresh_policy(r: &Value) -> Check {
    let (id, fix) = (CheckId::RefreshTokenPolicy, hint(&Fix::RefreshTokenPolicy { connected: false }));
    match text(r, "RefreshTokenPolicyType").as_deref() {
        Some("Infinite") => Check::pass(id, "the refresh token is valid until revoked"),
        Some("SpecificInactivity") => Check::warn(
            id,
            format!(
                "the refresh token expires after {} without use: mailfino stays connected only while it refreshes at least that often",
                window(r, Some("RefreshTokenValidityUnit"))
            ),
            fix,
        ),
        Some("SpecificLifetime") => Check::fail(
            id,
            format!(
                "the refresh token expires after a fixed time: mailfino loses access every {}",
                window(r, Some("RefreshTokenValidityUnit"))
            ),
            fix,
        ),
        Some("Zero") => {
            Check::fail(id, "the refresh token expires immediately: mailfino loses access as soon as its access token expires", fix)
        }
        other => Check::warn(
            id,
            format!(
                "could not tell the refresh token policy (RefreshTokenPolicyType = {})",
                other.map(sanitize).unwrap_or_else(|| "empty".into())
            ),
            fix,
        ),
    }
}

/// ConnectedApplication.OptionsRefreshTokenValidityMetric / RefreshTokenValidityPeriod (B.2:
/// "true: measured on the last use of the token; otherwise on the token duration"). How "valid
/// until revoked" shows in these fields is not documented (UNSURE): no period is "could not tell".
fn connected_refresh_policy(r: &Value) -> Check {
    let (id, fix) = (CheckId::RefreshTokenPolicy, hint(&Fix::RefreshTokenPolicy { connected: true }));
    let period = field(r, "RefreshTokenValidityPeriod").and_then(Value::as_u64);
    let on_last_use = field(r, "OptionsRefreshTokenValidityMetric").and_then(Value::as_bool);
    match (period, on_last_use) {
        (Some(0), _) => Check::fail(id, "the refresh token expires immediately: mailfino loses access as soon as its access token expires", fix),
        (Some(_), Some(true)) => Check::warn(id, format!("the refresh token expires after {} without use", window(r, None)), fix),
        (Some(_), Some(false)) => {
            Check::fail(id, format!("the refresh token expires after a fixed time: mailfino loses access every {}", window(r, None)), fix)
        }
        _ => Check::warn(
            id,
            "could not tell the Connected App's refresh token policy: Salesforce does not document how \"valid until revoked\" shows in its fields",
            fix,
        ),
    }
}

/// ExtlClntAppOauthPlcyCnfg.IpRelaxationPolicyType (A.5; values reference 4.12).
fn ip_policy(r: &Value) -> Check {
    let id = CheckId::IpPolicy;
    match text(r, "IpRelaxationPolicyType").as_deref() {
        Some("Enforce_RelaxRefresh") => {
            Check::pass(id, "IP restrictions are relaxed for refresh tokens: mailfino's refreshes work from any server address")
        }
        Some("Bypass") => Check::pass(id, "IP restrictions are relaxed for the app"),
        Some("Enforce") => Check::warn(
            id,
            "IP restrictions are enforced: mailfino's servers must be inside the org's and the profile's trusted IP ranges",
            hint(&Fix::IpPolicy),
        ),
        Some("Bypass_2factor") => Check::warn(
            id,
            "IP restrictions are relaxed only with a second factor, which mailfino's server cannot give",
            hint(&Fix::IpPolicy),
        ),
        other => Check::warn(
            id,
            format!(
                "could not tell the IP relaxation policy (IpRelaxationPolicyType = {})",
                other.map(sanitize).unwrap_or_else(|| "empty".into())
            ),
            hint(&Fix::IpPolicy),
        ),
    }
}

/// ExtlClntAppOauthPlcyCnfg.SessionTimeoutInMinutes (A.2; applies to opaque tokens only).
fn session_timeout(app: &App, second: &Second) -> Check {
    let id = CheckId::SessionTimeout;
    match app {
        App::Eca { .. } => match policy_record(id, "ExtlClntAppOauthPlcyCnfg", second.oauth_policy.as_ref()) {
            Err(c) => c,
            Ok(r) => match field(r, "SessionTimeoutInMinutes").and_then(Value::as_u64) {
                None | Some(0) => Check::pass(id, "the org's session timeout applies (the app sets none); mailfino refreshes when an access token expires"),
                Some(n) => Check::pass(id, format!("access tokens of the app last {n} minutes; mailfino refreshes when one expires")),
            },
        },
        App::Connected(_) => Check::skip(id, "a Connected App's session policy is not readable through the API: check Setup → Manage Connected Apps → the app → Timeout Value"),
        App::Missing { .. } => Check::skip(id, "the app was not found"),
        App::Unreadable(why) => Check::skip(id, format!("could not look up the app: {why}")),
    }
}

/// Who may use the app (A.7; B.1 "Admin-approved, user not assigned").
fn permitted_users(app: &App, second: &Second, user_id: Option<&str>, t: &Target) -> Check {
    let id = CheckId::PermittedUsers;
    let admin_approved = match app {
        App::Eca { .. } => match policy_record(id, "ExtlClntAppOauthPlcyCnfg", second.oauth_policy.as_ref()) {
            Err(c) => return c,
            Ok(r) => match text(r, "PermittedUsersPolicyType").as_deref() {
                Some("AllSelfAuthorized") => false,
                Some("AdminApprovedPreAuthorized") => true,
                other => {
                    return Check::warn(
                        id,
                        format!(
                            "could not tell who may use the app (PermittedUsersPolicyType = {})",
                            other.map(sanitize).unwrap_or_else(|| "empty".into())
                        ),
                        hint(&Fix::PermittedUsers),
                    )
                }
            },
        },
        App::Connected(r) => match field(r, "OptionsAllowAdminApprovedUsersOnly").and_then(Value::as_bool) {
            Some(b) => b,
            None => return Check::warn(id, "could not tell who may use the app", hint(&Fix::ConnectedPermittedUsers)),
        },
        App::Missing { .. } => return Check::skip(id, "the app was not found"),
        App::Unreadable(why) => return Check::skip(id, format!("could not look up the app: {why}")),
    };
    if !admin_approved {
        return Check::pass(id, "all users may self-authorize");
    }
    let Some(user_id) = user_id else { return Check::skip(id, no_user(t)) };
    let approved = match second.approved.as_ref() {
        Some(Queried::Records(rows)) => rows,
        Some(q) => return not_read(id, "SetupEntityAccess", q),
        None => return Check::skip(id, "the app was not found"),
    };
    let held = match second.assignments.as_ref() {
        Some(Queried::Records(rows)) => rows,
        Some(q) => return not_read(id, "PermissionSetAssignment", q),
        None => return Check::skip(id, no_user(t)),
    };
    judge_permitted(approved, held, user_id, t)
}

fn set_name(r: &Value, rel: &str) -> String {
    let profile = text(r, &format!("{rel}.Profile.Name"));
    let owned = field(r, &format!("{rel}.IsOwnedByProfile")).and_then(Value::as_bool).unwrap_or(false);
    match (owned, profile) {
        (true, Some(p)) => format!("profile \"{}\"", sanitize(&p)),
        _ => format!(
            "permission set \"{}\"",
            sanitize(&text(r, &format!("{rel}.Label")).or_else(|| text(r, &format!("{rel}.Name"))).unwrap_or_else(|| "?".into()))
        ),
    }
}

fn judge_permitted(approved: &[Value], held: &[Value], user_id: &str, t: &Target) -> Check {
    let id = CheckId::PermittedUsers;
    let who = t.username.as_deref().map(sanitize).unwrap_or_else(|| sanitize(user_id));
    if approved.is_empty() {
        // For an External Client App, SetupEntityAccess may not list the approved sets (B.1 UNSURE).
        return Check::warn(
            id,
            "admin-approved users only, and Salesforce lists no approved profile or permission set for the app",
            hint(&Fix::ApprovePermissionSet { user: who }),
        );
    }
    let held_ids: Vec<String> = held.iter().filter_map(|r| text(r, "PermissionSetId")).collect();
    if let Some(hit) = approved.iter().find(|a| text(a, "ParentId").is_some_and(|p| held_ids.iter().any(|h| same_id(h, &p)))) {
        return Check::pass(id, format!("admin-approved users only; {who} is approved through the {}", set_name(hit, "Parent")));
    }
    let names: Vec<String> = approved.iter().map(|a| set_name(a, "Parent")).collect();
    let own_profile = held
        .iter()
        .find(|r| field(r, "PermissionSet.IsOwnedByProfile").and_then(Value::as_bool) == Some(true))
        .map(|r| set_name(r, "PermissionSet"));
    Check::fail(
        id,
        format!("admin-approved users only, and {who} holds none of the approved {}: mailfino's login and refreshes are refused (OAUTH_APP_ACCESS_DENIED)", names.join(", ")),
        hint(&Fix::AssignPermissionSet { set: names.first().cloned().unwrap_or_default(), user: who, profile: own_profile }),
    )
}

fn same_id(a: &str, b: &str) -> bool {
    a.get(..15).unwrap_or(a) == b.get(..15).unwrap_or(b)
}

fn no_user(t: &Target) -> String {
    if t.user_id.is_none() && t.username.is_none() {
        "no integration user is known for this profile: run `mailfino-sf login` as the integration user first".into()
    } else {
        "the integration user was not found".into()
    }
}

/// The integration user: User.IsActive, UserLogin.IsFrozen (A.8; B.1 "User inactive").
fn integration_user(t: &Target, user: Option<&Queried>, login: Option<&Queried>) -> Check {
    let id = CheckId::IntegrationUser;
    let Some(user) = user else { return Check::skip(id, no_user(t)) };
    let row = match user {
        Queried::Records(rows) => match rows.first() {
            Some(r) => r,
            None => {
                return Check::fail(
                    id,
                    format!(
                        "no user {} in this org (deleted, or the profile belongs to another org)",
                        sanitize(t.user_id.as_deref().or(t.username.as_deref()).unwrap_or("?"))
                    ),
                    hint(&Fix::IntegrationUser),
                )
            }
        },
        q => return not_read(id, "User", q),
    };
    let name = text(row, "Username").map(|u| sanitize(&u)).unwrap_or_else(|| "the integration user".into());
    match field(row, "IsActive").and_then(Value::as_bool) {
        Some(true) => {}
        Some(false) => return Check::fail(id, format!("{name} is inactive: mailfino's refreshes are refused"), hint(&Fix::InactiveUser)),
        None => return Check::warn(id, format!("could not tell whether {name} is active"), hint(&Fix::InactiveUser)),
    }
    let frozen = match login {
        Some(Queried::Records(rows)) => rows.first().and_then(|r| field(r, "IsFrozen")).and_then(Value::as_bool),
        Some(q) => {
            let why = refusal_text("UserLogin", q).unwrap_or_default();
            return Check::warn(id, format!("{name} is active; could not tell whether it is frozen ({why})"), hint(&Fix::FrozenUser));
        }
        None => None,
    };
    match frozen {
        Some(false) => Check::pass(id, format!("{name} is active and not frozen")),
        Some(true) => {
            Check::fail(id, format!("{name} is frozen: it cannot log in, and mailfino's access may stop"), hint(&Fix::FrozenUser))
        }
        None => Check::warn(id, format!("{name} is active; could not tell whether it is frozen"), hint(&Fix::FrozenUser)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use serde_json::json;

    #[test]
    fn refresh_policies() {
        let st = |v: Value| eca_refresh_policy(&v).status;
        assert_eq!(st(json!({"RefreshTokenPolicyType": "Infinite"})), Status::Pass);
        assert_eq!(
            st(
                json!({"RefreshTokenPolicyType": "SpecificInactivity", "RefreshTokenValidityPeriod": 30, "RefreshTokenValidityUnit": "Days"})
            ),
            Status::Warn
        );
        let c = eca_refresh_policy(
            &json!({"RefreshTokenPolicyType": "SpecificLifetime", "RefreshTokenValidityPeriod": 4, "RefreshTokenValidityUnit": "Hours"}),
        );
        assert_eq!(c.status, Status::Fail);
        assert!(c.summary.contains("mailfino loses access every 4 hours"), "{}", c.summary);
        assert_eq!(st(json!({"RefreshTokenPolicyType": "Zero"})), Status::Fail);
        // an answer it cannot classify is "could not tell", naming what it read; never a pass
        let c = eca_refresh_policy(&json!({"RefreshTokenPolicyType": "Something"}));
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Warn, "could not tell the refresh token policy (RefreshTokenPolicyType = Something)")
        );
        let c = eca_refresh_policy(&json!({}));
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Warn, "could not tell the refresh token policy (RefreshTokenPolicyType = empty)")
        );
        let ca = |v: Value| connected_refresh_policy(&v).status;
        assert_eq!(ca(json!({"RefreshTokenValidityPeriod": null})), Status::Warn);
        assert_eq!(ca(json!({"RefreshTokenValidityPeriod": 0})), Status::Fail);
        assert_eq!(ca(json!({"RefreshTokenValidityPeriod": 4, "OptionsRefreshTokenValidityMetric": false})), Status::Fail);
        assert_eq!(ca(json!({"RefreshTokenValidityPeriod": 4, "OptionsRefreshTokenValidityMetric": true})), Status::Warn);
    }

    #[test]
    fn ip_policies() {
        let st = |p: &str| ip_policy(&json!({"IpRelaxationPolicyType": p})).status;
        assert_eq!(st("Enforce_RelaxRefresh"), Status::Pass);
        assert_eq!(st("Bypass"), Status::Pass);
        assert_eq!(st("Enforce"), Status::Warn);
        assert_eq!(st("Bypass_2factor"), Status::Warn);
        let c = ip_policy(&json!({"IpRelaxationPolicyType": "New"}));
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Warn, "could not tell the IP relaxation policy (IpRelaxationPolicyType = New)")
        );
        assert_eq!(ip_policy(&json!({})).status, Status::Warn);
    }
}
