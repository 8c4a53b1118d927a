//! The emulator against the reference's facts, table-driven, over real HTTP.

use base64::Engine;
use mailfino_sf_emulator::{Emulator, EmulatorConfig, PreLoginErrors, RevokeErrors};
use reqwest::blocking::{Client, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::*;

const CB: &str = "http://localhost:8717/callback";

fn client() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn emu(tweak: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut cfg = EmulatorConfig { callbacks: vec![CB.into()], auto_approve: true, ..Default::default() };
    tweak(&mut cfg);
    Emulator::start(cfg).unwrap()
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn authorize(e: &Emulator, pairs: &[(&str, &str)]) -> Response {
    let url = reqwest::Url::parse_with_params(&format!("{}/services/oauth2/authorize", e.url()), pairs).unwrap();
    client().get(url).send().unwrap()
}

fn location(r: &Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

fn param(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Runs the authorize step and returns the code from the callback redirect.
fn code_for(e: &Emulator, verifier: &str, scope: Option<&str>) -> String {
    let ch = challenge(verifier);
    let id = e.client_id();
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", id.as_str()),
        ("redirect_uri", CB),
        ("code_challenge", &ch),
        ("code_challenge_method", "S256"),
        ("state", "st"),
    ];
    if let Some(s) = scope {
        pairs.push(("scope", s));
    }
    let r = authorize(e, &pairs);
    let loc = location(&r);
    assert!(loc.starts_with(CB), "{loc}");
    assert!(loc.contains("%3D%3D"), "the code arrives %-encoded: {loc}");
    assert_eq!(param(&loc, "state").as_deref(), Some("st"));
    param(&loc, "code").unwrap()
}

fn token(e: &Emulator, form: &[(&str, &str)]) -> (u16, Value) {
    let r = client().post(format!("{}/services/oauth2/token", e.url())).form(form).send().unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

fn exchange(e: &Emulator, code: &str, verifier: &str) -> (u16, Value) {
    let (id, secret) = (e.client_id(), e.client_secret());
    token(
        e,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", &id),
            ("client_secret", &secret),
            ("redirect_uri", CB),
            ("code_verifier", verifier),
        ],
    )
}

fn refresh(e: &Emulator, rt: &str) -> (u16, Value) {
    let (id, secret) = (e.client_id(), e.client_secret());
    token(e, &[("grant_type", "refresh_token"), ("refresh_token", rt), ("client_id", &id), ("client_secret", &secret)])
}

fn assert_error(got: (u16, Value), error: &str, description: &str) {
    assert_eq!(got.0, 400, "{:?}", got.1);
    assert_eq!(got.1["error"], error, "{:?}", got.1);
    assert_eq!(got.1["error_description"], description, "{:?}", got.1);
}

const V: &str = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz_ABC";

/// Before any login, an unknown client id or an unregistered redirect URI is answered on the
/// authorize URL itself, never the callback: by default as a bare text/plain HTTP 400 body with
/// `%20` (reference 1.18, 1.19), with `PreLoginErrors::Page` as a redirect to the error page.
#[test]
fn pre_login_errors_in_both_forms_never_reach_the_callback() {
    for form in [PreLoginErrors::Text, PreLoginErrors::Page] {
        let e = emu(|c| {
            c.auto_approve = false;
            c.pre_login_errors = form;
        });
        let id = e.client_id();
        let ch = challenge(V);
        let cases: [(&str, &str, &str, &str); 2] = [
            ("wrong-id", CB, "invalid_client_id", "client identifier invalid"),
            (&id, "http://localhost:9999/other", "redirect_uri_mismatch", "redirect_uri must match configuration"),
        ];
        for (client_id, redirect, error, description) in cases {
            let r = authorize(
                &e,
                &[
                    ("response_type", "code"),
                    ("client_id", client_id),
                    ("redirect_uri", redirect),
                    ("code_challenge", &ch),
                    ("code_challenge_method", "S256"),
                ],
            );
            match form {
                PreLoginErrors::Text => {
                    assert_eq!(r.status().as_u16(), 400);
                    assert!(location(&r).is_empty());
                    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
                    let want = format!("error={error}&error_description={}", description.replace(' ', "%20"));
                    assert_eq!(r.text().unwrap(), want);
                }
                PreLoginErrors::Page => {
                    assert_eq!(r.status().as_u16(), 302);
                    let loc = location(&r);
                    assert!(loc.contains("/setup/secur/RemoteAccessErrorPage.apexp?"), "{loc}");
                    assert!(!loc.starts_with(redirect), "never to the callback: {loc}");
                    assert_eq!(param(&loc, "error").as_deref(), Some(error));
                    assert_eq!(param(&loc, "error_description").as_deref(), Some(description));
                    let page = client().get(&loc).send().unwrap().text().unwrap();
                    assert!(page.contains("We can't authorize you because of an OAuth error"));
                }
            }
        }
        // A known app and callback: on to the login page (startURL), which shows the consent page.
        let r = authorize(
            &e,
            &[
                ("response_type", "code"),
                ("client_id", &id),
                ("redirect_uri", CB),
                ("code_challenge", &ch),
                ("code_challenge_method", "S256"),
            ],
        );
        assert_eq!(r.status().as_u16(), 302);
        let loc = location(&r);
        assert!(param(&loc, "startURL").unwrap().contains("RemoteAccessAuthorizationPage.apexp?source="), "{loc}");
        let page = client().get(&loc).send().unwrap().text().unwrap();
        assert!(page.contains("Allow") && page.contains("Deny"));
    }
}

/// Follows the emulator's redirects from `url` to its consent page, answers it with `action`
/// (`allow` or `deny`) and returns where the decision redirects the browser.
fn decide(url: &str, action: &str) -> String {
    let mut current = url.to_string();
    let page = loop {
        let r = client().get(&current).send().unwrap();
        if r.status().is_redirection() {
            let next = location(&r);
            current = reqwest::Url::parse(&current).unwrap().join(&next).unwrap().to_string();
            continue;
        }
        assert_eq!(r.status().as_u16(), 200, "{current}");
        break r.text().unwrap();
    };
    let marker = "name=\"id\" value=\"";
    let start = page.find(marker).expect("a consent page") + marker.len();
    let id = &page[start..start + page[start..].find('"').unwrap()];
    let decision = reqwest::Url::parse(&current).unwrap().join("/services/oauth2/authorize/decision").unwrap();
    let r = client().post(decision).form(&[("id", id), ("action", action)]).send().unwrap();
    assert_eq!(r.status().as_u16(), 302);
    location(&r)
}

#[test]
fn consent_page_allow_and_deny() {
    let e = emu(|c| c.auto_approve = false);
    let id = e.client_id();
    let ch = challenge(V);
    let url = reqwest::Url::parse_with_params(
        &format!("{}/services/oauth2/authorize", e.url()),
        &[("response_type", "code"), ("client_id", &*id), ("redirect_uri", CB), ("code_challenge", &*ch), ("state", "s1")],
    )
    .unwrap();
    // Deny: back to the callback with access_denied and the state, no code, no token request.
    let denied = decide(url.as_str(), "deny");
    assert!(denied.starts_with(&format!("{CB}?")), "{denied}");
    assert_eq!(param(&denied, "error").as_deref(), Some("access_denied"), "{denied}");
    assert_eq!(param(&denied, "state").as_deref(), Some("s1"));
    assert_eq!(param(&denied, "code"), None);
    assert!(e.log().iter().all(|r| r.path != "/services/oauth2/token"));
    // Allow: back to the callback with a code (and the state) that the token endpoint accepts.
    let allowed = decide(url.as_str(), "allow");
    assert!(allowed.starts_with(&format!("{CB}?")), "{allowed}");
    assert_eq!(param(&allowed, "error"), None, "{allowed}");
    assert_eq!(param(&allowed, "state").as_deref(), Some("s1"));
    let code = param(&allowed, "code").expect("a code");
    let (status, body) = exchange(&e, &code, V);
    assert_eq!(status, 200, "{body}");
    assert!(body["refresh_token"].is_string(), "{body}");
    assert_eq!(e.requests_to("/services/oauth2/authorize/decision").len(), 2);
}

#[test]
fn scope_rules() {
    // A requested scope the app lacks ends on the error page after the login, never the callback.
    let e = emu(|c| c.scopes = vec!["api".into(), "refresh_token".into()]);
    let id = e.client_id();
    let ch = challenge(V);
    let r = authorize(
        &e,
        &[("response_type", "code"), ("client_id", &id), ("redirect_uri", CB), ("code_challenge", &ch), ("scope", "api web")],
    );
    let loc = location(&r);
    assert_eq!(param(&loc, "error").as_deref(), Some("invalid_scope"), "{loc}");
    assert_eq!(param(&loc, "error_description").as_deref(), Some("the requested scope is not allowed"));
    // No scope parameter grants all of the app's scopes, with a refresh token.
    let code = code_for(&e, V, None);
    let (status, body) = exchange(&e, &code, V);
    assert_eq!(status, 200);
    assert_eq!(body["scope"], "api refresh_token");
    assert!(body["refresh_token"].is_string());
    // `full` alone gives no refresh token.
    let e = emu(|c| c.scopes = vec!["full".into()]);
    let code = code_for(&e, V, None);
    let (status, body) = exchange(&e, &code, V);
    assert_eq!(status, 200);
    assert!(body.get("refresh_token").is_none(), "{body}");
}

#[test]
fn token_response_has_salesforces_shape() {
    let e = emu(|_| {});
    let code = code_for(&e, V, Some("api refresh_token"));
    let (status, body) = exchange(&e, &code, V);
    assert_eq!(status, 200, "{body}");
    for field in ["access_token", "refresh_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"] {
        assert!(body.get(field).is_some(), "missing {field}: {body}");
    }
    assert!(body.get("expires_in").is_none());
    assert_eq!(body["token_type"], "Bearer");
    let issued: u64 = body["issued_at"].as_str().unwrap().parse().unwrap();
    assert!(issued > 1_600_000_000_000, "issued_at is in milliseconds");
    assert!(body["id"].as_str().unwrap().contains("/id/00D"));
}

#[test]
fn token_endpoint_errors_use_salesforces_strings() {
    let e = emu(|_| {});
    let (id, secret) = (e.client_id(), e.client_secret());
    let code = code_for(&e, V, None);
    // wrong client id, wrong secret, Basic auth at the code exchange, bad grant type
    assert_error(
        token(
            &e,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", "nope"),
                ("client_secret", &secret),
                ("redirect_uri", CB),
                ("code_verifier", V),
            ],
        ),
        "invalid_client_id",
        "client identifier invalid",
    );
    assert_error(
        token(
            &e,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &id),
                ("client_secret", "wrong"),
                ("redirect_uri", CB),
                ("code_verifier", V),
            ],
        ),
        "invalid_client",
        "invalid client credentials",
    );
    let basic = client()
        .post(format!("{}/services/oauth2/token", e.url()))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "authorization_code"), ("code", &*code), ("redirect_uri", CB), ("code_verifier", V)])
        .send()
        .unwrap();
    assert_eq!(basic.status().as_u16(), 400);
    assert_eq!(basic.json::<Value>().unwrap()["error"], "invalid_client_id");
    assert_error(token(&e, &[("grant_type", "password"), ("client_id", &id)]), "unsupported_grant_type", "grant type not supported");
    // The code is still unused: none of the above reached the code check.
    let (status, _) = exchange(&e, &code, V);
    assert_eq!(status, 200);
}

