//! The Health page: the device (id, name, version, uptime), its disk,
//! memory and temperature, the printer and the jobs waiting in the print
//! spool, the catalog in use, and the alerts with an acknowledge button.

use std::sync::Arc;

use anjungan::alert::{self, Alert};
use anjungan::catalog::{self, Installed};
use anjungan::print::{spool, transport};
use anjungan::sync::{self, state::StepState};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, csrf, notice};
use super::logins::Visit;
use super::machine::{self, Machine};
use super::{Dashboard, failure, stale_form};

/// Alerts shown at most.
const ALERTS: usize = 50;

struct Facts {
    machine: Machine,
    /// `Ok`: ready; `Err`: what is wrong, in words.
    printer: Result<(), String>,
    /// Since when the kiosk has seen it so (RFC 3339, UTC); `None`: asked
    /// now, the kiosk never did.
    printer_since: Option<String>,
    waiting: Vec<spool::Pending>,
    catalog: Option<Installed>,
    demo_services: usize,
    /// What `anjungan sync` did last, per step (none before its first try).
    sync: Vec<StepState>,
    alerts: Vec<Alert>,
}

fn gather(d: &Dashboard, store: &mut anjungan::store::Store) -> crate::Result<Facts> {
    let catalog = catalog::load(store)?;
    // The kiosk's last word on the printer when it has one: asking a USB
    // printer while the kiosk prints would get in its way.
    let (printer, printer_since) = match spool::printer_state(store)? {
        Some(state) => (state.fault.map_or(Ok(()), Err), Some(state.since)),
        None => (
            transport::status(&d.config.kiosk.printer).map_err(|f| f.code().to_owned()),
            None,
        ),
    };
    Ok(Facts {
        machine: machine::read(&d.config.device.data_dir),
        printer,
        printer_since,
        waiting: spool::pending(store)?,
        catalog: catalog.installed().cloned(),
        demo_services: catalog.services().len(),
        sync: sync::state::all(store)?,
        alerts: alert::recent(store, ALERTS)?,
    })
}

pub async fn show(State(d): State<Arc<Dashboard>>, Extension(visit): Extension<Visit>) -> Response {
    render(&d, &visit, None).await
}

async fn render(d: &Arc<Dashboard>, visit: &Visit, done: Option<(bool, String)>) -> Response {
    match d.blocking(gather).await {
        Ok(facts) => super::html(StatusCode::OK, page(d, visit, &facts, done)),
        Err(e) => failure(visit, &e),
    }
}

#[derive(Deserialize)]
pub struct AckForm {
    #[serde(default)]
    csrf: String,
}

pub async fn acknowledge(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<i64>,
    Form(form): Form<AckForm>,
) -> Response {
    if !visit.csrf_ok(&form.csrf) {
        return stale_form(&visit);
    }
    let now = chrono::Utc::now();
    match d
        .blocking(move |_, store| Ok(alert::acknowledge(store, id, now)?))
        .await
    {
        Ok(done) => {
            let lang = visit.lang;
            let text = if done {
                lang.choose(
                    "Peringatan ditandai sudah ditangani.",
                    "Alert acknowledged.",
                )
            } else {
                lang.choose(
                    "Peringatan itu sudah ditangani.",
                    "That alert was already acknowledged.",
                )
            };
            render(&d, &visit, Some((done, text.to_owned()))).await
        }
        Err(e) => failure(&visit, &e),
    }
}

