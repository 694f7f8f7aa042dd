//! Getting bytes to the printer named in `[kiosk] printer`, and asking it
//! how it is (DLE EOT real-time status) where the connection can read: a
//! network printer, and a USB printer that talks back.
//!
//! Every step has a timeout: a printer that never answers must not freeze
//! the kiosk. (A host name in `tcp:HOST:9100` is looked up without one;
//! give printers an address.)

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Printer;

/// How long to wait for a printer to connect, take bytes or answer.
pub const TIMEOUT: Duration = Duration::from_secs(4);

/// How long a USB printer may take to answer a status request. A printer
/// that answers does so at once; one that cannot costs this much per ask.
const USB_STATUS_TIMEOUT: Duration = Duration::from_millis(500);

/// What is wrong with the printer, as the technician is told (the kiosk
/// tells the citizen in words of its own, translated).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("the printer is out of paper")]
    PaperOut,
    #[error("the printer's cover is open")]
    CoverOpen,
    #[error("the printer is offline")]
    Offline,
    #[error("the printer does not answer")]
    NoAnswer,
    #[error("the printer cannot be reached: {0}")]
    Unreachable(String),
    #[error("no printer is configured ([kiosk] printer = \"none\")")]
    NotConfigured,
}

impl Fault {
    /// A short code for the fault log.
    /// Every fault's code, as [`Fault::code`] gives them.
    pub const CODES: [&'static str; 6] = [
        "paper-out",
        "cover-open",
        "offline",
        "no-answer",
        "unreachable",
        "not-configured",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Fault::PaperOut => "paper-out",
            Fault::CoverOpen => "cover-open",
            Fault::Offline => "offline",
            Fault::NoAnswer => "no-answer",
            Fault::Unreachable(_) => "unreachable",
            Fault::NotConfigured => "not-configured",
        }
    }
}

/// DLE EOT n: transmit real-time status.
const DLE_EOT: [u8; 2] = [0x10, 0x04];

/// Reads the three status bytes an ESC/POS printer answers to DLE EOT 1, 2
/// and 4; `Ok(())` when it can print.
pub fn check_status(stream: &mut (impl Read + Write)) -> Result<(), Fault> {
    let mut ask = |n: u8| -> Result<u8, Fault> {
        stream
            .write_all(&[DLE_EOT[0], DLE_EOT[1], n])
            .map_err(|e| Fault::Unreachable(e.to_string()))?;
        let mut b = [0u8; 1];
        match stream.read(&mut b) {
            Ok(1) if b[0] & 0x93 == 0x12 => Ok(b[0]),
            Ok(1) => Err(Fault::Unreachable(format!(
                "status byte 0x{:02x} is not ESC/POS",
                b[0]
            ))),
            Ok(_) => Err(Fault::Unreachable(
                "the printer closed the connection".into(),
            )),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Err(Fault::NoAnswer)
            }
            Err(e) => Err(Fault::Unreachable(e.to_string())),
        }
    };
    let printer = ask(1)?;
    let offline_cause = ask(2)?;
    let paper = ask(4)?;
    if paper & 0x60 != 0 || offline_cause & 0x20 != 0 {
        return Err(Fault::PaperOut);
    }
    if offline_cause & 0x04 != 0 {
        return Err(Fault::CoverOpen);
    }
    if printer & 0x08 != 0 {
        return Err(Fault::Offline);
    }
    Ok(())
}

/// Sends `bytes` to the configured printer: status before and after where
/// the connection can read, so paper running out mid-job is noticed.
pub fn send(printer: &Printer, bytes: &[u8]) -> Result<(), Fault> {
    match printer {
        Printer::None => Err(Fault::NotConfigured),
        Printer::Tcp { host, port } => send_tcp(host, *port, bytes),
        Printer::File(path) | Printer::Serial(path) => write_device(path, bytes),
        Printer::Usb => send_usb(&first_usb_printer(None)?, bytes),
        Printer::UsbDevice { vendor, product } => {
            send_usb(&first_usb_printer(Some((*vendor, *product)))?, bytes)
        }
    }
}

