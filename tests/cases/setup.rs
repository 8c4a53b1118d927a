//! `setup`: non-interactive against the emulator, bad input, the env file merge, and the
//! interactive wizard driven through a real pseudo-terminal.

use crate::support::*;

#[test]
fn non_interactive_success_saves_everything_privately() {
    let f = fixture(|_| {});
    let envfile = f.env.path("mailfino.env");
    let out = f.setup_cmd().args(["--env-file", envfile.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let err = stderr(&out);
    for step in 1..=5 {
        assert!(err.contains(&format!("Step {step}:")), "{err}");
    }
    assert!(err.contains(CLOUD_CALLBACK) && err.contains(&f.redirect));
    let cfg = f.env.config_text();
    assert!(cfg.contains(&f.emu.client_id()) && !cfg.contains(&f.emu.client_secret()), "{cfg}");
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()));
    let env = std::fs::read_to_string(&envfile).unwrap();
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_CLIENT_ID={}", f.emu.client_id())));
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_CLIENT_SECRET={}", f.emu.client_secret())));
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_LOGIN_URL={}", f.emu.url())));
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_CALLBACK_URL={CLOUD_CALLBACK}")));
    #[cfg(unix)]
    {
        assert_eq!(mode(&envfile), 0o600);
        assert_eq!(mode(&f.env.config_dir()), 0o700);
        assert_eq!(mode(&f.env.config_dir().join("config.toml")), 0o600);
        assert_eq!(mode(&f.env.config_dir().join("credentials.toml")), 0o600);
    }
}

#[test]
fn wrong_secret_exits_4_and_keeps_what_was_entered() {
    let f = fixture(|_| {});
    let out = f.setup_cmd_with(&f.redirect, &"F".repeat(64)).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
    assert!(stderr(&out).contains("client_secret"), "{}", stderr(&out));
    assert!(f.env.config_text().contains(&f.emu.client_id()));
    assert!(f.env.credentials_text().contains(&"F".repeat(64)));
}

#[test]
fn unknown_client_id_exits_4_and_propagation_can_be_waited_out() {
    let f = fixture(|_| {});
    let out = f
        .env
        .cmd()
        .args(["setup", "--non-interactive", "--login-url", f.emu.url(), "--client-id", "3MVG9unknown", "--redirect-uri", &f.redirect])
        .env("MAILFINO_SF_CLIENT_SECRET", f.emu.client_secret())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("30 minutes"), "{}", stderr(&out));
    // Just after the app was saved Salesforce does not know it yet: --retry-for waits it out.
    let f = fixture(|c| c.propagation = 3);
    let out = f.setup_cmd().args(["--retry-for", "30"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("checking again"), "{}", stderr(&out));
}

#[test]
fn env_file_merge_keeps_foreign_lines_and_comments() {
    let f = fixture(|_| {});
    let envfile = f.env.path("mailfino.env");
    let before = "# mailfino server\nexport DATABASE_URL=postgres://db/mailfino\nMAILFINO_SALESFORCE_CLIENT_ID=old-id\n\n# keep me\nSMTP_HOST='mail.example.com'\nMAILFINO_SALESFORCE_CLIENT_ID=duplicate\n";
    std::fs::write(&envfile, before).unwrap();
    f.setup_cmd().args(["--env-file", envfile.to_str().unwrap()]).assert().success();
    let after = std::fs::read_to_string(&envfile).unwrap();
    let lines: Vec<&str> = after.lines().collect();
    assert_eq!(lines[0], "# mailfino server");
    assert_eq!(lines[1], "export DATABASE_URL=postgres://db/mailfino");
    assert_eq!(lines[2], format!("MAILFINO_SALESFORCE_CLIENT_ID={}", f.emu.client_id()));
    assert_eq!(lines[3], "");
    assert_eq!(lines[4], "# keep me");
    assert_eq!(lines[5], "SMTP_HOST='mail.example.com'");
    assert_eq!(after.matches("MAILFINO_SALESFORCE_CLIENT_ID=").count(), 1, "never doubled");
    assert!(after.contains("MAILFINO_SALESFORCE_CLIENT_SECRET="));
    let backups = env_backups(&envfile);
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), before);
    // running again changes nothing, keeps the file and writes no backup
    let out = f.setup_cmd().args(["--env-file", envfile.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).contains("already holds these settings"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&envfile).unwrap(), after);
    assert_eq!(env_backups(&envfile).len(), 1);
}

