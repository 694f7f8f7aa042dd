//! The walled garden in the namespace bed: the device's real dnsmasq, made
//! by `network-files` with the garden's `nftset` line, fills the portal's
//! set as it answers a pretend name; HTTPS to that site works before
//! joining, HTTPS elsewhere does not, port 80 still goes to the portal, and
//! a `CIDR:PORT` entry is open outright.
//!
//! Needs root, dnsmasq (built with nftset, as Debian's is) and openssl.

mod captive_bed;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use captive_bed::{Bed, PORTAL};

/// The bed's pretend DNS answers every name with 203.0.113.10, which
/// serves HTTPS; "lapor.test" is in the garden, "other.test" is not.
const GARDEN: &str = "walled_garden = [\"lapor.test\", \"198.51.100.7/32:8443\"]\n";
/// Two more HTTPS sites of the pretend internet: one outside the garden,
/// one the garden opens by address and port.
const ELSEWHERE: &str = "203.0.113.20";
const BY_ADDRESS: &str = "198.51.100.7";

fn https(bed: &Bed, ns: &str, url: &str) -> u16 {
    bed.http(ns, url).0
}

fn garden_set(bed: &Bed) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.ns("gw")])
        .args(["nft", "list", "set", "inet", "anjungan_captive", "garden"])
        .output()
        .expect("nft runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One TLS connection to the garden's site (looked up through the
/// device's dnsmasq): a request, then another on the same connection when
/// told to; each answer's status on its own line.
const KEEP_ALIVE: &str = r#"
import socket, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("lapor.test", 443), 3))
s.settimeout(3)
f = s.makefile("rb")
def ask():
    s.sendall(b"GET / HTTP/1.1\r\nHost: lapor.test\r\n\r\n")
    status = f.readline().split()[1].decode()
    length = 0
    while True:
        h = f.readline().strip()
        if not h: break
        if h.lower().startswith(b"content-length:"): length = int(h.split(b":")[1])
    f.read(length)
    print(status, flush=True)
ask()
sys.stdin.readline()
try: ask()
except Exception as e: print("failed", e, flush=True)
"#;

#[test]
fn the_walled_garden_opens_its_names_and_networks_by_https_before_joining() {
    let Some(mut bed) = Bed::with_network("wg", GARDEN, GARDEN) else {
        return;
    };
    for addr in [ELSEWHERE, BY_ADDRESS] {
        let ok = Command::new("ip")
            .args(["netns", "exec", &bed.ns("inet")])
            .args(["ip", "addr", "add", &format!("{addr}/32"), "dev", "in-eth0"])
            .status()
            .expect("ip runs");
        assert!(ok.success());
    }
    let cert = bed.state.path().join("inet.crt");
    let key = bed.state.path().join("inet.key");
    for accept in [format!("{ELSEWHERE}:443"), format!("{BY_ADDRESS}:8443")] {
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        bed.spawn_in(
            "inet",
            "openssl",
            &[
                "s_server", "-quiet", "-www", "-accept", &accept, "-cert", cert, "-key", key,
            ],
        );
    }
    bed.start();
    // Both pretend sites are up (seen from the device itself), so a
    // visitor's failure below is the firewall's doing.
    let up = |url: &str| {
        (0..30).any(|_| {
            let seen = bed.curl_in("gw", &["-k", "-o", "/dev/null", "-w", "%{http_code}", url]);
            seen == "200" || {
                std::thread::sleep(std::time::Duration::from_millis(100));
                false
            }
        })
    };
    assert!(
        up(&format!("https://{ELSEWHERE}/")),
        "the site elsewhere is not up"
    );
    assert!(
        up(&format!("https://{BY_ADDRESS}:8443/")),
        "the garden's network site is not up"
    );

    // Before any lookup of a garden name, the site's address is closed,
    // and a name outside the garden does not open it.
    assert_eq!(https(&bed, "v1", "https://203.0.113.10/"), 0);
    assert_eq!(https(&bed, "v1", "https://other.test/"), 0);
    assert!(
        !garden_set(&bed).contains("203.0.113.10"),
        "{}",
        garden_set(&bed)
    );

    // A subdomain of the garden's name, looked up through the device's
    // dnsmasq: open by HTTPS, not joined.
    let (code, body, _) = bed.http("v1", "https://www.lapor.test/");
    assert_eq!(code, 200, "{body}\n{}", garden_set(&bed));
    assert!(body.contains("pretend internet"), "{body}");
    let set = garden_set(&bed);
    assert!(
        set.contains("203.0.113.10") && set.contains("expires"),
        "{set}"
    );
    // The other visitor's lookups opened it for everyone not joined (it
    // is the site's address), and nothing else: HTTPS elsewhere stays shut.
    assert_eq!(https(&bed, "v2", "https://lapor.test/"), 200);
    assert_eq!(https(&bed, "v1", &format!("https://{ELSEWHERE}/")), 0);

    // Port 80 of the garden's site still goes to the portal.
    let (code, _, location) = bed.http("v1", "http://www.lapor.test/");
    assert_eq!((code, location.as_str()), (302, PORTAL));

    // When the address leaves the set (its timeout), a connection already
    // open goes on; a new one is refused.
    let mut open = Command::new("ip")
        .args(["netns", "exec", &bed.ns("v1"), "python3", "-c", KEEP_ALIVE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut said = BufReader::new(open.stdout.take().unwrap());
    let mut line = String::new();
    said.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "200", "first request on the open connection");
    let flushed = Command::new("ip")
        .args(["netns", "exec", &bed.ns("gw")])
        .args(["nft", "flush", "set", "inet", "anjungan_captive", "garden"])
        .status()
        .expect("nft runs");
    assert!(flushed.success());
    assert_eq!(
        https(&bed, "v1", "https://203.0.113.10/"),
        0,
        "a new connection after expiry"
    );
    open.stdin.take().unwrap().write_all(b"go\n").unwrap();
    line.clear();
    said.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "200", "the open connection after expiry");
    let _ = open.wait();

    // The garden's network, at its port only.
    assert_eq!(
        https(&bed, "v1", &format!("https://{BY_ADDRESS}:8443/")),
        200
    );

    let (_, status) = bed.admin("GET", "/api/status");
    assert!(
        !status.contains("\"visitors\":1"),
        "nobody joined: {status}"
    );
}
