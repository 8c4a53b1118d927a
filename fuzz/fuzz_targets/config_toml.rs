//! config.toml as a hand-broken file: parse errors name a line, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mailfino_sf::store::config::parse(&String::from_utf8_lossy(data));
});
