//! mailfino's server environment file: merge our `MAILFINO_SALESFORCE_*` keys into an existing
//! file without disturbing anything else.
//!
//! Invariants: every foreign line (comments, blank lines, other keys, `export` prefixes, order)
//! is kept byte for byte; each of our keys is replaced in place where it first stands, later
//! duplicates of it are dropped (they would override the new value), missing keys are appended.
//! The file is written atomically, mode 0600, and the previous content is kept as `PATH.bak`.

use std::path::{Path, PathBuf};

use super::fsutil;
use crate::error::{Error, Result};

/// Merges `pairs` into `existing` and returns the new text.
pub fn merge(existing: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(existing.len() + 256);
    let mut done = vec![false; pairs.len()];
    for line in existing.split_inclusive('\n') {
        match assignment_key(line).and_then(|(prefix, key)| pairs.iter().position(|(k, _)| *k == key).map(|i| (prefix, i))) {
            Some((_, i)) if done[i] => {} // a duplicate of a key already written: drop it
            Some((prefix, i)) => {
                let ending = if line.ends_with("\r\n") {
                    "\r\n"
                } else if line.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                out.push_str(prefix);
                out.push_str(&format_assignment(pairs[i].0, pairs[i].1));
                out.push_str(ending);
                done[i] = true;
            }
            None => out.push_str(line),
        }
    }
    if !out.is_empty() && !out.ends_with('\n') && done.iter().any(|d| !d) {
        out.push('\n');
    }
    for (i, (k, v)) in pairs.iter().enumerate() {
        if !done[i] {
            out.push_str(&format_assignment(k, v));
            out.push('\n');
        }
    }
    out
}

/// The key a line assigns, as shells and dotenv readers see it (`  export KEY=value` -> `KEY`).
pub fn assigned_key(line: &str) -> Option<&str> {
    assignment_key(line).map(|(_, key)| key)
}

/// For `  export KEY=value`, returns (`  export `, `KEY`). Only spaces and tabs count as blanks,
/// as in a shell.
fn assignment_key(line: &str) -> Option<(&str, &str)> {
    let blank = [' ', '\t'];
    let trimmed = line.trim_start_matches(blank);
    let indent = line.len() - trimmed.len();
    let (rest, export_len) = match trimmed.strip_prefix("export") {
        Some(r) if r.starts_with(blank) => (r.trim_start_matches(blank), trimmed.len() - r.trim_start_matches(blank).len()),
        _ => (trimmed, 0),
    };
    let eq = rest.find('=')?;
    let key = rest[..eq].trim_end();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some((&line[..indent + export_len], key))
}

/// `KEY=value`, single-quoted when the value holds anything a shell or dotenv reader would touch.
pub fn format_assignment(key: &str, value: &str) -> String {
    let plain = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || "._:/@%+,-".contains(c));
    if plain {
        format!("{key}={value}")
    } else {
        format!("{key}='{}'", value.replace('\'', "'\\''"))
    }
}

/// Merges `pairs` into the file at `path` (created if missing); returns the backup path if one
/// was written.
pub fn write(path: &Path, pairs: &[(&str, &str)]) -> Result<Option<PathBuf>> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::storage(format!("cannot write {}: the directory {} does not exist", path.display(), dir.display()))
            .hint("create the directory first, or pass another --env-file"));
    }
    // Read with a size cap, refusing devices and FIFOs (`--env-file /dev/zero` ends at once).
    let existing = match fsutil::read_capped(path)? {
        Some(bytes) => Some(
            String::from_utf8(bytes)
                .map_err(|_| Error::storage(format!("{} is not UTF-8 text; refusing to rewrite it", path.display())))?,
        ),
        None => None,
    };
    let merged = merge(existing.as_deref().unwrap_or(""), pairs);
    let mut backup = None;
    if let Some(old) = &existing {
        if *old == merged {
            return Ok(None);
        }
        let mut bak = path.as_os_str().to_owned();
        bak.push(".bak");
        let bak = PathBuf::from(bak);
        fsutil::write_atomic(&bak, old.as_bytes())?;
        backup = Some(bak);
    }
    fsutil::write_atomic(path, merged.as_bytes())?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_foreign_lines_and_replaces_in_place() {
        let existing =
            "# mailfino\nexport DB_URL=postgres://x\nMAILFINO_SALESFORCE_CLIENT_ID=old\n\nOTHER='a b'\nMAILFINO_SALESFORCE_CLIENT_ID=dup\n";
        let merged =
            merge(existing, &[("MAILFINO_SALESFORCE_CLIENT_ID", "new"), ("MAILFINO_SALESFORCE_LOGIN_URL", "https://login.salesforce.com")]);
        assert_eq!(
            merged,
            "# mailfino\nexport DB_URL=postgres://x\nMAILFINO_SALESFORCE_CLIENT_ID=new\n\nOTHER='a b'\nMAILFINO_SALESFORCE_LOGIN_URL=https://login.salesforce.com\n"
        );
    }

    #[test]
    fn merge_keeps_export_prefix_and_handles_missing_newline() {
        let merged = merge("  export MAILFINO_SALESFORCE_CLIENT_ID=old", &[("MAILFINO_SALESFORCE_CLIENT_ID", "n"), ("K", "it's")]);
        assert_eq!(merged, "  export MAILFINO_SALESFORCE_CLIENT_ID=n\nK='it'\\''s'\n");
    }

    #[test]
    fn merge_is_idempotent() {
        let pairs = [("A", "1"), ("B", "two words")];
        let once = merge("X=1\n", &pairs);
        assert_eq!(merge(&once, &pairs), once);
    }
}
