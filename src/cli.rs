//! The command-line surface: clap types only, nothing else sees them.
//!
//! Conventions: the first doc line of an item is its short `-h` help, later paragraphs are the long
//! `--help` text (and flow into the man pages). `long` is implicit, `short` is explicit, value names
//! are upper case, and `env = "MAILFINO_SF_…"` is used only for non-secret settings: secrets are
//! read from stdin or from the environment inside the program, never from a flag value, so that they
//! never show up in `ps`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

/// Set up, log in to and verify the Salesforce External Client App that connects mailfino.
///
/// mailfino-sf walks the Salesforce Setup checklist for the mailfino integration, checks every
/// value live against Salesforce, writes mailfino's server environment, logs in with PKCE through
/// a loopback listener and proves that the refresh token works.
///
/// Start with `mailfino-sf demo` to see the whole job against the built-in Salesforce emulator,
/// then `mailfino-sf setup` for your org.
#[derive(Debug, Parser)]
#[command(name = "mailfino-sf", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = crate::error::exit_codes_help())]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the subcommand.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Which stored configuration to use.
    #[arg(long, global = true, help_heading = "Global options", env = "MAILFINO_SF_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf].
    #[arg(long, global = true, help_heading = "Global options", env = "MAILFINO_SF_CONFIG_DIR", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub config_dir: Option<PathBuf>,

    /// Where secrets go [default: keyring, falling back to file when no keyring answers].
    #[arg(long, global = true, help_heading = "Global options", env = "MAILFINO_SF_STORE", value_name = "STORE")]
    pub store: Option<StoreKind>,

    /// Machine-readable result on stdout; all human text goes to stderr.
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal).
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_color: bool,

    /// Trace every HTTP exchange on stderr, with secrets redacted.
    #[arg(short = 'v', long, global = true, help_heading = "Global options")]
    pub verbose: bool,
}

