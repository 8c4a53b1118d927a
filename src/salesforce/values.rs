//! The values an admin types, their checks and normal forms: login URL, mailfino's callback URL,
//! the loopback redirect URI, the Consumer Key and Secret.
//!
//! Each parser returns the normalised value or a usage error (exit 2) that names the value and
//! the expected form. Soft problems come back as warnings.

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::{Error, Result};

/// mailfino Cloud's callback URL.
pub const CLOUD_CALLBACK: &str = "https://app.mailfino.de/api/v6/integrations/oauth/salesforce/callback";
/// The path a self-hosted mailfino serves its callback on.
pub const CALLBACK_PATH: &str = "/api/v6/integrations/oauth/salesforce/callback";
/// This tool's default loopback redirect URI (not 1717, which the Salesforce CLI holds).
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8717/callback";
/// Production and sandbox login hosts.
pub const PRODUCTION: &str = "https://login.salesforce.com";
pub const SANDBOX: &str = "https://test.salesforce.com";

fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Hosts that are not login hosts, with the login host they stand for (the part before the
/// suffix, sandbox and other My Domain kinds included, is kept): Lightning domains (0.3, and the
/// Government Cloud form 9.5) and the Setup domain of enhanced domains (9.5).
const NOT_LOGIN_HOSTS: [(&str, &str, &str); 3] = [
    (".lightning.force.com", ".my.salesforce.com", "a Lightning domain"),
    (".lightning.crmforce.mil", ".my.salesforce.mil", "a Government Cloud Lightning domain"),
    (".my.salesforce-setup.com", ".my.salesforce.com", "Salesforce's Setup domain"),
];

/// The My Domain login URL a Lightning or Setup host stands for, and what the host is. E.g.
/// `acme--dev.sandbox.lightning.force.com` gives `https://acme--dev.sandbox.my.salesforce.com`.
fn my_domain_for(host: &str) -> Option<(String, &'static str)> {
    let h = host.to_ascii_lowercase();
    NOT_LOGIN_HOSTS.iter().find_map(|(suffix, login, what)| {
        let name = h.strip_suffix(suffix).filter(|n| !n.is_empty())?;
        Some((format!("https://{name}{login}"), *what))
    })
}

/// The login URL to offer instead of `input` when it is a Lightning or Setup domain (the wizard
/// asks `Use https://…?`); `None` for anything else.
pub fn suggested_login_url(input: &str) -> Option<String> {
    let raw = input.trim();
    let with_scheme = if raw.contains("://") { raw.to_string() } else { format!("https://{raw}") };
    let url = Url::parse(&with_scheme).ok()?;
    my_domain_for(url.host_str()?).map(|(my, _)| my)
}

/// A URL holding a line break, tab, other control character or inner blank is refused (the URL
/// parser would silently strip some of them, and they have no place in a pasted URL).
fn reject_controls(raw: &str) -> std::result::Result<(), String> {
    match raw.chars().find(|c| c.is_control() || c.is_whitespace()) {
        Some(c) => Err(format!("contains `{}`; a URL holds no line breaks, tabs, control characters or blanks", c.escape_default())),
        None => Ok(()),
    }
}

/// Parses and normalises a Salesforce login URL (scheme + host [+ port], no path).
pub fn login_url(input: &str) -> Result<String> {
    let raw = input.trim();
    let expected =
        "expected https://login.salesforce.com, https://test.salesforce.com or a My Domain URL such as https://acme.my.salesforce.com";
    let bad = |why: &str| Error::usage(format!("login URL `{}` {why}", crate::ui::sanitize(raw))).hint(expected);
    reject_controls(raw).map_err(|why| bad(&why))?;
    let with_scheme = if raw.contains("://") { raw.to_string() } else { format!("https://{raw}") };
    let url = Url::parse(&with_scheme).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    let host = url.host().ok_or_else(|| bad("has no host"))?;
    let loopback = is_loopback_host(&host);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("uses plain http; Salesforce answers only over https (http is allowed only for a local emulator on 127.0.0.1, ::1 or localhost)")),
        other => return Err(bad(&format!("has the scheme `{other}`"))),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad("must not carry a query, fragment or user name"));
    }
    if !matches!(url.path(), "" | "/") {
        return Err(bad("must be only the host, without a path"));
    }
    if let Host::Domain(domain) = &host {
        if let Some((my, what)) = my_domain_for(domain) {
            return Err(Error::usage(format!("login URL `{}` is {what}, not a login host", crate::ui::sanitize(raw)))
                .hint(format!("use the My Domain form instead: {my}")));
        }
        // Any other host may be a custom domain (0.1): the live check (`login_host`) tells.
    }
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default().to_ascii_lowercase());
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    Ok(out)
}

