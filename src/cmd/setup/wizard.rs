//! The interactive side of `setup` (dialoguer on stderr). A new profile is walked through in
//! order: where mailfino runs, the org, the app (the checklist, or a deploy from metadata), the
//! Consumer Key and Secret, mailfino's env file. An existing profile (login URL and Consumer Key
//! stored) opens on its current values instead: the admin picks the ones to change, the checklist
//! is shown only when asked for, and "done" ends the conversation.
//!
//! Invariants: nothing is written here (the caller saves once every value passed); every value is
//! validated at its prompt and a refused one is asked again (never the end of the wizard);
//! Ctrl-C (or SIGTERM, SIGHUP) at any prompt restores the terminal, says "setup cancelled;
//! nothing was written" and exits 130 (`signals::Prompts`, open while [`ask`] runs).

use std::path::{Path, PathBuf};

use dialoguer::{Confirm, Input, Password, Select};
use secrecy::SecretString;

use super::{prompt_err, prompt_error, secret_for, show_step, theme, SetupPlan, SetupValues};

use crate::context::Context;
use crate::error::Result;
use crate::salesforce::checklist::STEPS;
use crate::salesforce::values;
use crate::store::config::Profile;
use crate::store::envfile;
use crate::store::secrets::SecretKey;

/// The values while the wizard asks; each starts as the flag's or the profile's.
struct Draft {
    callback_url: String,
    login_url: Option<String>,
    client_id: Option<String>,
    /// A newly entered secret; None keeps the stored one (when `have_secret`).
    client_secret: Option<SecretString>,
    have_secret: bool,
    redirect_uri: String,
    env_file: Option<PathBuf>,
}

/// The interactive conversation; nothing is written until it is complete.
pub(super) fn ask(ctx: &Context, args: &SetupPlan, current: &Profile) -> Result<SetupValues> {
    let _prompts = super::prompts(ctx, super::CANCELLED);
    let ui = &ctx.ui;
    eprintln!("{}", ui.bold(false).apply_to("mailfino-sf setup: connect mailfino to Salesforce"));
    eprintln!("Profile `{}`; Ctrl-C at any prompt leaves everything as it was.\n", ctx.profile);
    let mut d = Draft::new(ctx, args, current)?;
    if current.login_url.is_some() && current.client_id.is_some() {
        edit(ctx, &mut d)?;
    } else {
        let self_hosted = d.callback_url != values::CLOUD_CALLBACK || args.mailfino_url.is_some();
        ask_callback(ctx, &mut d, self_hosted)?;
        ask_org(ctx, &mut d)?;
        // The checklist, one confirmed step at a time; none when the app is deployed from metadata.
        if !crate::cmd::app::offer_deploy(ctx, current, &d.callback_url, &d.redirect_uri)? {
            confirm_steps(ctx, &d)?;
        }
        ask_key(ctx, &mut d)?;
        ask_secret(ctx, &mut d)?;
        ask_env_file(&mut d)?;
    }
    d.finish()
}

impl Draft {
    fn new(ctx: &Context, args: &SetupPlan, current: &Profile) -> Result<Self> {
        let callback_url = match (&args.mailfino_url, &current.callback_url) {
            (Some(base), _) => values::mailfino_callback(Some(base))?.0,
            (None, Some(cb)) => cb.clone(),
            (None, None) => values::CLOUD_CALLBACK.to_string(),
        };
        let redirect_uri =
            args.redirect_uri.clone().or(current.redirect_uri.clone()).unwrap_or_else(|| values::DEFAULT_REDIRECT_URI.into());
        values::redirect_uri(&redirect_uri)?;
        Ok(Draft {
            callback_url,
            login_url: args.login_url.clone().or(current.login_url.clone()),
            client_id: args.client_id.clone().or(current.client_id.clone()),
            client_secret: None,
            have_secret: ctx.secrets().get(&ctx.profile, SecretKey::ClientSecret)?.is_some(),
            redirect_uri: redirect_uri.trim().to_string(),
            env_file: args.env_file.clone().or(current.env_file.clone()),
        })
    }

