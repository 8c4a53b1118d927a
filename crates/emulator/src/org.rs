//! The emulated org behind the login host: its id and instance, two users (the integration user
//! mailfino runs as, and an admin), the app's policies as Salesforce stores them, the daily API
//! limit, and the switches that play what breaks an integration weeks after setup
//! (`post-setup-failures.md`): a refreshed sandbox (new org id), a moved instance or My Domain,
//! an inactive or frozen user, the API limit, the API disabled, sessions locked to an IP.
//!
//! It serves the identity URL, `userinfo` and the REST resources under `/services/data/vXX.X/`
//! (with `Sforce-Limit-Info` on every answer, and REST errors as `[{"message","errorCode"}]`).
//! The SOQL endpoint itself is in `soql`.
//!
//! Invariant: every token belongs to exactly one user, recorded when its code is approved; a
//! token whose user is not known belongs to the integration user.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::{json_reply, lock, valid_access, Reply, Req, State};

/// The default org id (a production org; a refreshed sandbox gets another one).
pub const ORG_ID: &str = "00D5g000004EmuLEAS";
/// The integration user: the one who logs in by default.
pub const USER_ID: &str = "0055g00000EmuUsAAA";
pub const USERNAME: &str = "integration@emulator.mailfino.test";
/// The admin user (System Administrator): logs in when [`OrgConfig::browser_user`] says so.
pub const ADMIN_ID: &str = "0055g00000EmuAdAAA";
pub const ADMIN_USERNAME: &str = "admin@emulator.mailfino.test";
/// The External Client App's id (or the Connected App's, with [`AppKind::ConnectedApp`]).
pub const APP_ID: &str = "0xI5g000000EmuAAAA";
/// The permission set mailfino's integration user is given.
pub const PERMISSION_SET: &str = "Mailfino_Integration";

/// Which user the browser is logged in as on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    Integration,
    Admin,
}

impl Role {
    pub fn user_id(self) -> &'static str {
        match self {
            Role::Integration => USER_ID,
            Role::Admin => ADMIN_ID,
        }
    }
    pub fn username(self) -> &'static str {
        match self {
            Role::Integration => USERNAME,
            Role::Admin => ADMIN_USERNAME,
        }
    }
    /// The role of a user id (unknown ids are the integration user's).
    pub fn of(user_id: &str) -> Role {
        if user_id == ADMIN_ID {
            Role::Admin
        } else {
            Role::Integration
        }
    }
    /// The role whose username is `name`, if any.
    pub fn by_username(name: &str) -> Option<Role> {
        [Role::Integration, Role::Admin].into_iter().find(|r| r.username().eq_ignore_ascii_case(name.trim()))
    }
}

/// Whether the app is an External Client App or a legacy Connected App.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppKind {
    #[default]
    ExternalClientApp,
    ConnectedApp,
}

/// The app's refresh token policy, as the ECA policy object stores it (reference 4.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// `Infinite`, `SpecificInactivity`, `SpecificLifetime` or `Zero`.
    pub kind: String,
    pub period: Option<u32>,
    /// `Hours`, `Days` or `Months`.
    pub unit: Option<String>,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy { kind: "Infinite".into(), period: None, unit: None }
    }
}

impl RefreshPolicy {
    /// `infinite`, `zero`, `inactivity:30d`, `lifetime:4h` (units h, d, m for months).
    pub fn parse(s: &str) -> Result<RefreshPolicy, String> {
        let bad = || format!("refresh policy `{s}`: expected infinite, zero, inactivity:N{{h,d,m}} or lifetime:N{{h,d,m}}");
        match s.trim() {
            "infinite" => return Ok(RefreshPolicy::default()),
            "zero" => return Ok(RefreshPolicy { kind: "Zero".into(), period: None, unit: None }),
            _ => {}
        }
        let (kind, amount) = s.trim().split_once(':').ok_or_else(bad)?;
        let kind = match kind {
            "inactivity" => "SpecificInactivity",
            "lifetime" => "SpecificLifetime",
            _ => return Err(bad()),
        };
        let (n, unit) = amount.split_at(amount.len().saturating_sub(1));
        let unit = match unit {
            "h" => "Hours",
            "d" => "Days",
            "m" => "Months",
            _ => return Err(bad()),
        };
        let period = n.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        Ok(RefreshPolicy { kind: kind.into(), period: Some(period), unit: Some(unit.into()) })
    }
}