/// Where the client secret and refresh token are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
    Keyring,
    /// credentials.toml in the config dir, mode 0600.
    File,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the Salesforce Setup checklist, check the app live, and write mailfino's environment.
    ///
    /// Interactive on a terminal: shows each Setup step with the exact values to paste, asks for
    /// the Consumer Key and Secret, checks them against Salesforce at once and saves the profile.
    /// Non-interactive with --non-interactive or when stdin is not a terminal: every value then
    /// comes from flags or the environment, and a missing one is a usage error naming the flag.
    #[command(after_long_help = examples::SETUP)]
    Setup(SetupArgs),

    /// Log in with PKCE through a loopback listener and the browser; store the refresh token.
    ///
    /// Opens the Salesforce login page in the browser ($BROWSER when set) and waits on the
    /// loopback redirect URI for the callback. While waiting on a terminal you may paste the
    /// browser's address instead (the callback URL, or Salesforce's error page).
    #[command(after_long_help = examples::LOGIN)]
    Login(LoginArgs),

    /// Check the app, the secret, the scopes and the refresh token; a fix hint for every failure.
    ///
    /// Check ids: config, callback_url, login_host, client_id, callback_registered,
    /// loopback_registered, client_secret, refresh_token, scopes, api_access, mailfino_env,
    /// user_active, org_identity, api_limits, approvals (mailfino_env: mailfino's env file against
    /// the profile; the last four: the connection's health as the integration user's fresh token
    /// sees it). Exit 0 when nothing failed, 1 otherwise.
    #[command(after_long_help = examples::VERIFY)]
    Verify(VerifyArgs),

    /// Read the app's policies and the integration user's state as an admin; a fix for each risk.
    ///
    /// An admin logs in through the same app (PKCE through the loopback listener, or --paste);
    /// the tool reads the External Client App's (or Connected App's) policies and the integration
    /// user's state with SOQL, and judges each for mailfino. A query Salesforce refuses is a skip
    /// naming the permission needed. The admin's token is revoked at the end (never stored)
    /// unless --keep-admin-token. Check ids: app_enabled, refresh_token_policy, ip_policy,
    /// permitted_users, session_timeout, integration_user. Exit 0 when nothing failed, 1 otherwise.
    #[command(after_long_help = examples::AUDIT)]
    Audit(AuditArgs),

    /// Renew the access token with the stored refresh token (a rotated token is saved first).
    #[command(after_long_help = examples::REFRESH)]
    Refresh(RefreshArgs),

    /// Revoke the refresh token at Salesforce and delete it; the Consumer Secret stays.
    ///
    /// An admin's token kept by `audit --keep-admin-token` is revoked and deleted with it. The
    /// Consumer Secret is the app's configuration (getting it back means Salesforce Setup and an
    /// e-mail code), so it is kept unless --forget-secret is given; on a terminal that asks first.
    #[command(after_long_help = examples::LOGOUT)]
    Logout(LogoutArgs),

    /// Show what is configured: every profile, where its secrets are, the last refresh and verify.
    ///
    /// Offline and instant: reads config.toml and the secret store, never the network. Shows every
    /// profile (or only --profile NAME): login URL, Consumer Key (masked), where the Consumer
    /// Secret and the refresh token are kept (and an admin's token kept by audit
    /// --keep-admin-token), when refresh and verify last ran and how they ended, and mailfino's
    /// env file with whether it matches the profile.
    #[command(after_long_help = examples::STATUS)]
    Status,

    /// Print the MAILFINO_SF_* variables of the profile for a CI secret store (holds secrets).
    ///
    /// CI gets a refresh token of its own: export-ci logs in once more (browser, or --paste),
    /// and hands out that token without storing it, so that CI and the profile never share a
    /// rotating token. --share-profile-token hands out the profile's own token instead.
    #[command(after_long_help = examples::EXPORT_CI)]
    ExportCi(ExportCiArgs),

    /// Run a local Salesforce OAuth emulator, for trying the tool and for CI.
    ///
    /// First stdout line: `listening on http://127.0.0.1:PORT`. Runs until Ctrl-C.
    #[command(after_long_help = examples::EMULATOR)]
    Emulator(Box<EmulatorArgs>),

    /// The whole journey (setup, login, verify, refresh, logout) against a built-in emulator.
    ///
    /// Uses a throwaway profile and config dir; nothing to type, no browser, no keyring needed.
    /// With --json, stdout gets one object summarising each step; the narration stays on stderr.
    #[command(after_long_help = examples::DEMO)]
    Demo(DemoArgs),

    /// mailfino's External Client App as metadata: export it to deploy, or check an app's files.
    ///
    /// `app export DIR` writes a Salesforce DX project with the app (five metadata files, a
    /// manifest) for `sf project deploy start`; `app check DIR` reads an exported project, or one
    /// retrieved from an org, and reports what differs from what mailfino needs.
    #[command(subcommand, after_long_help = examples::APP)]
    App(AppCommand),

    /// Print a shell completion script.
    #[command(after_long_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),

    /// A scripted browser that plays the user on the emulator's consent page (for tests).
    #[command(hide = true)]
    RobotBrowser(RobotBrowserArgs),

    /// The stored profile names, one per line (for the shell completion scripts).
    #[command(name = "__complete-profiles", hide = true)]
    CompleteProfiles,
}

#[derive(Debug, Args, Default)]
pub struct SetupArgs {
    /// Never prompt; take every value from flags or the environment.
    #[arg(long)]
    pub non_interactive: bool,

    /// Salesforce login URL: https://login.salesforce.com, https://test.salesforce.com or
    /// https://NAME.my.salesforce.com.
    #[arg(long, value_name = "URL", env = "MAILFINO_SF_LOGIN_URL", value_hint = ValueHint::Url)]
    pub login_url: Option<String>,

    /// The app's Consumer Key.
    #[arg(long, value_name = "KEY", env = "MAILFINO_SF_CLIENT_ID")]
    pub client_id: Option<String>,

    /// Read the Consumer Secret from stdin (or set MAILFINO_SF_CLIENT_SECRET).
    #[arg(long)]
    pub client_secret_stdin: bool,

