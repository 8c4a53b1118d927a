//! `demo`: the whole journey with nothing to type; `--json` prints one summary object.

use serde_json::Value;

use crate::support::*;

/// The throwaway config dir the narration names ("throwaway config in DIR").
fn throwaway_dir(narration: &str) -> std::path::PathBuf {
    let line = narration.lines().find(|l| l.contains("; throwaway config in ")).unwrap_or_else(|| panic!("{narration}"));
    line.rsplit("; throwaway config in ").next().unwrap().trim().into()
}

/// The request count the closing narration gives ("N requests in M ms").
fn narrated_requests(narration: &str) -> u64 {
    let re = regex::Regex::new(r"(\d+) requests in \d+ ms").unwrap();
    re.captures(narration).unwrap_or_else(|| panic!("{narration}"))[1].parse().unwrap()
}

#[test]
fn demo_runs_the_whole_journey_and_json_summarises_each_step() {
    let env = Env::new();
    let out = env.cmd().arg("demo").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let err = stderr(&out);
    let steps = ["1/7 setup", "2/7 login", "3/7 verify", "4/7 audit", "5/7 refresh", "6/7 logout", "7/7 summary"];
    let at: Vec<usize> = steps.iter().map(|s| err.find(&format!("── {s} ──")).unwrap_or_else(|| panic!("{s}: {err}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "the steps in order: {err}");
    assert!(err.contains("\n15 passed, 0 warnings, 0 failed, 0 skipped."), "{err}");
    assert!(err.contains("  the emulator holds 1 active refresh token(s): each old one died as it rotated\n"), "{err}");
    assert!(err.ends_with("\nNext: `mailfino-sf setup` for your own org.\n"), "{err}");
    assert!(!throwaway_dir(&err).exists(), "the throwaway config dir is removed");

    let out = env.cmd().args(["demo", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "stdout holds the JSON only: {text}");
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    assert_eq!(v["ok"], true);
    assert_eq!(v["kept_config_dir"], Value::Null);
    let steps: Vec<&str> = v["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["setup", "login", "verify", "audit", "refresh", "logout"]);
    for s in v["steps"].as_array().unwrap() {
        assert_eq!(s["ok"], true, "{s}");
    }
    let login = &v["steps"][1];
    assert_eq!(login["username"], mailfino_sf_emulator::USERNAME);
    assert_eq!(login["org_id"], mailfino_sf_emulator::ORG_ID);
    assert_eq!(login["scopes"], "api refresh_token offline_access");
    let verify = &v["steps"][2];
    let table = check_table(verify);
    assert_eq!(table.len(), 15, "every check of verify ran: {verify}");
    assert!(table.iter().all(|row| row.ends_with(" pass")), "{table:?}");
    assert!(check(verify, "refresh_token").1.contains("rotated, the new token is saved"), "{verify}");
    let audit = &v["steps"][3];
    assert_eq!((&audit["admin"], &audit["admin_token"]), (&Value::from(mailfino_sf_emulator::ADMIN_USERNAME), &Value::from("revoked")));
    let audit_table = check_table(audit);
    assert!(audit_table.len() == 6 && audit_table.iter().all(|row| row.ends_with(" pass")), "{audit}");
    let refresh = &v["steps"][4];
    assert_eq!(refresh["refreshes"].as_array().unwrap().len(), 2);
    assert!(refresh["refreshes"].as_array().unwrap().iter().all(|r| r["rotated"] == true), "{refresh}");
    assert_eq!(refresh["active_refresh_tokens"], 1, "each rotated-away token died");
    assert_eq!(v["steps"][5]["deleted"], serde_json::json!(["refresh-token"]));
    assert_eq!(v["steps"][5]["revocation"], "Salesforce confirmed the revocation");
    // the narration is still there, on stderr, and counts the same requests
    let err = stderr(&out);
    assert!(err.contains("── 1/7 setup"), "{err}");
    let requests = v["requests"].as_u64().unwrap();
    assert_eq!(requests, narrated_requests(&err));
    assert!(requests > 20, "setup, login, verify, audit, refreshes and logout all talked to the emulator: {requests}");
    assert!(!throwaway_dir(&err).exists());

    // --keep keeps the throwaway dir, with the demo profile in it
    let out = env.cmd().args(["demo", "--json", "--keep"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kept = std::path::PathBuf::from(v["kept_config_dir"].as_str().unwrap_or_else(|| panic!("{v}")));
    let config = std::fs::read_to_string(kept.join("config.toml")).unwrap_or_default();
    std::fs::remove_dir_all(&kept).unwrap();
    assert!(config.contains("[demo]"), "{config}");

    // the demo never touches the real config, nor anything else in HOME
    let left: Vec<_> = std::fs::read_dir(env.dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "the demo wrote {left:?} in HOME");
}
