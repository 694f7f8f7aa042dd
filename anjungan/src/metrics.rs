//! The device's numbers for Prometheus (`GET /metrics` on the portal's
//! admin listener): gathered from the shared database and the data
//! directory's file system, rendered in the OpenMetrics text format by the
//! `prometheus-client` crate. Everything is read at scrape time, so the
//! numbers are the database's, whichever program wrote them (the kiosk's
//! printer state, the portal's joins, the counters' calls).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use rusqlite::OptionalExtension;

use crate::print::spool;
use crate::print::transport::Fault;
use crate::queue;
use crate::store::Store;
use crate::voice::Channel;
use crate::wifi::session;
use crate::{Error, Result};

/// The answer's media type.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// One scrape's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub version: &'static str,
    pub visitors_joined: u32,
    /// Sessions ever started (every joining).
    pub joins: u64,
    /// The printer's last known fault code; `None` when ready or never asked.
    pub printer_fault: Option<String>,
    /// Whether the kiosk ever asked the printer.
    pub printer_known: bool,
    pub printer_faults: u32,
    pub print_jobs_waiting: u32,
    pub queue: Vec<queue::PrefixStatus>,
    /// Seconds the oldest waiting number of each prefix has waited.
    pub queue_oldest_waiting: BTreeMap<String, i64>,
    /// Survey forms per channel.
    pub survey_responses: BTreeMap<&'static str, u64>,
    /// Complaints per status.
    pub complaints: BTreeMap<String, u64>,
    pub alerts: u64,
    /// The data directory's file system: free bytes (for unprivileged
    /// programs) and its size.
    pub data_free_bytes: u64,
    pub data_size_bytes: u64,
    /// 0 for the built-in demo catalog.
    pub catalog_generation: i64,
    /// Unix seconds of the installed catalog's install; 0 for the demo.
    pub catalog_installed: i64,
}

