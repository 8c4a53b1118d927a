//! The secret store: two real stores with the same calls (OS keyring, 0600 file), and the
//! `Auto` policy of the contract (keyring first, file when no keyring answers, said once per
//! profile: the warning is remembered in config.toml as `keyring_fallback_noted`, and later only
//! `status` reminds of it).
//!
//! Keyring calls run on a helper thread and are abandoned after a timeout
//! (`MAILFINO_SF_KEYRING_TIMEOUT_MS`, default 3000, read by `context`): a hung D-Bus must not
//! hang the tool. After the first failure to reach the keyring, the rest of the run uses the file
//! store.
//!
//! One truth per secret: a value in `credentials.toml` is always the newest copy, because every
//! keyring write removes the file's copy (and fails if it cannot), and a removal the keyring
//! could not take is marked in the file (an empty value). Reads therefore look at the file first
//! and never return a stale keyring copy. Every write happens under the store-wide lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{fsutil, StoreLock};
use crate::error::{Error, Result};

/// The keyring service name of the contract.
pub const SERVICE: &str = "mailfino-sf";

/// Which secret of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKey {
    ClientSecret,
    RefreshToken,
    /// An admin's refresh token, only with `audit --keep-admin-token`.
    AdminRefreshToken,
}

impl SecretKey {
    pub fn name(self) -> &'static str {
        match self {
            SecretKey::ClientSecret => "client-secret",
            SecretKey::RefreshToken => "refresh-token",
            SecretKey::AdminRefreshToken => "admin-refresh-token",
        }
    }
}

/// Why a store call failed.
#[derive(Debug)]
pub enum StoreError {
    /// The store cannot be reached at all (no Secret Service, locked, timed out): fall back.
    Unavailable(String),
    /// The store answered with a failure.
    Failed(Error),
}

impl StoreError {
    fn into_error(self, store: &str) -> Error {
        match self {
            StoreError::Unavailable(why) => Error::storage(format!("the {store} store is not available: {why}"))
                .hint(crate::salesforce::explain::hint(&crate::salesforce::explain::Fix::Keyring)),
            StoreError::Failed(e) => e,
        }
    }
}

/// `credentials.toml` in the config dir: `[PROFILE]` tables with `client-secret` and
/// `refresh-token`, written atomically with mode 0600.
pub struct FileStore {
    pub path: PathBuf,
}

impl FileStore {
    pub fn new(config_dir: &Path) -> Self {
        FileStore { path: config_dir.join("credentials.toml") }
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    fn load(&self) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
        match fsutil::read_text(&self.path)? {
            Some(text) => toml::from_str(&text).map_err(|e| {
                Error::storage(format!("{} is not valid: {}", self.path.display(), e.message().trim()))
                    .hint("fix or remove the file by hand; it is never overwritten while broken")
            }),
            None => Ok(BTreeMap::new()),
        }
    }

    /// What the file holds for one secret, tombstones included.
    fn entry(&self, profile: &str, key: SecretKey) -> Result<Entry> {
        let data = self.load()?;
        Ok(match data.get(profile).and_then(|t| t.get(key.name())) {
            None => Entry::Missing,
            Some(v) if v.is_empty() => Entry::Deleted,
            Some(v) => Entry::Value(SecretString::from(v.clone())),
        })
    }

    /// Replaces (or removes, with `None`) one entry under the store lock; returns whether a value
    /// (not a tombstone) was there before.
    fn update(&self, profile: &str, key: SecretKey, value: Option<&str>) -> Result<bool> {
        let _lock = match value {
            Some(_) => StoreLock::acquire(self.dir())?,
            None => match StoreLock::acquire_existing(self.dir())? {
                Some(lock) => lock,
                None => return Ok(false), // no config dir: nothing is stored
            },
        };
        let mut data = self.load()?;
        let table = data.entry(profile.to_string()).or_default();
        let before = match value {
            Some(v) => table.insert(key.name().to_string(), v.to_string()),
            None => table.remove(key.name()),
        };
        let changed = before.as_deref() != value;
        if table.is_empty() {
            data.remove(profile);
        }
        if changed {
            self.save(&data)?;
        }
        Ok(before.is_some_and(|b| !b.is_empty()))
    }

    fn save(&self, data: &BTreeMap<String, BTreeMap<String, String>>) -> Result<()> {
        if crate::faults::active("store-write") {
            return Err(Error::storage(format!("cannot write {}: no space left on device (simulated)", self.path.display())));
        }
        if let Some(dir) = self.path.parent() {
            fsutil::ensure_private_dir(dir)?;
        }
        let text = toml::to_string(data).map_err(|e| Error::internal(format!("cannot encode credentials: {e}")))?;
        fsutil::write_atomic(&self.path, format!("# mailfino-sf secrets; keep this file private.\n{text}").as_bytes())
    }
}

/// One secret's entry in the file store.
enum Entry {
    Missing,
    /// Deleted while the keyring could not be reached: any keyring copy is stale.
    Deleted,
    Value(SecretString),
}

