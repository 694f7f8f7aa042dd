//! `/ikm` and `/ikm.json`: the region's IKM per unit, service, channel,
//! device and period, with the device's own report (numbers, charts and
//! tables from `anjungan::voice::survey::html::content`).

use anjungan::voice::survey::Channel;
use anjungan::voice::survey::html as report_html;
use anjungan::voice::survey::report::Summary;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::html;
use serde::{Deserialize, Serialize};

use super::auth::page_response;
use super::{Staff, bad_request, failure, layout};
use crate::Hub;
use crate::ikm::{self, Selection};

/// The filters as a form sends them (empty fields are "all").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    device: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    unit: String,
}

impl Filters {
    /// The selection, or a sentence saying which field to correct.
    pub fn selection(&self) -> Result<Selection, String> {
        let date = |s: &str, what: &str| -> Result<Option<NaiveDate>, String> {
            match s.trim() {
                "" => Ok(None),
                s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| format!("{what}: write the date as YYYY-MM-DD")),
            }
        };
        let text = |s: &str, what: &str| -> Result<Option<String>, String> {
            match s.trim() {
                "" => Ok(None),
                s if s.chars().count() <= 64 => Ok(Some(s.to_owned())),
                _ => Err(format!("{what}: at most 64 characters")),
            }
        };
        let channel = match self.channel.trim() {
            "" => None,
            c => Some(c.parse::<Channel>()?),
        };
        let selection = Selection {
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
            device: text(&self.device, "device")?,
            service: text(&self.service, "service")?,
            channel,
            unit: text(&self.unit, "unit")?,
        };
        if let (Some(f), Some(t)) = (selection.from, selection.to)
            && f > t
        {
            return Err("from is after to; swap the dates".into());
        }
        Ok(selection)
    }
}

/// `/ikm.json`: the device's report JSON (`anjungan survey report
/// --json`) with the region's selection beside it.
#[derive(Serialize)]
pub struct RegionReport {
    pub selection: Selection,
    #[serde(flatten)]
    pub report: Summary,
}

pub async fn json(staff: Staff, State(hub): State<Hub>, Query(f): Query<Filters>) -> Response {
    let selection = match f.selection() {
        Ok(s) => s,
        Err(e) => return bad_request(e),
    };
    // The published catalog is read only when a unit needs it.
    let units = match &selection.unit {
        None => None,
        Some(_) => match ikm::published_units(&hub.pool).await {
            Ok(u) => u,
            Err(e) => return failure(e),
        },
    };
    let services = match selection.services(units.as_deref()) {
        Ok(s) => s,
        Err(e) => return bad_request(e),
    };
    match ikm::report(&hub.pool, &selection, services).await {
        Ok(report) => Json(RegionReport {
            selection,
            report: report.summary(staff.lang),
        })
        .into_response(),
        Err(e) => failure(e),
    }
}

pub async fn page(staff: Staff, State(hub): State<Hub>, Query(f): Query<Filters>) -> Response {
    let lang = staff.lang;
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let choices = match ikm::choices(&hub.pool).await {
        Ok(c) => c,
        Err(e) => return failure(e),
    };
    let units = match ikm::published_units(&hub.pool).await {
        Ok(u) => u,
        Err(e) => return failure(e),
    };
    let selection = f
        .selection()
        .and_then(|s| Ok((s.services(units.as_deref())?, s)));
    let report = match &selection {
        Ok((services, s)) => match ikm::report(&hub.pool, s, services.clone()).await {
            Ok(r) => Some(r),
            Err(e) => return failure(e),
        },
        Err(_) => None,
    };
    let option = |value: &str, chosen: &str| {
        html! { option value=(value) selected[value == chosen] { (value) } }
    };
    let body = html! {
        form.filters method="get" action="/ikm" {
            label { (t("Dari", "From")) " " input type="date" name="from" value=(f.from); }
            label { (t("Sampai", "To")) " " input type="date" name="to" value=(f.to); }
            label { (t("Perangkat", "Device")) " "
                select name="device" {
                    option value="" { (t("semua", "all")) }
                    @for d in &choices.devices { (option(d, &f.device)) }
                }
            }
            @match &units {
                Some(units) => {
                    label { (t("Unit", "Unit")) " "
                        select name="unit" {
                            option value="" { (t("semua", "all")) }
                            @for u in units {
                                option value=(u.id) selected[u.id == f.unit] {
                                    (u.name.get(lang.code()))
                                }
                            }
                        }
                    }
                }
                None => {
                    span.note {
                        (t("Unit: belum ada katalog yang diterbitkan",
                           "Unit: no catalog is published yet"))
                    }
                }
            }
            label { (t("Layanan", "Service")) " "
                select name="service" {
                    option value="" { (t("semua", "all")) }
                    @for s in &choices.services { (option(s, &f.service)) }
                }
            }
            label { (t("Saluran", "Channel")) " "
                select name="channel" {
                    option value="" { (t("semua", "all")) }
                    @for c in Channel::ALL { (option(c.code(), &f.channel)) }
                }
            }
            button type="submit" id="show" { (t("Tampilkan", "Show")) }
        }
        @match (&selection, &report) {
            (Err(why), _) => { p role="alert" { (why) } }
            (Ok((_, s)), Some(r)) => {
                p {
                    (t("Periode", "Period")) ": "
                    (s.from.map_or("…".into(), |d| d.to_string())) " – "
                    (s.to.map_or("…".into(), |d| d.to_string()))
                    " · " (t("Responden", "Respondents")) ": " (r.total.responses)
                }
                (report_html::content(r, lang))
            }
            (Ok(_), None) => {}
        }
    };
    let status = if selection.is_err() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page_response(
        status,
        layout::page_styled(
            &staff,
            "/ikm",
            t("IKM wilayah", "Region IKM"),
            report_html::STYLE,
            body,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_say_which_field_to_correct() {
        let f = |from: &str, to: &str, channel: &str| Filters {
            from: from.into(),
            to: to.into(),
            channel: channel.into(),
            ..Filters::default()
        };
        assert_eq!(f("", "", "").selection().unwrap(), Selection::default());
        let s = f("2026-01-01", "2026-06-30", "paper").selection().unwrap();
        assert_eq!(s.channel, Some(Channel::Paper));
        assert!(
            f("1/1/2026", "", "")
                .selection()
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
        assert!(
            f("", "", "sms")
                .selection()
                .unwrap_err()
                .contains("kiosk, portal or paper")
        );
        assert!(
            f("2026-07-01", "2026-06-30", "")
                .selection()
                .unwrap_err()
                .contains("swap")
        );
    }
}
