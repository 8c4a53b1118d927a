//! `app export` and `app check`: the exported project against the Metadata API guide's allowed
//! fields and values (reference eca-metadata.md C.1 item 3) and against Salesforce's own
//! source-deploy-retrieve library; `app check` on its own export, on mutated exports and on the
//! reference's real retrieved files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mailfino_sf::app::xml;
use serde_json::Value;

use crate::support::*;

const SELF_HOSTED_CALLBACK: &str = "https://mail.example.com/api/v6/integrations/oauth/salesforce/callback";
const DEFAULT_LOOPBACK: &str = "http://localhost:8717/callback";

/// The five files of an export for the app `app`: (type, folder, member, suffix).
fn five(app: &str) -> Vec<(&'static str, &'static str, String, &'static str)> {
    vec![
        ("ExternalClientApplication", "externalClientApps", app.to_string(), "eca"),
        ("ExtlClntAppOauthSettings", "extlClntAppOauthSettings", format!("{app}_oauth"), "ecaOauth"),
        ("ExtlClntAppGlobalOauthSettings", "extlClntAppGlobalOauthSets", format!("{app}_glbloauth"), "ecaGlblOauth"),
        ("ExtlClntAppOauthConfigurablePolicies", "extlClntAppOauthPolicies", format!("{app}_oauthPlcy"), "ecaOauthPlcy"),
        ("ExtlClntAppConfigurablePolicies", "extlClntAppPolicies", format!("{app}_plcy"), "ecaPlcy"),
    ]
}

fn source_file(dir: &Path, app: &str, ty: &str) -> PathBuf {
    let (_, folder, member, suffix) = five(app).into_iter().find(|f| f.0 == ty).unwrap();
    dir.join(format!("force-app/main/default/{folder}/{member}.{suffix}-meta.xml"))
}

