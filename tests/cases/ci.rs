//! CI smoke checks end to end: `export-ci`, and `verify` in env-only mode that never spends a
//! rotating refresh token silently.

use serde_json::Value;

use crate::support::*;

/// `export-ci` with the scripted browser for CI's own login.
fn export_cmd(f: &Fixture) -> assert_cmd::Command {
    let mut c = f.env.cmd();
    c.args(["export-ci", "--wait", "20"]).env("BROWSER", robot_browser());
    c
}

fn export(f: &Fixture, format: &str) -> String {
    let out = export_cmd(f).args(["--format", format]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stderr(&out).contains("holds the client secret"), "warns about secrets: {}", stderr(&out));
    stdout(&out)
}

fn token_of(vars: &[(String, String)]) -> String {
    vars.iter().find(|(k, _)| k == "MAILFINO_SF_REFRESH_TOKEN").unwrap().1.clone()
}

/// How often the emulator was asked (by introspection) about `token`.
fn introspected(f: &Fixture, token: &str) -> usize {
    f.emu.requests_to("/services/oauth2/introspect").iter().filter(|r| r.field("token") == Some(token)).count()
}

/// Whether the emulator saw a refresh with `token`.
fn refreshed_with(f: &Fixture, token: &str) -> bool {
    f.emu.log().iter().any(|r| r.field("grant_type") == Some("refresh_token") && r.field("refresh_token") == Some(token))
}

fn parse_env(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), v.trim_matches('\'').to_string())
        })
        .collect()
}

#[test]
fn export_ci_formats_round_trip_into_env_only_verify() {
    let f = fixture(|_| {});
    f.setup().login();
    let env_vars = parse_env(&export(&f, "env"));
    let names: Vec<&str> = env_vars.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "MAILFINO_SF_LOGIN_URL",
            "MAILFINO_SF_CLIENT_ID",
            "MAILFINO_SF_CLIENT_SECRET",
            "MAILFINO_SF_REFRESH_TOKEN",
            "MAILFINO_SF_CALLBACK_URL",
            "MAILFINO_SF_REDIRECT_URI"
        ]
    );
    let values = |k: &str| env_vars.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(values("MAILFINO_SF_LOGIN_URL"), f.emu.url());
    assert_eq!(values("MAILFINO_SF_CLIENT_ID"), f.emu.client_id());
    assert_eq!(values("MAILFINO_SF_CLIENT_SECRET"), f.emu.client_secret());
    assert_eq!(values("MAILFINO_SF_CALLBACK_URL"), CLOUD_CALLBACK);
    assert_eq!(values("MAILFINO_SF_REDIRECT_URI"), f.redirect);
    assert!(refresh_token_active(&f, &token_of(&env_vars)), "a live token");
    let json: Value = serde_json::from_str(&export(&f, "json")).unwrap();
    let global_json = stdout(&export_cmd(&f).arg("--json").output().unwrap());
    let global_json: Value = serde_json::from_str(&global_json).expect("--json implies --format json; stdout holds only the JSON");
    // Each run is a login of its own: every field but the token is the same, and there are no others.
    for v in [&json, &global_json] {
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = names.clone();
        keys.sort();
        want.sort();
        assert_eq!(keys, want, "{v}");
        for (k, value) in &env_vars {
            if k != "MAILFINO_SF_REFRESH_TOKEN" {
                assert_eq!(v[k], value.as_str());
            }
        }
        assert!(refresh_token_active(&f, v["MAILFINO_SF_REFRESH_TOKEN"].as_str().unwrap()));
    }
    let gh = export(&f, "github");
    assert!(gh.starts_with("# Store as repository secrets:  mailfino-sf export-ci --format github | gh secret set -f -\n"), "{gh}");
    for (k, _) in &env_vars {
        assert!(gh.contains(&format!("\n#     {k}: ${{{{ secrets.{k} }}}}\n")), "{k} not handed to the job: {gh}");
    }
    let gh_vars = parse_env(&gh);
    assert_eq!(gh_vars.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), names);
    let ci = Env::new();
    let ci_token = token_of(&env_vars);
    let asked = introspected(&f, &ci_token);
    let out = ci.cmd().args(["verify", "--json"]).envs(env_vars.clone()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&v, "config").1, "profile `default` is complete (secret from the environment)");
    assert_eq!(
        check(&v, "refresh_token"),
        ("pass".into(), "the refresh token is active (checked by introspection, not spent)".into(), String::new())
    );
    assert_eq!(introspected(&f, &ci_token), asked + 1, "the exported token was the one checked");
    assert!(!refreshed_with(&f, &ci_token), "and it was not spent");
    assert_eq!(check(&v, "api_access").0, "skip", "not renewed without --renew");
}

