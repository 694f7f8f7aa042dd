//! The one place that decides what a document asked for is, and composes
//! it: the kiosk's print thread and `anjungan receipt` both come here, so a
//! receipt, a queue ticket, a voucher slip or a complaint slip is the same
//! from either, and
//! so is a refusal (an unknown service; a ticket for a service that takes
//! no queue numbers).

use crate::catalog::{Catalog, Service};
use crate::print::Document;
use crate::print::document::Paper;
use crate::print::documents::{self, Printer, TicketFace};
use crate::queue;
use crate::voice::complaint::Complaint;
use crate::{Error, Lang, Result};

/// What a document is composed from besides what it is about: the
/// catalog, the citizen's language, the paper and who printed it.
#[derive(Debug, Clone)]
pub struct Composer<'a> {
    pub catalog: &'a Catalog,
    pub lang: Lang,
    pub paper: Paper,
    pub by: Printer<'a>,
}

impl<'a> Composer<'a> {
    /// The service `id` of the catalog.
    pub fn service(&self, id: &str) -> Result<&'a Service> {
        service(self.catalog, id)
    }

    /// The service receipt of service `id`.
    pub fn receipt(&self, id: &str) -> Result<Document> {
        let service = self.service(id)?;
        Ok(documents::receipt(
            self.catalog,
            service,
            self.lang.code(),
            self.paper,
            &self.by,
        ))
    }

    /// The service `id` and the queue its tickets are numbered in (see
    /// [`queue`]).
    pub fn queue(&self, id: &str) -> Result<(&'a Service, &'a str)> {
        queue(self.catalog, id)
    }

    /// The ticket of a number taken for `service`.
    pub fn ticket(&self, service: &Service, taken: &queue::Ticket) -> Document {
        let face = TicketFace {
            number: &taken.number(),
            waiting_ahead: taken.waiting_ahead,
        };
        documents::ticket(
            self.catalog,
            service,
            &face,
            self.lang.code(),
            self.paper,
            &self.by,
        )
    }

    /// The slip of a complaint just made: its reference, and the service it
    /// is about if the catalog still has it.
    pub fn complaint(&self, complaint: &Complaint) -> Document {
        let service = complaint
            .service
            .as_deref()
            .and_then(|id| self.catalog.service(id));
        documents::complaint(
            self.catalog,
            &complaint.reference.to_string(),
            service,
            self.lang.code(),
            self.paper,
            &self.by,
        )
    }

    /// The slip of voucher `code`, good for `minutes` on `network`.
    pub fn voucher(&self, code: &str, minutes: u32, network: &str) -> Document {
        documents::voucher(
            self.catalog,
            code,
            minutes,
            network,
            self.lang.code(),
            self.paper,
            &self.by,
        )
    }
}

/// The service `id` and the queue its tickets are numbered in: its
/// `queue_prefix`. A service without one takes no queue numbers (the
/// catalog format says so), and there is no prefix to fall back on:
/// numbers of another queue would call the citizen to the wrong desk.
pub fn queue<'a>(catalog: &'a Catalog, id: &str) -> Result<(&'a Service, &'a str)> {
    let service = service(catalog, id)?;
    match service.queue_prefix.as_deref() {
        Some(prefix) => Ok((service, prefix)),
        None => Err(Error::NoQueue { id: id.to_string() }),
    }
}

fn service<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Service> {
    catalog
        .service(id)
        .ok_or_else(|| Error::NoSuchService { id: id.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::demo;
    use crate::print::{interpret, to_escpos};

    fn catalog() -> Catalog {
        Catalog::new(demo::bundle(), None)
    }

    fn composer(catalog: &Catalog) -> Composer<'_> {
        Composer {
            catalog,
            lang: Lang::En,
            paper: Paper::Mm58,
            by: Printer {
                device_id: "test",
                now: chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
                    .unwrap()
                    .and_hms_opt(9, 5, 0)
                    .unwrap(),
            },
        }
    }

    fn text(d: &Document) -> String {
        interpret(&to_escpos(d)).unwrap().text(Paper::Mm58)
    }

    #[test]
    fn a_service_without_a_queue_prefix_takes_no_number() {
        let mut bundle = demo::bundle();
        bundle.services[0].queue_prefix = None;
        let without = bundle.services[0].id.clone();
        let c = Catalog::new(bundle, None);
        let refused = composer(&c).queue(&without).unwrap_err();
        assert!(matches!(refused, Error::NoQueue { .. }));
        assert!(
            refused.to_string().contains("queue_prefix"),
            "says what to change: {refused}"
        );
    }

    #[test]
    fn a_service_with_a_queue_prefix_numbers_in_it() {
        let c = catalog();
        let with = c
            .services()
            .iter()
            .find(|s| s.queue_prefix.is_some())
            .unwrap();
        let (service, prefix) = composer(&c).queue(&with.id).unwrap();
        assert_eq!(Some(prefix), with.queue_prefix.as_deref());
        let taken = queue::Ticket {
            id: 1,
            day: "2026-11-30".into(),
            prefix: prefix.into(),
            seq: 7,
            service: service.id.clone(),
            waiting_ahead: 2,
        };
        let printed = text(&composer(&c).ticket(service, &taken));
        assert!(printed.contains(&format!("{prefix}007")), "{printed}");
        assert!(printed.contains("2 people are waiting"), "{printed}");
    }

    #[test]
    fn an_unknown_service_is_refused_with_the_way_to_find_one() {
        let c = catalog();
        let refused = composer(&c).receipt("no-such").unwrap_err();
        assert!(matches!(refused, Error::NoSuchService { .. }));
        assert!(refused.to_string().contains("anjungan catalog search"));
        assert!(matches!(
            composer(&c).queue("no-such"),
            Err(Error::NoSuchService { .. })
        ));
    }

    #[test]
    fn receipts_and_slips_are_in_the_composers_language() {
        let c = catalog();
        let receipt = text(&composer(&c).receipt("akta-kelahiran").unwrap());
        assert!(receipt.contains("Birth certificate"), "{receipt}");
        let slip = text(&composer(&c).voucher("ABCD-EFGH", 90, "Banyumas Free"));
        assert!(
            slip.contains("ABCD-EFGH") && slip.contains("90 minutes"),
            "{slip}"
        );
    }

    #[test]
    fn a_complaint_slip_for_a_stored_complaint() {
        use crate::voice::complaint::{self, Category, Channel, Draft};
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(&dir.path().join("a.db")).unwrap();
        let draft = Draft::new(
            "Antrean terlalu lama",
            Category::Service,
            Some("akta-kelahiran"),
            None,
            false,
            Channel::Kiosk,
        )
        .unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+07:00").unwrap();
        let made = complaint::submit(&mut store, &draft, now).unwrap();
        let c = catalog();
        let slip = text(&composer(&c).complaint(&made));
        assert!(slip.contains(&made.reference.to_string()), "{slip}");
        assert!(slip.contains("Birth certificate"), "{slip}");
        assert!(
            !slip.contains("Antrean"),
            "the complaint's text is not on the slip: {slip}"
        );
    }
}