#[test]
fn codes_are_single_use_and_pkce_is_checked() {
    let e = emu(|_| {});
    let (id, secret) = (e.client_id(), e.client_secret());
    let code = code_for(&e, V, None);
    assert_eq!(exchange(&e, &code, V).0, 200);
    assert_error(exchange(&e, &code, V), "invalid_grant", "expired authorization code");
    // wrong verifier
    let code = code_for(&e, V, None);
    assert_error(exchange(&e, &code, "another-verifier-0123456789-abcdefghijklmnopq"), "invalid_grant", "invalid code verifier");
    // a verifier with '~' is rejected even when it matches (Salesforce's quirk)
    let tilde = "tilde~verifier-0123456789-abcdefghijklmnopqrstuv";
    let code = code_for(&e, tilde, None);
    assert_error(exchange(&e, &code, tilde), "invalid_grant", "invalid code verifier");
    // missing verifier
    let code = code_for(&e, V, None);
    assert_error(
        token(
            &e,
            &[("grant_type", "authorization_code"), ("code", &code), ("client_id", &id), ("client_secret", &secret), ("redirect_uri", CB)],
        ),
        "invalid_grant",
        "invalid code verifier",
    );
    // redirect_uri must match the one of the authorize step
    let code = code_for(&e, V, None);
    assert_error(
        token(
            &e,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &id),
                ("client_secret", &secret),
                ("redirect_uri", "http://localhost:8717/other"),
                ("code_verifier", V),
            ],
        ),
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    );
    // PKCE required: an authorize request without a challenge never gets a code; the error goes
    // to the callback (reference 9.3)
    let r = authorize(&e, &[("response_type", "code"), ("client_id", &id), ("redirect_uri", CB), ("state", "s9")]);
    let loc = location(&r);
    assert!(loc.starts_with(CB), "{loc}");
    assert_eq!(param(&loc, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(&loc, "error_description").as_deref(), Some("missing required code challenge"));
    assert!(loc.contains("missing+required+code+challenge"), "{loc}");
    assert_eq!(param(&loc, "state").as_deref(), Some("s9"));
    assert!(param(&loc, "code").is_none());
}

