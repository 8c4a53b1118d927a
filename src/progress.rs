//! Progress on a terminal: which checks are still running, and what a slow answer is waiting for.
//!
//! Work registers itself with [`task`] (a verify check) or [`waiting`] (an HTTP exchange); both are
//! no-ops (one atomic load) unless a [`Spinner`] is showing. A spinner appears only on a terminal
//! (stderr) and never with `--json`, and only after a delay, so a fast run prints nothing. It draws
//! on stderr through indicatif and clears itself when dropped; nothing of it reaches a pipe.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::ui::Ui;

/// A spinner is showing: record tasks.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static NEXT: AtomicU64 = AtomicU64::new(1);
static RUNNING: Mutex<Vec<Running>> = Mutex::new(Vec::new());

/// An answer slower than this is named in the spinner.
pub const SLOW: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, PartialEq, Eq)]
enum What {
    Check,
    Wait,
}

struct Running {
    id: u64,
    what: What,
    label: String,
    since: Instant,
}

/// Registered work; deregistered on drop.
pub struct Task(Option<u64>);

impl Drop for Task {
    fn drop(&mut self) {
        if let (Some(id), Ok(mut running)) = (self.0, RUNNING.lock()) {
            running.retain(|r| r.id != id);
        }
    }
}

fn register(what: What, label: impl FnOnce() -> String) -> Task {
    if !ACTIVE.load(Ordering::Relaxed) {
        return Task(None);
    }
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut running) = RUNNING.lock() {
        running.push(Running { id, what, label: label(), since: Instant::now() });
    }
    Task(Some(id))
}

/// A verify check (named by its id) is running.
pub fn task(id: &str) -> Task {
    register(What::Check, || id.to_string())
}

/// An HTTP exchange is waiting for `host` (`what`: e.g. "the token endpoint").
pub fn waiting(host: &str, what: &str) -> Task {
    register(What::Wait, || format!("{host} to answer {what}"))
}

/// What is running now: the checks, and the waits older than [`SLOW`] with their age.
pub fn snapshot() -> (Vec<String>, Vec<(String, Duration)>) {
    let Ok(running) = RUNNING.lock() else { return (Vec::new(), Vec::new()) };
    let mut checks: Vec<String> = Vec::new();
    for r in running.iter().filter(|r| r.what == What::Check) {
        if !checks.contains(&r.label) {
            checks.push(r.label.clone());
        }
    }
    let waits = running
        .iter()
        .filter(|r| r.what == What::Wait && r.since.elapsed() >= SLOW)
        .map(|r| (r.label.clone(), r.since.elapsed()))
        .collect();
    (checks, waits)
}

/// "; waiting for HOST to answer X (3 s)" for the slowest wait, or nothing.
pub fn slow_suffix(waits: &[(String, Duration)]) -> String {
    match waits.iter().max_by_key(|w| w.1) {
        Some((label, age)) => format!("; waiting for {label} ({} s)", age.as_secs()),
        None => String::new(),
    }
}

/// A spinner on stderr that shows `message()` after `delay`, refreshed ten times a second.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts the spinner when stderr is a terminal and the output is not JSON; else `None`.
    pub fn start(ui: &Ui, json: bool, delay: Duration, message: impl Fn() -> String + Send + 'static) -> Option<Spinner> {
        if !ui.stderr_tty || json {
            return None;
        }
        ACTIVE.store(true, Ordering::Relaxed);
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let shown_at = Instant::now() + delay;
            let mut bar: Option<indicatif::ProgressBar> = None;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if Instant::now() < shown_at {
                    continue;
                }
                let pb = bar.get_or_insert_with(indicatif::ProgressBar::new_spinner);
                pb.set_message(message());
                pb.tick();
            }
            if let Some(pb) = bar {
                pb.finish_and_clear();
            }
        });
        Some(Spinner { stop, thread: Some(thread) })
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        ACTIVE.store(false, Ordering::Relaxed);
    }
}

/// The verify spinner's line: the checks still running, and a slow answer.
pub fn verify_message() -> String {
    let (checks, waits) = snapshot();
    // The slow answer first: a narrow terminal cuts the line's end, and what the run waits for
    // matters more than the list of checks.
    let running = if checks.is_empty() { "finishing".to_string() } else { format!("still running: {}", checks.join(", ")) };
    let waiting = slow_suffix(&waits);
    match waiting.strip_prefix("; ") {
        Some(w) => format!("checking… {w}; {running}"),
        None => format!("checking… {running}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_are_recorded_only_while_a_spinner_shows() {
        let _quiet = task("client_id");
        assert!(snapshot().0.is_empty());
        assert_eq!(slow_suffix(&[("h to answer x".into(), Duration::from_secs(3))]), "; waiting for h to answer x (3 s)");
        assert_eq!(slow_suffix(&[]), "");
    }
}
