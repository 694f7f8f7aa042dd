//! `anjungan-captive`: the free Wi-Fi's captive portal and its firewall.
//!
//! - `intercept`: every plain-HTTP request of a visitor who has not joined is
//!   redirected to the portal (the OS opens its sign-in window);
//! - `routes`, `views`, `decision`, `join`, `capport`: the visitor's HTTP
//!   handlers, the pages as markup, the rules of joining as pure functions,
//!   joining carried out (click-through or voucher), the RFC 8908 API;
//! - `leases`, `neighbours`: who is who (DHCP leases, the neighbour table);
//! - `sessions`, `firewall`: who joined, in memory, in SQLite and in the
//!   kernel's nftables set (whose timeouts end sessions with no daemon);
//! - `server`, `limits`, `shutdown`, `clock`: serving a public network
//!   safely, on one clock;
//! - `voice`: the survey, complaints and their look-up, on the visitor's
//!   side before joining and after;
//! - `radius`: RADIUS accounts, accounting, and Disconnect/CoA requests
//!   (`auth = "radius"`);
//! - `admin`, `dashboard`: the technician's API (bearer token) and
//!   dashboard (login), on `admin_listen`;
//! - `network_files`: hostapd's, dnsmasq's and networkd's files from the
//!   configuration;
//! - `heartbeat`: systemd's watchdog, pinged while the database answers.

pub mod admin;
pub mod bandwidth;
pub mod capport;
pub mod clock;
pub mod csrf;
pub mod dashboard;
pub mod decision;
pub mod error;
pub mod firewall;
pub mod heartbeat;
pub mod intercept;
pub mod join;
pub mod leases;
pub mod limits;
pub mod links;
pub mod neighbours;
pub mod network_files;
pub mod portal;
pub mod preflight;
pub mod probes;
pub mod radius;
pub mod routes;
pub mod server;
pub mod sessions;
pub mod shutdown;
pub mod tls;
pub mod usage;
pub mod views;
pub mod voice;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anjungan::config::{Auth, Config, Firewall};
use anjungan::search::SearchIndex;
use anjungan::store::Store;
use anjungan::{admin_token, catalog};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;

use bandwidth::Bandwidth;
use clock::Clock;
pub use error::{Error, Result};
use firewall::{Gate, GateSpec, Nft, Open};
use limits::PortalLimits;
use neighbours::{ByAddress, KernelArp, Neighbours};
use portal::{Portal, Services, Settings};
use sessions::Sessions;
use voice::Voice;

/// The portal's routes (for visitors, on `address:port`).
pub fn app(portal: Arc<Portal>) -> Router {
    Router::new()
        .route("/", get(routes::home))
        .route("/layanan", get(routes::search))
        .route("/join", post(routes::submit))
        .route(
            "/survey",
            get(voice::routes::survey).post(voice::routes::send_survey),
        )
        .route(
            "/complaint",
            get(voice::routes::complaint)
                .post(voice::routes::send_complaint)
                // Inside the router-wide limit, so this one counts here.
                .layer(DefaultBodyLimit::max(limits::MAX_COMPLAINT_BODY_BYTES)),
        )
        .route(
            "/complaint/status",
            get(voice::routes::status).post(voice::routes::look_up),
        )
        .route("/api/captive", get(capport::captive))
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            portal.clone(),
            intercept::intercept,
        ))
        .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limits::REQUEST_TIMEOUT,
        ))
        .with_state(portal)
}

/// Loads the catalog and its search index.
pub fn load_services(store: &Store) -> Result<Services> {
    let catalog = catalog::load(store)?;
    let index = SearchIndex::build(&catalog);
    Ok(Services { catalog, index })
}

/// Builds the portal from the configuration, with the kernel's firewall
/// and neighbour table (or none of them with `firewall = "none"`).
pub fn start(config: &Config, limits: PortalLimits) -> Result<Arc<Portal>> {
    let c = &config.captive;
    let IpAddr::V4(address) = c.address else {
        return Err(Error::NotIpv4(c.address));
    };
    let (gate, neighbours): (Box<dyn Gate>, Box<dyn Neighbours>) = match c.firewall {
        Firewall::Nftables => {
            preflight::check(c)?;
            leases::check(&c.dhcp_leases)?;
            let gate = Nft::new(GateSpec {
                interface: c.interface.clone(),
                uplink: c.uplink.clone(),
                address,
                port: c.port,
                tls_port: tls_files(c).map(|_| c.tls_port),
                allow_local: c.allow_local.clone(),
                walled_garden: c.walled_garden.clone(),
                uplink_subnets: firewall::apply::uplink_subnets(&c.uplink),
            });
            (Box::new(gate), Box::new(KernelArp))
        }
        Firewall::None => (Box::new(Open), Box::new(ByAddress)),
    };
    // Shaped with the firewall only, and only when something can ask for
    // a rate: no tc at all on a portal without limits.
    let rates = bandwidth::Rates::from_config(c.download_kbit, c.upload_kbit);
    let bandwidth =
        if c.firewall == Firewall::Nftables && (!rates.is_unlimited() || c.auth == Auth::Radius) {
            Bandwidth::new(Box::new(bandwidth::tc::Tc::new(&c.interface)), rates)
        } else {
            Bandwidth::none()
        };
    let portal = start_shaped(
        config,
        limits,
        (gate, bandwidth),
        neighbours,
        Clock::system(),
    )?;
    // Routing only once the table that gates it is in the kernel: switched
    // on at boot instead, guests would reach the uplink's network until
    // the portal started.
    if c.firewall == Firewall::Nftables {
        preflight::forward()?;
    }
    Ok(portal)
}

