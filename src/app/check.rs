//! `app check`: reads an exported or retrieved project and says, check by check, what differs
//! from what mailfino needs. Check ids (stable, contract): `files`, `scopes`, `callback_urls`,
//! `pkce`, `secret_required`, `refresh_token_policy`, `ip_policy`, `permitted_users`,
//! `distribution`; then `app_enabled`.
//!
//! Invariants: every field a file carries is read and none is a failure because it is unknown
//! (retrieved files carry `oauthLink`, `orgScopedExternalApp`, a consumer key, and fields newer
//! than this tool); a value is a `pass` only when it is positively what mailfino needs, a value
//! this tool cannot classify is a `warn`; a consumer key or secret found in a file is never
//! printed; every text taken from a file is sanitised before it is shown.

use std::path::Path;

use walkdir::WalkDir;

use super::spec::{MetaType, APP, APP_POLICIES, GLOBAL_OAUTH, OAUTH, OAUTH_POLICIES, TYPES};
use super::xml::{self, Element};
use crate::checks::{Check, CheckId};
use crate::salesforce::explain::{hint, Fix};
use crate::salesforce::values::CALLBACK_PATH;
use crate::ui::sanitize;

/// The check ids, in order.
pub const IDS: [CheckId; 10] = [
    CheckId::Files,
    CheckId::Scopes,
    CheckId::CallbackUrls,
    CheckId::Pkce,
    CheckId::SecretRequired,
    CheckId::RefreshTokenPolicy,
    CheckId::IpPolicy,
    CheckId::PermittedUsers,
    CheckId::Distribution,
    CheckId::AppEnabled,
];

/// What the app should hold.
#[derive(Debug, Clone)]
pub struct Expected {
    /// mailfino's callback URL.
    pub callback: String,
    /// This tool's loopback redirect URI.
    pub redirect: String,
    /// Which app, when the project holds several.
    pub name: Option<String>,
}

/// One metadata file found in the project.
#[derive(Debug, Clone)]
pub struct Found {
    pub ty: &'static MetaType,
    pub member: String,
    pub root: Element,
}

impl Found {
    fn app_name(&self) -> String {
        match self.ty.name {
            n if n == APP.name => self.member.clone(),
            _ => self.root.field("externalClientApplication").unwrap_or_default().to_string(),
        }
    }
}

/// The result of `app check`.
#[derive(Debug, Clone)]
pub struct Report {
    /// The app checked, when one was found.
    pub app: Option<String>,
    pub checks: Vec<Check>,
}

/// Folders never searched (tool caches, dependencies, history).
const SKIP_DIRS: [&str; 5] = ["node_modules", ".git", ".sf", ".sfdx", "target"];

/// Finds and reads the five types' files under `dir` (by suffix, in any folder, as Salesforce's
/// tooling does). Returns the files read and the problems met.
pub fn read_project(dir: &Path) -> (Vec<Found>, Vec<String>) {
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    let walk = WalkDir::new(dir).max_depth(12).follow_links(false).sort_by_file_name().into_iter();
    let entries = walk.filter_entry(|e| !(e.file_type().is_dir() && SKIP_DIRS.iter().any(|s| e.file_name() == *s)));
    for entry in entries.take(100_000) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("cannot read {}", sanitize(&e.to_string())));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        let Some((ty, member)) = MetaType::of_file(&name).filter(|_| entry.file_type().is_file()) else { continue };
        let shown = entry.path().strip_prefix(dir).unwrap_or(entry.path()).display().to_string();
        match read_one(entry.path(), ty) {
            Ok(root) => found.push(Found { ty, member: member.to_string(), root }),
            Err(why) => problems.push(format!("{}: {why}", sanitize(&shown))),
        }
    }
    (found, problems)
}

fn read_one(path: &Path, ty: &MetaType) -> Result<Element, String> {
    // The store's one capped reader: a size limit, and never a FIFO or device.
    let text = crate::store::fsutil::read_text(path).map_err(|e| e.message)?.ok_or("it is gone")?;
    let root = xml::parse(&text)?;
    if root.name != ty.name {
        return Err(format!("the root element is <{}>, expected <{}> for this suffix", sanitize(&root.name), ty.name));
    }
    Ok(root)
}

