//! Joining: the decisions (who, how long, whether at all), the record in the
//! database, then the firewall. In that order, so that a crash between the
//! two leaves a session the next start lets out, never the reverse.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Instant;

use anjungan::Lang;
use anjungan::config::Auth;
use anjungan::wifi::{JoinMethod, Redemption, Session, session, voucher};
use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::Result;
use crate::pages;
use crate::portal::{Portal, v4};

/// Why a visitor could not join; each is shown on the portal page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The form is stale or came from elsewhere.
    StaleForm,
    TooManyAttempts,
    /// The device is not on the Wi-Fi (no entry in the neighbour table).
    NotIdentified,
    Full,
    DailyTimeUsed,
    VoucherMissing,
    VoucherUnknown,
    VoucherTaken,
    VoucherSpent,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::StaleForm => StatusCode::FORBIDDEN,
            Refusal::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Refusal::NotIdentified => StatusCode::FORBIDDEN,
            Refusal::Full => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::DailyTimeUsed => StatusCode::FORBIDDEN,
            Refusal::VoucherMissing
            | Refusal::VoucherUnknown
            | Refusal::VoucherTaken
            | Refusal::VoucherSpent => StatusCode::FORBIDDEN,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub voucher: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// `POST /join`.
pub async fn submit(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Form(form): Form<JoinForm>,
) -> Result<Response> {
    let lang = form
        .lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or_default();
    let ip = peer.ip();
    let outcome = {
        let portal = portal.clone();
        tokio::task::spawn_blocking(move || join(&portal, ip, &form)).await??
    };
    Ok(match outcome {
        Ok(_) => {
            // Post/redirect/get: a reload does not post again. The target is
            // fixed: no parameter can make the portal send a visitor
            // elsewhere.
            let to = match lang {
                Lang::Id => "/",
                Lang::En => "/?lang=en",
            };
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, HeaderValue::from_static(to)),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )
                .into_response()
        }
        Err(refusal) => {
            let page = pages::join_page(&portal, ip, lang, Some(refusal));
            (refusal.status(), page).into_response()
        }
    })
}

/// The whole decision and its effects; blocking (database, `nft`).
pub fn join(portal: &Portal, ip: IpAddr, form: &JoinForm) -> Result<Result<Session, Refusal>> {
    let now = portal.now();
    if !portal.csrf.check(&form.csrf, ip, now) {
        return Ok(Err(Refusal::StaleForm));
    }
    if !portal.join_limiter.allow(ip, Instant::now()) {
        return Ok(Err(Refusal::TooManyAttempts));
    }
    let Some(ip4) = v4(ip) else {
        return Ok(Err(Refusal::NotIdentified));
    };
    let Some(mac) = portal.neighbours.mac_of(ip4) else {
        return Ok(Err(Refusal::NotIdentified));
    };
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(existing) = portal.sessions.by_mac(mac, now) {
        // Already joined (a second tap, or a new address): keep the session.
        return follow(portal, existing, ip4).map(Ok);
    }
    if portal.sessions.count_live(now) >= portal.settings.limits.max_visitors {
        return Ok(Err(Refusal::Full));
    }
    let (method, expires_at, code) = match portal.settings.auth {
        Auth::Voucher => {
            let typed = form.voucher.as_deref().unwrap_or("").trim();
            if typed.is_empty() {
                return Ok(Err(Refusal::VoucherMissing));
            }
            if !portal.voucher_limiter.allow(ip, Instant::now()) {
                return Ok(Err(Refusal::TooManyAttempts));
            }
            let redemption = portal
                .sessions
                .with_store(|store| voucher::redeem(store, typed, mac, now))?;
            match redemption {
                // A voucher's time is its own: the daily allowance of the
                // free click-through does not apply.
                Redemption::Granted { expires_at } => {
                    (JoinMethod::Voucher, expires_at, Some(typed))
                }
                Redemption::Unknown => return Ok(Err(Refusal::VoucherUnknown)),
                Redemption::Taken => return Ok(Err(Refusal::VoucherTaken)),
                Redemption::Spent => return Ok(Err(Refusal::VoucherSpent)),
            }
        }
        Auth::ClickThrough | Auth::Radius => {
            let limits = session::Limits {
                session_seconds: i64::from(portal.settings.session_minutes) * 60,
                daily_seconds: i64::from(portal.settings.limits.daily_minutes) * 60,
            };
            let used = portal
                .sessions
                .with_store(|store| session::used_since(store, mac, day_start(now)))?;
            match session::grant(limits, used) {
                Some(seconds) => (JoinMethod::ClickThrough, now + seconds, None),
                None => return Ok(Err(Refusal::DailyTimeUsed)),
            }
        }
    };
    let joined = portal
        .sessions
        .with_store(|store| session::record(store, mac, ip4, now, expires_at, method, code))?;
    if let Err(e) = portal.gate.admit(mac, ip4, expires_at - now) {
        // Not let out: do not count it as a session either.
        let _ = portal
            .sessions
            .with_store(|store| session::end(store, joined.id, now));
        return Err(e);
    }
    tracing::info!(mac = %mac, ip = %ip4, until = expires_at, ?method, "visitor joined");
    portal.sessions.insert(joined.clone());
    Ok(Ok(joined))
}

/// A joined visitor seen at `ip`: if that is a new address (same MAC, the
/// phone got a new lease), the session follows it, in the database and the
/// firewall.
pub fn follow(portal: &Portal, session: Session, ip: Ipv4Addr) -> Result<Session> {
    if session.ip == ip {
        return Ok(session);
    }
    let now = portal.now();
    portal
        .sessions
        .with_store(|store| anjungan::wifi::session::move_to(store, session.id, ip))?;
    portal.gate.revoke(session.mac, session.ip)?;
    portal
        .gate
        .admit(session.mac, ip, session.seconds_left(now))?;
    let moved = Session { ip, ..session };
    tracing::info!(mac = %moved.mac, ip = %ip, "joined visitor moved to a new address");
    portal.sessions.insert(moved.clone());
    Ok(moved)
}

/// The joined session of the device at `ip`, when that device joined from
/// another address. Blocking.
pub fn moved_visitor(portal: &Portal, ip: IpAddr) -> Result<Option<Session>> {
    let Some(ip4) = v4(ip) else { return Ok(None) };
    if portal.sessions.is_empty() {
        return Ok(None);
    }
    let Some(mac) = portal.neighbours.mac_of(ip4) else {
        return Ok(None);
    };
    let Some(session) = portal.sessions.by_mac(mac, portal.now()) else {
        return Ok(None);
    };
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    follow(portal, session, ip4).map(Some)
}

/// The start of the device's local day containing `now`: the daily time
/// allowance starts again at midnight.
pub fn day_start(now: i64) -> i64 {
    use chrono::{Local, TimeZone};
    let Some(t) = Local.timestamp_opt(now, 0).single() else {
        return now - now.rem_euclid(86_400);
    };
    let midnight = t
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|m| m.timestamp())
        .unwrap_or(now - now.rem_euclid(86_400))
}
