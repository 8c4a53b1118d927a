//! The loopback listener's request line: method and URL with its query.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&m, rest)) = data.split_first() else { return };
    let method = [tiny_http::Method::Get, tiny_http::Method::Head, tiny_http::Method::Options, tiny_http::Method::Post][m as usize % 4].clone();
    let _ = mailfino_sf::loopback::classify(&method, &String::from_utf8_lossy(rest), "/callback");
});
