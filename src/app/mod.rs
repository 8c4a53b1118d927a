//! The app as code: mailfino's External Client App as Salesforce metadata (reference
//! `eca-metadata.md`, addendum C.1–C.4).
//!
//! - [`spec`] owns what mailfino's app is: the five metadata types, their folders and suffixes,
//!   member names, and the values an export writes (from the profile and flags).
//! - [`xml`] reads and writes the metadata XML through quick-xml (no hand-written parser).
//! - [`export`] renders the source-format project and writes it idempotently.
//! - [`check`] reads an exported or retrieved project and compares it with what mailfino needs.
//!
//! Invariants: an export never writes a secret (no `consumerKey`, no `consumerSecret`) nor an
//! org-specific field (`oauthLink`, `orgScopedExternalApp`); a reader tolerates every field it
//! does not know (retrieved files carry more than an export writes) and never prints a consumer
//! key or secret it finds.

pub(crate) mod check;
pub(crate) mod export;
pub(crate) mod spec;
pub mod xml;