    /// The public base URL of a self-hosted mailfino (absent: mailfino Cloud).
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url)]
    pub mailfino_url: Option<String>,

    /// This tool's loopback redirect URI [default: http://localhost:8717/callback].
    #[arg(long, value_name = "URI", env = "MAILFINO_SF_REDIRECT_URI", value_hint = ValueHint::Url)]
    pub redirect_uri: Option<String>,

    /// Merge mailfino's server environment (MAILFINO_SALESFORCE_*) into this file (owner and mode
    /// kept, symlinks followed, timestamped backups).
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub env_file: Option<PathBuf>,

    /// Print mailfino's server environment lines to stdout (they contain the secret).
    #[arg(long)]
    pub print_env: bool,

    /// Run the login at the end.
    #[arg(long)]
    pub login: bool,

    /// Keep re-checking for up to SECS (at most 1800) while Salesforce does not know the new app yet.
    ///
    /// A new or changed External Client App can take up to 30 minutes before Salesforce accepts
    /// it. On a terminal setup offers to wait that long; without a terminal it waits only when
    /// asked, e.g. --retry-for 1800.
    #[arg(long, value_name = "SECS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1800))]
    pub retry_for: u64,

    /// Save without checking the app against Salesforce.
    #[arg(long)]
    pub no_check: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct LoginArgs {
    /// Print the login URL only; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,

    /// Read the address-bar URL (or the bare code) from stdin instead of listening.
    #[arg(long)]
    pub paste: bool,

    /// The loopback redirect URI registered on the app.
    #[arg(long, value_name = "URI", env = "MAILFINO_SF_REDIRECT_URI", value_hint = ValueHint::Url)]
    pub redirect_uri: Option<String>,

    /// How long to wait for the browser, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub wait: u64,

    /// Scopes to request, e.g. "api refresh_token" [default: none sent, so the app's scopes are
    /// granted and a missing one can be named].
    #[arg(long, value_name = "SCOPES")]
    pub scope: Option<String>,
}

#[derive(Debug, Args, Default, Clone)]
pub struct VerifyArgs {
    /// In env-only mode, prove renewal with a real refresh grant (may rotate the token).
    #[arg(long)]
    pub renew: bool,

    /// Where a rotated refresh token goes when the old one came from the environment (0600).
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub rotated_token_out: Option<PathBuf>,

    /// mailfino's env file to check (else the one setup recorded). Without a profile, its
    /// MAILFINO_SALESFORCE_* values are checked live, e.g. on mailfino's own server.
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub env_file: Option<PathBuf>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct AuditArgs {
    #[command(flatten)]
    pub login: LoginArgs,

    /// Keep the admin's refresh token in the profile's secrets (later audits reuse it without a
    /// browser) instead of revoking it.
    #[arg(long)]
    pub keep_admin_token: bool,
}

#[derive(Debug, Args, Default)]
pub struct RefreshArgs {
    /// Print the access token alone on stdout (for `$(...)`).
    #[arg(long)]
    pub show_token: bool,

    /// Where a rotated refresh token goes when the old one came from the environment (0600).
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub rotated_token_out: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct LogoutArgs {
    /// Do not revoke at Salesforce; only delete the local refresh token (and a kept admin token).
    #[arg(long)]
    pub local_only: bool,

    /// Also delete the Consumer Secret (asks first on a terminal).
    #[arg(long)]
    pub forget_secret: bool,
}

#[derive(Debug, Args)]
pub struct ExportCiArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Env)]
    pub format: ExportFormat,

    /// Hand CI the profile's own refresh token instead of logging in once more for CI's own
    /// (with refresh token rotation, a refresh on either side then spends the other's token).
    #[arg(long)]
    pub share_profile_token: bool,

    /// CI's login: read the address-bar URL (or the bare code) from stdin instead of listening.
    #[arg(long, conflicts_with = "share_profile_token")]
    pub paste: bool,

    /// CI's login: print the login URL only; do not open a browser.
    #[arg(long, conflicts_with = "share_profile_token")]
    pub no_browser: bool,

    /// CI's login: how long to wait for the browser, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub wait: u64,
}

/// How `export-ci` prints the variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// NAME='value' lines (shell and dotenv).
    Env,
    /// One JSON object.
    Json,
    /// Dotenv lines for `gh secret set -f -`, with the workflow env block as comments.
    Github,
}

