//! The store under concurrency and faults (issue 13): runs on different profiles at once lose
//! nothing, a lock held too long is named, lock files are never followed through a link, a file
//! copy supersedes a stale keyring copy, and a rotated token that could not be stored is found
//! and used by the next command before anything is spent.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

fn wait_ok(mut child: Running, what: &str) {
    let out = {
        let status = child.wait().unwrap();
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            std::io::Read::read_to_string(&mut e, &mut err).unwrap();
        }
        (status, err)
    };
    assert!(out.0.success(), "{what}: {:?} {}", out.0, out.1);
}

/// Two profiles with rotation, refreshed at the same moment, round after round: each keeps its
/// own newest token (before the store-wide lock, one lost its token in most rounds).
#[test]
fn two_profiles_refreshing_at_once_with_rotation_lose_nothing() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    for p in ["a", "b"] {
        f.setup_cmd().env("MAILFINO_SF_PROFILE", p).assert().success();
        f.login_cmd().env("MAILFINO_SF_PROFILE", p).assert().success();
    }
    let started = Instant::now();
    for round in 0..25 {
        let before: Vec<String> = ["a", "b"].iter().map(|p| stored_refresh_token(&f.env, p).unwrap()).collect();
        let children: Vec<Running> = ["a", "b"]
            .iter()
            .map(|p| spawn(f.env.std_cmd().args(["refresh", "--profile", p]).stdout(Stdio::null()).stderr(Stdio::piped())))
            .collect();
        for (child, p) in children.into_iter().zip(["a", "b"]) {
            wait_ok(child, &format!("round {round}, profile {p}"));
        }
        for (i, p) in ["a", "b"].iter().enumerate() {
            let now = stored_refresh_token(&f.env, p).unwrap_or_else(|| panic!("round {round}: profile {p} lost its token"));
            assert_ne!(now, before[i], "round {round}: profile {p} kept a spent token");
            assert!(refresh_token_active(&f, &now), "round {round}: profile {p}'s stored token is not the live one");
        }
    }
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}

/// Four `setup` runs on four profiles at once, many times over: every profile and every secret
/// is kept (before the store-wide lock, 98 of 100 trials lost one).
#[test]
fn four_setups_on_four_profiles_at_once_lose_no_profile() {
    let f = fixture(|_| {});
    let started = Instant::now();
    for trial in 0..25 {
        let env = Env::new();
        let children: Vec<Running> = (0..4)
            .map(|i| {
                let mut c = env.std_cmd();
                c.args(["setup", "--non-interactive", "--no-check", "--profile", &format!("p{i}")])
                    .args(["--login-url", f.emu.url(), "--client-id", &format!("3MVG9key{i}"), "--redirect-uri", &f.redirect])
                    .env("MAILFINO_SF_CLIENT_SECRET", format!("{i}{}", "A".repeat(63)))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped());
                spawn(&mut c)
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            wait_ok(child, &format!("trial {trial}, setup p{i}"));
        }
        let config: toml::Value = toml::from_str(&env.config_text()).unwrap();
        let creds: toml::Value = toml::from_str(&env.credentials_text()).unwrap();
        for i in 0..4 {
            let p = format!("p{i}");
            assert_eq!(config[&p]["client_id"].as_str(), Some(format!("3MVG9key{i}").as_str()), "trial {trial}: lost profile {p}");
            assert_eq!(
                creds[&p]["client-secret"].as_str(),
                Some(format!("{i}{}", "A".repeat(63)).as_str()),
                "trial {trial}: lost the secret of {p}"
            );
        }
    }
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}

/// Another run holding the store lock too long: a clear error after the timeout, nothing changed.
#[test]
fn a_store_lock_held_too_long_is_named_and_nothing_changes() {
    let f = fixture(|_| {});
    f.setup();
    let before = f.env.config_text();
    let lock = std::fs::File::options().write(true).open(f.env.config_dir().join(".store-lock")).unwrap();
    lock.lock().unwrap();
    let started = Instant::now();
    let out = f
        .env
        .cmd()
        .args(["setup", "--non-interactive", "--no-check", "--client-id", "3MVG9other"])
        .env("MAILFINO_SF_LOCK_TIMEOUT", "1")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(7), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("another mailfino-sf run has held the store lock") && err.contains("MAILFINO_SF_LOCK_TIMEOUT"), "{err}");
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(10), "{took:?}");
    assert_eq!(f.env.config_text(), before);
    drop(lock);
    // a bad timeout value is a usage error naming it
    let out = f.env.cmd().arg("verify").env("MAILFINO_SF_LOCK_TIMEOUT", "forever").output().unwrap();
    assert_exit(&out, 2, "MAILFINO_SF_LOCK_TIMEOUT=`forever`");
}

