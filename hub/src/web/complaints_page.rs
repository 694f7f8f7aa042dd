//! `/complaints`: the inbox across the region's devices, newest first,
//! by status and device; `/complaints/{device}:{reference}`: one
//! complaint, its changes, and the form that sets its status with an
//! answer the citizen sees on the device's look-up.

use std::sync::Arc;

use anjungan::Lang;
use anjungan::voice::complaint::{Reference, Status};
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::{Staff, Web, bad_request, failure, frame, lang_of};
use crate::complaints::{self, MAX_ANSWER, Selection};

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    device: String,
    #[serde(default)]
    lang: Option<String>,
}

fn status_of(code: &str) -> Option<Status> {
    Status::ALL.iter().copied().find(|s| s.code() == code)
}

/// The path of one complaint's page.
fn href(device: &str, reference: &str, lang: Lang) -> String {
    let q = if lang == Lang::En { "?lang=en" } else { "" };
    format!("/complaints/{device}:{reference}{q}")
}

pub async fn inbox(_: Staff, State(web): State<Arc<Web>>, Query(q): Query<InboxQuery>) -> Response {
    let lang = lang_of(q.lang.as_deref());
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let status = match q.status.as_str() {
        "" => None,
        s => match status_of(s) {
            Some(s) => Some(s),
            None => {
                return bad_request(format!(
                    "status {s:?}: use received, in-progress, answered or closed"
                ));
            }
        },
    };
    let device = Some(q.device.trim().to_owned()).filter(|d| !d.is_empty());
    if device.as_ref().is_some_and(|d| d.len() > 64) {
        return bad_request("device: at most 64 characters".into());
    }
    let selection = Selection { status, device };
    let listed = match complaints::list(&web.pool, &selection, web.keep_contact_days).await {
        Ok(l) => l,
        Err(e) => return failure(e),
    };
    let body = html! {
        form.filters method="get" action="/complaints" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            label { (t("Status", "Status")) " "
                select name="status" {
                    option value="" { (t("semua", "all")) }
                    @for s in Status::ALL {
                        option value=(s.code()) selected[Some(*s) == status] { (s.label(lang)) }
                    }
                }
            }
            label { (t("Perangkat", "Device")) " " input name="device" value=(q.device) maxlength="64"; }
            button type="submit" id="show" { (t("Tampilkan", "Show")) }
        }
        @if listed.is_empty() {
            p { (t("Tidak ada pengaduan untuk pilihan ini.", "No complaints for this selection.")) }
        } @else {
            table id="inbox" {
                thead { tr {
                    th { (t("Masuk", "Received")) } th { (t("Perangkat", "Device")) }
                    th { (t("Referensi", "Reference")) } th { (t("Status", "Status")) }
                    th { (t("Isi", "Text")) }
                } }
                tbody {
                    @for c in &listed {
                        tr {
                            td { (c.created_at) }
                            td { (c.device) }
                            td { a href=(href(&c.device, &c.reference, lang)) { (c.reference) } }
                            td { (status_of(&c.status).map_or(c.status.as_str(), |s| s.label(lang))) }
                            td { (c.text.chars().take(120).collect::<String>()) @if c.text.chars().count() > 120 { "…" } }
                        }
                    }
                }
            }
            @if listed.len() as i64 == complaints::PAGE {
                p { (t("Hanya 100 terbaru yang ditampilkan; saring per status atau perangkat.",
                       "Only the newest 100 are shown; filter by status or device.")) }
            }
        }
    };
    frame(t("Pengaduan", "Complaints"), lang, "", body).into_response()
}

/// `DEVICE:REFERENCE` split and checked.
fn parse_id(id: &str) -> Option<(String, Reference)> {
    let (device, reference) = id.split_once(':')?;
    let ok = (1..=64).contains(&device.len())
        && device
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    Some((
        device.to_owned(),
        Reference::parse(reference).filter(|_| ok)?,
    ))
}

pub async fn complaint(
    staff: Staff,
    State(web): State<Arc<Web>>,
    Path(id): Path<String>,
    Query(q): Query<super::LangQuery>,
) -> Response {
    show(&web, &staff, &id, q.lang(), None).await
}

