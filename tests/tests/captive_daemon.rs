//! The real `anjungan-captive` process on loopback with `firewall = "none"`
//! (no root needed): what reaches its socket, however malformed, gets a 4xx
//! or a closed connection and never stops it; one address's thousands of
//! connections leave it answering others; SIGTERM ends it cleanly;
//! `anjungan voucher issue` makes the codes it accepts; the admin API needs
//! the token of `anjungan admin token`; `/metrics` parses as Prometheus
//! reads it and follows the queue; its log has no colour codes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tests::{Device, stderr};

struct Daemon {
    child: Child,
    port: u16,
    admin: u16,
    device: Device,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Daemon {
    fn start(auth: &str) -> Daemon {
        let (port, admin) = (free_port(), free_port());
        let device = Device::with_config(&format!(
            "[captive]\naddress = \"127.0.0.1\"\nport = {port}\nfirewall = \"none\"\nauth = \"{auth}\"\nadmin_listen = \"127.0.0.2:{admin}\"\n"
        ));
        let log = std::fs::File::create(device.path("captive.log")).expect("a log file");
        let child = device
            .command("anjungan-captive", &[])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the daemon starts");
        let d = Daemon {
            child,
            port,
            admin,
            device,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the daemon did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    /// Sends `bytes`, returns what comes back until the server closes or
    /// 3 s pass.
    fn raw(&self, bytes: &[u8]) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let _ = s.write_all(bytes);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn get(&self, path: &str, extra: &str) -> String {
        self.raw(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\nConnection: close\r\n{extra}\r\n").as_bytes())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.device.path("captive.log")).unwrap_or_default()
    }

    /// A request to the admin API (127.0.0.2) with these extra header lines.
    fn admin(&self, request_line: &str, headers: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.2", self.admin)).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let _ = s.write_all(
            format!("{request_line} HTTP/1.1\r\nConnection: close\r\n{headers}\r\n").as_bytes(),
        );
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_of(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn malformed_requests_get_a_4xx_or_a_closed_connection() {
    let mut d = Daemon::start("click-through");
    assert_eq!(status_of(&d.get("/", "")), 200);
    // No User-Agent.
    let a = d.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status_of(&a), 400, "{a}");
    // Huge headers, and very many.
    let big = format!("X-Big: {}\r\n", "a".repeat(64 * 1024));
    let a = d.get("/", &big);
    assert!(a.is_empty() || (400..500).contains(&status_of(&a)), "{a}");
    let many: String = (0..500).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let a = d.get("/", &many);
    assert!(a.is_empty() || (400..500).contains(&status_of(&a)), "{a}");
    // Bad encodings.
    let a = d.get("/layanan?q=%ff%fe", "");
    assert_eq!(status_of(&a), 400, "{a}");
    let a = d.raw(b"GET /\xff\xfe HTTP/1.1\r\nHost: \xff\r\nUser-Agent: x\r\n\r\n");
    assert!(a.is_empty() || (400..500).contains(&status_of(&a)), "{a}");
    let body = b"csrf=\xff\xfe%zz";
    let mut req = format!(
        "POST /join HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    assert!((400..500).contains(&status_of(&d.raw(&req))));
    // A body larger than any form.
    let a = d.raw(b"POST /join HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\nConnection: close\r\n\r\ncsrf=");
    assert!(a.is_empty() || status_of(&a) == 413, "{a}");
    // TLS bytes on the HTTP port: a ClientHello.
    let a = d.raw(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f");
    assert!(a.is_empty() || (400..500).contains(&status_of(&a)), "{a}");
    // Plain garbage and an unfinished request.
    d.raw(b"\x00\x01\x02\x03\r\n\r\n");
    d.raw(b"GET / HTTP/1.1\r\nHost: 127.");
    assert!(d.running(), "the daemon is still running");
    assert_eq!(status_of(&d.get("/", "")), 200);
}

#[test]
fn sigterm_ends_the_daemon_cleanly() {
    let mut d = Daemon::start("click-through");
    let killed = Command::new("kill")
        .args(["-TERM", &d.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = d.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "SIGTERM did not end the daemon");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn issued_vouchers_join_on_the_portal() {
    let d = Daemon::start("voucher");
    let out = d.device.run(
        "anjungan",
        &[
            "voucher",
            "issue",
            "--count",
            "3",
            "--minutes",
            "45",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3);
    assert!(list[0]["minutes"] == 45);

    let page = d.get("/", "");
    assert!(
        page.contains("name=\"voucher\"") && page.contains("id=\"connect\""),
        "{page}"
    );
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &page[at..at + page[at..].find('"').unwrap()];
    let body = format!("csrf={csrf}&voucher={}", codes[1]);
    let answer = d.raw(
        format!(
            "POST /join HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert_eq!(status_of(&answer), 303, "{answer}");
    let api = d.get("/api/captive", "Accept: application/captive+json\r\n");
    assert!(
        api.contains("\"captive\":false") && api.contains("seconds-remaining"),
        "{api}"
    );

    // Refused with a sentence that says what to do.
    let out = d.device.run(
        "anjungan",
        &["voucher", "issue", "--count", "0", "--minutes", "45"],
    );
    assert!(!out.status.success());
}

#[test]
fn the_admin_api_needs_the_token_of_anjungan_admin_token() {
    let d = Daemon::start("click-through");
    let host = format!("Host: 127.0.0.2:{}\r\n", d.admin);
    // The daemon made the token at start; the command line prints it.
    let out = d.device.run("anjungan", &["admin", "token"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = tests::stdout(&out).trim().to_owned();
    assert_eq!(token.len(), 64, "{token}");
    let file = d.device.dir.path().join("data/admin.token");
    // Which file it is, on stderr (a token of another data_dir is no use).
    assert!(
        stderr(&out).contains(&file.display().to_string()),
        "{}",
        stderr(&out)
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", file.display());

    for request in [
        "GET /api/status",
        "GET /api/sessions",
        "DELETE /api/sessions/1",
        "GET /",
    ] {
        for auth in [
            "",
            "Authorization: Bearer nope\r\n",
            "Authorization: Basic YTpi\r\n",
        ] {
            let a = d.admin(request, &format!("{host}{auth}"));
            assert_eq!(status_of(&a), 401, "{request} {auth}: {a}");
            assert!(!a.contains("visitors"), "{a}");
        }
    }
    let bearer = format!("Authorization: Bearer {token}\r\n");
    let a = d.admin("GET /api/status", &format!("{host}{bearer}"));
    assert_eq!(status_of(&a), 200, "{a}");
    assert!(a.contains("visitors"), "{a}");
    let a = d.admin(
        "GET /api/status",
        &format!("Host: localhost:{}\r\n{bearer}", d.admin),
    );
    assert_eq!(status_of(&a), 200, "through an SSH forward: {a}");
    // DNS rebinding: the browser sends the attacker's name.
    let a = d.admin(
        "GET /api/status",
        &format!("Host: rebind.evil.example:{}\r\n{bearer}", d.admin),
    );
    assert_eq!(status_of(&a), 421, "{a}");
    assert!(!a.contains("visitors"), "{a}");
}

#[test]
fn one_address_s_thousands_of_connections_leave_the_portal_to_others() {
    let d = Daemon::start("click-through");
    // One guest (127.0.0.1) opens 3000 connections and keeps them open.
    let hog = format!(
        "import resource, socket, sys, time\n\
         soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n\
         resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))\n\
         held = []\n\
         for _ in range(3000):\n\
         \x20   s = socket.socket(); s.setblocking(False)\n\
         \x20   s.connect_ex(('127.0.0.1', {}))\n\
         \x20   held.append(s)\n\
         print('open', flush=True)\n\
         time.sleep(60)\n",
        d.port
    );
    let mut hog = Command::new("python3")
        .args(["-c", &hog])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(hog.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "open");
    std::thread::sleep(Duration::from_millis(1500));
    // Another guest (127.0.0.2) is answered at once, again and again: well
    // before the hog's connections would time out (10 s), with room for a
    // busy 2-core CI machine, and one more try before calling it slow.
    let other_guest = || {
        let out = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-m",
                "5",
                "--interface",
                "127.0.0.2",
            ])
            .args(["-H", "User-Agent: x", "-w", "%{http_code} %{time_total}"])
            .arg(format!("http://127.0.0.1:{}/", d.port))
            .output()
            .expect("curl runs");
        let answer = tests::stdout(&out);
        let (code, seconds) = answer.split_once(' ').unwrap_or(("0", "99"));
        let seconds: f64 = seconds.parse().unwrap_or(99.0);
        assert_eq!(code, "200", "{answer}");
        seconds
    };
    for _ in 0..3 {
        let seconds = Some(other_guest())
            .filter(|s| *s < 3.0)
            .unwrap_or_else(other_guest);
        assert!(seconds < 3.0, "the other guest waited {seconds} s");
    }
    let _ = hog.kill();
    let _ = hog.wait();
}

/// A regression test, not a new behaviour: hyper's header deadline
/// (`limits::HEADER_TIMEOUT`) starts again after every answer, so it has
/// always closed a kept-alive connection that sends nothing more.
#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let d = Daemon::start("click-through");
    let mut s = TcpStream::connect(("127.0.0.1", d.port)).expect("connects");
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: x\r\n\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = [0u8; 16 * 1024];
    let n = s.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Kept alive; then nothing more is sent.
    let t0 = Instant::now();
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let idle = t0.elapsed();
    assert!(
        idle < Duration::from_secs(12) && idle >= Duration::from_secs(5),
        "closed after {idle:?}"
    );
}

#[test]
fn the_log_has_no_colour_codes_when_not_on_a_terminal() {
    let mut d = Daemon::start("click-through");
    assert_eq!(status_of(&d.get("/", "")), 200);
    let _ = Command::new("kill")
        .args(["-TERM", &d.child.id().to_string()])
        .status();
    let _ = d.child.wait();
    let log = d.log();
    assert!(log.contains("portal ready"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log:?}");
}

/// The samples of a `/metrics` answer, each of its lines read by a
/// Prometheus text parser (which drops what it cannot read: so counted).
fn scrape(answer: &str) -> Vec<prometheus_parse::Sample> {
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(
        head.contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    let lines = body.lines().map(|l| Ok(l.to_owned()));
    let samples = prometheus_parse::Scrape::parse(lines).unwrap().samples;
    let expected = body.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(samples.len(), expected, "unreadable lines in:\n{body}");
    samples
}

fn value(samples: &[prometheus_parse::Sample], name: &str, label: Option<(&str, &str)>) -> f64 {
    let found = samples
        .iter()
        .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
        .unwrap_or_else(|| panic!("no {name} {label:?}"));
    match found.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => v,
        ref other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn metrics_need_the_token_parse_and_follow_the_queue() {
    let d = Daemon::start("click-through");
    let host = format!("Host: 127.0.0.2:{}\r\n", d.admin);
    let a = d.admin("GET /metrics", &host);
    assert_eq!(status_of(&a), 401, "{a}");
    assert!(!a.contains("anjungan_"), "{a}");
    let out = d.device.run("anjungan", &["admin", "token"]);
    let bearer = format!("Authorization: Bearer {}\r\n", tests::stdout(&out).trim());

    let catalog = anjungan::catalog::Catalog::new(anjungan::catalog::demo::bundle(), None);
    let prefix = catalog
        .service("akta-kelahiran")
        .unwrap()
        .queue_prefix
        .clone()
        .unwrap();
    let ticket = d.device.path("ticket.bin");
    for _ in 0..3 {
        let out = d.device.run(
            "anjungan",
            &[
                "receipt",
                "--ticket",
                "akta-kelahiran",
                "--out",
                ticket.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let samples = scrape(&d.admin("GET /metrics", &format!("{host}{bearer}")));
    let waiting = |s: &[prometheus_parse::Sample]| {
        value(
            s,
            "anjungan_queue_waiting",
            Some(("prefix", prefix.as_str())),
        )
    };
    assert_eq!(waiting(&samples), 3.0);
    for name in [
        "anjungan_visitors_joined",
        "anjungan_joins_total",
        "anjungan_printer_ready",
        "anjungan_printer_faults_total",
        "anjungan_print_jobs_waiting",
        "anjungan_alerts_total",
        "anjungan_catalog_generation",
        "anjungan_catalog_installed_timestamp_seconds",
    ] {
        value(&samples, name, None);
    }
    assert!(value(&samples, "anjungan_data_free_bytes", None) > 0.0);
    value(
        &samples,
        "anjungan_survey_responses_total",
        Some(("channel", "portal")),
    );
    value(
        &samples,
        "anjungan_printer_fault",
        Some(("fault", "paper-out")),
    );
    value(&samples, "anjungan_build_info", None);

    let out = d
        .device
        .run("anjungan", &["queue", "call", &prefix, "--counter", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let samples = scrape(&d.admin("GET /metrics", &format!("{host}{bearer}")));
    assert_eq!(waiting(&samples), 2.0);
}
