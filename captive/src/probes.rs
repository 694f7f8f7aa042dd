//! The operating systems' captive-portal probes
//! (`../shared/spec/domain-notes.md`) and the answers that mean "online".
//!
//! Before joining, a probe never gets these: every plain-HTTP request is
//! redirected to the portal, which opens the sign-in window. After joining
//! the probe goes to the real internet. Only a joined visitor's probe that
//! still reaches the portal (a connection opened before joining, kept
//! alive) is answered here, so the sign-in window closes at once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// What an online answer looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Online {
    NoContent,
    Text(&'static str, &'static str),
}

const APPLE: Online = Online::Text(
    "text/html",
    "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
);
const FIREFOX_CANONICAL: &str = "<meta http-equiv=\"refresh\" content=\"0;url=https://support.mozilla.org/kb/captive-portal\"/>";

/// `(host, path)` of every probe we know, with its online answer.
pub const PROBES: &[(&str, &str, Online)] = &[
    (
        "connectivitycheck.gstatic.com",
        "/generate_204",
        Online::NoContent,
    ),
    ("www.gstatic.com", "/generate_204", Online::NoContent),
    ("clients3.google.com", "/generate_204", Online::NoContent),
    (
        "connectivitycheck.android.com",
        "/generate_204",
        Online::NoContent,
    ),
    ("www.google.com", "/gen_204", Online::NoContent),
    ("play.googleapis.com", "/generate_204", Online::NoContent),
    ("captive.apple.com", "/hotspot-detect.html", APPLE),
    ("captive.apple.com", "/", APPLE),
    ("www.apple.com", "/library/test/success.html", APPLE),
    (
        "www.msftconnecttest.com",
        "/connecttest.txt",
        Online::Text("text/plain", "Microsoft Connect Test"),
    ),
    (
        "www.msftncsi.com",
        "/ncsi.txt",
        Online::Text("text/plain", "Microsoft NCSI"),
    ),
    (
        "detectportal.firefox.com",
        "/canonical.html",
        Online::Text("text/html", FIREFOX_CANONICAL),
    ),
    (
        "detectportal.firefox.com",
        "/success.txt",
        Online::Text("text/plain", "success\n"),
    ),
    (
        "nmcheck.gnome.org",
        "/check_network_status.txt",
        Online::Text("text/plain", "NetworkManager is online\n"),
    ),
];

/// The online answer for a probe, if `host` and `path` are one.
pub fn online(host: &str, path: &str) -> Option<Online> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    PROBES
        .iter()
        .find(|(h, p, _)| *h == host && *p == path)
        .map(|(_, _, answer)| *answer)
}

impl IntoResponse for Online {
    fn into_response(self) -> Response {
        let no_store = (header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            Online::NoContent => (StatusCode::NO_CONTENT, [no_store]).into_response(),
            Online::Text(kind, body) => (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                    no_store,
                ],
                body,
            )
                .into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_every_probe_of_the_domain_notes() {
        for (host, path) in [
            ("connectivitycheck.gstatic.com", "/generate_204"),
            ("www.gstatic.com", "/generate_204"),
            ("www.google.com", "/gen_204"),
            ("play.googleapis.com", "/generate_204"),
            ("captive.apple.com", "/hotspot-detect.html"),
            ("www.msftconnecttest.com", "/connecttest.txt"),
            ("detectportal.firefox.com", "/canonical.html"),
            ("detectportal.firefox.com", "/success.txt"),
            ("nmcheck.gnome.org", "/check_network_status.txt"),
        ] {
            assert!(online(host, path).is_some(), "{host}{path}");
        }
        assert_eq!(
            online("CAPTIVE.apple.com.", "/hotspot-detect.html"),
            Some(APPLE)
        );
        assert_eq!(online("example.com", "/generate_204"), None);
    }
}