#[cfg(unix)]
#[test]
fn lock_files_are_never_followed_through_a_link() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let victim = f.env.path("victim");
    let grants =
        || f.emu.requests_to("/services/oauth2/token").into_iter().filter(|r| r.field("grant_type") == Some("refresh_token")).count();
    let before = (f.refresh_token(), grants());
    for link in [".store-lock", ".default.lock"] {
        let path = f.env.config_dir().join(link);
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let args: &[&str] = if link == ".store-lock" { &["setup", "--non-interactive", "--no-check"] } else { &["refresh"] };
        let out = f.env.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(7), "{link}: {}", all_output(&out));
        assert!(stderr(&out).contains("is a symbolic link; refusing to follow it"), "{link}: {}", stderr(&out));
        assert!(!victim.exists(), "{link}: the link's target was created");
        assert_eq!((f.refresh_token(), grants()), before, "{link}: the token is kept and nothing was sent");
        std::fs::remove_file(&path).unwrap();
    }
    // without the links everything works again, and the token was never spent by the refusals
    f.env.cmd().arg("refresh").assert().success();
    assert_eq!(grants(), before.1 + 1);
}

fn recovery_path(err: &str) -> String {
    err.split("new token is kept in ")
        .nth(1)
        .and_then(|s| s.split(" (mode").next())
        .unwrap_or_else(|| panic!("no recovery path in: {err}"))
        .to_string()
}

/// A full disk while storing a rotated token: the token goes to a recovery file in the config
/// dir, and the next `refresh` restores and uses it before it sends anything; it stays valid.
#[test]
fn a_full_disk_sends_the_token_to_a_recovery_file_that_the_next_refresh_uses() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let spent = f.refresh_token().unwrap();
    let out = f.env.cmd().arg("refresh").env("MAILFINO_SF_FAULT", "store-write").output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("restores the token from that file by itself"), "{err}");
    let path = recovery_path(&err);
    assert!(Path::new(&path).starts_with(f.env.config_dir().join("recovered")), "{path}");
    #[cfg(unix)]
    {
        assert_eq!(mode(Path::new(&path)), 0o600);
        assert_eq!(mode(&f.env.config_dir().join("recovered")), 0o700);
    }
    let first = std::fs::read_to_string(&path).unwrap().trim().to_string();
    assert_eq!(f.refresh_token().as_deref(), Some(spent.as_str()), "the store still holds the spent token");
    assert!(!refresh_token_active(&f, &spent), "rotation spent the stored token");
    assert!(refresh_token_active(&f, &first));

    // The store still fails: the recovered token is used (never the spent one), and its
    // successor replaces the recovery file.
    let out = f.env.cmd().arg("refresh").env("MAILFINO_SF_FAULT", "store-write").output().unwrap();
    assert_exit(&out, 7, "using the refresh token kept in");
    let files = recovery_files(&f.env, "default");
    assert_eq!(files.len(), 1, "{files:?}");
    let recovered = std::fs::read_to_string(&files[0]).unwrap().trim().to_string();
    assert_ne!(recovered, first, "the successor replaced the recovered token");
    assert!(refresh_token_active(&f, &recovered));

    // The store works again: restored first, then refreshed; the chain stays alive.
    let refreshes = || -> Vec<_> {
        f.emu.requests_to("/services/oauth2/token").into_iter().filter(|r| r.field("grant_type") == Some("refresh_token")).collect()
    };
    let sent_before = refreshes().len();
    let out = f.env.cmd().arg("refresh").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("restored the refresh token kept in"), "{}", stderr(&out));
    let sent = refreshes();
    assert_eq!(sent.len(), sent_before + 1);
    assert_eq!(sent.last().unwrap().field("refresh_token"), Some(recovered.as_str()), "the recovered token was used");
    assert!(sent.iter().all(|r| r.status == 200), "no request spent a dead token");
    assert!(recovery_files(&f.env, "default").is_empty());
    let stored = f.refresh_token().unwrap();
    assert!(refresh_token_active(&f, &stored));
    f.env.cmd().arg("refresh").assert().success();
}