#[test]
fn rotation_kills_the_old_token_and_reuse_revokes_the_chain() {
    let e = emu(|c| c.rotate_refresh_tokens = true);
    let code = code_for(&e, V, None);
    let rt1 = exchange(&e, &code, V).1["refresh_token"].as_str().unwrap().to_string();
    let (s, body) = refresh(&e, &rt1);
    assert_eq!(s, 200);
    let rt2 = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    let (s, body) = refresh(&e, &rt2);
    assert_eq!(s, 200);
    let rt3 = body["refresh_token"].as_str().unwrap().to_string();
    // reuse of rt1 fails and revokes rt3, the current one
    assert_error(refresh(&e, &rt1), "invalid_grant", "expired access/refresh token");
    assert_error(refresh(&e, &rt3), "invalid_grant", "expired access/refresh token");

    // without rotation the refresh answer has no refresh token and the old one lives on
    let e = emu(|_| {});
    let code = code_for(&e, V, None);
    let rt = exchange(&e, &code, V).1["refresh_token"].as_str().unwrap().to_string();
    for _ in 0..3 {
        let (s, body) = refresh(&e, &rt);
        assert_eq!(s, 200);
        assert!(body.get("refresh_token").is_none());
    }
}

#[test]
fn revoke_introspect_userinfo_and_data() {
    let e = emu(|_| {});
    let (id, secret) = (e.client_id(), e.client_secret());
    let code = code_for(&e, V, None);
    let body = exchange(&e, &code, V).1;
    let (at, rt) = (body["access_token"].as_str().unwrap().to_string(), body["refresh_token"].as_str().unwrap().to_string());
    let c = client();
    let intro = |token: &str| -> Value {
        c.post(format!("{}/services/oauth2/introspect", e.url()))
            .form(&[("token", token), ("token_type_hint", "refresh_token"), ("client_id", &id), ("client_secret", &secret)])
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(intro(&rt)["active"], true);
    assert_eq!(intro(&rt)["scope"], "api refresh_token offline_access");
    assert_eq!(intro("garbage")["active"], false);
    let ui: Value = c.get(format!("{}/services/oauth2/userinfo", e.url())).bearer_auth(&at).send().unwrap().json().unwrap();
    assert_eq!(ui["preferred_username"], mailfino_sf_emulator::USERNAME);
    let versions: Value = c.get(format!("{}/services/data/", e.url())).send().unwrap().json().unwrap();
    assert!(versions.as_array().unwrap().len() >= 2);
    let r = c.get(format!("{}/services/data/v62.0/limits", e.url())).bearer_auth(&at).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("sforce-limit-info").is_some());
    let r = c.get(format!("{}/services/data/v62.0/", e.url())).bearer_auth("bogus").send().unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.json::<Value>().unwrap()[0]["errorCode"], "INVALID_SESSION_ID");
    // revoke the refresh token: it and its access tokens die
    let r = c.post(format!("{}/services/oauth2/revoke", e.url())).form(&[("token", &*rt)]).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_error(refresh(&e, &rt), "invalid_grant", "expired access/refresh token");
    assert_eq!(c.get(format!("{}/services/data/v62.0/", e.url())).bearer_auth(&at).send().unwrap().status().as_u16(), 401);
    let r = c.post(format!("{}/services/oauth2/revoke", e.url())).form(&[("token", &*rt)]).send().unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/x-www-form-urlencoded"));
    assert_eq!(r.text().unwrap(), "error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported");
    let json = emu(|c| c.revoke_errors = RevokeErrors::Json);
    let r = c.post(format!("{}/services/oauth2/revoke", json.url())).form(&[("token", "unknown")]).send().unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error"], "unsupported_token_type");
    let oidc: Value = c.get(format!("{}/.well-known/openid-configuration", e.url())).send().unwrap().json().unwrap();
    assert_eq!(oidc["token_endpoint"], format!("{}/services/oauth2/token", e.url()));
    assert!(oidc.get("code_challenge_methods_supported").is_none());
}