/// Asks the printer how it is without printing anything.
pub fn status(printer: &Printer) -> Result<(), Fault> {
    match printer {
        Printer::None => Err(Fault::NotConfigured),
        Printer::Tcp { host, port } => check_status(&mut connect(host, *port)?),
        Printer::File(path) | Printer::Serial(path) => {
            if path.exists() || path.parent().is_some_and(Path::exists) {
                Ok(())
            } else {
                Err(Fault::Unreachable(format!(
                    "{} does not exist",
                    path.display()
                )))
            }
        }
        Printer::Usb => usb_status_between_jobs(&first_usb_printer(None)?),
        Printer::UsbDevice { vendor, product } => {
            usb_status_between_jobs(&first_usb_printer(Some((*vendor, *product)))?)
        }
    }
}

fn connect(host: &str, port: u16) -> Result<TcpStream, Fault> {
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| Fault::Unreachable(format!("{host}:{port}: {e}")))?
        .next()
        .ok_or_else(|| Fault::Unreachable(format!("{host}:{port} has no address")))?;
    let stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .map_err(|e| Fault::Unreachable(format!("{addr}: {e}")))?;
    let set = |r: std::io::Result<()>| r.map_err(|e| Fault::Unreachable(e.to_string()));
    set(stream.set_read_timeout(Some(TIMEOUT)))?;
    set(stream.set_write_timeout(Some(TIMEOUT)))?;
    set(stream.set_nodelay(true))?;
    Ok(stream)
}

fn send_tcp(host: &str, port: u16, bytes: &[u8]) -> Result<(), Fault> {
    let mut stream = connect(host, port)?;
    check_status(&mut stream)?;
    stream
        .write_all(bytes)
        .and_then(|()| stream.flush())
        .map_err(|e| Fault::Unreachable(format!("the connection broke during the job: {e}")))?;
    // The job is in the printer's buffer; asking again tells whether the
    // paper ran out while it printed.
    check_status(&mut stream)
}

/// A printer's device file (`/dev/usb/lp0`, a serial port, or a plain
/// file), opened non-blocking and read and written as `poll` says it can
/// be: no step waits longer than its timeout. (usblp blocks a write while
/// the paper is out; a blocking write would hold the print thread for ever.)
struct Device {
    file: std::fs::File,
    path: PathBuf,
    /// How long a read waits for an answer (writes wait [`TIMEOUT`]).
    read_timeout: Duration,
}

impl Device {
    /// `read`: also for reading status answers (USB); else append-only.
    /// Never the kiosk's controlling terminal (a serial port could become
    /// it, and its hang-up would end the kiosk).
    fn open(path: &Path, read: bool) -> Result<Device, Fault> {
        Device::try_open(path, read)
            .map_err(|e| Fault::Unreachable(format!("{}: {e}", path.display())))
    }

    fn try_open(path: &Path, read: bool) -> std::io::Result<Device> {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        let file = OpenOptions::new()
            .read(read)
            .write(true)
            .append(!read)
            .create(!read && !path.starts_with("/dev"))
            .custom_flags((OFlags::NONBLOCK | OFlags::NOCTTY).bits() as i32)
            .open(path)?;
        Ok(Device {
            file,
            path: path.to_owned(),
            read_timeout: TIMEOUT,
        })
    }

    /// Waits until the device has taken everything written. A non-blocking
    /// write to usblp returns before its last piece reaches the printer,
    /// and closing the device then drops that piece; usblp reports
    /// "writable" only once it is through. A printer that does not take it
    /// within [`TIMEOUT`] has not printed the job.
    fn settle(&self) -> Result<(), Fault> {
        self.wait(rustix::event::PollFlags::OUT, TIMEOUT)
            .map_err(|e| self.fault(e))
    }