/// The org, its users and the app's policies; every field is a switch a test or the
/// `emulator` subcommand can flip.
#[derive(Debug, Clone)]
pub struct OrgConfig {
    /// Change it to play a refreshed sandbox (the org id changes on every refresh).
    pub org_id: String,
    /// Serve the instance under another host name (e.g. `localhost`): a moved instance or a
    /// changed My Domain, as token answers and the identity URL then say.
    pub instance_host: Option<String>,
    /// Daily API requests used so far, and the limit. At the limit every REST call answers
    /// `REQUEST_LIMIT_EXCEEDED`.
    pub api_used: u32,
    pub api_max: u32,
    /// REST calls answer `API_DISABLED_FOR_ORG`.
    pub api_disabled: bool,
    /// REST calls answer `INVALID_SESSION_ID` even for fresh tokens (sessions locked to the IP
    /// they came from, or API Access Control).
    pub session_locked: bool,
    /// Who the browser is logged in as on the consent page.
    pub browser_user: Role,
    /// The integration user: deactivated (refresh answers `inactive user`), frozen.
    pub integration_inactive: bool,
    pub integration_frozen: bool,
    /// The integration user holds mailfino's permission set.
    pub integration_has_permission_set: bool,
    /// Approvals of the app by the integration user before this run (other machines).
    pub prior_approvals: u32,
    pub app_kind: AppKind,
    /// The app's name (DeveloperName) and label.
    pub app_name: String,
    pub app_enabled: bool,
    pub refresh_policy: RefreshPolicy,
    /// `Enforce`, `Bypass`, `Bypass_2factor` or `Enforce_RelaxRefresh` (reference 4.12).
    pub ip_policy: String,
    /// "Admin approved users are pre-authorized" (else all users may self-authorize).
    pub admin_approved: bool,
    /// The permission sets approved for the app (names).
    pub approved_permission_sets: Vec<String>,
    pub session_timeout_minutes: Option<u32>,
    /// Objects that answer `INVALID_TYPE` to everyone (an older org, a feature not enabled).
    pub hidden_objects: Vec<String>,
    /// Requests whose path starts with one of these answer 503 with an HTML page.
    pub fail_paths: Vec<String>,
}

impl Default for OrgConfig {
    fn default() -> Self {
        OrgConfig {
            org_id: ORG_ID.into(),
            instance_host: None,
            api_used: 0,
            api_max: 15000,
            api_disabled: false,
            session_locked: false,
            browser_user: Role::Integration,
            integration_inactive: false,
            integration_frozen: false,
            integration_has_permission_set: true,
            prior_approvals: 0,
            app_kind: AppKind::ExternalClientApp,
            app_name: "mailfino".into(),
            app_enabled: true,
            refresh_policy: RefreshPolicy::default(),
            ip_policy: "Enforce_RelaxRefresh".into(),
            admin_approved: false,
            approved_permission_sets: vec![PERMISSION_SET.into()],
            session_timeout_minutes: None,
            hidden_objects: Vec::new(),
            fail_paths: Vec::new(),
        }
    }
}

/// Who holds which token, and the API counter.
#[derive(Debug, Default)]
pub struct OrgState {
    /// The user of each approved authorization code and of each token chain.
    pub(crate) code_user: HashMap<String, Role>,
    pub(crate) chain_user: HashMap<u64, Role>,
    /// REST calls served on top of `api_used`.
    pub(crate) api_calls: u32,
}

