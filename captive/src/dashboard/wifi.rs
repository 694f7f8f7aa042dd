//! The Wi-Fi page: visitors now, the live sessions (end one, or give it
//! more time), vouchers (issue a batch and print it on the kiosk's printer
//! through the spool, or open it as a printable sheet), and joins per hour
//! and per day as charts.

use std::sync::Arc;

use anjungan::Lang;
use anjungan::print::{Composer, Paper, documents, send, spool, to_escpos};
use anjungan::wifi::{Session, session, voucher};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use chrono::{Local, Offset, TimeZone};
use maud::{Markup, html};
use serde::Deserialize;

use super::chart::{self, Bar};
use super::layout::{self, csrf, notice};
use super::logins::Visit;
use super::{Dashboard, failure, stale_form};
use crate::join;

/// Minutes one press of "extend" adds.
pub const EXTEND_MINUTES: i64 = 30;
/// Vouchers one batch makes at most from the page (a sheet stays a sheet).
pub const MAX_BATCH: u32 = 200;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
const DAYS_CHARTED: usize = 14;

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn show(State(d): State<Arc<Dashboard>>, Extension(visit): Extension<Visit>) -> Response {
    render(&d, &visit, None).await
}

async fn render(d: &Arc<Dashboard>, visit: &Visit, done: Option<(bool, String)>) -> Response {
    let now = d.now();
    let joins = d
        .blocking(move |_, store| {
            Ok(session::started_since(
                store,
                now - DAYS_CHARTED as i64 * DAY,
            )?)
        })
        .await;
    match joins {
        Ok(joins) => super::html(StatusCode::OK, page(d, visit, &joins, done)),
        Err(e) => failure(visit, &e),
    }
}

/// A call on the portal's sessions (database and firewall), off the
/// runtime.
async fn on_portal<T: Send + 'static>(
    d: &Dashboard,
    f: impl FnOnce(&crate::portal::Portal) -> crate::Result<T> + Send + 'static,
) -> crate::Result<T> {
    let p = d.portal.clone();
    tokio::task::spawn_blocking(move || f(&p)).await?
}

pub async fn end(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !visit.csrf_ok(&form.csrf) {
        return stale_form(&visit);
    }
    let ended = on_portal(&d, move |p| join::end(p, id)).await;
    let lang = visit.lang;
    match ended {
        Ok(Some(s)) => {
            let text = match lang {
                Lang::Id => format!("Sesi {} ({}) diakhiri.", s.ip, s.mac),
                Lang::En => format!("Session of {} ({}) ended.", s.ip, s.mac),
            };
            render(&d, &visit, Some((true, text))).await
        }
        Ok(None) => gone(&d, &visit).await,
        Err(e) => failure(&visit, &e),
    }
}

pub async fn extend(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !visit.csrf_ok(&form.csrf) {
        return stale_form(&visit);
    }
    let extended = on_portal(&d, move |p| join::extend(p, id, EXTEND_MINUTES * 60)).await;
    match extended {
        Ok(Some(s)) => {
            let text = match visit.lang {
                Lang::Id => format!("Sesi {} diperpanjang {EXTEND_MINUTES} menit.", s.ip),
                Lang::En => format!("Session of {} extended by {EXTEND_MINUTES} minutes.", s.ip),
            };
            render(&d, &visit, Some((true, text))).await
        }
        Ok(None) => gone(&d, &visit).await,
        Err(e) => failure(&visit, &e),
    }
}

async fn gone(d: &Arc<Dashboard>, visit: &Visit) -> Response {
    let text = visit.lang.choose(
        "Sesi itu sudah berakhir.",
        "That session has already ended.",
    );
    render(d, visit, Some((false, text.to_owned()))).await
}

#[derive(Deserialize)]
pub struct VoucherForm {
    #[serde(default)]
    csrf: String,
    count: u32,
    minutes: u32,
    /// `print` or `sheet`.
    action: String,
}

