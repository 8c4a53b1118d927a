//! mailfino's env file merge: never panics, keeps foreign lines, is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailfino_sf::store::envfile::merge;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pairs = [("MAILFINO_SALESFORCE_CLIENT_ID", "3MVG9abc"), ("MAILFINO_SALESFORCE_CLIENT_SECRET", "a b'c")];
    let once = merge(&text, &pairs);
    assert_eq!(merge(&once, &pairs), once);
    assert_eq!(once.matches("MAILFINO_SALESFORCE_CLIENT_ID=").count(), 1);
});
