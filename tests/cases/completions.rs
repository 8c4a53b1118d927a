//! The committed completion scripts work: the bash one is driven through its completion function
//! in a real bash (COMP_WORDS / COMP_CWORD, as bash's `complete -F` calls it).

use std::path::Path;

use crate::support::*;

/// Runs the committed bash completion for each command line (the last word is the one being
/// completed) and returns the candidates of each.
fn bash_complete(env: &Env, lines: &[&[&str]]) -> Vec<Vec<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/mailfino-sf.bash");
    let mut program = format!("source '{}'\n", script.display());
    program.push_str(
        "c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; \
         COMPREPLY=(); _mailfino__sf mailfino-sf \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\" 2>/dev/null; \
         echo \"${COMPREPLY[*]}\"; }\n",
    );
    for line in lines {
        let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
        program.push_str(&format!("c {}\n", words.join(" ")));
    }
    let bin_dir = bin().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&program)
        .env_clear()
        .env("PATH", path)
        .env("HOME", env.dir.path())
        .env("MAILFINO_SF_CONFIG_DIR", env.config_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    stdout(&out).lines().map(|l| l.split_whitespace().map(str::to_string).collect()).collect()
}

#[test]
fn bash_completion_completes_flags_values_and_profiles() {
    if !e2e_available("bash", which("bash").is_some()) {
        return;
    }
    let env = Env::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_dir().join("config.toml"), "[default]\nclient_id = \"a\"\n[sandbox]\nclient_id = \"b\"\n").unwrap();
    let got = bash_complete(
        &env,
        &[
            &["mailfino-sf", "setup", "--login-u"],
            &["mailfino-sf", "export-ci", "--format", ""],
            &["mailfino-sf", "--profile", ""],
            &["mailfino-sf", "verify", "--profile", "s"],
            &["mailfino-sf", ""],
            &["mailfino-sf", "--store", ""],
            &["mailfino-sf", "completions", ""],
        ],
    );
    assert_eq!(got[0], ["--login-url"]);
    assert_eq!(got[1], ["env", "json", "github"]);
    assert_eq!(got[2], ["default", "sandbox"], "profiles come from the config, not file names");
    assert_eq!(got[3], ["sandbox"]);
    for sub in ["setup", "login", "verify", "refresh", "logout", "status", "export-ci", "emulator", "demo", "completions"] {
        assert!(got[4].iter().any(|w| w == sub), "{sub} missing from {:?}", got[4]);
    }
    assert!(!got[4].iter().any(|w| w == "robot-browser" || w.starts_with("__")), "hidden commands offered: {:?}", got[4]);
    assert_eq!(got[5], ["keyring", "file"]);
    for shell in ["bash", "zsh", "fish"] {
        assert!(got[6].iter().any(|w| w == shell), "{:?}", got[6]);
    }
}

#[test]
fn profile_completion_helper_is_quiet_without_a_config() {
    let env = Env::new();
    let out = env.cmd().arg("__complete-profiles").output().unwrap();
    assert!(out.status.success());
    assert_eq!(all_output(&out), "");
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_dir().join("config.toml"), "broken =").unwrap();
    let out = env.cmd().arg("__complete-profiles").output().unwrap();
    assert!(out.status.success());
    assert_eq!(all_output(&out), "", "an error never lands in the command line");
    // and with a config, it lists the profiles (so the silence above is not all it can do)
    std::fs::write(env.config_dir().join("config.toml"), "[default]\nclient_id = \"a\"\n[sandbox]\nclient_id = \"b\"\n").unwrap();
    let out = env.cmd().arg("__complete-profiles").output().unwrap();
    assert!(out.status.success());
    assert_eq!((stdout(&out).as_str(), stderr(&out).as_str()), ("default\nsandbox\n", ""));
}

#[test]
fn zsh_and_fish_scripts_complete_profiles_and_hide_hidden_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for file in ["_mailfino-sf", "mailfino-sf.fish", "mailfino-sf.bash"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(text.contains("mailfino-sf __complete-profiles"), "{file}");
        assert!(!text.contains("robot-browser") && !text.contains("'__complete"), "{file} offers a hidden command");
    }
    let zsh = std::fs::read_to_string(root.join("_mailfino-sf")).unwrap();
    assert!(zsh.contains(":URL:_urls") && zsh.contains(":PATH:_files") && zsh.contains(":DIR:_files -/"), "zsh value hints");
}