pub async fn vouchers(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<VoucherForm>,
) -> Response {
    if !visit.csrf_ok(&form.csrf) {
        return stale_form(&visit);
    }
    let lang = visit.lang;
    if !(1..=MAX_BATCH).contains(&form.count) || !(1..=voucher::MAX_MINUTES).contains(&form.minutes)
    {
        let text = match lang {
            Lang::Id => format!(
                "Jumlah 1 sampai {MAX_BATCH}, menit 1 sampai {}.",
                voucher::MAX_MINUTES
            ),
            Lang::En => format!(
                "Count 1 to {MAX_BATCH}, minutes 1 to {}.",
                voucher::MAX_MINUTES
            ),
        };
        return render(&d, &visit, Some((false, text))).await;
    }
    let (count, minutes, now) = (form.count, form.minutes, d.now());
    let print = form.action == "print";
    let made = d
        .blocking(move |d, store| {
            let made = voucher::issue(store, count, minutes, now)?;
            let printed = if print {
                Some(print_slips(d, store, &made, lang)?)
            } else {
                None
            };
            Ok((made, printed))
        })
        .await;
    match made {
        Err(e) => failure(&visit, &e),
        Ok((made, None)) => {
            let mut r = super::html(StatusCode::OK, sheet(&d, lang, &made));
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                header::HeaderValue::from_static("inline; filename=\"vouchers.html\""),
            );
            r
        }
        Ok((made, Some(outcome))) => {
            let ok = outcome.is_ok();
            let text = match (outcome, lang) {
                (Ok(()), Lang::Id) => format!("{} voucher dicetak.", made.len()),
                (Ok(()), Lang::En) => format!("{} vouchers printed.", made.len()),
                (Err(fault), Lang::Id) => format!(
                    "{} voucher dibuat, tetapi tidak tercetak: {fault}. Mereka menunggu di antrean cetak (sudo anjungan printer retry).",
                    made.len()
                ),
                (Err(fault), Lang::En) => format!(
                    "{} vouchers made, but not printed: {fault}. They wait in the print spool (sudo anjungan printer retry).",
                    made.len()
                ),
            };
            render(&d, &visit, Some((ok, text))).await
        }
    }
}

/// Keeps a slip per voucher in the spool, then sends them; the first
/// fault stops sending (the rest wait in the spool, as the kiosk's do).
fn print_slips(
    d: &Dashboard,
    store: &mut anjungan::store::Store,
    made: &[voucher::Voucher],
    lang: Lang,
) -> crate::Result<Result<(), String>> {
    let catalog = anjungan::catalog::load(store)?;
    let at = Local::now().fixed_offset();
    let compose = Composer {
        catalog: &catalog,
        lang,
        paper: Paper::from_mm(d.config.kiosk.paper_mm).unwrap_or(Paper::Mm80),
        by: documents::Printer {
            device_id: &d.config.device.id,
            now: at.naive_local(),
        },
    };
    let mut jobs = Vec::with_capacity(made.len());
    for v in made {
        let slip = compose.voucher(&v.code, v.minutes, &d.config.captive.ssid);
        jobs.push(spool::submit(
            store,
            spool::Kind::Voucher,
            &v.code,
            &to_escpos(&slip),
            at,
        )?);
    }
    for job in jobs {
        if let Err(fault) = send::deliver(store, &d.config.kiosk.printer, job, at)? {
            return Ok(Err(fault.to_string()));
        }
    }
    Ok(Ok(()))
}

/// The batch as a sheet to print on A4 and cut: code, minutes, network.
fn sheet(d: &Dashboard, lang: Lang, made: &[voucher::Voucher]) -> Markup {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    layout::bare(
        lang,
        t("Lembar voucher Wi-Fi", "Wi-Fi voucher sheet"),
        html! {
            style { "main{max-width:60em;margin:0 auto;padding:1em}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(14em,1fr));gap:.5em}.card{border:1px dashed #000;padding:.6em;text-align:center;break-inside:avoid}.code{font:bold 1.5em monospace;letter-spacing:.05em}" }
            main {
                h1 { (t("Voucher Wi-Fi gratis", "Free Wi-Fi vouchers")) " · " (d.device_name()) }
                p { small { (t("Cetak halaman ini (Ctrl+P) lalu gunting.", "Print this page (Ctrl+P) and cut along the lines.")) } }
                div.cards {
                    @for v in made {
                        div.card {
                            div { (t("Jaringan: ", "Network: ")) strong { (d.config.captive.ssid) } }
                            div.code { (v.code) }
                            div { (v.minutes) (t(" menit sejak dipakai pertama", " minutes from first use")) }
                        }
                    }
                }
            }
        },
    )
}