#[test]
fn faults_and_propagation() {
    let e = emu(|c| {
        c.fail_token = 1;
        c.propagation = 1;
    });
    let id = e.client_id();
    let r = authorize(&e, &[("response_type", "code"), ("client_id", &id), ("redirect_uri", CB), ("code_challenge", "x")]);
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().unwrap().starts_with("error=invalid_client_id&"), "unknown while propagating");
    let r = client().post(format!("{}/services/oauth2/token", e.url())).form(&[("grant_type", "refresh_token")]).send().unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("html"));
    let code = code_for(&e, V, None);
    assert_eq!(exchange(&e, &code, V).0, 200);
}

#[test]
fn the_emulator_command_prints_its_address_first() {
    use std::io::BufRead;
    let env = Env::new();
    let mut child = spawn(env.std_cmd().args(["emulator", "--port", "0", "--callback", CB]).stdout(std::process::Stdio::piped()));
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let rest: Vec<String> = lines.by_ref().take(2).map(|l| l.unwrap()).collect();
    assert!(first.starts_with("listening on http://127.0.0.1:"), "{first}");
    let url = first.trim_start_matches("listening on ");
    assert!(rest[0].contains("client id:") && rest[0].contains("3MVG9") && rest[0].contains("(generated)"), "{rest:?}");
    assert!(rest[1].contains("client secret:"), "{rest:?}");
    // It was serving at that address: the discovery document names its own token endpoint.
    let doc: Value = client().get(format!("{url}/.well-known/openid-configuration")).send().unwrap().json().unwrap();
    assert_eq!(doc["token_endpoint"], format!("{url}/services/oauth2/token"));
    child.kill().unwrap();
    let _ = child.wait();
}

