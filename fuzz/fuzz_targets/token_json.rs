//! Token endpoint answers: success and error JSON (truncated, wrong types, non-UTF-8, huge).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailfino_sf::salesforce::types::{OAuthError, TokenResponse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = TokenResponse::parse(&text);
    let _ = OAuthError::parse(400, &text);
    let _ = mailfino_sf::http::redact_body(&text);
});
