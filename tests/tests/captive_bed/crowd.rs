//! Many visitors at once in the bed: one namespace (`{P}crowd`) on the
//! bed's Wi-Fi bridge, with one macvlan interface per visitor (each its own
//! MAC and address, as many phones on one radio). macvlan in `private`
//! mode (the visitors do not reach each other, as with `ap_isolate`) and
//! IPv6 off on them: bridge mode's and IPv6's multicast chatter drops ARP
//! past about a thousand interfaces.
//!
//! The visitors live in a second subnet of the guest interface
//! (`10.42.4.1/22`, beside the bed's 10.42.0.1/24), so a thousand fit.
//! They join over real HTTP from their own interface (a Python client in
//! the namespace: a thread pool, sockets bound to each interface), and
//! everything is checked from outside: their probes, the database, the
//! kernel's sets, the portal's status API.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};
use std::time::Duration;

use anjungan::config::Config;
use anjungan::store::Store;
use anjungan::wifi::session;

use super::{Bed, chrono_now};

/// The crowd's gateway: a second address of the device's guest interface.
pub const GATEWAY: &str = "10.42.4.1";
/// At most this many visitors: the hosts of 10.42.4.0/22 but the gateway.
pub const MOST: usize = 1021;

pub struct Crowd {
    pub ns: String,
    pub visitors: Vec<Visitor>,
}

#[derive(Debug, Clone)]
pub struct Visitor {
    pub dev: String,
    pub ip: Ipv4Addr,
    pub mac: String,
}

/// What the client measured: each visitor's join (page and form) and its
/// outcome.
#[derive(Debug, Clone)]
pub struct Joined {
    pub ip: Ipv4Addr,
    /// The form's POST, answered with 303.
    pub ok: bool,
    /// Seconds from asking for the page to the form's answer.
    pub seconds: f64,
}

