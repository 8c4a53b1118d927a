//! mailfino's server environment file: merge our `MAILFINO_SALESFORCE_*` keys into an existing
//! file without disturbing anything else.
//!
//! Invariants: every foreign line (comments, blank lines, other keys, `export` prefixes, order)
//! is kept byte for byte; each of our keys is replaced in place where it first stands, later
//! duplicates of it are dropped (they would override the new value), missing keys are appended.
//!
//! The file is mailfino's: a write goes through symlinks to the file mailfino reads (the link
//! stays), keeps the owner, group and mode of an existing file (only permissions for others are
//! removed), is atomic, and is prepared completely ([`prepare`]) before anything changes. A write
//! that changes the content first keeps the old file as `NAME.bak.YYYYMMDDTHHMMSSZ` next to it
//! (the newest [`BACKUPS_KEPT`] are kept); a write that changes nothing writes nothing. Two
//! writers take turns (a lock on the directory, no lock file in mailfino's directory).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{io_error, Error, Result};

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

/// How many timestamped backups of the env file are kept; older ones are removed.
pub const BACKUPS_KEPT: usize = 5;
/// The largest env file read: a configuration file of a few lines, not a data file.
pub const MAX_SIZE: u64 = 1 << 20;

/// Reads the text of the file at `path` (following symlinks); `Ok(None)` when it does not exist.
/// Only a regular UTF-8 file of at most [`MAX_SIZE`] bytes is read (a FIFO or a device would
/// block or never end); anything else is an `InvalidData` error saying why.
pub fn read(path: &Path) -> std::io::Result<Option<String>> {
    use std::io::{Error as IoError, ErrorKind, Read};
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Err(IoError::new(ErrorKind::InvalidData, "it is not a regular file"));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)?.take(MAX_SIZE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SIZE {
        return Err(IoError::new(ErrorKind::InvalidData, format!("it is larger than {} KiB", MAX_SIZE / 1024)));
    }
    String::from_utf8(bytes).map(Some).map_err(|_| IoError::new(ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// The values `text` assigns to `keys`, as a shell or a dotenv reader sees them: the last
/// assignment of a key counts. A value that cannot be read (an open quote) is `Err(why)`.
pub fn values<'k>(text: &str, keys: &[&'k str]) -> Vec<(&'k str, std::result::Result<String, &'static str>)> {
    let mut found: Vec<(&'k str, std::result::Result<String, &'static str>)> = Vec::new();
    for line in text.lines() {
        let Some((prefix, key)) = assignment_key(line) else { continue };
        let Some(k) = keys.iter().find(|k| **k == key) else { continue };
        let rest = &line[prefix.len()..];
        let raw = rest.split_once('=').map_or("", |(_, v)| v);
        found.retain(|(f, _)| f != k);
        found.push((k, parse_value(raw)));
    }
    found
}

/// The value of one assignment (the text after `=`): unquoted text up to a ` #` comment, with
/// trailing blanks dropped and `\x` for a literal `x`; `'…'` literally; `"…"` with `\"`, `\\`,
/// `\$` and `` \` `` escapes; adjacent parts are joined, as in a shell.
pub fn parse_value(raw: &str) -> std::result::Result<String, &'static str> {
    let mut out = String::new();
    let mut blanks = String::new();
    let mut chars = raw.trim_start_matches([' ', '\t']).chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                blanks.push(c);
                continue;
            }
            '#' if !blanks.is_empty() => break,
            _ => out.push_str(&std::mem::take(&mut blanks)),
        }
        match c {
            '\'' => loop {
                match chars.next() {
                    Some('\'') => break,
                    Some(x) => out.push(x),
                    None => return Err("a single quote is not closed"),
                }
            },
            '"' => loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(x @ ('"' | '\\' | '$' | '`')) => out.push(x),
                        Some(x) => out.extend(['\\', x]),
                        None => return Err("a double quote is not closed"),
                    },
                    Some(x) => out.push(x),
                    None => return Err("a double quote is not closed"),
                }
            },
            '\\' => out.extend(chars.next()),
            x => out.push(x),
        }
    }
    Ok(out)
}

/// Follows `path` through symlinks (up to 40) to the file a reader opens; the result need not
/// exist yet.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p).map_err(|e| io_error("cannot read the symlink", &p, e))?;
                p = if to.is_absolute() { to } else { p.parent().unwrap_or(Path::new("")).join(to) };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(io_error("cannot read", &p, e)),
        }
    }
    Err(Error::usage(format!("{} is a chain of more than 40 symlinks", path.display())).hint("point --env-file at the file itself"))
}

