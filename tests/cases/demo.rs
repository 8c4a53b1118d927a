//! `demo`: the whole journey with nothing to type; `--json` prints one summary object.

use serde_json::Value;

use crate::support::*;

#[test]
fn demo_runs_the_whole_journey_and_json_summarises_each_step() {
    let env = Env::new();
    let out = env.cmd().arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("7/7 summary"), "{}", stderr(&out));

    let out = env.cmd().args(["demo", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "stdout holds the JSON only: {text}");
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    assert_eq!(v["ok"], true);
    let steps: Vec<&str> = v["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["setup", "login", "verify", "audit", "refresh", "logout"]);
    for s in v["steps"].as_array().unwrap() {
        assert_eq!(s["ok"], true, "{s}");
    }
    let verify = &v["steps"][2];
    assert!(verify["checks"].as_array().unwrap().iter().all(|c| c["status"] == "pass"), "{verify}");
    assert_eq!(v["steps"][4]["refreshes"].as_array().unwrap().len(), 2);
    assert_eq!(v["steps"][4]["refreshes"][0]["rotated"], true);
    assert_eq!(v["steps"][5]["deleted"], serde_json::json!(["refresh-token"]));
    assert!(v["requests"].as_u64().unwrap() > 5);
    // the narration is still there, on stderr
    assert!(stderr(&out).contains("── 1/7 setup"), "{}", stderr(&out));
    assert!(!env.config_dir().exists(), "the demo never touches the real config");
}
