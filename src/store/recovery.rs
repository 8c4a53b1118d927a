//! Recovery files: a rotated refresh token that could not be stored (full disk, broken store)
//! is kept here, so that it is never lost, and the next command that needs the profile's refresh
//! token restores it into the store (or uses it) before anything is spent.
//!
//! Invariants: recovery files live in `CONFIG_DIR/recovered/` (0700), one per rotation, named
//! `PROFILE.NANOS.token`, created exclusively (never over an existing file, never through a
//! link) with mode 0600 and fsynced. When the config dir cannot take it, a fresh directory with
//! a random name (mode 0700) is made inside this user's own directory in the temp dir,
//! `mailfino-sf-recovery-user-UID`, with a `config-dir` file naming the config dir it belongs
//! to. [`find`] looks there too (one directory to read, not the whole temp dir), but only when
//! that directory is a real one this user owns and nobody else may enter (mode 0700 on Unix):
//! another user who made it first cannot plant or read a token; the file then goes to a random
//! directory straight in the temp dir, which is not found automatically (the message says how to
//! move it back). [`remove`] removes a random directory once its last token is spent.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};

use super::fsutil;
use crate::error::{io_error, Error, Result};

/// The file in a private temp dir that names the config dir whose tokens it keeps.
const MARKER: &str = "config-dir";
/// How the private temp dirs' names start (a random suffix follows).
const TEMP_PREFIX: &str = "mailfino-sf-recovery-";

/// This user's own directory in `temp` for recovery files (its random directories inside).
fn user_dir(temp: &Path) -> PathBuf {
    #[cfg(unix)]
    // SAFETY: geteuid has no preconditions and cannot fail.
    let name = format!("{TEMP_PREFIX}user-{}", unsafe { libc::geteuid() });
    #[cfg(not(unix))]
    let name = format!("{TEMP_PREFIX}user"); // %TEMP% is in the user's own profile
    temp.join(name)
}

/// [`user_dir`], made (mode 0700) when missing; None when it exists but is not this user's
/// private directory (someone else made it first, or it is a link).
fn trusted_user_dir(temp: &Path) -> Option<PathBuf> {
    let dir = user_dir(temp);
    let _ = private_dir_builder().create(&dir);
    private_to_this_user(&dir).then_some(dir)
}

/// Whether a recovery file in `path` is found by the next run by itself (in the config dir, or in
/// this user's directory in the temp dir); otherwise it has to be moved back by hand.
pub fn found_automatically(config_dir: &Path, path: &Path) -> bool {
    path.starts_with(dir(config_dir)) || path.starts_with(user_dir(&std::env::temp_dir()))
}

/// The directory of a config dir's recovery files.
pub fn dir(config_dir: &Path) -> PathBuf {
    config_dir.join("recovered")
}

/// Keeps `token` in a new recovery file; returns its path.
pub fn save(config_dir: &Path, profile: &str, token: &SecretString) -> Result<PathBuf> {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let name = format!("{profile}.{nanos:024}.token");
    let in_config = fsutil::ensure_private_dir(&dir(config_dir)).and_then(|()| create_exclusive(&dir(config_dir).join(&name), token));
    match in_config {
        Ok(path) => Ok(path),
        Err(first) => {
            let temp = std::env::temp_dir();
            let base = trusted_user_dir(&temp).unwrap_or(temp);
            let private =
                private_temp_dir(&base).map_err(|e| first.clone().context(format!("and no private temp dir could be made ({e})")))?;
            // Without the marker the file could not be found again; it is kept all the same.
            let _ = write_exclusive(&private.join(MARKER), config_key(config_dir).as_bytes());
            create_exclusive(&private.join(&name), token).map_err(|e| first.context(e.message))
        }
    }
}

/// A directory builder for mode 0700 (on Windows the temp dir's per-user ACL applies).
fn private_dir_builder() -> fs::DirBuilder {
    #[allow(unused_mut)]
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
}

/// A new directory in `base` with a random name, created exclusively with mode 0700.
fn private_temp_dir(base: &Path) -> std::io::Result<PathBuf> {
    use rand::RngCore;
    let mut last = None;
    for _ in 0..8 {
        let mut bytes = [0u8; 12];
        rand::rng().fill_bytes(&mut bytes);
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = base.join(format!("{TEMP_PREFIX}{name}"));
        match private_dir_builder().create(&path) {
            Ok(()) => return Ok(path),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free name")))
}

fn create_exclusive(path: &Path, token: &SecretString) -> Result<PathBuf> {
    if crate::faults::active("recovery-config-dir-full") && path.parent().is_some_and(|p| p.ends_with("recovered")) {
        return Err(Error::storage(format!("cannot write {}: no space left on device (simulated)", path.display())));
    }
    write_exclusive(path, format!("{}\n", token.expose_secret()).as_bytes())
}

/// Creates `path` (never over an existing file, never through a link, mode 0600) holding
/// `content`, fsynced with its directory.
fn write_exclusive(path: &Path, content: &[u8]) -> Result<PathBuf> {
    let mut options = fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let mut file = options.open(path).map_err(|e| io_error("cannot create", path, e))?;
    let written = file.write_all(content).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(path);
        return Err(io_error("cannot write", path, e));
    }
    if let Some(parent) = path.parent() {
        if let Ok(d) = fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
    Ok(path.to_path_buf())
}

/// The profile's recovery files, in the config dir and in this config dir's private temp dirs,
/// newest first.
pub fn find(config_dir: &Path, profile: &str) -> Vec<PathBuf> {
    find_in(config_dir, profile, &std::env::temp_dir())
}

fn find_in(config_dir: &Path, profile: &str, temp: &Path) -> Vec<PathBuf> {
    let mut found = tokens_in(&dir(config_dir), profile);
    for private in private_dirs(config_dir, temp) {
        found.extend(tokens_in(&private, profile));
    }
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// `(stamp, path)` of the profile's recovery files in `dir`.
fn tokens_in(dir: &Path, profile: &str) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (who, stamp) = name.strip_suffix(".token")?.rsplit_once('.')?;
            (who == profile && stamp.chars().all(|c| c.is_ascii_digit())).then(|| (stamp.to_string(), e.path()))
        })
        .collect()
}

