//! A faithful local emulator of a Salesforce login host, served on loopback by a bounded hyper
//! server (`server`).
//!
//! It behaves as `salesforce-oauth.md` describes, awkward parts included: unknown client ids and
//! unregistered redirect URIs are answered before any login with a bare `text/plain` HTTP 400
//! body `error=…&error_description=…` (`%20`, 1.18, 1.19; `PreLoginErrors::Page` switches to the
//! `RemoteAccessErrorPage.apexp` redirect), never the callback; an unauthenticated browser is
//! sent to the login page with `startURL` (1.24); a required PKCE challenge that is missing goes
//! to the callback as `invalid_request` (9.3); a disallowed scope ends on the error page after the
//! login; revoke errors are form-encoded (9.1; `RevokeErrors::Json` switches); five approvals per
//! user and app, the oldest revoked past five (9.2); codes end in `==` (so they arrive
//! %-encoded), are single-use and short-lived; PKCE S256 is checked and a verifier with `~` is
//! rejected; token responses carry no `expires_in` and `issued_at` in milliseconds; a refresh
//! token is issued only for `refresh_token`/`offline_access`; rotation kills the old token and
//! reuse of a rotated one revokes the whole chain; the app's refresh token policy (4.13) is
//! enforced on refresh and introspection (`Zero` at once, a lifetime from the approval, an
//! inactivity window from the last refresh; [`State::advance_clock`] lets a test jump weeks
//! ahead), answered as `expired access/refresh token` like a revoked token (2.14); errors are
//! `{"error","error_description"}` with HTTP 400 and Salesforce's exact strings.
//!
//! The same type serves `mailfino-sf emulator`, `mailfino-sf demo` and the test suite, which
//! reads the request log (e.g. to prove that a forged code never reached the token endpoint).

pub mod org;
mod pages;
pub mod robot;
mod server;
mod soql;

pub use org::{AppKind, OrgConfig, RefreshPolicy, Role, ADMIN_ID, ADMIN_USERNAME, APP_ID, ORG_ID, PERMISSION_SET, USERNAME, USER_ID};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Endpoint paths, the same on every Salesforce login host (salesforce-oauth.md 0.2, 5.x).
pub mod paths {
    pub const AUTHORIZE: &str = "/services/oauth2/authorize";
    pub const TOKEN: &str = "/services/oauth2/token";
    pub const REVOKE: &str = "/services/oauth2/revoke";
    pub const USERINFO: &str = "/services/oauth2/userinfo";
    pub const INTROSPECT: &str = "/services/oauth2/introspect";
    pub const OPENID: &str = "/.well-known/openid-configuration";
    pub const ERROR_PAGE: &str = "/setup/secur/RemoteAccessErrorPage.apexp";
    pub const DATA: &str = "/services/data/";
}

/// How long an authorization code lives (Salesforce: reportedly 15 minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// How the emulated External Client App is set up, and which faults to play.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub port: u16,
    pub client_id: String,
    pub client_secret: String,
    pub callbacks: Vec<String>,
    /// The app's OAuth scopes (wire names).
    pub scopes: Vec<String>,
    pub rotate_refresh_tokens: bool,
    pub auto_approve: bool,
    pub require_pkce: bool,
    /// "Require secret for Web Server Flow" / "… for Refresh Token Flow".
    pub require_secret: bool,
    pub access_ttl: Duration,
    /// The next N token calls answer 503 with an HTML body.
    pub fail_token: u32,
    /// The next N revoke calls answer 503 with an HTML body (the token stays as it was).
    pub fail_revoke: u32,
    /// Delay of every answer.
    pub slow: Duration,
    /// The client id is unknown for the first N calls that check it.
    pub propagation: u32,
    /// How an unknown client id or unregistered redirect URI is answered before the login.
    pub pre_login_errors: PreLoginErrors,
    /// How revoke errors are answered.
    pub revoke_errors: RevokeErrors,
    /// Approvals (refresh-token chains) kept per user and app; the oldest is revoked past it (9.2).
    pub max_approvals: usize,
    /// The org behind the login host: users, the app's policies, limits, what breaks later.
    pub org: OrgConfig,
}