#[derive(Debug, Args, Clone)]
pub struct EmulatorArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// The app's Consumer Key [default: generated and printed].
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// The app's Consumer Secret [default: generated and printed].
    #[arg(long, value_name = "S")]
    pub client_secret: Option<String>,

    /// A registered callback URL (repeat for several).
    #[arg(long = "callback", value_name = "URL", value_hint = ValueHint::Url)]
    pub callbacks: Vec<String>,

    /// The app's OAuth scopes.
    #[arg(long, value_name = "SCOPES", default_value = "api refresh_token offline_access")]
    pub scopes: String,

    /// Rotate refresh tokens on every refresh grant.
    #[arg(long)]
    pub rotate_refresh_tokens: bool,

    /// Skip the login-and-consent page (approve at once).
    #[arg(long)]
    pub auto_approve: bool,

    /// Require PKCE (the default for a new External Client App).
    #[arg(long, overrides_with = "no_require_pkce")]
    pub require_pkce: bool,

    /// Do not require PKCE.
    #[arg(long)]
    pub no_require_pkce: bool,

    /// Access-token lifetime in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 7200, value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
    pub access_ttl: u64,

    /// The next N token calls answer 503 with an HTML body.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub fail_token: u32,

    /// Delay every answer by MS milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub slow_ms: u64,

    /// The client id is unknown for the first N calls (as just after an app is saved).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub propagation: u32,

    /// How an unknown Consumer Key or unregistered callback is answered, before any login.
    #[arg(long, value_enum, value_name = "FORM", default_value_t = PreLoginErrorForm::Text)]
    pub pre_login_errors: PreLoginErrorForm,

    /// How revoke errors are answered.
    #[arg(long, value_enum, value_name = "FORM", default_value_t = RevokeErrorForm::Form)]
    pub revoke_errors: RevokeErrorForm,

    #[command(flatten)]
    pub org: EmulatedOrgArgs,
}

/// The emulated org's switches: what breaks an integration weeks after setup.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "The emulated org")]
pub struct EmulatedOrgArgs {
    /// The org id (another one plays a refreshed sandbox).
    #[arg(long, value_name = "ID")]
    pub org_id: Option<String>,

    /// Serve the instance under this host name, e.g. `localhost` (a moved instance or My Domain).
    #[arg(long, value_name = "HOST")]
    pub instance_host: Option<String>,

    /// Daily API requests already used, as USED/MAX (e.g. 12500/15000); at MAX every REST call
    /// answers REQUEST_LIMIT_EXCEEDED.
    #[arg(long, value_name = "USED/MAX")]
    pub api_usage: Option<String>,

    /// REST calls answer API_DISABLED_FOR_ORG.
    #[arg(long)]
    pub api_disabled: bool,

    /// REST calls answer INVALID_SESSION_ID (sessions locked to their IP, API Access Control).
    #[arg(long)]
    pub session_locked: bool,

    /// Who is logged in on the consent page.
    #[arg(long, value_enum, value_name = "USER", default_value_t = EmulatedUser::Integration)]
    pub login_as: EmulatedUser,

    /// The integration user is deactivated (its refreshes answer `inactive user`).
    #[arg(long)]
    pub user_inactive: bool,

    /// The integration user is frozen.
    #[arg(long)]
    pub user_frozen: bool,

    /// The integration user lacks mailfino's permission set.
    #[arg(long)]
    pub no_permission_set: bool,

    /// Approvals of the app the integration user made elsewhere before.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub prior_approvals: u32,

    /// The app is a legacy Connected App instead of an External Client App.
    #[arg(long)]
    pub connected_app: bool,

    /// The app's name and label.
    #[arg(long, value_name = "NAME", default_value = "mailfino")]
    pub app_name: String,

    /// The app is disabled.
    #[arg(long)]
    pub app_disabled: bool,

    /// The refresh token policy, enforced on refresh and introspection: infinite, zero,
    /// inactivity:N{h,d,m} (counted from the last refresh) or lifetime:N{h,d,m} (from the login).
    #[arg(long, value_name = "POLICY", default_value = "infinite")]
    pub refresh_policy: String,