/// The file store's writes (reads go through `entry`, which also tells a deletion apart).
impl FileStore {
    /// A plain read, for the tests.
    #[cfg(test)]
    fn get(&self, profile: &str, key: SecretKey) -> Result<Option<SecretString>, StoreError> {
        match self.entry(profile, key).map_err(StoreError::Failed)? {
            Entry::Value(v) => Ok(Some(v)),
            Entry::Missing | Entry::Deleted => Ok(None),
        }
    }
    pub(crate) fn set(&self, profile: &str, key: SecretKey, value: &SecretString) -> Result<(), StoreError> {
        self.update(profile, key, Some(value.expose_secret())).map(|_| ()).map_err(StoreError::Failed)
    }
    pub(crate) fn delete(&self, profile: &str, key: SecretKey) -> Result<bool, StoreError> {
        self.update(profile, key, None).map_err(StoreError::Failed)
    }
}

/// The OS keyring (Secret Service on Linux through a pure-Rust D-Bus), every call bounded.
pub struct KeyringStore {
    timeout: Duration,
    dead: AtomicBool,
}

impl KeyringStore {
    /// A keyring store whose every call is abandoned after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        KeyringStore { timeout, dead: AtomicBool::new(false) }
    }

    /// Runs `op` on an entry with a timeout; the helper thread is abandoned if it hangs.
    fn call<T: Send + 'static>(
        &self,
        profile: &str,
        key: SecretKey,
        op: impl FnOnce(keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        if self.dead.load(Ordering::Relaxed) {
            return Err(StoreError::Unavailable("it did not answer earlier in this run".into()));
        }
        let account = format!("{profile}/{}", key.name());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let result = keyring::Entry::new(SERVICE, &account).and_then(op);
            let _ = tx.send(result);
        });
        let result = match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(_) => {
                self.dead.store(true, Ordering::Relaxed);
                return Err(StoreError::Unavailable(format!("no answer within {} ms", self.timeout.as_millis())));
            }
        };
        result.map_err(|e| {
            use keyring::Error as K;
            match e {
                K::NoDefaultStore | K::NoStorageAccess(_) | K::PlatformFailure(_) => {
                    self.dead.store(true, Ordering::Relaxed);
                    StoreError::Unavailable(e.to_string())
                }
                other => StoreError::Failed(Error::storage(format!("keyring: {other}"))),
            }
        })
    }
}

/// The keyring's calls: get, set, delete (whether something was deleted).
impl KeyringStore {
    pub(crate) fn get(&self, profile: &str, key: SecretKey) -> Result<Option<SecretString>, StoreError> {
        let got = self.call(profile, key, |entry| match entry.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })?;
        Ok(got.map(SecretString::from))
    }
    pub(crate) fn set(&self, profile: &str, key: SecretKey, value: &SecretString) -> Result<(), StoreError> {
        if crate::faults::active("keyring-write-locked") {
            self.dead.store(true, Ordering::Relaxed);
            return Err(StoreError::Unavailable("the keyring is locked (simulated)".into()));
        }
        let value = value.expose_secret().to_string();
        self.call(profile, key, move |entry| entry.set_password(&value))
    }
    pub(crate) fn delete(&self, profile: &str, key: SecretKey) -> Result<bool, StoreError> {
        self.call(profile, key, |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(e),
        })
    }
}

/// Which store the run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// Keyring, falling back to the file with one warning (the default).
    Auto,
    /// Only the keyring; failing to reach it is an error (exit 7).
    Keyring,
    /// Only the file.
    File,
}

/// Where a secret was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Env,
    Keyring,
    File,
    /// A recovery file that could not be restored into the store (see `store::recovery`).
    Recovery,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Env => "environment",
            Source::Keyring => "keyring",
            Source::File => "file store",
            Source::Recovery => "recovery file",
        }
    }
}

/// The store policy of a run.
pub struct Secrets {
    mode: StoreMode,
    keyring: KeyringStore,
    file: FileStore,
    warned: AtomicBool,
    /// The fallback is noted in config.toml for the profile of this run.
    noted: AtomicBool,
    /// Never warn about the fallback (`status` shows its own reminder).
    quiet: AtomicBool,
    ui: crate::ui::Ui,
}

impl Secrets {
    pub fn new(mode: StoreMode, config_dir: &Path, ui: crate::ui::Ui, keyring_timeout: Duration) -> Self {
        Secrets {
            mode,
            keyring: KeyringStore::new(keyring_timeout),
            file: FileStore::new(config_dir),
            warned: AtomicBool::new(false),
            noted: AtomicBool::new(false),
            quiet: AtomicBool::new(false),
            ui,
        }
    }

    /// No fallback warning from now on (the caller reports the store itself).
    pub fn quiet(&self) {
        self.quiet.store(true, Ordering::Relaxed);
    }

