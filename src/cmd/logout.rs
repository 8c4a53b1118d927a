//! `mailfino-sf logout`: revoke the refresh token at Salesforce, then delete the profile's
//! secrets. When Salesforce cannot be reached nothing is deleted (the token would stay valid
//! there); `--local-only` skips the revoke.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::LogoutArgs;
use crate::context::Context;
use crate::error::Result;
use crate::oauth::{self, Revoked};
use crate::store::secrets::{SecretKey, Source};
use crate::ui::{out, sanitize};

pub fn run(args: &LogoutArgs, ctx: &Context) -> Result<ExitCode> {
    let cfg = ctx.load_config()?;
    let settings = ctx.settings(&cfg);
    let token = ctx.refresh_token()?;
    if token.as_ref().is_some_and(|t| t.1 == Source::Env) {
        ctx.ui.warn("the refresh token comes from MAILFINO_SF_REFRESH_TOKEN; it is revoked but no stored secret changes for it");
    }
    let revoked = match (&token, args.local_only) {
        (None, _) => "no refresh token was stored".to_string(),
        (Some(_), true) => "not revoked at Salesforce (--local-only)".to_string(),
        (Some((t, _)), false) => {
            let login_url = settings.require_login_url(ctx)?;
            match oauth::revoke(ctx.http()?, &login_url, t)
                .map_err(|e| e.hint("to delete the local secrets anyway, run `mailfino-sf logout --local-only`"))?
            {
                Revoked::Confirmed => "Salesforce confirmed the revocation".to_string(),
                Revoked::Unknown(why) => format!("Salesforce did not know the token (already revoked or expired: {})", sanitize(&why)),
            }
        }
    };
    let mut deleted = Vec::new();
    for key in [SecretKey::RefreshToken, SecretKey::ClientSecret] {
        if ctx.secrets().delete(&ctx.profile, key)? {
            deleted.push(key.name());
        }
    }
    if ctx.json {
        out(&json!({"ok": true, "profile": ctx.profile, "revocation": revoked, "deleted": deleted}).to_string());
    } else {
        out(&format!("{} logged out of profile `{}`", ctx.ui.green(true).apply_to("✔"), ctx.profile));
        out(&format!("  {revoked}"));
        out(&format!(
            "  deleted: {}",
            if deleted.is_empty() { "nothing (no secrets were stored)".to_string() } else { deleted.join(", ") }
        ));
        out(&format!("  the profile's settings stay in config.toml; `mailfino-sf setup{}` stores a secret again", ctx.profile_flag()));
    }
    Ok(ExitCode::SUCCESS)
}
