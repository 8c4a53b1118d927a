//! The terminal's state before the first prompt, put back when a signal cancels the prompts: the
//! line discipline (echo, canonical input; a hidden prompt turns echo off and a menu switches to
//! raw mode) and the cursor (a menu hides it). `console` restores both itself when a prompt ends
//! normally, but not when the process ends in the middle of one.
//!
//! Only stdin's terminal is handled: the prompts run only when stdin is a terminal, and then
//! `console` reads from it. On Windows only the cursor is shown again.

/// Saves the terminal's line settings (once per open prompts; a later call replaces them).
pub(super) fn save() {
    #[cfg(unix)]
    unix::save();
}

/// Puts the saved line settings back and shows the cursor. Never panics; errors (a terminal
/// that hung up) are ignored.
pub(super) fn restore() {
    #[cfg(unix)]
    unix::restore();
    let term = console::Term::stderr();
    if term.is_term() {
        let _ = term.show_cursor();
    }
}

#[cfg(unix)]
mod unix {
    use std::io::IsTerminal;
    use std::sync::Mutex;

    static SAVED: Mutex<Option<libc::termios>> = Mutex::new(None);

    pub(super) fn save() {
        if !std::io::stdin().is_terminal() {
            return;
        }
        let mut t = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: tcgetattr fills the termios on success (checked) and only reads fd 0.
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, t.as_mut_ptr()) } == 0 {
            // SAFETY: initialised by the successful tcgetattr above.
            let t = unsafe { t.assume_init() };
            *SAVED.lock().unwrap_or_else(|e| e.into_inner()) = Some(t);
        }
    }

    pub(super) fn restore() {
        let saved = *SAVED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = saved {
            // SAFETY: tcsetattr only reads the termios, a copy of one tcgetattr returned.
            unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) };
        }
    }
}
