//! In-process costs of the hot parts: value checks, the authorize URL, token JSON, the env file
//! merge, the pasted-address parser, the `-v` redaction and Salesforce's answer classifier. Whole-command timings (start-up,
//! verify, refresh, login) come from `scripts/bench`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use mailfino_sf::http::redact_body;
use mailfino_sf::loopback::parse_pasted;
use mailfino_sf::oauth::authorize_request;
use mailfino_sf::salesforce::answers::{classify_authorize, error_in_body};
use mailfino_sf::salesforce::types::TokenResponse;
use mailfino_sf::salesforce::values;
use mailfino_sf::store::envfile;

const TOKEN: &str = r#"{"access_token":"00D5g000004EmuL!AQ8AQHz3k5d2Vx9KqP0wFzNn1wGd7Ux8rVdq3nB5s","refresh_token":"5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrFuNB0F8SFkYjXtsLa8wLjzQZ5bU_1dNw","signature":"K4e4m2rDq1b5qN3bq8hQy3pDgQ1wq9kQm1x2c3v4b5n=","scope":"refresh_token api","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D5g000004EmuLEAS/0055g00000EmuUsAAA","token_type":"Bearer","issued_at":"1708058728442"}"#;

fn benches(c: &mut Criterion) {
    c.bench_function("values::login_url", |b| b.iter(|| values::login_url(black_box("acme--dev.sandbox.my.salesforce.com"))));
    c.bench_function("values::client_id", |b| {
        let key = format!("3MVG9{}", "a".repeat(80));
        b.iter(|| values::client_id(black_box(&key)))
    });
    c.bench_function("oauth::authorize_request", |b| {
        b.iter(|| authorize_request(black_box("https://login.salesforce.com"), "3MVG9key", "http://localhost:8717/callback", None))
    });
    c.bench_function("TokenResponse::parse", |b| b.iter(|| TokenResponse::parse(black_box(TOKEN))));
    c.bench_function("http::redact_body", |b| b.iter(|| redact_body(black_box(TOKEN))));
    c.bench_function("loopback::parse_pasted", |b| {
        b.iter(|| parse_pasted(black_box("http://localhost:8717/callback?code=aPrxk3Vd%2Bq9%3D%3D&state=AbCdEfGhIjKlMnOpQrStUv")))
    });
    c.bench_function("answers::classify_authorize (text error)", |b| {
        b.iter(|| {
            classify_authorize(
                400,
                None,
                black_box("error=invalid_client_id&error_description=client%20identifier%20invalid"),
                "https://acme.my.salesforce.com",
                "http://localhost:8717/callback",
            )
        })
    });
    let page = format!("<html><body>{}</body></html>", "<p>Welcome to our portal, nothing to see.</p>".repeat(2000));
    c.bench_function("answers::error_in_body (90 KiB page, none)", |b| b.iter(|| error_in_body(black_box(&page))));
    let hostile = "error=".repeat(170_000);
    c.bench_function("answers::error_in_body (1 MiB of error=)", |b| b.iter(|| error_in_body(black_box(&hostile))));
    let hostile_keys = "&error=".repeat(150_000);
    c.bench_function("answers::error_in_body (1 MiB of &error=)", |b| b.iter(|| error_in_body(black_box(&hostile_keys))));
    let hostile_pairs = "&error=&error_description=x".repeat(40_000);
    c.bench_function("answers::error_in_body (1 MiB of empty errors with descriptions)", |b| {
        b.iter(|| error_in_body(black_box(&hostile_pairs)))
    });
    let existing: String =
        (0..200).map(|i| format!("# comment {i}\nexport KEY_{i}=value-{i}\n")).collect::<String>() + "MAILFINO_SALESFORCE_CLIENT_ID=old\n";
    c.bench_function("envfile::merge (400 lines)", |b| {
        b.iter(|| {
            envfile::merge(
                black_box(&existing),
                &[
                    ("MAILFINO_SALESFORCE_CLIENT_ID", "3MVG9abc"),
                    ("MAILFINO_SALESFORCE_CLIENT_SECRET", "ABCDEF0123456789"),
                    ("MAILFINO_SALESFORCE_LOGIN_URL", "https://login.salesforce.com"),
                    ("MAILFINO_SALESFORCE_CALLBACK_URL", "https://app.mailfino.de/api/v6/integrations/oauth/salesforce/callback"),
                ],
            )
        })
    });
}

criterion_group!(group, benches);
criterion_main!(group);
