//! The configuration file shared by every program (`../shared/spec/interfaces.md`):
//! where it is found, its keys, their defaults and their limits.
//!
//! Every key has a built-in default, so a device with no file at all runs the
//! demo catalog. Unknown keys and bad values are refused with the key named,
//! because a typo silently ignored on a device in a village office is found
//! only when a citizen complains.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::screen_hours::ScreenHours;
use crate::{Error, Result};

mod garden;
pub use garden::{GardenEntry, MAX_ENTRIES as MAX_GARDEN_ENTRIES};

/// The environment variable consulted when no `--config` is given.
pub const CONFIG_ENV: &str = "ANJUNGAN_CONFIG";
/// The system-wide file consulted last.
pub const SYSTEM_CONFIG: &str = "/etc/anjungan/anjungan.toml";
/// Where Debian's dnsmasq keeps its DHCP leases.
pub const DNSMASQ_LEASES: &str = "/var/lib/misc/dnsmasq.leases";
/// A visitor's rate: below 64 kbit/s nothing loads, above 10 Gbit/s is
/// no Wi-Fi (and HTB's 32-bit byte rates end near 34 Gbit/s).
pub const MIN_RATE_KBIT: u32 = 64;
pub const MAX_RATE_KBIT: u32 = 10_000_000;
/// A data limit of a million MB (a terabyte) is as good as none.
pub const MAX_DATA_LIMIT_MB: u32 = 1_000_000;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub device: DeviceConfig,
    pub captive: CaptiveConfig,
    pub kiosk: KioskConfig,
    pub voice: VoiceConfig,
    pub sync: SyncConfig,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeviceConfig {
    /// Shown on the admin page and sent with synced events, so the region can
    /// tell its devices apart.
    pub id: String,
    pub name: String,
    /// Holds the SQLite database and the print spool.
    pub data_dir: PathBuf,
    /// The time zone the device shows and opens by (an IANA name); the
    /// device image applies it at boot, as it applies `id` as the host name.
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaptiveConfig {
    /// The network interface the Wi-Fi visitors are on.
    pub interface: String,
    /// The way to the internet.
    pub uplink: String,
    /// The portal's address on `interface`.
    pub address: IpAddr,
    pub port: u16,
    pub firewall: Firewall,
    pub auth: Auth,
    pub session_minutes: u32,
    /// Technician page and API. Never reachable from the guest side.
    pub admin_listen: SocketAddr,
    /// The Wi-Fi network's name (SSID), printed on voucher slips and in
    /// the QR codes that join it.
    pub ssid: String,
    /// The country the device stands in (ISO 3166-1 alpha-2): the radio's
    /// channels and transmit power follow its rules.
    pub country: String,
    /// The 2.4 GHz channel of the guest network (1 to 13).
    pub channel: u8,
    /// Most visitors joined at once; the next one is told the Wi-Fi is full.
    pub max_visitors: u32,
    /// Internet minutes per visitor per day with click-through (vouchers
    /// carry their own time).
    pub daily_minutes: u32,
    /// The DHCP server's lease file (dnsmasq's format): a session moves to
    /// a new address only when the lease of that address is its MAC's.
    pub dhcp_leases: PathBuf,
    /// Minutes a visitor whose session a technician ended must wait before
    /// joining again (0: at once).
    pub rejoin_wait_minutes: u32,
    /// Destinations on local networks (the uplink's subnets, RFC 1918,
    /// link-local...) that joined visitors may reach after all, e.g. a
    /// public printer; everything local is out of their reach otherwise.
    pub allow_local: Vec<LocalDestination>,
    /// What visitors reach before joining: names (and their subdomains) by
    /// HTTPS, and public networks (`CIDR[:PORT]`); the sign-in window and
    /// a region's own services (LAPOR!) work before anyone joins.
    pub walled_garden: Vec<GardenEntry>,
    /// With `auth = "radius"`: the authentication servers, tried in order
    /// (the second when the first does not answer); accounting goes to the
    /// next port up of each.
    pub radius_servers: Vec<SocketAddr>,
    /// The RADIUS shared secret, in a file of its own (0600) so that the
    /// configuration can be shown and copied without it.
    pub radius_secret_file: PathBuf,
    /// Disconnect-Request and CoA-Request (RFC 5176) from the RADIUS side
    /// arrive on this UDP port of `admin_listen`'s address.
    pub radius_coa_port: u16,
    /// The portal also over HTTPS: the certificate chain (PEM) of
    /// `hostname`, from the region; absent: plain HTTP only.
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM), in a file only root reads.
    pub tls_key: Option<PathBuf>,
    /// The name the certificate is for; dnsmasq answers it with `address`
    /// for guests, and the portal's links and redirects use it.
    pub hostname: Option<String>,
    /// The HTTPS port on `address`.
    pub tls_port: u16,
    /// Each joined visitor's download rate in kbit/s (0: unlimited); a
    /// RADIUS server's WISPr-Bandwidth-Max-Down overrides it.
    pub download_kbit: u32,
    /// Each joined visitor's upload rate in kbit/s (0: unlimited); a
    /// RADIUS server's WISPr-Bandwidth-Max-Up overrides it.
    pub upload_kbit: u32,
    /// MB (10^6 bytes, both directions together) a session may use before
    /// it ends (0: unlimited); ChilliSpot-Max-Total-Octets overrides it.
    pub data_limit_mb_session: u32,
    /// MB a visitor (a MAC) may use in a local day, over all sessions;
    /// reached, they cannot join again until tomorrow (0: unlimited).
    pub data_limit_mb_day: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    pub printer: Printer,
    /// Paper width of the printer: 58 or 80 (mm).
    pub paper_mm: u32,
    /// Clockwise rotation of the screen on the device (DRM/KMS), for a
    /// panel mounted in portrait: 0, 90, 180 or 270.
    pub rotation: u16,
    /// GPIO pins (BCM numbers) of the optional panel hardware: a PIR
    /// presence sensor that wakes the screen, a "call staff" button, and a
    /// status light. Absent: no such part.
    pub presence_pin: Option<u8>,
    pub call_button_pin: Option<u8>,
    pub status_led_pin: Option<u8>,
    /// Seconds without a touch before the screen returns home, so the next
    /// citizen sees nothing of the last.
    pub idle_reset_seconds: u32,
    /// When the screen is on (local time, `[device] timezone`); outside
    /// these hours it is dark until a touch. Empty: always on.
    pub screen_hours: ScreenHours,
}

