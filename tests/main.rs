//! The integration suite: one test binary (fast to link), one module per command.
//!
//! Every test runs the real binary against the real emulator on loopback, with a scrubbed
//! environment and a throwaway config dir (see `support`).

mod support;

mod cases {
    mod admin_token;
    mod app;
    mod attacks;
    mod audit;
    mod ci;
    mod cli;
    mod completions;
    mod demo;
    mod emulator;
    mod envfile;
    mod exit_codes;
    mod fidelity;
    mod golden;
    mod hardening;
    mod health;
    mod hostile;
    // The Secret Service over D-Bus (Linux, BSD): macOS and Windows always have their own keyring,
    // which the "no keyring answers" cases cannot take away.
    #[cfg(all(unix, not(target_os = "macos")))]
    mod keyring;
    mod login;
    #[cfg(unix)]
    mod pipes;
    mod policy;
    #[cfg(unix)] // every case drives a pseudo-terminal
    mod progress;
    mod properties;
    #[cfg(unix)] // the pseudo-terminal helpers themselves
    mod pty;
    mod setup;
    mod shape;
    mod signals;
    mod status;
    mod store;
    mod verify;
    #[cfg(unix)] // every case drives a pseudo-terminal
    mod wizard_signals;
}
