//! `/complaints`: the inbox across the region's devices, newest first,
//! by status and device; `/complaints/{device}:{reference}`: one
//! complaint, its changes, and the form that sets its status with an
//! answer the citizen sees on the device's look-up.

use anjungan::voice::complaint::{Reference, Status};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::auth::page_response;
use super::{Staff, bad_request, failure, layout};
use crate::Hub;
use crate::complaints::{self, MAX_ANSWER, Selection};

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    device: String,
}

fn status_of(code: &str) -> Option<Status> {
    Status::ALL.iter().copied().find(|s| s.code() == code)
}

/// The path of one complaint's page.
fn href(device: &str, reference: &str) -> String {
    format!("/complaints/{device}:{reference}")
}

pub async fn inbox(staff: Staff, State(hub): State<Hub>, Query(q): Query<InboxQuery>) -> Response {
    let lang = staff.lang;
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
    let listed = match complaints::list(&hub.pool, &selection, hub.options.keep_contact_days).await
    {
        Ok(l) => l,
        Err(e) => return failure(e),
    };
    let body = html! {
        form.filters method="get" action="/complaints" {
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
                            td { a href=(href(&c.device, &c.reference)) { (c.reference) } }
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
    page_response(
        StatusCode::OK,
        layout::page(&staff, "/complaints", t("Pengaduan", "Complaints"), body),
    )
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

pub async fn complaint(staff: Staff, State(hub): State<Hub>, Path(id): Path<String>) -> Response {
    show(&hub, &staff, &id, None).await
}

async fn show(hub: &Hub, staff: &Staff, id: &str, problem: Option<String>) -> Response {
    let lang = staff.lang;
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let Some((device, reference)) = parse_id(id) else {
        return failure(crate::Error::NoSuchComplaint(id.chars().take(80).collect()));
    };
    let found = match complaints::find(
        &hub.pool,
        &device,
        &reference,
        hub.options.keep_contact_days,
    )
    .await
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
        form method="post" action=(href(&c.device, &c.reference)) {
            (layout::csrf(staff))
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
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page_response(
        status,
        layout::page(staff, "/complaints", t("Pengaduan", "Complaint"), body),
    )
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
    State(hub): State<Hub>,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let lang = staff.lang;
    if let Some(refused) = staff.form_refused(&form.csrf) {
        return refused;
    }
    let Some((device, reference)) = parse_id(&id) else {
        return failure(crate::Error::NoSuchComplaint(id.chars().take(80).collect()));
    };
    let Some(status) = status_of(&form.status) else {
        return show(
            &hub,
            &staff,
            &id,
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
        &hub.pool,
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
        Ok(()) => Redirect::to(&href(&device, reference.stored())).into_response(),
        Err(crate::Error::BadInput(why)) => show(&hub, &staff, &id, Some(why)).await,
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