/// Fresh connections arriving together are all served (the HTTP server the emulator once used,
/// tiny_http 0.12, queued two of them for one worker). Reproduced about once in 300 bursts before
/// the fix.
#[test]
fn emulator_never_stalls_under_concurrent_fresh_connections() {
    for round in 0..60 {
        let e = Emulator::start(EmulatorConfig {
            callbacks: vec!["http://localhost:1/cb".into(), "https://x/cb".into()],
            auto_approve: true,
            ..Default::default()
        })
        .unwrap();
        let id = e.client_id();
        for sub in 0..3 {
            let c = reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(3))
                .build()
                .unwrap();
            std::thread::scope(|s| {
                let hs: Vec<_> = ["http://localhost:1/cb", "https://x/cb", "", "", "", ""]
                    .iter()
                    .enumerate()
                    .map(|(i, cb)| {
                        let c = c.clone();
                        let id = id.clone();
                        let url = e.url().to_string();
                        s.spawn(move || {
                            let r = if cb.is_empty() {
                                if i == 2 {
                                    c.get(format!("{url}/.well-known/openid-configuration")).send()
                                } else {
                                    c.post(format!("{url}/services/oauth2/token"))
                                        .form(&[
                                            ("grant_type", "authorization_code"),
                                            ("code", "x"),
                                            ("client_id", &*id),
                                            ("client_secret", "s"),
                                        ])
                                        .send()
                                }
                            } else {
                                c.get(format!(
                                    "{url}/services/oauth2/authorize?response_type=code&client_id={id}&redirect_uri={cb}&code_challenge=x"
                                ))
                                .send()
                            };
                            r.map(|r| r.status().as_u16()).map_err(|e| format!("round {round}/{sub} req {i}: {e}"))
                        })
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap().unwrap();
                }
            });
            // sequential follow-ups on the pooled connections
            for _ in 0..2 {
                c.get(format!("{}/services/data/", e.url())).send().unwrap();
            }
        }
    }
}

/// Five approvals per user and app: a sixth code exchange revokes the oldest chain; a rotation
/// keeps its approval (reference 9.2).
#[test]
fn five_approvals_per_user_and_app() {
    let e = emu(|c| c.rotate_refresh_tokens = true);
    let mut tokens = Vec::new();
    for _ in 0..5 {
        let code = code_for(&e, V, None);
        tokens.push(exchange(&e, &code, V).1["refresh_token"].as_str().unwrap().to_string());
    }
    // rotating the oldest keeps its approval (and it stays the oldest)
    let rotated = refresh(&e, &tokens[0]).1["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(e.state().active_refresh_tokens(), 5);
    let code = code_for(&e, V, None);
    let sixth = exchange(&e, &code, V).1["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(e.state().active_refresh_tokens(), 5);
    assert_error(refresh(&e, &rotated), "invalid_grant", "expired access/refresh token");
    for t in tokens[1..].iter().chain([&sixth]) {
        assert_eq!(refresh(&e, t).0, 200);
    }
}
