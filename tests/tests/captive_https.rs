//! The portal over HTTPS in the namespace bed (`tests/captive/testbed.sh`),
//! with a throw-away CA made by openssl: the certificate's name answered by
//! the device's dnsmasq, DHCP option 114 by that name over HTTPS, the
//! portal and `/api/captive` over HTTPS, no admin path there, a renewed
//! certificate used without a restart, and a port scan from a guest that
//! finds only DNS, HTTP and HTTPS on the portal's address and nothing of
//! the admin side (which listens, in this bed, on the device's uplink
//! address: a guest could route there, so the scan could find it).
//!
//! Needs root (CI runs as root).

mod captive_bed;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use captive_bed::Bed;
use tests::{Device, Need};

const NAME: &str = "wifi.bed.test";
const HTTPS_PORTAL: &str = "https://wifi.bed.test/";
/// The device's uplink address: the admin side listens here in this bed.
const UPLINK: &str = "10.98.0.1";

fn openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A throw-away CA in `dir` (`ca.crt`, `ca.key`).
fn make_ca(dir: &Path) -> PathBuf {
    let (crt, key) = (dir.join("ca.crt"), dir.join("ca.key"));
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Anjungan bed CA",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        crt.to_str().unwrap(),
    ]);
    crt
}

/// A certificate for `name` signed by the CA in `dir`, with `serial`;
/// (certificate, key) files named after `tag`.
fn issue(dir: &Path, tag: &str, name: &str, serial: u32) -> (PathBuf, PathBuf) {
    let p = |ext: &str| dir.join(format!("{tag}.{ext}"));
    let ext = p("ext");
    std::fs::write(&ext, format!("subjectAltName=DNS:{name}\n")).unwrap();
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        &format!("/CN={name}"),
        "-keyout",
        p("key").to_str().unwrap(),
        "-out",
        p("csr").to_str().unwrap(),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        p("csr").to_str().unwrap(),
        "-CA",
        dir.join("ca.crt").to_str().unwrap(),
        "-CAkey",
        dir.join("ca.key").to_str().unwrap(),
        "-set_serial",
        &serial.to_string(),
        "-days",
        "2",
        "-extfile",
        ext.to_str().unwrap(),
        "-out",
        p("crt").to_str().unwrap(),
    ]);
    (p("crt"), p("key"))
}

/// Replaces `to` with `from` in one step, as a renewal tool does.
fn install(from: &Path, to: &Path) {
    let partial = to.with_extension("new");
    std::fs::copy(from, &partial).unwrap();
    std::fs::rename(&partial, to).unwrap();
}

/// The serial number of the certificate the portal shows `visitor` now.
fn served_serial(bed: &Bed, visitor: &str) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.ns(visitor), "sh", "-c"])
        .arg(format!(
            "openssl s_client -connect 10.42.0.1:443 -servername {NAME} </dev/null 2>/dev/null | openssl x509 -noout -serial"
        ))
        .output()
        .expect("openssl runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The TCP ports of `host` that accept a connection from namespace `ns`:
/// 1 to 1024 and the usual alternates, all at once, a second each.
fn open_ports(bed: &Bed, ns: &str, host: &str) -> BTreeSet<u16> {
    const SCAN: &str = r#"
import asyncio, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
host = sys.argv[1]
ports = list(range(1, 1025)) + [1812, 1813, 3799, 5000, 8000, 8008, 8080, 8081, 8088, 8443, 8888, 9090, 9100]
async def probe(p):
    try:
        _, w = await asyncio.wait_for(asyncio.open_connection(host, p), 1.5)
        w.close()
        return p
    except Exception:
        return None
async def main():
    found = await asyncio.gather(*(probe(p) for p in ports))
    print(" ".join(str(p) for p in found if p))
asyncio.run(main())
"#;
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.ns(ns), "python3", "-c", SCAN, host])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "scan: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|p| p.parse().expect("a port"))
        .collect()
}

fn ports(list: &[u16]) -> BTreeSet<u16> {
    list.iter().copied().collect()
}