impl State {
    /// The user of a token chain.
    pub fn chain_role(&self, chain: u64) -> Role {
        self.org.chain_user.get(&chain).copied().unwrap_or_default()
    }

    /// The instance URL token answers carry.
    pub fn instance_url(&self) -> String {
        match &self.config.org.instance_host {
            Some(host) => {
                let port = self.base_url.rsplit(':').next().unwrap_or("80");
                format!("http://{host}:{port}")
            }
            None => self.base_url.clone(),
        }
    }

    /// The identity URL of a user.
    pub fn identity_url(&self, role: Role) -> String {
        format!("{}/id/{}/{}", self.base_url, self.config.org.org_id, role.user_id())
    }

    /// Whether a user may log in and refresh (inactive users may not).
    pub fn user_active(&self, role: Role) -> bool {
        role == Role::Admin || !self.config.org.integration_inactive
    }

    /// Records the user an authorization code was approved for.
    pub(crate) fn note_code_user(&mut self, code: &str, role: Role) {
        self.org.code_user.insert(code.to_string(), role);
    }

    /// Moves a code's user onto the token chain it started.
    pub(crate) fn note_chain_user(&mut self, code: &str, chain: u64) {
        let role = self.org.code_user.remove(code).unwrap_or_default();
        self.org.chain_user.insert(chain, role);
    }
}

/// Milliseconds since the epoch as Salesforce writes datetimes (`2024-02-16T04:45:28.000+0000`).
pub fn format_time(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // civil-from-days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}+0000", rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

/// A REST error list `[{"message","errorCode"}]` with its status.
pub(crate) fn rest_error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(status, &json!([{"message": message, "errorCode": code}]))
}

/// The user of the request's valid access token.
fn token_role(st: &State, r: &Req) -> Option<Role> {
    valid_access(st, r)?;
    let token = r.bearer()?;
    st.access_chain(token).map(|c| st.chain_role(c))
}

fn bad_token() -> Reply {
    Reply::new(403, Some("text/plain;charset=UTF-8"), "Bad_OAuth_Token")
}

/// `GET /id/ORG/USER`: the identity URL (schema in post-setup-failures.md B.2).
pub(crate) fn identity(state: &std::sync::Mutex<State>, r: &Req) -> Reply {
    let st = lock(state);
    let Some(role) = token_role(&st, r) else { return bad_token() };
    let instance = st.instance_url();
    let rest = format!("{instance}/services/data/v{{version}}/");
    json_reply(
        200,
        &json!({
            "id": st.identity_url(role),
            "asserted_user": true,
            "user_id": role.user_id(),
            "organization_id": st.config.org.org_id,
            "username": role.username(),
            "nick_name": role.username().split('@').next(),
            "display_name": display_name(role),
            "email": role.username(),
            "active": st.user_active(role),
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "de_DE",
            "utcOffset": 3_600_000,
            "urls": {
                "rest": rest,
                "sobjects": format!("{instance}/services/data/v{{version}}/sobjects/"),
                "query": format!("{instance}/services/data/v{{version}}/query/"),
                "custom_domain": instance,
            },
            "is_app_installed": true,
        }),
    )
}

fn display_name(role: Role) -> &'static str {
    match role {
        Role::Integration => "mailfino Integration",
        Role::Admin => "Emulated Admin",
    }
}

/// `GET /services/oauth2/userinfo`.
pub(crate) fn userinfo(state: &std::sync::Mutex<State>, r: &Req) -> Reply {
    let st = lock(state);
    let Some(role) = token_role(&st, r) else { return bad_token() };
    let instance = st.instance_url();
    let org = &st.config.org.org_id;
    json_reply(
        200,
        &json!({
            "sub": st.identity_url(role),
            "user_id": role.user_id(),
            "organization_id": org,
            "preferred_username": role.username(),
            "name": display_name(role),
            "email": role.username(),
            "zoneinfo": "Europe/Berlin",
            "active": st.user_active(role),
            "is_salesforce_integration_user": role == Role::Integration,
            "urls": {
                "rest": format!("{instance}/services/data/v{{version}}/"),
                "enterprise": format!("{instance}/services/Soap/c/{{version}}/{org}"),
                "custom_domain": instance,
            },
        }),
    )
}

