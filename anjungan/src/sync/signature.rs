//! Catalog signatures in minisign's formats, so that a region can sign with
//! `anjungan catalog sign` or with the standard `minisign` tool alike: key
//! pairs (`NAME.key`, `NAME.pub`), signatures (`FILE.minisig`, prehashed
//! Ed25519 with a signed "trusted comment" holding the time of signing),
//! and their verification on the device.
//!
//! Making keys and signing is the `minisign` crate; verifying is
//! `minisign-verify`, which checks every length of the downloaded text
//! before it uses it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Failure;
use crate::{Error, Result};

/// A signature that verified: when it was made, per its trusted comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Unix seconds.
    pub signed_at: i64,
    pub trusted_comment: String,
}

/// Checks that `signature` (a .minisig file's text, from `url`) is
/// `public_key`'s signature of `bytes`, and carries a signed time.
pub fn verify(
    public_key: &str,
    bytes: &[u8],
    signature: &str,
    url: &str,
) -> Result<Verified, Failure> {
    let key = minisign_verify::PublicKey::from_base64(public_key.trim()).map_err(|_| {
        // The configuration is checked when read; only a key changed
        // between the check and here gets this far.
        Failure::OtherKey {
            signed_by: key_id_of_signature(signature).unwrap_or_else(|| "?".into()),
            expected: "not a minisign key".into(),
        }
    })?;
    let sig =
        minisign_verify::Signature::decode(signature).map_err(|_| Failure::MalformedSignature {
            url: url.to_owned(),
        })?;
    match key.verify(bytes, &sig, false) {
        Ok(()) => {}
        Err(minisign_verify::Error::UnexpectedKeyId) => {
            return Err(Failure::OtherKey {
                signed_by: key_id_of_signature(signature).unwrap_or_else(|| "?".into()),
                expected: key_id(public_key).unwrap_or_else(|| "?".into()),
            });
        }
        // A legacy (not prehashed) signature is refused like a bad one:
        // minisign has made prehashed ones by default since 0.8.
        Err(_) => return Err(Failure::BadSignature),
    }
    let trusted_comment = sig.trusted_comment().trim().to_owned();
    let signed_at = signed_at(&trusted_comment).ok_or(Failure::NoTimestamp)?;
    Ok(Verified {
        signed_at,
        trusted_comment,
    })
}

