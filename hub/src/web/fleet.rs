//! The fleet page: every enrolled device, the worst first: never seen or
//! silent for longer than [`SILENT_HOURS`] (in red), a printer with a
//! fault, open alerts; then the rest by id. What a device is comes from
//! the status its last push carried (`anjungan::sync::Status`).

use anjungan::Lang;
use anjungan::sync::Status;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use deadpool_postgres::Pool;
use maud::{Markup, html};

use super::auth::page_response;
use super::{Staff, layout};
use crate::{Hub, Result};

/// A device that has not pushed for this long is shown in red: its timer
/// runs every few minutes, so hours mean it is off or cut off.
pub const SILENT_HOURS: i64 = 2;

/// One device as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub id: String,
    /// RFC 3339, UTC; `None` before its first push.
    pub last_contact: Option<String>,
    /// Seconds since then.
    pub silent_seconds: Option<i64>,
    /// The User-Agent of its last push, for devices that send no status.
    pub agent: Option<String>,
    pub status: Status,
}

impl Row {
    /// Hours without a push past [`SILENT_HOURS`]; `Some(None)`: never seen.
    pub fn silent(&self) -> Option<Option<i64>> {
        match self.silent_seconds {
            None => Some(None),
            Some(s) if s >= SILENT_HOURS * 3600 => Some(Some(s / 3600)),
            Some(_) => None,
        }
    }

    /// The printer's fault code, when it has one.
    pub fn printer_fault(&self) -> Option<&str> {
        self.status
            .printer
            .as_ref()
            .map(|p| p.state.as_str())
            .filter(|s| !matches!(*s, "ready" | "none" | "unknown"))
    }

    pub fn open_alerts(&self) -> u64 {
        self.status.alerts.as_ref().map_or(0, |a| a.open)
    }

    /// How bad it is: silence outweighs a printer fault, which outweighs
    /// alerts.
    fn trouble(&self) -> u32 {
        let silent = if self.silent().is_some() { 4 } else { 0 };
        let printer = if self.printer_fault().is_some() { 2 } else { 0 };
        let alerts = u32::from(self.open_alerts() > 0);
        silent + printer + alerts
    }
}

