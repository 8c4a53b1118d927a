//! The command surface: help texts, usage errors, generated completions and man pages.

use std::path::Path;

use crate::support::*;

const SUBCOMMANDS: [&str; 11] =
    ["setup", "login", "verify", "audit", "refresh", "logout", "status", "export-ci", "emulator", "demo", "completions"];

#[test]
fn every_subcommand_has_help_with_an_example() {
    let env = Env::new();
    for sub in SUBCOMMANDS {
        let out = env.cmd().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help");
        let text = stdout(&out);
        assert!(text.contains("\nExamples:\n"), "{sub} --help has no example:\n{text}");
        // global options under their own heading, after the subcommand's own
        let global = text.find("Global options:").unwrap_or_else(|| panic!("{sub}: no Global options heading:\n{text}"));
        for flag in ["--profile", "--json", "--config-dir", "--store", "--no-color", "--verbose"] {
            assert!(text[global..].contains(flag) && !text[..global].contains(&format!("  {flag}")), "{sub}: {flag}\n{text}");
        }
        // each example on its own line: no line runs two commands together
        let examples = &text[text.find("\nExamples:\n").unwrap()..];
        for line in examples.lines() {
            assert!(line.matches("mailfino-sf").count() <= 1, "{sub}: two examples on one line: {line:?}");
        }
        let man = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("man/mailfino-sf-{sub}.1"))).unwrap();
        assert!(man.contains(".SH EXAMPLES\n.nf\n"), "{sub}: the man page has no unfilled EXAMPLES section");
    }
    let top = stdout(&env.cmd().arg("--help").output().unwrap());
    for sub in SUBCOMMANDS {
        assert!(top.contains(sub), "top-level help lacks {sub}");
    }
    assert!(top.contains("Exit codes"));
}

/// Help wraps at word boundaries at any width: at 60 columns no line is longer (unless it is one
/// long word, e.g. a URL) and the words are exactly those of a wide terminal.
#[test]
fn help_at_60_columns_breaks_no_word() {
    let env = Env::new();
    let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let mut args: Vec<Vec<&str>> = vec![vec!["--help"], vec!["-h"]];
    for sub in SUBCOMMANDS {
        args.push(vec![sub, "--help"]);
        args.push(vec![sub, "-h"]);
    }
    for a in args {
        let narrow = stdout(&env.cmd().args(&a).env("COLUMNS", "60").output().unwrap());
        for line in narrow.lines() {
            assert!(line.chars().count() <= 60 || !line.trim().contains(' '), "{a:?}: line over 60 columns: {line:?}");
        }
        // `-h` lays short help beside the flag when there is room; compare the long forms only
        if a.last() == Some(&"--help") {
            let wide = stdout(&env.cmd().args(&a).env("COLUMNS", "100").output().unwrap());
            assert_eq!(words(&narrow), words(&wide), "{a:?}: a word was broken at 60 columns");
        }
    }
}

#[test]
fn unknown_flags_and_bad_values_exit_2() {
    let env = Env::new();
    env.cmd().args(["verify", "--no-such-flag"]).assert().code(2);
    env.cmd().args(["--store", "cloud", "verify"]).assert().code(2);
    env.cmd().args(["export-ci", "--format", "xml"]).assert().code(2);
    env.cmd().args(["--profile", "../evil", "verify"]).assert().code(2);
    env.cmd().arg("nonsense").assert().code(2);
}

#[test]
fn global_options_go_before_or_after_the_subcommand() {
    let env = Env::new();
    let a = env.cmd().args(["--json", "--profile", "p1", "verify"]).output().unwrap();
    let b = env.cmd().args(["verify", "--json", "--profile", "p1"]).output().unwrap();
    assert_eq!(a.status.code(), Some(3), "no such profile");
    assert_eq!(stdout(&a), stdout(&b));
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("`p1`"), "{v}");
}

#[test]
fn version_and_completions() {
    let env = Env::new();
    let out = env.cmd().arg("--version").output().unwrap();
    assert_eq!(stdout(&out).trim(), format!("mailfino-sf {}", env!("CARGO_PKG_VERSION")));
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = env.cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        assert!(stdout(&out).contains("export-ci"), "{shell} completion lacks subcommands");
    }
    // --help, --version and completions touch neither the config dir nor the keyring.
    assert!(!env.config_dir().exists());
}

