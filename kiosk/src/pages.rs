//! What each screen shows, built from the catalog in one language: pure
//! functions from the domain to the views' rows and pages, tested without a
//! window. Catalog text goes through `Text::get`, so a missing English text
//! shows the Indonesian one.

use anjungan::catalog::hours::{self, OfficeStatus};
use anjungan::catalog::money::rupiah;
use anjungan::catalog::{Catalog, Service, Text};
use anjungan::queue::PrefixStatus;
use anjungan::search::SearchIndex;
use chrono::{DateTime, Datelike, FixedOffset, NaiveTime};
use slint::SharedString;

use crate::lang::Lang;
use crate::ui::{CallingRow, CategoryTile, Notice, ServiceRow};
use crate::{Error, Result};

/// Results shown for a query: more than a screen holds, fewer than a
/// citizen would scroll through.
pub const SEARCH_LIMIT: usize = 30;

fn text(t: &Text, lang: Lang) -> SharedString {
    t.get(lang.code()).into()
}

fn optional(t: &Option<Text>, lang: Lang) -> String {
    t.as_ref()
        .map(|t| t.get(lang.code()).to_string())
        .unwrap_or_default()
}

pub fn category_tiles(catalog: &Catalog, lang: Lang) -> Vec<CategoryTile> {
    catalog
        .bundle()
        .categories
        .iter()
        .map(|c| CategoryTile {
            id: c.id.as_str().into(),
            name: text(&c.name, lang),
            icon: c.icon.as_deref().unwrap_or_default().into(),
            count: catalog.services_in(&c.id).count() as i32,
        })
        .collect()
}

pub fn service_row(service: &Service, lang: Lang) -> ServiceRow {
    ServiceRow {
        id: service.id.as_str().into(),
        name: text(&service.name, lang),
        summary: optional(&service.summary, lang).into(),
    }
}

pub fn category_services(catalog: &Catalog, category: &str, lang: Lang) -> Vec<ServiceRow> {
    catalog
        .services_in(category)
        .map(|s| service_row(s, lang))
        .collect()
}

/// The foundation's one search, best first; an empty query finds nothing.
pub fn search_results(
    catalog: &Catalog,
    index: &SearchIndex,
    query: &str,
    lang: Lang,
) -> Vec<ServiceRow> {
    if query.trim().is_empty() {
        return Vec::new();
    }
    index
        .search(query, SEARCH_LIMIT)
        .iter()
        .map(|hit| service_row(hit.service(catalog), lang))
        .collect()
}

pub fn announcements(catalog: &Catalog, now: DateTime<FixedOffset>, lang: Lang) -> Vec<Notice> {
    catalog
        .announcements_at(now)
        .map(|a| Notice {
            title: text(&a.title, lang),
            body: text(&a.body, lang),
        })
        .collect()
}

/// How many called numbers the attract screen shows at most.
pub const CALLING_SHOWN: usize = 4;

/// The numbers now called (`anjungan::queue::status`), newest call first,
/// as many as the attract screen has room for.
pub fn calling(queue: &[PrefixStatus]) -> Vec<CallingRow> {
    let mut called: Vec<(&str, &str, Option<u8>)> = queue
        .iter()
        .filter_map(|q| {
            Some((
                q.called_at.as_deref()?,
                q.last_called.as_deref()?,
                q.counter,
            ))
        })
        .collect();
    // RFC 3339 in UTC orders as text.
    called.sort_by(|a, b| b.0.cmp(a.0));
    called
        .into_iter()
        .take(CALLING_SHOWN)
        .map(|(_, number, counter)| CallingRow {
            number: number.into(),
            counter: counter.map_or(0, i32::from),
        })
        .collect()
}

/// Whether the office is open, as the service screen words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Unknown,
    OpenUntil(String),
    /// Closed; the next opening time, and its weekday (0 = Monday) unless today.
    Closed {
        opens: Option<(Option<u8>, String)>,
    },
}

