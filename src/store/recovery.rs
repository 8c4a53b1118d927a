//! Recovery files: a rotated refresh token that could not be stored (full disk, broken store)
//! is kept here, so that it is never lost, and the next command that needs the profile's refresh
//! token restores it into the store (or uses it) before anything is spent.
//!
//! Invariants: recovery files live in `CONFIG_DIR/recovered/` (0700), one per rotation, named
//! `PROFILE.NANOS.token`, created exclusively (never over an existing file, never through a
//! link) with mode 0600 and fsynced. When the config dir cannot take it, a fresh private
//! directory with a random name is created in the temp dir (never a predictable name in a shared
//! dir); that file is not found automatically and the message says how to move it back.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};

use super::fsutil;
use crate::error::{io_error, Error, Result};

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
            let private = private_temp_dir().map_err(|e| first.clone().context(format!("and no private temp dir could be made ({e})")))?;
            create_exclusive(&private.join(&name), token).map_err(|e| first.context(e.message))
        }
    }
}

/// A new directory in the temp dir with a random name, created exclusively with mode 0700.
fn private_temp_dir() -> std::io::Result<PathBuf> {
    use rand::RngCore;
    let mut last = None;
    for _ in 0..8 {
        let mut bytes = [0u8; 12];
        rand::rng().fill_bytes(&mut bytes);
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("mailfino-sf-recovery-{name}"));
        #[allow(unused_mut)] // set to mode 0700 on Unix; Windows keeps the temp dir's per-user ACL
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&path) {
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
    let mut options = fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let mut file = options.open(path).map_err(|e| io_error("cannot create", path, e))?;
    let written = file.write_all(format!("{}\n", token.expose_secret()).as_bytes()).and_then(|()| file.sync_all());
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

/// The profile's recovery files in the config dir, newest first.
pub fn find(config_dir: &Path, profile: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir(config_dir)) else { return Vec::new() };
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (who, stamp) = name.strip_suffix(".token")?.rsplit_once('.')?;
            (who == profile && stamp.chars().all(|c| c.is_ascii_digit())).then(|| (stamp.to_string(), e.path()))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found.into_iter().map(|(_, p)| p).collect()
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

/// Removes recovery files (they are spent once a newer token is stored).
pub fn remove(paths: &[PathBuf]) {
    for p in paths {
        let _ = fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
