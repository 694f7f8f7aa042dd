//! The portal in a real network: network namespaces for two visitors, the
//! device and a pretend internet (`tests/captive/testbed.sh`), with the
//! generated dnsmasq configuration, the real daemon and real nftables.
//!
//! Needs root (CI runs as root); as another user each test says why it
//! does nothing.

mod captive_bed;

use std::time::{Duration, Instant};

use captive_bed::{Bed, PORTAL};

const PROBES: &[(&str, &str)] = &[
    ("http://connectivitycheck.gstatic.com/generate_204", "204:"),
    ("http://www.gstatic.com/generate_204", "204:"),
    ("http://www.google.com/gen_204", "204:"),
    ("http://play.googleapis.com/generate_204", "204:"),
    (
        "http://captive.apple.com/hotspot-detect.html",
        "200:<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
    ),
    (
        "http://www.msftconnecttest.com/connecttest.txt",
        "200:Microsoft Connect Test",
    ),
    (
        "http://detectportal.firefox.com/success.txt",
        "200:success\n",
    ),
    (
        "http://detectportal.firefox.com/canonical.html",
        "200:<meta http-equiv",
    ),
    (
        "http://nmcheck.gnome.org/check_network_status.txt",
        "200:NetworkManager is online\n",
    ),
];

fn assert_captive(bed: &Bed, visitor: &str) {
    for (url, _) in PROBES {
        let (code, _, location) = bed.http(visitor, url);
        assert_eq!((code, location.as_str()), (302, PORTAL), "{visitor} {url}");
    }
}

fn assert_online(bed: &Bed, visitor: &str) {
    for (url, online) in PROBES {
        let (code, body, _) = bed.http(visitor, url);
        let got = format!("{code}:{body}");
        assert!(got.starts_with(online), "{visitor} {url}: {got}");
    }
}

#[test]
fn click_through_probes_https_and_the_second_visitor() {
    let Some(mut bed) = Bed::new("a", "") else {
        return;
    };
    bed.start();
    // DHCP option 114 (RFC 8910) points to the RFC 8908 API.
    assert!(
        bed.lease("v1")
            .contains("opt114=687474703a2f2f31302e34322e302e312f6170692f63617074697665")
    );
    assert_captive(&bed, "v1");
    let api = bed.curl(
        "v1",
        &[
            "-H",
            "Accept: application/captive+json",
            "http://10.42.0.1/api/captive",
        ],
    );
    assert!(api.contains("\"captive\":true"), "{api}");

    // HTTPS is refused at once, not left to hang.
    let t0 = Instant::now();
    let (code, _, _) = bed.http("v1", "https://www.example.com/");
    assert_eq!(code, 0);
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "HTTPS took {:?}",
        t0.elapsed()
    );

    let t0 = Instant::now();
    bed.click_through("v1");
    assert_online(&bed, "v1");
    eprintln!(
        "first probe to internet after a click-through: {:?}",
        t0.elapsed()
    );
    let (code, body, _) = bed.http("v1", "https://www.example.com/");
    assert_eq!(code, 200, "HTTPS after joining: {body}");
    let api = bed.curl("v1", &["http://10.42.0.1/api/captive"]);
    assert!(
        api.contains("\"captive\":false") && api.contains("seconds-remaining"),
        "{api}"
    );

    // The other visitor is still captive.
    assert_captive(&bed, "v2");
    let (code, _, _) = bed.http("v2", "https://www.example.com/");
    assert_eq!(code, 0);
}

#[test]
fn vouchers_in_a_real_network() {
    let Some(mut bed) = Bed::new("b", "auth = \"voucher\"\n") else {
        return;
    };
    bed.start();
    let codes = bed.vouchers(2, 30);
    let page = bed.curl("v1", &["http://10.42.0.1/"]);
    assert!(page.contains("name=\"voucher\""), "{page}");
    let (code, _) = bed.join("v1", "&voucher=ZZZZ-ZZZZ");
    assert_eq!(code, 403);
    assert_captive(&bed, "v1");
    let (code, _) = bed.join("v1", &format!("&voucher={}", codes[0]));
    assert_eq!(code, 303);
    assert_online(&bed, "v1");
    let (code, _) = bed.join("v2", &format!("&voucher={}", codes[0]));
    assert_eq!(code, 403, "a slip works for one device only");
    assert_captive(&bed, "v2");
}

