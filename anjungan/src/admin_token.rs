//! The technician's bearer token for the portal's admin API: a random
//! secret in a file only root can read (`data_dir/admin.token`, mode 0600),
//! made on first use by whichever program needs it first (`anjungan admin
//! token` or `anjungan-captive` at start), so scripts on the device can read
//! it and nobody on the network can guess it.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::{Error, Result};

/// The file's name in `[device] data_dir`.
pub const FILE_NAME: &str = "admin.token";

/// 32 random bytes, written as 64 hexadecimal digits.
const HEX_DIGITS: usize = 64;

/// Where the token of this device is kept.
pub fn path(config: &Config) -> PathBuf {
    config.device.data_dir.join(FILE_NAME)
}

/// The device's token, made (and written, mode 0600) when there is none
/// yet. Two programs making it at once end up with the same one.
pub fn load_or_create(config: &Config) -> Result<String> {
    let path = path(config);
    match read(&path) {
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            create(&path)?;
            read(&path)
        }
        other => other,
    }
}

/// Whether `presented` is the token, in time that does not depend on where
/// they differ.
pub fn matches(token: &str, presented: &str) -> bool {
    // `ct_eq` on slices of different lengths is false.
    bool::from(token.as_bytes().ct_eq(presented.as_bytes()))
}

fn read(path: &Path) -> Result<String> {
    let io = |what: &'static str| {
        move |source| Error::Io {
            what,
            path: path.to_owned(),
            source,
        }
    };
    let meta = std::fs::metadata(path).map_err(io("cannot read the admin token"))?;
    let problem = |problem: String| Error::AdminToken {
        path: path.to_owned(),
        problem,
    };
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(problem(format!(
            "others may read it (mode {:o}); run chmod 600 on it",
            meta.permissions().mode() & 0o777
        )));
    }
    let text = std::fs::read_to_string(path).map_err(io("cannot read the admin token"))?;
    let token = text.trim();
    if token.len() != HEX_DIGITS || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(problem(
            "it is damaged; delete it and run `sudo anjungan admin token` for a new one, then restart anjungan-captive".into(),
        ));
    }
    Ok(token.to_owned())
}

/// Writes a new token unless one exists: written whole to a file of its
/// own first, then linked into place, which fails if another program got
/// there first (its token then stands).
fn create(path: &Path) -> Result<()> {
    let io = |source| Error::Io {
        what: "cannot write the admin token",
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut secret = [0u8; HEX_DIGITS / 2];
    getrandom::fill(&mut secret).map_err(|e| io(std::io::Error::other(e.to_string())))?;
    let token: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let draft = path.with_extension(format!("new-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&draft)
        .and_then(|mut f| {
            f.write_all(format!("{token}\n").as_bytes())?;
            f.sync_all()
        });
    let linked = written.and_then(|()| match std::fs::hard_link(&draft, path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    });
    let _ = std::fs::remove_file(&draft);
    linked.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> Config {
        let mut c = Config::default();
        c.device.data_dir = dir.join("data");
        c
    }

    #[test]
    fn made_once_private_and_the_same_afterwards() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path());
        let token = load_or_create(&c).unwrap();
        assert_eq!(token.len(), HEX_DIGITS);
        assert_eq!(load_or_create(&c).unwrap(), token);
        let mode = std::fs::metadata(path(&c)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_ne!(
            load_or_create(&config(&dir.path().join("other"))).unwrap(),
            token,
            "another device, another token"
        );
    }

    #[test]
    fn a_token_others_can_read_or_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path());
        load_or_create(&c).unwrap();
        std::fs::set_permissions(path(&c), std::fs::Permissions::from_mode(0o644)).unwrap();
        let m = load_or_create(&c).unwrap_err().to_string();
        assert!(m.contains("chmod 600"), "{m}");
        std::fs::set_permissions(path(&c), std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(path(&c), "short\n").unwrap();
        let m = load_or_create(&c).unwrap_err().to_string();
        assert!(m.contains("anjungan admin token"), "{m}");
    }

    #[test]
    fn only_the_very_token_matches() {
        let t = "ab".repeat(32);
        assert!(matches(&t, &t));
        assert!(!matches(&t, &"ab".repeat(31)));
        assert!(!matches(&t, &format!("{}ac", "ab".repeat(31))));
        assert!(!matches(&t, ""));
    }
}
