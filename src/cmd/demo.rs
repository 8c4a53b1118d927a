//! `mailfino-sf demo`: the whole journey (setup, login, verify, refresh twice with rotation,
//! logout) against an in-process emulator, in a throwaway profile and config dir, with nothing
//! to type, no browser and no keyring.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::browser::BrowserChoice;
use crate::checks::{self, Status, VerifyOptions};
use crate::cmd::logout::LogoutPlan;
use crate::cmd::setup::{self, ApplyOptions, SetupValues, StepsView};
use crate::cmd::{audit, login, logout, verify};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::renew::{self, Rotated};
use crate::salesforce::values::CLOUD_CALLBACK;
use crate::store::secrets::StoreMode;
use mailfino_sf_emulator::{Emulator, EmulatorConfig};

/// A loopback port that is free on 127.0.0.1 and ::1 right now.
fn free_port() -> Result<u16> {
    for _ in 0..20 {
        let v4 = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| Error::internal(format!("cannot find a free port: {e}")))?;
        let port = v4.local_addr().map_err(|e| Error::internal(e.to_string()))?.port();
        // On a machine without IPv6 the bind fails for another reason than "in use"; fine.
        match TcpListener::bind(("::1", port)) {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            _ => return Ok(port),
        }
    }
    Err(Error::internal("cannot find a free loopback port"))
}

fn chapter(ctx: &Context, n: u8, title: &str, what: &str) {
    eprintln!("\n{} {}", ctx.ui.bold(false).apply_to(format!("── {n}/7 {title}")), ctx.ui.dim(false).apply_to(format!("── {what}")));
}

/// What `demo` was asked to do (from the flags, by `settings`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoPlan {
    /// Keep the throwaway config dir and print its path.
    pub keep: bool,
}

