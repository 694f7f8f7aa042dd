//! Drives one namespace test bed (`tests/captive/testbed.sh`) and the real
//! `anjungan-captive` in it.

#![allow(dead_code)] // each test file uses part of it

pub mod crowd;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anjungan::config::Config;
use anjungan::store::Store;
use anjungan::wifi::{JoinMethod, Mac, session};
use tests::{Device, Need, program};

pub const PORTAL: &str = "http://10.42.0.1/";

pub struct Bed {
    pub prefix: String,
    pub state: tempfile::TempDir,
    pub device: Device,
    daemon: Option<Child>,
    /// Other programs started on the device, ended with the bed.
    helpers: Vec<Child>,
    token: std::cell::OnceCell<String>,
    /// `[captive]` lines for the file the bed's dnsmasq is made from.
    network_toml: String,
    /// Environment for the daemon (`ANJUNGAN_LOG` for the benchmark's
    /// timing lines).
    daemon_env: Vec<(String, String)>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captive/testbed.sh")
}

impl Bed {
    /// A new bed named by `tag` (unique per test), with `captive_toml`
    /// added to the device's `[captive]` section; `None` when not root
    /// (a failure instead with `ANJUNGAN_TEST_STRICT=1`, as in CI).
    pub fn new(tag: &str, captive_toml: &str) -> Option<Bed> {
        Bed::with_network(tag, captive_toml, "")
    }

