//! What mailfino's External Client App is, as metadata: the five types with their folders,
//! suffixes and member names, and the values an export writes.
//!
//! Sources (reference `eca-metadata.md`): types, folders and suffixes C.1 table 2 (confirmed by
//! Salesforce's source-deploy-retrieve registry in the test suite); allowed values C.1 item 3;
//! mailfino's values C.4. Satellite member names only need to start with the app's name (C.1
//! item 2); the `_oauth`, `_glbloauth`, `_oauthPlcy`, `_plcy` endings follow what Salesforce's
//! own retrieves name them.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The Metadata API version of the project: the types exist from 59.0,
/// `ExtlClntAppConfigurablePolicies` from 60.0 (C.1 item 1); Salesforce's samples use 60.0.
pub const API_VERSION: &str = "60.0";
/// The metadata namespace of every file (C.1).
pub const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";
/// The app name when neither `--name` nor the profile's `app_name` gives one.
pub const DEFAULT_APP_NAME: &str = crate::store::config::DEFAULT_APP_NAME;
/// The source folder of an exported project.
pub const SOURCE_DIR: &str = "force-app/main/default";

/// One metadata type of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaType {
    /// The type name (the XML root element and the `<name>` in package.xml).
    pub name: &'static str,
    /// The folder under `force-app/main/default/`.
    pub folder: &'static str,
    /// The file suffix: `MEMBER.SUFFIX-meta.xml`.
    pub suffix: &'static str,
    /// Appended to the app's name to form the member name.
    pub member_suffix: &'static str,
}

impl MetaType {
    /// The member (full) name for the app `app`.
    pub fn member(&self, app: &str) -> String {
        format!("{app}{}", self.member_suffix)
    }
    /// The file name for the app `app`.
    pub fn file_name(&self, app: &str) -> String {
        format!("{}.{}-meta.xml", self.member(app), self.suffix)
    }
    /// The type a file name belongs to, by its suffix (as Salesforce's tooling resolves it).
    pub fn of_file(file_name: &str) -> Option<(&'static MetaType, &str)> {
        let stem = file_name.strip_suffix("-meta.xml")?;
        let (member, suffix) = stem.rsplit_once('.')?;
        TYPES.iter().find(|t| t.suffix == suffix).map(|t| (t, member))
    }
}

pub const APP: MetaType = MetaType { name: "ExternalClientApplication", folder: "externalClientApps", suffix: "eca", member_suffix: "" };
pub const OAUTH: MetaType =
    MetaType { name: "ExtlClntAppOauthSettings", folder: "extlClntAppOauthSettings", suffix: "ecaOauth", member_suffix: "_oauth" };
pub const GLOBAL_OAUTH: MetaType = MetaType {
    name: "ExtlClntAppGlobalOauthSettings",
    folder: "extlClntAppGlobalOauthSets",
    suffix: "ecaGlblOauth",
    member_suffix: "_glbloauth",
};
pub const OAUTH_POLICIES: MetaType = MetaType {
    name: "ExtlClntAppOauthConfigurablePolicies",
    folder: "extlClntAppOauthPolicies",
    suffix: "ecaOauthPlcy",
    member_suffix: "_oauthPlcy",
};
pub const APP_POLICIES: MetaType =
    MetaType { name: "ExtlClntAppConfigurablePolicies", folder: "extlClntAppPolicies", suffix: "ecaPlcy", member_suffix: "_plcy" };

/// The five types, parent first (the order Salesforce needs them deployed in, C.1 item 5).
pub const TYPES: [MetaType; 5] = [APP, OAUTH, GLOBAL_OAUTH, OAUTH_POLICIES, APP_POLICIES];

/// The unit of a refresh-token validity period (`refreshTokenValidityUnit`, C.1 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Hours,
    Days,
    Months,
}

impl Unit {
    pub fn metadata(self) -> &'static str {
        match self {
            Unit::Hours => "Hours",
            Unit::Days => "Days",
            Unit::Months => "Months",
        }
    }
    fn letter(self) -> char {
        match self {
            Unit::Hours => 'h',
            Unit::Days => 'd',
            Unit::Months => 'm',
        }
    }
}