/// The `timestamp:` of a trusted comment as minisign writes it
/// (`timestamp:1764547200\tfile:catalog.json\thashed`).
pub fn signed_at(trusted_comment: &str) -> Option<i64> {
    trusted_comment
        .split('\t')
        .find_map(|part| part.trim().strip_prefix("timestamp:"))
        .filter(|n| !n.is_empty() && n.len() <= 12 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

/// The key id minisign prints (`minisign -V` and the .pub comment), of a
/// public key's base64 line.
pub fn key_id(public_key: &str) -> Option<String> {
    let key = minisign::PublicKey::from_base64(public_key.trim()).ok()?;
    Some(show_key_id(key.keynum()))
}

fn key_id_of_signature(signature: &str) -> Option<String> {
    // Decoded by minisign-verify first, which checks the lengths.
    minisign_verify::Signature::decode(signature).ok()?;
    let sig = minisign::SignatureBox::from_string(signature).ok()?;
    Some(show_key_id(sig.keynum()))
}

fn show_key_id(keynum: &[u8]) -> String {
    let mut le = [0u8; 8];
    le.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(le))
}

/// The two files `keygen` wrote, and the public key's base64 line.
#[derive(Debug)]
pub struct KeyFiles {
    pub secret: PathBuf,
    pub public: PathBuf,
    pub public_key: String,
}

/// Makes a key pair: `NAME.key` (the secret key, 0600) and `NAME.pub`. With
/// `password` the secret key is encrypted with it (scrypt, as minisign
/// does); without, it is stored unencrypted, like `minisign -G -W`, for a
/// region that signs from a script on a machine kept for it. Existing files
/// are never overwritten: a lost region key means re-keying every device.
pub fn keygen(name: &Path, password: Option<String>) -> Result<KeyFiles> {
    let secret = with_suffix(name, ".key");
    let public = with_suffix(name, ".pub");
    for path in [&secret, &public] {
        if path.exists() {
            return Err(Error::Key {
                path: path.clone(),
                problem: "already exists, and a key is never overwritten; choose another --out NAME, or move the old key away on purpose".into(),
            });
        }
    }
    let encrypted = password.is_some();
    let pair = match password {
        Some(p) => minisign::KeyPair::generate_encrypted_keypair(Some(p)),
        None => minisign::KeyPair::generate_unencrypted_keypair(),
    }
    .map_err(|e| key_error(&secret, &e))?;
    let comment = if encrypted {
        "minisign encrypted secret key"
    } else {
        "minisign unencrypted secret key"
    };
    let secret_box = pair
        .sk
        .to_box(Some(comment))
        .map_err(|e| key_error(&secret, &e))?;
    let public_box = pair.pk.to_box().map_err(|e| key_error(&public, &e))?;
    write_new(&secret, secret_box.to_string().as_bytes(), 0o600)?;
    write_new(&public, public_box.to_string().as_bytes(), 0o644)?;
    Ok(KeyFiles {
        secret,
        public,
        public_key: pair.pk.to_base64(),
    })
}

/// Signs `file` with the secret key in `key` (decrypted with `password`
/// when it is encrypted) and writes `FILE.minisig`. The trusted comment
/// holds the time of signing, which devices compare so that an older
/// catalog is never installed over a newer one.
pub fn sign(key: &Path, file: &Path, password: Option<String>) -> Result<PathBuf> {
    let text = std::fs::read_to_string(key).map_err(|source| Error::Io {
        what: "cannot read the secret key",
        path: key.to_owned(),
        source,
    })?;
    let secret = match minisign::SecretKey::from_unencrypted_box(text.clone().into()) {
        Ok(secret) => secret,
        Err(_) if let Some(secret) = without_checksum(&text) => secret,
        Err(_) => {
            let Some(password) = password else {
                return Err(Error::Key {
                    path: key.to_owned(),
                    problem: "is encrypted or damaged; give its password with --password-file"
                        .into(),
                });
            };
            minisign::SecretKey::from_box(text.into(), Some(password))
                .map_err(|e| key_error(key, &e))?
        }
    };
    let public = minisign::PublicKey::from_secret_key(&secret).map_err(|e| key_error(key, &e))?;
    let data = std::fs::File::open(file).map_err(|source| Error::Io {
        what: "cannot read the file to sign",
        path: file.to_owned(),
        source,
    })?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().replace(['\t', '\n', '\r'], " "))
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    let trusted = format!("timestamp:{now}\tfile:{name}\thashed");
    let signature = minisign::sign(
        Some(&public),
        &secret,
        std::io::BufReader::new(data),
        Some(&trusted),
        Some("signature from minisign secret key"),
    )
    .map_err(|e| key_error(key, &e))?;
    let out = with_suffix(file, ".minisig");
    write_replacing(&out, signature.to_string().as_bytes())?;
    Ok(out)
}