#[test]
fn sessions_survive_kill_9_and_end_by_the_kernel_s_timeout() {
    let Some(mut bed) = Bed::new("c", "") else {
        return;
    };
    bed.start();
    bed.click_through("v1");
    assert_online(&bed, "v1");
    bed.kill9();
    // Nobody is running the portal: the joined visitor keeps the internet,
    // the other stays out.
    assert_online(&bed, "v1");
    let (code, _, _) = bed.http("v2", "http://www.example.com/");
    assert_eq!(code, 0, "no portal, no way out");

    // While down, the database gets a session for v2 that ends in 4 s, and
    // one that has already ended for a third device.
    bed.add_session("v2", 4);
    bed.start();
    assert_online(&bed, "v1");
    assert_online(&bed, "v2");
    bed.kill9();
    std::thread::sleep(Duration::from_secs(5));
    // Ended by the kernel's timeout, with no daemon running.
    let (code, _, _) = bed.http("v2", "http://www.example.com/");
    assert_eq!(code, 0);
    bed.start();
    assert_captive(&bed, "v2");
    assert_online(&bed, "v1");
    // SIGTERM leaves the set in place too.
    bed.stop();
    assert_online(&bed, "v1");
}

#[test]
fn guests_never_reach_the_device_s_other_ports() {
    // The admin API on loopback, as shipped (technicians come in by SSH).
    let Some(mut bed) = Bed::new("d", "") else {
        return;
    };
    bed.listen_on_device("10.42.0.1", 22);
    bed.start();
    let (code, body) = bed.admin("GET", "/api/status");
    assert_eq!(code, 200, "{body}");
    // Without the token, nothing, also on the device itself.
    let (code, _, _) = bed.http("gw", "http://127.0.0.1:8081/api/status");
    assert_eq!(code, 401);
    for visitor_joined in [false, true] {
        for target in [
            "10.42.0.1:22",
            "10.98.0.1:8081",
            "10.42.0.1:8081",
            "10.98.0.1:22",
        ] {
            let (code, _, _) = bed.http("v1", &format!("http://{target}/api/status"));
            assert!(
                code == 0 || code == 302,
                "{target} answered {code} (joined: {visitor_joined})"
            );
        }
        if !visitor_joined {
            bed.click_through("v1");
        }
    }
}

#[test]
fn malformed_requests_never_stop_the_daemon() {
    let Some(mut bed) = Bed::new("e", "") else {
        return;
    };
    bed.start();
    // No User-Agent.
    let (code, _, _) = bed.http_args("v1", &["-H", "User-Agent:", "http://10.42.0.1/"]);
    assert_eq!(code, 400);
    // Huge headers: refused or closed.
    let big = format!("X-Big: {}", "a".repeat(40_000));
    let (code, _, _) = bed.http_args("v1", &["-H", &big, "http://10.42.0.1/"]);
    assert!(code == 431 || code == 0 || code == 400, "{code}");
    let many: Vec<String> = (0..200)
        .flat_map(|i| ["-H".to_owned(), format!("X-{i}: {i}")])
        .collect();
    let many: Vec<&str> = many
        .iter()
        .map(String::as_str)
        .chain(["http://10.42.0.1/"])
        .collect();
    let (code, _, _) = bed.http_args("v1", &many);
    assert!(code == 431 || code == 0 || code == 400, "{code}");
    // Bad encodings.
    let (code, _, _) = bed.http_args(
        "v1",
        &["--data-binary", "\u{ff}=%zz%ff", "http://10.42.0.1/join"],
    );
    assert!((400..500).contains(&code), "{code}");
    let (code, _, _) = bed.http("v1", "http://10.42.0.1/layanan?q=%ff%fe");
    assert!((400..500).contains(&code), "{code}");
    // TLS bytes on port 80.
    let (code, _, _) = bed.http_args("v1", &["--insecure", "https://10.42.0.1:80/"]);
    assert_eq!(code, 0);
    // Raw garbage.
    bed.raw(
        "v1",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
    );
    bed.raw(
        "v1",
        b"GET / HTTP/1.1\r\nHost: \xff\xfe\r\nUser-Agent: x\r\n\r\n",
    );
    // Still serving.
    assert!(bed.daemon_running());
    assert_captive(&bed, "v1");
}