/// `--refresh-policy`: `infinite`, `inactivity:N{h,d,m}` or `lifetime:N{h,d,m}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshPolicy {
    /// Valid until revoked (`Infinite`).
    #[default]
    Infinite,
    /// Expires after N units without use (`SpecificInactivity`).
    Inactivity(u32, Unit),
    /// Expires N units after it was issued (`SpecificLifetime`).
    Lifetime(u32, Unit),
}

/// The largest period accepted (in any unit): 10 years in months, far more in hours.
const MAX_PERIOD: u32 = 100_000;

impl FromStr for RefreshPolicy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let expected = "expected infinite, inactivity:N{h,d,m} or lifetime:N{h,d,m} (h hours, d days, m months), e.g. inactivity:30d";
        let s = s.trim();
        if s.eq_ignore_ascii_case("infinite") {
            return Ok(RefreshPolicy::Infinite);
        }
        let (kind, period) = s.split_once(':').ok_or_else(|| expected.to_string())?;
        let unit = match period.chars().last().map(|c| c.to_ascii_lowercase()) {
            Some('h') => Unit::Hours,
            Some('d') => Unit::Days,
            Some('m') => Unit::Months,
            _ => return Err(format!("the period `{period}` needs a unit; {expected}")),
        };
        let digits = &period[..period.len() - 1];
        let n: u32 = digits
            .parse()
            .ok()
            .filter(|n| (1..=MAX_PERIOD).contains(n) && digits.chars().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| format!("the period `{digits}` is not a whole number from 1 to {MAX_PERIOD}; {expected}"))?;
        match kind.to_ascii_lowercase().as_str() {
            "inactivity" => Ok(RefreshPolicy::Inactivity(n, unit)),
            "lifetime" => Ok(RefreshPolicy::Lifetime(n, unit)),
            _ => Err(expected.to_string()),
        }
    }
}

impl fmt::Display for RefreshPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefreshPolicy::Infinite => f.write_str("infinite"),
            RefreshPolicy::Inactivity(n, u) => write!(f, "inactivity:{n}{}", u.letter()),
            RefreshPolicy::Lifetime(n, u) => write!(f, "lifetime:{n}{}", u.letter()),
        }
    }
}

impl RefreshPolicy {
    /// `refreshTokenPolicyType` and, for the timed ones, period and unit.
    pub fn metadata(self) -> (&'static str, Option<(u32, Unit)>) {
        match self {
            RefreshPolicy::Infinite => ("Infinite", None),
            RefreshPolicy::Inactivity(n, u) => ("SpecificInactivity", Some((n, u))),
            RefreshPolicy::Lifetime(n, u) => ("SpecificLifetime", Some((n, u))),
        }
    }
}

/// `--ip-policy`: `ipRelaxationPolicyType` (ref salesforce-oauth.md 4.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IpPolicy {
    /// Enforce IP restrictions (mailfino's server must be in the integration user's ranges).
    Enforce,
    /// Relax IP restrictions.
    Bypass,
    /// Enforce, but relax them for refresh tokens (mailfino's refreshes work from any address).
    #[default]
    RelaxRefresh,
}

impl IpPolicy {
    pub fn metadata(self) -> &'static str {
        match self {
            IpPolicy::Enforce => "Enforce",
            IpPolicy::Bypass => "Bypass",
            IpPolicy::RelaxRefresh => "Enforce_RelaxRefresh",
        }
    }
}

/// Everything an export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSpec {
    /// The app's API name (also the prefix of every member name).
    pub name: String,
    /// The label shown in Setup.
    pub label: String,
    pub contact_email: String,
    /// mailfino's callback URL (Cloud or self-hosted).
    pub callback: String,
    /// This tool's loopback redirect URI.
    pub redirect: String,
    /// Admin-approved users, pre-authorized through this permission set; None: all may self-authorize.
    pub permission_set: Option<String>,
    pub refresh: RefreshPolicy,
    pub ip: IpPolicy,
    /// Refresh token rotation (`isRefreshTokenRotationEnabled`).
    pub rotation: bool,
}