/// The form of the pre-login `/authorize` errors (`invalid_client_id`, `redirect_uri_mismatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PreLoginErrors {
    /// HTTP 400 `text/plain`, body `error=…&error_description=…` with `%20` (1.18, 1.19).
    #[default]
    Text,
    /// A redirect to `RemoteAccessErrorPage.apexp?error=…` (`+`-encoded, 1.17).
    Page,
}

/// The form of revoke errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RevokeErrors {
    /// HTTP 400 form-encoded `error=…&error_description=…` (9.1).
    #[default]
    Form,
    /// HTTP 400 JSON `{"error","error_description"}`.
    Json,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            client_id: generate_client_id(),
            client_secret: generate_client_secret(),
            callbacks: Vec::new(),
            scopes: vec!["api".into(), "refresh_token".into(), "offline_access".into()],
            rotate_refresh_tokens: false,
            auto_approve: false,
            require_pkce: true,
            require_secret: true,
            access_ttl: Duration::from_secs(7200),
            fail_token: 0,
            fail_revoke: 0,
            slow: Duration::ZERO,
            propagation: 0,
            pre_login_errors: PreLoginErrors::default(),
            revoke_errors: RevokeErrors::default(),
            max_approvals: 5,
            org: OrgConfig::default(),
        }
    }
}

/// A realistic 85-character `3MVG9…` Consumer Key.
pub fn generate_client_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    let mut bytes = [0u8; 80];
    rand::rng().fill_bytes(&mut bytes);
    let tail: String = bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("3MVG9{tail}")
}

/// A 64-hex-character Consumer Secret.
pub fn generate_client_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn random_token(prefix: &str, n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// One request as the emulator saw it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// Decoded form fields of a form body.
    pub form: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub status: u16,
    /// When it arrived and when it was answered, on one counter of events (1, 2, …): `a`
    /// depended on nothing `b` said when `a.started < b.finished`.
    pub started: u64,
    pub finished: u64,
}

impl LoggedRequest {
    /// A form field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
struct PendingAuth {
    redirect_uri: String,
    state: Option<String>,
    scope: Option<String>,
    challenge: Option<String>,
}

#[derive(Debug, Clone)]
struct CodeGrant {
    redirect_uri: String,
    challenge: Option<String>,
    scopes: String,
    issued: Instant,
    used: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenStatus {
    Active,
    Rotated,
    Revoked,
}

#[derive(Debug, Clone)]
struct RefreshEntry {
    chain: u64,
    scopes: String,
    status: TokenStatus,
    issued_at: u64,
}

#[derive(Debug, Clone)]
struct AccessEntry {
    chain: u64,
    scopes: String,
    expires: Instant,
    revoked: bool,
    issued_at: u64,
}

/// The emulator's state, shared by its request threads.
#[derive(Debug)]
pub struct State {
    pub config: EmulatorConfig,
    base_url: String,
    pending: HashMap<String, PendingAuth>,
    codes: HashMap<String, CodeGrant>,
    refresh: HashMap<String, RefreshEntry>,
    access: HashMap<String, AccessEntry>,
    log: Vec<LoggedRequest>,
    next_chain: u64,
    /// Refresh-token chains per user, oldest approval first (9.2).
    approvals: HashMap<String, Vec<u64>>,
    org: org::OrgState,
    events: u64,
    /// When each refresh-token chain was approved and last used (ms since the epoch), for the
    /// app's refresh token policy (reference 4.13).
    chain_times: HashMap<u64, ChainTimes>,
    /// How far the emulated clock is ahead of the real one ([`State::advance_clock`]).
    clock_offset: Duration,
}

/// When a refresh-token chain was approved and last used, on the emulated clock (ms).
#[derive(Debug, Clone, Copy)]
struct ChainTimes {
    approved: u64,
    last_used: u64,
}

impl State {
    /// Revokes every refresh and access token (as an admin's "Revoke" in Setup would).
    pub fn revoke_all(&mut self) {
        self.refresh.values_mut().for_each(|r| r.status = TokenStatus::Revoked);
        self.access.values_mut().for_each(|a| a.revoked = true);
    }

