//! Per-visitor bandwidth and data limits in the kernel (issue 16, item 3),
//! in the namespace bed with the real daemon, tc and nftables: twenty
//! visitors at once each download then upload for a few seconds through
//! the portal, and each one's measured rate is within 15 % of the
//! configured one both ways; then a visitor's session ends at the
//! session's data limit (its page says why, it may join again), and at the
//! day's (it may not, also after a restart of the portal).
//!
//! Needs root (CI runs it as root with ANJUNGAN_TEST_STRICT=1).

mod captive_bed;

use std::process::Command;
use std::time::{Duration, Instant};

use captive_bed::{Bed, PORTAL};

const DOWN_KBIT: f64 = 2_000.0;
const UP_KBIT: f64 = 1_000.0;
const VISITORS: usize = 20;
/// Seconds of each measurement, after one second of warming up (HTB's
/// burst and TCP's slow start are not the rate).
const MEASURE: f64 = 5.0;

/// The pretend internet's bulk service: 9001 sends until the visitor
/// closes; 9002 reads, and answers with the bytes per second it read from
/// one second after the first byte for `MEASURE` seconds.
const SERVER: &str = r#"
import socket, threading, time
M = float(__import__('sys').argv[1])
def down(c):
    blk = b'd' * 65536
    try:
        while True: c.sendall(blk)
    except Exception: pass
    c.close()
def up(c):
    first = None; n = 0
    while True:
        b = c.recv(65536)
        if not b: break
        t = time.monotonic()
        if first is None: first = t
        if t - first >= 1.0: n += len(b)
        if t - first >= 1.0 + M: break
    rate = n / (time.monotonic() - first - 1.0) if first else 0
    try:
        c.sendall(b'%d\n' % rate); c.shutdown(socket.SHUT_WR)
        c.settimeout(5)
        while c.recv(65536): pass
    except Exception: pass
    c.close()
def serve(port, f):
    l = socket.create_server(('203.0.113.10', port), backlog=128)
    while True:
        c, _ = l.accept()
        threading.Thread(target=f, args=(c,), daemon=True).start()
threading.Thread(target=serve, args=(9001, down), daemon=True).start()
serve(9002, up)
"#;

/// A visitor's side: the download's bytes per second (from one second
/// in, for `MEASURE` seconds), then the upload's as the server counted.
const CLIENT: &str = r#"
import socket, sys, threading, time
M = float(sys.argv[1])
s = socket.create_connection(('203.0.113.10', 9001), 5)
t0 = time.monotonic(); n = 0; t1 = None
while True:
    b = s.recv(65536)
    if not b: raise SystemExit('download closed early')
    t = time.monotonic() - t0
    if t >= 1.0:
        if t1 is None: t1 = t
        else: n += len(b)
    if t >= 1.0 + M: break
down = n / (t - t1)
s.close()
u = socket.create_connection(('203.0.113.10', 9002), 5)
def pump():
    blk = b'u' * 65536
    try:
        while True: u.sendall(blk)
    except Exception: pass
threading.Thread(target=pump, daemon=True).start()
u.settimeout(30)
up = float(u.makefile('rb').readline())
print(int(down), int(up))
"#;

/// Visitors beyond the bed's two: each a namespace on a port of the
/// device's "radio" bridge, as the bed's own are; removed when dropped.
struct Crowd<'a> {
    bed: &'a Bed,
    names: Vec<String>,
}

