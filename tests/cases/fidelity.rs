//! Fidelity (issue 12): the checks read Salesforce's answers in every form it uses, pass only on
//! positive evidence, and the tool respects the five-approval limit. Each scenario runs through
//! the binary against the emulator in both answer forms (reference 1.18, 1.19, §9).

use std::io::Write;
use std::time::Duration;

use mailfino_sf_emulator::{PreLoginErrors, RevokeErrors};
use serde_json::Value;

use crate::support::*;

const FORMS: [PreLoginErrors; 2] = [PreLoginErrors::Text, PreLoginErrors::Page];

fn verify_json(env: &Env, vars: &[(String, String)]) -> (i32, Value) {
    let out = env.cmd().args(["verify", "--json"]).envs(vars.iter().cloned()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v)
}

fn check<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}: {v}"))
}

fn status<'a>(v: &'a Value, id: &str) -> &'a str {
    check(v, id)["status"].as_str().unwrap()
}

fn text(v: &Value, id: &str) -> String {
    format!("{} {}", check(v, id)["summary"].as_str().unwrap_or(""), check(v, id)["hint"].as_str().unwrap_or(""))
}

#[test]
fn a_wrong_key_fails_client_id_in_both_forms() {
    for form in FORMS {
        let f = fixture(|c| c.pre_login_errors = form);
        f.setup();
        f.emu.state().config.client_id = "3MVG9someone_else".into();
        let (code, v) = verify_json(&f.env, &[]);
        assert_eq!(code, 1, "{form:?}: {v}");
        assert_eq!(status(&v, "client_id"), "fail", "{form:?}: {v}");
        assert!(text(&v, "client_id").contains("invalid_client_id"), "{form:?}: {v}");
        assert!(text(&v, "client_id").contains("OAuth Settings → Consumer Key and Secret"), "{form:?}: {v}");
        assert_eq!(status(&v, "callback_registered"), "skip");
        assert_eq!(status(&v, "loopback_registered"), "skip");
    }
}

#[test]
fn a_missing_mailfino_callback_fails_callback_registered_in_both_forms() {
    for form in FORMS {
        let f = fixture(|c| c.pre_login_errors = form);
        f.setup();
        f.emu.state().config.callbacks.retain(|c| c != CLOUD_CALLBACK);
        let (code, v) = verify_json(&f.env, &[]);
        assert_eq!(code, 1, "{form:?}: {v}");
        assert_eq!(status(&v, "callback_registered"), "fail", "{form:?}: {v}");
        assert!(text(&v, "callback_registered").contains("redirect_uri_mismatch"), "{form:?}: {v}");
        assert!(text(&v, "callback_registered").contains(&format!("Callback URL: add `{CLOUD_CALLBACK}`")), "{form:?}: {v}");
        assert_eq!(status(&v, "client_id"), "pass", "{form:?}: {v}");
        assert_eq!(status(&v, "loopback_registered"), "pass", "{form:?}: {v}");
        // setup too refuses to call it done
        let out = f.setup_cmd().output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{form:?}: {}", all_output(&out));
    }
}