/// How a config dir is named in a private temp dir's marker: its absolute, resolved path.
fn config_key(config_dir: &Path) -> String {
    let path = fs::canonicalize(config_dir).or_else(|_| std::path::absolute(config_dir)).unwrap_or_else(|_| config_dir.to_path_buf());
    path.display().to_string()
}

/// The directories in this user's private directory of `temp` that keep tokens of
/// `config_dir` (their marker names it). Nothing when that directory is missing or not this
/// user's private one.
fn private_dirs(config_dir: &Path, temp: &Path) -> Vec<PathBuf> {
    let parent = user_dir(temp);
    if !private_to_this_user(&parent) {
        return Vec::new();
    }
    let Ok(entries) = fs::read_dir(&parent) else { return Vec::new() };
    let key = config_key(config_dir);
    entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX)))
        .map(|e| e.path())
        .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()))
        .filter(|p| fsutil::read_text(&p.join(MARKER)).ok().flatten().is_some_and(|m| m == key))
        .collect()
}

/// A real directory (not a link) that this user owns and nobody else may enter.
fn private_to_this_user(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        meta.is_dir() && meta.uid() == me && meta.mode() & 0o077 == 0
    }
    #[cfg(not(unix))]
    {
        // The temp dir is the user's own (%TEMP% in the user's profile).
        meta.is_dir()
    }
}

/// The token a recovery file keeps.
pub fn read(path: &Path) -> Result<SecretString> {
    let text = fsutil::read_text(path)?.unwrap_or_default();
    let token = text.trim();
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(Error::storage(format!("the recovery file {} does not hold one token", path.display()))
            .hint("move it away if it is not mailfino-sf's, or run `mailfino-sf login` again"));
    }
    Ok(SecretString::from(token.to_string()))
}

/// Removes recovery files (they are spent once a newer token is stored), and a private temp
/// dir once it keeps no token.
pub fn remove(paths: &[PathBuf]) {
    for p in paths {
        let _ = fs::remove_file(p);
        let Some(parent) = p.parent() else { continue };
        if parent.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(TEMP_PREFIX)) {
            let rest: Vec<_> = fs::read_dir(parent).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
            if rest.iter().all(|n| n == MARKER) {
                let _ = fs::remove_file(parent.join(MARKER));
                let _ = fs::remove_dir(parent);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random recovery dir as `save` makes it, in `parent`, keeping `token` for the config dir
    /// `marker` names.
    #[cfg(unix)]
    fn plant(parent: &Path, name: &str, marker: &str, token: &str) -> PathBuf {
        let d = parent.join(format!("{TEMP_PREFIX}{name}"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join(MARKER), marker).unwrap();
        let file = d.join(format!("default.{:024}.token", 7));
        fs::write(&file, token).unwrap();
        file
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn only_this_users_private_dir_and_this_config_dirs_files_are_searched() {
        let config = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        let key = config_key(config.path());
        let mine = trusted_user_dir(temp.path()).expect("made, private");
        let good = plant(&mine, "good", &key, "mine");
        plant(&mine, "other", "/somewhere/else", "another-config-dirs");
        // Straight in the temp dir (where anyone may write): never searched.
        plant(temp.path(), "loose", &key, "planted-in-the-shared-temp-dir");
        assert_eq!(find_in(config.path(), "default", temp.path()), vec![good.clone()], "only this config dir's, in the user's dir");
        assert!(find_in(config.path(), "sandbox", temp.path()).is_empty(), "only the profile's files");
        // The user's dir opened to others (or made by someone else first): not trusted.
        chmod(&mine, 0o755);
        assert!(find_in(config.path(), "default", temp.path()).is_empty(), "an open user dir is not searched");
        assert_eq!(trusted_user_dir(temp.path()), None, "nor written to");
        chmod(&mine, 0o700);
        // Spent: the file, then its emptied dir, go; the user's dir and others' files stay.
        remove(std::slice::from_ref(&good));
        assert!(!good.parent().unwrap().exists());
        assert!(mine.exists() && temp.path().join(format!("{TEMP_PREFIX}loose")).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_user_dir_that_is_a_link_is_not_trusted() {
        let temp = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        chmod(elsewhere.path(), 0o700);
        std::os::unix::fs::symlink(elsewhere.path(), user_dir(temp.path())).unwrap();
        assert_eq!(trusted_user_dir(temp.path()), None);
    }

    #[test]
    fn saved_files_are_found_newest_first_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = save(dir.path(), "p.x", &SecretString::from("one")).unwrap();
        let b = save(dir.path(), "p.x", &SecretString::from("two")).unwrap();
        save(dir.path(), "other", &SecretString::from("three")).unwrap();
        assert_eq!(find(dir.path(), "p.x"), vec![b.clone(), a]);
        assert_eq!(read(&b).unwrap().expose_secret(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&b).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
