//! `config.toml`: one table per profile, no secrets.
//!
//! The file is read once per run; a save re-reads it under the store-wide lock. A file that does not parse is an error naming the file and the
//! line, and is never overwritten: a save re-reads the file and refuses when it is broken.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{fsutil, StoreLock};
use crate::error::{Error, Result};

/// The app name used when the profile names none.
pub const DEFAULT_APP_NAME: &str = "mailfino";

/// One profile's stored settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// mailfino's callback URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// This tool's loopback redirect URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The integration user's id and the API version `login` learned (for `verify`'s health checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// The External Client App's name or label (default [`DEFAULT_APP_NAME`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// mailfino's server environment file written by `setup`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_file: Option<PathBuf>,
    /// The admin was told once that this profile's secrets fell back to the file store.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keyring_fallback_noted: bool,
    /// When `refresh` last ran for this profile, and how it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refresh: Option<LastRun>,
    /// When `verify` last ran for this profile, and how it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_verify: Option<LastRun>,
}

impl Profile {
    /// Keeps the bookkeeping `other` holds where this profile has none: a command that read the
    /// profile before, say, a fallback note was written must not erase that note when it saves.
    fn keep_notes_of(&mut self, other: &Profile) {
        self.keyring_fallback_noted |= other.keyring_fallback_noted;
        if self.last_refresh.is_none() {
            self.last_refresh.clone_from(&other.last_refresh);
        }
        if self.last_verify.is_none() {
            self.last_verify.clone_from(&other.last_verify);
        }
    }
}

/// The time and outcome of a command run (`refresh`, `verify`), for `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastRun {
    /// RFC 3339, UTC.
    pub at: String,
    pub ok: bool,
    /// One line: what happened (never a secret).
    pub result: String,
}

impl LastRun {
    /// A run that ended now.
    pub fn now(ok: bool, result: impl Into<String>) -> Self {
        let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let result: String = result.into();
        let result = if result.chars().count() > 200 { format!("{}…", result.chars().take(200).collect::<String>()) } else { result };
        LastRun { at: crate::salesforce::types::format_ms(ms), ok, result }
    }
}

/// The whole `config.toml`.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub profiles: BTreeMap<String, Profile>,
}

impl ConfigFile {
    /// Reads `DIR/config.toml`; a missing file is an empty config.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("config.toml");
        let Some(text) = fsutil::read_text(&path)? else { return Ok(ConfigFile { path, profiles: BTreeMap::new() }) };
        let profiles = parse(&text).map_err(|msg| {
            Error::usage(format!("{} is not valid: {msg}", path.display())).hint(
                "fix the line named above by hand, or move the file away; mailfino-sf never \
                 overwrites a broken config",
            )
        })?;
        Ok(ConfigFile { path, profiles })
    }

    /// The named profile, if stored.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// Stores `profile` under `name` and writes the file atomically. Other profiles are kept as
    /// they are on disk now (re-read under the store lock), and a broken file is never replaced.
    pub fn save_profile(&mut self, name: &str, profile: Profile) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let _lock = StoreLock::acquire(&dir)?;
        let mut current = ConfigFile::load(&dir)?;
        let mut profile = profile;
        if let Some(on_disk) = current.profiles.get(name) {
            profile.keep_notes_of(on_disk);
        }
        current.profiles.insert(name.to_string(), profile);
        let text = render(&current.profiles)?;
        fsutil::write_atomic(&self.path, text.as_bytes())?;
        self.profiles = current.profiles;
        Ok(())
    }
}

/// Changes one stored profile as it is on disk now (re-read under the store lock); `false` when the
/// profile is not stored (nothing is written then).
pub fn update_profile(dir: &Path, name: &str, change: impl FnOnce(&mut Profile)) -> Result<bool> {
    let Some(_lock) = StoreLock::acquire_existing(dir)? else { return Ok(false) };
    let mut current = ConfigFile::load(dir)?;
    let Some(profile) = current.profiles.get_mut(name) else { return Ok(false) };
    change(profile);
    let text = render(&current.profiles)?;
    fsutil::write_atomic(&current.path, text.as_bytes())?;
    Ok(true)
}

/// Parses the file's text; the error names the line.
pub fn parse(text: &str) -> std::result::Result<BTreeMap<String, Profile>, String> {
    toml::from_str::<BTreeMap<String, Profile>>(text).map_err(|e| {
        // The line the error starts on: the line breaks before it, plus one (`lines()` would
        // miss the line of an error at its first character).
        let line = e.span().map(|s| text.as_bytes()[..s.start.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1);
        let what = e.message().trim().to_string();
        match line {
            Some(line) => format!("line {line}: {what}"),
            None => what,
        }
    })
}

fn render(profiles: &BTreeMap<String, Profile>) -> Result<String> {
    let body = toml::to_string(profiles).map_err(|e| Error::internal(format!("cannot encode config: {e}")))?;
    Ok(format!("# mailfino-sf profiles; secrets are not kept here.\n{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn round_trip_and_broken_file_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = ConfigFile::load(dir.path()).unwrap();
        let p = Profile { client_id: Some("abc".into()), ..Default::default() };
        cfg.save_profile("default", p.clone()).unwrap();
        let again = ConfigFile::load(dir.path()).unwrap();
        assert_eq!(again.profile("default"), Some(&p));

        fs::write(dir.path().join("config.toml"), "[default]\nclient_id = \"x\"\nlogin_url = \n").unwrap();
        let err = ConfigFile::load(dir.path()).unwrap_err();
        assert!(err.message.contains("config.toml"), "{}", err.message);
        assert!(err.message.contains("line 3"), "{}", err.message);
        // a save refuses to replace the broken file
        let err = cfg.save_profile("other", Profile::default()).unwrap_err();
        assert!(err.message.contains("line 3"));
        assert!(fs::read_to_string(dir.path().join("config.toml")).unwrap().contains("login_url = \n"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = parse("[default]\nclient_secret = \"x\"\n").unwrap_err();
        assert!(err.starts_with("line 2: unknown field `client_secret`"), "{err}");
        let err = parse("# a comment\n\n[default]\nclient_id = \"a\"\nlogin = \"x\"\n").unwrap_err();
        assert!(err.starts_with("line 5: unknown field `login`"), "{err}");
    }
}
