//! `app export`: renders mailfino's app as a source-format project and writes it.
//!
//! Invariants: every file's content is computed (and every existing file of ours read and
//! understood) before anything is written, so that a broken `sfdx-project.json` or
//! `package.xml` changes nothing; a file whose content is already right is not touched (a
//! re-export is a no-op); other files in the directory are never touched; an existing
//! `sfdx-project.json` or `package.xml` is merged into (its other entries kept), never replaced.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{json, Value};

use super::spec::{AppSpec, MetaType, API_VERSION, APP, GLOBAL_OAUTH, OAUTH, OAUTH_POLICIES, SOURCE_DIR, TYPES};
use super::xml::{self, Package, PackageType};
use crate::error::{io_error, Error, Result};
use crate::store::fsutil;

/// The scopes mailfino needs, in metadata spelling (C.4).
pub const SCOPES: &str = "Api, RefreshToken";

/// The fields of one metadata file, in Salesforce's (alphabetical) order.
pub fn fields(t: &MetaType, s: &AppSpec) -> Vec<(&'static str, String)> {
    let app = || s.name.clone();
    let b = |v: bool| v.to_string();
    let label = |what: &str| format!("{} {what}", s.label);
    match t.name {
        n if n == APP.name => vec![
            ("contactEmail", s.contact_email.clone()),
            ("description", "mailfino's connection to Salesforce (web-server OAuth flow), made with mailfino-sf".into()),
            ("distributionState", "Local".into()),
            ("isProtected", b(false)),
            ("label", s.label.clone()),
        ],
        n if n == OAUTH.name => {
            vec![("commaSeparatedOauthScopes", SCOPES.into()), ("externalClientApplication", app()), ("label", label("OAuth settings"))]
        }
        n if n == GLOBAL_OAUTH.name => vec![
            // Several callback URLs, one per line (ref salesforce-oauth.md 1.25).
            ("callbackUrl", format!("{}\n{}", s.callback, s.redirect)),
            ("externalClientApplication", app()),
            ("isConsumerSecretOptional", b(false)),
            ("isIntrospectAllTokens", b(false)),
            ("isPkceRequired", b(true)),
            ("isRefreshTokenRotationEnabled", b(s.rotation)),
            ("isSecretRequiredForRefreshToken", b(true)),
            ("label", label("global OAuth settings")),
            ("shouldRotateConsumerKey", b(false)),
            ("shouldRotateConsumerSecret", b(false)),
        ],
        n if n == OAUTH_POLICIES.name => policy_fields(s),
        // APP_POLICIES
        _ => vec![
            ("externalClientApplication", app()),
            ("isEnabled", b(true)),
            ("isOauthPluginEnabled", b(true)),
            ("label", label("policies")),
        ],
    }
}

fn policy_fields(s: &AppSpec) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(ps) = &s.permission_set {
        out.push(("commaSeparatedPermissionSet", ps.clone()));
    }
    out.push(("externalClientApplication", s.name.clone()));
    out.push(("ipRelaxationPolicyType", s.ip.metadata().into()));
    out.push(("label", format!("{} OAuth policies", s.label)));
    let users = if s.permission_set.is_some() { "AdminApprovedPreAuthorized" } else { "AllSelfAuthorized" };
    out.push(("permittedUsersPolicyType", users.into()));
    let (policy, period) = s.refresh.metadata();
    out.push(("refreshTokenPolicyType", policy.into()));
    if let Some((n, unit)) = period {
        out.push(("refreshTokenValidityPeriod", n.to_string()));
        out.push(("refreshTokenValidityUnit", unit.metadata().into()));
    }
    out
}

/// The project-relative path of a type's file.
pub fn file_path(t: &MetaType, app: &str) -> String {
    format!("{SOURCE_DIR}/{}/{}", t.folder, t.file_name(app))
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// One file of the export and what happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub path: String,
    pub outcome: Outcome,
}

