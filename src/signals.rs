//! SIGINT, SIGTERM and SIGHUP (through `ctrlc`): one handler for the process, installed when the
//! run starts, and the moments when a signal must not end the run at once.
//!
//! - While the login waits ([`begin_wait`]), a signal only sets a flag the login loop reads; it
//!   then ends with exit 130 and frees the port.
//! - During the refresh sequence ([`Critical`]), from just before the refresh grant is sent until
//!   a rotated refresh token is stored (or kept in a recovery file), a signal is deferred: the
//!   run exits 130 right after, never between Salesforce's answer and the store.
//! - While prompts are open ([`Prompts`]), a signal restores the terminal as it was before the
//!   first prompt (echo on, cursor shown), prints the command's cancel message on a line of its
//!   own and exits 130. Ctrl-C at a hidden prompt arrives as SIGINT from the terminal; at a menu
//!   or a text prompt (raw mode) `console` reads it as a key, restores the terminal and raises
//!   SIGINT itself, and the prompt's error reaches [`prompt_interrupted`]: whichever thread comes
//!   first ends the run, the other waits for it. A [`Prompts`] guard that ends while a cancel is
//!   under way never returns, so nothing is written after "nothing was written" was decided.
//!
//! At any other time a signal exits 130 at once. SIGKILL cannot be
//! caught: a kill between Salesforce's answer and the fsync loses a rotated token (SECURITY.md).

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

mod terminal;

const NORMAL: u8 = 0;
const CRITICAL: u8 = 1;
const CRITICAL_PENDING: u8 = 2;
const WAITING: u8 = 3;
const INTERRUPTED: u8 = 4;
const PROMPTING: u8 = 5;
const CANCELLING: u8 = 6;

static STATE: AtomicU8 = AtomicU8::new(NORMAL);
static INSTALLED: Once = Once::new();

/// What the open [`Prompts`] print when a signal cancels them.
type Report = Box<dyn FnOnce() + Send>;
static REPORT: Mutex<Option<Report>> = Mutex::new(None);

/// Installs the one handler (once; `lib::run` does it at start-up, so that a signal at any
/// moment ends the run with exit 130).
pub fn install() {
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
            PROMPTING => CANCELLING,
            CRITICAL_PENDING | INTERRUPTED | CANCELLING => return,
            _ => std::process::exit(130),
        };
        if STATE.compare_exchange(state, next, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            match next {
                CRITICAL_PENDING => {
                    eprintln!("mailfino-sf: interrupted; finishing the refresh so that the new refresh token is not lost")
                }
                CANCELLING => cancel(),
                _ => {}
            }
            return;
        }
    }
}

/// Restores the terminal, prints the cancel message and exits 130. Called only by the thread
/// that moved the state to CANCELLING. Nothing here may panic (a hung-up terminal fails every
/// write; the release build aborts on a panic).
fn cancel() -> ! {
    terminal::restore();
    let _ = writeln!(std::io::stderr());
    let report = REPORT.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(report) = report {
        report();
    }
    std::process::exit(130)
}

/// Another thread is cancelling and exits the process in a moment; should its message hang on a
/// stopped terminal (XOFF), the run ends here all the same.
fn wait_for_cancel() -> ! {
    std::thread::sleep(Duration::from_secs(5));
    std::process::exit(130)
}

/// Prompts are open: a signal restores the terminal, prints what `report` prints and exits 130.
/// Dropping the guard ends that (a later signal exits 130 at once).
#[must_use = "signals cancel the prompts only while this guard lives"]
pub struct Prompts(());

impl Prompts {
    /// `report` prints the cancel message (e.g. "setup cancelled; nothing was written"); it runs
    /// on the signal thread, after the terminal is restored, and must not panic.
    pub fn begin(report: impl FnOnce() + Send + 'static) -> Self {
        install();
        terminal::save();
        *REPORT.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(report));
        enter(PROMPTING);
        Prompts(())
    }
}

impl Drop for Prompts {
    fn drop(&mut self) {
        if STATE.compare_exchange(PROMPTING, NORMAL, Ordering::SeqCst, Ordering::SeqCst).is_err()
            && STATE.load(Ordering::SeqCst) == CANCELLING
        {
            wait_for_cancel();
        }
        REPORT.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// A prompt failed with `e`. When that is the Ctrl-C `console` read as a key (it raised SIGINT
/// too) while [`Prompts`] are open, the run ends here as a signal would end it; otherwise this
/// returns and the caller reports the error.
pub fn prompt_interrupted(e: &std::io::Error) {
    if e.kind() != std::io::ErrorKind::Interrupted {
        return;
    }
    match STATE.compare_exchange(PROMPTING, CANCELLING, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => cancel(),
        Err(CANCELLING) => wait_for_cancel(),
        Err(_) => {}
    }
}

/// The login starts waiting: a signal now only sets [`interrupted`].
pub fn begin_wait() {
    install();
    enter(WAITING);
}

/// Moves from NORMAL to `state`. The moments never nest (a nested one would overwrite a pending
/// signal or an open prompt's cancel): debug builds, and so the test suite, check it.
fn enter(state: u8) {
    let was = STATE.swap(state, Ordering::SeqCst);
    debug_assert_eq!(was, NORMAL, "signal moments do not nest");
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
        enter(CRITICAL);
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
