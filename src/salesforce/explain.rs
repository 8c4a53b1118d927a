//! The one table of fixes: every failure kind ([`Fix`]) has exactly one hint, saying where in
//! Salesforce to go (the Setup path) and what to put there (the exact value), or which command to
//! run. Salesforce's OAuth error strings map onto these kinds in [`explain`]; HTTP statuses in
//! [`for_status`]. Every command renders its hints from here, so the same failure reads the same
//! everywhere (a 503 on the token endpoint and on the login host alike).
//!
//! Rendering needs the run's profile (commands in hints carry `--profile NAME` when it is not the
//! default) and, where known, the org's host (then the Setup address on that host is printed; the
//! Quick Find words are printed always). [`set_run`] records them once per run.
//!
//! Adding a failure kind: add a variant, its entry in [`Fix::entry`], and, if Salesforce names it,
//! the mapping in [`explain`].

use std::sync::RwLock;

use crate::salesforce::checklist::step_ref;

/// How long a new or changed External Client App may take before Salesforce accepts it: connected
/// apps 5-10 minutes, an ECA guide says 30 (reference 4.18, 9.4).
pub const PROPAGATION_MINUTES: u64 = 30;

/// The propagation sentence of every hint about an app Salesforce does not accept yet.
pub const PROPAGATION: &str =
    "a new or changed app can take up to 30 minutes before Salesforce accepts it (`mailfino-sf setup --retry-for 1800` keeps checking)";

/// One kind of failure, and the data its hint needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Salesforce does not know the Consumer Key (`invalid_client_id`).
    ConsumerKey,
    /// Salesforce refused the Consumer Secret (`invalid_client`).
    ConsumerSecret,
    /// The app is not installed in this org.
    AppNotInstalled,
    /// A callback URL is not registered exactly as sent.
    CallbackUrl(String),
    /// A scope is missing from (or not allowed on) the app.
    Scopes,
    /// The app grants `full`.
    FullScope,
    /// Log in again (denied in the browser, a used code, a verifier from another login, a
    /// refused grant).
    LoginAgain,
    /// The refresh token is no longer valid.
    RefreshToken,
    /// The refresh token in CI's environment is no longer valid.
    CiRefreshToken,
    /// This user may not use the app (Permitted Users).
    PermittedUsers,
    /// An admin blocked the app.
    AppBlocked,
    /// OAuth is not enabled on the app, or the flow is not allowed.
    OAuthEnabled,
    /// The request was malformed, most likely PKCE settings.
    Pkce,
    /// The Salesforce user is inactive.
    InactiveUser,
    /// The org is inactive or locked.
    InactiveOrg,
    /// Salesforce answered 5xx or 429, or is rate-limiting.
    SalesforceTrouble,
    /// The login URL does not point at a Salesforce login host.
    LoginUrl,
    /// Nothing answered: network, DNS, proxy.
    Network,
    /// The user cannot use the REST API.
    ApiEnabled,
    /// API Access Control admits only approved apps, or the session is locked to an IP.
    ApiAccessControl,
    /// A fresh session refused: IP relaxation and session IP locking.
    IpRelaxation,
    /// The org's daily API request limit is used up.
    ApiLimit,
    /// A query needs an admin with more permissions.
    AdminPermission,
    /// The stored API version is not offered by the instance.
    ApiVersion,
    /// No profile or an incomplete one.
    Setup,
    /// No refresh token yet.
    Login,
    /// No keyring answered where one was required.
    Keyring,
    /// mailfino's callback URL itself is malformed.
    MailfinoUrl,
    /// The loopback port is taken: register another loopback URL (this one) and log in with it.
    OtherLoopback(String),
    /// The audit found no app named as the profile's `app_name`.
    AppName,
    /// The External Client App is disabled (or its state could not be read).
    AppEnabled,
    /// The app's refresh token policy lets the token expire; `connected`: a Connected App.
    RefreshTokenPolicy { connected: bool },
    /// The app's IP Relaxation does not let mailfino's servers refresh from anywhere.
    IpPolicy,
    /// Who may use a Connected App (Permitted Users in Manage Connected Apps).
    ConnectedPermittedUsers,
    /// Admin-approved users only, and no approved permission set is listed: approve the one
    /// `user` holds.
    ApprovePermissionSet { user: String },
    /// Admin-approved users only, and `user` holds none of the approved sets: assign `set`, or
    /// approve the user's own `profile`.
    AssignPermissionSet { set: String, user: String, profile: Option<String> },
    /// The integration user is frozen (or whether it is could not be read).
    FrozenUser,
    /// The profile's integration user is not in this org.
    IntegrationUser,
    /// The admin's token of an audit could not be revoked.
    RevokeAdminToken,
    /// An answer could not be read this time: run the subcommand (`verify`, `audit`) again later.
    AgainLater(&'static str),
    /// Whether the integration user is active could not be read: look in Setup, check again later.
    UserState,
    /// The Consumer Secret was neither proven nor refused by the probes: a login and a refresh prove it.
    ProveSecret,
    /// mailfino's env file differs from the profile, or is missing: rewrite it from the profile, or
    /// check the file on its own.
    EnvFileRewrite { path: String },
    /// mailfino's env file cannot be read by this user.
    EnvFileUnreadable,
    /// mailfino's env file lacks the MAILFINO_SALESFORCE_* values.
    EnvFileValues,
    /// `verify --env-file` names no file.
    EnvFilePath,
    /// The token's org is not the profile's: a refreshed sandbox.
    SandboxRefreshed,
    /// The org answers at another instance (`now`): a My Domain change or an instance move.
    InstanceMoved { now: String },
    /// The integration user's approvals of the app are nearly all used.
    SpareApprovals,
    // The fixes of `app check`: a metadata field of the app's files (reference eca-metadata.md),
    // with the Setup field it stands for.
    /// No app's files were found (or not the one named): retrieve or export them.
    MetaFiles,
    /// Some of the app's files cannot be read.
    MetaUnreadable,
    /// The app lacks the file of metadata type `kind` (e.g. `ExtlClntAppOauthSettings`).
    MetaMissingFile { kind: String, app: String },
    /// Retrieved files hold the app's key or secret (`fields`: `<consumerKey>` …).
    MetaHeldSecrets { fields: String },
    /// The project holds several apps: name one.
    MetaPickApp,
    /// `commaSeparatedOauthScopes`.
    MetaScopes,
    /// `callbackUrl` must hold mailfino's callback and the loopback redirect URI.
    MetaCallbacks { callback: String, redirect: String },
    /// `callbackUrl` lacks only the loopback redirect URI.
    MetaLoopback { redirect: String },
    /// `isPkceRequired`.
    MetaPkce,
    /// `isConsumerSecretOptional` and `isSecretRequiredForRefreshToken`.
    MetaSecretRequired,
    /// `refreshTokenPolicyType`; `idle`: an inactivity window, fine if mailfino refreshes often enough.
    MetaRefreshPolicy { idle: bool },
    /// `ipRelaxationPolicyType`.
    MetaIpPolicy,
    /// `permittedUsersPolicyType`; `nobody`: admin-approved with no set or profile named.
    MetaPermittedUsers { nobody: bool },
    /// `distributionState`.
    MetaDistribution,
    /// `isEnabled` and `isOauthPluginEnabled`.
    MetaEnabled,
    /// Something the table does not know.
    Unknown,
}

