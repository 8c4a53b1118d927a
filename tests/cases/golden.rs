//! Whole-output snapshots: `--help` of the program and of every subcommand, `verify` (human and
//! `--json`), `status` (human and `--json`) and error output, each compared in full with a file
//! under `tests/golden/` after [`Scrub`] has replaced what changes from run to run.
//! `MAILFINO_SF_UPDATE_GENERATED=1 cargo test --test integration golden` rewrites the files.

use crate::support::*;

/// The visible subcommands, read from the program's own help.
fn subcommands(env: &Env) -> Vec<String> {
    let help = stdout(&env.cmd().arg("--help").output().unwrap());
    let commands = help.split("Commands:\n").nth(1).expect("a Commands section");
    commands
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn golden_help_texts() {
    let env = Env::new();
    let scrub = Scrub::default().literal(&env.dir.path().display().to_string(), "HOME");
    let root = env.cmd().arg("--help").output().unwrap();
    assert_eq!(root.status.code(), Some(0));
    assert_golden("help/mailfino-sf.txt", &scrub.apply(&transcript(&["--help"], &root)));
    let names = subcommands(&env);
    assert!(names.len() >= 10 && names.iter().any(|n| n == "verify"), "{names:?}");
    for name in names {
        let out = env.cmd().args([&name, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}");
        assert_golden(&format!("help/{name}.txt"), &scrub.apply(&transcript(&[&name, "--help"], &out)));
    }
}

/// One profile set up and logged in against the emulator, the way an admin leaves it.
fn logged_in() -> (Fixture, Scrub) {
    let f = fixture(|_| {});
    f.setup().login();
    let scrub = Scrub::for_fixture(&f);
    (f, scrub)
}

#[test]
fn golden_verify_human_and_json() {
    let (f, scrub) = logged_in();
    let human = f.env.cmd().arg("verify").output().unwrap();
    assert_eq!(human.status.code(), Some(0), "{}", all_output(&human));
    assert_golden("verify.txt", &scrub.apply(&transcript(&["verify"], &human)));
    let json = f.env.cmd().args(["verify", "--json"]).output().unwrap();
    assert_eq!(json.status.code(), Some(0), "{}", all_output(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("verify --json prints JSON");
    let pretty = serde_json::to_string_pretty(&v).unwrap() + "\n";
    assert_golden("verify.json", &scrub.apply(&pretty));
    assert_eq!(stderr(&json), "", "--json keeps stderr quiet on success");
}

#[test]
fn golden_verify_with_a_failure() {
    // The cloud callback is not registered: one failure, with its fix, and exit 1.
    let f = fixture(|c| c.callbacks.retain(|cb| cb != CLOUD_CALLBACK));
    f.setup_cmd().assert().code(4);
    let out = f.env.cmd().arg("verify").output().unwrap();
    assert_golden("verify-failure.txt", &Scrub::for_fixture(&f).apply(&transcript(&["verify"], &out)));
}

#[test]
fn golden_status_human_and_json() {
    let (f, scrub) = logged_in();
    f.env.cmd().arg("verify").assert().success();
    let human = f.env.cmd().arg("status").output().unwrap();
    assert_golden("status.txt", &scrub.apply(&transcript(&["status"], &human)));
    let json = f.env.cmd().args(["status", "--json"]).output().unwrap();
    assert_eq!(json.status.code(), Some(0), "{}", all_output(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("status --json prints JSON");
    assert_golden("status.json", &scrub.apply(&(serde_json::to_string_pretty(&v).unwrap() + "\n")));
}

#[test]
fn golden_error_output() {
    let (f, scrub) = logged_in();
    let cases: &[(&str, &[&str])] = &[
        ("errors/unknown-profile.txt", &["--profile", "nope", "verify"]),
        ("errors/unknown-flag.txt", &["verify", "--wait", "20"]),
        ("errors/bad-store.txt", &["--store", "floppy", "status"]),
        ("errors/bad-login-url.txt", &["setup", "--non-interactive", "--login-url", "ftp://login.salesforce.com", "--client-id", "3MVG9x"]),
        ("errors/bad-wait.txt", &["login", "--wait", "soon"]),
    ];
    for (name, args) in cases {
        let out = f.env.cmd().args(*args).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert_golden(name, &scrub.apply(&transcript(args, &out)));
    }
    // A junk value in a numeric setting is a usage error naming it, before anything happens.
    let out = f.env.cmd().arg("verify").env("MAILFINO_SF_HTTP_TIMEOUT", "soon").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_golden("errors/bad-timeout-env.txt", &scrub.apply(&transcript(&["verify", "(MAILFINO_SF_HTTP_TIMEOUT=soon)"], &out)));
}