#[test]
fn print_env_prints_the_lines_and_says_they_hold_the_secret() {
    let f = fixture(|_| {});
    let out = f.setup_cmd().arg("--print-env").output().unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains(&format!("MAILFINO_SALESFORCE_CLIENT_SECRET={}", f.emu.client_secret())));
    assert!(stderr(&out).contains("contain the Consumer Secret"));
}

#[test]
fn bad_inputs_exit_2_and_write_nothing() {
    let env = Env::new();
    let key = format!("3MVG9{}", "a".repeat(80));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--login-url", "http://login.salesforce.com", "--client-id", &key], "plain http"),
        (vec!["--login-url", "https://acme.lightning.force.com", "--client-id", &key], "https://acme.my.salesforce.com"),
        (vec!["--login-url", "https://login.salesforce.com", "--client-id", "3MVG9 with spaces"], "whitespace"),
        (vec!["--login-url", "https://login.salesforce.com", "--client-id", &key, "--mailfino-url", "ftp://mail.example.com"], "https"),
        (
            vec!["--login-url", "https://login.salesforce.com", "--client-id", &key, "--redirect-uri", "http://example.com:8717/cb"],
            "loopback",
        ),
        (vec!["--client-id", &key], "--login-url"),
        (vec!["--login-url", "https://login.salesforce.com"], "--client-id"),
    ];
    for (args, needle) in cases {
        let out =
            env.cmd().args(["setup", "--non-interactive"]).args(&args).env("MAILFINO_SF_CLIENT_SECRET", "A".repeat(64)).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all_output(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(!env.config_dir().exists(), "{args:?} wrote something");
    }
    let out = env
        .cmd()
        .args(["setup", "--non-interactive", "--login-url", "https://login.salesforce.com", "--client-id", &key])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--client-secret-stdin"), "{}", stderr(&out));
    let out = env
        .cmd()
        .args(["setup", "--non-interactive", "--login-url", "https://login.salesforce.com", "--client-id", &key, "--client-secret-stdin"])
        .write_stdin("has space")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("has space"), "the secret is never echoed");
    assert!(!env.config_dir().exists());
}

#[test]
fn self_hosted_mailfino_url_becomes_the_callback() {
    let cb = "https://mail.example.com/api/v6/integrations/oauth/salesforce/callback";
    let f = fixture(|c| c.callbacks[0] = cb.into());
    let out = f.setup_cmd().args(["--mailfino-url", "https://mail.example.com/", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["callback_url"], cb);
    assert_eq!(v["ok"], true);
    assert!(f.env.config_text().contains(cb));
}

#[test]
fn setup_with_login_runs_the_login() {
    let f = fixture(|_| {});
    let out = f.setup_cmd().arg("--login").env("BROWSER", format!("{} robot-browser", bin().display())).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(f.refresh_token().is_some());
    // then every check, with the new refresh token
    assert!(stderr(&out).contains("14 passed, 0 warnings, 0 failed, 1 skipped"), "{}", stderr(&out));
}

/// The interactive wizard in a real pseudo-terminal.
#[cfg(unix)]
#[test]
fn interactive_wizard_through_a_pty() {
    use expectrl::{Expect, Regex};
    let f = fixture(|_| {});
    let mut p = wizard_at_the_consumer_key(&f);
    p.send_line("bad key with spaces").unwrap();
    p.expect(Regex("whitespace")).unwrap();
    p.send_line(f.emu.client_id()).unwrap();
    finish_wizard_without_env_file_or_login(&mut p, &f.emu.client_secret());
    assert!(f.env.config_text().contains(&f.emu.client_id()));
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()));
}

// Ctrl-C, SIGTERM and SIGHUP at the wizard's prompts: see `wizard_signals.rs`.