/// The parts of one hint.
struct Entry {
    /// Where in Salesforce: the Setup path, starting after "Setup →".
    path: Option<&'static str>,
    /// The Quick Find words that open the first page of `path`.
    quick_find: Option<&'static str>,
    /// What to do or put there.
    what: String,
    /// A command to run afterwards (without `mailfino-sf`; the profile flag is added).
    then: Option<String>,
}

const ECA: &str = "External Client App Manager";

/// What to choose for the refresh token (reference salesforce-oauth.md 4.13).
const VALID_UNTIL_REVOKED: &str = "choose \"Refresh token is valid until revoked\" (if the org's 30-day idle limit hides it, mailfino must refresh at least once a month)";

impl Fix {
    /// THE fix table: one arm per fix. Longer than 60 lines on purpose: it is a table, read row
    /// by row, and splitting it would scatter the one place every hint comes from.
    fn entry(&self) -> Entry {
        let e = |path, quick_find, what: &str, then: Option<&str>| Entry {
            path,
            quick_find,
            what: what.to_string(),
            then: then.map(str::to_string),
        };
        match self {
            // reference salesforce-oauth.md 4.3: Settings tab → OAuth Settings → Consumer Key and Secret
            Fix::ConsumerKey => e(
                Some("External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret"),
                Some(ECA),
                &format!("copy the Consumer Key again; check that the login URL is this org's (production vs sandbox); {PROPAGATION}"),
                Some("setup"),
            ),
            Fix::ConsumerSecret => e(
                Some("External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret"),
                Some(ECA),
                "copy the Consumer Secret again (Salesforce sends an e-mail code first) and store it",
                Some("setup"),
            ),
            Fix::AppNotInstalled => e(
                Some("External Client App Manager → New External Client App"),
                Some(ECA),
                "create the app in this org itself (Distribution State: Local), then use its Consumer Key",
                Some("setup"),
            ),
            Fix::CallbackUrl(url) => Entry {
                path: Some("External Client App Manager → your app → Settings → OAuth Settings → Callback URL"),
                quick_find: Some(ECA),
                what: format!("add `{url}` on a line of its own, character for character; {PROPAGATION}"),
                then: Some("verify".into()),
            },
            Fix::OtherLoopback(url) => Entry {
                path: Some("External Client App Manager → your app → Settings → OAuth Settings → Callback URL"),
                quick_find: Some(ECA),
                what: format!("or add another loopback URL, `{url}`, on a line of its own; {PROPAGATION}"),
                then: Some(format!("login --redirect-uri {url}")),
            },
            Fix::Scopes => e(
                Some("External Client App Manager → your app → Settings → OAuth Settings → OAuth Scopes"),
                Some(ECA),
                "select \"Manage user data via APIs (api)\" and \"Perform requests at any time (refresh_token, offline_access)\", save, then log in again",
                Some("login"),
            ),
            Fix::FullScope => e(
                Some("External Client App Manager → your app → Settings → OAuth Settings → OAuth Scopes"),
                Some(ECA),
                "remove \"Full access (full)\": keep only \"Manage user data via APIs (api)\" and \"Perform requests at any time (refresh_token, offline_access)\"",
                None,
            ),
            Fix::LoginAgain => e(None, None, "log in again from the start and choose Allow (a login code works once, for a few minutes)", Some("login")),
            // reference 4.13: Refresh Token Policy on the Policies tab
            Fix::RefreshToken => e(
                Some("External Client App Manager → your app → Policies → Edit → OAuth Policies → Refresh Token Policy"),
                Some(ECA),
                &format!(
                    "log in again; if the token keeps expiring (`{}` reads the app's policy as an admin), choose \"Refresh token is valid until revoked\"",
                    command("audit")
                ),
                Some("login"),
            ),
            Fix::CiRefreshToken => e(
                None,
                None,
                "on an admin machine run `mailfino-sf login` and `mailfino-sf export-ci`, and store the new MAILFINO_SF_REFRESH_TOKEN in the CI secret",
                None,
            ),
            // reference 4.11: Permitted Users
            Fix::PermittedUsers => e(
                Some("External Client App Manager → your app → Policies → Edit → OAuth Policies → Permitted Users"),
                Some(ECA),
                "choose \"All users may self-authorize\", or add this user's profile or permission set",
                Some("login"),
            ),
            Fix::AppBlocked => e(
                Some("Connected Apps OAuth Usage → your app → Unblock"),
                Some("Connected Apps OAuth Usage"),
                "unblock the app (or allow it under API Access Control)",
                Some("login"),
            ),
            Fix::OAuthEnabled => e(
                Some("External Client App Manager → your app → Settings → OAuth Settings"),
                Some(ECA),
                "tick \"Enable OAuth\" and save",
                Some("verify"),
            ),
            // reference 4.7: the Security boxes
            Fix::Pkce => e(
                Some("External Client App Manager → your app → Settings → OAuth Settings → Security"),
                Some(ECA),
                "keep \"Require Proof Key for Code Exchange (PKCE)\" and both \"Require secret\" boxes ticked",
                Some("login"),
            ),
            // post-setup-failures A.8 / B.1 "User inactive"
            Fix::InactiveUser => e(
                Some("Users → the user → Edit → Active"),
                Some("Users"),
                "reactivate the user, or log in as another active integration user and reconnect mailfino with it",
                Some("login"),
            ),
            Fix::InactiveOrg => e(None, None, "the org is inactive or locked: check its status with Salesforce (status.salesforce.com)", None),
            Fix::SalesforceTrouble => e(
                None,
                None,
                "Salesforce is having trouble or is rate-limiting: wait a few minutes and try again (status.salesforce.com)",
                None,
            ),
            Fix::LoginUrl => e(
                None,
                None,
                "use https://login.salesforce.com (production), https://test.salesforce.com (sandbox) or your My Domain URL (https://NAME.my.salesforce.com)",
                Some("setup"),
            ),
            Fix::Network => e(None, None, "check the login URL, the network and the proxy settings (HTTPS_PROXY, NO_PROXY)", None),
            Fix::ApiEnabled => e(
                Some("Users → the user's profile (or a permission set) → System Permissions → API Enabled"),
                Some("Profiles"),
                "tick \"API Enabled\" for the integration user (Professional Edition needs the API add-on); also check the app's IP Relaxation policy",
                Some("verify"),
            ),
            // reference post-setup-failures A.2/A.5/A.6/A.9
            Fix::ApiAccessControl => e(
                Some("API Access Control"),
                Some("API Access Control"),
                "allow the app (or turn the control off); on the app's Policies tab set IP Relaxation to \"Relax IP restrictions\"; in Session Settings untick \"Lock sessions to the IP address from which they originated\"",
                Some("verify"),
            ),
            Fix::IpRelaxation => e(
                Some("External Client App Manager → your app → Policies → Edit → OAuth Policies → IP Relaxation"),
                Some(ECA),
                "choose \"Relax IP restrictions\" (or add mailfino's server addresses to the trusted ranges); in Session Settings untick \"Lock sessions to the IP address from which they originated\"; check API Access Control",
                Some("verify"),
            ),
            Fix::ApiLimit => e(
                Some("System Overview → API Requests, Last 24 Hours"),
                Some("System Overview"),
                "find the integration that uses the most (or the API Usage report), wait for the 24-hour window to roll, or buy more API calls",
                None,
            ),
            Fix::AdminPermission => e(None, None, "log in as an admin with the permission named", None),
            Fix::ApiVersion => e(None, None, "log in again to learn the org's API version", Some("login")),
            Fix::Setup => e(None, None, "store the profile's values (or set the MAILFINO_SF_* variables for CI)", Some("setup")),
            Fix::Login => e(None, None, "log in once to store a refresh token", Some("login")),
            Fix::Keyring => e(
                None,
                None,
                "start the Secret Service (e.g. gnome-keyring-daemon) and unlock it, or choose the file store with --store file",
                None,
            ),
            Fix::MailfinoUrl => e(
                None,
                None,
                "mailfino's callback is its public https:// base URL + /api/v6/integrations/oauth/salesforce/callback",
                Some("setup"),
            ),
            Fix::Unknown => e(None, None, "read Salesforce's description above; `mailfino-sf verify` checks each setting", None),
            Fix::AppName => e(
                Some("External Client App Manager"),
                Some(ECA),
                "find the app mailfino uses and set `app_name` in the profile to its name or label as shown there (or create the app: New External Client App)",
                Some("setup"),
            ),
            // reference post-setup-failures B.1: the app's enabled state is an App Policy
            Fix::AppEnabled => e(
                Some("External Client App Manager → your app → Policies → Edit → App Policies"),
                Some(ECA),
                "enable the app and save",
                Some("audit"),
            ),
            // reference salesforce-oauth.md 4.13
            Fix::RefreshTokenPolicy { connected: false } => e(
                Some("External Client App Manager → your app → Policies → Edit → OAuth Policies → Refresh Token Policy"),
                Some(ECA),
                VALID_UNTIL_REVOKED,
                Some("audit"),
            ),
            Fix::RefreshTokenPolicy { connected: true } => e(
                Some("Manage Connected Apps → your app → Edit Policies → OAuth Policies → Refresh Token Policy"),
                Some("Manage Connected Apps"),
                VALID_UNTIL_REVOKED,
                Some("audit"),
            ),
            // reference 4.12
            Fix::IpPolicy => e(
                Some("External Client App Manager → your app → Policies → Edit → OAuth Policies → IP Relaxation"),
                Some(ECA),
                "choose \"Relax IP restrictions for refresh tokens\", or add mailfino's server addresses to the trusted IP ranges",
                Some("audit"),
            ),
            Fix::ConnectedPermittedUsers => e(
                Some("Manage Connected Apps → your app → Edit Policies → OAuth Policies → Permitted Users"),
                Some("Manage Connected Apps"),
                "choose \"All users may self-authorize\", or approve the integration user's profile or permission set",
                Some("audit"),
            ),
            Fix::ApprovePermissionSet { user } => Entry {
                path: Some("External Client App Manager → your app → Policies → Edit → OAuth Policies → Permitted Users"),
                quick_find: Some(ECA),
                what: format!("with \"Admin approved users are pre-authorized\", add the permission set that {user} holds to the app's permission sets"),
                then: Some("audit".into()),
            },
            Fix::AssignPermissionSet { set, user, profile } => Entry {
                path: Some("Users → the user → Permission Set Assignments → Edit Assignments"),
                quick_find: Some("Users"),
                what: format!(
                    "assign {set} to {user}{}",
                    profile.as_ref().map(|p| format!(", or add {p} to the app's approved profiles (the app's Policies tab → Permitted Users)")).unwrap_or_default()
                ),
                then: Some("audit".into()),
            },
            // reference post-setup-failures A.8
            Fix::FrozenUser => e(
                Some("Users → the user → Unfreeze"),
                Some("Users"),
                "unfreeze the integration user (the Unfreeze button shows only on a frozen user)",
                Some("audit"),
            ),
            Fix::IntegrationUser => e(None, None, "log in as mailfino's integration user (this profile's user is not in this org)", Some("login")),
            Fix::RevokeAdminToken => e(
                Some("External Client Apps OAuth Usage (for a Connected App: Connected Apps OAuth Usage) → your app"),
                Some("OAuth Usage"),
                "revoke the admin's token, listed under the admin's name",
                None,
            ),
            Fix::AgainLater(cmd) => e(None, None, "Salesforce's answer could not be read this time; check again in a few minutes", Some(cmd)),
            Fix::UserState => e(
                Some("Users → the integration user"),
                Some("Users"),
                "check that the user is active and not frozen (Salesforce's answer could not be read this time)",
                Some("verify"),
            ),
            // reference 9.6: neither probe proves the secret; a refresh does
            Fix::ProveSecret => e(
                None,
                None,
                &format!("`{}` and then `{}` prove the secret with a refresh", command("login"), command("verify")),
                None,
            ),
            Fix::EnvFileRewrite { path } => e(
                None,
                None,
                &format!(
                    "if the profile is right (the other checks pass), write its values with `{} --env-file {path}` (other lines are kept, the old file is backed up) and restart mailfino; if the file is right, `mailfino-sf verify --env-file {path}` without a profile checks it",
                    command("setup")
                ),
                None,
            ),
            Fix::EnvFileUnreadable => e(None, None, "run verify as a user who may read the file (e.g. with sudo, or as mailfino's user)", None),
            Fix::EnvFileValues => e(None, None, "write them with `mailfino-sf setup --env-file PATH` on the admin's machine", None),
            Fix::EnvFilePath => e(None, None, "pass the path of mailfino's env file", None),
            // post-setup-failures B.1 "Sandbox refresh": a refreshed sandbox has a new org id
            Fix::SandboxRefreshed => e(
                Some(ECA),
                Some(ECA),
                "check that the app still exists in the refreshed sandbox (re-create it if not), log in to store the new org, and reconnect mailfino to the sandbox",
                Some("login"),
            ),
            Fix::InstanceMoved { now } => e(
                None,
                None,
                &format!(
                    "mailfino keeps working when it uses the instance_url of each refresh; log in to store {now}, and after a My Domain rename update the login URL (`{}`)",
                    command("setup --login-url …")
                ),
                Some("login"),
            ),
            Fix::MetaFiles => e(
                None,
                None,
                "retrieve the app again (sf project retrieve start -m ExternalClientApplication:NAME …) or export it (mailfino-sf app export DIR)",
                None,
            ),
            Fix::MetaPickApp => e(None, None, "name the one to check with --name NAME", None),
            Fix::MetaUnreadable => e(None, None, "fix or remove the files named (retrieve or export them again)", None),
            Fix::MetaMissingFile { kind, app } => e(
                None,
                None,
                &format!("retrieve it too (sf project retrieve start -m {kind}:{app}…) or export the app (mailfino-sf app export DIR)"),
                None,
            ),
            Fix::MetaHeldSecrets { fields } => e(
                None,
                None,
                &format!("do not commit {fields}: a deploy does not need it (Salesforce generates the key and secret)"),
                None,
            ),
            Fix::MetaScopes => e(
                None,
                None,
                &format!("set commaSeparatedOauthScopes to `Api, RefreshToken` and deploy again (in Setup: {})", step_ref(3)),
                None,
            ),
            Fix::MetaCallbacks { callback, redirect } => e(
                None,
                None,
                &format!("callbackUrl must hold these lines, exactly: {callback} and {redirect} ({})", step_ref(4)),
                None,
            ),
            Fix::MetaLoopback { redirect } => {
                e(None, None, &format!("add {redirect} as a second line of callbackUrl ({})", step_ref(4)), None)
            }
            Fix::MetaPkce => e(
                None,
                None,
                "set isPkceRequired to true (Setup: \"Require Proof Key for Code Exchange (PKCE)\", checklist step 2)",
                None,
            ),
            Fix::MetaSecretRequired => e(
                None,
                None,
                "set isConsumerSecretOptional to false and isSecretRequiredForRefreshToken to true (Setup: \"Require secret for Web Server Flow\" and \"Require secret for Refresh Token Flow\", checklist step 2)",
                None,
            ),
            // reference 4.13
            Fix::MetaRefreshPolicy { idle } => e(
                None,
                None,
                &format!(
                    "{}set refreshTokenPolicyType to Infinite (Setup: \"Refresh token is valid until revoked\"; mailfino-sf app export --refresh-policy infinite)",
                    if *idle { "fine only if mailfino uses the connection at least that often; " } else { "" }
                ),
                None,
            ),
            // reference 4.12
            Fix::MetaIpPolicy => e(
                None,
                None,
                "set ipRelaxationPolicyType to Enforce_RelaxRefresh (\"relax IP restrictions for refresh tokens\"), or make sure mailfino's server is inside the integration user's login IP ranges",
                None,
            ),
            Fix::MetaPermittedUsers { nobody: true } => e(
                None,
                None,
                "name the integration user's permission set in commaSeparatedPermissionSet (mailfino-sf app export --permission-set NAME) and assign it to that user",
                None,
            ),
            Fix::MetaPermittedUsers { nobody: false } => {
                e(None, None, "use AllSelfAuthorized, or AdminApprovedPreAuthorized with the integration user's permission set", None)
            }
            Fix::MetaDistribution => {
                e(None, None, "set distributionState to Local (reference: packaged apps are for managed packages)", None)
            }
            Fix::MetaEnabled => e(None, None, "set isEnabled and isOauthPluginEnabled to true", None),
            // reference 9.2: five approvals per user and app, the oldest revoked silently
            Fix::SpareApprovals => e(
                Some("Users → the integration user → OAuth Connected Apps"),
                Some("Users"),
                "revoke the approvals no longer used (or run `mailfino-sf logout` where this tool is no longer used), and log in with this user only where needed",
                None,
            ),
        }
    }
}