/// Builds the portal and reconciles the firewall with the database: every
/// session still live is let out again (with the time it has left), every
/// other one is not. Blocking.
pub fn start_with(
    config: &Config,
    limits: PortalLimits,
    gate: Box<dyn Gate>,
    neighbours: Box<dyn Neighbours>,
    clock: Clock,
) -> Result<Arc<Portal>> {
    start_shaped(config, limits, (gate, Bandwidth::none()), neighbours, clock)
}

/// `start_with`, with the visitors' bandwidth shaped by `bandwidth`.
pub fn start_shaped(
    config: &Config,
    limits: PortalLimits,
    (gate, bandwidth): (Box<dyn Gate>, Bandwidth),
    neighbours: Box<dyn Neighbours>,
    clock: Clock,
) -> Result<Arc<Portal>> {
    let c = &config.captive;
    let IpAddr::V4(address) = c.address else {
        return Err(Error::NotIpv4(c.address));
    };
    let store = Store::open_for(config)?;
    let services = load_services(&store)?;
    // Read before anything is let out: without its secret the portal
    // could not check a single answer, so it does not start.
    let radius = match c.auth {
        Auth::Radius => Some(radius::Radius::from_config(config, address)?),
        _ => None,
    };
    let settings = Settings {
        address,
        port: c.port,
        auth: c.auth,
        session_minutes: c.session_minutes,
        limits,
        intercepting: c.firewall == Firewall::Nftables,
        device_name: config.device.name.clone(),
        dhcp_leases: c.dhcp_leases.clone(),
        rejoin_wait_minutes: c.rejoin_wait_minutes,
        https: c.hostname.clone().map(|name| (name, c.tls_port)),
    };
    let voice = Voice::new(Store::open_for(config)?, config.voice.keep_contact_days);
    let now = sessions::reconcile_time(&store, clock.now())?;
    let sessions = Sessions::load(store, now)?;
    let live = sessions.live(now);
    gate.install(&live, now)?;
    tracing::info!(
        visitors = live.len(),
        "firewall reconciled with the database"
    );
    let portal = Portal::new(settings, services, sessions, voice, gate, neighbours, clock)
        .with_limits(
            bandwidth,
            usage::DataUse::new(c.data_limit_mb_session, c.data_limit_mb_day),
        );
    let portal = Arc::new(match radius {
        Some(radius) => portal.with_radius(radius),
        None => portal,
    });
    // Classes for the sessions that survived a restart, before anyone is
    // served: the table lets them out already.
    usage::shape(&portal)?;
    Ok(portal)
}