    /// The IP relaxation policy.
    #[arg(long, value_name = "POLICY", default_value = "Enforce_RelaxRefresh",
          value_parser = ["Enforce", "Bypass", "Bypass_2factor", "Enforce_RelaxRefresh"])]
    pub ip_policy: String,

    /// Admin-approved users are pre-authorized (through mailfino's permission set).
    #[arg(long)]
    pub admin_approved: bool,

    /// The app's session timeout in minutes.
    #[arg(long, value_name = "MIN")]
    pub session_timeout: Option<u32>,

    /// An object that answers INVALID_TYPE to everyone (repeat for several).
    #[arg(long = "hide-object", value_name = "OBJECT")]
    pub hidden_objects: Vec<String>,

    /// Requests whose path starts with PREFIX answer 503 (repeat for several).
    #[arg(long = "fail-path", value_name = "PREFIX")]
    pub fail_paths: Vec<String>,
}

/// A user of the emulated org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum EmulatedUser {
    /// mailfino's integration user.
    #[default]
    Integration,
    /// A System Administrator.
    Admin,
}

/// The emulator's form of the pre-login authorize errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreLoginErrorForm {
    /// HTTP 400 text/plain `error=…&error_description=…`, as reported from real orgs.
    Text,
    /// A redirect to Salesforce's RemoteAccessErrorPage.apexp?error=….
    Page,
}

/// The emulator's form of revoke errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RevokeErrorForm {
    /// HTTP 400 form-encoded `error=…&error_description=…`, as reported from real orgs.
    Form,
    /// HTTP 400 JSON `{"error","error_description"}`.
    Json,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the throwaway config dir and print its path.
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct RobotBrowserArgs {
    /// What the user does on the consent page.
    #[arg(long, value_enum, default_value_t = RobotAction::Allow)]
    pub action: RobotAction,

    /// The authorize URL.
    pub url: String,
}

/// The robot user's answer on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RobotAction {
    Allow,
    Deny,
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Write the app as a source-format project to deploy with the Salesforce CLI.
    ///
    /// Writes sfdx-project.json, manifest/package.xml and five files under
    /// force-app/main/default/: the app (Local), its OAuth settings (scopes Api, RefreshToken),
    /// global OAuth settings (mailfino's callback and the loopback redirect URI, PKCE and the
    /// secret required), OAuth policies and app policies. Values come from the profile (if any)
    /// and the flags; without a profile: mailfino Cloud's callback and the default loopback URI.
    /// No Consumer Key or Secret is written: Salesforce generates them on deploy. Exporting again
    /// changes only what differs and leaves other files alone; an existing sfdx-project.json or
    /// package.xml is merged into.
    #[command(after_long_help = examples::APP_EXPORT)]
    Export(AppExportArgs),

    /// Check an exported or retrieved project against what mailfino needs.
    ///
    /// Check ids: files, scopes, callback_urls, pkce, secret_required, refresh_token_policy,
    /// ip_policy, permitted_users, distribution, app_enabled. Fields the tool does not know (and
    /// the org-specific oauthLink, orgScopedExternalApp, consumerKey of retrieved files) are read,
    /// never a failure. Exit 0 when nothing failed, 1 otherwise.
    #[command(after_long_help = examples::APP_CHECK)]
    Check(AppCheckArgs),
}

/// Where mailfino and this tool's login live, for `app export` and `app check`.
#[derive(Debug, Args, Clone, Default)]
pub struct AppUrls {
    /// The public base URL of a self-hosted mailfino [default: the profile's callback, else mailfino Cloud].
    #[arg(long, value_name = "URL")]
    pub mailfino_url: Option<String>,

    /// This tool's loopback redirect URI [default: the profile's, else http://localhost:8717/callback].
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct AppExportArgs {
    /// The project directory (created when missing).
    #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: PathBuf,

    /// The app's API name [default: the profile's app_name, else mailfino].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// The e-mail address Salesforce shows as the app's contact (required).
    #[arg(long, value_name = "ADDRESS")]
    pub contact_email: Option<String>,

    /// Admin-approved users, pre-authorized through this permission set (API name) [default: all
    /// users may self-authorize].
    #[arg(long, value_name = "NAME")]
    pub permission_set: Option<String>,

    /// Refresh token policy: infinite, inactivity:N{h,d,m} or lifetime:N{h,d,m} (h hours, d days,
    /// m months).
    #[arg(long, value_name = "POLICY", default_value = "infinite")]
    pub refresh_policy: crate::app::spec::RefreshPolicy,

    /// IP relaxation: enforce, bypass, or relax-refresh (enforce, relaxed for refresh tokens, so
    /// mailfino's refreshes work from any server address).
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = IpPolicyArg::RelaxRefresh)]
    pub ip_policy: IpPolicyArg,

    /// Enable refresh token rotation (mailfino then has to store each new refresh token).
    #[arg(long)]
    pub rotation: bool,

    #[command(flatten)]
    pub urls: AppUrls,
}

