//! An admin's token kept by `audit --keep-admin-token` is never forgotten: `status` shows that it
//! is kept (never its value), `logout` revokes it at Salesforce and deletes it with the profile's
//! token (an already-invalid one is deleted too; `--local-only` deletes it and says it stays
//! valid), and a kept token whose revoke gets no answer stays kept, for `logout` or the next audit.

use serde_json::Value;

use mailfino_sf_emulator::Role;

use crate::support::*;

/// The emulator's browser logs in as the admin from now on.
fn admin_browser(f: &Fixture) {
    f.emu.state().config.org.browser_user = Role::Admin;
}

/// Runs `audit --keep-admin-token` through the scripted browser; returns the kept token.
fn keep_admin_token(f: &Fixture) -> String {
    admin_browser(f);
    let out = f.env.cmd().args(["audit", "--json", "--wait", "20", "--keep-admin-token"]).env("BROWSER", robot_browser()).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    assert_eq!(v["admin_token"], "kept in the file store (--keep-admin-token)");
    let kept = stored_secret(&f.env, "default", "admin-refresh-token").expect("the admin's token is stored");
    assert!(refresh_token_active(f, &kept));
    kept
}

/// Whether a refresh grant with `token` gets an access token from the emulator (spends nothing
/// when rotation is off, as in these cases).
fn refreshes(f: &Fixture, token: &str) -> bool {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/services/oauth2/token", f.emu.url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", &f.emu.client_id()),
            ("client_secret", &f.emu.client_secret()),
        ])
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let v: Value = resp.json().unwrap();
    match status {
        200 => v["access_token"].is_string(),
        _ => {
            assert_eq!(v["error"], "invalid_grant", "{v}");
            false
        }
    }
}

