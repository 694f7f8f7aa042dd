//! The portal over HTTPS (`[captive] tls_cert`, `tls_key`, `hostname`):
//! rustls with the ring provider (the one `anjungan sync`'s client already
//! builds, and no aws-lc to cross-build for arm64), through tokio-rustls,
//! which hyper's own TLS stack uses too. Our `server` keeps its accept loop
//! and bounds; only the handshake is added in front of HTTP.
//!
//! The certificate is checked whole at start (readable, a chain, a key that
//! belongs to it, made for `hostname`), so a bad file stops the portal with
//! the key named. A renewed certificate written over the same files is
//! picked up on the next handshake: the resolver looks at the files'
//! modification time, size and inode each time and loads them again when
//! they changed, keeping the old pair while the new one is not whole.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rustls::ServerConfig;
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::{ClientHello, ParsedCertificate, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

use crate::{Error, Result};

/// Where the certificate and its key are, and the name they must be for.
#[derive(Debug, Clone)]
pub struct Files {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub hostname: String,
}

fn refused(key: &'static str, path: &Path, message: impl Into<String>) -> Error {
    Error::Tls {
        key,
        path: path.to_owned(),
        message: message.into(),
    }
}

fn provider() -> CryptoProvider {
    ring::default_provider()
}

/// Reads and checks the pair: a certificate chain, a private key that is
/// the first certificate's, and the first certificate valid for
/// `hostname`.
pub fn load(files: &Files) -> Result<Arc<CertifiedKey>> {
    let cert_err = |m: String| refused("captive.tls_cert", &files.cert, m);
    let key_err = |m: String| refused("captive.tls_key", &files.key, m);
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| cert_err(format!("cannot be read: {e}")))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| cert_err(format!("is not a PEM certificate chain: {e}")))?;
    let Some(leaf) = chain.first() else {
        return Err(cert_err(
            "holds no certificate; give the PEM chain (-----BEGIN CERTIFICATE-----), the portal's own first".into(),
        ));
    };
    let parsed = ParsedCertificate::try_from(leaf)
        .map_err(|e| cert_err(format!("its first certificate cannot be read: {e}")))?;
    let name = ServerName::try_from(files.hostname.clone())
        .map_err(|e| refused("captive.hostname", &files.cert, e.to_string()))?;
    rustls::client::verify_server_name(&parsed, &name).map_err(|_| {
        cert_err(format!(
            "is not for {} ([captive] hostname); ask the region for that name's certificate",
            files.hostname
        ))
    })?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| {
        key_err(format!(
            "is not a readable PEM private key (-----BEGIN PRIVATE KEY-----): {e}"
        ))
    })?;
    let certified = CertifiedKey::from_der(chain, key, &provider()).map_err(|e| {
        key_err(format!(
            "does not go with the certificate in {} ({e}); install the key the certificate was made for",
            files.cert.display()
        ))
    })?;
    Ok(Arc::new(certified))
}

/// What tells a file was replaced or rewritten.
type Stamp = Option<(SystemTime, u64, u64)>;

fn stamp(path: &Path) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len(), m.ino()))
}

/// The certificate in use, loaded again when its files change.
pub struct Reloading {
    files: Files,
    current: Mutex<(Stamp, Stamp, Arc<CertifiedKey>)>,
}

impl fmt::Debug for Reloading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reloading")
            .field("files", &self.files)
            .finish()
    }
}

impl Reloading {
    /// Loads the pair now: an error here stops the portal.
    pub fn new(files: Files) -> Result<Reloading> {
        let stamps = (stamp(&files.cert), stamp(&files.key));
        let key = load(&files)?;
        Ok(Reloading {
            current: Mutex::new((stamps.0, stamps.1, key)),
            files,
        })
    }

    /// The pair to use now. Two `stat`s per handshake: microseconds, on a
    /// path a few hundred handshakes a minute take.
    pub fn current(&self) -> Arc<CertifiedKey> {
        let stamps = (stamp(&self.files.cert), stamp(&self.files.key));
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if (current.0, current.1) != stamps {
            // Noted even when the new files fail: they are not read again
            // until they change again (the key written after the
            // certificate, say).
            (current.0, current.1) = stamps;
            match load(&self.files) {
                Ok(key) => {
                    current.2 = key;
                    tracing::info!(cert = %self.files.cert.display(), "renewed certificate in use");
                }
                Err(e) => tracing::warn!(
                    error = %e,
                    "the certificate files changed but cannot be used; the previous certificate stays in use"
                ),
            }
        }
        current.2.clone()
    }
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// The acceptor for the portal's HTTPS listener: TLS 1.2 and 1.3, HTTP/1.1
/// only (as on port 80).
pub fn acceptor(files: Files) -> Result<TlsAcceptor> {
    let resolver = Reloading::new(files)?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::TlsSetup(e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
