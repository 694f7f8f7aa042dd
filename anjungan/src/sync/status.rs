//! The device's state as the region's hub shows it on its fleet page: sent
//! with every run's first push (`POST /v1/events`, field `"status"`), also
//! when no event waits, so a quiet device is seen too. The hub reads it with
//! this same type; every field may be absent, so devices and hubs of
//! different versions understand each other (unknown fields are ignored).

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Printer};
use crate::print::spool;
use crate::store::Store;
use crate::{Result, alert, catalog, outbox, queue};

/// Longest text the hub keeps of any field: a status is small.
pub const MAX_TEXT: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Status {
    /// `[device] name`, for people: the id says little.
    pub name: Option<String>,
    /// The program's version (`anjungan --version`).
    pub version: Option<String>,
    /// The installed catalog; `None` on the built-in demo catalog.
    pub catalog: Option<CatalogStatus>,
    pub printer: Option<PrinterStatus>,
    pub alerts: Option<AlertStatus>,
    /// Citizens waiting in the queue today, all prefixes together.
    pub queue_waiting: Option<u64>,
    /// Events still on the device before this push.
    pub events_waiting: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CatalogStatus {
    /// The bundle's own `published`.
    pub published: Option<String>,
    pub region: Option<String>,
    pub services: Option<u64>,
    /// The device's install counter.
    pub generation: Option<i64>,
    /// SHA-256 (hex) of the `.minisig` it was verified with; `None` for a
    /// catalog imported by hand. The hub counts devices on its publication
    /// by this.
    pub signature_sha256: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrinterStatus {
    /// `none` (no printer configured), `unknown` (the kiosk never asked
    /// it), `ready`, or the fault's code (`paper-out`, `cover-open`, ...).
    pub state: String,
    /// Since when it is so (RFC 3339, UTC).
    pub since: Option<String>,
    /// Paper width, 58 or 80 (mm).
    pub paper_mm: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertStatus {
    /// Alerts nobody acknowledged on the dashboard yet.
    pub open: u64,
    /// The newest open one (RFC 3339, UTC).
    pub newest: Option<String>,
}

/// What the device is now, at `now` (its local time: the queue's day).
pub fn gather(store: &Store, config: &Config, now: DateTime<FixedOffset>) -> Result<Status> {
    let catalog = catalog::installed(store)?.map(|i| CatalogStatus {
        published: Some(i.published),
        region: Some(i.region_name),
        services: Some(i.services as u64),
        generation: Some(i.generation),
        signature_sha256: None,
    });
    let catalog = match (catalog, catalog::signed(store)?) {
        (Some(mut c), Some((_, signed))) => {
            c.signature_sha256 = Some(signed.signature_sha256);
            Some(c)
        }
        (c, _) => c,
    };
    let printer = match (&config.kiosk.printer, spool::printer_state(store)?) {
        (Printer::None, _) => PrinterStatus {
            state: "none".into(),
            since: None,
            paper_mm: None,
        },
        (_, None) => PrinterStatus {
            state: "unknown".into(),
            since: None,
            paper_mm: Some(config.kiosk.paper_mm),
        },
        (_, Some(s)) => PrinterStatus {
            state: s.fault.unwrap_or_else(|| "ready".into()),
            since: Some(s.since),
            paper_mm: Some(config.kiosk.paper_mm),
        },
    };
    let (open, newest) = alert::open(store)?;
    let queue_waiting = queue::status(store, &BTreeSet::new(), now)?
        .iter()
        .map(|p| p.waiting as u64)
        .sum();
    let events_waiting = outbox::waiting(store)?.iter().map(|(_, n)| *n as u64).sum();
    Ok(Status {
        name: Some(config.device.name.clone()).filter(|n| !n.is_empty()),
        version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        catalog,
        printer: Some(printer),
        alerts: Some(AlertStatus { open, newest }),
        queue_waiting: Some(queue_waiting),
        events_waiting: Some(events_waiting),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_device_reports_the_demo_catalog_an_unasked_printer_and_no_alerts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        let mut config = Config::default();
        config.device.name = "Kantor Camat <Cibinong>".into();
        config.kiosk.printer = Printer::File(dir.path().join("p.bin"));
        let now = DateTime::parse_from_rfc3339("2026-12-01T09:00:00+07:00").unwrap();
        let status = gather(&store, &config, now).unwrap();
        assert_eq!(status.name.as_deref(), Some("Kantor Camat <Cibinong>"));
        assert_eq!(status.catalog, None);
        assert_eq!(status.printer.as_ref().unwrap().state, "unknown");
        assert_eq!(status.alerts.as_ref().unwrap().open, 0);

        alert::raise(&store, alert::Kind::CallStaff, "screen", now).unwrap();
        spool::record_state(&store, Err(&crate::print::transport::Fault::PaperOut), now).unwrap();
        let status = gather(&store, &config, now).unwrap();
        let alerts = status.alerts.unwrap();
        assert_eq!(
            (alerts.open, alerts.newest.as_deref()),
            (1, Some("2026-12-01T02:00:00Z"))
        );
        assert_eq!(status.printer.unwrap().state, "paper-out");
        assert_eq!(status.events_waiting, Some(1));

        // What an older or newer hub or device sends is read all the same.
        let read: Status = serde_json::from_str(r#"{"version": "9", "later": 1}"#).unwrap();
        assert_eq!(read.version.as_deref(), Some("9"));
        assert_eq!(read.printer, None);
    }
}
