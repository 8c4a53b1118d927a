//! Atomic, private file writes: every file the tool writes goes through [`write_atomic`].
//!
//! Invariant: a reader sees either the old content or the new content, never a half-written or
//! empty file. The new content goes to a temp file in the same directory (created 0600, whatever
//! the umask), is fsynced, renamed over the target, and the directory is fsynced.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use crate::error::{io_error, Error, Result};

/// Largest file the tool reads from a path (config, credentials, env files, recovery files).
pub const MAX_FILE: u64 = 1024 * 1024;

/// Reads a regular file whole, refusing anything that is not a regular file (a FIFO, a device
/// such as `/dev/zero`) and anything larger than [`MAX_FILE`]; `Ok(None)` when it does not exist.
/// The open never blocks (a FIFO without a writer would otherwise hang it).
pub fn read_capped(path: &Path) -> Result<Option<Vec<u8>>> {
    let mut options = fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK | libc::O_CLOEXEC);
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("cannot read", path, e)),
    };
    let meta = file.metadata().map_err(|e| io_error("cannot read", path, e))?;
    if !meta.is_file() {
        return Err(Error::usage(format!("{} is not a regular file; refusing to read it", path.display()))
            .hint("expected the path of a plain text file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).map_err(|e| io_error("cannot read", path, e))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Error::usage(format!("{} is larger than {} KiB; refusing to read it", path.display(), MAX_FILE / 1024))
            .hint("expected a small text file"));
    }
    Ok(Some(bytes))
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text(path: &Path) -> Result<Option<String>> {
    match read_capped(path)? {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| Error::storage(format!("{} is not UTF-8 text", path.display()))),
    }
}

/// Creates `dir` (and its parents) and makes it 0700.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| io_error("cannot create directory", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(dir).map_err(|e| io_error("cannot read", dir, e))?;
        if meta.permissions().mode() & 0o777 != 0o700 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| io_error("cannot make private", dir, e))?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically with mode 0600. The parent directory must exist.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // tempfile creates the file with mode 0600 on Unix regardless of the umask.
    let mut tmp = tempfile::Builder::new()
        .prefix(".mailfino-sf-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| io_error("cannot create a temporary file in", dir, e))?;
    remove_stale_temp_files(dir);
    tmp.write_all(bytes).map_err(|e| io_error("cannot write", tmp.path(), e))?;
    crate::faults::crash_point("crash-before-fsync");
    tmp.as_file().sync_all().map_err(|e| io_error("cannot flush", tmp.path(), e))?;
    crate::faults::crash_point("crash-before-rename");
    tmp.persist(path).map_err(|e| io_error("cannot replace", path, e.error))?;
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes temp files that a crashed earlier write left behind (older than a minute, so that a
/// concurrent writer's file is never touched).
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".mailfino-sf-") && name.ends_with(".tmp")) {
            continue;
        }
        let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > 60);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Returns a warning when `path` can be read by group or others.
pub fn loose_permissions(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!("{} is readable by other users (mode {mode:o}); run `chmod 600 {}`", path.display(), path.display()));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[test]
    fn private_dir_is_0700() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        ensure_private_dir(&sub).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&sub).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }
}