impl<'a> Crowd<'a> {
    fn new(bed: &'a Bed, count: usize) -> Crowd<'a> {
        let mut crowd = Crowd {
            bed,
            names: Vec::new(),
        };
        // A bridge takes the lowest MAC of its ports unless given one: a
        // new port would change the device's MAC under the visitors' ARP
        // caches (a radio's does not change).
        let fixed = Command::new("ip")
            .args(["netns", "exec", &bed.ns("gw"), "sh", "-c"])
            .arg("ip link set wifi0 address $(cat /sys/class/net/wifi0/address)")
            .status()
            .expect("ip runs");
        assert!(fixed.success());
        for i in 1..=count {
            let name = format!("c{i}");
            let ns = bed.ns(&name);
            let ap = format!("{ns}-ap");
            let sh = |ns: &str, cmd: &str| {
                let ok = Command::new("ip")
                    .args(["netns", "exec", ns, "sh", "-c", cmd])
                    .status()
                    .expect("sh runs");
                assert!(ok.success(), "{cmd}");
            };
            let ok = Command::new("ip")
                .args(["netns", "add", &ns])
                .status()
                .unwrap();
            assert!(ok.success(), "ip netns add {ns}");
            crowd.names.push(ns.clone());
            sh(&ns, "ip link set lo up");
            sh(
                &bed.ns("gw"),
                &format!(
                    "ip link add {ap} type veth peer name eth0 netns {ns} && ip link set {ap} master wifi0 up && bridge link set dev {ap} isolated on"
                ),
            );
            sh(&ns, "ip link set eth0 up");
            bed.dhcp(&name, &[]);
        }
        crowd
    }
}

impl Drop for Crowd<'_> {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = self.bed;
    }
}

/// The visitor's `curl` of a page of the internet: online, or sent to the
/// portal.
fn online(bed: &Bed, visitor: &str) -> bool {
    let (code, body, _) = bed.http(visitor, "http://203.0.113.10/page");
    code == 200 && body.contains("pretend internet")
}