#[test]
fn not_configured_commands_exit_3_naming_the_fix() {
    let env = Env::new();
    for args in [&["refresh"][..], &["login", "--no-browser"], &["export-ci"]] {
        let out = env.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("mailfino-sf: error: "), "{}", stderr(&out));
        assert!(stderr(&out).contains("mailfino-sf setup"), "{}", stderr(&out));
    }
}

#[test]
fn broken_config_is_named_with_its_line_and_never_overwritten() {
    let env = Env::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let broken = "[default]\nlogin_url = \"https://login.salesforce.com\"\nclient_id = \n";
    std::fs::write(env.config_dir().join("config.toml"), broken).unwrap();
    let out = env.cmd().args(["verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("config.toml") && err.contains("line 3"), "{err}");
    let out = env
        .cmd()
        .args(["setup", "--non-interactive", "--login-url", "https://login.salesforce.com", "--client-id", "abc", "--no-check"])
        .env("MAILFINO_SF_CLIENT_SECRET", "x".repeat(64))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(env.config_dir().join("config.toml")).unwrap(), broken);
}

/// The committed completions and man pages match what the CLI generates.
/// `MAILFINO_SF_UPDATE_GENERATED=1 cargo test generated` rewrites them.
#[test]
fn generated_files_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var("MAILFINO_SF_UPDATE_GENERATED").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (rel, content) in mailfino_sf::generate::files() {
        let path = root.join(&rel);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &content).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(existing) if existing == content => {}
            Ok(existing) => {
                let old = String::from_utf8_lossy(&existing);
                let new = String::from_utf8_lossy(&content);
                let first = old.lines().zip(new.lines()).position(|(a, b)| a != b).unwrap_or(0);
                stale.push(format!(
                    "{} differs from line {}:\n- {}\n+ {}",
                    rel.display(),
                    first + 1,
                    old.lines().nth(first).unwrap_or(""),
                    new.lines().nth(first).unwrap_or("")
                ));
            }
            Err(_) => stale.push(format!("{} is missing", rel.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale; run `MAILFINO_SF_UPDATE_GENERATED=1 cargo test generated`:\n{}",
        stale.join("\n")
    );
    let man = std::fs::read_to_string(root.join("man/mailfino-sf.1")).unwrap();
    for section in ["EXIT STATUS", "ENVIRONMENT", "FILES"] {
        assert!(man.contains(section), "man page lacks {section}");
    }
    assert!(root.join("man/mailfino-sf-verify.1").exists());
}

#[test]
fn no_colour_on_a_pipe() {
    let f = fixture(|_| {});
    f.setup();
    let out = f.env.cmd().arg("verify").output().unwrap();
    assert!(!all_output(&out).contains('\u{1b}'), "colour on a pipe");
}

/// On a terminal errors are coloured, unless --no-color or NO_COLOR says otherwise.
#[cfg(unix)]
#[test]
fn no_color_reaches_the_error_line_on_a_terminal() {
    use expectrl::Expect;
    let env = Env::new();
    let run = |args: &[&str], extra_env: Option<(&str, &str)>| {
        let mut cmd = env.std_cmd();
        cmd.env("TERM", "xterm").args(args);
        if let Some((k, v)) = extra_env {
            cmd.env(k, v);
        }
        let mut p = pty_session(cmd);
        let found = p.expect(expectrl::Eof).unwrap();
        let mut bytes = found.before().to_vec();
        bytes.extend(found.get(0).unwrap_or_default());
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let coloured = run(&["refresh"], None);
    assert!(coloured.contains("error:") && coloured.contains('\u{1b}'), "{coloured:?}");
    for (args, extra) in [(&["--no-color", "refresh"][..], None), (&["refresh"][..], Some(("NO_COLOR", "1")))] {
        let plain = run(args, extra);
        assert!(plain.contains("error:") && !plain.contains('\u{1b}'), "{args:?}: {plain:?}");
    }
}
