//! A scripted browser that plays the user: opens the authorize URL, answers the emulator's
//! consent page with Allow or Deny, and follows the redirect to the loopback callback (and the
//! callback's own redirect to its result page), as a browser would. Used by `demo` in-process and
//! by the tests as `$BROWSER` (`mailfino-sf robot-browser URL`).

use std::time::Duration;

/// Why the robot could not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotError {
    /// The emulator (or the callback) could not be reached.
    Unreachable(String),
    /// An answer the robot did not expect.
    Unexpected(String),
}

impl std::fmt::Display for RobotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RobotError::Unreachable(m) | RobotError::Unexpected(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RobotError {}

type Result<T> = std::result::Result<T, RobotError>;

/// What the user does on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
}

/// Where the robot ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The last URL loaded.
    pub final_url: String,
    /// Its status.
    pub status: u16,
}

/// Plays the user on `url`.
pub fn browse(url: &str, action: Action) -> Result<Outcome> {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Like a browser, `localhost` is loopback without asking the resolver (RFC 6761 §6.3):
        // `demo` then works where /etc/hosts is missing (a scratch container, an empty chroot).
        .resolve_to_addrs("localhost", &[(std::net::Ipv4Addr::LOCALHOST, 0).into(), (std::net::Ipv6Addr::LOCALHOST, 0).into()])
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| RobotError::Unexpected(e.to_string()))?;
    let mut current = url.to_string();
    let mut resp = get(&client, &current)?;
    for _ in 0..8 {
        let status = resp.status().as_u16();
        if (300..400).contains(&status) {
            let loc = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            current = url::Url::parse(&current).and_then(|b| b.join(&loc)).map(|u| u.to_string()).unwrap_or(loc);
            resp = get(&client, &current)?;
            continue;
        }
        let body = resp.text().unwrap_or_default();
        if status == 200 && body.contains("/services/oauth2/authorize/decision") {
            let id = hidden_value(&body, "id").ok_or_else(|| RobotError::Unexpected("consent page without an id".into()))?;
            let decision = url::Url::parse(&current)
                .and_then(|b| b.join("/services/oauth2/authorize/decision"))
                .map_err(|e| RobotError::Unexpected(e.to_string()))?;
            let answer = if action == Action::Allow { "allow" } else { "deny" };
            resp = client
                .post(decision.as_str())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("id={id}&action={answer}"))
                .send()
                .map_err(|e| unreachable(e, "POST", decision.as_str()))?;
            current = decision.to_string();
            continue;
        }
        return Ok(Outcome { final_url: current, status });
    }
    Err(RobotError::Unexpected("robot browser: too many redirects".into()))
}

fn get(client: &reqwest::blocking::Client, url: &str) -> Result<reqwest::blocking::Response> {
    client.get(url).send().map_err(|e| unreachable(e, "GET", url))
}

/// A request that failed, naming the address without its query (which may hold a code) and the
/// whole cause chain ("error sending request" alone does not say what broke).
fn unreachable(e: reqwest::Error, method: &str, url: &str) -> RobotError {
    let place = url.split(['?', '#']).next().unwrap_or_default();
    let e = e.without_url();
    let mut msg = format!("robot browser: {method} {place}: {e}");
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        msg.push_str(&format!(": {c}"));
        cause = c.source();
    }
    RobotError::Unreachable(msg)
}

fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}