/// The app's five files (each may be absent).
struct App<'a> {
    name: String,
    files: [Option<&'a Found>; 5],
}

impl App<'_> {
    fn get(&self, t: &MetaType) -> Option<&Element> {
        TYPES.iter().position(|x| x == t).and_then(|i| self.files[i]).map(|f| &f.root)
    }
}

/// Runs every check on the project in `dir`.
pub fn check_dir(dir: &Path, exp: &Expected) -> Report {
    let (found, problems) = read_project(dir);
    let (app, files) = files_check(&found, &problems, exp);
    let mut checks = vec![files];
    let Some(app) = app else {
        checks.extend(IDS[1..].iter().map(|&id| Check::skip(id, "no app to check")));
        return Report { app: None, checks };
    };
    let oauth = app.get(&OAUTH);
    let global = app.get(&GLOBAL_OAUTH);
    let policies = app.get(&OAUTH_POLICIES);
    let missing = |t: &MetaType| format!("no {} file for `{}`", t.name, sanitize(&app.name));
    checks.push(oauth.map_or_else(|| Check::skip(CheckId::Scopes, missing(&OAUTH)), scopes));
    checks.push(global.map_or_else(|| Check::skip(CheckId::CallbackUrls, missing(&GLOBAL_OAUTH)), |g| callback_urls(g, exp)));
    checks.push(global.map_or_else(|| Check::skip(CheckId::Pkce, missing(&GLOBAL_OAUTH)), pkce));
    checks.push(global.map_or_else(|| Check::skip(CheckId::SecretRequired, missing(&GLOBAL_OAUTH)), secret_required));
    let no_policies = || {
        format!(
            "{}; Salesforce makes one with its defaults on deploy: retrieve ExtlClntAppOauthConfigurablePolicies to check it",
            missing(&OAUTH_POLICIES)
        )
    };
    checks.push(policies.map_or_else(|| Check::skip(CheckId::RefreshTokenPolicy, no_policies()), refresh_policy));
    checks.push(policies.map_or_else(|| Check::skip(CheckId::IpPolicy, no_policies()), ip_policy));
    checks.push(policies.map_or_else(|| Check::skip(CheckId::PermittedUsers, no_policies()), permitted_users));
    checks.push(app.get(&APP).map_or_else(|| Check::skip(CheckId::Distribution, missing(&APP)), distribution));
    checks.push(app.get(&APP_POLICIES).map_or_else(|| Check::skip(CheckId::AppEnabled, missing(&APP_POLICIES)), app_enabled));
    Report { app: Some(app.name), checks }
}

/// Picks the app and reports on the files: `fail` when a file cannot be read or no app is found.
fn files_check<'a>(found: &'a [Found], problems: &[String], exp: &Expected) -> (Option<App<'a>>, Check) {
    let fix_hint = hint(&Fix::MetaFiles);
    let mut names: Vec<String> = found.iter().map(Found::app_name).filter(|n| !n.is_empty()).collect();
    names.sort();
    names.dedup();
    let name = match (&exp.name, names.as_slice()) {
        (Some(n), _) if names.contains(n) => n.clone(),
        (Some(n), _) => {
            let has = if names.is_empty() { "none".to_string() } else { names.join(", ") };
            return (
                None,
                Check::fail(CheckId::Files, format!("no files of an app `{}` (found apps: {})", sanitize(n), sanitize(&has)), fix_hint),
            );
        }
        (None, [one]) => one.clone(),
        (None, []) => {
            let mut why = "no External Client App files (*.eca-meta.xml, *.ecaOauth-meta.xml, …) found".to_string();
            if !problems.is_empty() {
                why = format!("{why}; {}", problems.join("; "));
            }
            return (None, Check::fail(CheckId::Files, why, fix_hint));
        }
        (None, many) => {
            let summary = format!("the project holds several apps: {}", sanitize(&many.join(", ")));
            return (None, Check::fail(CheckId::Files, summary, hint(&Fix::MetaPickApp)));
        }
    };
    let mut files = [None; 5];
    for (i, t) in TYPES.iter().enumerate() {
        files[i] = found.iter().find(|f| f.ty == t && f.app_name() == name);
    }
    let app = App { name, files };
    let check = files_summary(&app, problems);
    (Some(app), check)
}