    /// Moves the emulated clock forward: the app's refresh token policy (lifetime, inactivity)
    /// then judges the tokens as if `by` had passed. Access tokens and codes keep real time.
    pub fn advance_clock(&mut self, by: Duration) {
        self.clock_offset += by;
    }

    /// Now on the emulated clock, in ms since the epoch.
    fn clock_ms(&self) -> u64 {
        now_ms() + self.clock_offset.as_millis() as u64
    }

    /// Notes a use of `chain` (its approval, when new) on the emulated clock.
    fn chain_used(&mut self, chain: u64) {
        let now = self.clock_ms();
        self.chain_times.entry(chain).or_insert(ChainTimes { approved: now, last_used: now }).last_used = now;
    }

    /// Whether the app's refresh token policy has expired `chain` by now (reference 4.13):
    /// `Zero` at once, `SpecificLifetime` counted from the approval (rotation does not restart
    /// it), `SpecificInactivity` counted from the last refresh.
    fn expired_by_policy(&self, chain: u64) -> bool {
        let policy = &self.config.org.refresh_policy;
        let period_ms = |p: &org::RefreshPolicy| {
            let unit_s: u64 = match p.unit.as_deref() {
                Some("Hours") => 3_600,
                Some("Days") => 86_400,
                _ => 30 * 86_400,
            };
            u64::from(p.period.unwrap_or(0)) * unit_s * 1000
        };
        let Some(t) = self.chain_times.get(&chain) else { return false };
        let now = self.clock_ms();
        match policy.kind.as_str() {
            "Zero" => true,
            "SpecificLifetime" => now.saturating_sub(t.approved) > period_ms(policy),
            "SpecificInactivity" => now.saturating_sub(t.last_used) > period_ms(policy),
            _ => false,
        }
    }

    /// Number of refresh tokens still active.
    pub fn active_refresh_tokens(&self) -> usize {
        self.refresh.values().filter(|r| r.status == TokenStatus::Active).count()
    }

    fn chain_active(&self, chain: u64) -> bool {
        self.refresh.values().any(|r| r.chain == chain && r.status == TokenStatus::Active)
    }

    /// Records a new approval of `user`; past `max_approvals` the oldest chain is revoked (9.2).
    fn approve_chain(&mut self, user: &str, chain: u64) {
        let mut list = self.approvals.remove(user).unwrap_or_default();
        list.retain(|c| self.chain_active(*c));
        list.push(chain);
        while list.len() > self.config.max_approvals.max(1) {
            let oldest = list.remove(0);
            self.revoke_chain(oldest);
        }
        self.approvals.insert(user.to_string(), list);
    }

    fn revoke_chain(&mut self, chain: u64) {
        for r in self.refresh.values_mut().filter(|r| r.chain == chain) {
            r.status = TokenStatus::Revoked;
        }
        for a in self.access.values_mut().filter(|a| a.chain == chain) {
            a.revoked = true;
        }
    }

    /// Consumes one propagation call: true while the client id is still "unknown".
    fn still_propagating(&mut self) -> bool {
        if self.config.propagation > 0 {
            self.config.propagation -= 1;
            true
        } else {
            false
        }
    }

    /// The chain of a live or dead access token.
    fn access_chain(&self, token: &str) -> Option<u64> {
        self.access.get(token).map(|a| a.chain)
    }

    fn client_known(&mut self, client_id: &str) -> bool {
        !self.still_propagating() && client_id == self.config.client_id
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    url: String,
    state: Arc<Mutex<State>>,
    server: server::Server,
}

impl Emulator {
    /// Starts the emulator on 127.0.0.1 (port 0 picks a free one).
    pub fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        let port = listener.local_addr()?.port();
        let url = format!("http://127.0.0.1:{port}");
        let state = Arc::new(Mutex::new(State {
            config,
            base_url: url.clone(),
            pending: HashMap::new(),
            codes: HashMap::new(),
            refresh: HashMap::new(),
            access: HashMap::new(),
            log: Vec::new(),
            next_chain: 1,
            approvals: HashMap::new(),
            org: org::OrgState::default(),
            events: 0,
            chain_times: HashMap::new(),
            clock_offset: Duration::ZERO,
        }));
        let server = server::Server::start(listener, state.clone())?;
        Ok(Emulator { url, state, server })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The app's credentials.
    pub fn client_id(&self) -> String {
        self.state().config.client_id.clone()
    }
    pub fn client_secret(&self) -> String {
        self.state().config.client_secret.clone()
    }

