//! The loopback listener's request head (what any local peer can send) and the classification
//! of its method and URL.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mailfino_sf::loopback::{classify, parse_head, Head};

fuzz_target!(|data: &[u8]| {
    if let Head::Complete(method, target) = parse_head(data) {
        let _ = classify(&method, &target, "/callback");
    }
});