/// The survey and complaints (`anjungan::voice`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct VoiceConfig {
    /// Days a complaint's phone number or e-mail address is kept (to
    /// answer it), after which it is erased.
    pub keep_contact_days: u32,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            keep_contact_days: 90,
        }
    }
}

/// The region's side (`anjungan sync`, `anjungan::sync`): where the signed
/// catalog is pulled from and where events are pushed.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// The region's catalog bundle; its minisign signature is at the same
    /// URL + ".minisig". None: the catalog is only ever imported by hand.
    pub catalog_url: Option<String>,
    /// The minisign public key (the base64 line of NAME.pub) every pulled
    /// catalog must be signed with: the download's integrity does not rest
    /// on the web server or the network.
    pub public_key: Option<String>,
    /// Where events are pushed. None: events stay on the device.
    pub hub_url: Option<String>,
    /// This device's secret for the hub.
    pub token_file: PathBuf,
    /// Seconds between two runs of `anjungan sync` (the device's timer
    /// checks every minute whether one is due; failures wait longer).
    pub interval_seconds: u32,
    /// Seconds a connection may take to open and a read may stall before
    /// the try is given up (and retried later).
    pub timeout_seconds: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            catalog_url: None,
            public_key: None,
            hub_url: None,
            token_file: PathBuf::from("/etc/anjungan/hub.token"),
            interval_seconds: 300,
            timeout_seconds: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Firewall {
    Nftables,
    /// No gating: for development on a laptop.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    ClickThrough,
    Voucher,
    Radius,
}

/// Where receipts and tickets go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printer {
    None,
    /// The first USB printer found.
    Usb,
    UsbDevice {
        vendor: u16,
        product: u16,
    },
    Serial(PathBuf),
    Tcp {
        host: String,
        port: u16,
    },
    File(PathBuf),
}

/// One `[captive] allow_local` entry: `CIDR`, `CIDR:PORT` or an address,
/// for IPv6 with a port `[CIDR]:PORT`. The port is TCP and UDP alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDestination {
    /// The network's first address (host bits cleared).
    pub network: IpAddr,
    pub prefix: u8,
    pub port: Option<u16>,
}

impl FromStr for LocalDestination {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "\"{s}\" is not a destination; use a CIDR with an optional port: \"192.168.1.20/32\", \"192.168.1.0/24:631\", \"[fd00::/8]:443\""
            )
        };
        let net = |text: &str| -> Option<(IpAddr, u8)> {
            let text = text
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .unwrap_or(text);
            let (addr, prefix) = match text.split_once('/') {
                Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
                None => (text.parse::<IpAddr>().ok()?, None),
            };
            let bits = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(bits);
            (prefix <= bits).then(|| (first_address(addr, prefix), prefix))
        };
        let bracketed = |t: &str| t.starts_with('[') && t.ends_with(']');
        if !bracketed(s)
            && let Some((network, prefix)) = net(s)
        {
            return Ok(LocalDestination {
                network,
                prefix,
                port: None,
            });
        }
        let (head, port) = s.rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().ok().filter(|p| *p != 0).ok_or_else(bad)?;
        // An IPv6 network with a port needs brackets, or "fd00::1:80" would
        // be read two ways.
        if head.contains(':') && !bracketed(head) {
            return Err(bad());
        }
        let (network, prefix) = net(head).ok_or_else(bad)?;
        Ok(LocalDestination {
            network,
            prefix,
            port: Some(port),
        })
    }
}

impl fmt::Display for LocalDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.network, self.port) {
            (IpAddr::V6(a), Some(port)) => write!(f, "[{a}/{}]:{port}", self.prefix),
            (a, Some(port)) => write!(f, "{a}/{}:{port}", self.prefix),
            (a, None) => write!(f, "{a}/{}", self.prefix),
        }
    }
}

impl<'de> Deserialize<'de> for LocalDestination {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for LocalDestination {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `addr` with the bits past `prefix` cleared: "192.168.1.7/24" means the
/// network 192.168.1.0/24.
pub fn first_address(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

const PRINTER_FORMS: &str = "\"none\", \"usb\", \"usb:VID:PID\", \"serial:/dev/ttyUSB0\", \"tcp:HOST:9100\" or \"file:PATH\"";

impl FromStr for Printer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("\"{s}\" is not a printer; use {PRINTER_FORMS}");
        let (kind, rest) = match s.split_once(':') {
            Some((k, r)) => (k, Some(r)),
            None => (s, None),
        };
        match (kind, rest) {
            ("none", None) => Ok(Printer::None),
            ("usb", None) => Ok(Printer::Usb),
            ("usb", Some(ids)) => {
                let (v, p) = ids.split_once(':').ok_or_else(bad)?;
                let hex = |x: &str| u16::from_str_radix(x.trim_start_matches("0x"), 16);
                Ok(Printer::UsbDevice {
                    vendor: hex(v).map_err(|_| bad())?,
                    product: hex(p).map_err(|_| bad())?,
                })
            }
            ("serial", Some(path)) if path.starts_with('/') => Ok(Printer::Serial(path.into())),
            ("file", Some(path)) if !path.is_empty() => Ok(Printer::File(path.into())),
            ("tcp", Some(addr)) => {
                let (host, port) = addr.rsplit_once(':').ok_or_else(bad)?;
                let port: u16 = port.parse().map_err(|_| bad())?;
                if host.is_empty() || port == 0 {
                    return Err(bad());
                }
                let host = host.trim_start_matches('[').trim_end_matches(']');
                Ok(Printer::Tcp {
                    host: host.to_owned(),
                    port,
                })
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Printer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Printer::None => f.write_str("none"),
            Printer::Usb => f.write_str("usb"),
            Printer::UsbDevice { vendor, product } => write!(f, "usb:{vendor:04x}:{product:04x}"),
            Printer::Serial(p) => write!(f, "serial:{}", p.display()),
            Printer::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            Printer::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            Printer::File(p) => write!(f, "file:{}", p.display()),
        }
    }
}

impl<'de> Deserialize<'de> for Printer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Printer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            id: "anjungan-demo".into(),
            name: "Anjungan".into(),
            data_dir: default_data_dir(),
            timezone: "Asia/Jakarta".into(),
        }
    }
}