/// Reads the numbers from `store` (and the file system of its directory)
/// at `now`, the device's local time. The queue's numbers are given for
/// every prefix of `prefixes` (the catalog's, `queue::prefixes`), 0 before
/// the day's first ticket, and for any other with tickets today.
pub fn gather(
    store: &Store,
    prefixes: &BTreeSet<String>,
    now: DateTime<FixedOffset>,
) -> Result<Device> {
    let unix = now.timestamp();
    let (joins, alerts, catalog) = store.run(|conn| {
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
        let catalog: Option<(i64, String)> = conn
            .query_row("SELECT generation, installed_at FROM catalog", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok((
            count("SELECT COUNT(*) FROM wifi_session")?,
            count("SELECT COUNT(*) FROM alert")?,
            catalog,
        ))
    })?;
    let survey_responses = store.run(|conn| {
        let mut by = conn
            .prepare("SELECT COALESCE(SUM(responses), 0) FROM survey_tally WHERE channel = ?1")?;
        Channel::ALL
            .into_iter()
            .map(|c| {
                Ok((
                    c.code(),
                    by.query_row([c.code()], |r| r.get::<_, i64>(0))? as u64,
                ))
            })
            .collect::<rusqlite::Result<BTreeMap<_, _>>>()
    })?;
    let complaints = store.run(|conn| {
        conn.prepare("SELECT status, COUNT(*) FROM complaint GROUP BY status")?
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect()
    })?;
    let queue = queue::status(store, prefixes, now)?;
    let queue_oldest_waiting = queue
        .iter()
        .filter_map(|q| {
            let since = DateTime::parse_from_rfc3339(q.waiting_since.as_deref()?).ok()?;
            Some((q.prefix.clone(), (unix - since.timestamp()).max(0)))
        })
        .collect();
    let state = spool::printer_state(store)?;
    let dir = store.path().parent().unwrap_or(store.path());
    let fs = rustix::fs::statvfs(dir).map_err(|e| Error::Io {
        what: "cannot read the free space of",
        path: dir.to_owned(),
        source: e.into(),
    })?;
    Ok(Device {
        version: env!("CARGO_PKG_VERSION"),
        visitors_joined: session::live(store, unix)?.len() as u32,
        joins: joins as u64,
        printer_known: state.is_some(),
        printer_fault: state.and_then(|s| s.fault),
        printer_faults: spool::fault_count(store)?,
        print_jobs_waiting: spool::pending(store)?.len() as u32,
        queue,
        queue_oldest_waiting,
        survey_responses,
        complaints,
        alerts: alerts as u64,
        data_free_bytes: fs.f_bavail.saturating_mul(fs.f_frsize),
        data_size_bytes: fs.f_blocks.saturating_mul(fs.f_frsize),
        catalog_generation: catalog.as_ref().map_or(0, |c| c.0),
        catalog_installed: catalog
            .and_then(|c| DateTime::parse_from_rfc3339(&c.1).ok())
            .map_or(0, |t| t.timestamp()),
    })
}

type Labels = Vec<(&'static str, String)>;

fn family(values: impl IntoIterator<Item = (Labels, i64)>) -> Family<Labels, Gauge> {
    let f = Family::<Labels, Gauge>::default();
    for (labels, value) in values {
        f.get_or_create(&labels).set(value);
    }
    f
}

impl Device {
    /// The OpenMetrics text of these numbers (`# EOF` last).
    pub fn render(&self) -> String {
        let mut r = Registry::default();
        r.register(
            "anjungan_build",
            "The programs' version",
            Info::new(vec![("version", self.version.to_owned())]),
        );
        r.register(
            "anjungan_visitors_joined",
            "Wi-Fi visitors joined now",
            ConstGauge::new(i64::from(self.visitors_joined)),
        );
        r.register(
            "anjungan_joins",
            "Wi-Fi joinings since the database was made",
            ConstCounter::new(self.joins),
        );
        r.register(
            "anjungan_printer_ready",
            "1 when the printer last answered the kiosk that it can print",
            ConstGauge::new(i64::from(
                self.printer_known && self.printer_fault.is_none(),
            )),
        );
        r.register(
            "anjungan_printer_fault",
            "1 for the fault the printer has now (paper-out, cover-open, ...)",
            family(Fault::CODES.iter().map(|code| {
                let now = self.printer_fault.as_deref() == Some(code);
                (vec![("fault", (*code).to_owned())], i64::from(now))
            })),
        );
        r.register(
            "anjungan_printer_faults",
            "Printer faults logged",
            ConstCounter::new(self.printer_faults),
        );
        r.register(
            "anjungan_print_jobs_waiting",
            "Documents kept and not yet printed",
            ConstGauge::new(i64::from(self.print_jobs_waiting)),
        );
        let per_prefix = |value: fn(&queue::PrefixStatus) -> u32| {
            family(
                self.queue
                    .iter()
                    .map(|q| (vec![("prefix", q.prefix.clone())], i64::from(value(q)))),
            )
        };
        r.register(
            "anjungan_queue_waiting",
            "Queue numbers taken today and not yet called",
            per_prefix(|q| q.waiting),
        );
        r.register(
            "anjungan_queue_taken",
            "Queue numbers taken today",
            per_prefix(|q| q.taken),
        );
        r.register(
            "anjungan_queue_oldest_waiting_seconds",
            "How long the first waiting number of the prefix has waited",
            family(
                self.queue_oldest_waiting
                    .iter()
                    .map(|(p, s)| (vec![("prefix", p.clone())], *s)),
            ),
        );
        let responses = Family::<Labels, prometheus_client::metrics::counter::Counter>::default();
        for (channel, n) in &self.survey_responses {
            responses
                .get_or_create(&vec![("channel", (*channel).to_owned())])
                .inc_by(*n);
        }
        r.register(
            "anjungan_survey_responses",
            "Satisfaction survey forms recorded",
            responses,
        );
        r.register(
            "anjungan_complaints",
            "Complaints by status",
            family(
                self.complaints
                    .iter()
                    .map(|(s, n)| (vec![("status", s.clone())], *n as i64)),
            ),
        );
        r.register(
            "anjungan_alerts",
            "Citizens' calls for staff and other alerts raised",
            ConstCounter::new(self.alerts),
        );
        r.register(
            "anjungan_data_free_bytes",
            "Free space of the data directory's file system",
            ConstGauge::new(self.data_free_bytes as i64),
        );
        r.register(
            "anjungan_data_size_bytes",
            "Size of the data directory's file system",
            ConstGauge::new(self.data_size_bytes as i64),
        );
        r.register(
            "anjungan_catalog_generation",
            "The installed catalog's generation; 0 for the built-in demo catalog",
            ConstGauge::new(self.catalog_generation),
        );
        r.register(
            "anjungan_catalog_installed_timestamp_seconds",
            "When the catalog in use was installed (Unix time); 0 for the demo catalog",
            ConstGauge::new(self.catalog_installed),
        );
        let mut text = String::new();
        encode(&mut text, &r).expect("writing to a String cannot fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{call_next, take};

    fn at(h: u32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-11-30T{h:02}:00:00+07:00")).unwrap()
    }

    /// The samples of `text` by name and labels, every line checked by a
    /// Prometheus text parser (which drops what it cannot read, so the
    /// lines are counted too).
    fn parse(text: &str) -> Vec<prometheus_parse::Sample> {
        let lines = text.lines().map(|l| Ok(l.to_owned()));
        let scrape = prometheus_parse::Scrape::parse(lines).unwrap();
        let samples = text.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(
            scrape.samples.len(),
            samples,
            "unreadable lines in:\n{text}"
        );
        assert_eq!(text.lines().last(), Some("# EOF"));
        scrape.samples
    }

    fn value(samples: &[prometheus_parse::Sample], name: &str, label: Option<(&str, &str)>) -> f64 {
        let found = samples
            .iter()
            .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .unwrap_or_else(|| panic!("no {name} {label:?}"));
        match found.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            ref other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn the_numbers_are_the_database_s() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        for _ in 0..3 {
            take(&mut store, "A", "svc", at(8)).unwrap();
        }
        call_next(&mut store, "A", Some(1), at(9)).unwrap();
        spool::record_state(&store, Err(&Fault::PaperOut), at(9)).unwrap();
        let listed = BTreeSet::from(["A".to_owned(), "B".to_owned()]);
        let samples = parse(&gather(&store, &listed, at(10)).unwrap().render());
        assert_eq!(
            value(&samples, "anjungan_queue_waiting", Some(("prefix", "B"))),
            0.0
        );
        assert_eq!(
            value(&samples, "anjungan_queue_waiting", Some(("prefix", "A"))),
            2.0
        );
        assert_eq!(
            value(&samples, "anjungan_queue_taken", Some(("prefix", "A"))),
            3.0
        );
        assert_eq!(
            value(
                &samples,
                "anjungan_queue_oldest_waiting_seconds",
                Some(("prefix", "A"))
            ),
            7200.0
        );
        assert_eq!(value(&samples, "anjungan_printer_ready", None), 0.0);
        assert_eq!(
            value(
                &samples,
                "anjungan_printer_fault",
                Some(("fault", "paper-out"))
            ),
            1.0
        );
        assert_eq!(
            value(
                &samples,
                "anjungan_printer_fault",
                Some(("fault", "cover-open"))
            ),
            0.0
        );
        assert_eq!(value(&samples, "anjungan_visitors_joined", None), 0.0);
        assert_eq!(value(&samples, "anjungan_joins_total", None), 0.0);
        assert_eq!(
            value(
                &samples,
                "anjungan_survey_responses_total",
                Some(("channel", "kiosk"))
            ),
            0.0
        );
        assert_eq!(value(&samples, "anjungan_catalog_generation", None), 0.0);
        assert!(value(&samples, "anjungan_data_size_bytes", None) > 0.0);
        assert_eq!(
            value(
                &samples,
                "anjungan_build_info",
                Some(("version", env!("CARGO_PKG_VERSION")))
            ),
            1.0
        );
        spool::record_state(&store, Ok(()), at(11)).unwrap();
        let samples = parse(&gather(&store, &listed, at(11)).unwrap().render());
        assert_eq!(value(&samples, "anjungan_printer_ready", None), 1.0);
        assert_eq!(
            value(
                &samples,
                "anjungan_printer_fault",
                Some(("fault", "paper-out"))
            ),
            0.0
        );
    }

    /// `docs/prometheus/`: the shape Prometheus wants, and no rule about a
    /// metric the device does not give (a misspelt name never fires).
    #[test]
    fn the_example_alert_rules_ask_for_metrics_that_exist() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        take(&mut store, "A", "svc", at(8)).unwrap();
        let listed = BTreeSet::from(["A".to_owned()]);
        let names: BTreeSet<String> = parse(&gather(&store, &listed, at(10)).unwrap().render())
            .into_iter()
            .map(|s| s.metric)
            .collect();

        let yaml = |text: &str| -> serde_norway::Value { serde_norway::from_str(text).unwrap() };
        let rules = yaml(include_str!("../../docs/prometheus/anjungan-alerts.yml"));
        let rules = rules["groups"][0]["rules"].as_sequence().unwrap();
        let mut alerts = BTreeSet::new();
        for rule in rules {
            let alert = rule["alert"].as_str().unwrap();
            alerts.insert(alert);
            assert!(rule["for"].is_string(), "{alert}");
            assert!(rule["labels"]["severity"].is_string(), "{alert}");
            assert!(rule["annotations"]["summary"].is_string(), "{alert}");
            let expr = rule["expr"].as_str().unwrap();
            let used = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with("anjungan_"));
            for metric in used {
                assert!(
                    names.contains(metric),
                    "{alert}: no metric {metric} in {names:?}"
                );
            }
        }
        for wanted in [
            "AnjunganDeviceDown",
            "AnjunganPaperOut",
            "AnjunganPrinterFault",
            "AnjunganDiskNearlyFull",
            "AnjunganQueueWaitingLong",
        ] {
            assert!(alerts.contains(wanted), "{wanted}");
        }

        let scrape = yaml(include_str!("../../docs/prometheus/prometheus.yml"));
        assert_eq!(scrape["rule_files"][0], "anjungan-alerts.yml");
        let job = &scrape["scrape_configs"][0];
        assert_eq!(job["metrics_path"], "/metrics");
        assert_eq!(job["authorization"]["type"], "Bearer");
        assert!(job["authorization"]["credentials_file"].is_string());
    }
}