/// The README's pipeline, twice in a row, with rotation on and off.
#[test]
fn the_pipeline_passes_run_after_run_with_and_without_rotation() {
    for rotate in [false, true] {
        let f = fixture(|c| c.rotate_refresh_tokens = rotate);
        f.setup().login();
        let vars = parse_env(&export(&f, "env"));
        for run in 0..2 {
            let ci = Env::new();
            let out = ci.cmd().args(["verify", "--json"]).envs(vars.clone()).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "rotate={rotate} run={run}: {}", all_output(&out));
            assert!(!ci.config_dir().exists());
            assert_eq!(introspected(&f, &token_of(&vars)), run + 1, "rotate={rotate}: each run checks the exported token");
        }
        assert_eq!(f.emu.state().active_refresh_tokens(), 2, "the profile's and CI's; introspection spent nothing");
        assert!(refresh_token_active(&f, &token_of(&vars)), "rotate={rotate}");
    }
}

#[test]
fn a_rotated_token_lands_in_rotated_token_out_and_works_next_run() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let mut token = f.refresh_token().unwrap();
    let ci = Env::new();
    let out_file = ci.path("rotated-token");
    for _ in 0..3 {
        let out =
            ci.cmd().args(["verify", "--json", "--rotated-token-out", out_file.to_str().unwrap()]).envs(f.ci_env(&token)).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
        let new = std::fs::read_to_string(&out_file).unwrap().trim().to_string();
        assert_ne!(new, token);
        assert!(refreshed_with(&f, &token), "the run renewed with the token it was given");
        assert!(
            !refresh_token_active(&f, &token) && refresh_token_active(&f, &new),
            "rotated: the old one died, the file holds the live one"
        );
        #[cfg(unix)]
        assert_eq!(mode(&out_file), 0o600);
        token = new;
    }
    // refresh in env-only mode behaves the same way
    let out = ci.cmd().args(["refresh", "--rotated-token-out", out_file.to_str().unwrap()]).envs(f.ci_env(&token)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let new = std::fs::read_to_string(&out_file).unwrap().trim().to_string();
    assert!(new != token && refresh_token_active(&f, &new) && !refresh_token_active(&f, &token));
    assert!(!ci.config_dir().exists());
}

