//! CI smoke checks end to end: `export-ci`, and `verify` in env-only mode that never spends a
//! rotating refresh token silently.

use serde_json::Value;

use crate::support::*;

fn export(f: &Fixture, format: &str) -> String {
    let out = f.env.cmd().args(["export-ci", "--format", format]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("holds the client secret"), "warns about secrets");
    stdout(&out)
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
    let json: Value = serde_json::from_str(&export(&f, "json")).unwrap();
    let global_json = stdout(&f.env.cmd().args(["export-ci", "--json"]).output().unwrap());
    assert_eq!(serde_json::from_str::<Value>(&global_json).unwrap(), json, "--json implies --format json");
    for (k, v) in &env_vars {
        assert_eq!(json[k], v.as_str());
    }
    let gh = export(&f, "github");
    assert!(gh.contains("gh secret set -f -") && gh.contains("${{ secrets.MAILFINO_SF_REFRESH_TOKEN }}"));
    assert_eq!(parse_env(&gh), env_vars);
    let ci = Env::new();
    let out = ci.cmd().args(["verify", "--json"]).envs(env_vars.clone()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rt = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == "refresh_token").unwrap();
    assert!(rt["summary"].as_str().unwrap().contains("introspection"), "{rt}");
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
        }
        assert_eq!(f.emu.state().active_refresh_tokens(), 1, "introspection spent nothing");
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
        #[cfg(unix)]
        assert_eq!(mode(&out_file), 0o600);
        token = new;
    }
    // refresh in env-only mode behaves the same way
    let out = ci.cmd().args(["refresh", "--rotated-token-out", out_file.to_str().unwrap()]).envs(f.ci_env(&token)).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
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
    let api = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == "api_access").unwrap();
    assert_eq!(api["status"], "pass");
    assert!(!ci.config_dir().exists());
    assert!(!rotated.exists(), "no rotation, so nothing was written");
}