/// Runs the portal until SIGTERM or Ctrl-C.
pub async fn run(config: Config, limits: PortalLimits) -> Result<()> {
    // Caught from here on: a stop while it waits for its radio or loads its
    // catalog ends it cleanly, as one while it serves does.
    let mut stop = shutdown::Stop::listen();
    let starting = async {
        // The interfaces first (a radio may come late), then the listeners,
        // then the heavier start (catalog, search index, table): a restarted
        // portal listens again within a moment, and a guest who connects
        // meanwhile is answered as soon as it serves.
        if config.captive.firewall == Firewall::Nftables {
            let captive = config.captive.clone();
            tokio::task::spawn_blocking(move || preflight::wait_for_interfaces(&captive)).await?;
        }
        let portal_addr = SocketAddr::new(config.captive.address, config.captive.port);
        let admin_addr = config.captive.admin_listen;
        let bind = |addr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| Error::Listen { addr, source })
        };
        // The certificate checked first: a bad one stops the portal with
        // its key named, before anything listens.
        let acceptor = tls_files(&config.captive).map(tls::acceptor).transpose()?;
        let (visitors, admin) = (bind(portal_addr).await?, bind(admin_addr).await?);
        // HTTPS on the portal's address only, never the admin side's.
        let https = match acceptor {
            Some(acceptor) => {
                let at = SocketAddr::new(config.captive.address, config.captive.tls_port);
                Some((bind(at).await?, acceptor, at))
            }
            None => None,
        };
        let (portal, token) = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || -> Result<_> {
                Ok((
                    start(&config, limits)?,
                    admin_token::load_or_create(&config)?,
                ))
            })
            .await??
        };
        // Disconnect/CoA requests on the admin side's address, never the
        // guests'.
        let coa = match portal.radius {
            Some(_) => {
                let at = SocketAddr::new(admin_addr.ip(), config.captive.radius_coa_port);
                Some(radius::coa::bind(at).await?)
            }
            None => None,
        };
        Ok::<_, Error>((
            portal_addr,
            admin_addr,
            visitors,
            admin,
            portal,
            token,
            coa,
            https,
        ))
    };
    let (portal_addr, admin_addr, visitors, admin, portal, token, coa, https) = tokio::select! {
        started = starting => started?,
        () = stop.requested() => return Ok(()),
    };
    tracing::info!(
        %portal_addr,
        https = ?https.as_ref().map(|h| h.2),
        %admin_addr,
        "portal ready"
    );
    // Only now: the table is in the kernel and both listeners are bound, so
    // "active" in systemd means guests are gated and answered.
    if let Err(e) = anjungan::systemd::ready() {
        tracing::warn!(error = %e, "cannot tell systemd the portal is ready");
    }
    let heartbeat = tokio::spawn(heartbeat::beat(config.clone()));

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let housekeeping = tokio::spawn(housekeeping(portal.clone(), config.clone()));
    let clock = portal.clock.clone();
    let watch = tokio::spawn(watch::watch(portal.clone()));
    let usage = tokio::spawn(usage::run(portal.clone()));
    let radius_tasks = coa.map(|socket| {
        (
            tokio::spawn(radius::accounting::run(portal.clone())),
            tokio::spawn(radius::coa::serve(portal.clone(), socket)),
        )
    });
    let portal_server = tokio::spawn(server::serve(
        visitors,
        app(portal.clone()),
        clock.clone(),
        stopped(),
    ));
    let https_server = https.map(|(listener, acceptor, _)| {
        tokio::spawn(server::serve_with(
            listener,
            Some(acceptor),
            app(portal.clone()),
            clock.clone(),
            stopped(),
        ))
    });
    let admin_server = tokio::spawn(server::serve(
        admin,
        admin::admin_app(
            portal.clone(),
            admin::Access::new(token, admin_addr),
            config.clone(),
        ),
        clock,
        stopped(),
    ));
    stop.requested().await;
    let _ = stop_tx.send(true);
    housekeeping.abort();
    watch.abort();
    usage.abort();
    if let Some((accounting, coa)) = radius_tasks {
        accounting.abort();
        coa.abort();
    }
    heartbeat.abort();
    let _ = tokio::join!(portal_server, admin_server);
    if let Some(https) = https_server {
        let _ = https.await;
    }
    Ok(())
}

/// The certificate's files, when HTTPS is configured (the configuration
/// check makes the three keys come together).
fn tls_files(c: &anjungan::config::CaptiveConfig) -> Option<tls::Files> {
    Some(tls::Files {
        cert: c.tls_cert.clone()?,
        key: c.tls_key.clone()?,
        hostname: c.hostname.clone()?,
    })
}

/// Every half minute: forget ended sessions (the kernel has already shut
/// them out), and pick up a newly installed catalog.
/// Housekeeping ticks every 30 s: 120 ticks is an hour.
const CONTACT_PURGE_TICKS: u32 = 120;

/// Erases complaint contacts older than `[voice] keep_contact_days`.
async fn purge_contacts(portal: &Arc<Portal>) {
    let portal = portal.clone();
    let purged = tokio::task::spawn_blocking(move || {
        let now = voice::local(portal.now());
        let keep = portal.voice.keep_contact_days;
        portal
            .voice
            .with_store(|store| anjungan::voice::complaint::purge_contacts(store, keep, now))
    })
    .await;
    match purged {
        Ok(Ok(0)) | Err(_) => {}
        Ok(Ok(n)) => tracing::info!(
            complaints = n,
            "contact details erased, as [voice] keep_contact_days says"
        ),
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot erase old complaint contacts"),
    }
}

async fn housekeeping(portal: Arc<Portal>, config: Config) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    // The first look only notes the generation: the catalog in use was
    // loaded at start.
    let mut watcher = catalog::Watcher::new(None);
    // The complaint form promises that contact details are erased after
    // [voice] keep_contact_days: the portal runs on every device all day,
    // so it keeps that promise (hourly, and once at start).
    let mut ticks: u32 = 0;
    loop {
        tick.tick().await;
        portal.sessions.sweep(portal.now());
        if ticks.is_multiple_of(CONTACT_PURGE_TICKS) {
            purge_contacts(&portal).await;
        }
        ticks = ticks.wrapping_add(1);
        let config = config.clone();
        let mut looking = watcher.clone();
        // Loading and indexing a catalog takes a while: off the runtime's
        // workers, so requests are answered meanwhile.
        let checked = tokio::task::spawn_blocking(move || {
            let found = Store::open_for(&config).and_then(|store| looking.check(&store));
            (looking, found)
        })
        .await;
        match checked {
            Ok((looked, Ok(fresh))) => {
                watcher = looked;
                if let Some(fresh) = fresh {
                    tracing::info!(
                        generation = fresh.generation,
                        "new catalog installed; the portal shows it now"
                    );
                    portal.replace_services(Services {
                        catalog: fresh.catalog,
                        index: fresh.index,
                    });
                }
            }
            Ok((_, Err(e))) => tracing::warn!(error = %e, "cannot check for a new catalog"),
            Err(_) => {}
        }
    }
}