/// Checks a Salesforce API name (app or permission set): a letter first, then letters, digits
/// and single underscores, not ending in one; at most 40 characters so that member names with
/// their endings stay short.
pub fn api_name(what: &str, input: &str) -> Result<String> {
    let s = input.trim();
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.contains("__")
        && !s.ends_with('_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(Error::usage(format!("{what} `{}` is not a Salesforce API name", crate::ui::sanitize(s))).hint(
            "expected up to 40 letters, digits and single underscores, starting with a letter and not ending in `_`, e.g. mailfino or Mailfino_Integration",
        ))
    }
}

/// An API name made from a label (the profile's `app_name` may be a label such as
/// "mailfino Integration"): other characters become `_`, runs collapse.
pub fn api_name_from_label(label: &str) -> String {
    let mut out = String::new();
    for c in label.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let mut out = out.trim_end_matches('_').to_string();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "mailfino_");
    }
    out.truncate(40);
    out.trim_end_matches('_').to_string()
}

/// Checks a contact e-mail address: one `@`, a dotted domain, no whitespace or markup.
pub fn contact_email(input: &str) -> Result<String> {
    let s = input.trim();
    let ok = s.len() <= 254
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@')
        })
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"'(),;:[]\\".contains(c));
    if ok {
        Ok(s.to_string())
    } else {
        Err(Error::usage(format!("contact e-mail `{}` is not an e-mail address", crate::ui::sanitize(s)))
            .hint("expected an address such as salesforce-admin@example.com (Salesforce shows it on the app)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_policies_parse_and_print() {
        for s in ["infinite", "inactivity:30d", "lifetime:4h", "inactivity:6m", "lifetime:100000h"] {
            let p: RefreshPolicy = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
        assert_eq!("lifetime:4h".parse::<RefreshPolicy>().unwrap().metadata(), ("SpecificLifetime", Some((4, Unit::Hours))));
        for bad in [
            "",
            "forever",
            "inactivity",
            "inactivity:",
            "inactivity:30",
            "inactivity:0d",
            "lifetime:-1d",
            "lifetime:+3d",
            "x:3d",
            "lifetime:100001h",
            "lifetime:3w",
            "lifetime:99999999999d",
        ] {
            assert!(bad.parse::<RefreshPolicy>().is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_files() {
        assert_eq!(api_name("app name", "mailfino").unwrap(), "mailfino");
        for bad in ["", "1abc", "a b", "a__b", "a_", "a-b", &"a".repeat(41)] {
            let e = api_name("app name", bad).expect_err(bad);
            assert_eq!(e.kind, crate::error::Kind::Usage, "{bad}");
            assert_eq!(e.message, format!("app name `{bad}` is not a Salesforce API name"));
            assert!(e.hints.iter().any(|h| h.starts_with("expected up to 40 letters")), "{bad}: {:?}", e.hints);
        }
        assert_eq!(api_name_from_label("mailfino Integration (EU)"), "mailfino_Integration_EU");
        assert_eq!(api_name_from_label("3rd app"), "mailfino_3rd_app");
        assert!(api_name("x", &api_name_from_label("ü ß --")).is_ok());
        assert_eq!(GLOBAL_OAUTH.file_name("mailfino"), "mailfino_glbloauth.ecaGlblOauth-meta.xml");
        let (t, member) = MetaType::of_file("mailfino_oauthPlcy.ecaOauthPlcy-meta.xml").unwrap();
        assert_eq!((t.name, member), ("ExtlClntAppOauthConfigurablePolicies", "mailfino_oauthPlcy"));
        assert!(MetaType::of_file("x.ecaOauthSecurity-meta.xml").is_none());
    }

    #[test]
    fn contact_emails() {
        assert!(contact_email(" admin@example.com ").is_ok());
        assert_eq!(contact_email(" admin@example.com ").unwrap(), "admin@example.com");
        for bad in ["", "admin", "admin@", "@example.com", "admin@example", "a b@example.com", "a@b.com<script>"] {
            let e = contact_email(bad).expect_err(bad);
            assert_eq!(e.kind, crate::error::Kind::Usage, "{bad}");
            assert_eq!(e.message, format!("contact e-mail `{bad}` is not an e-mail address"));
        }
    }
}
