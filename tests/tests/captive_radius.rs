//! `auth = "radius"` against a real FreeRADIUS 3 in the namespace bed: the
//! server runs on the device's loopback with a users file and the detail
//! accounting log, behind a silent "first server" (the first request fails
//! over to FreeRADIUS, which is asked first from then on). One bed and one
//! FreeRADIUS for the whole story, to keep CI short: a refused and an
//! accepted sign-in, accounting that matches a real transfer, a
//! Disconnect-Request and CoA-Requests (radclient), WISPr bandwidth as tc
//! classes and a CoA changing it, Idle-Timeout, a data limit and
//! Session-Timeout ending a session in the kernel, both servers down, and
//! accounting kept across a portal restart until the server is back.
//!
//! Needs root, `freeradius` and `radclient` (CI installs them).

mod captive_bed;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use captive_bed::{Bed, PORTAL};
use tests::Need;

const SECRET: &str = "bed-radius-secret";
/// FreeRADIUS's ports on the device's loopback (accounting one up); the
/// silent server's.
const AUTH_PORT: u16 = 18612;
const SILENT_PORT: u16 = 18600;

/// FreeRADIUS's configuration: Debian's, copied, with only the modules the
/// test needs, our client, users and site, and every path in `dir`.
fn freeradius_config(dir: &Path) {
    let d = dir.display();
    let copy = Command::new("cp")
        .args(["-a", "/etc/freeradius/3.0"])
        .arg(dir)
        .status()
        .expect("cp runs");
    assert!(copy.success());
    for entry in std::fs::read_dir(dir.join("sites-enabled")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    for entry in std::fs::read_dir(dir.join("mods-enabled")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !["always", "files", "pap", "detail", "expr"].contains(&name.as_str()) {
            std::fs::remove_file(path).unwrap();
        }
    }
    let conf = dir.join("radiusd.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    let text: String = text
        .lines()
        .map(|l| match l.trim_start() {
            t if t.starts_with("logdir = ") => format!("logdir = {d}/log"),
            t if t.starts_with("radacctdir = ") => format!("radacctdir = {d}/radacct"),
            t if t.starts_with("run_dir = ") => format!("run_dir = {d}/run"),
            // A refusal at once (the default waits a second): the bed's
            // requests give up after 3 s.
            t if t.starts_with("reject_delay = ") => "reject_delay = 0".to_owned(),
            // Runs as root in the test: it writes into the test's files.
            t if t.starts_with("user = ") || t.starts_with("group = ") => String::new(),
            _ => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&conf, text).unwrap();
    for sub in ["log", "radacct", "run"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(
        dir.join("clients.conf"),
        format!(
            "client portal {{\n\tipaddr = 127.0.0.1\n\tsecret = {SECRET}\n\trequire_message_authenticator = yes\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("mods-config/files/authorize"),
        "siti Cleartext-Password := \"rahasia\"\n\
         \tSession-Timeout = 3600,\n\tIdle-Timeout = 600,\n\tAcct-Interim-Interval = 5,\n\
         \tWISPr-Bandwidth-Max-Up = 1000000,\n\tWISPr-Bandwidth-Max-Down = 2000000,\n\
         \tChilliSpot-Max-Total-Octets = 100000000,\n\tClass = \"kelas-a\"\n\n\
         budi Cleartext-Password := \"singkat\"\n\tSession-Timeout = 6\n\n\
         ida Cleartext-Password := \"diam\"\n\tIdle-Timeout = 4\n\n\
         rina Cleartext-Password := \"kuota\"\n\tChilliSpot-Max-Total-Octets = 500000,\n\tWISPr-Bandwidth-Max-Down = 1000000\n",
    )
    .unwrap();
    // Older FreeRADIUS 3.2 sends Message-Authenticator only when asked;
    // the portal takes no answer without it (Blast-RADIUS).
    std::fs::write(
        dir.join("sites-enabled/anjungan"),
        format!(
            "server anjungan {{\n\
             listen {{\n\ttype = auth\n\tipaddr = 127.0.0.1\n\tport = {AUTH_PORT}\n}}\n\
             listen {{\n\ttype = acct\n\tipaddr = 127.0.0.1\n\tport = {}\n}}\n\
             authorize {{\n\tfiles\n\tpap\n}}\n\
             authenticate {{\n\tAuth-Type PAP {{\n\t\tpap\n\t}}\n}}\n\
             preacct {{\n}}\n\
             accounting {{\n\tdetail\n}}\n\
             post-auth {{\n\tupdate reply {{\n\t\t&Message-Authenticator := 0x00\n\t}}\n\
             \tPost-Auth-Type REJECT {{\n\t\tupdate reply {{\n\t\t\t&Message-Authenticator := 0x00\n\t\t}}\n\t}}\n}}\n\
             }}\n",
            AUTH_PORT + 1
        ),
    )
    .unwrap();
}

/// The detail file's records, each as attribute -> value (quotes removed).
fn records(dir: &Path) -> Vec<HashMap<String, String>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.join("radacct")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut all = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for block in text.split("\n\n") {
            let record: HashMap<String, String> = block
                .lines()
                .filter_map(|l| l.trim().split_once(" = "))
                .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
                .collect();
            if !record.is_empty() {
                all.push(record);
            }
        }
    }
    all
}

/// Waits up to `seconds` for a record that `wanted` picks.
fn wait_for_record(
    bed: &Bed,
    dir: &Path,
    seconds: u64,
    wanted: impl Fn(&HashMap<String, String>) -> bool,
) -> HashMap<String, String> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(r) = records(dir).into_iter().find(|r| wanted(r)) {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "no such accounting record in {:#?}\nportal: {}",
            records(dir),
            bed.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn number(r: &HashMap<String, String>, key: &str) -> u64 {
    r.get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{key} in {r:#?}"))
}

/// radclient in the device's namespace; its output.
fn radclient(bed: &Bed, port: u16, kind: &str, attributes: &str) -> String {
    let mut child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &bed.ns("gw"),
            "radclient",
            "-x",
            "-r",
            "1",
            "-t",
            "3",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .args([kind, SECRET])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("radclient runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(attributes.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A visitor's HTB class id, as the portal makes it from its address.
fn class_of(ip: &str) -> String {
    let ip: std::net::Ipv4Addr = ip.parse().unwrap();
    format!("1:{:x}", 0x800 | (u32::from(ip) & 0x7ff))
}

/// The rate of HTB class `class` on `dev` in the device, as tc prints it.
fn class_rate(bed: &Bed, dev: &str, class: &str) -> Option<String> {
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
        .args(["classid", class])
        .output()
        .expect("tc runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "rate")?;
    words.get(at + 1).map(|w| (*w).to_owned())
}

fn online(bed: &Bed, visitor: &str) -> bool {
    let (code, body, _) = bed.http(visitor, "http://203.0.113.10/page");
    code == 200 && body.contains("pretend internet")
}

fn captive(bed: &Bed, visitor: &str) -> bool {
    let (code, _, location) = bed.http(visitor, "http://203.0.113.10/page");
    code == 302 && location == PORTAL
}

/// A real transfer through the portal: `visitor` sends `up` bytes to the
/// pretend internet and receives `down` bytes back. Shaped to the users
/// file's rates (8 s each way), so the server's answer may start late.
fn transfer(bed: &Bed, visitor: &str, up: usize, down: usize) {
    let code = format!(
        "import socket\ns=socket.create_connection(('203.0.113.10',9000),30)\n\
         s.sendall(b'u'*{up})\ns.shutdown(socket.SHUT_WR)\nn=0\n\
         while True:\n  b=s.recv(65536)\n  if not b: break\n  n+=len(b)\nassert n=={down}, n\n"
    );
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.ns(visitor), "python3", "-c", &code])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The join form's answer to `username` and `password` as `visitor`, and
/// how long it took.
fn sign_in(bed: &Bed, visitor: &str, username: &str, password: &str) -> (u16, String, Duration) {
    let t0 = Instant::now();
    let (code, body) = bed.join(
        visitor,
        &format!("&username={username}&password={password}"),
    );
    (code, body, t0.elapsed())
}

#[test]
fn radius_sign_in_accounting_disconnect_timeout_failover_and_outage() {
    if !tests::can_run(
        "RADIUS against a real FreeRADIUS",
        &[
            Need::Root,
            Need::Installed("freeradius"),
            Need::Installed("radclient"),
        ],
    ) {
        return;
    }
    let radius_dir = tempfile::tempdir().unwrap();
    let raddb = radius_dir.path().join("raddb");
    freeradius_config(&raddb);
    let secret_file = radius_dir.path().join("radius.secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let Some(mut bed) = Bed::new(
        "r",
        &format!(
            "auth = \"radius\"\nradius_servers = [\"127.0.0.1:{SILENT_PORT}\", \"127.0.0.1:{AUTH_PORT}\"]\nradius_secret_file = \"{}\"\nradius_coa_port = 3799\n",
            secret_file.display()
        ),
    ) else {
        return;
    };
    // The first server takes packets and never answers.
    bed.spawn_in(
        "gw",
        "python3",
        &[
            "-c",
            &format!(
                "import socket,time\nfor p in ({SILENT_PORT},{}):\n  s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(('127.0.0.1',p));globals()['k%d'%p]=s\ntime.sleep(3600)",
                SILENT_PORT + 1
            ),
        ],
    );
    // The pretend internet's bulk service: reads all, answers 2 MB.
    bed.spawn_in(
        "inet",
        "python3",
        &[
            "-c",
            "import socket\nl=socket.create_server(('203.0.113.10',9000))\nwhile True:\n  c,_=l.accept()\n  while c.recv(65536): pass\n  c.sendall(b'd'*2000000)\n  c.close()",
        ],
    );
    let raddb_arg = raddb.to_string_lossy().into_owned();
    let freeradius = bed.spawn_in("gw", "freeradius", &["-f", "-d", &raddb_arg]);
    let deadline = Instant::now() + Duration::from_secs(15);
    while !radclient(
        &bed,
        AUTH_PORT,
        "auth",
        "User-Name = siti, User-Password = rahasia, Message-Authenticator = 0x00\n",
    )
    .contains("Access-Accept")
    {
        assert!(Instant::now() < deadline, "FreeRADIUS did not come up");
        std::thread::sleep(Duration::from_millis(200));
    }
    bed.start();

    // The page asks for an account.
    let page = bed.curl("v1", &[PORTAL]);
    for field in ["name=\"username\"", "name=\"password\"", "id=\"connect\""] {
        assert!(page.contains(field), "{field} in {page}");
    }

    // A wrong password: refused, plainly; nobody out.
    // The first request also finds the first server silent: the second
    // answers, and is asked first from then on.
    let (code, body, took) = sign_in(&bed, "v1", "siti", "salah");
    eprintln!("refused past a silent first server: {took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("kata sandi salah"), "{body}");
    assert!(captive(&bed, "v1"));

    // Accepted, by the server that answered last.
    let (code, body, took) = sign_in(&bed, "v1", "siti", "rahasia");
    eprintln!("accepted: {took:?}");
    assert_eq!(code, 303, "{body}\n{}", bed.log());
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(online(&bed, "v1"));
    // WISPr-Bandwidth-Max-Down/Up from the users file, as HTB classes:
    // 2 Mbit/s to the visitor, 1 Mbit/s from them.
    let v1_class = class_of(&bed.ip_of("v1"));
    assert_eq!(
        class_rate(&bed, "wifi0", &v1_class).as_deref(),
        Some("2Mbit")
    );
    assert_eq!(
        class_rate(&bed, "ifb-anjungan", &v1_class).as_deref(),
        Some("1Mbit")
    );
    let start = wait_for_record(&bed, &raddb, 10, |r| {
        r.get("Acct-Status-Type").map(String::as_str) == Some("Start")
            && r.get("User-Name").map(String::as_str) == Some("siti")
    });
    assert_eq!(start["Class"], "0x6b656c61732d61", "{start:#?}");
    let acct_session_id = start["Acct-Session-Id"].clone();

    // A megabyte up, two down, and the interim records them.
    transfer(&bed, "v1", 1_000_000, 2_000_000);
    let interim = wait_for_record(&bed, &raddb, 15, |r| {
        r.get("Acct-Status-Type").map(String::as_str) == Some("Interim-Update")
            && r.get("Acct-Output-Octets")
                .and_then(|v| v.parse::<u64>().ok())
                .is_some_and(|n| n >= 2_000_000)
    });
    let (up, down) = (
        number(&interim, "Acct-Input-Octets"),
        number(&interim, "Acct-Output-Octets"),
    );
    eprintln!("interim after 1,000,000 bytes up and 2,000,000 down: {up} and {down} octets");
    // What went through plus the headers of its packets (IP and TCP: a
    // few percent), and the probes of this test.
    assert!(
        (1_000_000..1_050_000).contains(&up),
        "up {up}: {interim:#?}"
    );
    assert!(
        (2_000_000..2_100_000).contains(&down),
        "down {down}: {interim:#?}"
    );
    assert_eq!(interim["Acct-Session-Id"], acct_session_id);

    // Disconnect-Request: a session nobody has is NAKed, siti's ends.
    let nak = radclient(
        &bed,
        3799,
        "disconnect",
        "User-Name = nobody, Message-Authenticator = 0x00\n",
    );
    assert!(nak.contains("Disconnect-NAK"), "{nak}");
    let wrong_secret = Command::new("ip")
        .args(["netns", "exec", &bed.ns("gw"), "sh", "-c"])
        .arg("echo 'User-Name = siti' | radclient -r 1 -t 1 127.0.0.1:3799 disconnect not-the-secret")
        .output()
        .unwrap();
    assert!(
        !wrong_secret.status.success(),
        "a forged request gets no answer"
    );
    assert!(online(&bed, "v1"), "a forged request ends nothing");
    let ack = radclient(
        &bed,
        3799,
        "disconnect",
        &format!("Acct-Session-Id = \"{acct_session_id}\", Message-Authenticator = 0x00\n"),
    );
    assert!(ack.contains("Disconnect-ACK"), "{ack}");
    assert!(captive(&bed, "v1"), "disconnected in the kernel");
    let stop = wait_for_record(&bed, &raddb, 10, |r| {
        r.get("Acct-Status-Type").map(String::as_str) == Some("Stop")
            && r.get("User-Name").map(String::as_str) == Some("siti")
    });
    assert_eq!(stop["Acct-Terminate-Cause"], "Admin-Reset", "{stop:#?}");
    assert!(number(&stop, "Acct-Output-Octets") >= down, "{stop:#?}");
    assert!(number(&stop, "Acct-Input-Octets") >= up, "{stop:#?}");

    // Idle-Timeout: no traffic for 4 s ends the session.
    let (code, body, _) = sign_in(&bed, "v1", "ida", "diam");
    assert_eq!(code, 303, "{body}");
    let idle = wait_for_record(&bed, &raddb, 15, |r| {
        r.get("Acct-Status-Type").map(String::as_str) == Some("Stop")
            && r.get("User-Name").map(String::as_str) == Some("ida")
    });
    assert_eq!(idle["Acct-Terminate-Cause"], "Idle-Timeout", "{idle:#?}");
    assert!(captive(&bed, "v1"), "ended in the kernel");

    // ChilliSpot-Max-Total-Octets: 500 kB, then the session ends in the
    // kernel and its Stop says Session-Timeout. At 1 Mbit/s (the portal
    // looks every second: unshaped, 2 MB would be through before).
    let (code, body, _) = sign_in(&bed, "v1", "rina", "kuota");
    assert_eq!(code, 303, "{body}");
    let got = Command::new("ip")
        .args(["netns", "exec", &bed.ns("v1"), "python3", "-c"])
        .arg(
            "import socket\ns=socket.create_connection(('203.0.113.10',9000),5)\n\
             s.shutdown(socket.SHUT_WR)\ns.settimeout(3)\nn=0\n\
             try:\n  while True:\n    b=s.recv(65536)\n    if not b: break\n    n+=len(b)\n\
             except Exception: pass\nprint(n)",
        )
        .output()
        .unwrap();
    let got: u64 = String::from_utf8_lossy(&got.stdout).trim().parse().unwrap();
    assert!(got < 2_000_000, "the whole 2 MB arrived: {}", bed.log());
    let limited = wait_for_record(&bed, &raddb, 10, |r| {
        r.get("Acct-Status-Type").map(String::as_str) == Some("Stop")
            && r.get("User-Name").map(String::as_str) == Some("rina")
    });
    assert_eq!(
        limited["Acct-Terminate-Cause"], "Session-Timeout",
        "{limited:#?}"
    );
    assert!(
        number(&limited, "Acct-Output-Octets") + number(&limited, "Acct-Input-Octets") >= 500_000,
        "{limited:#?}"
    );
    assert!(captive(&bed, "v1"), "ended in the kernel");

    // Session-Timeout: the kernel ends it with no one asking.
    let (code, body, _) = sign_in(&bed, "v2", "budi", "singkat");
    assert_eq!(code, 303, "{body}");
    assert!(online(&bed, "v2"));
    wait_for_record(&bed, &raddb, 10, |r| {
        r.get("Acct-Status-Type").map(String::as_str) == Some("Start")
            && r.get("User-Name").map(String::as_str) == Some("budi")
    });

    // CoA-Request: naming the session only is ACKed; a new bandwidth is
    // ACKed and in the kernel; a change the portal cannot apply is NAKed
    // with Unsupported-Attribute.
    let v2_class = class_of(&bed.ip_of("v2"));
    assert_eq!(
        class_rate(&bed, "wifi0", &v2_class),
        None,
        "budi is not shaped"
    );
    let coa = radclient(
        &bed,
        3799,
        "coa",
        "User-Name = budi, Message-Authenticator = 0x00\n",
    );
    assert!(coa.contains("CoA-ACK"), "{coa}");
    let coa = radclient(
        &bed,
        3799,
        "coa",
        "User-Name = budi, WISPr-Bandwidth-Max-Down = 100000, Message-Authenticator = 0x00\n",
    );
    assert!(coa.contains("CoA-ACK"), "{coa}");
    assert_eq!(
        class_rate(&bed, "wifi0", &v2_class).as_deref(),
        Some("100Kbit"),
        "{}",
        bed.log()
    );
    let coa = radclient(
        &bed,
        3799,
        "coa",
        "User-Name = budi, Session-Timeout = 60, Message-Authenticator = 0x00\n",
    );
    assert!(
        coa.contains("CoA-NAK") && coa.contains("Unsupported-Attribute"),
        "{coa}"
    );
    assert!(online(&bed, "v2"));

    // Both servers down: nobody gets in, and is told so, in seconds.
    bed.end_helper(freeradius);
    let (code, body, took) = sign_in(&bed, "v1", "siti", "rahasia");
    eprintln!("sign-in with both servers down: {took:?}");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("tidak dapat dihubungi"), "{body}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(captive(&bed, "v1"));

    std::thread::sleep(Duration::from_secs(7));
    assert!(
        captive(&bed, "v2"),
        "Session-Timeout ended the session in the kernel"
    );

    // The Stop waits in the database through a restart of the portal, and
    // arrives when the server is back.
    bed.stop();
    bed.start();
    bed.spawn_in("gw", "freeradius", &["-f", "-d", &raddb_arg]);
    let stop = wait_for_record(&bed, &raddb, 20, |r| {
        r.get("Acct-Status-Type").map(String::as_str) == Some("Stop")
            && r.get("User-Name").map(String::as_str) == Some("budi")
    });
    assert_eq!(stop["Acct-Terminate-Cause"], "Session-Timeout", "{stop:#?}");
    assert!(
        (5..=8).contains(&number(&stop, "Acct-Session-Time")),
        "{stop:#?}"
    );
    assert!(number(&stop, "Acct-Delay-Time") >= 1, "{stop:#?}");
}
