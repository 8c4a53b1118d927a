//! Everything the tool keeps on disk or in the keyring: profiles (`config.toml`), secrets
//! (keyring or `credentials.toml`), mailfino's env file, and the per-profile lock.
//!
//! All writes are atomic and private (see [`fsutil`]).

pub mod config;
pub mod envfile;
pub mod fsutil;
pub mod secrets;

use std::fs::File;
use std::path::Path;

use crate::error::{io_error, Result};

/// An exclusive lock on one profile, held for a read-refresh-store sequence so that two runs
/// never spend the same rotating refresh token. Released on drop.
pub struct ProfileLock {
    _file: File,
}

impl ProfileLock {
    /// Blocks until the lock on `profile` is ours.
    pub fn acquire(config_dir: &Path, profile: &str) -> Result<Self> {
        fsutil::ensure_private_dir(config_dir)?;
        let path = config_dir.join(format!(".{profile}.lock"));
        let mut options = File::options();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|e| io_error("cannot open lock file", &path, e))?;
        file.lock().map_err(|e| io_error("cannot lock", &path, e))?;
        Ok(ProfileLock { _file: file })
    }
}