/// What the hints of this run may name.
#[derive(Debug, Clone, Default)]
struct Run {
    /// ` --profile NAME`, empty for the default profile.
    profile_flag: String,
    /// The org's own host (`https://acme.my.salesforce.com`), when known.
    org_url: Option<String>,
}

static RUN: RwLock<Option<Run>> = RwLock::new(None);

/// Records the run's profile and, when known, the org's URL (a My Domain login URL or the
/// instance of the last login); `login.salesforce.com` and `test.salesforce.com` are not an org.
pub fn set_run(profile: &str, org_url: Option<&str>) {
    if let Ok(mut run) = RUN.write() {
        *run = Some(Run::new(profile, org_url));
    }
}

fn run() -> Run {
    RUN.read().ok().and_then(|r| r.clone()).unwrap_or_default()
}

/// `mailfino-sf CMD` with this run's `--profile NAME`.
pub fn command(cmd: &str) -> String {
    format!("mailfino-sf {cmd}{}", run().profile_flag)
}

/// The hint for `fix`, rendered for this run: one line.
pub fn hint(fix: &Fix) -> String {
    render(fix, &run())
}

fn render(fix: &Fix, run: &Run) -> String {
    let entry = fix.entry();
    let mut out = String::new();
    if let Some(path) = entry.path {
        out.push_str(&format!("in Salesforce Setup → {path}: "));
    }
    out.push_str(&entry.what);
    if let Some(words) = entry.quick_find {
        // The org's Lightning Experience address is documented (Salesforce CLI `org open`); the
        // Setup pages themselves have no documented stable address, so Quick Find leads on.
        match &run.org_url {
            Some(org) => out.push_str(&format!(" (open {org}/lightning, then Setup and Quick Find \"{words}\")")),
            None => out.push_str(&format!(" (Setup: type \"{words}\" in Quick Find)")),
        }
    }
    if let Some(cmd) = &entry.then {
        out.push_str(&format!("; then run `mailfino-sf {cmd}{}`", run.profile_flag));
    }
    out
}