impl Default for CaptiveConfig {
    fn default() -> Self {
        CaptiveConfig {
            interface: "wlan0".into(),
            uplink: "eth0".into(),
            address: IpAddr::V4(Ipv4Addr::new(10, 42, 0, 1)),
            port: 80,
            firewall: Firewall::Nftables,
            auth: Auth::ClickThrough,
            session_minutes: 60,
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            ssid: "Wi-Fi Publik Gratis".into(),
            country: "ID".into(),
            channel: 6,
            max_visitors: 250,
            daily_minutes: 240,
            dhcp_leases: PathBuf::from(DNSMASQ_LEASES),
            rejoin_wait_minutes: 30,
            allow_local: Vec::new(),
            walled_garden: Vec::new(),
            radius_servers: vec![SocketAddr::from(([127, 0, 0, 1], 1812))],
            radius_secret_file: PathBuf::from("/etc/anjungan/radius.secret"),
            radius_coa_port: 3799,
            tls_cert: None,
            tls_key: None,
            hostname: None,
            tls_port: 443,
            download_kbit: 0,
            upload_kbit: 0,
            data_limit_mb_session: 0,
            data_limit_mb_day: 0,
        }
    }
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig {
            printer: Printer::None,
            paper_mm: 80,
            rotation: 0,
            presence_pin: None,
            call_button_pin: None,
            status_led_pin: None,
            idle_reset_seconds: 90,
            screen_hours: ScreenHours::default(),
        }
    }
}

/// `/var/lib/anjungan` for root (the device); the user's data directory
/// otherwise, so a developer's first run needs neither root nor set-up.
fn default_data_dir() -> PathBuf {
    if rustix::process::geteuid().is_root() {
        return PathBuf::from("/var/lib/anjungan");
    }
    directories::BaseDirs::new()
        .map(|d| d.data_dir().join("anjungan"))
        .unwrap_or_else(|| std::env::temp_dir().join("anjungan"))
}

/// Where the configuration in force came from, for `--help`-level messages
/// and the admin page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    BuiltIn,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::BuiltIn => f.write_str("built-in defaults"),
        }
    }
}

