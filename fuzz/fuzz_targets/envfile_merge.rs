//! mailfino's env file merge: never panics, is idempotent, and leaves exactly one line that
//! assigns each of our keys.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailfino_sf::store::envfile::{assigned_key, merge};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pairs = [("MAILFINO_SALESFORCE_CLIENT_ID", "3MVG9abc"), ("MAILFINO_SALESFORCE_CLIENT_SECRET", "a b'c")];
    let once = merge(&text, &pairs);
    assert_eq!(merge(&once, &pairs), once);
    for (key, _) in pairs {
        assert_eq!(once.split('\n').filter(|l| assigned_key(l) == Some(key)).count(), 1, "{key}");
    }
});