#[test]
fn a_just_saved_app_is_explained_as_propagation_in_both_forms() {
    for form in FORMS {
        let f = fixture(|c| {
            c.pre_login_errors = form;
            c.propagation = 10_000;
        });
        let out = f.setup_cmd().output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{form:?}: {}", all_output(&out));
        let err = stderr(&out);
        assert!(err.contains("invalid_client_id") && err.contains("30 minutes") && err.contains("--retry-for"), "{form:?}: {err}");
        let (_, v) = verify_json(&f.env, &[]);
        assert_eq!(status(&v, "client_id"), "fail");
        assert!(text(&v, "client_id").contains("up to 30 minutes"), "{form:?}: {v}");
        // once it has propagated, setup --retry-for waits it out
        f.emu.state().config.propagation = 4;
        let out = f.setup_cmd().args(["--retry-for", "60"]).output().unwrap();
        assert!(out.status.success(), "{form:?}: {}", all_output(&out));
    }
    // The wait is bounded by Salesforce's 30 minutes.
    let f = fixture(|_| {});
    let out = f.setup_cmd().args(["--retry-for", "1801"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(stderr(&out).contains("1801"), "{}", stderr(&out));
}

/// mailfino's own grant, obtained straight from the emulator as mailfino's server would.
fn mailfinos_grant(f: &Fixture) -> String {
    f.grant_directly(CLOUD_CALLBACK, None)
}

fn refresh_status(f: &Fixture, token: &str) -> u16 {
    let c = reqwest::blocking::Client::new();
    let (id, secret) = (f.emu.client_id(), f.emu.client_secret());
    let form = [("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", &id), ("client_secret", &secret)];
    c.post(format!("{}/services/oauth2/token", f.emu.url())).form(&form).send().unwrap().status().as_u16()
}

#[test]
fn six_logins_leave_mailfinos_earlier_grant_valid() {
    let f = fixture(|_| {});
    f.setup();
    let mailfino = mailfinos_grant(&f);
    let mut previous = None;
    for n in 0..6 {
        let out = f.login_cmd().output().unwrap();
        assert!(out.status.success(), "login {n}: {}", all_output(&out));
        let err = stderr(&out);
        assert_eq!(err.matches("five approvals").count(), 1, "said once: {err}");
        assert!(err.contains("mailfino's server uses this same app"), "{err}");
        if n > 0 {
            assert!(err.contains("previous refresh token was revoked"), "{err}");
        }
        let now = f.refresh_token().unwrap();
        if let Some(p) = previous.replace(now.clone()) {
            assert_eq!(refresh_status(&f, &p), 400, "the replaced token is revoked");
        }
    }
    // mailfino's grant and the profile's current one: nothing else holds an approval
    assert_eq!(f.emu.state().active_refresh_tokens(), 2);
    assert_eq!(refresh_status(&f, &mailfino), 200, "mailfino's grant survived six logins");
    assert_eq!(refresh_status(&f, &f.refresh_token().unwrap()), 200);
    // the JSON result says what happened to the previous token
    let out = f.login_cmd().arg("--json").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["previous_refresh_token"], "revoked", "{v}");
}

#[test]
fn logout_of_a_token_an_admin_revoked_exits_0_in_both_forms() {
    for form in [RevokeErrors::Form, RevokeErrors::Json] {
        let f = fixture(|c| c.revoke_errors = form);
        f.setup().login();
        f.emu.state().revoke_all();
        let out = f.env.cmd().arg("logout").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{form:?}: {}", all_output(&out));
        assert!(stdout(&out).contains("already invalid"), "{form:?}: {}", stdout(&out));
        assert!(f.refresh_token().is_none(), "{form:?}: the local token is gone");
        assert_eq!(f.emu.requests_to("/services/oauth2/revoke").last().unwrap().status, 400);
    }
}

/// A server that speaks like a Salesforce login host for discovery but answers the other
/// endpoints with the given raw responses.
fn odd_host(authorize: &'static str, token: &'static str, introspect: &'static str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let base = url.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let base = base.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = [0u8; 16384];
                let n = std::io::Read::read(&mut stream, &mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (ctype, body) = if path.starts_with("/.well-known/openid-configuration") {
                    let v = serde_json::json!({"issuer": base, "authorization_endpoint": format!("{base}/services/oauth2/authorize"), "token_endpoint": format!("{base}/services/oauth2/token")});
                    ("application/json", v.to_string())
                } else if path.starts_with("/services/oauth2/authorize") {
                    ("text/html", authorize.to_string())
                } else if path.starts_with("/services/oauth2/introspect") {
                    ("application/json", introspect.to_string())
                } else {
                    ("application/json", token.to_string())
                };
                let status = if body.contains("\"error\"") { "400 Bad Request" } else { "200 OK" };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            });
        }
    });
    url
}