fn page(d: &Dashboard, visit: &Visit, f: &Facts, done: Option<(bool, String)>) -> Markup {
    let lang = visit.lang;
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let unknown = t("tidak diketahui", "unknown");
    let m = &f.machine;
    let open = f
        .alerts
        .iter()
        .filter(|a| a.acknowledged_at.is_none())
        .count();
    let body = html! {
        @if let Some((ok, text)) = done { (notice(ok, &text)) }
        div.grid {
            section {
                h2 { (t("Perangkat", "Device")) }
                dl {
                    dt { (t("Nama", "Name")) } dd { (d.config.device.name) }
                    dt { "ID" } dd id="device-id" { (d.config.device.id) }
                    dt { (t("Versi", "Version")) } dd { (env!("CARGO_PKG_VERSION")) }
                    dt { (t("Menyala sejak", "Up for")) }
                    dd { (m.uptime.map_or(unknown.to_owned(), machine::duration)) }
                    dt { (t("Portal berjalan", "Portal running for")) }
                    dd { (machine::duration((d.now() - d.started).max(0) as u64)) }
                }
            }
            section {
                h2 { (t("Penyimpanan dan memori", "Storage and memory")) }
                dl {
                    dt { (t("Disk data", "Data disk")) " " small { (d.config.device.data_dir.display()) } }
                    dd id="disk" { (space(m.disk, lang)) }
                    dt { (t("Memori", "Memory")) } dd id="memory" { (space(m.memory, lang)) }
                    dt { (t("Suhu CPU", "CPU temperature")) }
                    dd id="temperature" {
                        @match m.temperature {
                            Some(c) => { (format!("{c:.1} °C")) @if c >= 80.0 { " " strong.warn { (t("panas!", "hot!")) } } },
                            None => (t("tidak ada sensor", "no sensor on this board")),
                        }
                    }
                }
            }
            section {
                h2 { (t("Printer", "Printer")) }
                p id="printer" {
                    @match &f.printer {
                        Ok(()) => (t("Siap", "Ready")),
                        Err(code) => strong.warn { (fault_text(code, lang)) },
                    }
                    @if let Some(since) = &f.printer_since { " " small { (t("sejak ", "since ")) (since) } }
                }
                p { (t("Menunggu dicetak: ", "Jobs waiting: ")) strong id="jobs-waiting" { (f.waiting.len()) } }
                @if !f.waiting.is_empty() {
                    ul {
                        @for j in f.waiting.iter().take(10) {
                            li { (j.kind) " " (j.label) " · " (j.created_at) " · " (j.last_fault.as_deref().unwrap_or("")) }
                        }
                    }
                    p { small { (t("Cetak ulang di perangkat: ", "Print them again on the device: ")) code { "sudo anjungan printer retry" } } }
                }
            }
            section {
                h2 { (t("Katalog", "Catalog")) }
                p id="catalog-in-use" {
                    @match &f.catalog {
                        Some(i) => { (i.region_name) ", " (t("terbit ", "published ")) (i.published) ", " (i.services) (t(" layanan", " services")) br; small { (t("dipasang ", "installed ")) (i.installed_at) } },
                        None => { (t("Katalog contoh bawaan", "The built-in demo catalog")) " (" (f.demo_services) (t(" layanan)", " services)")) },
                    }
                }
                // The last pull of the region's catalog and push of events:
                // a failure shows its reason and the next try.
                ul id="sync" {
                    @if f.sync.is_empty() {
                        li { (t("Belum pernah sinkron dengan wilayah.", "Never synced with the region.")) }
                    }
                    @for s in &f.sync {
                        li {
                            (match s.step { sync::state::Step::Pull => t("Ambil katalog", "Catalog pull"), sync::state::Step::Push => t("Kirim data", "Events push") })
                            ": " (s.outcome) " · " (t("terakhir ", "last ")) (s.last_try_at)
                            @if let Some(ok) = &s.last_ok_at { " · " (t("berhasil ", "succeeded ")) (ok) }
                            @if s.failed() { br; small { (s.detail) " · " (t("coba lagi ", "next try ")) (s.next_try_at) } }
                        }
                    }
                }
            }
        }
        section id="alerts" {
            h2 { (t("Peringatan", "Alerts")) " (" (open) (t(" terbuka)", " open)")) }
            @if f.alerts.is_empty() {
                p { (t("Tidak ada peringatan.", "No alerts.")) }
            } @else {
                div.scroll { table {
                    thead { tr { th { (t("Waktu", "When")) } th { (t("Jenis", "Kind")) } th { (t("Keterangan", "Detail")) } th {} } }
                    tbody {
                        @for a in &f.alerts {
                            tr {
                                td { (a.at) } td { (alert_kind(&a.kind, lang)) } td { (a.detail) }
                                td {
                                    @match &a.acknowledged_at {
                                        Some(at) => small { (t("ditangani ", "acknowledged ")) (at) },
                                        None => form.inline method="post" action={ "/alerts/" (a.id) "/ack" } {
                                            (csrf(visit))
                                            button.ack type="submit" { (t("Tandai ditangani", "Acknowledge")) }
                                        },
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    };
    layout::page(
        visit,
        d.device_name(),
        "/",
        t("Kesehatan perangkat", "Device health"),
        body,
    )
}

/// A fault code of `transport::Fault::code` in words.
fn fault_text(code: &str, lang: anjungan::Lang) -> &str {
    match code {
        "paper-out" => lang.choose("Kertas habis", "Out of paper"),
        "cover-open" => lang.choose("Tutup printer terbuka", "Cover open"),
        "offline" => lang.choose("Printer offline", "Offline"),
        "no-answer" => lang.choose("Printer tidak menjawab", "Not answering"),
        "unreachable" => lang.choose("Printer tidak terjangkau", "Cannot be reached"),
        "not-configured" => lang.choose(
            "Tidak ada printer ([kiosk] printer)",
            "No printer configured ([kiosk] printer)",
        ),
        other => other,
    }
}

fn alert_kind(kind: &str, lang: anjungan::Lang) -> &str {
    match kind {
        "call-staff" => lang.choose("Panggil petugas", "Call staff"),
        other => other,
    }
}

fn space(s: Option<machine::Space>, lang: anjungan::Lang) -> String {
    match s {
        None => lang.choose("tidak diketahui", "unknown").to_owned(),
        Some(s) => format!(
            "{} {} {} ({}% {})",
            machine::bytes(s.free),
            lang.choose("bebas dari", "free of"),
            machine::bytes(s.total),
            s.used_percent(),
            lang.choose("terpakai", "used")
        ),
    }
}
