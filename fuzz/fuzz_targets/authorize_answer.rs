//! Salesforce's answers to the authorize probe and its error bodies, in any form.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailfino_sf::salesforce::answers::{classify_authorize, error_in_body};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (loc, body) = text.split_once('\n').unwrap_or(("", &text));
    let _ = error_in_body(body);
    for status in [200, 302, 400] {
        let loc = (!loc.is_empty()).then_some(loc);
        let _ = classify_authorize(status, loc, body, "https://acme.my.salesforce.com", "http://localhost:8717/callback");
    }
});