/// When the config dir cannot take the recovery file either, it goes to a fresh private dir with
/// a random name in the temp dir (never a predictable name in a shared dir); the next run finds
/// it there by itself, uses or restores it, and removes the dir once its token is spent.
#[test]
fn a_recovery_file_outside_the_config_dir_is_private_unpredictable_and_found_again() {
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let tmp = f.env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let refresh = |faults: Option<&str>| {
        let mut c = f.env.cmd();
        c.arg("refresh").env("TMPDIR", &tmp);
        if let Some(faults) = faults {
            c.env("MAILFINO_SF_FAULT", faults);
        }
        c.output().unwrap()
    };
    let refresh_grants = || -> Vec<_> {
        f.emu.requests_to("/services/oauth2/token").into_iter().filter(|r| r.field("grant_type") == Some("refresh_token")).collect()
    };
    let mut kept: Vec<(std::path::PathBuf, String)> = Vec::new();
    for round in 0..2 {
        let out = refresh(Some("store-write,recovery-config-dir-full"));
        assert_eq!(out.status.code(), Some(7), "{}", all_output(&out));
        let err = stderr(&out);
        let path = std::path::PathBuf::from(recovery_path(&err));
        assert!(path.starts_with(&tmp), "{}", path.display());
        // SAFETY: geteuid has no preconditions.
        #[cfg(unix)]
        let user_dir = tmp.join(format!("mailfino-sf-recovery-user-{}", unsafe { libc::geteuid() }));
        #[cfg(unix)]
        assert_eq!(path.parent().unwrap().parent(), Some(user_dir.as_path()), "in this user's own dir, one random dir per token");
        assert!(err.contains("finds the token there and restores it by itself"), "{err}");
        #[cfg(unix)]
        {
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            assert_eq!(mode(&path), 0o600);
        }
        let token = std::fs::read_to_string(&path).unwrap().trim().to_string();
        assert!(refresh_token_active(&f, &token), "the kept token is the live one");
        if round == 1 {
            assert!(err.contains("using the refresh token kept in"), "the first kept token was found: {err}");
            assert_eq!(refresh_grants().last().unwrap().field("refresh_token"), Some(kept[0].1.as_str()), "and spent");
            assert!(!kept[0].0.parent().unwrap().exists(), "its private dir went with it");
        }
        kept.push((path, token));
    }
    assert_ne!(kept[0].0.parent(), kept[1].0.parent(), "each private dir has a fresh random name");
    // The store works again: restored from the temp dir first, then refreshed; the dir is gone.
    let out = refresh(None);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("restored the refresh token kept in"), "{}", stderr(&out));
    assert_eq!(refresh_grants().last().unwrap().field("refresh_token"), Some(kept[1].1.as_str()), "the recovered token was used");
    assert!(!kept[1].0.parent().unwrap().exists(), "the last private dir was removed");
    assert!(refresh_token_active(&f, &f.refresh_token().unwrap()));
}

/// This user's directory in the temp dir made by someone else first (here: opened to others): the
/// recovery file goes to a random private directory straight in the temp dir, which is not
/// searched, and the message says how to move it back; doing so, the next run restores it.
#[cfg(unix)]
#[test]
fn a_recovery_file_next_to_an_untrusted_user_dir_says_how_to_move_it_back() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture(|c| c.rotate_refresh_tokens = true);
    f.setup().login();
    let tmp = f.env.path("tmp");
    // SAFETY: geteuid has no preconditions.
    let user_dir = tmp.join(format!("mailfino-sf-recovery-user-{}", unsafe { libc::geteuid() }));
    std::fs::create_dir_all(&user_dir).unwrap();
    std::fs::set_permissions(&user_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out =
        f.env.cmd().arg("refresh").env("TMPDIR", &tmp).env("MAILFINO_SF_FAULT", "store-write,recovery-config-dir-full").output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", all_output(&out));
    let err = stderr(&out);
    let path = std::path::PathBuf::from(recovery_path(&err));
    assert_eq!(path.parent().unwrap().parent(), Some(tmp.as_path()), "straight in the temp dir: {}", path.display());
    assert_eq!(std::fs::read_dir(&user_dir).unwrap().count(), 0, "nothing goes into the untrusted dir");
    assert!(err.contains("move it there: `mv"), "{err}");
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let kept = std::fs::read_to_string(&path).unwrap().trim().to_string();
    let dir = f.env.config_dir().join("recovered");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::rename(&path, dir.join(path.file_name().unwrap())).unwrap();
    let out = f.env.cmd().arg("refresh").env("TMPDIR", &tmp).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(stderr(&out).contains("restored the refresh token kept in"), "{}", stderr(&out));
    assert!(!refresh_token_active(&f, &kept), "the moved-back token was the one spent");
    assert!(refresh_token_active(&f, &f.refresh_token().unwrap()));
}
