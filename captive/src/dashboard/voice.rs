//! The Survey and complaints page: the IKM report (the very page of
//! `anjungan survey report --html`, charts and all, shown in a frame and
//! on its own at `/survey/report`) and the complaints inbox, where staff
//! set a complaint's status with a note to the citizen.

use std::sync::Arc;

use anjungan::Lang;
use anjungan::voice::complaint::{self, Complaint, Reference, Status};
use anjungan::voice::survey::html::{self as report_html, Heading};
use anjungan::voice::survey::report::{self, Filter};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, csrf, notice};
use super::logins::Visit;
use super::{Dashboard, failure, stale_form};

/// Complaints listed at most.
const INBOX: usize = 100;

pub async fn show(State(d): State<Arc<Dashboard>>, Extension(visit): Extension<Visit>) -> Response {
    render(&d, &visit, None).await
}

async fn render(d: &Arc<Dashboard>, visit: &Visit, done: Option<(bool, String)>) -> Response {
    let lang = visit.lang;
    let got = d
        .blocking(move |d, store| {
            // As the command line does: contacts past [voice]
            // keep_contact_days are erased before any is shown.
            let now = chrono::Local::now().fixed_offset();
            complaint::purge_contacts(store, d.config.voice.keep_contact_days, now)?;
            let summary = report::count(store, &Filter::default())?.summary(lang);
            Ok((summary, complaint::list(store, INBOX)?))
        })
        .await;
    match got {
        Ok((summary, inbox)) => super::html(StatusCode::OK, page(d, visit, &summary, &inbox, done)),
        Err(e) => failure(visit, &e),
    }
}

/// The whole report page, as the command line writes it.
pub async fn report(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
) -> Response {
    let lang = visit.lang;
    let made = d
        .blocking(move |d, store| {
            let catalog = anjungan::catalog::load(store)?;
            let counted = report::count(store, &Filter::default())?;
            let heading = Heading {
                region: catalog.bundle().region.name.clone(),
                subject: None,
                device: d.config.device.name.clone(),
                made: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
            };
            Ok(report_html::page(&counted, &heading, lang))
        })
        .await;
    match made {
        Ok(page) => Html(page).into_response(),
        Err(e) => failure(&visit, &e),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    status: String,
    #[serde(default)]
    note: String,
}

pub async fn set_status(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    Path(reference): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    if !visit.csrf_ok(&form.csrf) {
        return stale_form(&visit);
    }
    let lang = visit.lang;
    let (Some(reference), Some(status)) = (
        Reference::parse(&reference),
        Status::ALL
            .iter()
            .copied()
            .find(|s| s.code() == form.status),
    ) else {
        let text = lang.choose(
            "Referensi atau status tidak dikenal.",
            "Unknown reference or status.",
        );
        return render(&d, &visit, Some((false, text.to_owned()))).await;
    };
    let note = form.note;
    let now = chrono::Local::now().fixed_offset();
    let changed = d
        .blocking(move |_, store| {
            Ok(complaint::set_status(
                store,
                &reference,
                status,
                Some(&note),
                now,
            ))
        })
        .await;
    match changed {
        Ok(Ok(c)) => {
            let text = match lang {
                Lang::Id => format!("{}: {}.", c.reference, c.status.label(lang)),
                Lang::En => format!("{}: {}.", c.reference, c.status.label(lang)),
            };
            render(&d, &visit, Some((true, text))).await
        }
        // A note too long, or a reference gone: the technician's to fix.
        Ok(Err(e)) => render(&d, &visit, Some((false, e.to_string()))).await,
        Err(e) => failure(&visit, &e),
    }
}

fn page(
    d: &Dashboard,
    visit: &Visit,
    s: &report::Summary,
    inbox: &[Complaint],
    done: Option<(bool, String)>,
) -> Markup {
    let lang = visit.lang;
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let body = html! {
        @if let Some((ok, text)) = done { (notice(ok, &text)) }
        section {
            h2 { (t("Survei Kepuasan Masyarakat (IKM)", "Community Satisfaction Survey (IKM)")) }
            p {
                (t("Jawaban: ", "Responses: ")) strong id="responses" { (s.responses) }
                @if let (Some(ikm), Some(grade)) = (s.ikm, s.grade) {
                    " · IKM " strong { (format!("{ikm:.2}")) } " (" (grade) ", " (s.grade_label.unwrap_or("")) ")"
                }
            }
            p { a href="/survey/report" target="_blank" { (t("Buka laporan lengkap", "Open the full report")) } }
            iframe src="/survey/report" title=(t("Laporan IKM", "IKM report"))
                style="width:100%;height:70vh;border:1px solid #ccc;background:#fff" {}
        }
        section id="complaints" {
            h2 { (t("Pengaduan", "Complaints")) " (" (inbox.len()) ")" }
            @if inbox.is_empty() {
                p { (t("Belum ada pengaduan.", "No complaints yet.")) }
            }
            @for c in inbox {
                article style="border-top:1px solid #ddd;padding:.5em 0" {
                    p {
                        strong.reference { (c.reference) } " · " (c.created_at) " · " (c.channel.code())
                        " · " (c.category.label(lang))
                        @if let Some(service) = &c.service { " · " (service) }
                    }
                    p style="white-space:pre-wrap" { (c.text) }
                    @if let Some(contact) = &c.contact { p { small { (t("Kontak: ", "Contact: ")) (contact) } } }
                    @if let Some(note) = &c.note { p { small { (t("Catatan: ", "Note: ")) (note) } } }
                    form method="post" action={ "/complaints/" (c.reference) "/status" } {
                        (csrf(visit))
                        select name="status" aria-label=(t("Status", "Status")) {
                            @for st in Status::ALL {
                                option value=(st.code()) selected[*st == c.status] { (st.label(lang)) }
                            }
                        }
                        " "
                        input type="text" name="note" maxlength=(complaint::MAX_TEXT)
                            placeholder=(t("Catatan untuk warga (boleh kosong)", "Note to the citizen (optional)"));
                        " "
                        button type="submit" { (t("Simpan", "Save")) }
                    }
                }
            }
        }
    };
    layout::page(
        visit,
        d.device_name(),
        "/survey",
        t("Survei dan pengaduan", "Survey and complaints"),
        body,
    )
}