/// Worst first; equally bad ones by the longest silence, then by id.
pub fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        b.trouble()
            .cmp(&a.trouble())
            .then_with(|| {
                let silence = |r: &Row| r.silent_seconds.unwrap_or(i64::MAX);
                silence(b).cmp(&silence(a))
            })
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Every device not revoked, with its status, ranked.
pub async fn rows(pool: &Pool) -> Result<Vec<Row>> {
    let client = pool.get().await?;
    let found = client
        .query(
            "SELECT d.id,
                    to_char(d.last_contact AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    extract(epoch FROM now() - d.last_contact)::bigint,
                    d.last_agent, s.status::text
             FROM device d LEFT JOIN device_status s ON s.device = d.id
             WHERE d.revoked_at IS NULL",
            &[],
        )
        .await?;
    let mut rows: Vec<Row> = found
        .iter()
        .map(|r| Row {
            id: r.get(0),
            last_contact: r.get(1),
            silent_seconds: r.get(2),
            agent: r.get(3),
            status: r
                .get::<_, Option<String>>(4)
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default(),
        })
        .collect();
    rank(&mut rows);
    Ok(rows)
}

pub async fn show(State(hub): State<Hub>, staff: Staff) -> Result<Response> {
    let rows = rows(&hub.pool).await?;
    let lang = staff.lang;
    let title = lang.choose("Armada perangkat", "Fleet");
    Ok(page_response(
        StatusCode::OK,
        layout::page(&staff, "/", title, table(lang, &rows)),
    ))
}

/// `/fleet.json`: the same rows for a program (a region's monitoring),
/// behind the same login.
pub async fn json(State(hub): State<Hub>, _staff: Staff) -> Result<Json<Vec<Row>>> {
    Ok(Json(rows(&hub.pool).await?))
}

fn table(lang: Lang, rows: &[Row]) -> Markup {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    html! {
        @if rows.is_empty() {
            section { (t("Belum ada perangkat. Daftarkan dengan: anjungan-hub device add ID",
                         "No devices yet. Enrol one with: anjungan-hub device add ID")) }
        } @else {
            section.scroll {
                table id="fleet" {
                    thead { tr {
                        th { (t("Perangkat", "Device")) }
                        th { (t("Kontak terakhir", "Last contact")) }
                        th { (t("Versi", "Version")) }
                        th { (t("Katalog", "Catalog")) }
                        th { (t("Printer dan kertas", "Printer and paper")) }
                        th { (t("Peringatan", "Alerts")) }
                        th { (t("Antrean / kiriman", "Queue / to send")) }
                    } }
                    tbody {
                        @for row in rows { (device(lang, row)) }
                    }
                }
            }
        }
    }
}

fn device(lang: Lang, row: &Row) -> Markup {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let s = &row.status;
    let version = s.version.clone().or_else(|| {
        row.agent
            .as_deref()
            .and_then(|a| a.strip_prefix("anjungan/"))
            .map(str::to_owned)
    });
    html! {
        tr id={ "device-" (row.id) } {
            td {
                b { (row.id) }
                @if let Some(name) = &s.name { br; (name) }
            }
            td {
                @match row.silent() {
                    Some(None) => span.bad { (t("belum pernah terhubung", "never seen")) },
                    Some(Some(hours)) => {
                        @if let Some(at) = &row.last_contact { (layout::moment(at)) br; }
                        span.bad { (match lang {
                            Lang::Id => format!("tidak terlihat {hours} jam"),
                            Lang::En => format!("not seen for {hours} hours"),
                        }) }
                    },
                    None => { @if let Some(at) = &row.last_contact { (layout::moment(at)) } },
                }
            }
            td { (version.as_deref().unwrap_or("–")) }
            td {
                @match &s.catalog {
                    Some(c) => {
                        (c.published.as_deref().unwrap_or("?"))
                        @if let Some(g) = c.generation { " " small { "(" (t("generasi", "generation")) " " (g) ")" } }
                        @if c.signature_sha256.is_none() { br; small { (t("diimpor manual", "imported by hand")) } }
                    },
                    None => { @if s.version.is_some() { (t("katalog contoh", "demo catalog")) } @else { "–" } },
                }
            }
            td {
                @match &s.printer {
                    Some(p) => {
                        @match row.printer_fault() {
                            Some(fault) => span.bad { (fault) },
                            None => (match p.state.as_str() {
                                "ready" => t("siap", "ready"),
                                "none" => t("tanpa printer", "no printer"),
                                _ => t("belum diperiksa", "not yet asked"),
                            }),
                        }
                        @if let Some(mm) = p.paper_mm { " · " (mm) " mm" }
                    },
                    None => "–",
                }
            }
            td {
                @match &s.alerts {
                    Some(a) if a.open > 0 => {
                        span.bad { (a.open) }
                        @if let Some(n) = &a.newest { " " small { (t("terbaru", "newest")) " " (layout::moment(n)) } }
                    },
                    Some(_) => "0",
                    None => "–",
                }
            }
            td {
                (s.queue_waiting.map_or("–".into(), |n| n.to_string()))
                " / "
                (s.events_waiting.map_or("–".into(), |n| n.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjungan::sync::status::{AlertStatus, PrinterStatus};

    fn row(id: &str, silent: Option<i64>) -> Row {
        Row {
            id: id.into(),
            last_contact: silent.map(|_| "2026-12-01T01:00:00Z".into()),
            silent_seconds: silent,
            agent: None,
            status: Status::default(),
        }
    }

    #[test]
    fn the_worst_come_first() {
        let fine = row("a-fine", Some(60));
        let mut alert = row("b-alert", Some(60));
        alert.status.alerts = Some(AlertStatus {
            open: 2,
            newest: None,
        });
        let mut paper = row("c-paper", Some(60));
        paper.status.printer = Some(PrinterStatus {
            state: "paper-out".into(),
            since: None,
            paper_mm: Some(58),
        });
        let silent = row("d-silent", Some(5 * 3600));
        let never = row("e-never", None);
        let mut ready = row("f-ready", Some(30));
        ready.status.printer = Some(PrinterStatus {
            state: "ready".into(),
            ..PrinterStatus::default()
        });
        let mut rows = vec![fine, alert, paper, silent, never, ready];
        rank(&mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            order,
            [
                "e-never", "d-silent", "c-paper", "b-alert", "a-fine", "f-ready"
            ]
        );
        assert_eq!(rows[1].silent(), Some(Some(5)));
        assert_eq!(rows[0].silent(), Some(None));
        assert_eq!(rows[4].silent(), None);
    }
}
