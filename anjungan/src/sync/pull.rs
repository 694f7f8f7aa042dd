//! The pull: the region's catalog (`[sync] catalog_url`) and its signature
//! (the same URL + ".minisig"), checked against `[sync] public_key` before
//! a byte of the bundle is parsed, and installed by the catalog's one
//! transaction.
//!
//! An unchanged catalog costs one small request: the bundle is asked for
//! with `If-None-Match` and the ETag kept with the installed catalog, and
//! a 304 ends the pull. A server without ETags sends the bundle again; its
//! signature, the same as the installed one's, ends the pull without a new
//! install. Every other answer is a [`Failure`], and the installed catalog
//! stays as it was.

use chrono::DateTime;
use sha2::{Digest, Sha256};

use super::http::{Got, Http};
use super::{Failure, signature};
use crate::catalog::{self, Signed};
use crate::config::SyncConfig;
use crate::store::Store;
use crate::{Error, Result};

/// A .minisig file is some 300 bytes; more is not a signature.
pub const MAX_SIGNATURE_BYTES: usize = 4096;

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pulled {
    /// No `[sync] catalog_url`: nothing to pull.
    NotConfigured,
    /// The installed catalog is the region's current one.
    Unchanged,
    /// A newer signed catalog is installed.
    Installed {
        generation: i64,
        published: String,
        services: usize,
        /// RFC 3339, UTC: when the region signed it.
        signed_at: String,
    },
}

/// One pull. The outer error is the device's own (the database); the inner
/// one is why the region's catalog was not taken this time.
pub fn pull(
    store: &mut Store,
    config: &SyncConfig,
    http: &Http,
) -> Result<Result<Pulled, Failure>> {
    let (Some(url), Some(public_key)) = (&config.catalog_url, &config.public_key) else {
        return Ok(Ok(Pulled::NotConfigured));
    };
    let installed = catalog::signed(store)?.filter(|(source, _)| source == url);
    let etag = installed.as_ref().and_then(|(_, s)| s.etag.as_deref());
    let (etag, bundle) = match http.get(url, etag, catalog::MAX_BUNDLE_BYTES) {
        Ok(Got::NotModified) => return Ok(Ok(Pulled::Unchanged)),
        Ok(Got::Body { etag, bytes }) => (etag, bytes),
        Err(failure) => return Ok(Err(failure)),
    };
    let sig_url = format!("{url}.minisig");
    let sig = match http.get(&sig_url, None, MAX_SIGNATURE_BYTES) {
        Ok(Got::Body { bytes, .. }) => bytes,
        Ok(Got::NotModified) => unreachable!("asked without If-None-Match"),
        Err(failure) => return Ok(Err(failure)),
    };
    let Ok(sig_text) = std::str::from_utf8(&sig) else {
        return Ok(Err(Failure::MalformedSignature { url: sig_url }));
    };
    // The signature is checked before the bundle is parsed: the parser
    // never sees bytes the region did not sign.
    let verified = match signature::verify(public_key, &bundle, sig_text, &sig_url) {
        Ok(v) => v,
        Err(failure) => return Ok(Err(failure)),
    };
    let signature_sha256 = hex(&Sha256::digest(&sig));
    if installed
        .as_ref()
        .is_some_and(|(_, s)| s.signature_sha256 == signature_sha256)
    {
        catalog::set_etag(store, etag.as_deref())?;
        return Ok(Ok(Pulled::Unchanged));
    }
    if let Some(newest) = catalog::signed_mark(store)?
        && verified.signed_at < newest
    {
        return Ok(Err(Failure::Older {
            signed_at: moment(verified.signed_at),
            newest: moment(newest),
        }));
    }
    let signed = Signed {
        etag,
        signature_sha256,
        signed_at: verified.signed_at,
    };
    match catalog::import_signed(store, &bundle, url, Some(&signed)) {
        Ok(i) => Ok(Ok(Pulled::Installed {
            generation: i.generation,
            published: i.published,
            services: i.services,
            signed_at: moment(verified.signed_at),
        })),
        Err(Error::CatalogRefused(refusal)) => Ok(Err(Failure::Refused(format!(
            "the region's catalog verified but was refused, the installed one stays: {refusal}; correct the bundle, sign and publish it again"
        )))),
        Err(other) => Err(other),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn moment(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| crate::timestamp::format(&t))
        .unwrap_or_else(|| unix.to_string())
}