    /// Locks the state, for a test to read or change it.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A copy of the request log.
    pub fn log(&self) -> Vec<LoggedRequest> {
        self.state().log.clone()
    }

    /// The logged requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<LoggedRequest> {
        self.log().into_iter().filter(|r| r.path == path).collect()
    }

    /// Blocks until the server stops (used by `mailfino-sf emulator`).
    pub fn wait(mut self) {
        self.server.join();
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The request methods the emulator routes (anything else is `Other` and gets a 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Other,
}

impl Method {
    fn parse(s: &str) -> Method {
        match s {
            "GET" => Method::Get,
            "POST" => Method::Post,
            _ => Method::Other,
        }
    }
}

/// One answer, independent of the HTTP server that sends it.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    pub(crate) fn new(status: u16, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Reply {
        let headers = content_type.map(|ct| vec![("Content-Type".to_string(), ct.to_string())]).unwrap_or_default();
        Reply { status, headers, body: body.into() }
    }
    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

pub(crate) fn json_reply(status: u16, v: &Value) -> Reply {
    Reply::new(status, Some("application/json;charset=UTF-8"), v.to_string())
}

fn oauth_error(error: &str, description: &str) -> Reply {
    json_reply(400, &json!({"error": error, "error_description": description}))
}

fn html_reply(status: u16, body: String) -> Reply {
    Reply::new(status, Some("text/html;charset=UTF-8"), body)
}

fn redirect(location: &str) -> Reply {
    Reply::new(302, None, Vec::new()).with_header("Location", location)
}

/// Salesforce's own error page, where errors it cannot send to a trusted callback end.
fn error_page_redirect(base: &str, error: &str, description: &str) -> Reply {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", error)
        .append_pair("error_description", description)
        .finish();
    redirect(&format!("{base}{}?{q}", paths::ERROR_PAGE))
}

/// `error=…&error_description=…` with spaces as `%20`, as Salesforce writes it (1.18, 9.1).
fn error_text(error: &str, description: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
    format!("error={}&error_description={}", enc(error), enc(description))
}

/// A pre-login `/authorize` error in the configured form.
fn pre_login_error(st: &State, error: &str, description: &str) -> Reply {
    match st.config.pre_login_errors {
        PreLoginErrors::Text => Reply::new(400, Some("text/plain;charset=UTF-8"), error_text(error, description)),
        PreLoginErrors::Page => error_page_redirect(&st.base_url, error, description),
    }
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{q}")
}

/// One request as the transport delivered it (the body read within the transport's limits).
struct Incoming {
    method: String,
    /// The request target: path and query as sent.
    target: String,
    authorization: Option<String>,
    body: Vec<u8>,
}

/// Answers one request and logs it.
fn handle(state: &Mutex<State>, request: Incoming) -> Reply {
    let method = Method::parse(&request.method);
    let (path, query) = match request.target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (request.target.clone(), String::new()),
    };
    let authorization = request.authorization;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body).into_owned().collect();
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();

    let (slow, started) = {
        let mut st = lock(state);
        st.events += 1;
        (st.config.slow, st.events)
    };
    if !slow.is_zero() {
        std::thread::sleep(slow);
    }
    let ctx = Req { method, path: &path, params: &params, form: &form, authorization: authorization.as_deref() };
    let reply = route(state, &ctx);
    let mut st = lock(state);
    st.events += 1;
    let finished = st.events;
    st.log.push(LoggedRequest {
        method: request.method,
        path: path.clone(),
        query,
        form,
        authorization,
        status: reply.status,
        started,
        finished,
    });
    drop(st);
    reply
}

pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) struct Req<'a> {
    method: Method,
    path: &'a str,
    params: &'a [(String, String)],
    form: &'a [(String, String)],
    authorization: Option<&'a str>,
}