/// What an OAuth error means and which fix applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub meaning: String,
    pub fix: Fix,
}

impl Explanation {
    /// The rendered hint.
    pub fn hint(&self) -> String {
        hint(&self.fix)
    }
}

impl Run {
    fn new(profile: &str, org_url: Option<&str>) -> Self {
        let profile_flag = if profile == "default" { String::new() } else { format!(" --profile {profile}") };
        let org_url = org_url
            .filter(|u| !u.contains("://login.salesforce.com") && !u.contains("://test.salesforce.com"))
            .map(|u| u.trim_end_matches('/').to_string());
        Run { profile_flag, org_url }
    }
}

/// The fix for an HTTP status that is not Salesforce's OAuth JSON: 5xx and 429 are Salesforce's
/// trouble (the same hint on every endpoint), anything else says the URL is not a login host.
pub fn for_status(status: u16) -> Fix {
    if status >= 500 || status == 429 {
        Fix::SalesforceTrouble
    } else {
        Fix::LoginUrl
    }
}

/// Explains an `error` (and, where it refines the meaning, the `error_description`). The
/// redirect URI, when known, goes into the callback hint.
pub fn explain(error: &str, description: &str) -> Explanation {
    explain_for(error, description, None)
}

/// As [`explain`], with the callback URL that was sent.
pub fn explain_for(error: &str, description: &str, redirect_uri: Option<&str>) -> Explanation {
    let e = |meaning: &str, fix: Fix| Explanation { meaning: meaning.to_string(), fix };
    let desc = description.to_ascii_lowercase();
    match error {
        "invalid_client_id" => e("Salesforce does not know this Consumer Key", Fix::ConsumerKey),
        "invalid_client" if desc.contains("installed") => {
            e("the app is not installed in this org, and the user may not use uninstalled apps", Fix::AppNotInstalled)
        }
        "invalid_client" | "invalid_client_credentials" => e("Salesforce refused the Consumer Secret", Fix::ConsumerSecret),
        "redirect_uri_mismatch" => e(
            "the callback URL is not registered on the app exactly as sent",
            Fix::CallbackUrl(redirect_uri.unwrap_or("the callback URL").to_string()),
        ),
        "invalid_scope" => e("a requested scope is not allowed on the app", Fix::Scopes),
        "access_denied" | "access-denied" => e("the login was denied in the browser (Deny was clicked)", Fix::LoginAgain),
        "OAUTH_APP_BLOCKED" => e("an admin blocked this app (Connected Apps OAuth Usage or API Access Control)", Fix::AppBlocked),
        "OAUTH_APP_ACCESS_DENIED" | "invalid_app_access" => {
            e("this user is not allowed to use the app (Admin approved users are pre-authorized)", Fix::PermittedUsers)
        }
        "app_not_found" => e("the External Client App is not installed in this org", Fix::AppNotInstalled),
        "invalid_grant" if desc.contains("authorization code") => e("the authorization code was already used or is too old", Fix::LoginAgain),
        "invalid_grant" if desc.contains("code verifier") => e("the PKCE code verifier did not match the login", Fix::LoginAgain),
        "invalid_grant" if desc.contains("refresh token") || desc.contains("expired access") => e(
            "the refresh token is no longer valid: revoked, expired by the app's refresh token policy, an already-rotated token was reused, the user was deactivated, or the sandbox was refreshed",
            Fix::RefreshToken,
        ),
        "invalid_grant" if desc.contains("admin approved") || desc.contains("approved this consumer") => {
            e("this user is not approved to use the app", Fix::PermittedUsers)
        }
        // post-setup-failures.md A.8: a deactivated user's refresh is `invalid_grant: inactive user`;
        // logging in again cannot help until the user is active again.
        "invalid_grant" if desc.contains("inactive user") => e("the Salesforce user is inactive", Fix::InactiveUser),
        "invalid_grant" => e("Salesforce refused the grant", Fix::LoginAgain),
        "unsupported_grant_type" => e("the app does not allow this OAuth flow", Fix::OAuthEnabled),
        "unsupported_response_type" => e("the authorization request was not understood", Fix::Unknown),
        "immediate_unsuccessful" => e("Salesforce needs the user to log in", Fix::LoginAgain),
        "inactive_user" => e("the Salesforce user is inactive", Fix::InactiveUser),
        "inactive_org" => e("the Salesforce org is inactive or locked", Fix::InactiveOrg),
        "rate_limit_exceeded" => e("Salesforce is rate-limiting logins for this user or app", Fix::SalesforceTrouble),
        "OAUTH_APPROVAL_ERROR_GENERIC" => e("Salesforce reported an unexpected error during the login", Fix::PermittedUsers),
        "invalid_request" => e("Salesforce rejected the request as malformed", Fix::Pkce),
        _ => e("Salesforce reported an OAuth error", Fix::Unknown),
    }
}