/// `curl` over HTTPS from `visitor`, trusting only the bed's CA; (status,
/// body).
fn https(bed: &Bed, visitor: &str, ca: &Path, args: &[&str]) -> (u16, String) {
    let mut all = vec!["--cacert", ca.to_str().unwrap(), "-w", "\n%{http_code}"];
    all.extend_from_slice(args);
    let out = bed.curl(visitor, &all);
    let (body, code) = out.rsplit_once('\n').unwrap_or(("", &out));
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

#[test]
fn the_portal_over_https_by_its_name_and_no_admin_side_for_guests() {
    if !tests::can_run(
        "the HTTPS bed",
        &[Need::Root, Need::ProgramAsked("openssl", "version")],
    ) {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    let ca = make_ca(certs.path());
    let (first_crt, first_key) = issue(certs.path(), "first", NAME, 1001);
    let (cert, key) = (
        certs.path().join("portal.crt"),
        certs.path().join("portal.key"),
    );
    install(&first_crt, &cert);
    install(&first_key, &key);
    let tls = format!(
        "tls_cert = \"{}\"\ntls_key = \"{}\"\nhostname = \"{NAME}\"\n",
        cert.display(),
        key.display()
    );
    let Some(mut bed) = Bed::with_network(
        "ht",
        &format!("admin_listen = \"{UPLINK}:8081\"\n{tls}"),
        &tls,
    ) else {
        return;
    };
    bed.start();

    // DHCP option 114 names the API by its name, over HTTPS.
    let hex: String = format!("https://{NAME}/api/captive")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        bed.lease("v1").contains(&format!("opt114={hex}")),
        "{}",
        bed.lease("v1")
    );

    // The probes are still plain HTTP, sent to the portal by its name.
    let (code, _, location) = bed.http("v1", "http://connectivitycheck.gstatic.com/generate_204");
    assert_eq!((code, location.as_str()), (302, HTTPS_PORTAL));

    // The name is answered by the device's dnsmasq; the CA is the bed's.
    let (code, page) = https(&bed, "v1", &ca, &[HTTPS_PORTAL]);
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("name=\"csrf\""), "{page}");
    let (code, api) = https(
        &bed,
        "v1",
        &ca,
        &[
            "-H",
            "Accept: application/captive+json",
            "https://wifi.bed.test/api/captive",
        ],
    );
    assert_eq!(code, 200, "{api}");
    let api: serde_json::Value = serde_json::from_str(&api).expect("JSON");
    assert_eq!(api["captive"], true);
    assert_eq!(api["user-portal-url"], HTTPS_PORTAL);
    // Plain HTTP on the address stays.
    let (code, _, _) = bed.http("v1", "http://10.42.0.1/");
    assert_eq!(code, 200);

    // No admin path over HTTPS: the guests' router has none.
    for path in [
        "/api/status",
        "/api/sessions",
        "/metrics",
        "/login",
        "/dashboard",
        "/wifi",
    ] {
        let (code, body) = https(&bed, "v1", &ca, &[&format!("https://{NAME}{path}")]);
        assert_eq!(code, 404, "{path}: {body}");
    }

    // Before joining: DNS, HTTP and HTTPS on the portal's address; on the
    // uplink address only port 80, which is the portal's interception
    // (not the admin side listening on 8081 there).
    assert_eq!(open_ports(&bed, "v2", "10.42.0.1"), ports(&[53, 80, 443]));
    assert_eq!(open_ports(&bed, "v2", UPLINK), ports(&[80]));
    let (code, _, location) = bed.http("v2", &format!("http://{UPLINK}:80/"));
    assert_eq!((code, location.as_str()), (302, HTTPS_PORTAL));
    let (code, _) = bed.admin("GET", "/api/status");
    assert_eq!(code, 200, "the admin side does listen at {UPLINK}:8081");

    // Joining over HTTPS.
    let at = page.find("name=\"csrf\" value=\"").unwrap();
    let csrf = &page[at + 19..];
    let csrf = &csrf[..csrf.find('"').unwrap()];
    let (code, body) = https(
        &bed,
        "v1",
        &ca,
        &[
            "--data",
            &format!("csrf={csrf}&lang=id"),
            "https://wifi.bed.test/join",
        ],
    );
    assert_eq!(code, 303, "{body}");
    let (code, _, _) = bed.http("v1", "http://203.0.113.10/generate_204");
    assert_eq!(code, 204, "joined over HTTPS, the internet is there");
    let (code, api) = https(&bed, "v1", &ca, &["https://wifi.bed.test/api/captive"]);
    assert!(code == 200 && api.contains("\"captive\":false"), "{api}");

    // After joining: the same on the portal's address, and nothing at all
    // on the uplink's (no more interception, and still no admin side).
    assert_eq!(open_ports(&bed, "v1", "10.42.0.1"), ports(&[53, 80, 443]));
    assert_eq!(open_ports(&bed, "v1", UPLINK), ports(&[]));
    assert_eq!(open_ports(&bed, "v1", "10.98.0.2"), ports(&[]));

    // Renewal: a certificate whose key is not there yet is not used (the
    // old one stays); with its key, the next handshake shows it.
    assert_eq!(served_serial(&bed, "v1"), "serial=03E9");
    let (second_crt, second_key) = issue(certs.path(), "second", NAME, 1002);
    std::thread::sleep(Duration::from_millis(20));
    install(&second_crt, &cert);
    assert_eq!(served_serial(&bed, "v1"), "serial=03E9");
    assert!(bed.log().contains("previous certificate stays in use"));
    install(&second_key, &key);
    assert_eq!(served_serial(&bed, "v1"), "serial=03EA");
    let (code, _) = https(&bed, "v1", &ca, &[HTTPS_PORTAL]);
    assert_eq!(code, 200);
    bed.stop();
}

/// A bad certificate stops the portal at start with the key named.
#[test]
fn a_bad_certificate_is_refused_at_start_naming_the_key() {
    if !tests::can_run(
        "the certificate check",
        &[Need::ProgramAsked("openssl", "version")],
    ) {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    make_ca(certs.path());
    let (crt, key) = issue(certs.path(), "portal", NAME, 7);
    let (other_crt, _) = issue(certs.path(), "other", "other.bed.test", 8);
    let (_, other_key) = issue(certs.path(), "third", NAME, 9);
    let garbage = certs.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = certs.path().join("missing.pem");
    let cases: [(&Path, &Path, &str, &str); 4] = [
        (&garbage, &key, "captive.tls_cert", "no certificate"),
        (&missing, &key, "captive.tls_cert", "cannot be read"),
        (
            &other_crt,
            &key,
            "captive.tls_cert",
            "is not for wifi.bed.test",
        ),
        (&crt, &other_key, "captive.tls_key", "does not go with"),
    ];
    for (cert, key, named, why) in cases {
        let device = Device::with_config(&format!(
            "[captive]\naddress = \"127.0.0.1\"\nport = 1\nfirewall = \"none\"\nadmin_listen = \"127.0.0.2:3\"\ntls_port = 2\ntls_cert = \"{}\"\ntls_key = \"{}\"\nhostname = \"{NAME}\"\n",
            cert.display(),
            key.display()
        ));
        let out = device.run("anjungan-captive", &[]);
        let err = tests::stderr(&out);
        assert!(!out.status.success(), "started with {cert:?} {key:?}");
        assert!(err.contains(named) && err.contains(why), "{named}: {err}");
    }
}