impl Req<'_> {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub(crate) fn bearer(&self) -> Option<&str> {
        self.authorization.and_then(|a| a.strip_prefix("Bearer ")).map(str::trim)
    }
    /// client_id / client_secret from an HTTP Basic header.
    fn basic(&self) -> Option<(String, String)> {
        let b64 = self.authorization?.strip_prefix("Basic ")?;
        let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (id, secret) = text.split_once(':')?;
        Some((id.to_string(), secret.to_string()))
    }
}

fn route(state: &Mutex<State>, r: &Req) -> Reply {
    let (base, failing) = {
        let st = lock(state);
        (st.base_url.clone(), st.config.org.fail_paths.iter().any(|p| r.path.starts_with(p.as_str())))
    };
    if failing {
        return html_reply(503, pages::unavailable());
    }
    match (r.method, r.path) {
        (Method::Get, paths::OPENID) => json_reply(200, &openid_configuration(&base)),
        (Method::Get, "/") => login_page(state, r),
        (Method::Get, paths::AUTHORIZE) => authorize(state, r),
        (Method::Post, "/services/oauth2/authorize/decision") => decision(state, r),
        (Method::Post, paths::TOKEN) => token(state, r),
        (Method::Post, paths::REVOKE) => revoke(state, r.field("token")),
        (Method::Get, paths::REVOKE) => revoke(state, r.param("token")),
        (Method::Post, paths::INTROSPECT) => introspect(state, r),
        (Method::Get, paths::USERINFO) => org::userinfo(state, r),
        (Method::Get, paths::ERROR_PAGE) => {
            html_reply(200, pages::error_page(r.param("error").unwrap_or(""), r.param("error_description").unwrap_or("")))
        }
        (Method::Get, p) if p.starts_with("/id/") => org::identity(state, r),
        (Method::Get, "/services/data" | "/services/data/") => json_reply(200, &org::versions()),
        (Method::Get, p) if p.starts_with("/services/data/v") => org::rest(state, r),
        _ => html_reply(404, pages::not_found()),
    }
}

fn openid_configuration(base: &str) -> Value {
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}{}", paths::AUTHORIZE),
        "token_endpoint": format!("{base}{}", paths::TOKEN),
        "revocation_endpoint": format!("{base}{}", paths::REVOKE),
        "userinfo_endpoint": format!("{base}{}", paths::USERINFO),
        "jwks_uri": format!("{base}/id/keys"),
        "introspection_endpoint": format!("{base}{}", paths::INTROSPECT),
        "scopes_supported": ["id", "api", "web", "full", "chatter_api", "visualforce", "refresh_token", "openid", "profile", "email", "address", "phone", "offline_access", "custom_permissions", "wave_api", "eclair_api"],
        "response_types_supported": ["code", "token", "token id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "display_values_supported": ["page", "popup", "touch"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
    })
}

fn authorize(state: &Mutex<State>, r: &Req) -> Reply {
    let mut st = lock(state);
    let base = st.base_url.clone();
    let client_id = r.param("client_id").unwrap_or("");
    // Salesforce checks the client id and the redirect URI before any login and, when they are
    // wrong, answers on the authorize URL itself, never the callback (1.18, 1.19, 1.24).
    if !st.client_known(client_id) {
        return pre_login_error(&st, "invalid_client_id", "client identifier invalid");
    }
    let redirect_uri = r.param("redirect_uri").unwrap_or("");
    if !st.config.callbacks.iter().any(|c| c == redirect_uri) {
        return pre_login_error(&st, "redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    if r.param("response_type") != Some("code") {
        return error_page_redirect(&base, "unsupported_response_type", "response type not supported");
    }
    let challenge = r.param("code_challenge").map(str::to_string);
    if let Some(m) = r.param("code_challenge_method") {
        if m != "S256" {
            return error_page_redirect(&base, "invalid_request", "invalid code challenge method");
        }
    }
    // PKCE required but no challenge: to the callback, not the error page (9.3).
    if st.config.require_pkce && challenge.is_none() {
        let mut back = vec![("error", "invalid_request"), ("error_description", "missing required code challenge")];
        if let Some(s) = r.param("state") {
            back.push(("state", s));
        }
        return redirect(&with_query(redirect_uri, &back));
    }
    let pending = PendingAuth {
        redirect_uri: redirect_uri.to_string(),
        state: r.param("state").map(str::to_string),
        scope: r.param("scope").map(str::to_string),
        challenge,
    };
    if st.config.auto_approve {
        let role = st.config.org.browser_user;
        return approve(&mut st, &pending, true, role);
    }
    // No session: on to the login page, the authorization page as its startURL (1.24).
    let id = random_token("", 18);
    st.pending.insert(id.clone(), pending);
    let start = format!("/setup/secur/RemoteAccessAuthorizationPage.apexp?source={id}");
    redirect(&with_query(&format!("{base}/"), &[("ec", "302"), ("startURL", &start)]))
}

/// The login page (`/?startURL=…`): here the login-and-consent page of the pending login.
fn login_page(state: &Mutex<State>, r: &Req) -> Reply {
    let st = lock(state);
    let source = r.param("startURL").and_then(|s| {
        let q = s.split_once('?')?.1;
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "source").map(|(_, v)| v.into_owned())
    });
    match source.filter(|id| st.pending.contains_key(id)) {
        Some(id) => html_reply(200, pages::consent_page(&id, &st.config.scopes.join(" "), st.config.org.browser_user.username())),
        None => html_reply(400, pages::error_page("invalid_request", "this login page has expired; start again")),
    }
}

