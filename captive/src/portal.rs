//! The portal's shared state: settings, catalog, sessions, and the parts it
//! talks to (firewall, neighbour table), each behind a trait so tests can
//! stand in for the kernel.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anjungan::catalog::Catalog;
use anjungan::config::Auth;
use anjungan::search::SearchIndex;
use anjungan::wifi::{Mac, Session, session};
use axum::http::HeaderValue;

use crate::bandwidth::Bandwidth;
use crate::clock::Clock;
use crate::csrf::Csrf;
use crate::decision::Rules;
use crate::firewall::Gate;
use crate::leases::Leases;
use crate::limits::{self, PortalLimits, RateLimiter};
use crate::neighbours::Neighbours;
use crate::radius::Radius;
use crate::sessions::Sessions;
use crate::usage::DataUse;
use crate::voice::Voice;

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
    /// The DHCP server's lease file: a session moves to a new address only
    /// with the lease of that address.
    pub dhcp_leases: PathBuf,
    /// Minutes a visitor whose session a technician ended waits to join
    /// again.
    pub rejoin_wait_minutes: u32,
    /// With HTTPS on (`[captive] hostname` and its certificate): the name
    /// and the HTTPS port. Visitors are then sent to `https://NAME/`.
    pub https: Option<(String, u16)>,
}

impl Settings {
    /// `http://10.42.0.1/` (`https://NAME/` with HTTPS on): where every
    /// visitor is sent, and the only place any redirect of the portal
    /// points to.
    pub fn portal_url(&self) -> String {
        match (&self.https, self.port) {
            (Some((name, 443)), _) => format!("https://{name}/"),
            (Some((name, port)), _) => format!("https://{name}:{port}/"),
            (None, 80) => format!("http://{}/", self.address),
            (None, port) => format!("http://{}:{port}/", self.address),
        }
    }

    /// The rules of joining, for `decision`.
    pub fn rules(&self) -> Rules {
        Rules {
            auth: self.auth,
            max_visitors: self.limits.max_visitors,
            rejoin_wait_seconds: i64::from(self.rejoin_wait_minutes) * 60,
            limits: session::Limits {
                session_seconds: i64::from(self.session_minutes) * 60,
                daily_seconds: i64::from(self.limits.daily_minutes) * 60,
            },
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
    /// The survey and complaints: their connection and rate limits.
    pub voice: Voice,
    pub gate: Box<dyn Gate>,
    pub neighbours: Box<dyn Neighbours>,
    /// The DHCP server's leases (`settings.dhcp_leases`).
    pub leases: Leases,
    pub csrf: Csrf,
    /// Joining attempts per address.
    pub join_limiter: RateLimiter,
    /// Voucher attempts per address: few, so codes cannot be guessed.
    pub voucher_limiter: RateLimiter,
    /// Session moves per device: each is costly and waits for `join_lock`,
    /// so one guest must not be able to keep everyone's joins waiting.
    pub move_limiter: RateLimiter<Mac>,
    /// Joins one at a time: the visitor count and a voucher's first use are
    /// decided without races.
    pub join_lock: Mutex<()>,
    /// The daemon's one clock; tests set it.
    pub clock: Clock,
    /// The redirect's Location, made once: it is sent on every intercepted
    /// request.
    pub location: HeaderValue,
    /// With `auth = "radius"`: the servers, the secret, the counters seen.
    pub radius: Option<Radius>,
    /// The visitors' rates, shaped in the kernel.
    pub bandwidth: Bandwidth,
    /// The data limits and their counting.
    pub data: DataUse,
}

impl Portal {
    pub fn new(
        settings: Settings,
        services: Services,
        sessions: Sessions,
        voice: Voice,
        gate: Box<dyn Gate>,
        neighbours: Box<dyn Neighbours>,
        clock: Clock,
    ) -> Portal {
        let location = HeaderValue::from_str(&settings.portal_url())
            .expect("an IPv4 address and a port make a valid header");
        Portal {
            leases: Leases::new(settings.dhcp_leases.clone()),
            settings,
            services: RwLock::new(Arc::new(services)),
            sessions,
            voice,
            gate,
            neighbours,
            csrf: Csrf::new(),
            join_limiter: RateLimiter::new(10, Duration::from_secs(6)),
            voucher_limiter: RateLimiter::new(5, Duration::from_secs(60)),
            move_limiter: RateLimiter::new(1, limits::MOVE_EVERY),
            join_lock: Mutex::new(()),
            clock,
            location,
            radius: None,
            bandwidth: Bandwidth::none(),
            data: DataUse::default(),
        }
    }

    /// The portal with its RADIUS side (`auth = "radius"`).
    pub fn with_radius(self, radius: Radius) -> Portal {
        Portal {
            radius: Some(radius),
            ..self
        }
    }

    /// The portal with its bandwidth shaping and data limits.
    pub fn with_limits(self, bandwidth: Bandwidth, data: DataUse) -> Portal {
        Portal {
            bandwidth,
            data,
            ..self
        }
    }

    /// Unix seconds, by the portal's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
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
            || self
                .settings
                .https
                .as_ref()
                .is_some_and(|(ours, _)| name.eq_ignore_ascii_case(ours))
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