/// Runs `app export DIR ARGS` and asserts success.
fn export(env: &Env, dir: &Path, args: &[&str]) -> String {
    let out = env.cmd().args(["app", "export"]).arg(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    stdout(&out)
}

/// The variants every validation runs on: Cloud with defaults, self-hosted with every flag.
fn variants() -> Vec<(&'static str, Vec<&'static str>, &'static str, &'static str)> {
    vec![
        ("cloud", vec!["--contact-email", "admin@example.com"], "mailfino", CLOUD_CALLBACK),
        (
            "self-hosted",
            vec![
                "--contact-email",
                "admin@example.com",
                "--mailfino-url",
                "https://mail.example.com/",
                "--name",
                "Mailfino_EU",
                "--permission-set",
                "Mailfino_Integration",
                "--refresh-policy",
                "lifetime:4h",
                "--ip-policy",
                "enforce",
                "--rotation",
                "--redirect-uri",
                "http://127.0.0.1:9001/cb",
            ],
            "Mailfino_EU",
            SELF_HOSTED_CALLBACK,
        ),
        (
            "inactivity",
            vec!["--contact-email", "admin@example.com", "--refresh-policy", "inactivity:30d", "--ip-policy", "bypass"],
            "mailfino",
            CLOUD_CALLBACK,
        ),
    ]
}

/// Exports every variant into `env`'s dir (one project per label): (label, project, app, callback).
fn exported_variants(env: &Env) -> Vec<(&'static str, PathBuf, &'static str, &'static str)> {
    variants()
        .into_iter()
        .map(|(label, args, app, callback)| {
            let dir = env.path(label);
            export(env, &dir, &args);
            (label, dir, app, callback)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The guide's allowed fields and values (reference eca-metadata.md, addendum C.1 item 3 and the
// table of C.1 item 2), written out independently of the exporter.

#[derive(Clone, Copy)]
enum V {
    Bool,
    Text,
    Email,
    Enum(&'static [&'static str]),
    Int(i64, i64),
    Scopes,
    Urls,
    AppName,
    ApiNames,
}

const SCOPE_TOKENS: &[&str] = &[
    "Basic",
    "Api",
    "Web",
    "Full",
    "Chatter",
    "CustomApplications",
    "RefreshToken",
    "OpenID",
    "Profile",
    "Email",
    "Address",
    "Phone",
    "OfflineAccess",
    "CustomPermissions",
    "Wave",
    "Eclair",
    "Pardot",
    "Lightning",
    "Content",
];

/// Per type: its fields as the guide lists them, and which are required. Fields that exist but
/// must never be in an export (`consumerKey`, `consumerSecret`, `oauthLink`,
/// `orgScopedExternalApp`, deprecated `isNamedUserJwtEnabled`) are deliberately absent.
fn guide(ty: &str) -> (Vec<(&'static str, V)>, Vec<&'static str>) {
    use V::*;
    match ty {
        "ExternalClientApplication" => (
            vec![
                ("contactEmail", Email),
                ("description", Text),
                ("distributionState", Enum(&["Local", "Packaged"])),
                ("isProtected", Bool),
                ("label", Text),
            ],
            vec![],
        ),
        "ExtlClntAppOauthSettings" => (
            vec![("commaSeparatedOauthScopes", Scopes), ("externalClientApplication", AppName), ("label", Text)],
            vec!["externalClientApplication"],
        ),
        "ExtlClntAppGlobalOauthSettings" => (
            vec![
                ("callbackUrl", Urls),
                ("certificate", Text),
                ("externalClientApplication", AppName),
                ("idTokenConfig.idTokenValidityInMinutes", Int(1, 720)),
                ("isClientCredentialsFlowEnabled", Bool),
                ("isConsumerSecretOptional", Bool),
                ("isDeviceFlowEnabled", Bool),
                ("isIntrospectAllTokens", Bool),
                ("isPkceRequired", Bool),
                ("isRefreshTokenRotationEnabled", Bool),
                ("isSecretRequiredForRefreshToken", Bool),
                ("label", Text),
                ("shouldRotateConsumerKey", Bool),
                ("shouldRotateConsumerSecret", Bool),
            ],
            vec!["externalClientApplication"],
        ),
        "ExtlClntAppOauthConfigurablePolicies" => (
            vec![
                ("commaSeparatedPermissionSet", ApiNames),
                ("commaSeparatedProfile", Text),
                ("externalClientApplication", AppName),
                ("ipRelaxationPolicyType", Enum(&["Enforce", "Bypass", "Bypass_2factor", "Enforce_RelaxRefresh"])),
                ("label", Text),
                ("permittedUsersPolicyType", Enum(&["AdminApprovedPreAuthorized", "AllSelfAuthorized"])),
                ("policyAction", Enum(&["Block", "RaiseSessionLevel"])),
                ("refreshTokenPolicyType", Enum(&["Infinite", "SpecificInactivity", "SpecificLifetime", "Zero"])),
                ("refreshTokenValidityPeriod", Int(1, i64::from(u32::MAX))),
                ("refreshTokenValidityUnit", Enum(&["Days", "Hours", "Months"])),
                ("requiredSessionLevel", Enum(&["HIGH_ASSURANCE", "LOW", "STANDARD"])),
                ("sessionTimeoutInMinutes", Int(1, 1_000_000)),
                ("startUrl", Text),
            ],
            vec!["externalClientApplication"],
        ),
        "ExtlClntAppConfigurablePolicies" => (
            vec![
                ("externalClientApplication", AppName),
                ("isEnabled", Bool),
                ("isOauthPluginEnabled", Bool),
                ("label", Text),
                ("startPage", Enum(&["Custom", "None", "OAuth"])),
            ],
            vec!["externalClientApplication", "isEnabled"],
        ),
        other => panic!("unknown type {other}"),
    }
}

fn value_ok(v: V, value: &str, app: &str) -> bool {
    let api_name = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.contains("__")
            && !s.ends_with('_')
    };
    match v {
        V::Bool => value == "true" || value == "false",
        V::Text => !value.is_empty() && !value.contains('\n'),
        V::Email => value.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.')) && !value.contains(char::is_whitespace),
        V::Enum(set) => set.contains(&value),
        V::Int(lo, hi) => value.parse::<i64>().is_ok_and(|n| (lo..=hi).contains(&n)),
        V::Scopes => value.split(", ").all(|t| SCOPE_TOKENS.contains(&t)),
        V::Urls => value.lines().all(|u| {
            url::Url::parse(u).is_ok_and(|u| {
                u.scheme() == "https" || (u.scheme() == "http" && matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
            })
        }),
        V::AppName => value == app,
        V::ApiNames => value.split(',').all(|n| api_name(n.trim())),
    }
}

/// Every problem of an exported project against the guide; empty when it is clean.
fn validate(dir: &Path, app: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let project: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sfdx-project.json")).unwrap()).unwrap();
    if !project["sourceApiVersion"].as_str().and_then(|v| v.parse::<f64>().ok()).is_some_and(|v| v >= 60.0) {
        problems.push(format!("sfdx-project.json: sourceApiVersion {} is below 60.0", project["sourceApiVersion"]));
    }
    let pkg = xml::parse_package(&std::fs::read_to_string(dir.join("manifest/package.xml")).unwrap()).unwrap();
    if !pkg.version.as_deref().and_then(|v| v.parse::<f64>().ok()).is_some_and(|v| v >= 60.0) {
        problems.push(format!("package.xml: version {:?} is below 60.0", pkg.version));
    }
    let mut listed: Vec<(String, Vec<String>)> = pkg.types.iter().map(|t| (t.name.clone(), t.members.clone())).collect();
    listed.sort();
    let mut want: Vec<(String, Vec<String>)> = five(app).into_iter().map(|(t, _, m, _)| (t.to_string(), vec![m])).collect();
    want.sort();
    if listed != want {
        problems.push(format!("package.xml lists {listed:?}, expected {want:?}"));
    }
    for (ty, _, member, _) in five(app) {
        if !source_file(dir, app, ty).is_file() {
            problems.push(format!("{ty} `{member}`: no file"));
        }
    }
    let source = dir.join("force-app");
    for entry in walkdir::WalkDir::new(&source).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()) {
        let rel = entry.path().strip_prefix(&source).unwrap().display().to_string();
        let Some((ty, ..)) =
            five(app).into_iter().find(|(_, folder, member, suffix)| rel == format!("main/default/{folder}/{member}.{suffix}-meta.xml"))
        else {
            problems.push(format!("{rel}: not one of the five files (folder, member name or suffix)"));
            continue;
        };
        problems.extend(validate_file(entry.path(), ty, app).into_iter().map(|p| format!("{rel}: {p}")));
    }
    problems
}

fn validate_file(path: &Path, ty: &str, app: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let root = match xml::parse(&std::fs::read_to_string(path).unwrap()) {
        Ok(r) => r,
        Err(e) => return vec![format!("not XML: {e}")],
    };
    if root.name != ty || root.namespace.as_deref() != Some("http://soap.sforce.com/2006/04/metadata") {
        problems.push(format!("root <{}> xmlns={:?}", root.name, root.namespace));
    }
    let (allowed, required) = guide(ty);
    let fields = root.fields();
    for (name, value) in &fields {
        match allowed.iter().find(|(n, _)| n == name) {
            None => problems.push(format!("field `{name}` is not listed in the Metadata API guide")),
            Some((_, v)) if !value_ok(*v, value, app) => {
                problems.push(format!("field `{name}` has a value outside the allowed set: {value:?}"))
            }
            Some(_) => {}
        }
    }
    for r in required {
        if !fields.iter().any(|(n, _)| n == r) {
            problems.push(format!("required field `{r}` is missing"));
        }
    }
    let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let timed = matches!(get("refreshTokenPolicyType"), Some("SpecificInactivity" | "SpecificLifetime"));
    if timed != (get("refreshTokenValidityPeriod").is_some() && get("refreshTokenValidityUnit").is_some())
        || (!timed && (get("refreshTokenValidityPeriod").is_some() || get("refreshTokenValidityUnit").is_some()))
    {
        problems.push("refreshTokenValidityPeriod/Unit go with SpecificInactivity/SpecificLifetime only".into());
    }
    problems
}

#[test]
fn exports_for_cloud_and_self_hosted_pass_the_guides_validation() {
    let env = Env::new();
    for (label, dir, app, callback) in exported_variants(&env) {
        let problems = validate(&dir, app);
        assert!(problems.is_empty(), "{label}: {problems:#?}");
        let global = std::fs::read_to_string(source_file(&dir, app, "ExtlClntAppGlobalOauthSettings")).unwrap();
        assert!(global.contains(&format!("<callbackUrl>{callback}\n")), "{label}: {global}");
    }
    // The self-hosted variant carries every flag.
    let dir = env.path("self-hosted");
    let policies = std::fs::read_to_string(source_file(&dir, "Mailfino_EU", "ExtlClntAppOauthConfigurablePolicies")).unwrap();
    for want in [
        "<commaSeparatedPermissionSet>Mailfino_Integration</commaSeparatedPermissionSet>",
        "<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>",
        "<refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType>",
        "<refreshTokenValidityPeriod>4</refreshTokenValidityPeriod>",
        "<refreshTokenValidityUnit>Hours</refreshTokenValidityUnit>",
        "<ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType>",
    ] {
        assert!(policies.contains(want), "{want}\n{policies}");
    }
    let global = std::fs::read_to_string(source_file(&dir, "Mailfino_EU", "ExtlClntAppGlobalOauthSettings")).unwrap();
    assert!(global.contains(&format!("<callbackUrl>{SELF_HOSTED_CALLBACK}\nhttp://127.0.0.1:9001/cb</callbackUrl>")), "{global}");
    assert!(global.contains("<isRefreshTokenRotationEnabled>true<"), "{global}");
}

#[test]
fn the_validator_rejects_what_public_guides_invent() {
    let env = Env::new();
    let dir = env.path("p");
    export(&env, &dir, &["--contact-email", "admin@example.com"]);
    assert!(validate(&dir, "mailfino").is_empty());
    let edit = |ty: &str, from: &str, to: &str| {
        let path = source_file(&dir, "mailfino", ty);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    edit("ExtlClntAppOauthSettings", "    <label>", "    <scopes>Api</scopes>\n    <label>");
    edit("ExtlClntAppOauthConfigurablePolicies", "    <label>", "    <isAdminApproved>true</isAdminApproved>\n    <label>");
    edit("ExternalClientApplication", ">Local<", ">Packageable<");
    edit("ExtlClntAppGlobalOauthSettings", "    <label>", "    <consumerKey>3MVG9x</consumerKey>\n    <label>");
    edit("ExtlClntAppConfigurablePolicies", "<isEnabled>true</isEnabled>", "");
    let wrong = dir.join("force-app/main/default/extlClntAppGlobalOauthSets/mailfino.ecaGlobalOauth-meta.xml");
    std::fs::write(&wrong, "<x/>").unwrap();
    let problems = validate(&dir, "mailfino").join("\n");
    for want in [
        "`scopes`",
        "`isAdminApproved`",
        "\"Packageable\"",
        "`consumerKey`",
        "required field `isEnabled`",
        "ecaGlobalOauth-meta.xml: not one of",
    ] {
        assert!(problems.contains(want), "{want} not in:\n{problems}");
    }
    // A file the package lists but the export lacks.
    std::fs::remove_file(source_file(&dir, "mailfino", "ExtlClntAppOauthConfigurablePolicies")).unwrap();
    let problems = validate(&dir, "mailfino");
    assert!(problems.contains(&"ExtlClntAppOauthConfigurablePolicies `mailfino_oauthPlcy`: no file".to_string()), "{problems:#?}");
}

// ---------------------------------------------------------------------------------------------
// Salesforce's own tooling.

/// Installs tests/sdr's packages (npm ci) once when they are missing; false when Node, npm or
/// the registry is not there.
fn sdr_ready() -> Result<PathBuf, String> {
    static READY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    READY
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdr");
            which("node").ok_or("node")?;
            if dir.join("node_modules/@salesforce/source-deploy-retrieve/package.json").is_file() {
                return Ok(dir);
            }
            which("npm").ok_or("npm")?;
            let mut child = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                .current_dir(&dir)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| format!("npm ({e})"))?;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
            loop {
                if let Some(status) = child.try_wait().unwrap() {
                    return if status.success() { Ok(dir) } else { Err("@salesforce/source-deploy-retrieve (npm ci failed)".into()) };
                }
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("@salesforce/source-deploy-retrieve (npm ci timed out)".into());
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        })
        .clone()
}

/// Runs tests/sdr/check.js on a project, with a deadline.
fn sdr_load(sdr: &Path, project: &Path, out: &Path) -> Value {
    let child = std::process::Command::new("node")
        .arg(sdr.join("check.js"))
        .arg(project)
        .arg(out)
        .current_dir(sdr)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let output = match rx.recv_timeout(std::time::Duration::from_secs(180)) {
        Ok(o) => o.unwrap(),
        Err(_) => {
            let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
            panic!("source-deploy-retrieve did not finish within 180 s");
        }
    };
    assert!(output.status.success(), "check.js failed: {}", all_output(&output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", all_output(&output)))
}

#[test]
fn salesforces_source_deploy_retrieve_loads_and_converts_the_exports() {
    let sdr = sdr_ready();
    if !e2e_available(
        &format!("Salesforce's source-deploy-retrieve: {}", sdr.as_ref().err().map(String::as_str).unwrap_or("")),
        sdr.is_ok(),
    ) {
        return;
    }
    let sdr = sdr.unwrap();
    let env = Env::new();
    for (label, dir, app, _) in exported_variants(&env) {
        let out = env.path(&format!("{label}-mdapi"));
        let v = sdr_load(&sdr, &dir, &out);
        let mut want: Vec<(String, String, String)> = five(app)
            .into_iter()
            .map(|(t, folder, m, s)| (t.to_string(), m.clone(), format!("force-app/main/default/{folder}/{m}.{s}-meta.xml")))
            .collect();
        want.sort();
        for from in ["source", "manifest"] {
            let mut got: Vec<(String, String, String)> = v[from]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (c["type"].as_str().unwrap().into(), c["fullName"].as_str().unwrap().into(), c["xml"].as_str().unwrap_or("").into())
                })
                .collect();
            got.sort();
            assert_eq!(got, want, "{label}: components resolved from the {from}");
        }
        // Metadata (deploy) format: one file per component without -meta.xml, and package.xml.
        let mut converted: Vec<String> = v["converted"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
        converted.sort();
        let mut expected: Vec<String> = five(app).into_iter().map(|(_, folder, m, s)| format!("{folder}/{m}.{s}")).collect();
        expected.push("package.xml".into());
        expected.sort();
        assert_eq!(converted, expected, "{label}");
        let pkg = xml::parse_package(&std::fs::read_to_string(out.join("package.xml")).unwrap()).unwrap();
        assert!(pkg.version.unwrap().parse::<f64>().unwrap() >= 60.0);
        let converted_global =
            std::fs::read_to_string(out.join(format!("extlClntAppGlobalOauthSets/{app}_glbloauth.ecaGlblOauth"))).unwrap();
        assert_eq!(xml::parse(&converted_global).unwrap().name, "ExtlClntAppGlobalOauthSettings");
    }
}

// ---------------------------------------------------------------------------------------------
// app check

fn check_json(env: &Env, dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = env.cmd().args(["app", "check", "--json"]).arg(dir).args(extra).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", all_output(&out)));
    (out.status.code().unwrap(), v, all_output(&out))
}

fn find<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}: {v}"))
}

#[test]
fn check_passes_its_own_exports() {
    let env = Env::new();
    let ids = [
        "files",
        "scopes",
        "callback_urls",
        "pkce",
        "secret_required",
        "refresh_token_policy",
        "ip_policy",
        "permitted_users",
        "distribution",
        "app_enabled",
    ];
    for (label, dir, app, callback) in exported_variants(&env) {
        let mut extra = vec![];
        if label == "self-hosted" {
            extra = vec!["--mailfino-url", "https://mail.example.com", "--redirect-uri", "http://127.0.0.1:9001/cb"];
        }
        let (code, v, all) = check_json(&env, &dir, &extra);
        assert_eq!(v["app"], app);
        // Every check passes, except where the variant's own flags chose a weaker policy.
        let (want_code, flagged): (i32, &[(&str, &str)]) = match label {
            "cloud" => (0, &[]),
            "self-hosted" => (1, &[("refresh_token_policy", "fail"), ("ip_policy", "warn")]),
            "inactivity" => (0, &[("refresh_token_policy", "warn")]),
            other => panic!("{other}"),
        };
        let want: Vec<String> =
            ids.iter().map(|id| format!("{id} {}", flagged.iter().find(|(f, _)| f == id).map(|(_, st)| *st).unwrap_or("pass"))).collect();
        assert_eq!(check_table(&v), want, "{label}");
        assert_eq!(code, want_code, "{label}: {all}");
        assert_eq!(v["ok"], want_code == 0, "{label}");
        let callbacks = find(&v, "callback_urls")["summary"].as_str().unwrap().to_string();
        assert!(callbacks.starts_with(&format!("mailfino's callback {callback} and the loopback ")), "{label}: {callbacks}");
    }
    // The human form is verify's: marks, ids, a closing line.
    let out = env.cmd().args(["app", "check"]).arg(env.path("cloud")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert_eq!(text.lines().filter(|l| l.starts_with("✔ pass  ")).count(), 10, "{text}");
    assert!(text.starts_with("✔ pass  files                 read 5 of the app `mailfino`'s 5 files"), "{text}");
    assert!(text.ends_with("\n10 passed, 0 warnings, 0 failed, 0 skipped. The app's files give mailfino what it needs.\n"), "{text}");
}

#[test]
fn check_names_each_mutation() {
    let env = Env::new();
    let base = env.path("base");
    export(&env, &base, &["--contact-email", "admin@example.com"]);
    type Mutation = (&'static str, &'static str, String, String, &'static str, &'static str, &'static str);
    let mutations: Vec<Mutation> = vec![
        ("full", "ExtlClntAppOauthSettings", "Api, RefreshToken".into(), "Api, RefreshToken, Full".into(), "scopes", "fail", "Full"),
        ("no-loopback", "ExtlClntAppGlobalOauthSettings", format!("\n{DEFAULT_LOOPBACK}"), String::new(), "callback_urls", "warn", "loopback"),
        (
            "trailing-slash",
            "ExtlClntAppGlobalOauthSettings",
            format!("{CLOUD_CALLBACK}\n"),
            format!("{CLOUD_CALLBACK}/\n"),
            "callback_urls",
            "fail",
            "trailing slash",
        ),
        ("pkce-off", "ExtlClntAppGlobalOauthSettings", ">true</isPkceRequired>".into(), ">false</isPkceRequired>".into(), "pkce", "fail", "PKCE is not required"),
        (
            "lifetime-4h",
            "ExtlClntAppOauthConfigurablePolicies",
            "<refreshTokenPolicyType>Infinite</refreshTokenPolicyType>".into(),
            "<refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType>\n    <refreshTokenValidityPeriod>4</refreshTokenValidityPeriod>\n    <refreshTokenValidityUnit>Hours</refreshTokenValidityUnit>".into(),
            "refresh_token_policy",
            "fail",
            "4 hours",
        ),
        ("ip-enforced", "ExtlClntAppOauthConfigurablePolicies", ">Enforce_RelaxRefresh<".into(), ">Enforce<".into(), "ip_policy", "warn", "enforced"),
        (
            "secret-optional",
            "ExtlClntAppGlobalOauthSettings",
            ">false</isConsumerSecretOptional>".into(),
            ">true</isConsumerSecretOptional>".into(),
            "secret_required",
            "fail",
            "web-server flow",
        ),
        (
            "admin-approved-nobody",
            "ExtlClntAppOauthConfigurablePolicies",
            ">AllSelfAuthorized<".into(),
            ">AdminApprovedPreAuthorized<".into(),
            "permitted_users",
            "fail",
            "no permission set",
        ),
    ];
    for (label, ty, from, to, id, status, words) in mutations {
        let dir = env.path(label);
        copy_dir(&base, &dir);
        let path = source_file(&dir, "mailfino", ty);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&from), "{label}: {from:?} not in {text}");
        std::fs::write(&path, text.replacen(&from, &to, 1)).unwrap();
        let (code, v, all) = check_json(&env, &dir, &[]);
        let c = find(&v, id);
        assert_eq!(c["status"], status, "{label}: {c}");
        assert!(c["summary"].as_str().unwrap().contains(words), "{label}: {c}");
        assert!(c["hint"].as_str().is_some_and(|h| !h.is_empty()), "{label}: {c}");
        assert_eq!(code, if status == "fail" { 1 } else { 0 }, "{label}: {all}");
        let others_pass = v["checks"].as_array().unwrap().iter().filter(|c| c["id"] != id).all(|c| c["status"] == "pass");
        assert!(others_pass, "{label}: only {id} should change: {v}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().map(Result::unwrap) {
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The reference's real retrieved files (eca-metadata.md C.3 (1)-(3), chrzasz/sf-th-eca-via-metadata),
/// with a fake key of the real form in place of the redacted one, and the org-specific
/// `orgScopedExternalApp` that retrieves carry.
const FAKE_KEY: &str = "3MVG9FAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAKEKEYFAK";

fn retrieved_example(dir: &Path) {
    let base = dir.join("force-app/main/default");
    let files = [
        (
            "externalClientApps/ecaViaMetadata.eca-meta.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ExternalClientApplication xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>eca_metadata@example.com</contactEmail>
    <description>External client app Metadata API creation</description>
    <distributionState>Local</distributionState>
    <isProtected>false</isProtected>
    <label>ecaViaMetadata</label>
    <orgScopedExternalApp>00DQy000000AAAA:ecaViaMetadata</orgScopedExternalApp>
</ExternalClientApplication>
"#
            .to_string(),
        ),
        (
            "extlClntAppOauthSettings/ecaViaMetadataSettings.ecaOauth-meta.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ExtlClntAppOauthSettings xmlns="http://soap.sforce.com/2006/04/metadata">
    <commaSeparatedOauthScopes>Api, Web, OpenID</commaSeparatedOauthScopes>
    <externalClientApplication>ecaViaMetadata</externalClientApplication>
    <isFirstPartyAppEnabled>false</isFirstPartyAppEnabled>
    <label>ECA via Metadata Oauth Settings</label>
    <oauthLink>00DQy…:888Qy…</oauthLink>   <!-- org id : consumer id, redacted -->
</ExtlClntAppOauthSettings>
"#
            .to_string(),
        ),
        (
            "extlClntAppGlobalOauthSets/ecaViaMetadataGlblOAuth.ecaGlblOauth-meta.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<ExtlClntAppGlobalOauthSettings xmlns="http://soap.sforce.com/2006/04/metadata">
    <callbackUrl>https://openidconnect.herokuapp.com/callback</callbackUrl>
    <consumerKey>{FAKE_KEY}</consumerKey>   <!-- redacted -->
    <externalClientApplication>ecaViaMetadata</externalClientApplication>
    <isClientCredentialsFlowEnabled>false</isClientCredentialsFlowEnabled>
    <isCodeCredFlowEnabled>false</isCodeCredFlowEnabled>
    <isCodeCredPostOnly>false</isCodeCredPostOnly>
    <isConsumerSecretOptional>false</isConsumerSecretOptional>
    <isDeviceFlowEnabled>false</isDeviceFlowEnabled>
    <isIntrospectAllTokens>false</isIntrospectAllTokens>
    <isNamedUserJwtEnabled>false</isNamedUserJwtEnabled>
    <isPkceRequired>false</isPkceRequired>
    <isRefreshTokenRotationEnabled>false</isRefreshTokenRotationEnabled>
    <isSecretRequiredForRefreshToken>true</isSecretRequiredForRefreshToken>
    <isSecretRequiredForTokenExchange>false</isSecretRequiredForTokenExchange>
    <isTokenExchangeEnabled>false</isTokenExchangeEnabled>
    <label>ecaViaMetadataglobalset</label>
    <shouldRotateConsumerKey>false</shouldRotateConsumerKey>
    <shouldRotateConsumerSecret>false</shouldRotateConsumerSecret>
</ExtlClntAppGlobalOauthSettings>
"#
            ),
        ),
    ];
    for (rel, text) in files {
        let path = base.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn check_reads_the_references_retrieved_files() {
    let env = Env::new();
    let dir = env.path("retrieved");
    retrieved_example(&dir);
    let (code, v, all) = check_json(&env, &dir, &[]);
    assert_eq!(code, 1, "{all}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["app"], "ecaViaMetadata");
    // Read, not a failure: the extra fields; a warning that the key is in the file.
    assert_eq!(find(&v, "files")["status"], "warn", "{v}");
    assert!(find(&v, "files")["summary"].as_str().unwrap().contains("consumerKey"));
    let cb = find(&v, "callback_urls");
    assert_eq!(cb["status"], "fail");
    assert!(cb["summary"].as_str().unwrap().contains("https://openidconnect.herokuapp.com/callback"), "{cb}");
    assert!(cb["summary"].as_str().unwrap().contains(CLOUD_CALLBACK), "{cb}");
    let scopes = find(&v, "scopes");
    assert_eq!(scopes["status"], "fail");
    assert!(scopes["summary"].as_str().unwrap().contains("lack RefreshToken"), "{scopes}");
    assert_eq!(find(&v, "pkce")["status"], "fail");
    assert_eq!(find(&v, "secret_required")["status"], "pass");
    assert_eq!(find(&v, "distribution")["status"], "pass");
    for id in ["refresh_token_policy", "ip_policy", "permitted_users", "app_enabled"] {
        assert_eq!(find(&v, id)["status"], "skip", "{id}: {v}");
    }
    assert!(!all.contains(FAKE_KEY), "the consumer key was printed: {all}");
    // The human form shows the same, and never the key either.
    let out = env.cmd().args(["app", "check", "-v"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!all_output(&out).contains(FAKE_KEY));
    assert!(stdout(&out).contains("✘ fail  callback_urls"), "{}", stdout(&out));
}

#[test]
fn check_reports_unreadable_files_and_several_apps() {
    let env = Env::new();
    let empty = env.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, v, _) = check_json(&env, &empty, &[]);
    assert_eq!(code, 1);
    assert_eq!(find(&v, "files")["status"], "fail");
    assert_eq!(find(&v, "scopes")["status"], "skip");

    let two = env.path("two");
    export(&env, &two, &["--contact-email", "a@example.com"]);
    export(&env, &two, &["--contact-email", "a@example.com", "--name", "other"]);
    let (code, v, _) = check_json(&env, &two, &[]);
    assert_eq!(code, 1);
    assert!(find(&v, "files")["summary"].as_str().unwrap().contains("several apps: mailfino, other"), "{v}");
    let (code, v, _) = check_json(&env, &two, &["--name", "other"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["app"], "other");

    // A broken file is named; a hostile entity is not expanded; nothing panics.
    let broken = env.path("broken");
    copy_dir(&env.path("two"), &broken);
    let oauth = source_file(&broken, "mailfino", "ExtlClntAppOauthSettings");
    std::fs::write(
        &oauth,
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><ExtlClntAppOauthSettings>&e;</ExtlClntAppOauthSettings>",
    )
    .unwrap();
    let (code, v, all) = check_json(&env, &broken, &["--name", "mailfino"]);
    assert_eq!(code, 1, "{all}");
    let files = find(&v, "files");
    assert_eq!(files["status"], "fail");
    assert!(files["summary"].as_str().unwrap().contains("mailfino_oauth.ecaOauth-meta.xml"), "{files}");
    assert!(files["summary"].as_str().unwrap().ends_with("mailfino_oauth.ecaOauth-meta.xml: unknown entity `&e;`"), "{files}");
    assert!(!all.contains("root:"), "an entity was expanded: {all}");

    let out = env.cmd().args(["app", "check"]).arg(env.path("missing")).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(stderr(&out).contains(&env.path("missing").display().to_string()), "the directory is named: {}", stderr(&out));

    // A FIFO in place of a file (nothing ever writes to it) is named at once, never waited on;
    // the command's 60 s timeout would fail the test if it hung.
    #[cfg(unix)]
    {
        let fifo_dir = env.path("fifo");
        copy_dir(&env.path("two"), &fifo_dir);
        let oauth = source_file(&fifo_dir, "mailfino", "ExtlClntAppOauthSettings");
        std::fs::remove_file(&oauth).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(&oauth).status().unwrap().success());
        let (code, v, all) = check_json(&env, &fifo_dir, &["--name", "mailfino"]);
        assert_eq!(code, 1, "{all}");
        let files = find(&v, "files");
        assert_eq!(files["status"], "fail");
        assert!(files["summary"].as_str().unwrap().contains("no ExtlClntAppOauthSettings file"), "{files}");
        // Nor does export wait on a FIFO where its manifest should be: exit 2, naming it.
        let manifest = fifo_dir.join("manifest/package.xml");
        std::fs::remove_file(&manifest).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(&manifest).status().unwrap().success());
        let out = env.cmd().args(["app", "export"]).arg(&fifo_dir).args(["--contact-email", "a@example.com"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
        assert!(stderr(&out).contains("not a regular file"), "{}", all_output(&out));
    }
}

// ---------------------------------------------------------------------------------------------
// app export: idempotence, merging, bad input, the profile, secrets.

fn mtimes(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), e.metadata().unwrap().modified().unwrap()))
        .collect();
    v.sort();
    v
}

#[test]
fn export_again_is_idempotent_and_leaves_other_files_alone() {
    let env = Env::new();
    let dir = env.path("p");
    let first = export(&env, &dir, &["--contact-email", "admin@example.com"]);
    assert_eq!(first.matches("created").count(), 7, "{first}");
    for want in ["sf project deploy start --manifest manifest/package.xml", "Consumer Key and Secret", "mailfino-sf setup"] {
        assert!(first.contains(want), "{want}: {first}");
    }
    std::fs::write(dir.join("README.md"), "mine\n").unwrap();
    std::fs::write(dir.join("force-app/main/default/externalClientApps/notes.txt"), "mine too\n").unwrap();
    let before = mtimes(&dir);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = export(&env, &dir, &["--contact-email", "admin@example.com"]);
    assert_eq!(second.matches("unchanged").count(), 7, "{second}");
    assert_eq!(mtimes(&dir), before, "a re-export touched files");
    assert_eq!(std::fs::read_to_string(dir.join("README.md")).unwrap(), "mine\n");

    // A changed flag rewrites only the file it concerns.
    let third = export(&env, &dir, &["--contact-email", "admin@example.com", "--rotation"]);
    assert_eq!(third.matches("updated").count(), 1, "{third}");
    assert!(
        third.contains("updated    force-app/main/default/extlClntAppGlobalOauthSets/mailfino_glbloauth.ecaGlblOauth-meta.xml"),
        "{third}"
    );
}

#[test]
fn export_merges_an_existing_project_and_refuses_a_broken_one() {
    let env = Env::new();
    let dir = env.path("p");
    std::fs::create_dir_all(dir.join("manifest")).unwrap();
    std::fs::write(
        dir.join("manifest/package.xml"),
        "<?xml version=\"1.0\"?><Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>Account</members><name>CustomObject</name></types><version>62.0</version></Package>",
    )
    .unwrap();
    std::fs::write(
        dir.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"src","default":true}],"sourceApiVersion":"62.0","plugins":{"x":1}}"#,
    )
    .unwrap();
    export(&env, &dir, &["--contact-email", "admin@example.com"]);
    let pkg = xml::parse_package(&std::fs::read_to_string(dir.join("manifest/package.xml")).unwrap()).unwrap();
    assert_eq!(pkg.version.as_deref(), Some("62.0"));
    assert!(pkg.types.iter().any(|t| t.name == "CustomObject" && t.members == ["Account"]), "{pkg:?}");
    assert_eq!(pkg.types.len(), 6);
    let project: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sfdx-project.json")).unwrap()).unwrap();
    assert_eq!(project["plugins"]["x"], 1);
    assert_eq!(project["packageDirectories"][0]["path"], "src");
    assert_eq!(project["packageDirectories"][1], serde_json::json!({"path": "force-app", "default": false}));

    // A broken manifest: exit 2, nothing written.
    let other = env.path("q");
    std::fs::create_dir_all(other.join("manifest")).unwrap();
    std::fs::write(other.join("manifest/package.xml"), "<Package><types>").unwrap();
    let out = env.cmd().args(["app", "export"]).arg(&other).args(["--contact-email", "a@example.com"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(stderr(&out).contains("package.xml"), "{}", stderr(&out));
    assert!(!other.join("force-app").exists() && !other.join("sfdx-project.json").exists());
}

#[test]
fn export_rejects_bad_values_and_writes_nothing() {
    let env = Env::new();
    let dir = env.path("p");
    let cases: [(&[&str], &str); 8] = [
        (&[], "--contact-email"),
        (&["--contact-email", "not-an-address"], "not-an-address"),
        (&["--contact-email", "a@example.com", "--name", "my app"], "my app"),
        (&["--contact-email", "a@example.com", "--permission-set", "Bad-Name"], "Bad-Name"),
        (&["--contact-email", "a@example.com", "--refresh-policy", "lifetime:0d"], "lifetime:0d"),
        (&["--contact-email", "a@example.com", "--refresh-policy", "forever"], "forever"),
        (&["--contact-email", "a@example.com", "--mailfino-url", "http://mail.example.com"], "http://mail.example.com"),
        (&["--contact-email", "a@example.com", "--redirect-uri", "https://example.com/cb"], "https://example.com/cb"),
    ];
    for (args, named) in cases {
        let out = env.cmd().args(["app", "export"]).arg(&dir).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all_output(&out));
        assert!(stderr(&out).contains(named), "{args:?}: {}", stderr(&out));
        assert!(!dir.exists(), "{args:?} wrote something");
    }
    let out = env.cmd().args(["--profile", "nope", "app", "export"]).arg(&dir).args(["--contact-email", "a@example.com"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    assert!(stderr(&out).contains("no such profile `nope`"));
}

#[test]
fn export_takes_the_profile_and_writes_no_secret() {
    let env = Env::new();
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_dir().join("config.toml"),
        format!(
            "[default]\nlogin_url = \"https://acme.my.salesforce.com\"\nclient_id = \"{FAKE_KEY}\"\ncallback_url = \"{SELF_HOSTED_CALLBACK}\"\nredirect_uri = \"http://localhost:9123/callback\"\napp_name = \"mailfino Integration\"\n"
        ),
    )
    .unwrap();
    let secret = "a".repeat(64);
    std::fs::write(env.config_dir().join("credentials.toml"), format!("[default]\nclient-secret = \"{secret}\"\n")).unwrap();
    let dir = env.path("p");
    let out = env.cmd().args(["app", "export"]).arg(&dir).args(["--contact-email", "admin@example.com"]).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(!all_output(&out).contains(&secret) && !all_output(&out).contains(FAKE_KEY));
    assert!(validate(&dir, "mailfino_Integration").is_empty(), "{:#?}", validate(&dir, "mailfino_Integration"));
    let app = std::fs::read_to_string(source_file(&dir, "mailfino_Integration", "ExternalClientApplication")).unwrap();
    assert!(app.contains("<label>mailfino Integration</label>"), "{app}");
    let global = std::fs::read_to_string(source_file(&dir, "mailfino_Integration", "ExtlClntAppGlobalOauthSettings")).unwrap();
    assert!(global.contains(&format!("<callbackUrl>{SELF_HOSTED_CALLBACK}\nhttp://localhost:9123/callback</callbackUrl>")), "{global}");
    for e in walkdir::WalkDir::new(&dir).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()) {
        let text = std::fs::read_to_string(e.path()).unwrap();
        assert!(!text.contains(&secret) && !text.contains(FAKE_KEY), "{} holds a secret", e.path().display());
        for field in ["consumerKey", "consumerSecret", "oauthLink", "orgScopedExternalApp"] {
            assert!(!text.contains(field), "{} writes {field}", e.path().display());
        }
    }
    // The same profile checks its own export; the JSON names the callback URLs.
    let (code, v, all) = check_json(&env, &dir, &[]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check_table(&v).len(), 10);
    assert!(check_table(&v).iter().all(|row| row.ends_with(" pass")), "{v}");
    assert_eq!(v["app"], "mailfino_Integration");
    let out = env.cmd().args(["app", "export", "--json"]).arg(&dir).args(["--contact-email", "admin@example.com"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["callback_urls"], serde_json::json!([SELF_HOSTED_CALLBACK, "http://localhost:9123/callback"]));
    let outcomes: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["unchanged"; 7], "{v}");
}

// ---------------------------------------------------------------------------------------------
// The wizard offers the metadata path.

#[cfg(unix)]
#[test]
fn the_wizard_exports_the_app_and_waits_for_the_key_and_secret() {
    use expectrl::Expect;
    let f = fixture(|_| {});
    let project = f.env.path("mailfino-app");
    let mut p = f.env.pty(&["setup", "--login-url", f.emu.url(), "--redirect-uri", &f.redirect]);
    p.expect("Where mailfino runs").unwrap();
    p.send_line("").unwrap(); // mailfino Cloud
    p.expect("Salesforce org").unwrap();
    p.send_line("").unwrap();
    p.expect("My Domain URL").unwrap();
    p.send_line("").unwrap();
    p.expect("How to create the External Client App").unwrap();
    p.send("\x1b[B").unwrap(); // down: deploy from metadata
    p.send_line("").unwrap();
    p.expect("Directory for the app's metadata project").unwrap();
    p.send_line(project.to_str().unwrap()).unwrap();
    p.expect("Contact e-mail").unwrap();
    p.send_line("not an address").unwrap();
    p.expect("not an e-mail address").unwrap();
    p.send_line("admin@example.com").unwrap();
    p.expect("sf project deploy start --manifest manifest/package.xml").unwrap();
    p.expect("Deployed, and the Consumer Key and Secret at hand?").unwrap();
    p.send_line("n").unwrap();
    p.expect("Take your time").unwrap();
    p.expect("Deployed, and the Consumer Key and Secret at hand?").unwrap();
    p.send_line("y").unwrap();
    // No click-through checklist: the key and secret come next.
    p.expect("Consumer Key").unwrap();
    p.send_line(f.emu.client_id()).unwrap();
    finish_wizard_without_env_file_or_login(&mut p, &f.emu.client_secret());
    assert_pty_exit(&p, 0);
    assert_eq!(stored_secret(&f.env, "default", "client-secret"), Some(f.emu.client_secret()));
    assert_eq!(f.refresh_token(), None, "no login was asked for");
    // The project is the export of this profile's values, and checks clean.
    assert!(validate(&project, "mailfino").is_empty(), "{:#?}", validate(&project, "mailfino"));
    let global = std::fs::read_to_string(source_file(&project, "mailfino", "ExtlClntAppGlobalOauthSettings")).unwrap();
    assert!(global.contains(&format!("<callbackUrl>{CLOUD_CALLBACK}\n{}</callbackUrl>", f.redirect)), "{global}");
    let (code, v, all) = check_json(&f.env, &project, &[]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(check_table(&v).len(), 10);
    assert!(check_table(&v).iter().all(|row| row.ends_with(" pass")), "{v}");
}