impl Config {
    /// Finds and reads the configuration in the order of interfaces.md:
    /// `explicit` (the `--config` flag), then `$ANJUNGAN_CONFIG`, then
    /// `/etc/anjungan/anjungan.toml`; none of them: built-in defaults.
    /// A file named explicitly must exist.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Origin)> {
        let from_env = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty());
        Self::load_from(
            explicit,
            from_env.as_deref().map(Path::new),
            Path::new(SYSTEM_CONFIG),
        )
    }

    fn load_from(
        explicit: Option<&Path>,
        from_env: Option<&Path>,
        system: &Path,
    ) -> Result<(Config, Origin)> {
        if let Some(path) = explicit.or(from_env) {
            return Ok((Self::read(path)?, Origin::File(path.to_owned())));
        }
        if system.exists() {
            return Ok((Self::read(system)?, Origin::File(system.to_owned())));
        }
        Ok((Config::default(), Origin::BuiltIn))
    }

    pub fn read(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigRead {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates configuration text; `path` only names the file
    /// in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let err = |key: String, message: String| Error::Config {
            path: path.to_owned(),
            key,
            message,
        };
        let de = toml::Deserializer::parse(text)
            .map_err(|e| err(line_of(text, e.span()), e.message().trim().to_owned()))?;
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            err(key, inner.message().trim().to_owned())
        })?;
        config
            .check()
            .map_err(|(key, message)| err(key.to_owned(), message))?;
        Ok(config)
    }

    /// Rules that span keys or that the types alone cannot say.
    fn check(&self) -> Result<(), (&'static str, String)> {
        let c = &self.captive;
        let slug = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !slug(&self.device.id) {
            return Err((
                "device.id",
                format!(
                    "\"{}\" is not allowed; use 1 to 64 lower-case letters, digits and '-'",
                    self.device.id
                ),
            ));
        }
        if self.device.name.trim().is_empty() {
            return Err(("device.name", "must not be empty".into()));
        }
        // The image makes a path under /usr/share/zoneinfo of it.
        let zone_part = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
        };
        if self.device.timezone.len() > 64 || !self.device.timezone.split('/').all(zone_part) {
            return Err((
                "device.timezone",
                format!(
                    "\"{}\" is not a time zone name; use one like \"Asia/Jakarta\", \"Asia/Makassar\" or \"Asia/Jayapura\"",
                    self.device.timezone
                ),
            ));
        }
        if !self.device.data_dir.is_absolute() {
            return Err((
                "device.data_dir",
                format!(
                    "\"{}\" must be an absolute path",
                    self.device.data_dir.display()
                ),
            ));
        }
        for (key, name) in [
            ("captive.interface", &c.interface),
            ("captive.uplink", &c.uplink),
        ] {
            // Names go into hostapd's, dnsmasq's and systemd-networkd's
            // files: only the characters of real interface names.
            let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
            if name.is_empty() || name.len() > 15 || !name.bytes().all(allowed) {
                return Err((key, format!("\"{name}\" is not a network interface name")));
            }
        }
        if c.interface == c.uplink {
            return Err((
                "captive.uplink",
                "must differ from captive.interface: visitors and the internet are on different sides".into(),
            ));
        }
        if c.port == 0 {
            return Err(("captive.port", "must be between 1 and 65535".into()));
        }
        if !(1..=24 * 60 * 7).contains(&c.session_minutes) {
            return Err((
                "captive.session_minutes",
                format!(
                    "{} is out of range; use 1 to 10080 (a week)",
                    c.session_minutes
                ),
            ));
        }
        let admin = c.admin_listen.ip();
        if admin.is_unspecified() || admin == c.address {
            return Err((
                "captive.admin_listen",
                format!(
                    "{} would be reachable by Wi-Fi visitors; listen on 127.0.0.1:8081 and reach it over SSH (ssh -L 8081:127.0.0.1:8081 technician@device)",
                    c.admin_listen
                ),
            ));
        }
        if c.auth == Auth::Radius {
            if c.radius_servers.is_empty() || c.radius_servers.len() > 4 {
                return Err((
                    "captive.radius_servers",
                    "name one to four RADIUS servers, e.g. [\"10.0.0.5:1812\", \"10.0.0.6:1812\"]"
                        .into(),
                ));
            }
            if let Some(s) = c
                .radius_servers
                .iter()
                .find(|s| s.port() == 0 || s.port() == u16::MAX)
            {
                return Err((
                    "captive.radius_servers",
                    format!("{s}: the port must be 1 to 65534 (accounting is on the next port up)"),
                ));
            }
            if !c.radius_secret_file.is_absolute() {
                return Err((
                    "captive.radius_secret_file",
                    format!(
                        "\"{}\" must be an absolute path, e.g. /etc/anjungan/radius.secret",
                        c.radius_secret_file.display()
                    ),
                ));
            }
            if c.radius_coa_port == 0 || c.radius_coa_port == c.admin_listen.port() {
                return Err((
                    "captive.radius_coa_port",
                    format!(
                        "{} cannot be used; use 3799, the port RFC 5176 names",
                        c.radius_coa_port
                    ),
                ));
            }
        }
        if !(1..=100_000).contains(&c.max_visitors) {
            return Err((
                "captive.max_visitors",
                format!("{} is out of range; use 1 to 100000", c.max_visitors),
            ));
        }
        if !(1..=1440).contains(&c.daily_minutes) {
            return Err((
                "captive.daily_minutes",
                format!("{} is out of range; use 1 to 1440 (a day)", c.daily_minutes),
            ));
        }
        if !c.dhcp_leases.is_absolute() {
            return Err((
                "captive.dhcp_leases",
                format!(
                    "\"{}\" must be an absolute path, the DHCP server's lease file (dnsmasq: {DNSMASQ_LEASES})",
                    c.dhcp_leases.display()
                ),
            ));
        }
        if c.dhcp_leases
            .to_string_lossy()
            .chars()
            .any(char::is_control)
        {
            return Err((
                "captive.dhcp_leases",
                "must not contain control characters such as a line break".into(),
            ));
        }
        if c.country.len() != 2 || !c.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err((
                "captive.country",
                format!(
                    "\"{}\" is not a country code; use the two capital letters of ISO 3166-1 (\"ID\" for Indonesia)",
                    c.country
                ),
            ));
        }
        if !(1..=13).contains(&c.channel) {
            return Err((
                "captive.channel",
                format!(
                    "{} is not a 2.4 GHz channel; use 1 to 13 (1, 6 or 11 overlap least)",
                    c.channel
                ),
            ));
        }
        if c.rejoin_wait_minutes > 24 * 60 * 7 {
            return Err((
                "captive.rejoin_wait_minutes",
                format!(
                    "{} is out of range; use 0 to 10080 (a week)",
                    c.rejoin_wait_minutes
                ),
            ));
        }
        for (key, kbit) in [
            ("captive.download_kbit", c.download_kbit),
            ("captive.upload_kbit", c.upload_kbit),
        ] {
            if kbit != 0 && !(MIN_RATE_KBIT..=MAX_RATE_KBIT).contains(&kbit) {
                return Err((
                    key,
                    format!(
                        "{kbit} is out of range; use {MIN_RATE_KBIT} to {MAX_RATE_KBIT} (kbit/s), or 0 for unlimited"
                    ),
                ));
            }
        }
        for (key, mb) in [
            ("captive.data_limit_mb_session", c.data_limit_mb_session),
            ("captive.data_limit_mb_day", c.data_limit_mb_day),
        ] {
            if mb > MAX_DATA_LIMIT_MB {
                return Err((
                    key,
                    format!(
                        "{mb} is out of range; use 1 to {MAX_DATA_LIMIT_MB} (MB), or 0 for unlimited"
                    ),
                ));
            }
        }
        if c.data_limit_mb_day != 0 && c.data_limit_mb_session > c.data_limit_mb_day {
            return Err((
                "captive.data_limit_mb_session",
                format!(
                    "{} is more than data_limit_mb_day ({}): a session could never reach it; lower it or set it to 0",
                    c.data_limit_mb_session, c.data_limit_mb_day
                ),
            ));
        }
        if let Some(v6) = c.allow_local.iter().find(|d| d.network.is_ipv6()) {
            return Err((
                "captive.allow_local",
                format!("{v6}: visitors get IPv4 addresses only; give IPv4 networks"),
            ));
        }
        if c.walled_garden.len() > MAX_GARDEN_ENTRIES {
            return Err((
                "captive.walled_garden",
                format!(
                    "{} entries; give at most {MAX_GARDEN_ENTRIES} (a name already opens its subdomains)",
                    c.walled_garden.len()
                ),
            ));
        }
        if let Some(problem) = c.walled_garden.iter().find_map(GardenEntry::problem) {
            return Err(("captive.walled_garden", problem));
        }
        if let Some(refusal) = check_tls(c) {
            return Err(refusal);
        }
        if c.ssid.is_empty() || c.ssid.len() > 32 {
            return Err((
                "captive.ssid",
                format!("\"{}\" is not a network name; use 1 to 32 bytes", c.ssid),
            ));
        }
        if !matches!(self.kiosk.paper_mm, 58 | 80) {
            return Err((
                "kiosk.paper_mm",
                format!("{} is not a paper width; use 58 or 80", self.kiosk.paper_mm),
            ));
        }
        let k = &self.kiosk;
        if !matches!(k.rotation, 0 | 90 | 180 | 270) {
            return Err((
                "kiosk.rotation",
                format!("{} is not a rotation; use 0, 90, 180 or 270", k.rotation),
            ));
        }
        let pins = [
            ("kiosk.presence_pin", k.presence_pin),
            ("kiosk.call_button_pin", k.call_button_pin),
            ("kiosk.status_led_pin", k.status_led_pin),
        ];
        for (i, (key, pin)) in pins.iter().enumerate() {
            let Some(pin) = pin else { continue };
            if *pin > 27 {
                return Err((
                    key,
                    format!(
                        "{pin} is not a GPIO pin of the 40-pin header; use a BCM number from 0 to 27"
                    ),
                ));
            }
            if pins[..i].iter().any(|(_, other)| *other == Some(*pin)) {
                return Err((key, format!("pin {pin} is already used by another part")));
            }
        }
        if !(10..=3600).contains(&self.kiosk.idle_reset_seconds) {
            return Err((
                "kiosk.idle_reset_seconds",
                format!(
                    "{} is out of range; use 10 to 3600",
                    self.kiosk.idle_reset_seconds
                ),
            ));
        }
        if !(1..=3650).contains(&self.voice.keep_contact_days) {
            return Err((
                "voice.keep_contact_days",
                format!(
                    "{} is out of range; use 1 to 3650 (ten years)",
                    self.voice.keep_contact_days
                ),
            ));
        }
        self.sync.check()
    }

    /// The configuration as TOML, e.g. for `anjungan config show`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a Config always serialises")
    }

    /// The SQLite database every program shares.
    pub fn database_path(&self) -> PathBuf {
        self.device.data_dir.join("anjungan.db")
    }
}