/// The API versions the instance offers.
pub(crate) const VERSIONS: [&str; 3] = ["61.0", "62.0", "63.0"];

pub(crate) fn versions() -> Value {
    json!([
        {"label": "Summer '24", "url": "/services/data/v61.0", "version": "61.0"},
        {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"},
        {"label": "Spring '25", "url": "/services/data/v63.0", "version": "63.0"},
    ])
}

/// `GET /services/data/vXX.X/…`: the REST API with the org's switches and its daily limit.
pub(crate) fn rest(state: &std::sync::Mutex<State>, r: &Req) -> Reply {
    let mut st = lock(state);
    if valid_access(&st, r).is_none() {
        return crate::invalid_session();
    }
    let org = st.config.org.clone();
    if org.api_disabled {
        // post-setup-failures.md A.9: the exact text of the error.
        return rest_error(403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization.");
    }
    if org.session_locked {
        // A.2 / A.5: IP-locked sessions and API Access Control show as this 401.
        return rest_error(401, "INVALID_SESSION_ID", "This session is not valid for use with the REST API");
    }
    let rest = r.path.trim_start_matches("/services/data/");
    let (version, resource) = rest.split_once('/').unwrap_or((rest, ""));
    let Some(version) = version.strip_prefix('v').filter(|v| VERSIONS.contains(v)) else {
        return rest_error(404, "NOT_FOUND", "The requested resource does not exist");
    };
    let used = org.api_used.saturating_add(st.org.api_calls);
    let limit = format!("api-usage={}/{}", used.min(org.api_max), org.api_max);
    if used >= org.api_max {
        // A.6: 403 with this text once the daily limit is reached.
        return rest_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.").with_header("Sforce-Limit-Info", &limit);
    }
    st.org.api_calls += 1;
    let used = used + 1;
    let limit = format!("api-usage={used}/{}", org.api_max);
    let reply = match resource.trim_end_matches('/') {
        "" => json_reply(
            200,
            &json!({
                "limits": format!("/services/data/v{version}/limits"),
                "sobjects": format!("/services/data/v{version}/sobjects"),
                "query": format!("/services/data/v{version}/query"),
            }),
        ),
        "limits" => json_reply(200, &json!({"DailyApiRequests": {"Max": org.api_max, "Remaining": org.api_max - used}})),
        "query" => {
            let role = r.bearer().and_then(|t| st.access_chain(t)).map(|c| st.chain_role(c)).unwrap_or_default();
            crate::soql::query(&st, role, version, r.param("q").unwrap_or(""))
        }
        _ => rest_error(404, "NOT_FOUND", "The requested resource does not exist"),
    };
    reply.with_header("Sforce-Limit-Info", &limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_policies_parse() {
        assert_eq!(RefreshPolicy::parse("infinite").unwrap().kind, "Infinite");
        assert_eq!(RefreshPolicy::parse("zero").unwrap().kind, "Zero");
        let p = RefreshPolicy::parse("lifetime:4h").unwrap();
        assert_eq!((p.kind.as_str(), p.period, p.unit.as_deref()), ("SpecificLifetime", Some(4), Some("Hours")));
        let p = RefreshPolicy::parse("inactivity:30d").unwrap();
        assert_eq!((p.kind.as_str(), p.period, p.unit.as_deref()), ("SpecificInactivity", Some(30), Some("Days")));
        for bad in ["", "forever", "lifetime:", "lifetime:0h", "lifetime:4", "lifetime:4y", "inactivity:-1d"] {
            assert!(RefreshPolicy::parse(bad).is_err(), "{bad}");
        }
    }
}
