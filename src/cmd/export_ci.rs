//! `mailfino-sf export-ci`: print the `MAILFINO_SF_*` variables of the profile for a CI secret
//! store. The only command that prints the client secret and a refresh token; it warns so.
//!
//! Invariant: CI's refresh token is its own by default (one more login through the same login
//! machinery, the token handed out and stored nowhere), so that CI and the admin's profile never
//! share a rotating token chain; `--share-profile-token` hands out the profile's, with a warning.

use std::process::ExitCode;

use secrecy::{ExposeSecret, SecretString};

use crate::browser::BrowserChoice;
use crate::cmd::login::{self, Keep};
use crate::context::{not_configured, Context};
use crate::error::{Error, Result};
use crate::store::envfile::format_assignment;
use crate::ui::{out, sanitize};

/// What `export-ci` was asked to do (from the flags, by `settings`).
#[derive(Debug, Clone)]
pub struct ExportCiPlan {
    pub format: Format,
    /// Hand out the profile's own refresh token instead of logging in for CI's own.
    pub share_profile_token: bool,
    /// CI's login.
    pub login: login::LoginPlan,
    pub browser: BrowserChoice,
}

/// How the variables are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `NAME='value'` lines (shell and dotenv).
    Env,
    /// One JSON object.
    Json,
    /// Dotenv lines for `gh secret set -f -`, with the workflow env block as comments.
    Github,
}

pub fn run(args: &ExportCiPlan, ctx: &Context) -> Result<ExitCode> {
    let cfg = ctx.load_config()?;
    ctx.require_profile(&cfg)?;
    let settings = ctx.settings(&cfg);
    let login_url = settings.require_login_url(ctx)?;
    let client_id = settings.require_client_id(ctx)?;
    let (secret, _) = ctx.client_secret()?.ok_or_else(|| not_configured(ctx, "no client secret"))?;
    let mut vars = vec![
        ("MAILFINO_SF_LOGIN_URL", login_url),
        ("MAILFINO_SF_CLIENT_ID", client_id),
        ("MAILFINO_SF_CLIENT_SECRET", secret.expose_secret().to_string()),
        ("MAILFINO_SF_CALLBACK_URL", settings.callback()),
        ("MAILFINO_SF_REDIRECT_URI", settings.redirect()),
    ];
    // Checked before CI's login (nothing is asked of the admin for an export that cannot be made).
    refuse_control_characters(&vars)?;
    let token = if args.share_profile_token { profile_token(ctx)? } else { ci_token(ctx, args)? };
    vars.insert(3, ("MAILFINO_SF_REFRESH_TOKEN", token.expose_secret().to_string()));
    refuse_control_characters(&vars)?;
    ctx.ui.warn("the output holds the client secret and a refresh token: put it straight into your CI secret store, never into a file in the repository or a log");
    // `--json` asks for machine-readable output; the env format is the only one that is not.
    let format = if ctx.json && args.format == Format::Env { Format::Json } else { args.format };
    match format {
        Format::Env => {
            for (k, v) in &vars {
                out(&format_assignment(k, v));
            }
        }
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> =
                vars.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone()))).collect();
            out(&serde_json::Value::Object(map).to_string());
        }
        Format::Github => {
            out("# Store as repository secrets:  mailfino-sf export-ci --format github | gh secret set -f -");
            out("# Then give them to the job:");
            out("#   env:");
            for (k, _) in &vars {
                out(&format!("#     {k}: ${{{{ secrets.{k} }}}}"));
            }
            for (k, v) in &vars {
                out(&format!("{k}={v}"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One variable per line in every format: a value with a line break (or any control character)
/// could forge extra lines, e.g. more secrets for `gh secret set -f -`.
fn refuse_control_characters(vars: &[(&str, String)]) -> Result<()> {
    match vars.iter().find(|(_, v)| v.chars().any(char::is_control)) {
        Some((name, _)) => {
            Err(Error::usage(format!("the value of {name} contains a line break or control character; refusing to export it"))
                .hint("fix the stored value (run `mailfino-sf setup` or `mailfino-sf login` again), or unset the environment override"))
        }
        None => Ok(()),
    }
}

/// The profile's own refresh token, with the warning about the rotation trap.
fn profile_token(ctx: &Context) -> Result<SecretString> {
    let (token, _) = ctx.refresh_token()?.ok_or_else(|| {
        Error::not_configured(format!("profile `{}` has no refresh token", ctx.profile))
            .hint(format!("run `{}` first, or leave out --share-profile-token", crate::salesforce::explain::command("login")))
    })?;
    ctx.ui.warn(
        "--share-profile-token: CI and this profile now share one refresh token. With refresh token rotation on \
         (new External Client Apps may have it pre-selected), the first refresh on either side spends the other's token: \
         a local `verify` or `refresh` kills CI's, and a CI run that renews without --rotated-token-out spends it, \
         whereupon Salesforce's reuse detection revokes the profile's as well. Without this flag CI gets a token of its own.",
    );
    Ok(token)
}

/// A refresh token of CI's own: one more login (browser or `--paste`), stored nowhere.
fn ci_token(ctx: &Context, args: &ExportCiPlan) -> Result<SecretString> {
    eprintln!(
        "Logging in once more to get CI a refresh token of its own (a separate approval: the profile's token stays the \
         profile's, and neither spends the other's). Log in as the user CI should check with."
    );
    let o = login::login_keeping(ctx, &args.login, args.browser, Keep::HandOut)?;
    eprintln!(
        "{} CI's refresh token: logged in as {}; it is stored nowhere but in the output below",
        ctx.ui.green(false).apply_to("✔"),
        sanitize(o.username.as_deref().unwrap_or("(unknown user)"))
    );
    o.handed_out.ok_or_else(|| Error::internal("the login handed out no refresh token"))
}