/// Runs `args` (`ip`, `sysctl`...) and insists it succeeds.
fn must(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The kernel's neighbour tables are one for all namespaces, with limits
/// made for a few hundred hosts: a thousand visitors (each seen from the
/// device and from the crowd's side) would overflow them, and the garbage
/// collector would drop the device's entries for visitors it must know.
/// Raised, never lowered.
fn roomy_neighbour_tables() {
    for (name, least) in [
        ("gc_thresh1", 8192),
        ("gc_thresh2", 16384),
        ("gc_thresh3", 32768),
    ] {
        let path = format!("/proc/sys/net/ipv4/neigh/default/{name}");
        let now: u64 = std::fs::read_to_string(&path)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if now < least {
            std::fs::write(&path, least.to_string()).expect("the neighbour table's limits");
        }
    }
}

impl Crowd {
    /// Makes `n` visitors (at most `MOST`) on the bed's Wi-Fi.
    pub fn new(bed: &Bed, n: usize) -> Crowd {
        assert!(n <= MOST, "at most {MOST} visitors");
        roomy_neighbour_tables();
        let ns = bed.ns("crowd");
        let gw = bed.ns("gw");
        let _ = Command::new("ip")
            .args(["netns", "del", &ns])
            .stderr(Stdio::null())
            .status();
        must("ip", &["netns", "add", &ns]);
        for (key, value) in [
            ("net.ipv6.conf.all.disable_ipv6", "1"),
            ("net.ipv6.conf.default.disable_ipv6", "1"),
            // One namespace holds every visitor's address: each interface
            // answers ARP for its own address only, as each phone would.
            ("net.ipv4.conf.all.arp_ignore", "1"),
            ("net.ipv4.conf.all.arp_announce", "2"),
            ("net.ipv4.conf.all.rp_filter", "0"),
            ("net.ipv4.conf.default.rp_filter", "0"),
        ] {
            must(
                "ip",
                &[
                    "netns",
                    "exec",
                    &ns,
                    "sysctl",
                    "-qw",
                    &format!("{key}={value}"),
                ],
            );
        }
        let ap = format!("{}cr-ap", bed.prefix);
        must(
            "ip",
            &[
                "link", "add", &ap, "netns", &gw, "type", "veth", "peer", "name", "eth0", "netns",
                &ns,
            ],
        );
        must(
            "ip",
            &["-n", &gw, "link", "set", &ap, "master", "wifi0", "up"],
        );
        let _ = Command::new("ip")
            .args([
                "-n",
                &gw,
                "addr",
                "add",
                &format!("{GATEWAY}/22"),
                "dev",
                "wifi0",
            ])
            .stderr(Stdio::null())
            .status();
        must("ip", &["-n", &ns, "link", "set", "lo", "up"]);
        must("ip", &["-n", &ns, "link", "set", "eth0", "up"]);

        let base = u32::from(GATEWAY.parse::<Ipv4Addr>().expect("an address"));
        let visitors: Vec<Visitor> = (0..n)
            .map(|i| {
                let n = u32::try_from(i).expect("few visitors");
                Visitor {
                    dev: format!("mv{i}"),
                    ip: Ipv4Addr::from(base + 1 + n),
                    mac: format!("02:c0:00:00:{:02x}:{:02x}", i >> 8, i & 0xff),
                }
            })
            .collect();
        // One `ip -batch` for all: a thousand `ip` processes take seconds.
        // Each interface its own default route (by metric), so a socket
        // bound to it leaves through it.
        let mut batch = String::new();
        for (i, v) in visitors.iter().enumerate() {
            batch.push_str(&format!(
                "link add {dev} link eth0 address {mac} type macvlan mode private\n\
                 addr add {ip}/22 dev {dev}\n\
                 link set {dev} up\n\
                 route add default via {GATEWAY} dev {dev} metric {metric}\n",
                dev = v.dev,
                mac = v.mac,
                ip = v.ip,
                metric = i + 1,
            ));
        }
        let file = bed.state.path().join("crowd.batch");
        std::fs::write(&file, batch).expect("the batch file");
        must("ip", &["-n", &ns, "-batch", file.to_str().expect("UTF-8")]);
        Crowd { ns, visitors }
    }

    /// Runs the Python client in the crowd's namespace: `mode` "join" or
    /// "probe" for the visitors `which` (indices), `workers` at a time.
    fn client(&self, bed: &Bed, mode: &str, which: &[usize], workers: usize) -> Vec<String> {
        let list: String = which
            .iter()
            .map(|&i| format!("{} {}\n", self.visitors[i].dev, self.visitors[i].ip))
            .collect();
        let input = bed.state.path().join(format!("crowd-{mode}.in"));
        std::fs::write(&input, list).expect("the visitor list");
        let script = bed.state.path().join("crowd.py");
        std::fs::write(&script, CLIENT).expect("the client");
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns, "python3"])
            .arg(&script)
            .args([mode, &workers.to_string()])
            .arg(&input)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "crowd client {mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The visitors `which` open the portal page and send its form, all at
    /// once (`workers` at a time).
    pub fn join(&self, bed: &Bed, which: &[usize], workers: usize) -> Vec<Joined> {
        self.client(bed, "join", which, workers)
            .iter()
            .map(|line| {
                let mut f = line.split_whitespace();
                let ip = f.next().expect("ip").parse().expect("an address");
                let code: u16 = f.next().expect("code").parse().expect("a status");
                let seconds = f.next().expect("time").parse().expect("seconds");
                Joined {
                    ip,
                    ok: code == 303,
                    seconds,
                }
            })
            .collect()
    }

    /// Each of the visitors `which` asks an OS probe of the pretend
    /// internet; the status each got (204 online, 302 to the portal).
    pub fn probe(&self, bed: &Bed, which: &[usize]) -> Vec<(Ipv4Addr, u16)> {
        self.client(bed, "probe", which, 64)
            .iter()
            .map(|line| {
                let (ip, code) = line.split_once(' ').expect("ip and status");
                (
                    ip.parse().expect("an address"),
                    code.trim().parse().expect("a status"),
                )
            })
            .collect()
    }
}

/// The live sessions' addresses in the bed's database.
pub fn sessions_in_database(bed: &Bed) -> BTreeSet<Ipv4Addr> {
    let config = Config::read(&bed.device.config).expect("the bed's configuration");
    let store = Store::open_for(&config).expect("the database");
    session::live(&store, chrono_now())
        .expect("the sessions")
        .into_iter()
        .map(|s| s.ip)
        .collect()
}