impl SyncConfig {
    /// The `[sync]` rules: URLs the client can fetch, a key that is a
    /// minisign key, a catalog never pulled without a key to check it.
    fn check(&self) -> Result<(), (&'static str, String)> {
        for (key, url) in [
            ("sync.catalog_url", &self.catalog_url),
            ("sync.hub_url", &self.hub_url),
        ] {
            if let Some(url) = url {
                check_url(url).map_err(|m| (key, m))?;
            }
        }
        if let Some(key) = &self.public_key
            && minisign_verify::PublicKey::from_base64(key.trim()).is_err()
        {
            return Err((
                "sync.public_key",
                format!(
                    "\"{key}\" is not a minisign public key; use the second line of the region's NAME.pub (it starts with \"RW\")"
                ),
            ));
        }
        if self.catalog_url.is_some() && self.public_key.is_none() {
            return Err((
                "sync.public_key",
                "is needed with sync.catalog_url: a pulled catalog is installed only if this key signed it; copy the second line of the region's NAME.pub".into(),
            ));
        }
        if !self.token_file.is_absolute() {
            return Err((
                "sync.token_file",
                format!("\"{}\" must be an absolute path", self.token_file.display()),
            ));
        }
        if !(60..=86_400).contains(&self.interval_seconds) {
            return Err((
                "sync.interval_seconds",
                format!(
                    "{} is out of range; use 60 to 86400 (a day)",
                    self.interval_seconds
                ),
            ));
        }
        if !(1..=600).contains(&self.timeout_seconds) {
            return Err((
                "sync.timeout_seconds",
                format!("{} is out of range; use 1 to 600", self.timeout_seconds),
            ));
        }
        Ok(())
    }
}

/// An http or https URL with a host, no user name or password in it (they
/// would end up in logs), and of a bounded length.
/// `[captive] tls_cert`, `tls_key` and `hostname`: all three or none, the
/// files as absolute paths (whether they can be read is checked when the
/// portal starts: other programs read this file as other users), and the
/// name one that can go into dnsmasq's and the portal's lines.
fn check_tls(c: &CaptiveConfig) -> Option<(&'static str, String)> {
    let given = [
        c.tls_cert.is_some(),
        c.tls_key.is_some(),
        c.hostname.is_some(),
    ];
    if given.iter().all(|g| !g) {
        return None;
    }
    if !given.iter().all(|g| *g) {
        let missing = ["captive.tls_cert", "captive.tls_key", "captive.hostname"]
            .into_iter()
            .zip(given)
            .find_map(|(key, g)| (!g).then_some(key))
            .unwrap_or("captive.tls_cert");
        return Some((
            missing,
            "HTTPS needs all three of tls_cert, tls_key and hostname (or none of them, for plain HTTP only)".into(),
        ));
    }
    for (key, path) in [
        ("captive.tls_cert", c.tls_cert.as_deref()),
        ("captive.tls_key", c.tls_key.as_deref()),
    ] {
        let path = path.unwrap_or(Path::new(""));
        if !path.is_absolute() || path.to_string_lossy().chars().any(char::is_control) {
            return Some((
                key,
                format!(
                    "\"{}\" must be an absolute path, e.g. /etc/anjungan/tls/portal.crt",
                    path.display()
                ),
            ));
        }
    }
    let name = c.hostname.as_deref().unwrap_or("");
    if let Err(problem) = garden::host_name(name) {
        return Some((
            "captive.hostname",
            format!(
                "{problem}; give the name the region's certificate is for, e.g. \"wifi.desa.go.id\""
            ),
        ));
    }
    if name != name.to_ascii_lowercase() {
        return Some((
            "captive.hostname",
            format!("\"{name}\" must be written in lower case"),
        ));
    }
    if c.tls_port == 0 || c.tls_port == c.port || c.tls_port == c.admin_listen.port() {
        return Some((
            "captive.tls_port",
            format!(
                "{} cannot be used; use 443 (it must differ from port and admin_listen's port)",
                c.tls_port
            ),
        ));
    }
    None
}

