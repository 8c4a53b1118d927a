//! Salesforce's OAuth error strings, each mapped to plain words and the checklist step and Setup
//! field that fix it. The table is the single source for every command's hints.

use super::checklist::step_ref;

/// How long a new or changed External Client App may take before Salesforce accepts it: connected
/// apps 5-10 minutes, an ECA guide says 30 (reference 4.18, 9.4).
pub const PROPAGATION_MINUTES: u64 = 30;

/// The propagation sentence of every hint about an app Salesforce does not accept yet.
pub const PROPAGATION: &str =
    "a new or changed app can take up to 30 minutes before Salesforce accepts it (`mailfino-sf setup --retry-for 1800` keeps checking)";

/// What an OAuth error means and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub meaning: String,
    pub fix: String,
}

/// Explains an `error` (and, where it refines the meaning, the `error_description`).
pub fn explain(error: &str, description: &str) -> Explanation {
    let e = |meaning: &str, fix: String| Explanation { meaning: meaning.to_string(), fix };
    let desc = description.to_ascii_lowercase();
    match error {
        "invalid_client_id" => e(
            "Salesforce does not know this Consumer Key",
            format!("copy the Consumer Key again ({}), and check the login URL points at the org (production vs sandbox); {PROPAGATION}", step_ref(5)),
        ),
        "invalid_client" if desc.contains("installed") => e(
            "the app is not installed in this org, and the user may not use uninstalled apps",
            "create the External Client App in this org itself (checklist step 1), or have an admin install it".to_string(),
        ),
        "invalid_client" | "invalid_client_credentials" => e(
            "Salesforce refused the Consumer Secret",
            format!("copy the Consumer Secret again ({}); re-run `mailfino-sf setup` to store it", step_ref(5)),
        ),
        "redirect_uri_mismatch" => e(
            "the callback URL is not registered on the app exactly as sent",
            format!("add it under Callback URL, one per line, character for character ({}); {PROPAGATION}", step_ref(4)),
        ),
        "invalid_scope" => e(
            "a requested scope is not allowed on the app",
            format!("add the scope under Selected OAuth Scopes ({}), or log in without --scope", step_ref(3)),
        ),
        "access_denied" | "access-denied" => e(
            "the login was denied in the browser (Deny was clicked)",
            "run `mailfino-sf login` again and choose Allow".to_string(),
        ),
        "OAUTH_APP_BLOCKED" => e(
            "an admin blocked this app (Connected Apps OAuth Usage or API Access Control)",
            "unblock it in Setup: Connected Apps OAuth Usage, or allow it under API Access Control".to_string(),
        ),
        "OAUTH_APP_ACCESS_DENIED" | "invalid_app_access" => e(
            "this user is not allowed to use the app (Admin approved users are pre-authorized)",
            "on the app's Policies tab add the user's profile or permission set, or choose \"All users may self-authorize\"".to_string(),
        ),
        "app_not_found" => e(
            "the External Client App is not installed in this org",
            "create the app in this org (checklist step 1) and use its Consumer Key".to_string(),
        ),
        "invalid_grant" if desc.contains("authorization code") => e(
            "the authorization code was already used or is too old",
            "run `mailfino-sf login` again; a code works once, for a few minutes".to_string(),
        ),
        "invalid_grant" if desc.contains("code verifier") => e(
            "the PKCE code verifier did not match the login",
            "run `mailfino-sf login` again from the start (do not reuse a login URL from another run)".to_string(),
        ),
        "invalid_grant" if desc.contains("refresh token") || desc.contains("expired access") => e(
            "the refresh token is no longer valid: revoked, expired by the app's refresh token policy, an already-rotated token was reused, the user was deactivated, or the sandbox was refreshed",
            "run `mailfino-sf login` again; if it keeps expiring, check Refresh Token Policy on the app's Policies tab".to_string(),
        ),
        "invalid_grant" if desc.contains("admin approved") || desc.contains("approved this consumer") => e(
            "this user is not approved to use the app",
            "on the app's Policies tab add the user's profile or permission set".to_string(),
        ),
        "invalid_grant" => e(
            "Salesforce refused the grant",
            "run `mailfino-sf login` again; check that the user is active and may use the app".to_string(),
        ),
        "unsupported_grant_type" => e(
            "the app does not allow this OAuth flow",
            format!("check OAuth is enabled on the app ({})", step_ref(1)),
        ),
        "unsupported_response_type" => e("the authorization request was not understood", "report this as a bug in mailfino-sf".to_string()),
        "immediate_unsuccessful" => e("Salesforce needs the user to log in", "run `mailfino-sf login` without immediate mode".to_string()),
        "inactive_user" => e("the Salesforce user is inactive", "log in as an active user, or reactivate the user".to_string()),
        "inactive_org" => e("the Salesforce org is inactive or locked", "check the org's status with Salesforce".to_string()),
        "rate_limit_exceeded" => e("Salesforce is rate-limiting logins for this user or app", "wait a few minutes and try again".to_string()),
        "OAUTH_APPROVAL_ERROR_GENERIC" => e("Salesforce reported an unexpected error during the login", "try again; if it persists, check the app's policies".to_string()),
        "invalid_request" => e("Salesforce rejected the request as malformed", format!("check the app's OAuth settings ({}); PKCE must be allowed", step_ref(2))),
        _ => e("Salesforce reported an OAuth error", "read the description above; `mailfino-sf verify` checks each setting".to_string()),
    }
}