fn env_vars(url: &str) -> Vec<(String, String)> {
    [
        ("MAILFINO_SF_LOGIN_URL", url),
        ("MAILFINO_SF_CLIENT_ID", "3MVG9fidelity_probe_key"),
        ("MAILFINO_SF_CLIENT_SECRET", &"A".repeat(64)),
        ("MAILFINO_SF_REFRESH_TOKEN", "5Aep-not-a-real-token"),
        ("MAILFINO_SF_REDIRECT_URI", "http://localhost:8717/callback"),
        ("MAILFINO_SF_HTTP_TIMEOUT", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

const GRANT: &str = r#"{"error":"invalid_grant","error_description":"expired authorization code"}"#;
const CLIENT: &str = r#"{"error":"invalid_client","error_description":"invalid client credentials"}"#;

#[test]
fn an_answer_nobody_can_classify_is_warn_never_pass() {
    let url = odd_host("<html><body><h1>Welcome to our portal</h1></body></html>", "<html>maintenance</html>", "<html>maintenance</html>");
    let (_, v) = verify_json(&Env::new(), &env_vars(&url));
    assert_eq!(status(&v, "login_host"), "pass", "{v}");
    for id in ["client_id", "callback_registered", "loopback_registered", "client_secret"] {
        assert_eq!(status(&v, id), "warn", "{id}: {v}");
        assert!(text(&v, id).contains("could not tell"), "{id}: {v}");
    }
    // The probes of the secret disagree: a warning with both answers.
    let url = odd_host("<html></html>", GRANT, CLIENT);
    let (_, v) = verify_json(&Env::new(), &env_vars(&url));
    assert_eq!(status(&v, "client_secret"), "warn", "{v}");
    let t = text(&v, "client_secret");
    assert!(t.contains("disagree") && t.contains("token endpoint") && t.contains("invalid_client"), "{t}");
}

#[test]
fn the_secret_check_says_how_strong_its_proof_is() {
    let f = fixture(|_| {});
    f.setup();
    let (_, v) = verify_json(&f.env, &[]);
    assert_eq!(status(&v, "client_secret"), "pass");
    assert!(text(&v, "client_secret").contains("not rejected by Salesforce"), "{v}");
    let intro = f.emu.requests_to("/services/oauth2/introspect");
    assert!(!intro.is_empty(), "the introspection probe ran");
    f.login();
    let (_, v) = verify_json(&f.env, &[]);
    assert_eq!(status(&v, "client_secret"), "pass");
    assert!(text(&v, "client_secret").contains("proven by a refresh"), "{v}");
}

#[test]
fn pasted_error_text_is_explained() {
    let f = fixture(|_| {});
    f.setup();
    let cases = [
        ("error=invalid_client_id&error_description=client%20identifier%20invalid\n", "OAuth Settings → Consumer Key and Secret"),
        (
            "Salesforce said: error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration (in the page)\n",
            "OAuth Settings → Callback URL: add `http://localhost:",
        ),
    ];
    for (paste, fix) in cases {
        let out = f.env.cmd().args(["login", "--paste"]).write_stdin(paste).output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
        let err = stderr(&out);
        assert!(err.contains(fix) && err.contains("before any login"), "{err}");
    }
    // the login says where those errors appear
    let out = f.env.cmd().args(["login", "--paste"]).write_stdin("\n").output().unwrap();
    assert!(stderr(&out).contains("in the page, not the address bar"), "{}", stderr(&out));
}

/// While the login waits on a terminal, the error text from the page is accepted and explained.
#[cfg(unix)]
#[test]
fn the_waiting_login_explains_pasted_error_text() {
    use expectrl::Expect;
    let f = fixture(|_| {});
    f.setup();
    let mut p = f.env.pty(&["login", "--wait", "30", "--no-browser"]);
    p.expect("not the address bar").unwrap();
    p.send_line("error=invalid_client_id&error_description=client%20identifier%20invalid").unwrap();
    p.expect("Consumer Key").unwrap();
    let status = p.get_process().wait().unwrap();
    assert!(format!("{status:?}").contains(", 4)"), "{status:?}");
    assert!(f.refresh_token().is_none());
}

#[test]
fn lightning_and_setup_domains_are_refused_naming_the_login_host() {
    let env = Env::new();
    let cases = [
        ("https://acme.lightning.crmforce.mil", "https://acme.my.salesforce.mil"),
        ("https://acme--uat.sandbox.lightning.crmforce.mil", "https://acme--uat.sandbox.my.salesforce.mil"),
        ("https://acme.my.salesforce-setup.com", "https://acme.my.salesforce.com"),
        ("https://acme--uat.sandbox.my.salesforce-setup.com", "https://acme--uat.sandbox.my.salesforce.com"),
    ];
    for (input, want) in cases {
        let out = env
            .cmd()
            .args(["setup", "--non-interactive", "--login-url", input, "--client-id", "3MVG9x", "--client-secret-stdin"])
            .write_stdin("A".repeat(64))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{input}: {}", all_output(&out));
        assert!(stderr(&out).contains(want), "{input}: {}", stderr(&out));
        assert!(!env.config_dir().join("config.toml").exists());
    }
}

/// The wizard offers the login URL a Lightning or Setup domain stands for.
#[cfg(unix)]
#[test]
fn the_wizard_offers_the_corrected_login_url() {
    use expectrl::Expect;
    let env = Env::new();
    let mut p = env.pty(&["setup"]);
    p.expect("Where mailfino runs").unwrap();
    p.send_line("").unwrap();
    p.expect("Salesforce org").unwrap();
    p.send("jj").unwrap();
    p.send_line("").unwrap();
    p.expect("My Domain URL").unwrap();
    p.send_line("https://acme.lightning.crmforce.mil").unwrap();
    p.expect("Use https://acme.my.salesforce.mil? [Y/n]").unwrap();
    p.send_line("n").unwrap();
    p.expect("My Domain URL").unwrap();
    p.send_line("acme--uat.sandbox.my.salesforce-setup.com").unwrap();
    p.expect("Use https://acme--uat.sandbox.my.salesforce.com? [Y/n]").unwrap();
    p.send_line("").unwrap();
    p.expect("How to create the External Client App").unwrap();
    p.send_line("").unwrap(); // click through Setup
    p.expect("Step 1 done?").unwrap();
    p.send(expectrl::ControlCode::EndOfText).unwrap();
    p.expect(expectrl::Eof).unwrap();
    let status = format!("{:?}", p.get_process().wait().unwrap());
    assert!(status.ends_with(", 130)") || status.contains(", SIGINT, "), "{status}");
    assert!(!env.config_dir().join("config.toml").exists());
}