fn decision(state: &Mutex<State>, r: &Req) -> Reply {
    let mut st = lock(state);
    let Some(pending) = r.field("id").and_then(|id| st.pending.remove(id)) else {
        return html_reply(400, pages::error_page("invalid_request", "this login page has expired; start again"));
    };
    // The user logged in on the page: the form's `username`, else the configured browser user.
    let role = r.field("username").and_then(Role::by_username).unwrap_or(st.config.org.browser_user);
    approve(&mut st, &pending, r.field("action") == Some("allow"), role)
}

fn approve(st: &mut State, p: &PendingAuth, allow: bool, role: Role) -> Reply {
    let mut back: Vec<(&str, &str)> = Vec::new();
    if !allow {
        back.push(("error", "access_denied"));
        back.push(("error_description", "end-user denied authorization"));
        if let Some(s) = &p.state {
            back.push(("state", s));
        }
        return redirect(&with_query(&p.redirect_uri, &back));
    }
    // A requested scope the app lacks is a hard error on Salesforce's page, after the login (3.5).
    let granted = match &p.scope {
        Some(requested) => {
            if requested.split_whitespace().any(|s| !st.config.scopes.iter().any(|a| a == s)) {
                let base = st.base_url.clone();
                return error_page_redirect(&base, "invalid_scope", "the requested scope is not allowed");
            }
            requested.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        // No scope parameter: every scope of the app is granted (3.4).
        None => st.config.scopes.join(" "),
    };
    // 40 random bytes in standard base64 end in "==" and hold '+' and '/', so the code arrives
    // %-encoded and must be decoded exactly once (1.13).
    let mut bytes = [0u8; 40];
    rand::rng().fill_bytes(&mut bytes);
    let code = format!("aPrx{}", base64::engine::general_purpose::STANDARD.encode(bytes));
    st.codes.insert(
        code.clone(),
        CodeGrant {
            redirect_uri: p.redirect_uri.clone(),
            challenge: p.challenge.clone(),
            scopes: granted,
            issued: Instant::now(),
            used: false,
        },
    );
    st.note_code_user(&code, role);
    back.push(("code", &code));
    if let Some(s) = &p.state {
        back.push(("state", s));
    }
    redirect(&with_query(&p.redirect_uri, &back))
}

/// Client authentication at the token endpoint. The code exchange takes credentials only from
/// the body (Basic is reported to fail there, 2.4); the refresh grant takes either.
fn client_auth(st: &mut State, r: &Req, allow_basic: bool) -> Result<(), Reply> {
    let basic = if allow_basic { r.basic() } else { None };
    let client_id = r.field("client_id").map(str::to_string).or_else(|| basic.as_ref().map(|b| b.0.clone())).unwrap_or_default();
    if !st.client_known(&client_id) {
        return Err(oauth_error("invalid_client_id", "client identifier invalid"));
    }
    let secret = r.field("client_secret").map(str::to_string).or_else(|| basic.map(|b| b.1));
    match secret {
        Some(s) if s == st.config.client_secret => Ok(()),
        None if !st.config.require_secret => Ok(()),
        // HTTP status for a wrong secret is UNSURE in the reference (2.11); 400 like the rest.
        _ => Err(oauth_error("invalid_client", "invalid client credentials")),
    }
}

fn token(state: &Mutex<State>, r: &Req) -> Reply {
    let mut st = lock(state);
    if st.config.fail_token > 0 {
        st.config.fail_token -= 1;
        return html_reply(503, pages::unavailable());
    }
    match r.field("grant_type") {
        None => oauth_error("invalid_request", "grant type is missing"),
        Some("authorization_code") => code_grant(&mut st, r),
        Some("refresh_token") => refresh_grant(&mut st, r),
        Some(_) => oauth_error("unsupported_grant_type", "grant type not supported"),
    }
}

fn code_grant(st: &mut State, r: &Req) -> Reply {
    if let Err(reply) = client_auth(st, r, false) {
        return reply;
    }
    let code = r.field("code").unwrap_or("");
    let Some(grant) = st.codes.get_mut(code) else { return oauth_error("invalid_grant", "expired authorization code") };
    if grant.used || grant.issued.elapsed() > CODE_LIFETIME {
        return oauth_error("invalid_grant", "expired authorization code");
    }
    grant.used = true;
    let grant = grant.clone();
    if r.field("redirect_uri") != Some(grant.redirect_uri.as_str()) {
        return oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    let verifier = r.field("code_verifier");
    match (&grant.challenge, verifier) {
        (Some(challenge), Some(v)) => {
            // Salesforce rejects any verifier containing '~', though RFC 7636 allows it (2.15).
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()));
            if v.contains('~') || computed != *challenge {
                return oauth_error("invalid_grant", "invalid code verifier");
            }
        }
        (Some(_), None) => return oauth_error("invalid_grant", "invalid code verifier"),
        (None, Some(_)) => return oauth_error("invalid_grant", "unexpected code verifier"),
        (None, None) => {}
    }
    let chain = st.next_chain;
    st.next_chain += 1;
    st.note_chain_user(code, chain);
    let reply = issue(st, chain, &grant.scopes, true);
    if st.chain_active(chain) {
        let user = st.chain_role(chain).user_id();
        st.approve_chain(user, chain);
    }
    reply
}