/// Env-only renewal without `--rotated-token-out` would throw a rotated token away: it is refused
/// before anything is sent (issue 13), and the token stays valid.
#[test]
fn env_only_renewal_without_the_flag_is_refused_before_anything_is_sent() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let token = f.refresh_token().unwrap();
    let ci = Env::new();
    let before = f.emu.log().len();
    for args in [&["refresh"][..], &["refresh", "--json"], &["verify", "--renew"], &["verify", "--renew", "--json"]] {
        let out = ci.cmd().args(args).envs(f.ci_env(&token)).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all_output(&out));
        assert!(stderr(&out).contains("needs --rotated-token-out PATH"), "{args:?}: {}", stderr(&out));
    }
    // a --rotated-token-out in a directory that does not exist is refused just as early
    let nowhere = ci.path("missing-dir/rt");
    let out = ci.cmd().args(["refresh", "--rotated-token-out", nowhere.to_str().unwrap()]).envs(f.ci_env(&token)).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(
        stderr(&out).starts_with(&format!(
            "mailfino-sf: error: --rotated-token-out `{}` is not a file path in an existing directory\n",
            nowhere.display()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(f.emu.log().len(), before, "the emulator saw a request: {:?}", &f.emu.log()[before..]);
    assert!(!ci.config_dir().exists());
    // the token was not spent: with the flag the renewal works and hands out the rotated one
    let out_file = ci.path("rt");
    let out = ci.cmd().args(["refresh", "--rotated-token-out", out_file.to_str().unwrap()]).envs(f.ci_env(&token)).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert_ne!(std::fs::read_to_string(&out_file).unwrap().trim(), token);
}

#[test]
fn renew_without_rotation_proves_the_api_and_writes_nothing() {
    let f = fixture(|_| {});
    f.setup().login();
    let token = f.refresh_token().unwrap();
    let ci = Env::new();
    let rotated = ci.path("rotated");
    let out = ci.cmd().args(["verify", "--json", "--renew", "--rotated-token-out"]).arg(&rotated).envs(f.ci_env(&token)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&v, "api_access").0, "pass", "{v}");
    assert!(refreshed_with(&f, &token), "--renew spent the token on a refresh");
    assert!(refresh_token_active(&f, &token), "without rotation it stays valid");
    assert!(!ci.config_dir().exists());
    assert!(!rotated.exists(), "no rotation, so nothing was written");
}

/// CI's refresh token is its own: with rotation on, a local `verify` leaves CI's token valid, and
/// a CI run that renews (and stores the rotated token back) leaves the profile's valid.
#[test]
fn export_ci_gives_ci_a_token_of_its_own_that_rotation_on_either_side_leaves_alive() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let profile_before = f.refresh_token().unwrap();
    let out = export_cmd(&f).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("a refresh token of its own"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("share one refresh token"), "no sharing warning without --share-profile-token");
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.starts_with("MAILFINO_SF_")), "stdout holds only the variables: {text}");
    let vars = parse_env(&text);
    let mut ci_token = token_of(&vars);
    assert_ne!(ci_token, profile_before, "CI does not get the profile's token");
    assert_eq!(f.refresh_token().unwrap(), profile_before, "the profile's token is untouched");
    assert_eq!(f.emu.state().active_refresh_tokens(), 2);

    // A local verify rotates the profile's token: CI's stays valid.
    f.env.cmd().arg("verify").assert().success();
    assert_ne!(f.refresh_token().unwrap(), profile_before, "the profile's token rotated");
    let ci = Env::new();
    let rotated = ci.path("rotated");
    let out =
        ci.cmd().args(["verify", "--json", "--rotated-token-out", rotated.to_str().unwrap()]).envs(f.ci_env(&ci_token)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "CI's token survived the local verify: {}", all_output(&out));
    let renewed = std::fs::read_to_string(&rotated).unwrap().trim().to_string();
    assert_ne!(renewed, ci_token, "CI's token rotated");
    ci_token = renewed;

    // CI renewed (its token rotated): the profile's stays valid, and so does CI's new one.
    f.env.cmd().arg("verify").assert().success();
    f.env.cmd().arg("refresh").assert().success();
    let out = ci.cmd().args(["verify", "--json"]).envs(f.ci_env(&ci_token)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(refresh_token_active(&f, &ci_token) && refresh_token_active(&f, &f.refresh_token().unwrap()));
}

/// `--share-profile-token` hands out the profile's own token and names the rotation trap, which
/// then springs exactly as the warning says.
#[test]
fn share_profile_token_warns_of_the_rotation_trap() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let out = f.env.cmd().args(["export-ci", "--share-profile-token"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("share one refresh token") && err.contains("rotation") && err.contains("--rotated-token-out"), "{err}");
    let shared = token_of(&parse_env(&stdout(&out)));
    assert_eq!(shared, f.refresh_token().unwrap());
    assert_eq!(f.emu.state().active_refresh_tokens(), 1, "no second login");
    f.env.cmd().arg("verify").assert().success();
    let ci = Env::new();
    assert!(!refresh_token_active(&f, &shared), "the local verify rotated the shared token away");
    let out = ci.cmd().args(["verify", "--json"]).envs(f.ci_env(&shared)).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the shared token was spent by the local verify: {}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&v, "refresh_token").0, "fail", "{v}");
    // --paste and --no-browser belong to CI's own login.
    for other in ["--paste", "--no-browser"] {
        let out = f.env.cmd().args(["export-ci", "--share-profile-token", other]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
        assert!(
            stderr(&out).starts_with(&format!("error: the argument '--share-profile-token' cannot be used with '{other}'")),
            "{}",
            stderr(&out)
        );
    }
}

/// CI's login through `--paste` (a server without a browser): the address bar's URL on stdin.
#[test]
fn export_ci_paste_takes_the_address_for_cis_login() {
    let f = fixture(|_| {});
    f.setup().login();
    use std::io::Write;
    let (mut child, url) = spawn_until_url(f.env.std_cmd().args(["export-ci", "--paste", "--wait", "20"]));
    // Follow the authorize URL as a browser would (auto-approve) and paste where it lands.
    let c = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let landed = c.get(&url).send().unwrap().headers()["location"].to_str().unwrap().to_string();
    writeln!(child.stdin.take().unwrap(), "{landed}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let vars = parse_env(&stdout(&out));
    let ci_token = token_of(&vars);
    assert_ne!(ci_token, f.refresh_token().unwrap());
    assert!(refresh_token_active(&f, &ci_token), "the pasted login's token is the one exported");
    assert_eq!(f.emu.state().active_refresh_tokens(), 2);
}
