//! The code's shape, as ARCHITECTURE.md states it: the environment is read in one module
//! (`src/context.rs`); clap's types are seen only by the seam (`src/settings.rs`) and the code
//! that parses or documents the command line; and the product imports the emulator only in the
//! `emulator`, `demo` and `robot-browser` subcommands (and the seam's translation of their flags).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(file relative to src/, line number)` of every code line (comments left out) containing one
/// of `needles`.
fn code_lines_with(needles: &[&str]) -> Vec<(String, usize)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut hits = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        for (i, line) in std::fs::read_to_string(&file).unwrap().lines().enumerate() {
            let code = line.trim_start();
            if !code.starts_with("//") && needles.iter().any(|n| code.contains(n)) {
                hits.push((rel.clone(), i + 1));
            }
        }
    }
    hits
}

#[test]
fn the_environment_is_read_in_context_rs_only() {
    let hits = code_lines_with(&["env::var(", "env::var_os(", "env::vars(", "env::vars_os("]);
    let outside: Vec<_> = hits.iter().filter(|(f, _)| f != "context.rs").collect();
    assert!(outside.is_empty(), "read the environment through crate::context, not here: {outside:?}");
    assert!(hits.iter().any(|(f, _)| f == "context.rs"), "the scan finds context.rs's own reads");
}

#[test]
fn only_the_emulator_demo_and_robot_subcommands_import_the_emulator() {
    let hits = code_lines_with(&["mailfino_sf_emulator"]);
    let allowed = ["cmd/emulator.rs", "cmd/demo.rs", "cmd/robot.rs", "settings/emulator.rs"];
    let outside: Vec<_> = hits.iter().filter(|(f, _)| !allowed.contains(&f.as_str())).collect();
    assert!(outside.is_empty(), "the product imports the emulator: {outside:?}");
    assert!(hits.iter().any(|(f, _)| f == "cmd/emulator.rs"), "the scan finds the emulator subcommand's import");
}

#[test]
fn nothing_past_the_settings_seam_sees_clap_types() {
    let hits = code_lines_with(&["cli::", "use clap", "clap::"]);
    // The parser itself, `main` (parse), `lib` (hands the parse to the seam), the generated
    // completions and man pages, and the seam.
    let allowed = ["cli.rs", "main.rs", "lib.rs", "generate.rs", "settings.rs", "settings/emulator.rs"];
    let outside: Vec<_> = hits.iter().filter(|(f, _)| !allowed.contains(&f.as_str())).collect();
    assert!(outside.is_empty(), "past the seam, take a typed plan from crate::settings instead of clap's types: {outside:?}");
    for file in ["settings.rs", "cli.rs"] {
        assert!(hits.iter().any(|(f, _)| f == file), "the scan finds {file}'s own use of clap");
    }
}