/// "15.00" in Indonesian, "15:00" in English, as each writes times.
pub fn clock(t: NaiveTime, lang: Lang) -> String {
    match lang {
        Lang::Id => t.format("%H.%M").to_string(),
        Lang::En => t.format("%H:%M").to_string(),
    }
}

/// One service's Standar Pelayanan and office, ready for the service screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePage {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub category: String,
    pub requirements: Vec<String>,
    pub procedure: Vec<String>,
    pub duration: String,
    /// `None` when the catalog states no fee; `Some(None)` when free;
    /// otherwise the amount in Rupiah ("Rp 50.000").
    pub fee: Option<Option<String>>,
    pub fee_note: String,
    pub product: String,
    pub complaints: String,
    pub office_name: String,
    pub office_address: String,
    pub office_phone: String,
    pub status: Status,
    pub online_url: String,
}

pub fn service_page(
    catalog: &Catalog,
    id: &str,
    now: DateTime<FixedOffset>,
    lang: Lang,
) -> Result<ServicePage> {
    let s = catalog
        .service(id)
        .ok_or_else(|| Error::UnknownService(id.to_string()))?;
    let code = lang.code();
    let office = s.office.as_deref().and_then(|o| catalog.office(o));
    let status = match office.map(|o| hours::status(&o.hours, now.naive_local())) {
        None | Some(OfficeStatus::Unknown) => Status::Unknown,
        Some(OfficeStatus::OpenUntil(t)) => Status::OpenUntil(clock(t, lang)),
        Some(OfficeStatus::Closed { next }) => Status::Closed {
            opens: next.map(|(day, t)| {
                let today = day == now.weekday();
                (
                    (!today).then(|| day.num_days_from_monday() as u8),
                    clock(t, lang),
                )
            }),
        },
    };
    Ok(ServicePage {
        id: s.id.clone(),
        name: s.name.get(code).to_string(),
        summary: optional(&s.summary, lang),
        category: catalog
            .category(&s.category)
            .map(|c| c.name.get(code).to_string())
            .unwrap_or_default(),
        requirements: s
            .requirements
            .iter()
            .map(|t| t.get(code).to_string())
            .collect(),
        procedure: s
            .procedure
            .iter()
            .map(|t| t.get(code).to_string())
            .collect(),
        duration: optional(&s.duration, lang),
        fee: s
            .fee
            .as_ref()
            .map(|f| (!f.is_free()).then(|| rupiah(f.amount))),
        fee_note: s
            .fee
            .as_ref()
            .map(|f| optional(&f.note, lang))
            .unwrap_or_default(),
        product: optional(&s.product, lang),
        complaints: optional(&s.complaints, lang),
        office_name: office
            .map(|o| o.name.get(code).to_string())
            .unwrap_or_default(),
        office_address: office.map(|o| o.address.clone()).unwrap_or_default(),
        office_phone: office.and_then(|o| o.phone.clone()).unwrap_or_default(),
        status,
        online_url: s.online_url.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calling_shows_the_newest_calls_first_and_no_more_than_fit() {
        let status = |prefix: &str, called: Option<(u32, &str)>, counter| PrefixStatus {
            prefix: prefix.into(),
            last_called: called.map(|(n, _)| format!("{prefix}{n:03}")),
            counter,
            called_at: called.map(|(_, at)| format!("2026-11-30T{at}:00Z")),
            waiting: 0,
            taken: 0,
            waiting_since: None,
        };
        let queue = [
            status("A", Some((3, "02:10")), Some(2)),
            status("B", None, None),
            status("C", Some((1, "02:30")), None),
            status("D", Some((9, "01:00")), Some(1)),
            status("E", Some((4, "02:20")), Some(4)),
            status("F", Some((2, "02:00")), Some(3)),
        ];
        let rows: Vec<(String, i32)> = calling(&queue)
            .into_iter()
            .map(|r| (r.number.into(), r.counter))
            .collect();
        assert_eq!(
            rows,
            [("C001", 0), ("E004", 4), ("A003", 2), ("F002", 3)].map(|(n, c)| (n.to_string(), c))
        );
        assert!(calling(&[status("B", None, None)]).is_empty());
    }
    use anjungan::catalog::demo;

    fn demo_catalog() -> Catalog {
        Catalog::new(demo::bundle(), None)
    }

    fn at(rfc3339: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap()
    }

    #[test]
    fn tiles_follow_the_language_and_count_services() {
        let catalog = demo_catalog();
        let id = category_tiles(&catalog, Lang::Id);
        let en = category_tiles(&catalog, Lang::En);
        assert_eq!(id.len(), 10);
        assert_eq!(id[0].name, "Kependudukan dan Pencatatan Sipil");
        assert_eq!(en[0].name, "Civil registration and ID documents");
        assert_eq!(id[0].icon, "id-card");
        assert_eq!(id.iter().map(|t| t.count).sum::<i32>(), 78);
    }

    #[test]
    fn search_uses_the_foundation_and_empty_finds_nothing() {
        let catalog = demo_catalog();
        let index = SearchIndex::build(&catalog);
        assert!(search_results(&catalog, &index, "  ", Lang::Id).is_empty());
        let rows = search_results(&catalog, &index, "ktp", Lang::Id);
        assert_eq!(rows[0].id, "ktp-el-baru");
        let expected: Vec<String> = index
            .search("ktp", SEARCH_LIMIT)
            .iter()
            .map(|h| h.service(&catalog).id.clone())
            .collect();
        let got: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        assert_eq!(got, expected, "the kiosk ranks nothing of its own");
    }

    #[test]
    fn service_page_has_the_six_parts_and_the_office_status() {
        let catalog = demo_catalog();
        // Monday 10:00 WIB: Dindukcapil is open until 15.30.
        let page = service_page(
            &catalog,
            "ktp-el-baru",
            at("2026-11-30T10:00:00+07:00"),
            Lang::Id,
        )
        .unwrap();
        assert_eq!(page.requirements.len(), 4);
        assert_eq!(page.procedure.len(), 5);
        assert!(!page.duration.is_empty());
        assert_eq!(page.fee, Some(None), "free");
        assert!(!page.product.is_empty() && !page.complaints.is_empty());
        assert_eq!(page.status, Status::OpenUntil("15.30".into()));
        assert_eq!(page.online_url, "https://dindukcapil.banyumaskab.go.id");

        // Sunday: closed, opens Monday 07.30.
        let page = service_page(
            &catalog,
            "ktp-el-baru",
            at("2026-11-29T10:00:00+07:00"),
            Lang::En,
        )
        .unwrap();
        assert_eq!(
            page.status,
            Status::Closed {
                opens: Some((Some(0), "07:30".into()))
            }
        );
        assert_eq!(page.name, "New electronic ID card (KTP-el)");
    }

    #[test]
    fn fees_are_in_rupiah() {
        let catalog = demo_catalog();
        let paid = catalog
            .services()
            .iter()
            .find(|s| s.fee.as_ref().is_some_and(|f| f.amount > 0))
            .expect("the demo catalog has a paid service");
        let page = service_page(
            &catalog,
            &paid.id,
            at("2026-11-30T10:00:00+07:00"),
            Lang::Id,
        )
        .unwrap();
        let amount = page.fee.unwrap().unwrap();
        assert!(amount.starts_with("Rp "), "{amount}");
    }

    #[test]
    fn unknown_service_is_an_error() {
        let catalog = demo_catalog();
        assert!(matches!(
            service_page(&catalog, "nope", at("2026-11-30T10:00:00+07:00"), Lang::Id),
            Err(Error::UnknownService(_))
        ));
    }
}
