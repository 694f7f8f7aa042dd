//! Why a step of `anjungan sync` did not get done: each reason with a short
//! code (kept in the database and printed by `anjungan sync --json`, for
//! the dashboard and monitoring) and one sentence that tells a technician
//! what to do.

/// A failed try. Nothing was changed on the device; the step is tried
/// again later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The HTTP client could not be set up (the system's certificates).
    #[error(
        "cannot set up the HTTPS client ({cause}); check that the ca-certificates package is installed"
    )]
    Client { cause: String },

    /// No connection: DNS, a refused connection, TLS.
    #[error(
        "cannot reach {url} ({cause}); check the device's network, DNS and clock, and the URL in anjungan.toml"
    )]
    Unreachable { url: String, cause: String },

    #[error(
        "{url} did not answer within {seconds} s; it is tried again later (for a slow link, raise [sync] timeout_seconds)"
    )]
    Timeout { url: String, seconds: u32 },

    /// An answer other than the one expected (a 5xx, a 404...).
    #[error("{url} answered HTTP {status}; it is tried again later{hint}")]
    Status {
        url: String,
        status: u16,
        hint: &'static str,
    },

    /// The connection broke off before the whole body came.
    #[error("the download of {url} broke off ({cause}); it is tried again later")]
    Truncated { url: String, cause: String },

    #[error(
        "{url} is larger than the {limit} bytes a device accepts; check that the URL names the catalog bundle and its signature"
    )]
    TooLarge { url: String, limit: usize },

    #[error(
        "{url} is not a minisign signature; publish the .minisig that `anjungan catalog sign` or `minisign -S` wrote beside the catalog"
    )]
    MalformedSignature { url: String },

    /// The signature is by the right key but does not match the bytes.
    #[error(
        "the catalog's signature does not verify with [sync] public_key: the catalog was changed after it was signed, or was being published during the download; sign it and publish the catalog and its .minisig again"
    )]
    BadSignature,

    #[error(
        "the catalog is signed with another key (key id {signed_by}) than [sync] public_key (key id {expected}); sign it with the region's key, or put that key's public key in anjungan.toml"
    )]
    OtherKey { signed_by: String, expected: String },

    #[error(
        "the catalog's signature has no timestamp in its trusted comment; sign it with `anjungan catalog sign` or `minisign -S`"
    )]
    NoTimestamp,

    /// A signed catalog older than the newest one installed: a replay, or
    /// a stale mirror.
    #[error(
        "the catalog at the URL was signed at {signed_at}, before the one installed here (signed at {newest}); an older catalog is never installed over a newer one: publish the newest catalog and its signature"
    )]
    Older { signed_at: String, newest: String },

    /// The bundle verified but the import refused it.
    #[error("{0}")]
    Refused(String),

    /// The device's token for the hub cannot be read.
    #[error(
        "cannot read the hub token {path} ({cause}); put there the token `anjungan-hub device add ID` printed for this device"
    )]
    Token { path: String, cause: String },
}

impl Failure {
    /// The short, stable code of the reason, for machines.
    pub fn code(&self) -> String {
        match self {
            Failure::Client { .. } => "client".into(),
            Failure::Unreachable { .. } => "unreachable".into(),
            Failure::Timeout { .. } => "timeout".into(),
            Failure::Status { status, .. } => format!("http-{status}"),
            Failure::Truncated { .. } => "truncated".into(),
            Failure::TooLarge { .. } => "too-large".into(),
            Failure::MalformedSignature { .. } => "malformed-signature".into(),
            Failure::BadSignature => "bad-signature".into(),
            Failure::OtherKey { .. } => "other-key".into(),
            Failure::NoTimestamp => "no-timestamp".into(),
            Failure::Older { .. } => "older".into(),
            Failure::Refused(_) => "refused".into(),
            Failure::Token { .. } => "no-token".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_and_sentences_say_what_to_do() {
        let f = Failure::Status {
            url: "https://x/c.json".into(),
            status: 503,
            hint: "",
        };
        assert_eq!(f.code(), "http-503");
        assert!(f.to_string().contains("tried again later"), "{f}");
        let f = Failure::OtherKey {
            signed_by: "A".into(),
            expected: "B".into(),
        };
        assert_eq!(f.code(), "other-key");
        assert!(f.to_string().contains("public_key"), "{f}");
    }
}