/// The addresses in one of the portal's nftables sets (`joined` holds
/// MAC . address; `upload` and `download` addresses with their counters),
/// how many of the latter carry a counter, and how many of those counted
/// no packet yet.
pub fn kernel_set(bed: &Bed, set: &str) -> (BTreeSet<Ipv4Addr>, usize, usize) {
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.ns("gw"), "nft", "-j", "list", "set"])
        .args(["inet", "anjungan_captive", set])
        .output()
        .expect("nft runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("nft's JSON");
    let elements = json["nftables"]
        .as_array()
        .expect("a list")
        .iter()
        .find_map(|o| o["set"]["elem"].as_array().cloned())
        .unwrap_or_default();
    let mut addresses = BTreeSet::new();
    let (mut counted, mut silent) = (0, 0);
    for e in &elements {
        let (val, counter) = match e.get("elem") {
            Some(inner) => (&inner["val"], inner.get("counter")),
            None => (e, None),
        };
        if let Some(counter) = counter {
            counted += 1;
            if counter["packets"].as_u64() == Some(0) {
                silent += 1;
            }
        }
        // `joined`: {"concat": [MAC, IP]}; the counter sets: the IP.
        let ip = match val.get("concat") {
            Some(parts) => parts[1].as_str(),
            None => val.as_str(),
        };
        if let Some(ip) = ip.and_then(|ip| ip.parse().ok()) {
            addresses.insert(ip);
        }
    }
    (addresses, counted, silent)
}

/// The visitors the portal's own status API counts.
pub fn status_visitors(bed: &Bed) -> u64 {
    let (code, body) = bed.admin("GET", "/api/status");
    assert_eq!(code, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    json["visitors"].as_u64().expect("a count")
}

/// Waits until `check` holds, for up to `seconds`.
pub fn eventually(seconds: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if check() {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The client, in the crowd's namespace. `join`: GET the portal page, then
/// POST its form; prints "IP STATUS SECONDS". `probe`: an Android probe to
/// the pretend internet; prints "IP STATUS". Each visitor's sockets are
/// bound to its own interface and address.
const CLIENT: &str = r#"
import http.client, socket, sys, time, re, resource
from concurrent.futures import ThreadPoolExecutor
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
mode, workers, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
visitors = [l.split() for l in open(path) if l.strip()]
UA = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) crowd"}

class Conn(http.client.HTTPConnection):
    def __init__(self, host, dev, ip):
        super().__init__(host, 80, timeout=30)
        self.dev, self.ip = dev, ip
    def connect(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, self.dev.encode())
        s.bind((self.ip, 0))
        s.settimeout(self.timeout)
        s.connect((self.host, self.port))
        self.sock = s

def request(dev, ip, host, method, url, body=None, headers={}):
    c = Conn(host, dev, ip)
    try:
        h = dict(UA); h.update(headers)
        c.request(method, url, body=body, headers=h)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()

def join(v):
    dev, ip = v
    t0 = time.monotonic()
    try:
        status, page = request(dev, ip, "10.42.0.1", "GET", "/")
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        if status != 200 or not m:
            return "%s %d %.6f" % (ip, status or 1, time.monotonic() - t0)
        status, _ = request(dev, ip, "10.42.0.1", "POST", "/join",
            body="csrf=%s&lang=id" % m.group(1),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
    except Exception as e:
        print("%s: %r" % (ip, e), file=sys.stderr)
        status = 0
    return "%s %d %.6f" % (ip, status, time.monotonic() - t0)

def probe(v):
    dev, ip = v
    try:
        status, _ = request(dev, ip, "203.0.113.10", "GET", "/generate_204",
            headers={"Host": "connectivitycheck.gstatic.com"})
    except Exception as e:
        print("%s: %r" % (ip, e), file=sys.stderr)
        status = 0
    return "%s %d" % (ip, status)

with ThreadPoolExecutor(max_workers=workers) as pool:
    for line in pool.map(join if mode == "join" else probe, visitors):
        print(line, flush=True)
"#;
