//! The portal's shared state: settings, catalog, sessions, and the parts it
//! talks to (firewall, neighbour table), each behind a trait so tests can
//! stand in for the kernel.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anjungan::catalog::Catalog;
use anjungan::config::Auth;
use anjungan::search::SearchIndex;
use anjungan::wifi::Session;
use axum::http::HeaderValue;

use crate::csrf::Csrf;
use crate::firewall::Gate;
use crate::limits::{PortalLimits, RateLimiter};
use crate::neighbours::Neighbours;
use crate::sessions::Sessions;

/// What the portal was configured to be.
#[derive(Debug, Clone)]
pub struct Settings {
    pub address: Ipv4Addr,
    pub port: u16,
    pub auth: Auth,
    pub session_minutes: u32,
    pub limits: PortalLimits,
    /// False with `firewall = "none"`: nothing is redirected to us, so every
    /// request that arrives is for the portal itself, whatever its Host.
    pub intercepting: bool,
    pub device_name: String,
}

impl Settings {
    /// `http://10.42.0.1/`: where every visitor is sent, and the only
    /// place any redirect of the portal points to.
    pub fn portal_url(&self) -> String {
        match self.port {
            80 => format!("http://{}/", self.address),
            port => format!("http://{}:{port}/", self.address),
        }
    }
}

/// The catalog and its search index, swapped whole when the technician
/// installs a new catalog.
pub struct Services {
    pub catalog: Catalog,
    pub index: SearchIndex,
}

pub struct Portal {
    pub settings: Settings,
    pub services: RwLock<Arc<Services>>,
    pub sessions: Sessions,
    pub gate: Box<dyn Gate>,
    pub neighbours: Box<dyn Neighbours>,
    pub csrf: Csrf,
    /// Joining attempts per address.
    pub join_limiter: RateLimiter,
    /// Voucher attempts per address: few, so codes cannot be guessed.
    pub voucher_limiter: RateLimiter,
    /// Joins one at a time: the visitor count and a voucher's first use are
    /// decided without races.
    pub join_lock: Mutex<()>,
    /// Shifts the clock in tests.
    clock_offset: AtomicI64,
    /// The redirect's Location, made once: it is sent on every intercepted
    /// request.
    pub location: HeaderValue,
}

impl Portal {
    pub fn new(
        settings: Settings,
        services: Services,
        sessions: Sessions,
        gate: Box<dyn Gate>,
        neighbours: Box<dyn Neighbours>,
    ) -> Portal {
        let location = HeaderValue::from_str(&settings.portal_url())
            .expect("an IPv4 address and a port make a valid header");
        Portal {
            settings,
            services: RwLock::new(Arc::new(services)),
            sessions,
            gate,
            neighbours,
            csrf: Csrf::new(),
            join_limiter: RateLimiter::new(10, Duration::from_secs(6)),
            voucher_limiter: RateLimiter::new(5, Duration::from_secs(60)),
            join_lock: Mutex::new(()),
            clock_offset: AtomicI64::new(0),
            location,
        }
    }

    /// Unix seconds.
    pub fn now(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        system + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Moves the portal's clock forward (tests only need it, but it is
    /// harmless).
    pub fn advance_clock(&self, seconds: i64) {
        self.clock_offset.fetch_add(seconds, Ordering::Relaxed);
    }

    pub fn services(&self) -> Arc<Services> {
        self.services
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn replace_services(&self, services: Services) {
        *self.services.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(services);
    }

    /// Whether `host` (a Host header or URI authority) names the portal.
    pub fn is_portal_host(&self, host: &str) -> bool {
        if !self.settings.intercepting {
            return true;
        }
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        };
        name.parse::<Ipv4Addr>() == Ok(self.settings.address)
    }

    /// The session of the visitor at `ip`, checking that the device at that
    /// address is still the one that joined.
    pub fn joined(&self, ip: IpAddr) -> Option<Session> {
        let ip = v4(ip)?;
        let session = self.sessions.by_ip(ip, self.now())?;
        (self.neighbours.mac_of(ip) == Some(session.mac)).then_some(session)
    }
}

/// IPv4, also when written as an IPv4-mapped IPv6 address.
pub fn v4(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    }
}