/// A host name that is not publicly addressable (localhost, private or link-local address).
fn private_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => {
            let d = d.to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local") || d.ends_with(".internal") || !d.contains('.')
        }
        Host::Ipv4(ip) => ip.is_private() || ip.is_loopback() || ip.is_link_local() || ip.is_unspecified(),
        Host::Ipv6(ip) => {
            let ip = IpAddr::V6(*ip);
            ip.is_loopback()
                || ip.is_unspecified()
                || matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// mailfino's callback URL from a self-hosted base URL (None: mailfino Cloud). Returns the
/// callback URL and warnings.
pub fn mailfino_callback(base: Option<&str>) -> Result<(String, Vec<String>)> {
    let Some(raw) = base.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok((CLOUD_CALLBACK.to_string(), Vec::new()));
    };
    let expected = "expected the public https base URL of your mailfino, e.g. https://mail.example.com";
    let bad = |why: &str| Error::usage(format!("mailfino URL `{}` {why}", crate::ui::sanitize(raw))).hint(expected);
    reject_controls(raw).map_err(|why| bad(&why))?;
    let url = Url::parse(raw).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if url.scheme() != "https" {
        return Err(bad(&format!("uses `{}`; Salesforce sends the login back only to https", url.scheme())));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not carry a query or fragment"));
    }
    let host = url.host().ok_or_else(|| bad("has no host"))?;
    if let Host::Domain(d) = &host {
        let d = d.to_ascii_lowercase();
        if [".salesforce.com", ".force.com", ".salesforce-setup.com", ".salesforce.mil", ".crmforce.mil"].iter().any(|s| d.ends_with(s)) {
            return Err(bad("is a Salesforce address; this is where mailfino itself runs"));
        }
    }
    let mut warnings = Vec::new();
    if private_host(&host) {
        warnings.push(format!(
            "mailfino URL `{}` is not publicly addressable; Salesforce redirects the admin's browser there, so it must be reachable from where they log in",
            crate::ui::sanitize(raw)
        ));
    }
    let mut path = url.path().trim_end_matches('/').to_string();
    if path.ends_with(CALLBACK_PATH) {
        // The admin pasted the whole callback URL: accept it as it is.
        path.truncate(path.len() - CALLBACK_PATH.len());
    }
    let mut out = format!("https://{}", url.host_str().unwrap_or_default().to_ascii_lowercase());
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(&path);
    out.push_str(CALLBACK_PATH);
    Ok((out, warnings))
}

/// Checks a stored mailfino callback URL (cloud or self-hosted form).
pub fn check_callback(url: &str) -> Result<Vec<String>> {
    if url == CLOUD_CALLBACK {
        return Ok(Vec::new());
    }
    if !url.ends_with(CALLBACK_PATH) {
        return Err(Error::usage(format!("mailfino callback URL `{}` does not end in {CALLBACK_PATH}", crate::ui::sanitize(url)))
            .hint(format!("mailfino Cloud uses {CLOUD_CALLBACK}; a self-hosted mailfino uses its base URL + {CALLBACK_PATH}")));
    }
    let base = &url[..url.len() - CALLBACK_PATH.len()];
    let (normal, warnings) = mailfino_callback(Some(base))?;
    if normal != url {
        return Err(Error::usage(format!("mailfino callback URL `{}` is not in its normal form", crate::ui::sanitize(url)))
            .hint(format!("expected {normal}")));
    }
    Ok(warnings)
}

