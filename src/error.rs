//! The one error type, its exit codes and its hints, in one table.
//!
//! Every failure the program reports is an [`Error`]: a [`Kind`] (which decides the exit code of
//! the contract), a one-line message and any number of hint lines. `main` prints it as
//! `mailfino-sf: error: MESSAGE` followed by the hints, on stderr.

use std::fmt;
use std::process::ExitCode;

/// What kind of failure this is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// verify found a failed check, or an unexpected internal error (1).
    Failed,
    /// Unknown flag, bad value, missing value in non-interactive mode (2).
    Usage,
    /// No profile, no client secret or no refresh token where one is needed (3).
    NotConfigured,
    /// Salesforce refused: bad client id or secret, invalid_grant, access_denied, scopes (4).
    Refused,
    /// Salesforce unreachable: DNS, connect, TLS, timeout, 5xx after retries (5).
    Unreachable,
    /// Login timed out waiting for the browser, or was cancelled (6).
    LoginTimeout,
    /// Local storage failed: keyring, file, env file (7).
    Storage,
    /// The loopback port is taken (8).
    PortTaken,
    /// Ctrl-C (130).
    Interrupted,
}

/// One row of the exit-code table: the code, a short label (for `--help`) and its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitCodeDoc {
    pub code: u8,
    pub label: &'static str,
    pub meaning: &'static str,
}

/// THE exit-code table of the contract. `--help`, the man page's EXIT STATUS section and the
/// README are made from it or checked against it (tests/cases/exit_codes.rs).
pub const EXIT_CODES: &[ExitCodeDoc] = &[
    ExitCodeDoc { code: 0, label: "ok", meaning: "success (verify, audit, app check: nothing failed)" },
    ExitCodeDoc { code: 1, label: "a check failed", meaning: "a check failed (verify, audit, app check); or an unexpected internal error" },
    ExitCodeDoc { code: 2, label: "usage", meaning: "usage error: unknown flag, bad value, missing value in non-interactive mode" },
    ExitCodeDoc {
        code: 3,
        label: "not configured",
        meaning: "not configured: no such profile, no client secret or no refresh token where one is needed",
    },
    ExitCodeDoc {
        code: 4,
        label: "Salesforce refused",
        meaning: "Salesforce refused: invalid client id or secret, invalid_grant, access_denied, missing scope, redirect mismatch",
    },
    ExitCodeDoc {
        code: 5,
        label: "Salesforce unreachable",
        meaning: "Salesforce unreachable: DNS, connect, TLS, timeout, 5xx after retries",
    },
    ExitCodeDoc { code: 6, label: "login timed out", meaning: "login timed out waiting for the browser" },
    ExitCodeDoc { code: 7, label: "local storage failed", meaning: "local storage failed (keyring, file, env file)" },
    ExitCodeDoc { code: 8, label: "loopback port taken", meaning: "the loopback port is taken" },
    ExitCodeDoc { code: 130, label: "interrupted", meaning: "interrupted (Ctrl-C, SIGTERM)" },
];

/// The one-line exit-code summary under `mailfino-sf --help`.
pub fn exit_codes_help() -> String {
    let items: Vec<String> = EXIT_CODES.iter().map(|e| format!("{} {}", e.code, e.label)).collect();
    format!("Exit codes: {}.", items.join(", "))
}

impl Kind {
    /// Every kind, for the table tests.
    pub const ALL: [Kind; 9] = [
        Kind::Failed,
        Kind::Usage,
        Kind::NotConfigured,
        Kind::Refused,
        Kind::Unreachable,
        Kind::LoginTimeout,
        Kind::Storage,
        Kind::PortTaken,
        Kind::Interrupted,
    ];

    /// The process exit code of the contract.
    pub fn code(self) -> u8 {
        match self {
            Kind::Failed => 1,
            Kind::Usage => 2,
            Kind::NotConfigured => 3,
            Kind::Refused => 4,
            Kind::Unreachable => 5,
            Kind::LoginTimeout => 6,
            Kind::Storage => 7,
            Kind::PortTaken => 8,
            Kind::Interrupted => 130,
        }
    }
}

/// An error with its exit code and fix hints.
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hints: Vec<String>,
    /// Salesforce's OAuth `error` code when Salesforce refused (e.g. `invalid_client`).
    pub oauth_code: Option<String>,
    /// Salesforce's `error_description` with it (e.g. `inactive user`), as sent.
    pub oauth_description: Option<String>,
    /// Nothing reached the server (connect failure): safe to retry.
    pub not_sent: bool,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), hints: Vec::new(), oauth_code: None, oauth_description: None, not_sent: false }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }
    pub fn not_configured(message: impl Into<String>) -> Self {
        Self::new(Kind::NotConfigured, message)
    }
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(Kind::Refused, message)
    }
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new(Kind::Unreachable, message)
    }
    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(Kind::Storage, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Failed, message)
    }
    /// Adds one hint line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
    /// Adds several hint lines.
    pub fn hints<I, S>(mut self, hints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.hints.extend(hints.into_iter().map(Into::into));
        self
    }
    /// Prefixes the message with some context.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.code())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Maps an I/O error on a local file to a storage error naming the path.
pub fn io_error(what: &str, path: &std::path::Path, err: std::io::Error) -> Error {
    Error::storage(format!("{what} {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row_in_the_exit_code_table_and_every_row_a_use() {
        let expected = [
            (Kind::Failed, 1),
            (Kind::Usage, 2),
            (Kind::NotConfigured, 3),
            (Kind::Refused, 4),
            (Kind::Unreachable, 5),
            (Kind::LoginTimeout, 6),
            (Kind::Storage, 7),
            (Kind::PortTaken, 8),
            (Kind::Interrupted, 130),
        ];
        for (kind, code) in expected {
            assert_eq!(kind.code(), code, "{kind:?}");
            assert_eq!(EXIT_CODES.iter().filter(|e| e.code == code).count(), 1, "code {code} in EXIT_CODES");
        }
        for row in EXIT_CODES {
            assert!(row.code == 0 || Kind::ALL.iter().any(|k| k.code() == row.code), "row {} has no Kind", row.code);
        }
        assert_eq!(EXIT_CODES.len(), Kind::ALL.len() + 1, "the table is success plus one row per kind");
    }
}