/// The demo's seven chapters in order. Longer than 60 lines on purpose: it is the demo's
/// script, read top to bottom, and each chapter is a few lines calling the real commands' code.
pub fn run(args: &DemoPlan, ctx: &Context) -> Result<ExitCode> {
    let started = Instant::now();
    let dir = tempfile::Builder::new()
        .prefix("mailfino-sf-demo-")
        .tempdir()
        .map_err(|e| Error::storage(format!("cannot create a temporary directory: {e}")))?;
    let port = free_port()?;
    let redirect = format!("http://localhost:{port}/callback");
    let emu = Emulator::start(EmulatorConfig {
        callbacks: vec![CLOUD_CALLBACK.to_string(), redirect.clone()],
        rotate_refresh_tokens: true,
        auto_approve: true,
        ..Default::default()
    })
    .map_err(|e| Error::internal(format!("cannot start the emulator: {e}")))?;
    let demo = ctx.isolated("demo", dir.path().to_path_buf(), StoreMode::File);
    // With --json the narration stays on stderr and stdout gets one summary object at the end.
    let mut steps: Vec<serde_json::Value> = Vec::new();
    eprintln!("{}", ctx.ui.bold(false).apply_to("mailfino-sf demo: the whole job against a local Salesforce emulator"));
    eprintln!("Emulator at {} (refresh token rotation on); throwaway config in {}", emu.url(), dir.path().display());

    chapter(ctx, 1, "setup", "the checklist, then a live check of the app");
    let values = SetupValues {
        login_url: emu.url().to_string(),
        client_id: emu.client_id(),
        client_secret: Some(emu.client_secret().into()),
        callback_url: CLOUD_CALLBACK.to_string(),
        redirect_uri: redirect.clone(),
        env_file: Some(dir.path().join("mailfino.env")),
        warnings: Vec::new(),
    };
    let opts = ApplyOptions {
        print_env: false,
        check: true,
        retry_for: Duration::ZERO,
        interactive: false,
        login: None,
        steps: StepsView::Full,
        next_steps: false,
    };
    let code = setup::apply(&demo, demo.load_config()?, values, &opts)?;
    if code != ExitCode::SUCCESS {
        return Err(Error::internal("the demo's setup checks failed"));
    }
    steps.push(json!({"step": "setup", "ok": true, "login_url": emu.url(), "client_id": emu.client_id(),
        "callback_url": CLOUD_CALLBACK, "redirect_uri": redirect, "env_file": dir.path().join("mailfino.env").display().to_string()}));

    chapter(ctx, 2, "login", "PKCE through the loopback listener; a scripted browser clicks Allow");
    let outcome = login::login(&demo, &login::LoginPlan::listen(Some(redirect.clone()), 30), BrowserChoice::Custom(robot_allow))?;
    login::report(&demo, &outcome);
    steps.push(json!({"step": "login", "ok": true, "username": outcome.username, "org_id": outcome.org_id,
        "instance_url": outcome.instance_url, "scopes": outcome.scopes, "refresh_token_store": outcome.stored_in.map(|s| s.label())}));

    chapter(ctx, 3, "verify", "every check, concurrently");
    let cfg = demo.load_config()?;
    let settings = demo.settings(&cfg);
    let results = checks::verify(&demo, &settings, &VerifyOptions::default());
    verify::print_checks(&ctx.ui, &results, true, false);
    if results.iter().any(|c| c.status == Status::Fail) {
        return Err(Error::internal("the demo's verify failed"));
    }
    steps.push(json!({"step": "verify", "ok": true, "checks": results}));

    chapter(ctx, 4, "audit", "an admin logs in through the same app; its policies and the integration user, judged");
    emu.state().config.org.browser_user = mailfino_sf_emulator::Role::Admin;
    let plan = audit::AuditPlan { login: login::LoginPlan::listen(Some(redirect), 30), keep_admin_token: false };
    let (results, admin, fate) = audit::audit(&demo, &plan, BrowserChoice::Custom(robot_allow))?;
    emu.state().config.org.browser_user = mailfino_sf_emulator::Role::Integration;
    let admin = admin.unwrap_or_default();
    eprintln!("  audited as {admin}; the admin's token was {fate}");
    verify::print_checks(&ctx.ui, &results, false, false);
    if results.iter().any(|c| c.status == Status::Fail) {
        return Err(Error::internal("the demo's audit failed"));
    }
    steps.push(json!({"step": "audit", "ok": true, "admin": admin, "admin_token": fate.to_string(), "checks": results}));

    chapter(ctx, 5, "refresh", "twice; each rotated refresh token is stored before success is reported");
    let login_url = settings.require_login_url(&demo)?;
    let client_id = settings.require_client_id(&demo)?;
    let secret = demo.client_secret()?.map(|s| s.0);
    let mut refreshes = Vec::new();
    for n in 1..=2 {
        let r = renew::renew(&demo, &login_url, &client_id, secret.as_ref(), None)?;
        let rotated = match &r.rotated {
            Some(Rotated::Store(s)) => format!("rotated; the new refresh token is in the {}", s.label()),
            Some(Rotated::File(p)) => format!("rotated; the new refresh token is in {}", p.display()),
            None => "not rotated".to_string(),
        };
        eprintln!("{} refresh {n}: new access token; refresh token {rotated}", ctx.ui.green(false).apply_to("✔"));
        refreshes.push(json!({"rotated": r.rotated.is_some(), "refresh_token": rotated}));
    }
    let active = emu.state().active_refresh_tokens();
    eprintln!("  the emulator holds {active} active refresh token(s): each old one died as it rotated");
    steps.push(json!({"step": "refresh", "ok": true, "refreshes": refreshes, "active_refresh_tokens": active}));

    chapter(ctx, 6, "logout", "revoke at Salesforce, delete the local refresh token");
    let out = logout::logout(&LogoutPlan::default(), &demo)?;
    if !ctx.json {
        logout::report(&demo, &out);
    }
    steps.push(json!({"step": "logout", "ok": true, "revocation": out.revocation, "deleted": out.deleted}));

    chapter(ctx, 7, "summary", "what just happened");
    eprintln!("  setup checked the Consumer Key, both callback URLs and the secret against the emulator,");
    eprintln!("  wrote mailfino's environment file, logged in with PKCE, ran every verify check, audited the");
    eprintln!("  app's policies as an admin,");
    eprintln!(
        "  refreshed twice with rotation and revoked the token: {} requests in {} ms.",
        emu.log().len(),
        started.elapsed().as_millis()
    );
    eprintln!("\nNext: `mailfino-sf setup` for your own org.");
    let kept = args.keep.then(|| dir.keep());
    if let Some(kept) = &kept {
        eprintln!("(kept the demo's config dir: {})", kept.display());
    }
    if ctx.json {
        crate::ui::out(
            &json!({"ok": true, "emulator": emu.url(), "steps": steps, "requests": emu.log().len(),
                "elapsed_ms": started.elapsed().as_millis() as u64, "kept_config_dir": kept.map(|k| k.display().to_string())})
            .to_string(),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's browser: the emulator's scripted user clicks Allow.
fn robot_allow(url: String) {
    let _ = mailfino_sf_emulator::robot::browse(&url, mailfino_sf_emulator::robot::Action::Allow);
}