/// Parses the loopback redirect URI: http, a loopback host, an explicit port.
pub fn redirect_uri(input: &str) -> Result<Url> {
    let raw = input.trim();
    let expected = format!("expected http://localhost:PORT/PATH (or 127.0.0.1 / [::1]) with an explicit port, e.g. {DEFAULT_REDIRECT_URI}");
    let bad = |why: &str| Error::usage(format!("redirect URI `{}` {why}", crate::ui::sanitize(raw))).hint(expected.clone());
    reject_controls(raw).map_err(|why| bad(&why))?;
    let url = Url::parse(raw).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if url.scheme() != "http" {
        return Err(bad("must use http:// (the listener runs on this machine)"));
    }
    let host = url.host().ok_or_else(|| bad("has no host"))?;
    if !is_loopback_host(&host) {
        return Err(bad("must point at this machine's loopback (localhost, 127.0.0.1 or [::1])"));
    }
    // url drops a scheme's default port (80), so an explicit :80 shows as None too; require it.
    if url.port().is_none() && !raw.contains(":80/") && !raw.ends_with(":80") {
        return Err(bad("needs an explicit port"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not carry a query or fragment"));
    }
    Ok(url)
}

/// Checks a Consumer Key; returns the trimmed key and warnings.
pub fn client_id(input: &str) -> Result<(String, Vec<String>)> {
    let key = input.trim();
    let expected = "expected the Consumer Key from the app's Settings tab: one token of letters, digits, `.` and `_` (usually 85 characters starting with 3MVG)";
    if key.is_empty() {
        return Err(Error::usage("the Consumer Key is empty").hint(expected));
    }
    if key.chars().any(char::is_whitespace) {
        return Err(Error::usage("the Consumer Key contains whitespace; it is one token").hint(expected));
    }
    if let Some(c) = key.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_')) {
        return Err(
            Error::usage(format!("the Consumer Key contains `{}`, which Salesforce keys never do", c.escape_default())).hint(expected)
        );
    }
    if looks_like_secret(key) {
        // Flagged, never written: a secret stored as the key breaks mailfino and leaks the secret.
        return Err(Error::usage("the value given as the Consumer Key looks like a Consumer Secret (64 hex characters or 19 digits)")
            .hint("the Consumer Key is the longer value that starts with 3MVG; the secret belongs in the Consumer Secret"));
    }
    let mut warnings = Vec::new();
    if !(key.len() == 85 && key.starts_with("3MVG")) {
        warnings.push(format!(
            "the Consumer Key does not look like the usual 85-character 3MVG… key ({} characters); check that you copied all of it",
            key.len()
        ));
    }
    Ok((key.to_string(), warnings))
}

/// A value of the Consumer Secret's forms: 64 hex characters, or 19 digits (older apps).
pub fn looks_like_secret(value: &str) -> bool {
    let v = value.trim();
    (v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit())) || (v.len() == 19 && v.chars().all(|c| c.is_ascii_digit()))
}

