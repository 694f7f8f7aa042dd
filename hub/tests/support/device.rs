//! Simulated devices: a real SQLite store each, filled through the domain's
//! own writers (so every event is in the outbox as on a kiosk), pushed with
//! the device's own push.

use std::path::Path;

use anjungan::config::SyncConfig;
use anjungan::print::spool;
use anjungan::print::transport::Fault;
use anjungan::store::Store;
use anjungan::sync::{Http, Pushed};
use anjungan::voice::complaint::{self, Category, Draft};
use anjungan::voice::survey::{self, Answers, Channel, Response};
use anjungan::wifi::{JoinMethod, Mac, session};
use chrono::{DateTime, Duration, FixedOffset, Utc};

/// What one simulated day puts in a device's outbox.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub surveys: u32,
    pub complaints: u32,
    pub alerts: u32,
    pub faults: u32,
    /// Wi-Fi joins, spread over the day's hours: one usage event per hour.
    pub joins: u32,
}

impl Day {
    /// The events a device pushes for this day, per kind.
    pub fn expected(&self) -> Vec<(&'static str, i64)> {
        let mut e = vec![
            ("alert", self.alerts as i64),
            ("complaint", self.complaints as i64),
            ("printer-fault", self.faults as i64),
            ("survey", self.surveys as i64),
            ("usage", self.joins.min(24) as i64),
        ];
        e.retain(|(_, n)| *n > 0);
        e
    }
}

pub fn morning() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-30T00:00:00+07:00").unwrap()
}

/// Opens a store at `path` and records `day` in it, as a device would over
/// a day (each thing in its own transaction).
pub fn live_a_day(path: &Path, day: Day) -> Store {
    let mut store = Store::open(path).unwrap();
    let t0 = morning();
    let at = |i: u32, n: u32| t0 + Duration::seconds(i64::from(i) * 86_000 / i64::from(n.max(1)));
    for i in 0..day.surveys {
        let answers = Answers::new([Some((i % 4 + 1) as u8); 9]).unwrap();
        let response = Response {
            answers,
            ..Response::default()
        };
        survey::record(&mut store, &response, Channel::Kiosk, at(i, day.surveys)).unwrap();
    }
    for i in 0..day.complaints {
        let draft = Draft::new(
            &format!("Antrean terlalu lama, keluhan nomor {i}"),
            Category::Service,
            None,
            Some("warga@example.id"),
            true,
            Channel::Kiosk,
        )
        .unwrap();
        complaint::submit(&mut store, &draft, at(i, day.complaints)).unwrap();
    }
    for i in 0..day.alerts {
        anjungan::alert::raise(
            &store,
            anjungan::alert::Kind::CallStaff,
            "panel button",
            at(i, day.alerts),
        )
        .unwrap();
    }
    for i in 0..day.faults {
        spool::record_fault(&store, &Fault::PaperOut, at(i, day.faults)).unwrap();
    }
    for i in 0..day.joins {
        let now = (t0 + Duration::hours(i64::from(i % 24))).timestamp();
        session::record(
            &store,
            Mac([2, 0, 0, 0, (i >> 8) as u8, i as u8]),
            "10.42.0.10".parse().unwrap(),
            now,
            now + 3600,
            JoinMethod::ClickThrough,
            None,
        )
        .unwrap();
    }
    store
}

pub fn sync_config(hub_url: &str, token_file: &Path, timeout_seconds: u32) -> SyncConfig {
    SyncConfig {
        hub_url: Some(hub_url.to_owned()),
        token_file: token_file.to_owned(),
        timeout_seconds,
        ..SyncConfig::default()
    }
}

/// One push as `anjungan sync` makes it, the day after `morning`.
pub fn push(store: &mut Store, config: &SyncConfig, device: &str) -> Result<Pushed, String> {
    let http = Http::new(config).map_err(|f| f.to_string())?;
    let now: DateTime<Utc> = (morning() + Duration::days(1)).into();
    anjungan::sync::push::push(store, config, device, &http, now, None)
        .unwrap()
        .map_err(|f| format!("{} ({})", f, f.code()))
}
