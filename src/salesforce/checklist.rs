//! The Setup checklist for mailfino's External Client App, in one place: `setup` shows it, and
//! every hint elsewhere names its steps.

/// One step: its title and the lines that explain it. Values to paste are filled in by `setup`.
pub struct Step {
    pub number: u8,
    pub title: &'static str,
    pub lines: &'static [&'static str],
}

/// The five steps.
pub const STEPS: [Step; 5] = [
    Step {
        number: 1,
        title: "Create the External Client App",
        lines: &[
            "In Salesforce, open Setup (the gear, top right) and type \"External Client App Manager\" in Quick Find.",
            "Click \"New External Client App\"; give it a name (e.g. mailfino), a contact e-mail, Distribution State: Local.",
            "Under \"API (Enable OAuth Settings)\" tick \"Enable OAuth\".",
            "(An existing classic Connected App works too: App Manager, then Edit. New Connected Apps can no longer be created in most orgs.)",
        ],
    },
    Step {
        number: 2,
        title: "OAuth flows and security",
        lines: &[
            "The authorization-code (web server) flow needs no box under Flow Enablement: OAuth enabled is enough.",
            "mailfino's older guide names \"Enable Authorization Code and Credentials Flow\": that box is a different, headless login flow; mailfino does not need it.",
            "JWT bearer, client credentials, device and SAML flows are not needed.",
            "Under Security keep \"Require secret for Web Server Flow\", \"Require secret for Refresh Token Flow\" and \"Require Proof Key for Code Exchange (PKCE)\" ticked.",
        ],
    },
    Step {
        number: 3,
        title: "OAuth scopes",
        lines: &[
            "Add \"Manage user data via APIs (api)\".",
            "Add \"Perform requests at any time (refresh_token, offline_access)\".",
            "Do not add \"Full access (full)\": it is broader than mailfino needs and does not give a refresh token.",
        ],
    },
    Step {
        number: 4,
        title: "Callback URLs (one per line, exactly as shown)",
        lines: &[
            "Salesforce matches callback URLs exactly: scheme, host, port, path and trailing slash.",
        ],
    },
    Step {
        number: 5,
        title: "Save, then copy the Consumer Key and Secret",
        lines: &[
            "Click Create (or Save). Open the app, Settings tab, OAuth Settings, \"Consumer Key and Secret\".",
            "Salesforce sends a verification code by e-mail before it shows them.",
            "The secret belongs in mailfino's server configuration only, never with regular users.",
            "A new or changed app can take up to 30 minutes before Salesforce accepts it.",
        ],
    },
];

/// "step N (TITLE)" for hints.
pub fn step_ref(n: u8) -> String {
    STEPS
        .iter()
        .find(|s| s.number == n)
        .map(|s| format!("checklist step {n} ({})", s.title))
        .unwrap_or_else(|| format!("checklist step {n}"))
}
