//! The ruleset as the kernel sees it: built by the pure builder, loaded by
//! the real `nft` into a network namespace of the test's own (root only;
//! CI runs as root).

use std::io::Write;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

use anjungan::wifi::{JoinMethod, Mac, Session};
use captive::firewall::GateSpec;
use captive::firewall::ruleset::{admit, remove, revoke, ruleset};

fn spec() -> GateSpec {
    GateSpec {
        interface: "wlan0".into(),
        uplink: "eth0".into(),
        address: Ipv4Addr::new(10, 42, 0, 1),
        port: 8080,
        tls_port: None,
        allow_local: vec!["192.168.1.20/32:631".parse().unwrap()],
        walled_garden: vec![
            "lapor.go.id".parse().unwrap(),
            "203.0.113.0/24:443".parse().unwrap(),
        ],
        uplink_subnets: vec![
            ("10.98.0.1".parse().unwrap(), 24),
            ("198.51.100.7".parse().unwrap(), 24),
        ],
    }
}

fn session(mac: &str, ip: &str, expires_at: i64) -> Session {
    Session {
        id: 1,
        mac: mac.parse().unwrap(),
        ip: ip.parse().unwrap(),
        started_at: 0,
        expires_at,
        method: JoinMethod::ClickThrough,
    }
}

#[test]
fn the_ruleset_is_one_table_with_the_live_sessions_only() {
    let rules = ruleset(
        &spec(),
        &[
            session("00:1a:2b:3c:4d:01", "10.42.0.100", 1_000),
            session("00:1a:2b:3c:4d:02", "10.42.0.101", 400),
        ],
        500,
    );
    let json = serde_json::to_string(&rules).unwrap();
    assert!(json.contains("\"anjungan_captive\""));
    assert!(
        json.contains("00:1a:2b:3c:4d:01") && json.contains("\"timeout\":500"),
        "{json}"
    );
    assert!(
        !json.contains("00:1a:2b:3c:4d:02"),
        "an ended session is left out"
    );
    // Every object belongs to our table.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for cmd in value["nftables"].as_array().unwrap() {
        let (_, obj) = cmd.as_object().unwrap().iter().next().unwrap();
        let (_, inner) = obj.as_object().unwrap().iter().next().unwrap();
        let table = inner.get("table").or_else(|| inner.get("name")).unwrap();
        assert_eq!(table, "anjungan_captive", "{cmd}");
    }
}

/// Runs `nft` with `args` in namespace `ns`, feeding it `input`.
fn nft(ns: &str, args: &[&str], input: &str) -> (bool, String) {
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns, "nft"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nft runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn nft_loads_the_ruleset_replaces_it_whole_and_touches_nothing_else() {
    if !tests::can_run(
        "loading rules into the kernel",
        &[tests::Need::Root, tests::Need::Program("nft")],
    ) {
        return;
    }
    let ns = format!("anj-fw-{}", std::process::id());
    assert!(
        Command::new("ip")
            .args(["netns", "add", &ns])
            .status()
            .unwrap()
            .success()
    );
    let cleanup = scopeguard(ns.clone());
    let load = |rules: &dyn erased::Json| nft(&ns, &["-j", "-f", "-"], &rules.json());

    // Somebody else's table, which must survive everything we do.
    let (ok, text) = nft(
        &ns,
        &["-f", "-"],
        "table ip other {\n chain c {\n  type filter hook input priority 0;\n }\n}\n",
    );
    assert!(ok, "{text}");

    let first = ruleset(
        &spec(),
        &[session("00:1a:2b:3c:4d:01", "10.42.0.100", 4_000)],
        1_000,
    );
    let (ok, text) = load(&first);
    assert!(ok, "{text}");
    let (ok, again) = load(&first);
    assert!(ok, "loading twice replaces the table: {again}");
    let (_, listing) = nft(&ns, &["list", "ruleset"], "");
    assert!(listing.contains("table ip other"), "{listing}");
    assert!(
        listing.contains("00:1a:2b:3c:4d:01 . 10.42.0.100 timeout"),
        "{listing}"
    );
    assert!(listing.contains("dnat ip to 10.42.0.1:8080"), "{listing}");
    assert!(
        listing.contains("tcp dport 443 reject with tcp reset"),
        "{listing}"
    );
    assert_eq!(listing.matches("table inet anjungan_captive").count(), 1);
    // What the kernel made of the guests' lane and the DNS limit.
    for line in [
        "iifname \"wlan0\" oifname \"wlan0\" drop",
        "198.51.100.0/24",
        "fc00::/7",
        "ip daddr 192.168.1.20 meta l4proto { tcp, udp } th dport 631 accept",
        "oifname != \"eth0\" drop",
        "meter dns_before_joining",
        "limit rate over 2/second burst 100 packets",
        "nd-router-advert",
        "ip daddr @garden tcp dport 443 ct mark set 0x00006761 accept",
        "ip daddr 203.0.113.0/24 meta l4proto { tcp, udp } th dport 443 ct mark set 0x00006761 accept",
        "ct mark 0x00006761 ct state established,related accept",
        "timeout 10m",
    ] {
        assert!(listing.contains(line), "{line} in {listing}");
    }

    let mac: Mac = "00:1a:2b:3c:4d:02".parse().unwrap();
    let ip = Ipv4Addr::new(10, 42, 0, 101);
    let (ok, text) = load(&admit(mac, ip, 60));
    assert!(ok, "{text}");
    let (_, set) = nft(
        &ns,
        &["list", "set", "inet", "anjungan_captive", "joined"],
        "",
    );
    assert!(
        set.contains("00:1a:2b:3c:4d:02 . 10.42.0.101 timeout 1m"),
        "{set}"
    );
    // Counted from the start, for RADIUS accounting.
    for counted in ["upload", "download"] {
        let (_, set) = nft(
            &ns,
            &["list", "set", "inet", "anjungan_captive", counted],
            "",
        );
        assert!(
            set.contains("10.42.0.101 counter packets 0 bytes 0 timeout 1m"),
            "{set}"
        );
    }
    let (ok, text) = load(&revoke(mac, ip));
    assert!(ok, "{text}");
    let (_, set) = nft(
        &ns,
        &["list", "set", "inet", "anjungan_captive", "joined"],
        "",
    );
    assert!(!set.contains("00:1a:2b:3c:4d:02"), "{set}");

    let (ok, text) = load(&remove());
    assert!(ok, "{text}");
    let (_, listing) = nft(&ns, &["list", "ruleset"], "");
    assert!(
        !listing.contains("anjungan_captive") && listing.contains("table ip other"),
        "{listing}"
    );
    drop(cleanup);
}

/// The whole ruleset is JSON already; the single commands are the crate's
/// types.
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl Json for serde_json::Value {
        fn json(&self) -> String {
            self.to_string()
        }
    }
    impl Json for nftables::schema::Nftables<'_> {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}

struct NsGuard(String);
fn scopeguard(ns: String) -> NsGuard {
    NsGuard(ns)
}
impl Drop for NsGuard {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}
