//! The kiosk as it runs on a screen: the real program in a real window
//! (winit on an X server without a screen, Xvfb) with its real event loop.
//! A tap on "Voucher Wi-Fi" reaches the print thread, the slip reaches a
//! network printer, the report wakes the screen; SIGTERM (systemd's stop)
//! ends the kiosk cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anjungan::print::{Paper, interpret, spool};
use anjungan::store::Store;
use anjungan::wifi::voucher;
use tests::Device;
use tests::printer::{Mode, TestPrinter};

/// An X server of its own, stopped when dropped.
struct Xvfb {
    server: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (tests/run.sh installs the package xvfb)");
        let mut line = String::new();
        BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Xvfb {
            server,
            display: format!(":{}", line.trim()),
        }
    }

    fn xdotool(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool runs (tests/run.sh installs it)");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The kiosk's process, killed if the test ends early.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_tap_in_the_real_window_prints_a_voucher_and_sigterm_ends_the_kiosk() {
    let printer = TestPrinter::start(Mode::Ready);
    let device = Device::with_config(&format!(
        "[captive]\nauth = \"voucher\"\nsession_minutes = 45\n[kiosk]\nprinter = \"{}\"\n",
        printer.config_value()
    ));
    let x = Xvfb::start();
    let log = device.path("kiosk.log");
    let mut kiosk = Running(
        device
            .command("anjungan-kiosk", &[])
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            // The layout the coordinates below were read from.
            .env("SLINT_SCALE_FACTOR", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let window = wait_for("the kiosk's window", || {
        x.xdotool(&["search", "--onlyvisible", "--name", "^Anjungan$"])
            .and_then(|ids| ids.lines().next().map(str::to_string))
    });
    // "Voucher Wi-Fi" is under the Wi-Fi card in the right column of the
    // 1280x800 layout (as the snapshots show). The tap is repeated until
    // the slip comes: the first may land before the first frame. A second
    // tap cannot print a second slip (one per person; the card covers the
    // button meanwhile).
    let mut last_tap = Instant::now() - Duration::from_secs(10);
    let printed = wait_for("the voucher slip at the printer", || {
        if last_tap.elapsed() > Duration::from_secs(3) {
            let tap = [
                "mousemove",
                "--window",
                &window,
                "1080",
                "596",
                "click",
                "1",
            ];
            x.xdotool(&tap).expect("xdotool clicks");
            last_tap = Instant::now();
        }
        interpret(&printer.received())
            .ok()
            .filter(|p| !p.qr_codes().is_empty())
    });
    assert!(
        printed
            .qr_codes()
            .iter()
            .any(|q| q.starts_with("WIFI:T:nopass;S:")),
        "{:?}",
        printed.qr_codes()
    );
    let store = Store::open(&device.path("data").join("anjungan.db")).unwrap();
    let text = printed.text(Paper::Mm80);
    let code = text
        .split_whitespace()
        .find(|w| voucher::find(&store, w).ok().flatten().is_some())
        .unwrap_or_else(|| panic!("no issued code on the slip:\n{text}"));
    assert_eq!(voucher::find(&store, code).unwrap().unwrap().minutes, 45);
    wait_for("the job marked printed", || {
        spool::pending(&store).unwrap().is_empty().then_some(())
    });

    // systemd stops the kiosk with SIGTERM: it leaves its event loop and
    // exits cleanly (turning the status light off on the way).
    let pid = kiosk.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = wait_for("the kiosk to stop", || kiosk.0.try_wait().unwrap());
    assert!(
        status.success(),
        "exit {status:?}; its log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}
