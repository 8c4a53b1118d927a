//! What Salesforce is: login hosts and URL rules, the token and error shapes, scopes, the
//! error-to-explanation table, and the Setup checklist. Nothing here prints or talks HTTP.

pub mod answers;
pub(crate) mod checklist;
pub(crate) mod explain;
pub(crate) mod rest;
pub mod types;
pub mod values;

/// Endpoint paths, the same on every login host.
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
