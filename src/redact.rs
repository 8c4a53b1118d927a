//! The secrets this run knows, and their removal from any text that came from outside.
//!
//! Every secret the tool sends or receives is registered here as it passes (form fields that
//! hold secrets and Bearer tokens in `http`, tokens in token answers, `state` and the PKCE
//! verifier in `oauth`, secrets read from the store or the environment). [`redact`] replaces each
//! of them, in the forms a server could echo (as is, form-encoded, percent-encoded, JSON-escaped),
//! with `[redacted]`. `ui::sanitize` redacts before it escapes and truncates, so a secret cut by
//! the truncation cannot leak by halves.
//!
//! Values shorter than [`MIN_LEN`] are not registered: no real secret is that short, and
//! redacting them would mangle ordinary words.

use std::borrow::Cow;
use std::sync::Mutex;

/// Shortest value treated as a secret.
pub const MIN_LEN: usize = 8;

/// What replaces a secret.
pub const MARK: &str = "[redacted]";

static KNOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Registers a secret (and its encoded forms) for the rest of the run.
pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_LEN {
        return;
    }
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    let json = serde_json::to_string(secret).map(|s| s[1..s.len() - 1].to_string()).unwrap_or_default();
    let mut known = KNOWN.lock().unwrap_or_else(|p| p.into_inner());
    for variant in [secret.to_string(), form, percent, json] {
        if variant.len() >= MIN_LEN && !known.contains(&variant) {
            known.push(variant);
        }
    }
    // Longest first, so that a form that contains another is replaced whole.
    known.sort_by_key(|v| std::cmp::Reverse(v.len()));
}

/// `text` with every known secret replaced by [`MARK`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let known = KNOWN.lock().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for s in known.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), MARK);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_redacted_in_every_form() {
        register("s3cr3t/with+plus=");
        register("short");
        let text = "a s3cr3t/with+plus= b s3cr3t%2Fwith%2Bplus%3D c short";
        let out = redact(text);
        assert_eq!(out, "a [redacted] b [redacted] c short");
        assert!(matches!(redact("nothing here"), Cow::Borrowed(_)));
    }
}