    /// `new`, with `network_toml` added to the `[captive]` section the
    /// device's dnsmasq file is made from (`network-files`).
    pub fn with_network(tag: &str, captive_toml: &str, network_toml: &str) -> Option<Bed> {
        if !tests::can_run("the namespace test bed", &[Need::Root]) {
            return None;
        }
        let state = tempfile::tempdir().expect("a temporary directory");
        // The bed's dnsmasq writes its leases to `state/leases`.
        let device = Device::with_config(&format!(
            "name = \"Test bed\"\n[captive]\ninterface = \"wifi0\"\nuplink = \"gw-wan\"\naddress = \"10.42.0.1\"\nport = 80\nfirewall = \"nftables\"\ndhcp_leases = \"{}\"\n{captive_toml}",
            state.path().join("leases").display()
        ));
        let bed = Bed {
            // Several suites may run beds at once on one machine (two
            // checkouts, a developer beside CI): ANJUNGAN_BED_PREFIX keeps
            // their namespace names apart. Interface names stay under 15
            // characters, so the prefix is short.
            prefix: format!(
                "{}{tag}-",
                std::env::var("ANJUNGAN_BED_PREFIX").unwrap_or_else(|_| "ac".into())
            ),
            state,
            device,
            daemon: None,
            helpers: Vec::new(),
            token: std::cell::OnceCell::new(),
            network_toml: network_toml.to_owned(),
            daemon_env: Vec::new(),
        };
        bed.script("teardown");
        let out = bed.script("setup");
        assert!(
            out.status.success(),
            "test bed setup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(bed)
    }

    fn script(&self, what: &str) -> Output {
        Command::new("bash")
            .arg(script())
            .arg(what)
            .env("P", &self.prefix)
            .env("BASE", self.state.path())
            .env("CAPTIVE", program("anjungan-captive"))
            .env("NETWORK_TOML", &self.network_toml)
            .output()
            .expect("bash runs")
    }

    pub fn ns(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The admin API's token (`anjungan admin token`, which makes it on
    /// first use).
    pub fn token(&self) -> String {
        self.token
            .get_or_init(|| {
                let out = self.device.run("anjungan", &["admin", "token"]);
                assert!(out.status.success(), "{}", tests::stderr(&out));
                tests::stdout(&out).trim().to_owned()
            })
            .clone()
    }

    /// `curl` of the admin API on the device, with the token; (status, body).
    pub fn admin(&self, method: &str, path: &str) -> (u16, String) {
        let url = format!("{}{path}", self.admin_url());
        let auth = format!("Authorization: Bearer {}", self.token());
        let out = self.curl_in(
            "gw",
            &["-X", method, "-H", &auth, "-w", "\n%{http_code}", &url],
        );
        let (body, code) = out.rsplit_once('\n').unwrap_or(("", &out));
        (code.trim().parse().unwrap_or(0), body.to_owned())
    }

    /// Starts the daemon in the device's namespace and waits until it
    /// answers on its admin address.
    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.state.path().join("captive.log"))
            .expect("a log file");
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns("gw")])
            .arg(program("anjungan-captive"))
            .arg("--config")
            .arg(&self.device.config)
            .env_remove("ANJUNGAN_CONFIG")
            .envs(self.daemon_env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the daemon starts");
        self.daemon = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.admin("GET", "/api/status").1.contains("visitors") {
                return;
            }
            if !self.daemon_running() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the daemon did not come up: {}", self.log());
    }

    /// Sets `key` in the environment the daemon is started with.
    pub fn daemon_env(&mut self, key: &str, value: &str) {
        self.daemon_env.push((key.to_owned(), value.to_owned()));
    }

    /// The daemon's process id (`ip netns exec` runs it in its own place).
    pub fn daemon_pid(&self) -> Option<u32> {
        self.daemon.as_ref().map(Child::id)
    }

    fn admin_url(&self) -> String {
        let config = Config::read(&self.device.config).expect("the bed's configuration");
        format!("http://{}", config.captive.admin_listen)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.state.path().join("captive.log")).unwrap_or_default()
    }

    pub fn kill9(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, as systemd stops it; the daemon must exit cleanly.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let status = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .expect("kill runs");
            assert!(status.success());
            let status = child.wait().expect("the daemon ends");
            assert!(status.success(), "SIGTERM: {status}; {}", self.log());
        }
    }

    pub fn daemon_running(&mut self) -> bool {
        self.daemon
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// `curl` in namespace `ns`; its standard output.
    pub fn curl_in(&self, ns: &str, args: &[&str]) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns(ns), "curl", "-s", "-m", "3"])
            .args(args)
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn curl(&self, visitor: &str, args: &[&str]) -> String {
        self.curl_in(visitor, args)
    }

    /// (status, body, redirect) of a request by `visitor`; status 0 when
    /// there was no answer.
    pub fn http(&self, visitor: &str, url: &str) -> (u16, String, String) {
        self.http_args(visitor, &[url])
    }

    pub fn http_args(&self, visitor: &str, args: &[&str]) -> (u16, String, String) {
        let body = self.state.path().join(format!("body-{visitor}"));
        let _ = std::fs::remove_file(&body);
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(visitor),
                "curl",
                "-s",
                "-k",
                "-m",
                "3",
            ])
            .arg("-o")
            .arg(&body)
            .args(["-w", "%{http_code} %{redirect_url}"])
            .args(args)
            .output()
            .expect("curl runs");
        let w = String::from_utf8_lossy(&out.stdout).into_owned();
        let (code, location) = w.split_once(' ').unwrap_or((&w, ""));
        let body = std::fs::read(&body).unwrap_or_default();
        (
            code.parse().unwrap_or(0),
            String::from_utf8_lossy(&body).into_owned(),
            location.to_owned(),
        )
    }

    /// Opens the portal page as `visitor` and submits its form with the
    /// `extra` fields; (status, body).
    pub fn join(&self, visitor: &str, extra: &str) -> (u16, String) {
        let page = self.curl(visitor, &[PORTAL]);
        let at = page
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no form in {page}"));
        let rest = &page[at + 19..];
        let csrf = &rest[..rest.find('"').expect("a closing quote")];
        let (code, body, _) = self.http_args(
            visitor,
            &[
                "--data",
                &format!("csrf={csrf}&lang=id{extra}"),
                "http://10.42.0.1/join",
            ],
        );
        (code, body)
    }

    pub fn click_through(&self, visitor: &str) {
        let (code, body) = self.join(visitor, "");
        assert_eq!(code, 303, "click-through failed: {body}");
    }

    pub fn vouchers(&self, count: u32, minutes: u32) -> Vec<String> {
        let out = self.device.run(
            "anjungan",
            &[
                "voucher",
                "issue",
                "--count",
                &count.to_string(),
                "--minutes",
                &minutes.to_string(),
                "--json",
            ],
        );
        assert!(out.status.success(), "{}", tests::stderr(&out));
        let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        list.as_array()
            .expect("an array")
            .iter()
            .map(|v| v["code"].as_str().expect("a code").to_owned())
            .collect()
    }

    pub fn lease(&self, visitor: &str) -> String {
        std::fs::read_to_string(self.state.path().join(format!("lease-{visitor}")))
            .unwrap_or_default()
    }

    pub fn ip_of(&self, visitor: &str) -> String {
        self.lease(visitor)
            .lines()
            .find_map(|l| l.strip_prefix("ip="))
            .expect("the visitor has a lease")
            .to_owned()
    }

    pub fn mac_of(&self, visitor: &str) -> Mac {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(visitor),
                "cat",
                "/sys/class/net/eth0/address",
            ])
            .output()
            .expect("cat runs");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a MAC")
    }

    /// Writes a session for `visitor` ending in `seconds` into the
    /// database, as a join would have (the daemon should be stopped).
    pub fn add_session(&self, visitor: &str, seconds: i64) {
        let config = Config::read(&self.device.config).expect("the bed's configuration");
        let store = Store::open_for(&config).expect("the database");
        let now = chrono_now();
        session::record(
            &store,
            self.mac_of(visitor),
            self.ip_of(visitor).parse().expect("an IPv4 address"),
            now,
            now + seconds,
            JoinMethod::ClickThrough,
            None,
        )
        .expect("the session is written");
    }

    /// `visitor` asks the device's DHCP server for a lease, with udhcpc's
    /// `extra` arguments, and takes what it is given.
    pub fn dhcp(&self, visitor: &str, extra: &[&str]) {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns(visitor), "busybox", "udhcpc"])
            .args(["-i", "eth0", "-q", "-n", "-t", "10", "-T", "1", "-s"])
            .arg(self.state.path().join("udhcpc.sh"))
            .args(extra)
            .env(
                "LEASE_OUT",
                self.state.path().join(format!("lease-{visitor}")),
            )
            .output()
            .expect("udhcpc runs");
        assert!(
            out.status.success(),
            "udhcpc {extra:?}: {}",
            tests::stderr(&out)
        );
    }

    /// `visitor` asks the device's DHCP server for `ip` (in the shipped
    /// range, 10.42.0.100 to 250) and gets a real new lease for its MAC. It
    /// gives its lease back first (a DHCP release, which busybox sends when
    /// stopped while bound): dnsmasq leases by MAC only (`dhcp-ignore-clid`)
    /// and would hand out the address already leased.
    pub fn renew_lease(&self, visitor: &str, ip: &str) {
        let lease_out = self.state.path().join(format!("release-{visitor}"));
        let mut bound = Command::new("ip")
            .args(["netns", "exec", &self.ns(visitor), "busybox", "udhcpc"])
            .args(["-f", "-R", "-i", "eth0", "-t", "10", "-T", "1", "-s"])
            .arg(self.state.path().join("udhcpc.sh"))
            .env("LEASE_OUT", &lease_out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("udhcpc runs");
        let t0 = Instant::now();
        while !lease_out.exists() && t0.elapsed() < Duration::from_secs(15) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-TERM", &bound.id().to_string()])
            .status();
        let _ = bound.wait();
        self.dhcp(visitor, &["-r", ip]);
        assert_eq!(
            self.ip_of(visitor),
            ip,
            "the DHCP server gave another address"
        );
        let route = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(visitor),
                "ip",
                "route",
                "replace",
                "default",
                "via",
                "10.42.0.1",
            ])
            .status()
            .expect("ip runs");
        assert!(route.success());
    }

    /// Gives `visitor` another address of its own choosing, with no DHCP.
    pub fn readdress(&self, visitor: &str, ip: &str) {
        let ns = self.ns(visitor);
        for args in [
            vec!["addr", "flush", "dev", "eth0"],
            vec!["addr", "add", &format!("{ip}/24"), "dev", "eth0"],
            vec!["route", "replace", "default", "via", "10.42.0.1"],
        ] {
            let ok = Command::new("ip")
                .args(["netns", "exec", &ns, "ip"])
                .args(&args)
                .status()
                .expect("ip runs");
            assert!(ok.success(), "ip {args:?}");
        }
    }

    /// Gives `visitor` another MAC address, as a phone that randomises it.
    pub fn new_mac(&self, visitor: &str, mac: &str) {
        let ns = self.ns(visitor);
        for args in [
            vec!["link", "set", "eth0", "down"],
            vec!["link", "set", "eth0", "address", mac],
            vec!["link", "set", "eth0", "up"],
            vec!["route", "replace", "default", "via", "10.42.0.1"],
        ] {
            let ok = Command::new("ip")
                .args(["netns", "exec", &ns, "ip"])
                .args(&args)
                .status()
                .expect("ip runs");
            assert!(ok.success(), "ip {args:?}");
        }
        // The device still remembers the old MAC for this address for a
        // while; a real phone with a new MAC also asks for a new lease.
        let _ = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns("gw"),
                "ip",
                "neigh",
                "flush",
                "dev",
                "wifi0",
            ])
            .status();
    }

    /// Starts `program` with `args` in namespace `ns`, ended with the bed;
    /// its index among the bed's helpers (for `end_helper`).
    pub fn spawn_in(&mut self, ns: &str, program: &str, args: &[&str]) -> usize {
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns(ns), program])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} runs: {e}"));
        self.helpers.push(child);
        self.helpers.len() - 1
    }

    /// Ends helper `index` (as a crash or a power cut would: SIGKILL).
    pub fn end_helper(&mut self, index: usize) {
        let _ = self.helpers[index].kill();
        let _ = self.helpers[index].wait();
    }

    /// A TCP listener on the device (like SSH would be).
    pub fn listen_on_device(&mut self, addr: &str, port: u16) {
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns("gw"),
                "python3",
                "-m",
                "http.server",
                "--bind",
                addr,
            ])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        self.helpers.push(child);
        std::thread::sleep(Duration::from_millis(500));
    }

    /// Sends raw bytes to the portal as `visitor` and reads what comes back.
    pub fn raw(&self, visitor: &str, bytes: &[u8]) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let code = format!(
            "import socket\ns=socket.create_connection(('10.42.0.1',80),3)\ns.sendall(bytes.fromhex('{hex}'))\ns.settimeout(3)\ntry:\n  s.recv(4096)\nexcept Exception:\n  pass"
        );
        let _ = Command::new("ip")
            .args(["netns", "exec", &self.ns(visitor), "python3", "-c", &code])
            .output();
    }
}

pub fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64
}

impl Drop for Bed {
    fn drop(&mut self) {
        self.kill9();
        for mut helper in self.helpers.drain(..) {
            let _ = helper.kill();
            let _ = helper.wait();
        }
        self.script("teardown");
    }
}