/// The device's HTB classes on `dev` as `tc` shows them.
fn classes(bed: &Bed, dev: &str) -> String {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &bed.ns("gw"),
            "tc",
            "class",
            "show",
            "dev",
            dev,
        ])
        .output()
        .expect("tc runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A visitor's class id, as the portal makes it from its address.
fn class_of(ip: &str) -> String {
    let ip: std::net::Ipv4Addr = ip.parse().unwrap();
    format!("1:{:x}", 0x800 | (u32::from(ip) & 0x7ff))
}

/// Downloads from 9001 until the connection stalls for 3 s (the session
/// ended) or `limit` bytes; the bytes received.
fn download_until_cut(bed: &Bed, visitor: &str, limit: u64) -> u64 {
    let code = format!(
        "import socket\ns=socket.create_connection(('203.0.113.10',9001),5)\ns.settimeout(3)\nn=0\n\
         try:\n  while n<{limit}:\n    b=s.recv(65536)\n    if not b: break\n    n+=len(b)\nexcept Exception: pass\nprint(n)"
    );
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.ns(visitor), "python3", "-c", &code])
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn twenty_visitors_are_shaped_both_ways_and_data_limits_end_sessions() {
    let Some(mut bed) = Bed::new(
        "l",
        &format!(
            "download_kbit = {DOWN_KBIT}\nupload_kbit = {UP_KBIT}\ndata_limit_mb_session = 3\ndata_limit_mb_day = 5\nmax_visitors = 50\n"
        ),
    ) else {
        return;
    };
    bed.spawn_in("inet", "python3", &["-c", SERVER, &MEASURE.to_string()]);
    bed.start();
    let crowd = Crowd::new(&bed, VISITORS);
    let names: Vec<String> = (1..=VISITORS).map(|i| format!("c{i}")).collect();
    for v in &names {
        bed.click_through(v);
    }
    for v in &names {
        assert!(online(&bed, v), "{v} is out: {}", bed.log());
    }
    let down_classes = classes(&bed, "wifi0");
    let up_classes = classes(&bed, "ifb-anjungan");
    for v in &names {
        let class = class_of(&bed.ip_of(v));
        assert!(
            down_classes.contains(&format!("class htb {class} ")),
            "{class} of {v} in {down_classes}"
        );
        assert!(
            up_classes.contains(&format!("class htb {class} ")),
            "{class} of {v} in {up_classes}"
        );
    }

    // All twenty at once.
    let t0 = Instant::now();
    let running: Vec<(String, std::process::Child)> = names
        .iter()
        .map(|v| {
            let child = Command::new("ip")
                .args(["netns", "exec", &bed.ns(v), "python3", "-c", CLIENT])
                .arg(MEASURE.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("python3 runs");
            (v.clone(), child)
        })
        .collect();
    let mut worst: (f64, f64) = (0.0, 0.0);
    let mut table = String::from("visitor  download kbit/s  upload kbit/s\n");
    for (v, child) in running {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut it = text.split_whitespace().map(|n| n.parse::<f64>().unwrap());
        let (Some(down), Some(up)) = (it.next(), it.next()) else {
            panic!(
                "{v}: {text} {}\nportal: {}",
                String::from_utf8_lossy(&out.stderr),
                bed.log()
            );
        };
        let (down, up) = (down * 8.0 / 1000.0, up * 8.0 / 1000.0);
        table.push_str(&format!("{v:<8} {down:>15.0} {up:>14.0}\n"));
        let off = |got: f64, want: f64| (got - want).abs() / want;
        worst.0 = worst.0.max(off(down, DOWN_KBIT));
        worst.1 = worst.1.max(off(up, UP_KBIT));
    }
    eprintln!(
        "{table}{VISITORS} visitors at once in {:?}; worst: download {:.1} %, upload {:.1} % off",
        t0.elapsed(),
        worst.0 * 100.0,
        worst.1 * 100.0
    );
    assert!(
        worst.0 <= 0.15,
        "a download off by {:.1} %\n{table}",
        worst.0 * 100.0
    );
    assert!(
        worst.1 <= 0.15,
        "an upload off by {:.1} %\n{table}",
        worst.1 * 100.0
    );
    drop(crowd);

    // The session's data limit (3 MB) ends v1's session; its page says so,
    // its classes go, and it may join again.
    bed.click_through("v1");
    let v1_class = class_of(&bed.ip_of("v1"));
    assert!(classes(&bed, "wifi0").contains(&v1_class));
    let got = download_until_cut(&bed, "v1", 10_000_000);
    eprintln!("v1 received {got} bytes before its session's limit of 3 MB ended it");
    // The counters count headers both ways too; the portal looks every second.
    assert!(
        (2_500_000..3_300_000).contains(&got),
        "{got}\n{}",
        bed.log()
    );
    let (code, _, location) = bed.http("v1", "http://203.0.113.10/page");
    assert_eq!(
        (code, location.as_str()),
        (302, PORTAL),
        "shut out in the kernel"
    );
    let page = bed.curl("v1", &[PORTAL]);
    assert!(page.contains("kuota data satu sesi"), "{page}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while classes(&bed, "wifi0").contains(&v1_class) {
        assert!(
            Instant::now() < deadline,
            "v1's class stays after its session"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Again: now the day's 5 MB ends it, and it may not join again today,
    // also after the portal restarts (the day's usage is in the database).
    bed.click_through("v1");
    let got = download_until_cut(&bed, "v1", 10_000_000);
    eprintln!("v1 received {got} more bytes before the day's limit of 5 MB ended it");
    assert!(
        (1_500_000..2_400_000).contains(&got),
        "{got}\n{}",
        bed.log()
    );
    assert!(!online(&bed, "v1"));
    let page = bed.curl("v1", &[PORTAL]);
    assert!(page.contains("hari ini sudah habis"), "{page}");
    let (code, body) = bed.join("v1", "");
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("Kuota data internet Anda hari ini"), "{body}");
    // Others are not touched by v1's limit; v2's classes come back after
    // a restart of the portal (its session survives it).
    bed.click_through("v2");
    assert!(online(&bed, "v2"));
    let v2_class = class_of(&bed.ip_of("v2"));
    bed.stop();
    assert!(
        classes(&bed, "wifi0").contains(&v2_class),
        "stopping touches nothing"
    );
    bed.start();
    let (code, body) = bed.join("v1", "");
    assert_eq!(code, 403, "after a restart: {body}");
    assert!(!online(&bed, "v1"));
    assert!(online(&bed, "v2"));
    assert!(
        classes(&bed, "wifi0").contains(&format!("class htb {v2_class} ")),
        "v2's class is made again at start"
    );
    assert!(classes(&bed, "ifb-anjungan").contains(&format!("class htb {v2_class} ")));
}