fn refresh_grant(st: &mut State, r: &Req) -> Reply {
    if let Err(reply) = client_auth(st, r, true) {
        return reply;
    }
    let token = r.field("refresh_token").unwrap_or("");
    let Some(entry) = st.refresh.get(token).cloned() else { return oauth_error("invalid_grant", "expired access/refresh token") };
    match entry.status {
        TokenStatus::Active => {}
        TokenStatus::Rotated => {
            // Reuse of a rotated token revokes the current one and all its access tokens (6.2).
            st.revoke_chain(entry.chain);
            return oauth_error("invalid_grant", "expired access/refresh token");
        }
        TokenStatus::Revoked => return oauth_error("invalid_grant", "expired access/refresh token"),
    }
    // A deactivated user's refresh is refused with this description (post-setup-failures.md A.8).
    if !st.user_active(st.chain_role(entry.chain)) {
        return oauth_error("invalid_grant", "inactive user");
    }
    // The app's refresh token policy gives the same answer as a revoked token (2.14, 6.4).
    if st.expired_by_policy(entry.chain) {
        for r in st.refresh.values_mut().filter(|r| r.chain == entry.chain) {
            r.status = TokenStatus::Revoked;
        }
        return oauth_error("invalid_grant", "expired access/refresh token");
    }
    let rotate = st.config.rotate_refresh_tokens;
    if rotate {
        if let Some(e) = st.refresh.get_mut(token) {
            e.status = TokenStatus::Rotated;
        }
    }
    issue(st, entry.chain, &entry.scopes, rotate)
}