/// On an existing profile the wizard opens on the current values: changing only the secret and
/// the env file keeps everything else, the checklist shows only when asked for, and a path in a
/// directory that does not exist is asked again.
#[cfg(unix)]
#[test]
fn the_wizard_on_an_existing_profile_changes_only_what_is_picked() {
    use expectrl::{Eof, Expect};
    let f = fixture(|_| {});
    let old_env = f.env.path("old.env");
    let wrong = "F".repeat(64);
    let out = f.setup_cmd_with(&f.redirect, &wrong).args(["--env-file", old_env.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", all_output(&out));
    let config_before = f.env.config_text();
    let new_env = f.env.path("new.env");
    let mut seen = String::new();
    let mut p = f.env.pty(&["setup"]);
    fn expect(p: &mut expectrl::session::OsSession, seen: &mut String, what: &str) {
        let c = p.expect(what).unwrap_or_else(|e| panic!("waiting for {what:?}: {e}\n{seen}"));
        seen.push_str(&String::from_utf8_lossy(c.before()));
        seen.push_str(what);
    }
    expect(&mut p, &mut seen, "The profile is set up already");
    expect(&mut p, &mut seen, f.emu.url()); // the current values are shown
    expect(&mut p, &mut seen, "Consumer Secret: stored");
    p.send("jjjj").unwrap(); // down to the secret
    p.send_line("").unwrap();
    expect(&mut p, &mut seen, "Consumer Secret (input hidden; Enter keeps the stored one)");
    send_hidden(&mut p, &f.emu.client_secret());
    expect(&mut p, &mut seen, "Consumer Secret: new");
    p.send("jjjjj").unwrap(); // down to the env file
    p.send_line("").unwrap();
    expect(&mut p, &mut seen, "server environment");
    p.send_line(f.env.path("no/such/dir/mailfino.env").to_str().unwrap()).unwrap();
    expect(&mut p, &mut seen, "does not exist");
    p.send_line(new_env.to_str().unwrap()).unwrap();
    expect(&mut p, &mut seen, "mailfino's env file: ");
    assert!(!seen.contains("Step 1:") && !seen.contains("Step 4:"), "no checklist unless asked for:\n{seen}");
    assert!(!seen.contains("Where mailfino runs") && !seen.contains("How to create"), "{seen}");
    assert_eq!(f.env.config_text(), config_before, "nothing written while values are being asked");
    p.send("jjjjjj").unwrap(); // down to the checklist
    p.send_line("").unwrap();
    expect(&mut p, &mut seen, "Step 4:");
    expect(&mut p, &mut seen, "Paste these two lines");
    p.send_line("").unwrap(); // done
    expect(&mut p, &mut seen, "Log in now");
    p.send_line("n").unwrap();
    p.expect(Eof).unwrap();
    assert!(!seen.contains(&f.emu.client_secret()), "the secret is never echoed");
    // Only the secret and the env file changed.
    let cfg = f.env.config_text();
    assert!(cfg.contains(&f.emu.client_id()) && cfg.contains(f.emu.url()) && cfg.contains(&f.redirect), "{cfg}");
    assert!(cfg.contains("new.env"), "{cfg}");
    let creds = f.env.credentials_text();
    assert!(creds.contains(&f.emu.client_secret()) && !creds.contains(&wrong), "{creds}");
    let env = std::fs::read_to_string(&new_env).unwrap();
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_LOGIN_URL={}", f.emu.url())), "{env}");
    assert!(env.contains(&format!("MAILFINO_SALESFORCE_CLIENT_SECRET={}", f.emu.client_secret())), "{env}");
}

/// Changing only the login URL keeps the key, the secret and mailfino's callback.
#[cfg(unix)]
#[test]
fn the_wizard_on_an_existing_profile_changes_only_the_login_url() {
    use expectrl::{Eof, Expect};
    let f = fixture(|_| {});
    let out = f
        .env
        .cmd()
        .args([
            "setup",
            "--non-interactive",
            "--no-check",
            "--login-url",
            "https://login.salesforce.com",
            "--client-id",
            &f.emu.client_id(),
        ])
        .args(["--client-secret-stdin", "--redirect-uri", &f.redirect])
        .write_stdin(f.emu.client_secret())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let mut p = f.env.pty(&["setup"]);
    p.expect("login URL: https://login.salesforce.com").unwrap();
    p.send("jj").unwrap();
    p.send_line("").unwrap();
    p.expect("Salesforce org").unwrap();
    p.send("jj").unwrap(); // My Domain
    p.send_line("").unwrap();
    p.expect("My Domain URL").unwrap();
    p.send_line("not a url").unwrap();
    p.expect("My Domain URL").unwrap();
    p.send_line(f.emu.url()).unwrap();
    p.expect(format!("login URL: {}", f.emu.url())).unwrap();
    p.send_line("").unwrap(); // done
    let rest = p.expect("Log in now").unwrap();
    let text = String::from_utf8_lossy(rest.before()).to_string();
    assert!(!text.contains("Step 1:"), "{text}");
    p.send_line("n").unwrap();
    p.expect(Eof).unwrap();
    let cfg = f.env.config_text();
    assert!(cfg.contains(f.emu.url()) && cfg.contains(&f.emu.client_id()) && cfg.contains(CLOUD_CALLBACK), "{cfg}");
    assert!(f.env.credentials_text().contains(&f.emu.client_secret()));
}
