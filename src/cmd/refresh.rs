//! `mailfino-sf refresh`: renew the access token; a rotated refresh token is persisted before
//! success is reported. The access token is printed only with `--show-token`.

use std::process::ExitCode;

use secrecy::ExposeSecret;
use serde_json::json;

use crate::context::{not_configured, Context, RunKind};
use crate::error::Result;
use crate::oauth;
use crate::renew::{self, Rotated};
use crate::salesforce::types::format_ms;
use crate::store::config::{ConfigFile, LastRun};
use crate::ui::{out, sanitize};

/// What `refresh` was asked to do (from the flags, by `settings`).
#[derive(Debug, Clone, Default)]
pub struct RefreshPlan {
    /// Print the access token alone on stdout.
    pub show_token: bool,
    /// Where a rotated refresh token goes when the old one came from the environment.
    pub rotated_token_out: Option<std::path::PathBuf>,
}

pub fn run(args: &RefreshPlan, ctx: &Context) -> Result<ExitCode> {
    renew::check_rotated_out(ctx, "refresh", args.rotated_token_out.as_deref())?;
    let cfg = ctx.load_config()?;
    ctx.require_profile(&cfg)?;
    let result = refresh(args, ctx, &cfg);
    let run = match &result {
        Ok(_) => LastRun::now(true, "the access token was renewed"),
        Err(e) => LastRun::now(false, format!("exit {}: {}", e.kind.code(), e.message)),
    };
    ctx.record_run(RunKind::Refresh, run);
    result
}

fn refresh(args: &RefreshPlan, ctx: &Context, cfg: &ConfigFile) -> Result<ExitCode> {
    let settings = ctx.settings(cfg);
    let login_url = settings.require_login_url(ctx)?;
    let client_id = settings.require_client_id(ctx)?;
    let secret = ctx.client_secret()?.ok_or_else(|| not_configured(ctx, "no client secret"))?;
    let renewed = renew::renew(ctx, &login_url, &client_id, Some(&secret.0), args.rotated_token_out.as_deref())?;
    let t = &renewed.tokens;
    if args.show_token {
        out(t.access_token.expose_secret());
        return Ok(ExitCode::SUCCESS);
    }
    let user = match &settings.stored.username {
        Some(u) if renewed.source != crate::store::secrets::Source::Env => Some(u.clone()),
        _ => oauth::userinfo(ctx.http()?, &login_url, &t.access_token).ok().and_then(|i| i.username),
    };
    let issued = t.issued_at.map(format_ms);
    let rotated = match &renewed.rotated {
        None => None,
        Some(Rotated::Store(s)) => Some(format!("saved in the {}", s.label())),
        Some(Rotated::File(p)) => Some(format!("written to {}", p.display())),
    };
    if ctx.json {
        out(&json!({
            "ok": true, "profile": ctx.profile, "instance_url": t.instance_url.as_deref().map(sanitize),
            "username": user.as_deref().map(sanitize), "scopes": t.scope.as_deref().map(sanitize), "issued_at": issued,
            "rotated": renewed.rotated.is_some(),
        })
        .to_string());
        return Ok(ExitCode::SUCCESS);
    }
    let ui = &ctx.ui;
    out(&format!("{} access token renewed", ui.green(true).apply_to("✔")));
    out(&format!("  instance URL: {}", sanitize(t.instance_url.as_deref().unwrap_or("?"))));
    out(&format!("  user:         {}", sanitize(user.as_deref().unwrap_or("?"))));
    out(&format!("  scopes:       {}", sanitize(t.scope.as_deref().unwrap_or("?"))));
    out(&format!("  issued at:    {}", issued.as_deref().unwrap_or("?")));
    if let Some(r) = rotated {
        out(&format!("  refresh token rotated; the new one is {r}"));
    }
    Ok(ExitCode::SUCCESS)
}
