//! What an admin pastes at the login prompt: a callback URL, an error page URL, or a code.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mailfino_sf::loopback::parse_pasted(&String::from_utf8_lossy(data));
});
