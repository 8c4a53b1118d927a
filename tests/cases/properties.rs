//! Property tests for every parser of outside input: none may panic, and the env file merge keeps
//! every foreign line byte for byte. (The same parsers have cargo-fuzz targets under `fuzz/`.)

use mailfino_sf::loopback::{classify, parse_pasted};
use mailfino_sf::salesforce::answers::{classify_authorize, error_in_body, error_in_text, AuthorizeAnswer, FoundError};
use mailfino_sf::salesforce::types::{OAuthError, TokenResponse};
use mailfino_sf::salesforce::values;
use mailfino_sf::store::{config, envfile};
use proptest::prelude::*;

fn key() -> impl Strategy<Value = String> {
    prop_oneof![Just("MAILFINO_SALESFORCE_CLIENT_ID".to_string()), Just("MAILFINO_SALESFORCE_CLIENT_SECRET".to_string()), "[A-Z_]{1,12}"]
}

/// A line of an env file that is not one of our keys (comments, blanks, other keys, junk).
fn foreign_line() -> impl Strategy<Value = String> {
    prop_oneof!["#[ -~]{0,30}", Just(String::new()), "(export )?[A-Z][A-Z0-9_]{0,10}=[ -~]{0,20}", "[ -~]{0,40}", "\\PC{0,20}",]
        .prop_filter("not one of ours", |l| !l.trim_start().trim_start_matches("export ").trim_start().starts_with("MAILFINO_SALESFORCE_"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn env_merge_keeps_foreign_lines_byte_for_byte(lines in prop::collection::vec(foreign_line(), 0..12), crlf in any::<bool>(), value in "[ -~]{0,30}") {
        let nl = if crlf { "\r\n" } else { "\n" };
        let existing: String = lines.iter().map(|l| format!("{l}{nl}")).collect();
        let pairs = [("MAILFINO_SALESFORCE_CLIENT_ID", value.as_str()), ("MAILFINO_SALESFORCE_LOGIN_URL", "https://login.salesforce.com")];
        let merged = envfile::merge(&existing, &pairs);
        prop_assert!(merged.starts_with(&existing), "foreign lines kept in place");
        prop_assert_eq!(merged.matches("MAILFINO_SALESFORCE_CLIENT_ID=").count(), 1);
        let keys = ["MAILFINO_SALESFORCE_CLIENT_ID", "MAILFINO_SALESFORCE_LOGIN_URL"];
        let written: Vec<_> = pairs.iter().map(|(k, v)| (*k, Ok(v.to_string()))).collect();
        prop_assert_eq!(envfile::values(&merged, &keys), written, "both values read back");
        prop_assert_eq!(envfile::merge(&merged, &pairs), merged.clone(), "idempotent");
    }

    #[test]
    fn env_merge_never_panics_and_never_doubles(text in "\\PC{0,300}", k in key(), v in "\\PC{0,20}") {
        let merged = envfile::merge(&text, &[(k.as_str(), v.as_str())]);
        let again = envfile::merge(&merged, &[(k.as_str(), v.as_str())]);
        prop_assert_eq!(&again, &merged);
        prop_assert_eq!(merged.split('\n').filter(|l| envfile::assigned_key(l) == Some(k.as_str())).count(), 1);
    }

    #[test]
    fn env_values_read_back_what_was_written(lines in prop::collection::vec(foreign_line(), 0..6), value in "[ -~]{0,40}") {
        // What setup writes, a shell or dotenv reader (and `verify`) reads back unchanged.
        let pairs = [("MAILFINO_SALESFORCE_CLIENT_SECRET", value.as_str())];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let merged = envfile::merge(&text, &pairs);
        let read = envfile::values(&merged, &["MAILFINO_SALESFORCE_CLIENT_SECRET"]);
        prop_assert_eq!(read, vec![("MAILFINO_SALESFORCE_CLIENT_SECRET", Ok(value.clone()))]);
    }

    #[test]
    fn env_values_never_panic(text in "\\PC{0,300}") {
        let _ = envfile::values(&text, &["A", "MAILFINO_SALESFORCE_CLIENT_ID"]);
    }

    #[test]
    fn token_and_error_json_never_panic(body in prop::collection::vec(any::<u8>(), 0..400), status in 100u16..600) {
        let text = String::from_utf8_lossy(&body);
        let _ = TokenResponse::parse(&text);
        let _ = OAuthError::parse(status, &text);
    }

    #[test]
    fn token_json_with_wrong_types_and_extra_fields(access in prop::option::of("\\PC{0,10}"), issued in prop_oneof![Just(serde_json::json!(null)), Just(serde_json::json!("12")), Just(serde_json::json!(-5)), Just(serde_json::json!(1.5)), Just(serde_json::json!([1]))], extra in "\\PC{0,10}") {
        let mut v = serde_json::json!({"issued_at": issued, "scope": 5, "id": {"x": 1}, "extra": extra});
        if let Some(a) = &access {
            v["access_token"] = serde_json::json!(a);
        }
        let parsed = TokenResponse::parse(&v.to_string());
        prop_assert_eq!(parsed.is_ok(), access.as_deref().is_some_and(|a| !a.is_empty()));
    }

    #[test]
    fn pasted_input_never_panics(s in "\\PC{0,200}") {
        let _ = parse_pasted(&s);
    }

    #[test]
    fn pasted_callback_round_trips_the_code(code in "[A-Za-z0-9+/]{4,40}={0,2}", state in "[A-Za-z0-9_-]{22}") {
        let url = format!("http://localhost:8717/callback?code={}&state={state}", url::form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>());
        match parse_pasted(&url).unwrap() {
            mailfino_sf::loopback::Pasted::Callback { code: Some(c), state: Some(s), .. } => {
                prop_assert_eq!(c, code);
                prop_assert_eq!(s, state);
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn request_lines_never_panic(url in "\\PC{0,200}", m in 0usize..4) {
        use mailfino_sf::loopback::Method;
        let method = [Method::Get, Method::Head, Method::Options, Method::Post][m];
        let _ = classify(&method, &url, "/callback");
    }

    /// Any bytes a local peer sends: the head parser never panics, and what it accepts is one
    /// line of method, target and version within the size caps.
    #[test]
    fn request_heads_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), junk in "[ -~]{0,40}") {
        use mailfino_sf::loopback::{parse_head, Head};
        let _ = parse_head(&bytes);
        let text = format!("GET /callback?{junk} HTTP/1.1\r\nHost: x\r\n\r\n");
        match parse_head(text.as_bytes()) {
            Head::Complete(_, target) => prop_assert!(target.starts_with("/callback?")),
            Head::Refused(400) => prop_assert!(junk.contains(' ')),
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn authorize_answers_never_panic(body in "\\PC{0,300}", status in 100u16..600, loc in prop::option::of("\\PC{0,120}")) {
        let _ = error_in_body(&body);
        let _ = error_in_text(&body);
        let _ = classify_authorize(status, loc.as_deref(), &body, "https://acme.my.salesforce.com", "http://localhost:8717/callback");
    }

    /// Salesforce's error is found in every form it takes: `%20` or `+`, bare, in `<pre>` with
    /// `&amp;`, inside other text, in any status (reference 1.18, 1.19, 9.1).
    #[test]
    fn an_error_is_found_in_every_form(code in "[a-z][a-z_]{2,20}", desc in "[a-zA-Z0-9 ]{0,30}", plus in any::<bool>(), wrap in 0usize..4, status in 200u16..500) {
        let enc: String = url::form_urlencoded::byte_serialize(desc.as_bytes()).collect();
        let enc = if plus { enc } else { enc.replace('+', "%20") };
        let bare = format!("error={code}&error_description={enc}");
        let body = match wrap {
            0 => bare,
            1 => format!("<html><body><pre style=\"word-wrap: break-word\">{}</pre></body></html>", bare.replace('&', "&amp;")),
            2 => format!("Salesforce says {bare} here"),
            _ => serde_json::json!({"error": code, "error_description": desc}).to_string(),
        };
        let want = FoundError { error: code.clone(), description: desc.clone() };
        prop_assert_eq!(error_in_body(&body), Some(want.clone()));
        let answer = classify_authorize(status, None, &body, "https://acme.my.salesforce.com", "http://localhost:8717/callback");
        prop_assert_eq!(answer, AuthorizeAnswer::Error(want));
    }

    /// Without a redirect and without a login form, nothing is read as acceptance.
    #[test]
    fn no_acceptance_without_evidence(body in "[^<]{0,200}", status in 100u16..600) {
        let answer = classify_authorize(status, None, &body, "https://acme.my.salesforce.com", "http://localhost:8717/callback");
        prop_assert!(!matches!(answer, AuthorizeAnswer::LoginPage | AuthorizeAnswer::Callback { .. }), "{answer:?}");
    }

    #[test]
    fn config_toml_never_panics(text in "\\PC{0,300}") {
        let _ = config::parse(&text);
    }

    #[test]
    fn value_checks_never_panic(s in "\\PC{0,120}") {
        let _ = values::login_url(&s);
        let _ = values::mailfino_callback(Some(&s));
        let _ = values::check_callback(&s);
        let _ = values::redirect_uri(&s);
        let _ = values::client_id(&s);
        let _ = values::client_secret(&s);
    }
}

#[test]
fn a_huge_token_response_is_parsed_without_trouble() {
    let body = format!("{{\"access_token\":\"a\",\"junk\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    assert!(TokenResponse::parse(&body).is_ok());
    let deep = "[".repeat(100_000);
    assert!(TokenResponse::parse(&deep).is_err());
}

/// Found by the `envfile_merge` fuzz target: a junk line that merely contains our key is kept,
/// and exactly one line assigns the key.
#[test]
fn env_merge_keeps_a_junk_line_that_contains_our_key() {
    let merged = envfile::merge("\0 \x0bMAILFINO_SALESFORCE_CLIENT_ID==", &[("MAILFINO_SALESFORCE_CLIENT_ID", "x")]);
    assert_eq!(merged, "\0 \x0bMAILFINO_SALESFORCE_CLIENT_ID==\nMAILFINO_SALESFORCE_CLIENT_ID=x\n");
    assert_eq!(merged.split('\n').filter(|l| envfile::assigned_key(l) == Some("MAILFINO_SALESFORCE_CLIENT_ID")).count(), 1);
}