async fn show(web: &Web, staff: &Staff, id: &str, lang: Lang, problem: Option<String>) -> Response {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let Some((device, reference)) = parse_id(id) else {
        return failure(crate::Error::NoSuchComplaint(id.chars().take(80).collect()));
    };
    let found = match complaints::find(&web.pool, &device, &reference, web.keep_contact_days).await
    {
        Ok(Some(f)) => f,
        Ok(None) => {
            return failure(crate::Error::NoSuchComplaint(format!(
                "{device}:{reference}"
            )));
        }
        Err(e) => return failure(e),
    };
    let (c, changes) = found;
    let q = if lang == Lang::En { "?lang=en" } else { "" };
    let body = html! {
        @if let Some(p) = &problem { p role="alert" { (p) } }
        dl {
            dt { (t("Referensi", "Reference")) } dd id="reference" { (c.reference) }
            dt { (t("Perangkat", "Device")) } dd { (c.device) }
            dt { (t("Masuk", "Received")) } dd { (c.created_at) }
            dt { (t("Saluran", "Channel")) } dd { (c.channel) }
            dt { (t("Kategori", "Category")) } dd { (c.category) }
            @if let Some(s) = &c.service { dt { (t("Layanan", "Service")) } dd { (s) } }
            dt { (t("Kontak", "Contact")) }
            dd { (c.contact.as_deref().unwrap_or(t("tidak ada atau sudah dihapus", "none, or erased"))) }
            dt { (t("Status", "Status")) }
            dd id="status" { (status_of(&c.status).map_or(c.status.as_str(), |s| s.label(lang))) }
            @if let Some(a) = &c.answer { dt { (t("Jawaban", "Answer")) } dd.text id="answer" { (a) } }
        }
        h2 { (t("Isi pengaduan", "The complaint")) }
        p.text id="text" { (c.text) }
        h2 { (t("Ubah status", "Set the status")) }
        form method="post" action={ "/complaints/" (c.device) ":" (c.reference) (q) } {
            input type="hidden" name="csrf" value=(staff.csrf);
            label { (t("Status", "Status")) " "
                select name="status" {
                    @for s in Status::ALL {
                        option value=(s.code()) selected[s.code() == c.status] { (s.label(lang)) }
                    }
                }
            }
            br;
            label { (t("Jawaban untuk warga (kosong: jawaban terakhir tetap)", "Answer to the citizen (empty: the last one stays)"))
                br;
                textarea name="answer" rows="5" cols="60" maxlength=(MAX_ANSWER) {}
            }
            br;
            button type="submit" id="save" { (t("Simpan", "Save")) }
        }
        @if !changes.is_empty() {
            h2 { (t("Riwayat", "History")) }
            table {
                @for ch in &changes {
                    tr {
                        td { (ch.at) } td { (ch.status) } td { (ch.staff) }
                        td.text { (ch.answer.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    };
    let mut response = frame(t("Pengaduan", "Complaint"), lang, "", body).into_response();
    if problem.is_some() {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    response
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    answer: String,
}

pub async fn set_status(
    staff: Staff,
    State(web): State<Arc<Web>>,
    Path(id): Path<String>,
    Query(q): Query<super::LangQuery>,
    Form(form): Form<StatusForm>,
) -> Response {
    let lang = q.lang();
    if !staff.csrf_ok(&form.csrf) {
        return (
            axum::http::StatusCode::FORBIDDEN,
            "the form is stale or came from another site; open the complaint again and resend",
        )
            .into_response();
    }
    let Some((device, reference)) = parse_id(&id) else {
        return failure(crate::Error::NoSuchComplaint(id.chars().take(80).collect()));
    };
    let Some(status) = status_of(&form.status) else {
        return show(
            &web,
            &staff,
            &id,
            lang,
            Some(
                lang.choose(
                    "Pilih status dari daftar.",
                    "Choose a status from the list.",
                )
                .into(),
            ),
        )
        .await;
    };
    match complaints::set_status(
        &web.pool,
        &device,
        &reference,
        status,
        Some(&form.answer),
        &staff.name,
    )
    .await
    {
        // Back to the page it came from, which is ours: never a redirect
        // the request chose.
        Ok(()) => Redirect::to(&href(&device, reference.stored(), lang)).into_response(),
        Err(crate::Error::BadInput(why)) => show(&web, &staff, &id, lang, Some(why)).await,
        Err(e) => failure(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_is_named_by_device_and_reference() {
        let (d, r) = parse_id("kec-a-01:ADU-7K4P-9MXR").unwrap();
        assert_eq!((d.as_str(), r.stored()), ("kec-a-01", "7K4P9MXR"));
        assert!(parse_id("kec a:ADU-7K4P-9MXR").is_none());
        assert!(parse_id("kec-a-01").is_none());
        assert!(parse_id("kec-a-01:nonsense").is_none());
    }
}