#[test]
fn a_new_address_keeps_the_session_a_new_mac_is_a_new_visitor() {
    let Some(mut bed) = Bed::new("f", "") else {
        return;
    };
    bed.start();
    bed.click_through("v1");
    assert_online(&bed, "v1");
    // The phone takes another address (a new lease, same MAC).
    bed.renew_lease("v1", "10.42.0.177");
    // The first request after the change reaches the portal, which moves
    // the session to the new address; from then on, the internet.
    let _ = bed.http("v1", "http://connectivitycheck.gstatic.com/generate_204");
    assert_online(&bed, "v1");
    // The phone picks a new random MAC: a new visitor, who must join.
    bed.new_mac("v1", "da:11:22:33:44:55");
    assert_captive(&bed, "v1");
}

#[test]
fn a_cloned_mac_does_not_take_a_joined_visitor_s_session() {
    let Some(mut bed) = Bed::new("g", "") else {
        return;
    };
    bed.start();
    bed.click_through("v1");
    assert_online(&bed, "v1");
    let (v1_mac, v1_ip) = (bed.mac_of("v1"), bed.ip_of("v1"));
    // The phone leaves; another device takes its MAC and an address the
    // DHCP server never gave it.
    let down = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            &bed.ns("v1"),
            "ip",
            "link",
            "set",
            "eth0",
            "down",
        ])
        .status()
        .unwrap();
    assert!(down.success());
    bed.new_mac("v2", &v1_mac.to_string());
    let other = another_address(&v1_ip);
    bed.readdress("v2", other);
    assert_captive(&bed, "v2");
    let (code, body) = bed.join("v2", "");
    assert_eq!(code, 403, "{body}");
    let (_, sessions) = bed.admin("GET", "/api/sessions");
    assert!(
        sessions.contains(&format!("\"ip\":\"{v1_ip}\"")) && !sessions.contains(other),
        "the session stays with the phone: {sessions}"
    );
}

/// Issue 10's review: with another DHCP client-id, dnsmasq gave a clone of
/// a joined phone's MAC a lease of its own while the phone was still there,
/// and the session followed it. Leasing by MAC only, the clone is given the
/// phone's own address and the session stays where it is.
#[test]
fn a_cloned_mac_with_a_client_id_of_its_own_gets_no_second_lease() {
    let Some(mut bed) = Bed::new("o", "") else {
        return;
    };
    bed.start();
    bed.click_through("v1");
    let (v1_mac, v1_ip) = (bed.mac_of("v1"), bed.ip_of("v1"));
    bed.new_mac("v2", &v1_mac.to_string());
    let other = another_address(&v1_ip);
    bed.dhcp("v2", &["-r", other, "-x", "0x3d:ff0000000000ff"]);
    assert_eq!(bed.ip_of("v2"), v1_ip, "the clone got a lease of its own");
    let (_, sessions) = bed.admin("GET", "/api/sessions");
    assert!(
        sessions.contains(&format!("\"ip\":\"{v1_ip}\"")) && !sessions.contains(other),
        "the session stays with the phone: {sessions}"
    );
}

/// An address in the pool that is not `taken`: dnsmasq picks the phone's
/// address from its MAC, so a fixed "other" address is the phone's own now
/// and then.
fn another_address(taken: &str) -> &'static str {
    if taken == "10.42.0.199" {
        "10.42.0.198"
    } else {
        "10.42.0.199"
    }
}

#[test]
fn a_technician_ends_a_session_and_the_visitor_waits_to_join_again() {
    let Some(mut bed) = Bed::new("h", "rejoin_wait_minutes = 15\n") else {
        return;
    };
    bed.start();
    bed.click_through("v1");
    assert_online(&bed, "v1");
    let (_, sessions) = bed.admin("GET", "/api/sessions");
    let list: serde_json::Value = serde_json::from_str(&sessions).unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    let (code, _) = bed.admin("DELETE", &format!("/api/sessions/{id}"));
    assert_eq!(code, 204);
    assert_captive(&bed, "v1");
    let (code, body) = bed.join("v1", "");
    assert_eq!(code, 403, "{body}");
    assert!(
        body.contains("Petugas telah mengakhiri sesi Anda") && body.contains("15 menit"),
        "{body}"
    );
    assert_captive(&bed, "v1");
    // Another visitor joins as ever.
    bed.click_through("v2");
    assert_online(&bed, "v2");
}
