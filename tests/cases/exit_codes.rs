//! One exit-code table: `src/error.rs` holds it; README, `--help`, the man page and SECURITY.md
//! must say the same.

use mailfino_sf::error::EXIT_CODES;

use crate::support::Env;

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// The rows of the README's "## Exit codes" table, as (code, meaning).
fn readme_rows() -> Vec<(u8, String)> {
    let readme = repo_file("README.md");
    let section = readme.split("## Exit codes").nth(1).expect("README has an Exit codes section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split('|').map(str::trim).collect();
            Some((cells.first()?.parse().ok()?, cells.get(1)?.to_string()))
        })
        .collect()
}

#[test]
fn readme_exit_code_table_equals_the_code_table() {
    let expected: Vec<(u8, String)> = EXIT_CODES.iter().map(|e| (e.code, e.meaning.to_string())).collect();
    assert_eq!(readme_rows(), expected);
}

#[test]
fn help_lists_every_exit_code_with_its_label() {
    let env = Env::new();
    let out = env.cmd().arg("--help").env("COLUMNS", "400").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let start = help.find("Exit codes:").expect("an Exit codes paragraph in --help");
    let paragraph = help[start..].split("\n\n").next().unwrap();
    let line = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let listed: Vec<String> = line.trim_start_matches("Exit codes:").trim().trim_end_matches('.').split(", ").map(str::to_string).collect();
    let expected: Vec<String> = EXIT_CODES.iter().map(|e| format!("{} {}", e.code, e.label)).collect();
    assert_eq!(listed, expected);
}

#[test]
fn man_page_exit_status_equals_the_code_table() {
    let man = repo_file("man/mailfino-sf.1");
    let section = man.split(".SH \"EXIT STATUS\"").nth(1).expect("an EXIT STATUS section");
    let section = section.split(".SH ").next().unwrap();
    let lines: Vec<&str> = section.lines().filter(|l| *l != ".TP" && !l.is_empty()).collect();
    let rows: Vec<(String, String)> =
        lines.chunks(2).map(|c| (c[0].trim_start_matches("\\fB").trim_end_matches("\\fR").to_string(), c[1].replace("\\-", "-"))).collect();
    let expected: Vec<(String, String)> = EXIT_CODES.iter().map(|e| (e.code.to_string(), e.meaning.to_string())).collect();
    assert_eq!(rows, expected);
}

#[test]
fn every_exit_code_named_in_security_md_and_readme_exists() {
    let known: Vec<u8> = EXIT_CODES.iter().map(|e| e.code).collect();
    for file in ["SECURITY.md", "README.md"] {
        let text = repo_file(file).to_lowercase();
        let mut rest = text.as_str();
        let mut seen = 0;
        while let Some(i) = rest.find("exit ") {
            rest = &rest[i + 5..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(code) = digits.parse::<u8>() {
                seen += 1;
                assert!(known.contains(&code), "{file} names exit {code}, which is not in the exit-code table");
            }
        }
        assert!(seen > 0, "{file} names no exit code; the scan would prove nothing");
    }
}