    /// Says once per profile that the file store is used; remembered in the stored profile (a
    /// profile not stored yet is noted on a later call of the run, once `setup` has saved it).
    fn fallback_warning(&self, profile: &str, why: &str) {
        if self.quiet.load(Ordering::Relaxed) || self.noted.load(Ordering::Relaxed) {
            return;
        }
        let Some(dir) = self.file.path.parent() else { return };
        let stored = super::config::ConfigFile::load(dir).ok().and_then(|c| c.profile(profile).cloned());
        if stored.as_ref().is_some_and(|p| p.keyring_fallback_noted) {
            self.noted.store(true, Ordering::Relaxed);
            return;
        }
        if !self.warned.swap(true, Ordering::Relaxed) {
            self.ui.warn(&format!(
                "no keyring answered ({why}); using the file store {} (mode 0600). Said once for profile `{profile}`; \
                 `mailfino-sf status` reminds you. Pass --store file to choose the file store explicitly.",
                self.file.path.display()
            ));
        }
        if stored.is_some() && super::config::update_profile(dir, profile, |p| p.keyring_fallback_noted = true).unwrap_or(false) {
            self.noted.store(true, Ordering::Relaxed);
        }
    }

    /// Reads a secret: the file store's copy when there is one (it is always the newest, see the
    /// module doc), else the keyring (not in `File` mode).
    pub fn get(&self, profile: &str, key: SecretKey) -> Result<Option<(SecretString, Source)>> {
        let found = self.get_unregistered(profile, key)?;
        if let Some((v, _)) = &found {
            crate::redact::register(v.expose_secret());
        }
        Ok(found)
    }

    fn get_unregistered(&self, profile: &str, key: SecretKey) -> Result<Option<(SecretString, Source)>> {
        match self.file.entry(profile, key)? {
            Entry::Value(v) => return Ok(Some((v, Source::File))),
            Entry::Deleted => return Ok(None),
            Entry::Missing if self.mode == StoreMode::File => return Ok(None),
            Entry::Missing => {}
        }
        match self.keyring.get(profile, key) {
            Ok(v) => Ok(v.map(|v| (v, Source::Keyring))),
            Err(StoreError::Unavailable(why)) if self.mode == StoreMode::Auto => {
                self.fallback_warning(profile, &why);
                Ok(None)
            }
            Err(e) => Err(e.into_error("keyring")),
        }
    }

    /// Stores a secret under the store lock; returns where it went. A keyring write removes the
    /// file's copy (so that no stale copy shadows it); a file write supersedes the keyring's.
    pub fn set(&self, profile: &str, key: SecretKey, value: &SecretString) -> Result<Source> {
        crate::redact::register(value.expose_secret());
        let _lock = StoreLock::acquire(self.file.dir())?;
        if self.mode != StoreMode::File {
            match self.keyring.set(profile, key, value) {
                Ok(()) => {
                    self.file.delete(profile, key).map_err(|e| {
                        e.into_error("file").context("stored in the keyring, but the older copy in the file store could not be removed")
                    })?;
                    return Ok(Source::Keyring);
                }
                Err(StoreError::Unavailable(why)) if self.mode == StoreMode::Auto => self.fallback_warning(profile, &why),
                Err(e) => return Err(e.into_error("keyring")),
            }
        }
        self.file.set(profile, key, value).map_err(|e| e.into_error("file"))?;
        Ok(Source::File)
    }

    /// Deletes a secret from every store of the mode under the store lock; returns whether
    /// anything was deleted. When the keyring cannot be reached (Auto), the file marks the secret
    /// deleted so that the keyring's stale copy is never read again.
    pub fn delete(&self, profile: &str, key: SecretKey) -> Result<bool> {
        let _lock = StoreLock::acquire_existing(self.file.dir())?;
        let mut deleted = false;
        let mut keyring_unreached = false;
        if self.mode != StoreMode::File {
            match self.keyring.delete(profile, key) {
                Ok(d) => deleted |= d,
                Err(StoreError::Unavailable(why)) if self.mode == StoreMode::Auto => {
                    self.fallback_warning(profile, &why);
                    keyring_unreached = true;
                }
                Err(e) => return Err(e.into_error("keyring")),
            }
        }
        let file_result = if keyring_unreached && _lock.is_some() {
            self.file.update(profile, key, Some(""))
        } else {
            self.file.update(profile, key, None)
        };
        deleted |= file_result?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trip_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        assert!(store.get("p", SecretKey::RefreshToken).unwrap().is_none());
        store.set("p", SecretKey::RefreshToken, &SecretString::from("rt-1")).unwrap();
        store.set("p", SecretKey::ClientSecret, &SecretString::from("cs-1")).unwrap();
        store.set("q", SecretKey::ClientSecret, &SecretString::from("cs-q")).unwrap();
        let got = store.get("p", SecretKey::RefreshToken).unwrap().unwrap();
        assert_eq!(got.expose_secret(), "rt-1");
        assert!(store.delete("p", SecretKey::RefreshToken).unwrap());
        assert!(!store.delete("p", SecretKey::RefreshToken).unwrap());
        assert_eq!(store.get("q", SecretKey::ClientSecret).unwrap().unwrap().expose_secret(), "cs-q");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&store.path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
