//! SIGINT, SIGTERM and SIGHUP (through `ctrlc`): one handler for the process, installed the first
//! time something needs it, and the two moments when a signal must not end the run at once.
//!
//! - While the login waits ([`begin_wait`]), a signal only sets a flag the login loop reads; it
//!   then ends with exit 130 and frees the port.
//! - During the refresh sequence ([`Critical`]), from just before the refresh grant is sent until
//!   a rotated refresh token is stored (or kept in a recovery file), a signal is deferred: the
//!   run exits 130 right after, never between Salesforce's answer and the store.
//!
//! At any other time a signal exits 130 at once, as it would by default. SIGKILL cannot be
//! caught: a kill between Salesforce's answer and the fsync loses a rotated token (SECURITY.md).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Once;

const NORMAL: u8 = 0;
const CRITICAL: u8 = 1;
const CRITICAL_PENDING: u8 = 2;
const WAITING: u8 = 3;
const INTERRUPTED: u8 = 4;

static STATE: AtomicU8 = AtomicU8::new(NORMAL);
static INSTALLED: Once = Once::new();

fn install() {
    INSTALLED.call_once(|| {
        let _ = ctrlc::set_handler(on_signal);
    });
}

fn on_signal() {
    loop {
        let state = STATE.load(Ordering::SeqCst);
        let next = match state {
            CRITICAL => CRITICAL_PENDING,
            WAITING => INTERRUPTED,
            CRITICAL_PENDING | INTERRUPTED => return,
            _ => std::process::exit(130),
        };
        if STATE.compare_exchange(state, next, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            if next == CRITICAL_PENDING {
                eprintln!("mailfino-sf: interrupted; finishing the refresh so that the new refresh token is not lost");
            }
            return;
        }
    }
}

/// The login starts waiting: a signal now only sets [`interrupted`].
pub fn begin_wait() {
    install();
    STATE.store(WAITING, Ordering::SeqCst);
}

/// Whether a signal arrived while the login waited.
pub fn interrupted() -> bool {
    STATE.load(Ordering::SeqCst) == INTERRUPTED
}

/// The login stopped waiting: signals end the run at once again.
pub fn end_wait() {
    STATE.store(NORMAL, Ordering::SeqCst);
}

/// The refresh sequence: signals are deferred until [`finish`](Critical::finish).
#[must_use = "signals are deferred until this is finished or dropped"]
pub struct Critical {
    done: bool,
}

impl Critical {
    pub fn begin() -> Self {
        install();
        STATE.store(CRITICAL, Ordering::SeqCst);
        Critical { done: false }
    }

    /// Ends the deferral; returns whether a signal arrived meanwhile (the caller reports its
    /// outcome and exits 130).
    pub fn finish(mut self) -> bool {
        self.done = true;
        STATE.swap(NORMAL, Ordering::SeqCst) == CRITICAL_PENDING
    }
}

impl Drop for Critical {
    fn drop(&mut self) {
        if !self.done {
            STATE.store(NORMAL, Ordering::SeqCst);
        }
    }
}
