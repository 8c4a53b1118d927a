//! The two locks of the store, both advisory file locks in the config dir, both taken with a
//! bounded wait.
//!
//! - [`StoreLock`] (`.store-lock`) covers every read-modify-write of `config.toml`,
//!   `credentials.toml` and a profile's keyring entries, for all profiles at once. It is held for
//!   milliseconds (a read and an atomic write), never across a network call. It is re-entrant
//!   within one thread, so that a save that calls another save does not wait for itself.
//! - [`ProfileLock`] (`.PROFILE.lock`) covers one profile's read-refresh-store sequence, so that
//!   two runs never spend the same rotating refresh token. It is held across the refresh call.
//!
//! Invariants: a lock file is opened without following a symbolic link (`O_NOFOLLOW`), created
//! 0600; the names cannot collide (a profile name never starts with `.`, so `.store-lock` is no
//! profile's `.NAME.lock`); a wait longer than the lock timeout (`MAILFINO_SF_LOCK_TIMEOUT`,
//! read by `context`) is a storage error (exit 7) naming the lock and what to do.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use super::fsutil;
use crate::error::{io_error, Error, Result};

/// The default wait for either lock.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

static TIMEOUT: Mutex<Option<Duration>> = Mutex::new(None);

/// Sets how long a run waits for a lock (from `MAILFINO_SF_LOCK_TIMEOUT`).
pub fn set_timeout(timeout: Duration) {
    *TIMEOUT.lock().unwrap_or_else(|p| p.into_inner()) = Some(timeout);
}

fn timeout() -> Duration {
    TIMEOUT.lock().unwrap_or_else(|p| p.into_inner()).unwrap_or(DEFAULT_TIMEOUT)
}

/// Opens (creating 0600) a lock file, refusing a symbolic link.
fn open_lock_file(path: &Path) -> Result<File> {
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return Error::storage(format!("the lock file {} is a symbolic link; refusing to follow it", path.display()))
                .hint("a lock file is never a link: remove it (`rm` on the link itself) and run the command again");
        }
        io_error("cannot open lock file", path, e)
    })
}

/// Takes the file lock on `path`, polling until `deadline`.
fn lock_file(path: &Path, deadline: Instant, what: &str) -> Result<File> {
    let file = open_lock_file(path)?;
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(io_error("cannot lock", path, e)),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(timeout_error(path, what));
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

fn timeout_error(path: &Path, what: &str) -> Error {
    Error::storage(format!(
        "another mailfino-sf run has held {what} ({}) for more than {} s; nothing was changed",
        path.display(),
        timeout().as_secs_f64()
    ))
    .hint("wait for the other run to finish and try again (the lock ends with that process; a lock file left behind is harmless)")
    .hint("to wait longer, set MAILFINO_SF_LOCK_TIMEOUT=SECS")
}

/// The in-process side of the store lock: which thread holds it, how often, and the file.
struct Held {
    owner: Option<ThreadId>,
    depth: usize,
    file: Option<File>,
}

static HELD: Mutex<Held> = Mutex::new(Held { owner: None, depth: 0, file: None });
static RELEASED: Condvar = Condvar::new();

fn held() -> MutexGuard<'static, Held> {
    HELD.lock().unwrap_or_else(|p| p.into_inner())
}

/// The store-wide lock; released on drop (re-entrant within a thread).
#[must_use = "the lock is released when this is dropped"]
pub struct StoreLock {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl StoreLock {
    /// The lock file of a config dir.
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join(".store-lock")
    }

    /// Waits (bounded) until the store lock of `config_dir` is ours; creates the dir (0700).
    pub fn acquire(config_dir: &Path) -> Result<Self> {
        let me = std::thread::current().id();
        let deadline = Instant::now() + timeout();
        let mut state = held();
        loop {
            match state.owner {
                Some(owner) if owner == me => {
                    state.depth += 1;
                    return Ok(StoreLock { _not_send: std::marker::PhantomData });
                }
                None => break,
                Some(_) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(timeout_error(&Self::path(config_dir), "the store lock"));
                    }
                    state = RELEASED.wait_timeout(state, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
                }
            }
        }
        state.owner = Some(me);
        drop(state);
        let file = fsutil::ensure_private_dir(config_dir)
            .and_then(|()| lock_file(&Self::path(config_dir), deadline, "the store lock"))
            .inspect_err(|_| {
                let mut state = held();
                state.owner = None;
                RELEASED.notify_all();
            })?;
        let mut state = held();
        state.file = Some(file);
        state.depth = 1;
        Ok(StoreLock { _not_send: std::marker::PhantomData })
    }

    /// As [`acquire`](Self::acquire), but only when `config_dir` exists (nothing on disk to
    /// protect otherwise, and env-only runs must not create it).
    pub fn acquire_existing(config_dir: &Path) -> Result<Option<Self>> {
        if config_dir.is_dir() {
            Self::acquire(config_dir).map(Some)
        } else {
            Ok(None)
        }
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        let mut state = held();
        state.depth = state.depth.saturating_sub(1);
        if state.depth == 0 {
            state.file = None; // closing the file releases the flock
            state.owner = None;
            RELEASED.notify_all();
        }
    }
}

/// An exclusive lock on one profile, held for a read-refresh-store sequence so that two runs
/// never spend the same rotating refresh token. Released on drop.
pub struct ProfileLock {
    _file: File,
}

impl ProfileLock {
    /// Waits (bounded) until the lock on `profile` is ours.
    pub fn acquire(config_dir: &Path, profile: &str) -> Result<Self> {
        fsutil::ensure_private_dir(config_dir)?;
        let path = config_dir.join(format!(".{profile}.lock"));
        let what = format!("the lock of profile `{profile}`");
        Ok(ProfileLock { _file: lock_file(&path, Instant::now() + timeout(), &what)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_lock_is_reentrant_and_exclusive_across_threads() {
        let dir = tempfile::tempdir().unwrap();
        let outer = StoreLock::acquire(dir.path()).unwrap();
        let inner = StoreLock::acquire(dir.path()).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let d = dir.path().to_path_buf();
        let t = std::thread::spawn(move || {
            let _l = StoreLock::acquire(&d).unwrap();
            tx.send(()).unwrap();
        });
        drop(inner);
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err(), "still held by the outer guard");
        drop(outer);
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
        t.join().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_lock_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::os::unix::fs::symlink(&target, dir.path().join(".p.lock")).unwrap();
        let err = ProfileLock::acquire(dir.path(), "p").err().unwrap();
        assert!(err.message.contains("symbolic link"), "{}", err.message);
        assert!(!target.exists());
    }
}