    fn wait(&self, flags: rustix::event::PollFlags, timeout: Duration) -> std::io::Result<()> {
        let timeout = rustix::event::Timespec {
            tv_sec: timeout.as_secs() as _,
            tv_nsec: timeout.subsec_nanos() as _,
        };
        let mut fds = [rustix::event::PollFd::new(&self.file, flags)];
        loop {
            match rustix::event::poll(&mut fds, Some(&timeout)) {
                Ok(0) => return Err(std::io::ErrorKind::TimedOut.into()),
                Ok(_) => return Ok(()),
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Throws away whatever the printer said before we asked (automatic
    /// status messages), so an answer is read as the answer.
    fn drain(&mut self) {
        let mut junk = [0u8; 64];
        while matches!(self.file.read(&mut junk), Ok(n) if n > 0) {}
    }

    fn fault(&self, e: std::io::Error) -> Fault {
        match e.kind() {
            std::io::ErrorKind::TimedOut => Fault::NoAnswer,
            _ => Fault::Unreachable(format!("{}: {e}", self.path.display())),
        }
    }
}

impl Read for Device {
    /// Waits up to the read timeout for at least one byte. usblp may give
    /// an empty read while the printer has not answered yet: that is
    /// "nothing yet", not the end.
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let deadline = std::time::Instant::now() + self.read_timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.file.read(buf) {
                Ok(0) if !buf.is_empty() => {
                    if left.is_zero() {
                        return Err(std::io::ErrorKind::TimedOut.into());
                    }
                    std::thread::sleep(left.min(Duration::from_millis(20)));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    self.wait(rustix::event::PollFlags::IN, left)?
                }
                other => return other,
            }
        }
    }
}

impl Write for Device {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        loop {
            match self.file.write(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    self.wait(rustix::event::PollFlags::OUT, TIMEOUT)?
                }
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Files and serial ports take bytes but give no status; the job ends in
/// `NoAnswer` after [`TIMEOUT`] without progress.
fn write_device(path: &Path, bytes: &[u8]) -> Result<(), Fault> {
    let mut device = Device::open(path, false)?;
    device.write_all(bytes).map_err(|e| device.fault(e))?;
    device.settle()?;
    // A file on disk is synced; a device has nothing to sync.
    let _ = device.file.sync_all();
    Ok(())
}

/// A USB printer: status before and after the job, as over the network,
/// when the printer answers.
fn send_usb(path: &Path, bytes: &[u8]) -> Result<(), Fault> {
    let mut device = Device::open(path, true)?;
    usb_status(&mut device)?;
    device.write_all(bytes).map_err(|e| device.fault(e))?;
    usb_status(&mut device)
}

/// Between jobs (the kiosk's periodic check): a printer another program
/// has open (usblp allows one at a time) is there, and is not asked.
fn usb_status_between_jobs(path: &Path) -> Result<(), Fault> {
    match Device::try_open(path, true) {
        Ok(mut device) => usb_status(&mut device),
        Err(e) if e.kind() == std::io::ErrorKind::ResourceBusy => Ok(()),
        Err(e) => Err(Fault::Unreachable(format!("{}: {e}", path.display()))),
    }
}

/// DLE EOT over USB needs a printer that talks back (usblp refuses a read
/// when it cannot) and that understands it. The printer must take the
/// question: one that takes no bytes has a fault. Only a clear answer
/// stops a job: a printer that cannot or does not answer is printed to
/// without a status, since a missing answer must not stop a working
/// printer.
fn usb_status(device: &mut Device) -> Result<(), Fault> {
    device.settle()?;
    device.drain();
    device.read_timeout = USB_STATUS_TIMEOUT;
    let status = check_status(device);
    device.read_timeout = TIMEOUT;
    only_clear_faults(status)
}

fn only_clear_faults(status: Result<(), Fault>) -> Result<(), Fault> {
    match status {
        Err(f @ (Fault::PaperOut | Fault::CoverOpen | Fault::Offline)) => Err(f),
        _ => Ok(()),
    }
}

/// The kernel's USB printer devices (usblp), matched by vendor and product
/// through sysfs when given.
fn first_usb_printer(ids: Option<(u16, u16)>) -> Result<PathBuf, Fault> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/sys/class/usbmisc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("lp"))
        .filter(|e| {
            let Some((vendor, product)) = ids else {
                return true;
            };
            let device = e.path().join("device/..");
            let read = |f: &str| {
                std::fs::read_to_string(device.join(f))
                    .ok()
                    .and_then(|s| u16::from_str_radix(s.trim(), 16).ok())
            };
            read("idVendor") == Some(vendor) && read("idProduct") == Some(product)
        })
        .map(|e| Path::new("/dev/usb").join(e.file_name()))
        .collect();
    found.sort();
    found.into_iter().next().ok_or_else(|| {
        Fault::Unreachable(
            "no USB printer is connected (no /dev/usb/lp*); check the cable and power".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_s_code_is_listed() {
        let all = [
            Fault::PaperOut,
            Fault::CoverOpen,
            Fault::Offline,
            Fault::NoAnswer,
            Fault::Unreachable(String::new()),
            Fault::NotConfigured,
        ];
        assert_eq!(all.map(|f| f.code()), Fault::CODES);
    }

    /// A stream answering status requests with fixed bytes.
    struct Answers {
        replies: Vec<u8>,
        asked: usize,
    }

    impl Read for Answers {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let b = self.replies[self.asked - 1];
            buf[0] = b;
            Ok(1)
        }
    }

    impl Write for Answers {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.asked += 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn status_of(printer: u8, cause: u8, paper: u8) -> Result<(), Fault> {
        check_status(&mut Answers {
            replies: vec![printer, cause, paper],
            asked: 0,
        })
    }

    #[test]
    fn reads_real_time_status() {
        assert_eq!(status_of(0x12, 0x12, 0x12), Ok(()));
        assert_eq!(status_of(0x1a, 0x32, 0x72), Err(Fault::PaperOut));
        assert_eq!(status_of(0x1a, 0x16, 0x12), Err(Fault::CoverOpen));
        assert_eq!(status_of(0x1a, 0x12, 0x12), Err(Fault::Offline));
        assert!(matches!(
            status_of(0xff, 0x12, 0x12),
            Err(Fault::Unreachable(_))
        ));
    }

    #[test]
    fn over_usb_only_a_clear_answer_stops_a_job() {
        assert_eq!(
            only_clear_faults(status_of(0x1a, 0x32, 0x72)),
            Err(Fault::PaperOut)
        );
        assert_eq!(only_clear_faults(status_of(0x12, 0x12, 0x12)), Ok(()));
        // Not ESC/POS, or no answer: printed without a status.
        assert_eq!(only_clear_faults(status_of(0xff, 0x12, 0x12)), Ok(()));
        assert_eq!(only_clear_faults(Err(Fault::NoAnswer)), Ok(()));
    }

    /// A device that stops taking bytes (here: a pipe nobody reads, as
    /// usblp does while the paper is out) ends the job in `NoAnswer`
    /// instead of blocking the kiosk's print thread.
    #[test]
    fn a_device_that_stops_taking_bytes_times_out() {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("lp0");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Open for reading (so the writer may open it), and never read.
        let _reader = OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
            .open(&fifo)
            .unwrap();
        let job = vec![b'x'; 1 << 20];
        assert_eq!(
            send(&Printer::File(fifo.clone()), &job),
            Err(Fault::NoAnswer)
        );
        drop(_reader);
        // Nobody at the other end at all: refused at once.
        assert!(matches!(
            send(&Printer::File(fifo), b"x"),
            Err(Fault::Unreachable(_))
        ));
    }
}