    /// The values, each validated once more (a value from a flag was not asked for).
    fn finish(self) -> Result<SetupValues> {
        let login_url = values::login_url(self.login_url.as_deref().unwrap_or_default())?;
        let (client_id, _) = values::client_id(self.client_id.as_deref().unwrap_or_default())?;
        Ok(SetupValues {
            login_url,
            client_id,
            client_secret: self.client_secret,
            callback_url: self.callback_url,
            redirect_uri: self.redirect_uri,
            env_file: self.env_file,
            warnings: Vec::new(),
        })
    }

    /// The menu of an existing profile: "done" first, then each value as it stands.
    fn menu(&self) -> Vec<String> {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
        let secret = match (&self.client_secret, self.have_secret) {
            (Some(_), _) => "new (hidden; saved when you are done)",
            (None, true) => "stored (hidden)",
            (None, false) => "not stored yet",
        };
        let env = self.env_file.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "(none)".into());
        vec![
            "done: save and check the app".to_string(),
            format!("mailfino's callback URL: {}", self.callback_url),
            format!("login URL: {}", or_none(&self.login_url)),
            format!("Consumer Key: {}", or_none(&self.client_id)),
            format!("Consumer Secret: {secret}"),
            format!("mailfino's env file: {env}"),
            "show the checklist".to_string(),
        ]
    }
}

/// An existing profile: the current values, and the admin changes only the wrong ones.
fn edit(ctx: &Context, d: &mut Draft) -> Result<()> {
    eprintln!("The profile is set up already: choose a value to change, or \"done\" to keep the rest as it is.");
    loop {
        let pick = Select::with_theme(&theme()).with_prompt("Change").items(d.menu()).default(0).interact().map_err(prompt_err)?;
        match pick {
            0 if d.client_secret.is_none() && !d.have_secret => ask_secret(ctx, d)?,
            0 => return Ok(()),
            1 => ask_callback(ctx, d, d.callback_url != values::CLOUD_CALLBACK)?,
            2 => ask_org(ctx, d)?,
            3 => ask_key(ctx, d)?,
            4 => ask_secret(ctx, d)?,
            5 => ask_env_file(d)?,
            _ => {
                STEPS.iter().for_each(|s| show_step(ctx, s.number, &d.callback_url, &d.redirect_uri, false));
                eprintln!();
            }
        }
    }
}

/// Where mailfino runs: mailfino Cloud, or a self-hosted base URL.
fn ask_callback(ctx: &Context, d: &mut Draft, self_hosted_now: bool) -> Result<()> {
    let t = theme();
    let choice = Select::with_theme(&t)
        .with_prompt("Where mailfino runs")
        .items(["mailfino Cloud (app.mailfino.de)", "self-hosted mailfino"])
        .default(usize::from(self_hosted_now))
        .interact()
        .map_err(prompt_err)?;
    if choice == 0 {
        d.callback_url = values::CLOUD_CALLBACK.to_string();
        return Ok(());
    }
    let mut input = Input::<String>::with_theme(&t)
        .with_prompt("Public base URL of your mailfino (https://…)")
        .validate_with(|s: &String| values::mailfino_callback(Some(s)).map(|_| ()).map_err(prompt_error));
    if let Some(base) = d.callback_url.strip_suffix(values::CALLBACK_PATH).filter(|_| self_hosted_now) {
        input = input.default(base.to_string());
    }
    let base = input.interact_text().map_err(prompt_err)?;
    let (cb, w) = values::mailfino_callback(Some(&base))?;
    w.iter().for_each(|w| ctx.ui.warn(w));
    d.callback_url = cb;
    Ok(())
}

/// Which org: production, sandbox, or a My Domain URL.
fn ask_org(ctx: &Context, d: &mut Draft) -> Result<()> {
    let default_org = match d.login_url.as_deref() {
        Some(values::PRODUCTION) | None => 0,
        Some(values::SANDBOX) => 1,
        Some(_) => 2,
    };
    let org = Select::with_theme(&theme())
        .with_prompt("Salesforce org")
        .items(["production (login.salesforce.com)", "sandbox (test.salesforce.com)", "My Domain (https://NAME.my.salesforce.com)"])
        .default(default_org)
        .interact()
        .map_err(prompt_err)?;
    d.login_url = Some(match org {
        0 => values::PRODUCTION.to_string(),
        1 => values::SANDBOX.to_string(),
        _ => ask_my_domain(ctx, d.login_url.clone().filter(|_| default_org == 2))?,
    });
    Ok(())
}

