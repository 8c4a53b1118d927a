//! Terminal output: colour decisions per stream, marks, warnings, the error format, and the
//! sanitising of untrusted text (anything a server or a browser sent) before it is printed.
//!
//! `ui` never decides anything about the flow; it only renders.

use std::io::{IsTerminal, Write};

use console::Style;

use crate::error::Error;
use crate::redact::redact;

/// Rendering settings for both streams, resolved once at start-up.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// Colour on stdout.
    pub color_out: bool,
    /// Colour on stderr.
    pub color_err: bool,
    /// stdin and stderr are terminals: prompts, spinners and paste-while-waiting are allowed.
    pub interactive: bool,
    /// stderr is a terminal (spinners, countdowns).
    pub stderr_tty: bool,
}

impl Ui {
    /// Resolves colour and interactivity from the flags, `NO_COLOR`, `TERM` and the streams.
    pub fn detect(no_color: bool) -> Self {
        let env_off = crate::context::environment().no_color;
        let allowed = !no_color && !env_off;
        let stderr_tty = std::io::stderr().is_terminal();
        Ui {
            color_out: allowed && std::io::stdout().is_terminal(),
            color_err: allowed && stderr_tty,
            interactive: std::io::stdin().is_terminal() && stderr_tty,
            stderr_tty,
        }
    }

    /// A style that only colours when `on` is set.
    fn style(on: bool, base: Style) -> Style {
        base.force_styling(on)
    }

    pub fn red(&self, on_stdout: bool) -> Style {
        Self::style(self.pick(on_stdout), Style::new().red().bold())
    }
    pub fn green(&self, on_stdout: bool) -> Style {
        Self::style(self.pick(on_stdout), Style::new().green().bold())
    }
    pub fn yellow(&self, on_stdout: bool) -> Style {
        Self::style(self.pick(on_stdout), Style::new().yellow().bold())
    }
    pub fn dim(&self, on_stdout: bool) -> Style {
        Self::style(self.pick(on_stdout), Style::new().dim())
    }
    pub fn bold(&self, on_stdout: bool) -> Style {
        Self::style(self.pick(on_stdout), Style::new().bold())
    }
    pub fn cyan(&self, on_stdout: bool) -> Style {
        Self::style(self.pick(on_stdout), Style::new().cyan())
    }
    fn pick(&self, on_stdout: bool) -> bool {
        if on_stdout {
            self.color_out
        } else {
            self.color_err
        }
    }

    /// `mailfino-sf: warning: …` on stderr (with every known secret redacted).
    pub fn warn(&self, message: &str) {
        let label = self.yellow(false).apply_to("warning:");
        eprintln!("mailfino-sf: {label} {}", redact(message));
    }

    /// Prints an error and its hints on stderr (with every known secret redacted), wrapped at word
    /// boundaries to the terminal.
    pub fn error(&self, err: &Error) {
        let label = self.red(false).apply_to("error:");
        let width = width(false);
        let mut stderr = std::io::stderr().lock();
        let first = "mailfino-sf: error: ".len();
        for (i, line) in wrap(&redact(&err.message), width.saturating_sub(first)).iter().enumerate() {
            let _ = if i == 0 { writeln!(stderr, "mailfino-sf: {label} {line}") } else { writeln!(stderr, "{:first$}{line}", "") };
        }
        for hint in err.hints.iter().filter(|h| !h.trim().is_empty()) {
            for (i, line) in wrap(&redact(hint), width.saturating_sub(8)).iter().enumerate() {
                let _ = if i == 0 {
                    writeln!(stderr, "  {} {line}", self.dim(false).apply_to("hint:"))
                } else {
                    writeln!(stderr, "        {line}")
                };
            }
        }
    }
}

/// The width to wrap text for a stream at: the terminal's, else `COLUMNS` (at least 30). A pipe
/// or a log without `COLUMNS` gets whole lines (a huge width), so that scripts can grep them.
pub fn width(stdout: bool) -> usize {
    let term = if stdout { console::Term::stdout() } else { console::Term::stderr() };
    let cols = term.size_checked().map(|(_, w)| usize::from(w)).or(crate::context::environment().columns).unwrap_or(usize::MAX / 2);
    cols.max(30)
}

/// Wraps text at word boundaries (a word longer than the width, e.g. a URL, stays whole on its
/// own line rather than being broken).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    // No splitting at hyphens either: `mailfino-sf` and `--env-file` stay whole.
    let opts = textwrap::Options::new(width.max(20)).break_words(false).word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, opts).into_iter().map(|l| l.into_owned()).collect()
}

/// Removes every secret the run knows from untrusted text, then escapes control, bidi and
/// zero-width characters and caps its length, so that a hostile server or URL can neither make
/// the tool print a secret nor rewrite the terminal.
pub fn sanitize(text: &str) -> String {
    sanitize_max(text, 500)
}

/// [`sanitize`] without the length cap, for text the tool composed around untrusted parts.
pub fn clean(text: &str) -> String {
    sanitize_max(text, usize::MAX)
}

/// [`sanitize`] with another cap on the number of characters kept.
pub fn sanitize_max(text: &str, max: usize) -> String {
    let text = crate::redact::redact(text);
    let mut out = String::with_capacity(text.len().min(max.saturating_add(8)));
    for (count, c) in text.chars().enumerate() {
        if count >= max {
            out.push('…');
            break;
        }
        let hidden = matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
        if c.is_control() || hidden {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Reports a failed command: the error and its hints on stderr and, with `--json`, a JSON object
/// `{"ok": false, "error": {"message", "hints", "exit_code"}}` on stdout for scripts.
pub fn report_error(err: &Error, json: bool, no_color: bool) {
    Ui::detect(no_color).report(err, json);
}

impl Ui {
    /// The error on stderr, and with `json` its JSON document on stdout.
    pub fn report(&self, err: &Error, json: bool) {
        self.error(err);
        if !json {
            return;
        }
        let v = serde_json::json!({
            "ok": false,
            "error": {
                "message": redact(&err.message), "hints": err.hints.iter().map(|h| redact(h)).collect::<Vec<_>>(),
                "exit_code": err.kind.code(), "oauth_error": err.oauth_code.as_deref().map(sanitize),
            },
        });
        out(&v.to_string());
    }
}

/// Prints a line on stdout, ignoring a closed pipe.
pub fn out(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

#[cfg(test)]
mod tests {
    use super::{sanitize, wrap};

    #[test]
    fn wrapping_never_breaks_a_word() {
        let text = "in Salesforce Setup → External Client App Manager → your app → Settings → OAuth Settings → Callback URL: add `http://localhost:8717/callback` on a line of its own; then run `mailfino-sf setup --env-file PATH`";
        for width in [20, 40, 60, 120] {
            let lines = wrap(text, width);
            let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
            assert_eq!(words, text.split_whitespace().collect::<Vec<_>>(), "{width}");
            assert!(lines.iter().all(|l| l.chars().count() <= width || !l.contains(' ')), "{width}: {lines:?}");
        }
    }

    #[test]
    fn sanitize_escapes_terminal_tricks() {
        assert_eq!(sanitize("plain text"), "plain text");
        assert_eq!(sanitize("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(sanitize("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(sanitize("line\nbreak"), "line\\u{a}break");
        let long = "a".repeat(2000);
        assert_eq!(sanitize(&long).chars().count(), 501);
    }
}