/// A value of the Consumer Key's form: `3MVG` and at least 40 key characters (a secret never
/// holds `M`, `V` or `G`).
pub fn looks_like_key(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("3MVG") && v.len() >= 40 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

/// Checks a Consumer Secret; returns the trimmed secret and warnings. Never echoes the value.
pub fn client_secret(input: &str) -> Result<(String, Vec<String>)> {
    let secret = input.trim();
    let expected = "expected the Consumer Secret from the app's Settings tab (64 hex characters, or 19 digits for older apps)";
    if secret.is_empty() {
        return Err(Error::usage("the Consumer Secret is empty").hint(expected));
    }
    if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::usage("the Consumer Secret contains whitespace or a control character").hint(expected));
    }
    if looks_like_key(secret) {
        return Err(Error::usage("the value given as the Consumer Secret looks like a Consumer Key (it starts with 3MVG)")
            .hint("the Consumer Secret is the shorter value next to the key (Consumer Key and Secret → Consumer Secret); the key belongs in the Consumer Key"));
    }
    let hex64 = secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit());
    let digits19 = secret.len() == 19 && secret.chars().all(|c| c.is_ascii_digit());
    let mut warnings = Vec::new();
    if !(hex64 || digits19) {
        warnings.push(format!(
            "the Consumer Secret is neither 64 hex characters nor 19 digits ({} characters); check that you copied the secret, not the key",
            secret.chars().count()
        ));
    }
    Ok((secret.to_string(), warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_urls() {
        let ok = [
            ("https://login.salesforce.com", "https://login.salesforce.com"),
            ("https://test.salesforce.com/", "https://test.salesforce.com"),
            ("acme.my.salesforce.com", "https://acme.my.salesforce.com"),
            ("https://ACME--dev.sandbox.my.salesforce.com", "https://acme--dev.sandbox.my.salesforce.com"),
            ("http://127.0.0.1:8443", "http://127.0.0.1:8443"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("  http://localhost:1234  ", "http://localhost:1234"),
        ];
        for (input, want) in ok {
            assert_eq!(login_url(input).unwrap(), want, "{input}");
        }
        let bad =
            ["http://login.salesforce.com", "ftp://x.com", "https://acme.my.salesforce.com/path", "https://login.salesforce.com?x=1", ""];
        for input in bad {
            let err = login_url(input).unwrap_err();
            assert_eq!(err.kind, crate::error::Kind::Usage, "{input}");
        }
        let err = login_url("https://acme.lightning.force.com").unwrap_err();
        assert!(err.hints[0].contains("https://acme.my.salesforce.com"), "{:?}", err.hints);
        let err = login_url("https://acme--dev.sandbox.lightning.force.com").unwrap_err();
        assert!(err.hints[0].contains("https://acme--dev.sandbox.my.salesforce.com"));
    }

    #[test]
    fn lightning_and_setup_domains_name_their_login_host() {
        let cases = [
            ("https://acme.lightning.force.com", "https://acme.my.salesforce.com"),
            ("acme--dev.sandbox.lightning.force.com/", "https://acme--dev.sandbox.my.salesforce.com"),
            ("https://acme-dev-ed.develop.lightning.force.com", "https://acme-dev-ed.develop.my.salesforce.com"),
            ("https://org62.lightning.crmforce.mil", "https://org62.my.salesforce.mil"),
            ("https://org62--sbox1.sandbox.lightning.crmforce.mil", "https://org62--sbox1.sandbox.my.salesforce.mil"),
            ("https://acme.my.salesforce-setup.com", "https://acme.my.salesforce.com"),
            ("https://ACME--uat.sandbox.my.salesforce-setup.com", "https://acme--uat.sandbox.my.salesforce.com"),
        ];
        for (input, want) in cases {
            let err = login_url(input).unwrap_err();
            assert_eq!(err.kind, crate::error::Kind::Usage, "{input}");
            assert!(err.hints[0].ends_with(want), "{input}: {:?}", err.hints);
            assert_eq!(suggested_login_url(input).as_deref(), Some(want), "{input}");
            assert!(login_url(want).is_ok(), "{want}");
            assert_eq!(suggested_login_url(want), None, "{want}");
        }
        assert!(login_url("https://org62.lightning.crmforce.mil").unwrap_err().message.contains("Government Cloud"));
        assert!(login_url("https://acme.my.salesforce-setup.com").unwrap_err().message.contains("Setup domain"));
        assert_eq!(suggested_login_url("https://lightning.force.com"), None);
    }

    #[test]
    fn mailfino_callbacks() {
        assert_eq!(mailfino_callback(None).unwrap().0, CLOUD_CALLBACK);
        let (cb, w) = mailfino_callback(Some("https://mail.example.com/")).unwrap();
        assert_eq!(cb, format!("https://mail.example.com{CALLBACK_PATH}"));
        assert!(w.is_empty());
        let (cb, _) = mailfino_callback(Some(&format!("https://mail.example.com/mf{CALLBACK_PATH}"))).unwrap();
        assert_eq!(cb, format!("https://mail.example.com/mf{CALLBACK_PATH}"));
        let (_, w) = mailfino_callback(Some("https://192.168.1.5")).unwrap();
        assert_eq!(w.len(), 1);
        let (_, w) = mailfino_callback(Some("https://localhost:8443")).unwrap();
        assert_eq!(w.len(), 1);
        assert!(mailfino_callback(Some("http://mail.example.com")).is_err());
        assert!(mailfino_callback(Some("ftp://mail.example.com")).is_err());
        assert!(mailfino_callback(Some("https://acme.lightning.force.com")).is_err());
        assert!(mailfino_callback(Some("https://mail.example.com/?a=b")).is_err());
        assert!(check_callback(CLOUD_CALLBACK).unwrap().is_empty());
        assert!(check_callback("https://x.example.com/callback").is_err());
    }

    #[test]
    fn redirect_uris() {
        assert!(redirect_uri(DEFAULT_REDIRECT_URI).is_ok());
        assert!(redirect_uri("http://127.0.0.1:9000/cb").is_ok());
        assert!(redirect_uri("http://[::1]:9000/cb").is_ok());
        for bad in ["https://localhost:8717/callback", "http://example.com:8717/cb", "http://localhost/callback", "http://0.0.0.0:8717/cb"]
        {
            assert!(redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_and_secrets() {
        let key = format!("3MVG9{}", "A".repeat(80));
        assert!(client_id(&format!("  {key}\n")).unwrap().1.is_empty());
        assert_eq!(client_id("short_key.1").unwrap().1.len(), 1);
        assert!(client_id(&"A1".repeat(32)).unwrap_err().message.contains("looks like a Consumer Secret"));
        assert!(client_id("1234567890123456789").is_err());
        assert!(client_secret(&key).unwrap_err().message.contains("looks like a Consumer Key"));
        assert!(client_secret("3MVG").is_ok(), "too short to be a key: merely unusual");
        assert!(client_id("has space").is_err());
        assert!(client_id("bad-dash").is_err());
        assert!(client_id("").is_err());
        assert!(client_secret(&"A1".repeat(32)).unwrap().1.is_empty());
        assert!(client_secret("1234567890123456789").unwrap().1.is_empty());
        assert_eq!(client_secret("whatever").unwrap().1.len(), 1);
        assert!(client_secret("a b").is_err());
        assert!(client_secret("   ").is_err());
    }
}