fn files_summary(app: &App, problems: &[String]) -> Check {
    let name = sanitize(&app.name);
    if !problems.is_empty() {
        return Check::fail(CheckId::Files, format!("cannot read every file: {}", problems.join("; ")), hint(&Fix::MetaUnreadable));
    }
    let absent: Vec<&str> = [OAUTH, GLOBAL_OAUTH].iter().filter(|t| app.get(t).is_none()).map(|t| t.name).collect();
    if !absent.is_empty() {
        return Check::fail(
            CheckId::Files,
            format!("the app `{name}` has no {} file: without it the app has no OAuth", absent.join(" and no ")),
            hint(&Fix::MetaMissingFile { kind: absent[0].to_string(), app: name.clone() }),
        );
    }
    let present: Vec<&str> = TYPES.iter().filter(|t| app.get(t).is_some()).map(|t| t.name).collect();
    let summary = format!("read {} of the app `{name}`'s 5 files ({})", present.len(), present.join(", "));
    let global = app.get(&GLOBAL_OAUTH);
    let held: Vec<&str> =
        ["consumerKey", "consumerSecret"].into_iter().filter(|f| global.and_then(|g| g.field(f)).is_some_and(|v| !v.is_empty())).collect();
    if held.is_empty() {
        Check::pass(CheckId::Files, summary)
    } else {
        // Never print the value itself.
        Check::warn(
            CheckId::Files,
            format!("{summary}; the global OAuth settings file holds the app's {} (retrieved from the org)", held.join(" and ")),
            hint(&Fix::MetaHeldSecrets { fields: format!("<{}>", held.join("> or <")) }),
        )
    }
}