/// Issues an access token (and a refresh token when `with_refresh` and the scopes allow it).
fn issue(st: &mut State, chain: u64, scopes: &str, with_refresh: bool) -> Reply {
    st.chain_used(chain);
    let issued_at = now_ms();
    let access = format!("{}!{}", st.config.org.org_id, random_token("AQ", 48));
    st.access.insert(
        access.clone(),
        AccessEntry { chain, scopes: scopes.to_string(), expires: Instant::now() + st.config.access_ttl, revoked: false, issued_at },
    );
    let instance = st.instance_url();
    let id = st.identity_url(st.chain_role(chain));
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(st.config.client_secret.as_bytes()).expect("any key length");
    mac.update(format!("{id}{issued_at}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut body = json!({
        "access_token": access,
        "signature": signature,
        "scope": scopes,
        "instance_url": instance,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at.to_string(),
    });
    // `full` alone gives no refresh token; refresh_token and offline_access are synonyms (3.3).
    let grants_refresh = scopes.split_whitespace().any(|s| s == "refresh_token" || s == "offline_access");
    if with_refresh && grants_refresh {
        let rt = format!("5Aep{}", random_token("", 60));
        st.refresh.insert(rt.clone(), RefreshEntry { chain, scopes: scopes.to_string(), status: TokenStatus::Active, issued_at });
        body["refresh_token"] = Value::String(rt);
    }
    json_reply(200, &body)
}

fn revoke(state: &Mutex<State>, token: Option<&str>) -> Reply {
    let mut st = lock(state);
    if st.config.fail_revoke > 0 {
        st.config.fail_revoke -= 1;
        return html_reply(503, pages::unavailable());
    }
    let token = token.unwrap_or("");
    let chain = st
        .refresh
        .get(token)
        .filter(|r| r.status != TokenStatus::Revoked)
        .map(|r| r.chain)
        .or_else(|| st.access.get(token).filter(|a| !a.revoked).map(|a| a.chain));
    match chain {
        Some(chain) => {
            st.revoke_chain(chain);
            Reply::new(200, None, Vec::new())
        }
        // 400 for every error, form-encoded by default (9.1, 5.5).
        None => match st.config.revoke_errors {
            RevokeErrors::Form => Reply::new(
                400,
                Some("application/x-www-form-urlencoded;charset=UTF-8"),
                error_text("unsupported_token_type", "this token type is not supported"),
            ),
            RevokeErrors::Json => oauth_error("unsupported_token_type", "this token type is not supported"),
        },
    }
}

fn introspect(state: &Mutex<State>, r: &Req) -> Reply {
    let mut st = lock(state);
    if let Err(reply) = client_auth(&mut st, r, true) {
        return reply;
    }
    let token = r.field("token").unwrap_or("");
    let base = st.base_url.clone();
    let client_id = st.config.client_id.clone();
    let common = |scopes: &str, kind: &str, iat: u64, exp: Option<u64>| {
        let mut v = json!({
            "active": true, "scope": scopes, "client_id": client_id, "username": USERNAME,
            "sub": format!("{base}/id/{ORG_ID}/{USER_ID}"), "token_type": kind, "iat": iat / 1000, "nbf": iat / 1000,
        });
        if let Some(exp) = exp {
            v["exp"] = json!(exp);
        }
        v
    };
    if let Some(rt) = st.refresh.get(token).filter(|r| r.status == TokenStatus::Active && !st.expired_by_policy(r.chain)) {
        return json_reply(200, &common(&rt.scopes, "refresh_token", rt.issued_at, None));
    }
    if let Some(at) = st.access.get(token).filter(|a| !a.revoked && a.expires > Instant::now()) {
        let exp = at.issued_at / 1000 + st.config.access_ttl.as_secs();
        return json_reply(200, &common(&at.scopes, "access_token", at.issued_at, Some(exp)));
    }
    json_reply(200, &json!({"active": false}))
}

/// The access token's scopes when it is valid.
pub(crate) fn valid_access(st: &State, r: &Req) -> Option<String> {
    let token = r.bearer()?;
    st.access.get(token).filter(|a| !a.revoked && a.expires > Instant::now()).map(|a| a.scopes.clone())
}

pub(crate) fn invalid_session() -> Reply {
    json_reply(401, &json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]))
}