/// Writes the project into `dir` (created when missing).
pub fn write_project(dir: &Path, spec: &AppSpec) -> Result<Vec<Written>> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::usage(format!("{} is not a directory", dir.display())).hint("name a directory for the project"));
    }
    let mut planned = vec![("sfdx-project.json".to_string(), sfdx_project(read_existing(&dir.join("sfdx-project.json"))?)?)];
    planned.push(("manifest/package.xml".to_string(), package(read_existing(&dir.join("manifest/package.xml"))?, spec)?));
    for t in &TYPES {
        planned.push((file_path(t, &spec.name), xml::write_flat(t.name, &fields(t, spec))));
    }
    let mut done = Vec::new();
    for (rel, text) in planned {
        let path = dir.join(&rel);
        let outcome = match read_existing(&path)? {
            Some(old) if old == text => Outcome::Unchanged,
            old => {
                let parent = path.parent().map(PathBuf::from).unwrap_or_else(|| dir.to_path_buf());
                fs::create_dir_all(&parent).map_err(|e| io_error("cannot create directory", &parent, e))?;
                fsutil::write_atomic(&path, text.as_bytes())?;
                if old.is_some() {
                    Outcome::Updated
                } else {
                    Outcome::Created
                }
            }
        };
        done.push(Written { path: rel, outcome });
    }
    Ok(done)
}

/// An existing project file: capped in size, never a FIFO or device (the store's one reader).
fn read_existing(path: &Path) -> Result<Option<String>> {
    crate::store::fsutil::read_text(path)
}

/// sfdx-project.json: new, or the existing one with `force-app` and a `sourceApiVersion` added
/// when missing (Salesforce's tooling needs the version to convert offline).
fn sfdx_project(existing: Option<String>) -> Result<String> {
    let Some(text) = existing else {
        let v = json!({
            "name": "mailfino-external-client-app",
            "namespace": "",
            "packageDirectories": [{"path": "force-app", "default": true}],
            "sfdcLoginUrl": "https://login.salesforce.com",
            "sourceApiVersion": API_VERSION,
        });
        return Ok(pretty(&v));
    };
    let broken = |why: String| {
        Error::usage(format!("sfdx-project.json in the export directory is not usable: {why}"))
            .hint("fix it, or export into another directory; nothing was written")
    };
    let mut v: Value = serde_json::from_str(&text).map_err(|e| broken(e.to_string()))?;
    let obj = v.as_object_mut().ok_or_else(|| broken("it is not a JSON object".into()))?;
    let mut changed = false;
    let dirs = obj
        .entry("packageDirectories")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(|| broken("packageDirectories is not a list".into()))?;
    let path_of = |d: &Value| d.get("path").and_then(Value::as_str).map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string());
    if !dirs.iter().any(|d| path_of(d).as_deref() == Some("force-app")) {
        let default = !dirs.iter().any(|d| d.get("default") == Some(&Value::Bool(true)));
        dirs.push(json!({"path": "force-app", "default": default}));
        changed = true;
    }
    if !obj.contains_key("sourceApiVersion") {
        obj.insert("sourceApiVersion".into(), json!(API_VERSION));
        changed = true;
    }
    Ok(if changed { pretty(&v) } else { text })
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("a JSON value serialises");
    s.push('\n');
    s
}

/// package.xml: the five members added to what is there (other types and members kept), with
/// the API version raised to at least [`API_VERSION`].
fn package(existing: Option<String>, spec: &AppSpec) -> Result<String> {
    let mut pkg = match existing {
        None => Package::default(),
        Some(text) => xml::parse_package(&text).map_err(|why| {
            Error::usage(format!("manifest/package.xml in the export directory is not usable: {why}"))
                .hint("fix it, or export into another directory; nothing was written")
        })?,
    };
    for t in &TYPES {
        let member = t.member(&spec.name);
        match pkg.types.iter_mut().find(|p| p.name == t.name) {
            Some(p) if p.members.contains(&member) => {}
            Some(p) => p.members.push(member),
            None => pkg.types.push(PackageType { name: t.name.to_string(), members: vec![member] }),
        }
    }
    let new_enough =
        pkg.version.as_deref().and_then(|v| v.parse::<f64>().ok()).is_some_and(|v| v >= API_VERSION.parse::<f64>().unwrap_or(60.0));
    if !new_enough {
        pkg.version = Some(API_VERSION.to_string());
    }
    Ok(xml::write_package(&pkg))
}
