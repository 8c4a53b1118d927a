//! `mailfino-sf export-ci`: print the `MAILFINO_SF_*` variables of the profile for a CI secret
//! store. The only command that prints the client secret and the refresh token; it warns so.

use std::process::ExitCode;

use secrecy::ExposeSecret;

use crate::cli::{ExportCiArgs, ExportFormat};
use crate::context::{not_configured, Context};
use crate::error::{Error, Result};
use crate::store::envfile::format_assignment;
use crate::ui::out;

pub fn run(args: &ExportCiArgs, ctx: &Context) -> Result<ExitCode> {
    let cfg = ctx.load_config()?;
    ctx.require_profile(&cfg)?;
    let settings = ctx.settings(&cfg);
    let login_url = settings.require_login_url(ctx)?;
    let client_id = settings.require_client_id(ctx)?;
    let (secret, _) = ctx.client_secret()?.ok_or_else(|| not_configured(ctx, "no client secret"))?;
    let (token, _) = ctx.refresh_token()?.ok_or_else(|| {
        Error::not_configured(format!("profile `{}` has no refresh token", ctx.profile))
            .hint(format!("run `mailfino-sf login{}` first", ctx.profile_flag()))
    })?;
    let vars = [
        ("MAILFINO_SF_LOGIN_URL", login_url),
        ("MAILFINO_SF_CLIENT_ID", client_id),
        ("MAILFINO_SF_CLIENT_SECRET", secret.expose_secret().to_string()),
        ("MAILFINO_SF_REFRESH_TOKEN", token.expose_secret().to_string()),
        ("MAILFINO_SF_CALLBACK_URL", settings.callback()),
        ("MAILFINO_SF_REDIRECT_URI", settings.redirect()),
    ];
    // One variable per line in every format: a value with a line break (or any control
    // character) could forge extra lines, e.g. more secrets for `gh secret set -f -`.
    if let Some((name, _)) = vars.iter().find(|(_, v)| v.chars().any(char::is_control)) {
        return Err(Error::usage(format!("the value of {name} contains a line break or control character; refusing to export it"))
            .hint("fix the stored value (run `mailfino-sf setup` or `mailfino-sf login` again), or unset the environment override"));
    }
    ctx.ui.warn("the output holds the client secret and a refresh token: put it straight into your CI secret store, never into a file in the repository or a log");
    // `--json` asks for machine-readable output; the env format is the only one that is not.
    let format = if ctx.json && args.format == ExportFormat::Env { ExportFormat::Json } else { args.format };
    match format {
        ExportFormat::Env => {
            for (k, v) in &vars {
                out(&format_assignment(k, v));
            }
        }
        ExportFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> =
                vars.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone()))).collect();
            out(&serde_json::Value::Object(map).to_string());
        }
        ExportFormat::Github => {
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