/// Asks for the My Domain URL; a Lightning or Setup domain is answered with the login URL it
/// stands for, offered as `Use https://…? [Y/n]` (reference 0.3, 9.5).
fn ask_my_domain(ctx: &Context, default: Option<String>) -> Result<String> {
    let t = theme();
    loop {
        let mut input = Input::<String>::with_theme(&t).with_prompt("My Domain URL").validate_with(|s: &String| {
            if values::suggested_login_url(s).is_some() {
                return Ok(());
            }
            values::login_url(s).map(|_| ()).map_err(prompt_error)
        });
        if let Some(d) = &default {
            input = input.default(d.clone());
        }
        let raw = input.interact_text().map_err(prompt_err)?;
        let Some(suggested) = values::suggested_login_url(&raw) else { return values::login_url(&raw) };
        if let Err(e) = values::login_url(&raw) {
            ctx.ui.warn(&e.message);
        }
        if confirm(&format!("Use {suggested}?"))? {
            return values::login_url(&suggested);
        }
    }
}

fn confirm(prompt: &str) -> Result<bool> {
    Confirm::with_theme(&theme()).with_prompt(prompt).default(true).wait_for_newline(true).interact().map_err(prompt_err)
}

/// The checklist of a new profile, one confirmed step at a time.
fn confirm_steps(ctx: &Context, d: &Draft) -> Result<()> {
    for step in &STEPS {
        show_step(ctx, step.number, &d.callback_url, &d.redirect_uri, false);
        if !confirm(&format!("Step {} done?", step.number))? {
            eprintln!("Take your time; the step stays as shown. Answer yes once it is done.");
            confirm(&format!("Step {} done?", step.number))?;
        }
    }
    Ok(())
}

fn ask_key(ctx: &Context, d: &mut Draft) -> Result<()> {
    let t = theme();
    let mut input = Input::<String>::with_theme(&t)
        .with_prompt("Consumer Key")
        .validate_with(|s: &String| values::client_id(s).map(|_| ()).map_err(prompt_error));
    if let Some(key) = &d.client_id {
        input = input.default(key.clone());
    }
    let (client_id, w) = values::client_id(&input.interact_text().map_err(prompt_err)?)?;
    w.iter().for_each(|w| ctx.ui.warn(w));
    d.client_id = Some(client_id);
    Ok(())
}

/// The Consumer Secret, hidden; Enter keeps the stored one.
fn ask_secret(ctx: &Context, d: &mut Draft) -> Result<()> {
    let have = d.have_secret || d.client_secret.is_some();
    let key = d.client_id.clone().unwrap_or_default();
    let prompt = if have { "Consumer Secret (input hidden; Enter keeps the stored one)" } else { "Consumer Secret (input hidden)" };
    let key_for_check = key.clone();
    let raw = Password::with_theme(&theme())
        .with_prompt(prompt)
        .allow_empty_password(have)
        .validate_with(move |s: &String| {
            if s.trim().is_empty() && have {
                return Ok(());
            }
            secret_for(s, &key_for_check).map(|_| ()).map_err(prompt_error)
        })
        .interact()
        .map_err(prompt_err)?;
    if !raw.trim().is_empty() {
        let (s, w) = secret_for(&raw, &key)?;
        w.iter().for_each(|w| ctx.ui.warn(w));
        d.client_secret = Some(SecretString::from(s));
    }
    Ok(())
}

/// mailfino's env file: a path in a missing directory, a directory, or a file that cannot be
/// merged is refused at the prompt and asked again.
fn ask_env_file(d: &mut Draft) -> Result<()> {
    let default = d.env_file.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
    let raw: String = Input::with_theme(&theme())
        .with_prompt("File for mailfino's server environment (Enter to skip)")
        .default(default)
        .allow_empty(true)
        .validate_with(|s: &String| match s.trim() {
            "" => Ok(()),
            p => envfile::inspect(Path::new(p)).map(|_| ()).map_err(prompt_error),
        })
        .interact_text()
        .map_err(prompt_err)?;
    d.env_file = Some(raw.trim()).filter(|s| !s.is_empty()).map(PathBuf::from);
    Ok(())
}