fn status_json(f: &Fixture) -> Value {
    let out = f.env.cmd().args(["status", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The tokens Salesforce was asked to revoke, in order.
fn revoked(f: &Fixture) -> Vec<String> {
    f.emu.requests_to("/services/oauth2/revoke").iter().map(|r| r.field("token").unwrap_or_default().to_string()).collect()
}

#[test]
fn status_shows_a_kept_admin_token_never_its_value() {
    let f = fixture(|_| {});
    f.setup().login();
    assert_eq!(status_json(&f)["profiles"][0]["admin_token"], Value::Null);
    let out = f.env.cmd().arg("status").output().unwrap();
    assert!(!stdout(&out).contains("admin token"), "no row while none is kept: {}", stdout(&out));

    let kept = keep_admin_token(&f);
    assert_eq!(status_json(&f)["profiles"][0]["admin_token"], "file store");
    let out = f.env.cmd().args(["status", "-v"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let row = "  admin token      an admin's refresh token is kept in the file store (audit --keep-admin-token); logout revokes it";
    assert!(stdout(&out).lines().any(|l| l == row), "{}", stdout(&out));
    let out = f.env.cmd().args(["status", "--json", "-v"]).output().unwrap();
    for text in [all_output(&out), all_output(&f.env.cmd().args(["status", "-v"]).output().unwrap())] {
        assert!(!text.contains(&kept), "the kept token's value never shows");
        assert!(!text.contains(&f.refresh_token().unwrap()), "nor the profile's");
    }
}

#[test]
fn logout_revokes_and_deletes_the_kept_admin_token() {
    let f = fixture(|_| {});
    f.setup().login();
    let kept = keep_admin_token(&f);
    let own = f.refresh_token().unwrap();
    assert!(revoked(&f).is_empty());
    let out = f.env.cmd().args(["logout", "--json", "-v"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["admin_token"], "revoked", "{v}");
    assert_eq!(v["deleted"], serde_json::json!(["refresh-token", "admin-refresh-token"]), "{v}");
    assert_eq!(revoked(&f), [kept.clone(), own.clone()], "both revoked at Salesforce, the admin's first");
    assert!(!refreshes(&f, &kept), "the admin's token no longer refreshes");
    assert!(!refreshes(&f, &own));
    assert_eq!(stored_secret_names(&f.env, "default"), ["client-secret"], "both deleted; the Consumer Secret stays");
    assert_eq!(status_json(&f)["profiles"][0]["admin_token"], Value::Null);
    let text = all_output(&out);
    assert!(text.contains("[redacted]"), "the -v trace ran: {text}");
    assert!(!text.contains(&kept) && !text.contains(&own), "no token value under -v");
}

#[test]
fn logout_of_an_admin_token_salesforce_no_longer_knows_exits_0_and_deletes_it() {
    let f = fixture(|_| {});
    f.setup().login();
    let kept = keep_admin_token(&f);
    // An admin revoked it in Setup meanwhile.
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/services/oauth2/revoke", f.emu.url()))
        .form(&[("token", kept.as_str())])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let out = f.env.cmd().arg("logout").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l
            == "  the admin's token kept by `audit --keep-admin-token`: already invalid (Salesforce answered unsupported_token_type: this token type is not supported); deleted"),
        "{text}"
    );
    assert!(text.lines().any(|l| l == "  deleted: refresh-token, admin-refresh-token"), "{text}");
    assert_eq!(stored_secret_names(&f.env, "default"), ["client-secret"]);
}

#[test]
fn logout_local_only_deletes_the_admin_token_and_says_it_stays_valid() {
    let f = fixture(|_| {});
    f.setup().login();
    let kept = keep_admin_token(&f);
    let out = f.env.cmd().args(["logout", "--local-only", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["admin_token"], "not_revoked", "{v}");
    assert!(revoked(&f).is_empty(), "--local-only sends no revoke");
    assert!(refreshes(&f, &kept), "still valid at Salesforce, as the warning says");
    let err = stderr(&out);
    assert!(err.contains("stays valid at Salesforce") && err.contains("OAuth Usage"), "{err}");
    assert_eq!(stored_secret_names(&f.env, "default"), ["client-secret"]);
}

/// The profile was set up but never logged in, so the admin's revoke is logout's only request.
#[test]
fn logout_deletes_nothing_while_the_admin_tokens_revoke_gets_no_answer() {
    let f = fixture(|_| {});
    f.setup();
    let kept = keep_admin_token(&f);
    f.emu.state().config.fail_revoke = 100;
    let out = f.env.cmd().args(["logout", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", all_output(&out));
    assert!(stderr(&out).contains("logout --local-only"), "the way out is named: {}", stderr(&out));
    assert_eq!(stored_secret(&f.env, "default", "admin-refresh-token").as_deref(), Some(kept.as_str()), "not forgotten while alive");
    assert!(refreshes(&f, &kept));
    f.emu.state().config.fail_revoke = 0;
    let out = f.env.cmd().args(["logout", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["revocation"], "no refresh token was stored");
    assert_eq!(v["admin_token"], "revoked", "{v}");
    assert!(!refreshes(&f, &kept));
    assert_eq!(stored_secret(&f.env, "default", "admin-refresh-token"), None);
}

/// An audit without `--keep-admin-token` while Salesforce does not answer revokes: it says the
/// kept token stays kept.
fn audit_whose_revoke_gets_no_answer(f: &Fixture) {
    f.emu.state().config.fail_revoke = 100;
    let out = f.env.cmd().args(["audit", "--json", "--no-browser", "--wait", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fate = v["admin_token"].as_str().unwrap();
    assert!(fate.starts_with("not revoked (Salesforce did not answer); it stays kept"), "{fate}");
}

/// An audit without `--keep-admin-token` uses the kept token and revokes it; when the revoke gets
/// no answer the token stays kept (and `status` shows it) instead of being forgotten while alive.
#[test]
fn an_audit_whose_revoke_gets_no_answer_keeps_the_kept_token() {
    let f = fixture(|_| {});
    f.setup().login();
    let kept = keep_admin_token(&f);
    audit_whose_revoke_gets_no_answer(&f);
    assert_eq!(stored_secret(&f.env, "default", "admin-refresh-token").as_deref(), Some(kept.as_str()));
    assert_eq!(status_json(&f)["profiles"][0]["admin_token"], "file store");
    // Once Salesforce answers, the next audit without the flag revokes and deletes it.
    f.emu.state().config.fail_revoke = 0;
    let out = f.env.cmd().args(["audit", "--json", "--no-browser", "--wait", "2"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", all_output(&out)));
    assert_eq!(v["admin_token"], "revoked");
    assert!(!refreshes(&f, &kept));
    assert_eq!(stored_secret(&f.env, "default", "admin-refresh-token"), None);
}

/// With Refresh Token Rotation (reference 6.2) the audit's refresh of the kept token spends it:
/// the rotated one replaces it in the store at once, so that when the revoke then gets no answer
/// the token that "stays kept" is the live one, not the spent one.
#[test]
fn a_rotated_admin_token_is_stored_before_the_audit_goes_on() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let kept = keep_admin_token(&f);
    audit_whose_revoke_gets_no_answer(&f);
    let now = stored_secret(&f.env, "default", "admin-refresh-token").expect("still kept");
    assert_ne!(now, kept, "the rotated token replaced the spent one");
    assert!(!refresh_token_active(&f, &kept), "the old one is spent");
    assert!(refresh_token_active(&f, &now), "the kept one is the live one");
    // `logout` then revokes the live one.
    f.emu.state().config.fail_revoke = 0;
    let out = f.env.cmd().args(["logout", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(!refresh_token_active(&f, &now));
    assert_eq!(f.emu.state().active_refresh_tokens(), 0, "no live token is left behind");
}

/// `--keep-admin-token` with a store that cannot be written: the admin's token is revoked rather
/// than left alive at Salesforce with nobody holding it.
#[test]
fn an_admin_token_the_store_cannot_keep_is_revoked_not_forgotten() {
    let f = fixture(|_| {});
    f.setup().login();
    admin_browser(&f);
    let out = f
        .env
        .cmd()
        .args(["audit", "--json", "--wait", "20", "--keep-admin-token"])
        .env("BROWSER", robot_browser())
        .env("MAILFINO_SF_FAULT", "store-write")
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    let fate = v["admin_token"].as_str().unwrap();
    assert!(fate.starts_with("not kept (cannot write ") && fate.ends_with("); revoked"), "{fate}");
    assert!(stderr(&out).contains("could not keep the admin's token"), "{}", stderr(&out));
    assert_eq!(revoked(&f).len(), 1, "the admin's token was revoked");
    assert_eq!(stored_secret(&f.env, "default", "admin-refresh-token"), None);
    assert_eq!(f.emu.state().active_refresh_tokens(), 1, "only the profile's own token is alive");
}

/// The admin's kept token, the more powerful one, is revoked first; when Salesforce stops
/// answering at that first revoke, the profile's token is neither revoked nor deleted.
#[test]
fn logout_revokes_the_admins_token_before_the_profiles() {
    let f = fixture(|_| {});
    f.setup().login();
    let profile = f.refresh_token().unwrap();
    let kept = keep_admin_token(&f);
    // A revoke is tried four times (503 is retried three times): all four go unanswered.
    f.emu.state().config.fail_revoke = 4;
    let out = f.env.cmd().args(["logout", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", all_output(&out));
    assert_eq!(revoked(&f), vec![kept.clone(); 4], "the admin's token was asked first, and nothing after the failure");
    assert!(refreshes(&f, &profile) && refreshes(&f, &kept), "both stay alive");
    assert_eq!(f.refresh_token().as_deref(), Some(profile.as_str()), "and stored");
    assert_eq!(stored_secret(&f.env, "default", "admin-refresh-token").as_deref(), Some(kept.as_str()));
    let out = f.env.cmd().args(["logout", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(revoked(&f)[4..], [kept.clone(), profile.clone()], "admin first, then the profile's");
    assert!(!refreshes(&f, &profile) && !refreshes(&f, &kept));
}

/// In CI's env-only mode logout revokes the environment's token; the profile's stored token was
/// not revoked, so it is not deleted either (that would forget a live token).
#[test]
fn logout_of_an_environment_token_leaves_the_stored_one_alive_and_stored() {
    let f = fixture(|_| {});
    f.setup().login();
    let stored = f.refresh_token().unwrap();
    let ci = f.grant_directly(&f.redirect, None);
    let out = f.env.cmd().args(["logout", "--json"]).env("MAILFINO_SF_REFRESH_TOKEN", &ci).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stderr(&out).contains("the profile's stored token (if any) is left as it is"), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["deleted"], serde_json::json!([]), "{v}");
    assert_eq!(revoked(&f), vec![ci.clone()]);
    assert!(!refresh_token_active(&f, &ci), "the environment's token is revoked");
    assert!(refresh_token_active(&f, &stored), "the stored one is alive");
    assert_eq!(f.refresh_token().as_deref(), Some(stored.as_str()), "and still stored");
}

/// Two audits at once, with rotation, both reusing the kept admin token: they take turns under the
/// profile's lock, so neither spends a token the other already rotated (which would revoke the
/// whole chain, reference 6.2). No browser is offered: a fresh login would fail the run.
#[test]
fn two_audits_at_once_take_turns_with_a_rotating_kept_token() {
    let f = fixture(|c| {
        c.rotate_refresh_tokens = true;
        c.slow = std::time::Duration::from_millis(30);
    });
    f.setup().login();
    keep_admin_token(&f);
    for round in 0..4 {
        let outputs: Vec<std::process::Output> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        f.env.cmd().args(["audit", "--json", "--wait", "3", "--keep-admin-token"]).env("BROWSER", "false").output().unwrap()
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for out in &outputs {
            assert_eq!(out.status.code(), Some(0), "round {round}: {}", all_output(out));
            assert!(!stderr(out).contains("no longer works"), "round {round}: the kept token was spent twice: {}", stderr(out));
        }
        let now = stored_secret(&f.env, "default", "admin-refresh-token").expect("still kept");
        assert!(refresh_token_active(&f, &now), "round {round}: the kept token is the live one");
    }
}