/// `app export --ip-policy`: the app's IP relaxation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IpPolicyArg {
    /// Enforce IP restrictions (mailfino's server must be in the integration user's ranges).
    Enforce,
    /// Relax IP restrictions.
    Bypass,
    /// Enforce, but relax them for refresh tokens (mailfino's refreshes work from any address).
    RelaxRefresh,
}

#[derive(Debug, Args, Clone)]
pub struct AppCheckArgs {
    /// The project directory (exported, or retrieved from an org).
    #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub dir: PathBuf,

    /// Which app to check when the project holds several.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    #[command(flatten)]
    pub urls: AppUrls,
}

/// The examples of each subcommand: one command per line (a long one continues with `\`), shown
/// under `--help` and as the man pages' EXAMPLES section.
pub mod examples {
    pub const SETUP: &str = "Examples:\n  mailfino-sf setup\n\n  printf '%s' \"$SECRET\" | mailfino-sf setup \\\n      --non-interactive --client-secret-stdin \\\n      --login-url https://acme.my.salesforce.com \\\n      --client-id 3MVG9... \\\n      --env-file /etc/mailfino/salesforce.env";
    pub const LOGIN: &str = "Examples:\n  mailfino-sf login\n  mailfino-sf login --paste    # no browser here";
    pub const VERIFY: &str = "Examples:\n  mailfino-sf verify\n  mailfino-sf verify --json | jq .ok\n  mailfino-sf verify \\\n      --env-file /etc/mailfino/salesforce.env  # on mailfino's server";
    pub const APP: &str = "Examples:\n  mailfino-sf app export ./mailfino-app \\\n      --contact-email admin@example.com\n  mailfino-sf app check ./retrieved-project";
    pub const APP_EXPORT: &str = "Examples:\n  mailfino-sf app export ./mailfino-app \\\n      --contact-email admin@example.com\n  cd mailfino-app\n  sf project deploy start \\\n      --manifest manifest/package.xml \\\n      --target-org admin@example.com";
    pub const APP_CHECK: &str = "Examples:\n  sf project retrieve start \\\n      -m ExternalClientApplication:mailfino \\\n      -m ExtlClntAppOauthSettings:mailfino_oauth \\\n      -m ExtlClntAppGlobalOauthSettings:mailfino_glbloauth \\\n      -m ExtlClntAppOauthConfigurablePolicies:mailfino_oauthPlcy\n  mailfino-sf app check .";
    pub const AUDIT: &str = "Examples:\n  mailfino-sf audit\n  mailfino-sf audit --paste --json";
    pub const REFRESH: &str = "Examples:\n  mailfino-sf refresh\n  TOKEN=$(mailfino-sf refresh --show-token)";
    pub const LOGOUT: &str = "Examples:\n  mailfino-sf logout\n  mailfino-sf logout --local-only\n  mailfino-sf logout --forget-secret";
    pub const STATUS: &str = "Examples:\n  mailfino-sf status\n  mailfino-sf status --profile sandbox --json";
    pub const EXPORT_CI: &str = "Examples:\n  mailfino-sf export-ci --format github \\\n      | gh secret set -f -";
    pub const EMULATOR: &str = "Examples:\n  mailfino-sf emulator --port 8443 --auto-approve \\\n      --client-id 3MVG9demo_key \\\n      --client-secret demo-secret \\\n      --callback http://localhost:8717/callback";
    pub const DEMO: &str = "Examples:\n  mailfino-sf demo\n  mailfino-sf demo --json | jq .steps";
    pub const COMPLETIONS: &str = "Examples:\n  mailfino-sf completions bash \\\n      > /etc/bash_completion.d/mailfino-sf";
}
