//! Hidden fault injection for the test suite, all in one place.
//!
//! `MAILFINO_SF_FAULT` holds comma-separated fault names; with it unset (always, outside tests)
//! every check here is false. The faults simulate what tests cannot cause for real as root on a
//! healthy disk: a crash in the middle of an atomic write, a store that cannot be written.

/// Whether the named fault is switched on.
pub fn active(name: &str) -> bool {
    crate::context::environment().faults.iter().any(|f| f == name)
}

/// Simulates a crash at this point of a write (the process dies as a power cut would leave it).
pub fn crash_point(name: &str) {
    if active(name) {
        std::process::abort();
    }
}