/// Owner, group and permission bits of an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ownership {
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

impl Ownership {
    #[cfg(unix)]
    fn of(meta: &fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        Ownership { uid: meta.uid(), gid: meta.gid(), mode: meta.mode() & 0o7777 }
    }
    #[cfg(not(unix))]
    fn of(_: &fs::Metadata) -> Self {
        Ownership { uid: 0, gid: 0, mode: 0o600 }
    }
    /// The mode the rewritten file gets: the same, less everything for others.
    fn kept_mode(self) -> u32 {
        self.mode & 0o770
    }
}

/// A checked, ready write of mailfino's env file: everything that can be found out without
/// changing a file has been (the directory, the old content, that the owner can be kept).
/// Dropping it changes nothing.
pub struct Plan {
    /// The path as given (perhaps a symlink).
    pub path: PathBuf,
    /// The file written: `path` with every symlink followed.
    pub target: PathBuf,
    existing: Option<(String, Ownership)>,
    merged: String,
    /// The new file, created in the target's directory with the old owner and mode; None when
    /// the content stays the same.
    tmp: Option<tempfile::NamedTempFile>,
    /// An exclusive lock on the target's directory from the read to the rename, so that two
    /// writers never merge into the same old content (None where directories cannot be locked).
    _lock: Option<fs::File>,
}

/// What [`Plan::commit`] did.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The content changed.
    pub changed: bool,
    /// The copy of the previous file, when there was one and it changed.
    pub backup: Option<PathBuf>,
    /// Things the admin should know (permissions removed, a new file's owner, a symlink followed).
    pub notes: Vec<String>,
}

/// The file at `path` as a write would find it, checked without changing anything: the file
/// written (symlinks followed) and its current text and ownership, if it exists. A bad path is a
/// usage error (exit 2) naming it.
pub fn inspect(path: &Path) -> Result<(PathBuf, Option<(String, Ownership)>)> {
    let bad = |why: &str| {
        Error::usage(format!("--env-file `{}` {why}", path.display())).hint("expected a file path, e.g. /etc/mailfino/salesforce.env")
    };
    if path.as_os_str().is_empty() || path.is_dir() {
        return Err(bad("is not a file path"));
    }
    let target = resolve(path)?;
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(bad(&format!("is in a directory that does not exist ({})", dir.display()))
            .hint("create the directory first, or pass another --env-file"));
    }
    let existing = match read(&target) {
        Ok(Some(text)) => {
            let meta = fs::metadata(&target).map_err(|e| io_error("cannot read", &target, e))?;
            Some((text, Ownership::of(&meta)))
        }
        Ok(None) => None,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(bad(&format!("cannot be rewritten: {e}")).hint("mailfino-sf merges its lines into an existing text file"))
        }
        Err(e) => return Err(io_error("cannot read", &target, e)),
    };
    Ok((target, existing))
}

/// Checks everything about writing `pairs` into the file at `path` and prepares the write (see
/// [`inspect`]; then a new file in the target's directory with the old owner and mode).
pub fn prepare(path: &Path, pairs: &[(&str, &str)]) -> Result<Plan> {
    let (target, _) = inspect(path)?;
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let lock = lock_dir(dir)?;
    // Read again under the lock: what is merged is what is there now.
    let (target, existing) = inspect(path)?;
    let merged = merge(existing.as_ref().map_or("", |(t, _)| t.as_str()), pairs);
    let unchanged = existing.as_ref().is_some_and(|(old, _)| *old == merged);
    let tmp = if unchanged { None } else { Some(new_file(dir, existing.as_ref().map(|(_, o)| *o), &target)?) };
    Ok(Plan { path: path.to_path_buf(), target, existing, merged, tmp, _lock: lock })
}

/// Locks `dir` exclusively (waiting at most a minute); no file is created for it. Where a
/// directory cannot be opened as a file (Windows), writes go unlocked.
fn lock_dir(dir: &Path) -> Result<Option<fs::File>> {
    let Ok(d) = fs::File::open(dir) else { return Ok(None) };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match d.try_lock() {
            Ok(()) => return Ok(Some(d)),
            Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::storage(format!("another mailfino-sf is writing in {} for over a minute", dir.display()))
                    .hint("let it finish, then run this again; nothing was changed"))
            }
            Err(fs::TryLockError::Error(_)) => return Ok(None),
        }
    }
}