/// Explains a REST API `errorCode` (answers on the instance, `[{"message","errorCode"}]`) as
/// seen with a token that was issued a moment ago (post-setup-failures.md A.2, A.5, A.6, A.9).
pub fn explain_rest(code: &str, message: &str) -> Explanation {
    let e = |meaning: &str, fix: &str| Explanation { meaning: meaning.to_string(), fix: fix.to_string() };
    let msg = message.to_ascii_lowercase();
    match code {
        // A.9: "API_DISABLED_FOR_ORG: The REST API is not enabled for this Organization."
        "API_DISABLED_FOR_ORG" => e(
            "the org or the user may not use the API (API Enabled is off, or the edition has no API access)",
            "give the integration user the \"API Enabled\" permission (its profile or a permission set); Professional Edition needs the API add-on",
        ),
        // A.2 / A.5: a token issued a moment ago and refused at once is not expired: the session is
        // locked to another IP, login IP ranges are enforced on every request, or API Access
        // Control admits only approved apps.
        "INVALID_SESSION_ID" if msg.contains("not valid for use with the") => e(
            "Salesforce refuses this session for the API although it was issued a moment ago: API Access Control admits only approved apps, or the session is locked to the IP it came from",
            "under Setup → API Access Control allow the app (or turn the control off); on the app's Policies tab set IP Relaxation to \"Relax IP restrictions\"; in Session Settings untick \"Lock sessions to the IP address from which they originated\"",
        ),
        "INVALID_SESSION_ID" => e(
            "Salesforce refused an access token it issued a moment ago: the session is locked to another IP address, login IP ranges are enforced on every request, or the session timeout is shorter than a request",
            "on the app's Policies tab set IP Relaxation to \"Relax IP restrictions\" (or add mailfino's server addresses to the trusted ranges); in Session Settings untick \"Lock sessions to the IP address from which they originated\"; check API Access Control",
        ),
        // A.6: "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded." (HTTP 403)
        "REQUEST_LIMIT_EXCEEDED" => e(
            "the org's daily API request limit is used up: every integration of the org is refused until the 24-hour window frees requests",
            "find the integration that uses the most (Setup → System Overview, or the API Usage report), wait for the window to roll, or buy more API calls",
        ),
        "INVALID_TYPE" => e("this user may not read that object, or the org or API version does not have it", "log in as an admin with the permission named"),
        "INVALID_FIELD" => e("this org or API version does not have that field, or the user may not see it", "log in as an admin with the permission named"),
        "INSUFFICIENT_ACCESS_OR_READONLY" | "INSUFFICIENT_ACCESS" => {
            e("this user lacks the permission to read that object", "log in as an admin with the permission named")
        }
        "NOT_FOUND" => e("the instance does not offer this resource or API version", "run `mailfino-sf login` again to learn the org's API version"),
        _ => e("the REST API refused the call", "read the message above; check the integration user's API access"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_error_names_a_fix() {
        let cases = [
            ("invalid_client_id", "client identifier invalid", "step 5"),
            ("invalid_client", "invalid client credentials", "Consumer Secret"),
            ("invalid_client", "app must be installed into org", "installed"),
            ("redirect_uri_mismatch", "redirect_uri must match configuration", "step 4"),
            ("invalid_scope", "the requested scope is not allowed", "step 3"),
            ("invalid_grant", "expired authorization code", "login"),
            ("invalid_grant", "expired access/refresh token", "Refresh Token Policy"),
            ("invalid_grant", "invalid code verifier", "login"),
            ("access-denied", "", "Allow"),
            ("OAUTH_APP_BLOCKED", "this app is blocked by admin", "unblock"),
        ];
        for (error, desc, needle) in cases {
            let x = explain(error, desc);
            assert!(x.fix.contains(needle) || x.meaning.contains(needle), "{error}/{desc}: {x:?}");
        }
    }
}