/// An `xsd:boolean`: `true`/`false`/`1`/`0`.
fn flag(el: &Element, field: &str) -> Option<bool> {
    match el.field(field)?.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// "`field` is `value`" or "`field` is not stated", for summaries.
fn stated(el: &Element, field: &str) -> String {
    match el.field(field) {
        Some(v) => format!("{field} is `{}`", sanitize(v)),
        None => format!("{field} is not stated"),
    }
}

fn scopes(oauth: &Element) -> Check {
    let raw = oauth.field("commaSeparatedOauthScopes").unwrap_or_default();
    let tokens: Vec<&str> = raw.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
    let has = |name: &str| tokens.iter().any(|t| t.eq_ignore_ascii_case(name));
    let hint = hint(&Fix::MetaScopes);
    // RefreshToken "has the same behavior as deploying OfflineAccess" (C.1 item 3).
    let mut missing = Vec::new();
    if !has("Api") {
        missing.push("Api");
    }
    if !has("RefreshToken") && !has("OfflineAccess") {
        missing.push("RefreshToken");
    }
    let shown = sanitize(&tokens.join(", "));
    if !missing.is_empty() {
        return Check::fail(CheckId::Scopes, format!("the scopes `{shown}` lack {}", missing.join(" and ")), hint);
    }
    if has("Full") {
        return Check::fail(CheckId::Scopes, format!("the scopes `{shown}` include Full, which is broader than mailfino needs"), hint);
    }
    let extra: Vec<&str> =
        tokens.iter().copied().filter(|t| !["Api", "RefreshToken", "OfflineAccess"].iter().any(|k| t.eq_ignore_ascii_case(k))).collect();
    if extra.is_empty() {
        Check::pass(CheckId::Scopes, format!("the scopes are `{shown}`"))
    } else {
        Check::warn(
            CheckId::Scopes,
            format!("the scopes `{shown}` include more than mailfino needs: {}", sanitize(&extra.join(", "))),
            hint,
        )
    }
}

/// Strips what Salesforce's exact match does not forgive, to say what a near miss is.
fn loosely(url: &str) -> String {
    url.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn callback_urls(global: &Element, exp: &Expected) -> Check {
    let raw = global.field("callbackUrl").unwrap_or_default();
    let urls: Vec<&str> = raw.lines().map(str::trim).filter(|u| !u.is_empty()).collect();
    let fix = hint(&Fix::MetaCallbacks { callback: exp.callback.clone(), redirect: exp.redirect.clone() });
    let has_loopback = urls.contains(&exp.redirect.as_str());
    if urls.contains(&exp.callback.as_str()) {
        return if has_loopback {
            Check::pass(
                CheckId::CallbackUrls,
                format!("mailfino's callback {} and the loopback {} are registered", exp.callback, exp.redirect),
            )
        } else {
            Check::warn(
                CheckId::CallbackUrls,
                format!(
                    "mailfino's callback is registered; the loopback redirect URI {} is missing (needed only for `mailfino-sf login`)",
                    exp.redirect
                ),
                hint(&Fix::MetaLoopback { redirect: exp.redirect.clone() }),
            )
        };
    }
    let near = urls.iter().find(|u| loosely(u) == loosely(&exp.callback));
    let other_mailfino = urls.iter().find(|u| u.trim_end_matches('/').ends_with(CALLBACK_PATH));
    let summary = match (near, other_mailfino) {
        (Some(u), _) if u.ends_with('/') && !exp.callback.ends_with('/') => {
            format!("mailfino's callback is registered with a trailing slash ({}); Salesforce matches exactly", sanitize(u))
        }
        (Some(u), _) => {
            format!("mailfino's callback is registered as {}, not exactly {}; Salesforce matches exactly", sanitize(u), exp.callback)
        }
        (None, Some(u)) => format!(
            "the app's mailfino callback is {}, but this profile's is {} (a self-hosted mailfino: pass --mailfino-url)",
            sanitize(u),
            exp.callback
        ),
        (None, None) => format!(
            "mailfino's callback {} is not among the app's callback URLs ({})",
            exp.callback,
            if urls.is_empty() { "none".to_string() } else { sanitize(&urls.join(", ")) }
        ),
    };
    let summary = if has_loopback { summary } else { format!("{summary}; the loopback {} is missing too", exp.redirect) };
    Check::fail(CheckId::CallbackUrls, summary, fix)
}

fn pkce(global: &Element) -> Check {
    let hint = hint(&Fix::MetaPkce);
    match flag(global, "isPkceRequired") {
        Some(true) => Check::pass(CheckId::Pkce, "PKCE is required"),
        Some(false) => Check::fail(CheckId::Pkce, "PKCE is not required (isPkceRequired is false)", hint),
        None => Check::warn(CheckId::Pkce, format!("could not tell whether PKCE is required: {}", stated(global, "isPkceRequired")), hint),
    }
}

fn secret_required(global: &Element) -> Check {
    let hint = hint(&Fix::MetaSecretRequired);
    let web = flag(global, "isConsumerSecretOptional").map(|optional| !optional);
    let refresh = flag(global, "isSecretRequiredForRefreshToken");
    let mut not = Vec::new();
    if web == Some(false) {
        not.push("the web-server flow (isConsumerSecretOptional is true)");
    }
    if refresh == Some(false) {
        not.push("the refresh flow (isSecretRequiredForRefreshToken is false)");
    }
    if !not.is_empty() {
        return Check::fail(CheckId::SecretRequired, format!("the secret is not required for {}", not.join(" nor ")), hint);
    }
    match (web, refresh) {
        (Some(true), Some(true)) => Check::pass(CheckId::SecretRequired, "the secret is required for the web-server and refresh flows"),
        _ => Check::warn(
            CheckId::SecretRequired,
            format!(
                "could not tell whether the secret is required: {}, {}",
                stated(global, "isConsumerSecretOptional"),
                stated(global, "isSecretRequiredForRefreshToken")
            ),
            hint,
        ),
    }
}

fn refresh_policy(p: &Element) -> Check {
    let fix = hint(&Fix::MetaRefreshPolicy { idle: false });
    let period = || {
        let n = p.field("refreshTokenValidityPeriod").unwrap_or("?");
        let unit = p.field("refreshTokenValidityUnit").unwrap_or("?");
        sanitize(&format!("{n} {}", unit.to_ascii_lowercase()))
    };
    match p.field("refreshTokenPolicyType") {
        Some("Infinite") => Check::pass(CheckId::RefreshTokenPolicy, "the refresh token is valid until revoked"),
        Some("SpecificLifetime") => Check::fail(
            CheckId::RefreshTokenPolicy,
            format!("the refresh token expires {} after login: mailfino then loses the connection until someone logs in again", period()),
            fix,
        ),
        Some("SpecificInactivity") => Check::warn(
            CheckId::RefreshTokenPolicy,
            format!("the refresh token expires after {} without use", period()),
            hint(&Fix::MetaRefreshPolicy { idle: true }),
        ),
        Some("Zero") => {
            Check::fail(CheckId::RefreshTokenPolicy, "the refresh token expires immediately: mailfino cannot stay connected", fix)
        }
        _ => Check::warn(CheckId::RefreshTokenPolicy, format!("could not tell: {}", stated(p, "refreshTokenPolicyType")), fix),
    }
}

fn ip_policy(p: &Element) -> Check {
    let hint = hint(&Fix::MetaIpPolicy);
    match p.field("ipRelaxationPolicyType") {
        Some("Enforce_RelaxRefresh") => Check::pass(CheckId::IpPolicy, "IP restrictions are enforced, relaxed for refresh tokens"),
        Some("Bypass") => Check::pass(CheckId::IpPolicy, "IP restrictions are relaxed"),
        Some("Enforce") => Check::warn(
            CheckId::IpPolicy,
            "IP restrictions are enforced: mailfino's refreshes fail from a server outside the user's login IP ranges",
            hint,
        ),
        Some("Bypass_2factor") => Check::warn(
            CheckId::IpPolicy,
            "IP restrictions are relaxed only with a second factor, which mailfino's server cannot give",
            hint,
        ),
        _ => Check::warn(CheckId::IpPolicy, format!("could not tell: {}", stated(p, "ipRelaxationPolicyType")), hint),
    }
}

fn permitted_users(p: &Element) -> Check {
    let named: Vec<String> = ["commaSeparatedPermissionSet", "commaSeparatedProfile"]
        .iter()
        .filter_map(|f| {
            p.field(f)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{} {}", if f.ends_with("Set") { "permission set" } else { "profile" }, sanitize(v)))
        })
        .collect();
    match p.field("permittedUsersPolicyType") {
        Some("AllSelfAuthorized") => Check::pass(CheckId::PermittedUsers, "all users may self-authorize"),
        Some("AdminApprovedPreAuthorized") if !named.is_empty() => {
            Check::pass(CheckId::PermittedUsers, format!("admin-approved users, pre-authorized through {}", named.join(" and ")))
        }
        Some("AdminApprovedPreAuthorized") => Check::fail(
            CheckId::PermittedUsers,
            "admin-approved users, but no permission set or profile is named: nobody may use the app",
            hint(&Fix::MetaPermittedUsers { nobody: true }),
        ),
        _ => Check::warn(
            CheckId::PermittedUsers,
            format!("could not tell: {}", stated(p, "permittedUsersPolicyType")),
            hint(&Fix::MetaPermittedUsers { nobody: false }),
        ),
    }
}

fn distribution(app: &Element) -> Check {
    match app.field("distributionState") {
        Some("Local") => Check::pass(CheckId::Distribution, "distribution state Local (an app of this org)"),
        _ => Check::warn(
            CheckId::Distribution,
            format!("{}; an app made in the customer's own org is Local", stated(app, "distributionState")),
            hint(&Fix::MetaDistribution),
        ),
    }
}

fn app_enabled(p: &Element) -> Check {
    let hint = hint(&Fix::MetaEnabled);
    match (flag(p, "isEnabled"), flag(p, "isOauthPluginEnabled")) {
        (Some(false), _) => Check::fail(CheckId::AppEnabled, "the app is disabled (isEnabled is false)", hint),
        (_, Some(false)) => Check::fail(CheckId::AppEnabled, "OAuth is disabled for the app (isOauthPluginEnabled is false)", hint),
        // isOauthPluginEnabled defaults to true (C.1 item 3).
        (Some(true), _) => Check::pass(CheckId::AppEnabled, "the app and its OAuth plugin are enabled"),
        (None, _) => Check::warn(CheckId::AppEnabled, format!("could not tell: {}", stated(p, "isEnabled")), hint),
    }
}