/// An unencrypted key as minisign 0.11 (Debian bookworm's) writes it with
/// `-G -W`: its checksum left at zero, which the crate refuses as damaged.
/// Such a key is taken as it is; `sign` still checks the signature it makes
/// against the key's own public half before writing it.
fn without_checksum(text: &str) -> Option<minisign::SecretKey> {
    use base64::Engine;
    let line = text.lines().nth(1)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .ok()?;
    // Algorithm (2), KDF (2, none: zero), checksum algorithm (2), salt
    // (32), limits (8 + 8), key id (8), key (64), checksum (32).
    let plain = bytes.len() == 158 && bytes[2..4] == [0, 0] && bytes[126..].iter().all(|b| *b == 0);
    plain
        .then(|| minisign::SecretKey::from_bytes(&bytes).ok())
        .flatten()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn key_error(path: &Path, e: &minisign::PError) -> Error {
    Error::Key {
        path: path.to_owned(),
        problem: e.to_string(),
    }
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let io = |source| Error::Io {
        what: "cannot write the key",
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(io)?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(io)
}

/// Through a temporary file and a rename: a web server publishing the
/// folder never serves half a signature.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = with_suffix(path, ".tmp");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|source| Error::Io {
        what: "cannot write the signature",
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timestamp_is_read_from_minisigns_trusted_comment() {
        assert_eq!(
            signed_at("timestamp:1764547200\tfile:catalog.json\thashed"),
            Some(1_764_547_200)
        );
        assert_eq!(signed_at("timestamp:1555779966"), Some(1_555_779_966));
        assert_eq!(signed_at("file:x\ttimestamp:7"), Some(7));
        for none in [
            "",
            "file:catalog.json",
            "timestamp:",
            "timestamp:-1",
            "timestamp:12ab",
            "timestamp:9999999999999999",
        ] {
            assert_eq!(signed_at(none), None, "{none}");
        }
    }

    fn key_pair(dir: &Path) -> KeyFiles {
        keygen(&dir.join("region"), None).unwrap()
    }

    #[test]
    fn signed_files_verify_and_changed_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let keys = key_pair(dir.path());
        let file = dir.path().join("catalog.json");
        std::fs::write(&file, b"{\"services\": []}").unwrap();
        let before = chrono::Utc::now().timestamp();
        let sig_path = sign(&keys.secret, &file, None).unwrap();
        assert_eq!(sig_path, dir.path().join("catalog.json.minisig"));
        let sig = std::fs::read_to_string(&sig_path).unwrap();

        let ok = verify(&keys.public_key, b"{\"services\": []}", &sig, "u").unwrap();
        assert!(ok.signed_at >= before, "{ok:?}");
        assert!(ok.trusted_comment.contains("file:catalog.json"), "{ok:?}");

        assert_eq!(
            verify(&keys.public_key, b"{\"services\": [1]}", &sig, "u"),
            Err(Failure::BadSignature)
        );
        let other = keygen(&dir.path().join("other"), None).unwrap();
        let refused = verify(&other.public_key, b"{\"services\": []}", &sig, "u").unwrap_err();
        let Failure::OtherKey {
            signed_by,
            expected,
        } = refused
        else {
            panic!("{refused:?}")
        };
        assert_eq!(Some(signed_by), key_id(&keys.public_key));
        assert_eq!(Some(expected), key_id(&other.public_key));
        assert!(matches!(
            verify(&keys.public_key, b"x", "not a signature", "u"),
            Err(Failure::MalformedSignature { .. })
        ));
    }

    #[test]
    fn a_key_of_debians_minisign_without_password_signs() {
        // `minisign -G -W` of minisign 0.11: its checksum is all zeros.
        const KEY: &str = "untrusted comment: minisign encrypted secret key\nRWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA6pEG2j6+3Yr72mDxBPQ2Rrr48ShgUGbS4qxNr+aXS/V2ohWqCSDABLzZjTd3KqESmeVxmp9lTPV1r9T9nChX5Pb8Wg5E4DxOAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        const PUBLIC: &str = "RWTqkQbaPr7dirzZjTd3KqESmeVxmp9lTPV1r9T9nChX5Pb8Wg5E4DxO";
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("mini.key");
        std::fs::write(&key, KEY).unwrap();
        let file = dir.path().join("c.json");
        std::fs::write(&file, b"{}").unwrap();
        let sig = std::fs::read_to_string(sign(&key, &file, None).unwrap()).unwrap();
        verify(PUBLIC, b"{}", &sig, "u").unwrap();
        // A damaged key of that kind is still refused.
        // Its secret seed changed: the signature does not match its public half.
        let damaged = KEY.replacen("BPQ2Rrr4", "BPQ2Rrr5", 1);
        std::fs::write(&key, damaged).unwrap();
        assert!(sign(&key, &file, None).is_err());
    }

    #[test]
    fn keys_are_private_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let keys = key_pair(dir.path());
        let mode = std::fs::metadata(&keys.secret)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let public = std::fs::read_to_string(&keys.public).unwrap();
        assert_eq!(public.lines().nth(1), Some(keys.public_key.as_str()));
        let again = keygen(&dir.path().join("region"), None).unwrap_err();
        assert!(again.to_string().contains("never overwritten"), "{again}");
    }

    #[test]
    fn an_encrypted_key_signs_only_with_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let keys = keygen(&dir.path().join("region"), Some("kata sandi".into())).unwrap();
        let file = dir.path().join("c.json");
        std::fs::write(&file, b"{}").unwrap();
        let m = sign(&keys.secret, &file, None).unwrap_err().to_string();
        assert!(m.contains("--password-file"), "{m}");
        assert!(sign(&keys.secret, &file, Some("salah".into())).is_err());
        let sig = sign(&keys.secret, &file, Some("kata sandi".into())).unwrap();
        let sig = std::fs::read_to_string(sig).unwrap();
        verify(&keys.public_key, b"{}", &sig, "u").unwrap();
    }
}