/// A temp file in `dir` with the owner and mode the env file keeps (0600 for a new file).
fn new_file(dir: &Path, owner: Option<Ownership>, target: &Path) -> Result<tempfile::NamedTempFile> {
    // tempfile creates the file with mode 0600 on Unix regardless of the umask.
    let tmp = tempfile::Builder::new()
        .prefix(".mailfino-sf-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| io_error("cannot create a file in", dir, e))?;
    if let Some(o) = owner {
        set_owner(tmp.as_file(), o, o.kept_mode()).map_err(|e| {
            Error::storage(format!("cannot keep the owner of {} (uid {}, gid {}): {e}", target.display(), o.uid, o.gid))
                .hint("run mailfino-sf as root (sudo) or as the file's owner; nothing was changed")
        })?;
    }
    Ok(tmp)
}

#[cfg(unix)]
fn set_owner(file: &fs::File, o: Ownership, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = file.metadata()?;
    if meta.uid() != o.uid || meta.gid() != o.gid {
        std::os::unix::fs::fchown(file, Some(o.uid), Some(o.gid))?;
    }
    // After the chown, which may clear set-id bits.
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_owner(_: &fs::File, _: Ownership, _: u32) -> std::io::Result<()> {
    Ok(())
}

impl Plan {
    /// The content changes.
    pub fn changes(&self) -> bool {
        self.tmp.is_some()
    }

    /// Writes: first a timestamped backup of the old file (when the content changes), then the
    /// new content atomically over the target (never over a symlink), with the old owner, group
    /// and mode less the permissions for others.
    pub fn commit(self) -> Result<Written> {
        let mut written = Written::default();
        if self.target != self.path {
            written.notes.push(format!("{} is a symlink; wrote its target {}", self.path.display(), self.target.display()));
        }
        if let Some((_, o)) = &self.existing {
            if o.mode & 0o007 != 0 {
                written.notes.push(format!(
                    "{} was readable by other users (mode {:04o}); it is now {:04o}",
                    self.target.display(),
                    o.mode,
                    o.kept_mode()
                ));
            }
        }
        let Some(mut tmp) = self.tmp else {
            if let Some((_, o)) = self.existing.filter(|(_, o)| o.mode & 0o007 != 0) {
                set_mode(&self.target, o.kept_mode())?;
            }
            return Ok(written);
        };
        if let Some((old, o)) = &self.existing {
            written.backup = Some(backup(&self.target, old, *o)?);
        } else {
            written.notes.push(format!(
                "created {} (mode 0600) for the user running mailfino-sf; if mailfino runs as another user, give it the file (chown)",
                self.target.display()
            ));
        }
        use std::io::Write;
        tmp.write_all(self.merged.as_bytes()).map_err(|e| io_error("cannot write", tmp.path(), e))?;
        tmp.as_file().sync_all().map_err(|e| io_error("cannot flush", tmp.path(), e))?;
        tmp.persist(&self.target).map_err(|e| io_error("cannot replace", &self.target, e.error))?;
        sync_dir(&self.target);
        written.changed = true;
        Ok(written)
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| io_error("cannot change the mode of", path, e))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<()> {
    Ok(())
}

fn sync_dir(file: &Path) {
    #[cfg(unix)]
    if let Some(d) = file.parent().and_then(|d| fs::File::open(if d.as_os_str().is_empty() { Path::new(".") } else { d }).ok()) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Keeps `old` as `TARGET.bak.YYYYMMDDTHHMMSSZ` (never replacing an earlier backup), owned like
/// the file and mode 0600, then removes all but the newest [`BACKUPS_KEPT`].
fn backup(target: &Path, old: &str, o: Ownership) -> Result<PathBuf> {
    use std::io::Write;
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = new_file(dir, Some(Ownership { mode: 0o600, ..o }), target)?;
    tmp.write_all(old.as_bytes()).map_err(|e| io_error("cannot write", tmp.path(), e))?;
    tmp.as_file().sync_all().map_err(|e| io_error("cannot flush", tmp.path(), e))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let base = format!("{}.bak.{stamp}", target.file_name().unwrap_or_default().to_string_lossy());
    // After the newest backup of this second (a pruned name is never reused: names sort by age).
    let taken = backups(target).iter().filter_map(|b| b.file_name()?.to_str()?.strip_prefix(&base).map(str::to_string)).collect::<Vec<_>>();
    let mut n = taken.iter().map(|s| s.strip_prefix('-').and_then(|n| n.parse().ok()).unwrap_or(1)).max().map_or(1, |m: u32| m + 1);
    let path = loop {
        let name = if n == 1 { base.clone() } else { format!("{base}-{n:02}") };
        match tmp.persist_noclobber(dir.join(&name)) {
            Ok(_) => break dir.join(name),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists && n < 99 => {
                tmp = e.file;
                n += 1;
            }
            Err(e) => return Err(io_error("cannot write the backup", &dir.join(name), e.error)),
        }
    };
    sync_dir(&path);
    prune_backups(target);
    Ok(path)
}

/// The backups this tool made of `target`, oldest first.
pub fn backups(target: &Path) -> Vec<PathBuf> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let prefix = format!("{}.bak.", target.file_name().unwrap_or_default().to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().and_then(|n| n.strip_prefix(&prefix)).is_some_and(is_stamp))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// `YYYYMMDDTHHMMSSZ` with an optional `-NN`.
fn is_stamp(s: &str) -> bool {
    let (stamp, n) = s.split_once('-').unwrap_or((s, "00"));
    let b = stamp.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
        && n.len() == 2
        && n.bytes().all(|c| c.is_ascii_digit())
}

fn prune_backups(target: &Path) {
    let all = backups(target);
    for old in &all[..all.len().saturating_sub(BACKUPS_KEPT)] {
        let _ = fs::remove_file(old);
    }
}

/// Merges `pairs` into the file at `path` (created if missing): [`prepare`] and [`Plan::commit`].
pub fn write(path: &Path, pairs: &[(&str, &str)]) -> Result<Written> {
    prepare(path, pairs)?.commit()
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

    #[test]
    fn values_are_read_as_a_shell_reads_them() {
        let keys = ["A", "B", "C", "D", "E", "F"];
        let text = "A=plain # comment\nexport B='it'\\''s'\nC=\"x \\\"y\\\" \\$z\"\n  D = ignored\nE=one\nE=two\nF='open\n";
        let got = values(text, &keys);
        let get = |k: &str| got.iter().find(|(f, _)| *f == k).map(|(_, v)| v.clone());
        assert_eq!(get("A"), Some(Ok("plain".into())));
        assert_eq!(get("B"), Some(Ok("it's".into())));
        assert_eq!(get("C"), Some(Ok("x \"y\" $z".into())));
        assert_eq!(get("E"), Some(Ok("two".into())), "the last assignment counts");
        assert!(get("F").unwrap().is_err());
        assert_eq!(parse_value("a#b"), Ok("a#b".into()));
        assert_eq!(parse_value("  a b  "), Ok("a b".into()));
    }

    #[test]
    fn format_then_parse_round_trips() {
        for v in ["", "plain", "it's", "a b", "$HOME", "x\"y", "\\", "a#b", " lead", "#x"] {
            let line = format_assignment("K", v);
            assert_eq!(values(&line, &["K"])[0].1, Ok(v.to_string()), "{line}");
        }
    }

    #[test]
    fn a_second_writer_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.env");
        fs::write(&path, "FOREIGN=1\n").unwrap();
        let first = prepare(&path, &[("A", "1")]).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        let second = std::thread::spawn(move || {
            let w = write(&p, &[("B", "2")]);
            tx.send(()).unwrap();
            w
        });
        assert!(rx.recv_timeout(std::time::Duration::from_millis(300)).is_err(), "the second writer waits");
        first.commit().unwrap();
        second.join().unwrap().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "FOREIGN=1\nA=1\nB=2\n", "nothing lost");
    }

    #[test]
    fn backups_are_timestamped_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.env");
        fs::write(&path, "A=0\n").unwrap();
        fs::write(dir.path().join("m.env.bak.mine"), "keep").unwrap();
        for n in 1..=(BACKUPS_KEPT + 2) {
            let w = write(&path, &[("A", &n.to_string())]).unwrap();
            assert!(w.changed && w.backup.is_some());
        }
        let kept = backups(&path);
        assert_eq!(kept.len(), BACKUPS_KEPT);
        assert_eq!(fs::read_to_string(kept.last().unwrap()).unwrap(), format!("A={}\n", BACKUPS_KEPT + 1));
        assert!(dir.path().join("m.env.bak.mine").exists(), "a backup of someone else is never pruned");
        let w = write(&path, &[("A", &(BACKUPS_KEPT + 2).to_string())]).unwrap();
        assert!(!w.changed && w.backup.is_none(), "no change, no backup");
        assert_eq!(backups(&path).len(), BACKUPS_KEPT);
    }
}