fn check_url(text: &str) -> Result<(), String> {
    let bad = |why: &str| {
        format!(
            "\"{text}\" {why}; use a URL such as \"https://data.example.go.id/anjungan/catalog.json\""
        )
    };
    if text.len() > 2000 {
        return Err(bad("is too long"));
    }
    let url = reqwest::Url::parse(text).map_err(|_| bad("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("is not an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("names no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not hold a user name or password"));
    }
    Ok(())
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}")
        }
        None => "syntax".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("/etc/anjungan/anjungan.toml"))
    }

    fn refusal(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let defaults = Config::default();
        assert_eq!(parse("").unwrap(), defaults);
    }

    #[test]
    fn the_interface_example_parses() {
        let c = parse(
            r#"
[device]
id = "bdg-balaikota-01"
name = "Balai Kota Bandung, lobi"
data_dir = "/var/lib/anjungan"

[captive]
interface = "wlan0"
uplink = "eth0"
address = "10.42.0.1"
port = 80
firewall = "nftables"
auth = "click-through"
session_minutes = 60
admin_listen = "127.0.0.1:8081"

[kiosk]
printer = "none"
idle_reset_seconds = 90
screen_hours = ["mon-fri 07:00-16:00", "sat 07:00-12:00"]
"#,
        )
        .unwrap();
        assert_eq!(c.device.id, "bdg-balaikota-01");
        assert_eq!(c.captive.auth, Auth::ClickThrough);
        assert_eq!(c.kiosk.printer, Printer::None);
        assert!(!c.kiosk.screen_hours.always_on());
    }

    #[test]
    fn radius_keys_are_checked_only_with_auth_radius() {
        let c = parse(
            "[captive]\nauth = \"radius\"\nradius_servers = [\"10.0.0.5:1812\", \"10.0.0.6:1812\"]\n",
        )
        .unwrap();
        assert_eq!(c.captive.radius_servers.len(), 2);
        assert_eq!(c.captive.radius_coa_port, 3799);
        let m = refusal("[captive]\nauth = \"radius\"\nradius_servers = []\n");
        assert!(m.contains("captive.radius_servers"), "{m}");
        let m = refusal("[captive]\nauth = \"radius\"\nradius_secret_file = \"radius.secret\"\n");
        assert!(m.contains("captive.radius_secret_file"), "{m}");
        let m = refusal("[captive]\nauth = \"radius\"\nradius_coa_port = 8081\n");
        assert!(m.contains("captive.radius_coa_port"), "{m}");
        // Without RADIUS the keys are not in the way.
        parse("[captive]\nradius_servers = []\n").unwrap();
    }

    /// The file the `anjungan` package installs as /etc/anjungan/anjungan.toml.
    const SHIPPED: &str = include_str!("../debian/anjungan.toml");

    /// The shipped file lists every key with its true default: uncommenting
    /// all of them changes nothing, and no key is missing.
    #[test]
    fn the_shipped_file_lists_every_key_with_its_default() {
        let mut defaults = Config::default();
        defaults.device.data_dir = "/var/lib/anjungan".into();
        assert_eq!(parse(SHIPPED).unwrap(), defaults, "as shipped");
        let uncommented: String = SHIPPED
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(parse(&uncommented).unwrap(), defaults, "uncommented");
        let listed = |section: &str, key: &str| {
            let mut in_section = false;
            uncommented.lines().any(|l| {
                if l.starts_with('[') {
                    in_section = l == format!("[{section}]");
                }
                in_section && l.starts_with(&format!("{key} = "))
            })
        };
        // Keys without a default (absent means none) are shown as examples,
        // "##   key = value"; uncommented, the examples are accepted.
        let examples: String = SHIPPED
            .lines()
            .map(|l| match l.strip_prefix("##   ") {
                Some(example) => example,
                None if l.starts_with('[') => l,
                None => "",
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let mut filled = parse(&examples).unwrap();
        let shown = |section: &str, key: &str| {
            let mut in_section = false;
            examples.lines().any(|l| {
                if l.starts_with('[') {
                    in_section = l == format!("[{section}]");
                }
                in_section && l.starts_with(&format!("{key} = "))
            })
        };
        // Every optional key, so that one missing from the file fails here.
        let options = [
            filled.kiosk.presence_pin.is_some(),
            filled.kiosk.call_button_pin.is_some(),
            filled.kiosk.status_led_pin.is_some(),
            filled.sync.catalog_url.is_some(),
            filled.sync.public_key.is_some(),
            filled.sync.hub_url.is_some(),
            filled.captive.tls_cert.is_some(),
            filled.captive.tls_key.is_some(),
            filled.captive.hostname.is_some(),
        ];
        assert!(
            options.iter().all(|o| *o),
            "an example is missing: {options:?}"
        );
        filled.device.data_dir = "/var/lib/anjungan".into();
        let all = toml::Table::try_from(&filled).unwrap();
        for (section, keys) in &all {
            for key in keys.as_table().unwrap().keys() {
                assert!(
                    listed(section, key) || shown(section, key),
                    "{section}.{key} is not in debian/anjungan.toml"
                );
            }
        }
    }

    #[test]
    fn sync_keys_are_checked() {
        let c = Config::default().sync;
        assert_eq!((c.interval_seconds, c.catalog_url), (300, None));
        let key = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
        let c = parse(&format!(
            "[sync]\ncatalog_url = \"https://data.example.go.id/c.json\"\npublic_key = \"{key}\"\n"
        ))
        .unwrap();
        assert_eq!(c.sync.public_key.as_deref(), Some(key));
        let m = refusal("[sync]\ncatalog_url = \"https://data.example.go.id/c.json\"\n");
        assert!(
            m.contains("sync.public_key") && m.contains("NAME.pub"),
            "{m}"
        );
        let m = refusal("[sync]\npublic_key = \"RWnotakey\"\n");
        assert!(m.contains("sync.public_key") && m.contains("RW"), "{m}");
        for bad in [
            "ftp://data.example.go.id/c.json",
            "data.example.go.id/c.json",
            "https://user:secret@data.example.go.id/c.json",
        ] {
            let m = refusal(&format!("[sync]\nhub_url = \"{bad}\"\n"));
            assert!(m.contains("sync.hub_url"), "{bad}: {m}");
        }
        let m = refusal("[sync]\ninterval_seconds = 5\n");
        assert!(
            m.contains("sync.interval_seconds") && m.contains("60 to 86400"),
            "{m}"
        );
        let m = refusal("[sync]\ntimeout_seconds = 0\n");
        assert!(m.contains("sync.timeout_seconds"), "{m}");
        let m = refusal("[sync]\ntoken_file = \"hub.token\"\n");
        assert!(m.contains("sync.token_file"), "{m}");
    }

    #[test]
    fn rates_and_data_limits_are_bounded_and_zero_is_unlimited() {
        let c =
            parse("[captive]\ndownload_kbit = 2000\nupload_kbit = 0\ndata_limit_mb_day = 500\n")
                .unwrap()
                .captive;
        assert_eq!((c.download_kbit, c.upload_kbit), (2000, 0));
        assert_eq!((c.data_limit_mb_session, c.data_limit_mb_day), (0, 500));
        let m = refusal("[captive]\nupload_kbit = 10\n");
        assert!(
            m.contains("captive.upload_kbit") && m.contains("64 to 10000000"),
            "{m}"
        );
        let m = refusal("[captive]\ndownload_kbit = 20000000\n");
        assert!(m.contains("captive.download_kbit"), "{m}");
        let m = refusal("[captive]\ndata_limit_mb_day = 2000000\n");
        assert!(m.contains("captive.data_limit_mb_day"), "{m}");
        let m = refusal("[captive]\ndata_limit_mb_session = 600\ndata_limit_mb_day = 500\n");
        assert!(
            m.contains("captive.data_limit_mb_session") && m.contains("data_limit_mb_day"),
            "{m}"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let m = refusal("[captive]\nsesion_minutes = 30\n");
        assert!(m.contains("captive"), "{m}");
        assert!(m.contains("sesion_minutes"), "{m}");
        let m = refusal("[kiosks]\n");
        assert!(m.contains("kiosks"), "{m}");
    }

    #[test]
    fn bad_values_name_the_key_and_what_is_allowed() {
        let m = refusal("[captive]\nauth = \"ldap\"\n");
        assert!(m.contains("captive.auth"), "{m}");
        assert!(m.contains("click-through"), "{m}");

        let m = refusal("[kiosk]\nprinter = \"lpt1\"\n");
        assert!(m.contains("kiosk.printer"), "{m}");
        assert!(m.contains("tcp:HOST:9100"), "{m}");

        let m = refusal("[captive]\nport = 70000\n");
        assert!(m.contains("captive.port"), "{m}");

        let m = refusal("[kiosk]\nidle_reset_seconds = 2\n");
        assert!(
            m.contains("kiosk.idle_reset_seconds") && m.contains("10 to 3600"),
            "{m}"
        );

        let m = refusal("[kiosk]\nscreen_hours = [\"mon-fry 07:00-16:00\"]\n");
        assert!(
            m.contains("kiosk.screen_hours") && m.contains("\"mon-fri 07:00-16:00\""),
            "{m}"
        );
        let m = refusal("[kiosk]\nscreen_hours = \"mon-fri 07:00-16:00\"\n");
        assert!(m.contains("kiosk.screen_hours"), "{m}");

        let m = refusal("[kiosk]\nrotation = 45\n");
        assert!(m.contains("kiosk.rotation") && m.contains("90"), "{m}");

        let m = refusal("[captive]\nmax_visitors = 0\n");
        assert!(m.contains("captive.max_visitors"), "{m}");

        let m = refusal("[captive]\ndhcp_leases = \"leases\"\n");
        assert!(
            m.contains("captive.dhcp_leases") && m.contains("absolute"),
            "{m}"
        );
        let m = refusal("[captive]\ncountry = \"id\"\n");
        assert!(
            m.contains("captive.country") && m.contains("ISO 3166"),
            "{m}"
        );
        let m = refusal("[captive]\nchannel = 14\n");
        assert!(
            m.contains("captive.channel") && m.contains("1 to 13"),
            "{m}"
        );
        let m = refusal("[captive]\ninterface = \"wlan0\\nssid=evil\"\n");
        assert!(m.contains("captive.interface"), "{m}");
        let m = refusal("[captive]\ndhcp_leases = \"/run/l\\ndhcp-range=x\"\n");
        assert!(m.contains("captive.dhcp_leases"), "{m}");
        let m = refusal("[captive]\nrejoin_wait_minutes = 20000\n");
        assert!(
            m.contains("captive.rejoin_wait_minutes") && m.contains("0 to 10080"),
            "{m}"
        );
        let c =
            parse("[captive]\ndhcp_leases = \"/run/leases\"\nrejoin_wait_minutes = 0\n").unwrap();
        assert_eq!(
            (
                c.captive.dhcp_leases.as_path(),
                c.captive.rejoin_wait_minutes
            ),
            (Path::new("/run/leases"), 0)
        );

        let c = parse("[device]\ntimezone = \"Asia/Makassar\"\n").unwrap();
        assert_eq!(c.device.timezone, "Asia/Makassar");
        for bad in ["", "../../etc/passwd", "Asia//Jakarta", "Asia/Jakarta "] {
            let m = refusal(&format!("[device]\ntimezone = \"{bad}\"\n"));
            assert!(m.contains("device.timezone"), "{bad}: {m}");
        }

        let m = refusal("[device]\ndata_dir = \"data\"\n");
        assert!(
            m.contains("device.data_dir") && m.contains("absolute"),
            "{m}"
        );
    }

    #[test]
    fn gpio_pins_are_checked() {
        let c = parse("[kiosk]\npresence_pin = 17\ncall_button_pin = 27\n").unwrap();
        assert_eq!(
            (c.kiosk.presence_pin, c.kiosk.status_led_pin),
            (Some(17), None)
        );
        let m = refusal("[kiosk]\nstatus_led_pin = 40\n");
        assert!(
            m.contains("kiosk.status_led_pin") && m.contains("0 to 27"),
            "{m}"
        );
        let m = refusal("[kiosk]\npresence_pin = 17\nstatus_led_pin = 17\n");
        assert!(m.contains("already used"), "{m}");
    }

    #[test]
    fn contacts_are_kept_for_a_bounded_number_of_days() {
        assert_eq!(Config::default().voice.keep_contact_days, 90);
        let c = parse("[voice]\nkeep_contact_days = 30\n").unwrap();
        assert_eq!(c.voice.keep_contact_days, 30);
        let m = refusal("[voice]\nkeep_contact_days = 0\n");
        assert!(
            m.contains("voice.keep_contact_days") && m.contains("1 to 3650"),
            "{m}"
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let m = refusal("[device]\nid = \n");
        assert!(m.contains("line 2"), "{m}");
    }

    #[test]
    fn https_needs_certificate_key_and_name_together() {
        let c = parse(
            "[captive]\ntls_cert = \"/etc/anjungan/tls/portal.crt\"\ntls_key = \"/etc/anjungan/tls/portal.key\"\nhostname = \"wifi.desa.go.id\"\n",
        )
        .unwrap();
        assert_eq!(c.captive.hostname.as_deref(), Some("wifi.desa.go.id"));
        assert_eq!(c.captive.tls_port, 443);
        let m = refusal(
            "[captive]\ntls_cert = \"/etc/anjungan/tls/portal.crt\"\nhostname = \"wifi.desa.go.id\"\n",
        );
        assert!(
            m.contains("captive.tls_key") && m.contains("all three"),
            "{m}"
        );
        let m = refusal("[captive]\nhostname = \"wifi.desa.go.id\"\n");
        assert!(m.contains("captive.tls_cert"), "{m}");
        let both = "[captive]\ntls_cert = \"/c.pem\"\ntls_key = \"/k.pem\"\n";
        let m = refusal(&format!("{both}hostname = \"wifi\"\n"));
        assert!(
            m.contains("captive.hostname") && m.contains("single label"),
            "{m}"
        );
        let m = refusal(&format!(
            "{both}hostname = \"wifi.go.id\\nhost-record=x\"\n"
        ));
        assert!(m.contains("captive.hostname"), "{m}");
        let m = refusal(&format!("{both}hostname = \"*.go.id\"\n"));
        assert!(m.contains("captive.hostname"), "{m}");
        let m = refusal(&format!("{both}hostname = \"Wifi.go.id\"\n"));
        assert!(
            m.contains("captive.hostname") && m.contains("lower case"),
            "{m}"
        );
        let m = refusal(
            "[captive]\ntls_cert = \"portal.crt\"\ntls_key = \"/k.pem\"\nhostname = \"wifi.go.id\"\n",
        );
        assert!(
            m.contains("captive.tls_cert") && m.contains("absolute"),
            "{m}"
        );
        let m = refusal(&format!("{both}hostname = \"wifi.go.id\"\ntls_port = 80\n"));
        assert!(m.contains("captive.tls_port"), "{m}");
    }

    #[test]
    fn admin_side_never_on_the_guest_address() {
        let m = refusal("[captive]\nadmin_listen = \"10.42.0.1:8081\"\n");
        assert!(m.contains("captive.admin_listen"), "{m}");
        let m = refusal("[captive]\nadmin_listen = \"0.0.0.0:8081\"\n");
        assert!(m.contains("visitors"), "{m}");
        assert!(m.contains("ssh -L 8081:127.0.0.1:8081"), "{m}");
        assert!(
            !m.contains("uplink"),
            "the uplink side is never suggested: {m}"
        );
    }

    #[test]
    fn local_destinations_parse_and_print_back() {
        for (given, shown) in [
            ("192.168.1.20/32", "192.168.1.20/32"),
            ("192.168.1.20", "192.168.1.20/32"),
            ("192.168.1.77/24:631", "192.168.1.0/24:631"),
            ("fd00::/8", "fd00::/8"),
            ("fd00::1", "fd00::1/128"),
            ("[fd00::/8]:443", "[fd00::/8]:443"),
            ("[fd00::1]:80", "[fd00::1/128]:80"),
        ] {
            let d: LocalDestination = given.parse().unwrap();
            assert_eq!(d.to_string(), shown, "{given}");
            assert_eq!(shown.parse::<LocalDestination>().unwrap(), d);
        }
        for bad in [
            "printer",
            "10.0.0.0/33",
            "10.0.0.1:0",
            "10.0.0.1:http",
            "fd00::1/64:80",
            "[fd00::]/8",
            "",
        ] {
            assert!(bad.parse::<LocalDestination>().is_err(), "{bad}");
        }
        let c = parse("[captive]\nallow_local = [\"10.98.0.2/32:80\"]\n").unwrap();
        assert_eq!(c.captive.allow_local[0].port, Some(80));
        let m = refusal("[captive]\nallow_local = [\"fd00::/8\"]\n");
        assert!(
            m.contains("captive.allow_local") && m.contains("IPv4"),
            "{m}"
        );
        let m = refusal("[captive]\nallow_local = [\"10.98.0.2/40\"]\n");
        assert!(
            m.contains("captive.allow_local") && m.contains("CIDR"),
            "{m}"
        );
    }

    #[test]
    fn the_walled_garden_takes_names_and_public_networks() {
        let c = parse("[captive]\nwalled_garden = [\"lapor.go.id\", \"203.0.113.0/24:443\"]\n")
            .unwrap();
        assert_eq!(
            c.captive.walled_garden,
            [
                GardenEntry::Name("lapor.go.id".into()),
                GardenEntry::Network("203.0.113.0/24:443".parse().unwrap())
            ]
        );
        let m = refusal("[captive]\nwalled_garden = [\"*.go.id\"]\n");
        assert!(
            m.contains("captive.walled_garden") && m.contains("wildcard"),
            "{m}"
        );
        let m = refusal("[captive]\nwalled_garden = [\"192.168.1.0/24\"]\n");
        assert!(
            m.contains("captive.walled_garden") && m.contains("allow_local"),
            "{m}"
        );
        let many: Vec<String> = (0..=MAX_GARDEN_ENTRIES)
            .map(|i| format!("\"s{i}.go.id\""))
            .collect();
        let m = refusal(&format!(
            "[captive]\nwalled_garden = [{}]\n",
            many.join(",")
        ));
        assert!(
            m.contains("captive.walled_garden") && m.contains("at most"),
            "{m}"
        );
    }

    #[test]
    fn printers_parse_and_print_back() {
        for s in [
            "none",
            "usb",
            "usb:04b8:0e15",
            "serial:/dev/ttyUSB0",
            "tcp:192.0.2.5:9100",
            "tcp:[::1]:9100",
            "file:/tmp/printer.bin",
        ] {
            let p: Printer = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
        for bad in [
            "usb:xyz",
            "tcp:host",
            "tcp::9100",
            "serial:ttyUSB0",
            "file:",
            "lp",
        ] {
            assert!(bad.parse::<Printer>().is_err(), "{bad}");
        }
    }

    #[test]
    fn lookup_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.toml");
        let b = dir.path().join("b.toml");
        let sys = dir.path().join("sys.toml");
        std::fs::write(&a, "[device]\nid = \"from-flag\"\n").unwrap();
        std::fs::write(&b, "[device]\nid = \"from-env\"\n").unwrap();
        std::fs::write(&sys, "[device]\nid = \"from-system\"\n").unwrap();
        let id = |e, v, s: &Path| Config::load_from(e, v, s).unwrap().0.device.id;
        assert_eq!(id(Some(&a), Some(&b), &sys), "from-flag");
        assert_eq!(id(None, Some(&b), &sys), "from-env");
        assert_eq!(id(None, None, &sys), "from-system");
        let none = dir.path().join("missing.toml");
        let (c, origin) = Config::load_from(None, None, &none).unwrap();
        assert_eq!((c, origin), (Config::default(), Origin::BuiltIn));
        let m = Config::load_from(Some(&none), None, &sys)
            .unwrap_err()
            .to_string();
        assert!(m.contains("missing.toml"), "{m}");
    }

    #[test]
    fn shown_config_reads_back() {
        let c = Config::default();
        assert_eq!(parse(&c.to_toml()).unwrap(), c);
    }
}