/// Explains a REST API `errorCode` (answers on the instance, `[{"message","errorCode"}]`) as
/// seen with a token that was issued a moment ago (post-setup-failures.md A.2, A.5, A.6, A.9).
pub fn explain_rest(code: &str, message: &str) -> Explanation {
    let e = |meaning: &str, fix: Fix| Explanation { meaning: meaning.to_string(), fix };
    let msg = message.to_ascii_lowercase();
    match code {
        // A.9: "API_DISABLED_FOR_ORG: The REST API is not enabled for this Organization."
        "API_DISABLED_FOR_ORG" => e(
            "the org or the user may not use the API (API Enabled is off, or the edition has no API access)",
            Fix::ApiEnabled,
        ),
        // A.2 / A.5: a token issued a moment ago and refused at once is not expired: the session is
        // locked to another IP, login IP ranges are enforced on every request, or API Access
        // Control admits only approved apps.
        "INVALID_SESSION_ID" if msg.contains("not valid for use with the") => e(
            "Salesforce refuses this session for the API although it was issued a moment ago: API Access Control admits only approved apps, or the session is locked to the IP it came from",
            Fix::ApiAccessControl,
        ),
        "INVALID_SESSION_ID" => e(
            "Salesforce refused an access token it issued a moment ago: the session is locked to another IP address, login IP ranges are enforced on every request, or the session timeout is shorter than a request",
            Fix::IpRelaxation,
        ),
        // A.6: "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded." (HTTP 403)
        "REQUEST_LIMIT_EXCEEDED" => e(
            "the org's daily API request limit is used up: every integration of the org is refused until the 24-hour window frees requests",
            Fix::ApiLimit,
        ),
        "INVALID_TYPE" => e("this user may not read that object, or the org or API version does not have it", Fix::AdminPermission),
        "INVALID_FIELD" => e("this org or API version does not have that field, or the user may not see it", Fix::AdminPermission),
        "INSUFFICIENT_ACCESS_OR_READONLY" | "INSUFFICIENT_ACCESS" => {
            e("this user lacks the permission to read that object", Fix::AdminPermission)
        }
        "NOT_FOUND" => e("the instance does not offer this resource or API version", Fix::ApiVersion),
        _ => e("the REST API refused the call", Fix::ApiEnabled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_error_names_where_to_go() {
        let run = Run::default();
        let cases = [
            ("invalid_client_id", "client identifier invalid", "Consumer Key and Secret"),
            ("invalid_client", "invalid client credentials", "Consumer Secret again"),
            ("invalid_client", "app must be installed into org", "New External Client App"),
            ("invalid_scope", "the requested scope is not allowed", "OAuth Scopes"),
            ("invalid_grant", "expired authorization code", "mailfino-sf login"),
            ("invalid_grant", "expired access/refresh token", "Refresh Token Policy"),
            ("invalid_grant", "invalid code verifier", "mailfino-sf login"),
            ("invalid_grant", "inactive user", "reactivate the user"),
            ("access-denied", "", "Allow"),
            ("OAUTH_APP_BLOCKED", "this app is blocked by admin", "Unblock"),
        ];
        for (error, desc, needle) in cases {
            let x = explain(error, desc);
            let h = render(&x.fix, &run);
            assert!(h.contains(needle), "{error}/{desc}: {h}");
        }
        let x = explain_for("redirect_uri_mismatch", "", Some("http://localhost:8717/callback"));
        let h = render(&x.fix, &run);
        assert!(h.contains("Callback URL: add `http://localhost:8717/callback`"), "{h}");
    }

    #[test]
    fn hints_carry_the_profile_and_the_org_address() {
        let run = Run::new("sandbox", Some("https://acme--dev.sandbox.my.salesforce.com/"));
        let h = render(&Fix::ConsumerSecret, &run);
        assert!(h.contains("`mailfino-sf setup --profile sandbox`"), "{h}");
        assert!(h.contains("open https://acme--dev.sandbox.my.salesforce.com/lightning"), "{h}");
        let run = Run::new("default", Some("https://login.salesforce.com"));
        let h = render(&Fix::ConsumerSecret, &run);
        assert!(h.contains("`mailfino-sf setup`") && h.contains("type \"External Client App Manager\" in Quick Find"), "{h}");
        assert!(!h.contains("login.salesforce.com/lightning"), "{h}");
        assert_eq!(render(&for_status(503), &run), render(&for_status(502), &run));
    }

    /// The audit's and the listener's fixes say where in Setup to go, and which command follows,
    /// with the profile.
    #[test]
    fn audit_fixes_name_the_setup_page_and_the_profile() {
        let run = Run::new("acme", None);
        let cases = [
            (Fix::AppName, "External Client App Manager: "),
            (Fix::AppEnabled, "Policies → Edit → App Policies: "),
            (Fix::RefreshTokenPolicy { connected: false }, "Refresh Token Policy: choose \"Refresh token is valid until revoked\""),
            (Fix::RefreshTokenPolicy { connected: true }, "Manage Connected Apps → your app → Edit Policies"),
            (Fix::IpPolicy, "IP Relaxation: choose \"Relax IP restrictions for refresh tokens\""),
            (Fix::ConnectedPermittedUsers, "Permitted Users: "),
            (Fix::ApprovePermissionSet { user: "int@acme".into() }, "the permission set that int@acme holds"),
            (Fix::FrozenUser, "Users → the user → Unfreeze: "),
            (Fix::RevokeAdminToken, "OAuth Usage"),
        ];
        for (fix, needle) in cases {
            let h = render(&fix, &run);
            assert!(h.starts_with("in Salesforce Setup → ") && h.contains(needle), "{fix:?}: {h}");
            assert!(h.contains("Quick Find"), "{fix:?}: {h}");
        }
        let h = render(
            &Fix::AssignPermissionSet {
                set: "permission set \"M\"".into(),
                user: "int@acme".into(),
                profile: Some("profile \"P\"".into()),
            },
            &run,
        );
        assert!(
            h.contains("assign permission set \"M\" to int@acme, or add profile \"P\"")
                && h.ends_with("`mailfino-sf audit --profile acme`"),
            "{h}"
        );
        let h = render(&Fix::IntegrationUser, &run);
        assert!(h.ends_with("`mailfino-sf login --profile acme`"), "{h}");
        let h = render(&Fix::OtherLoopback("http://localhost:8718/callback".into()), &run);
        assert!(
            h.contains("Callback URL: ") && h.ends_with("`mailfino-sf login --redirect-uri http://localhost:8718/callback --profile acme`"),
            "{h}"
        );
    }
}