fn page(d: &Dashboard, visit: &Visit, joins: &[i64], done: Option<(bool, String)>) -> Markup {
    let lang = visit.lang;
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let now = d.now();
    let live: Vec<Session> = d.portal.sessions.live(now);
    let max = d.portal.settings.limits.max_visitors;
    let offset = i64::from(
        Local
            .offset_from_utc_datetime(&chrono::Utc::now().naive_utc())
            .fix()
            .local_minus_utc(),
    );
    let local = |at: i64| {
        chrono::DateTime::from_timestamp(at + offset, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default()
    };
    let hours: Vec<Bar> = chart::bucket(joins, now, HOUR, 24, offset, |s| {
        local(s).format("%H").to_string()
    });
    let days: Vec<Bar> = chart::bucket(joins, now, DAY, DAYS_CHARTED, offset, |s| {
        local(s).format("%d/%m").to_string()
    });
    let body = html! {
        @if let Some((ok, text)) = done { (notice(ok, &text)) }
        section {
            h2 { (t("Pengunjung sekarang", "Visitors now")) }
            p { strong id="visitors" { (live.len()) } " / " (max) }
            @if live.is_empty() {
                p { (t("Tidak ada sesi berjalan.", "No session is running.")) }
            } @else {
                div.scroll { table id="sessions" {
                    thead { tr {
                        th { "IP" } th { "MAC" } th { (t("Mulai", "Started")) } th { (t("Sisa", "Left")) } th { (t("Cara", "How")) } th {}
                    } }
                    tbody {
                        @for s in &live {
                            tr {
                                td { (s.ip) } td { code { (s.mac) } }
                                td { (local(s.started_at).format("%H:%M")) }
                                td { (s.seconds_left(now) / 60) " min" }
                                td { (match s.method { anjungan::wifi::JoinMethod::Voucher => "voucher", _ => t("klik", "click-through") }) }
                                td {
                                    form.inline method="post" action={ "/wifi/sessions/" (s.id) "/end" } {
                                        (csrf(visit))
                                        button.danger.end type="submit" data-ip=(s.ip) { (t("Akhiri", "End")) }
                                    }
                                    " "
                                    form.inline method="post" action={ "/wifi/sessions/" (s.id) "/extend" } {
                                        (csrf(visit))
                                        button.quiet.extend type="submit" { "+" (EXTEND_MINUTES) " min" }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
        section {
            h2 { (t("Voucher", "Vouchers")) }
            form method="post" action="/wifi/vouchers" {
                (csrf(visit))
                div.grid {
                    label { (t("Jumlah", "How many")) br; input id="count" type="number" name="count" min="1" max=(MAX_BATCH) value="10" required; }
                    label { (t("Menit per voucher", "Minutes each")) br; input id="minutes" type="number" name="minutes" min="1" max=(voucher::MAX_MINUTES) value=(d.config.captive.session_minutes) required; }
                }
                p {
                    button id="print-vouchers" type="submit" name="action" value="print" { (t("Buat dan cetak di kios", "Make and print on the kiosk")) }
                    " "
                    button.quiet id="sheet-vouchers" type="submit" name="action" value="sheet" { (t("Buat sebagai lembar cetak", "Make as a printable sheet")) }
                }
            }
        }
        section {
            h2 { (t("Sambungan per jam (24 jam terakhir)", "Joins per hour (last 24 hours)")) }
            (chart::bars(t("Sambungan per jam", "Joins per hour"), &hours, 3))
            h2 { (t("Sambungan per hari", "Joins per day")) " (" (DAYS_CHARTED) (t(" hari)", " days)")) }
            (chart::bars(t("Sambungan per hari", "Joins per day"), &days, 2))
            p { small { (t("Total: ", "Total: ")) (joins.len()) } }
        }
    };
    layout::page(visit, d.device_name(), "/wifi", "Wi-Fi", body)
}
