//! Everything the tool keeps on disk or in the keyring: profiles (`config.toml`), secrets
//! (keyring or `credentials.toml`), mailfino's env file, recovery files, and the locks.
//!
//! All writes are atomic and private (see [`fsutil`]); every read-modify-write of the store
//! happens under the store-wide lock, a refresh sequence under its profile's lock (see [`lock`]).

pub mod config;
pub mod envfile;
pub(crate) mod fsutil;
pub(crate) mod lock;
pub(crate) mod recovery;
pub(crate) mod secrets;

pub use lock::{ProfileLock, StoreLock};
