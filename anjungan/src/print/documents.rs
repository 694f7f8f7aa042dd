//! The documents the kiosk prints, in the language on screen: a service
//! receipt (what to bring, the steps, time, fee, where), a queue ticket, a
//! Wi-Fi voucher slip, and the slip with a complaint's reference.

use chrono::NaiveDateTime;

use super::document::{Align, Document, Paper, Style};
use crate::catalog::money::rupiah;
use crate::catalog::{Catalog, Hours, Office, Service};

/// Words printed around the catalog's text.
struct Labels {
    requirements: &'static str,
    procedure: &'static str,
    duration: &'static str,
    fee: &'static str,
    free: &'static str,
    product: &'static str,
    complaints: &'static str,
    office: &'static str,
    hours: &'static str,
    online: &'static str,
    printed: &'static str,
    ticket: &'static str,
    ahead: fn(u32) -> String,
    keep: &'static str,
    voucher: &'static str,
    network: &'static str,
    code: &'static str,
    valid: fn(u32) -> String,
    scan: &'static str,
    complaint: &'static str,
    reference: &'static str,
    ask: &'static str,
    ask_at: &'static str,
    lapor: &'static str,
    days: [&'static str; 7],
    time_sep: char,
}

const ID: Labels = Labels {
    requirements: "Persyaratan",
    procedure: "Prosedur",
    duration: "Waktu penyelesaian",
    fee: "Biaya",
    free: "Gratis",
    product: "Produk layanan",
    complaints: "Pengaduan",
    office: "Tempat layanan",
    hours: "Jam buka",
    online: "Layanan online",
    printed: "Dicetak",
    ticket: "Nomor antrean",
    ahead: |n| match n {
        0 => "Tidak ada antrean di depan Anda".into(),
        n => format!("{n} orang menunggu di depan Anda"),
    },
    keep: "Simpan tiket ini sampai dipanggil",
    voucher: "Voucher Wi-Fi gratis",
    network: "Nama jaringan",
    code: "Kode voucher",
    valid: |m| format!("Berlaku {m} menit"),
    scan: "Pindai untuk terhubung",
    complaint: "Pengaduan Anda sudah diterima",
    reference: "Nomor pengaduan",
    ask: "Simpan nomor ini. Tanyakan perkembangannya di anjungan ini atau di halaman Wi-Fi, menu Pengaduan.",
    ask_at: "Atau hubungi",
    lapor: "Anda juga dapat melapor ke LAPOR!: lapor.go.id atau SMS 1708.",
    days: ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"],
    time_sep: '.',
};

const EN: Labels = Labels {
    requirements: "Requirements",
    procedure: "Procedure",
    duration: "Time to complete",
    fee: "Fee",
    free: "Free",
    product: "What you receive",
    complaints: "Complaints",
    office: "Where",
    hours: "Opening hours",
    online: "Online service",
    printed: "Printed",
    ticket: "Queue number",
    ahead: |n| match n {
        0 => "Nobody is waiting ahead of you".into(),
        1 => "1 person is waiting ahead of you".into(),
        n => format!("{n} people are waiting ahead of you"),
    },
    keep: "Keep this ticket until you are called",
    voucher: "Free Wi-Fi voucher",
    network: "Network",
    code: "Voucher code",
    valid: |m| format!("Valid for {m} minutes"),
    scan: "Scan to connect",
    complaint: "Your complaint has been received",
    reference: "Complaint reference",
    ask: "Keep this reference. Ask how it is going at this kiosk or on the Wi-Fi page, under Complaints.",
    ask_at: "Or contact",
    lapor: "You can also report to LAPOR!: lapor.go.id or SMS 1708.",
    days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    time_sep: ':',
};

fn labels(lang: &str) -> &'static Labels {
    if lang == "en" { &EN } else { &ID }
}

/// Who printed it, for the footer: the office can tell which kiosk.
#[derive(Debug, Clone)]
pub struct Printer<'a> {
    pub device_id: &'a str,
    pub now: NaiveDateTime,
}

const CENTER: Style = Style {
    align: Align::Center,
    bold: false,
    width: 1,
    height: 1,
};
const CENTER_BOLD: Style = Style {
    align: Align::Center,
    bold: true,
    width: 1,
    height: 1,
};
const TITLE: Style = Style {
    align: Align::Left,
    bold: true,
    width: 1,
    height: 2,
};

fn header(d: &mut Document, catalog: &Catalog, office: Option<&Office>, lang: &str) {
    d.text(&catalog.bundle().region.name.to_uppercase(), CENTER_BOLD);
    if let Some(o) = office {
        d.text(o.name.get(lang), CENTER);
    }
    d.rule();
}

fn footer(d: &mut Document, l: &Labels, by: &Printer) {
    d.rule();
    let stamp = by.now.format(if l.time_sep == '.' {
        "%d-%m-%Y %H.%M"
    } else {
        "%d-%m-%Y %H:%M"
    });
    d.text(&format!("{} {stamp} | {}", l.printed, by.device_id), CENTER);
}

/// "Sen-Kam 07.30-15.30" / "Mon-Thu 07:30-15:30".
fn hours_line(h: &Hours, l: &Labels) -> String {
    const KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let day = |k: &str| {
        KEYS.iter()
            .position(|d| *d == k)
            .map_or_else(|| k.to_owned(), |i| l.days[i].to_owned())
    };
    let days = h
        .days
        .split(',')
        .map(|part| {
            part.trim()
                .split('-')
                .map(day)
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let t = |s: &str| s.replace(':', &l.time_sep.to_string());
    format!("{days} {}-{}", t(&h.open), t(&h.close))
}

/// The service receipt: everything a citizen needs to bring and do.
pub fn receipt(
    catalog: &Catalog,
    service: &Service,
    lang: &str,
    paper: Paper,
    by: &Printer,
) -> Document {
    let l = labels(lang);
    let office = service.office.as_deref().and_then(|id| catalog.office(id));
    let mut d = Document::new(paper);
    header(&mut d, catalog, office, lang);
    d.text(service.name.get(lang), TITLE);
    if let Some(s) = &service.summary {
        d.text(s.get(lang), Style::default());
    }
    d.feed(1);
    if !service.requirements.is_empty() {
        d.text(
            l.requirements,
            Style {
                bold: true,
                ..Style::default()
            },
        );
        for r in &service.requirements {
            d.hanging(r.get(lang), "[ ] ", Style::default());
        }
        d.feed(1);
    }
    if !service.procedure.is_empty() {
        d.text(
            l.procedure,
            Style {
                bold: true,
                ..Style::default()
            },
        );
        for (i, step) in service.procedure.iter().enumerate() {
            d.hanging(step.get(lang), &format!("{}. ", i + 1), Style::default());
        }
        d.feed(1);
    }
    if let Some(t) = &service.duration {
        d.field(l.duration, t.get(lang));
    }
    if let Some(fee) = &service.fee {
        let amount = if fee.is_free() {
            l.free.to_owned()
        } else {
            rupiah(fee.amount)
        };
        d.field(l.fee, &amount);
        // The note says what the amount cannot ("per m2", "tax itself is
        // 10%"): on its own lines under the amount.
        if let Some(note) = &fee.note {
            d.hanging(note.get(lang), "  ", Style::default());
        }
    }
    if let Some(p) = &service.product {
        d.field(l.product, p.get(lang));
    }
    if let Some(c) = &service.complaints {
        d.field(l.complaints, c.get(lang));
    }
    if let Some(o) = office {
        d.feed(1);
        d.field(l.office, &format!("{}, {}", o.name.get(lang), o.address));
        if let Some(phone) = &o.phone {
            d.hanging(phone, "  ", Style::default());
        }
        if !o.hours.is_empty() {
            d.text(
                l.hours,
                Style {
                    bold: true,
                    ..Style::default()
                },
            );
            for h in &o.hours {
                d.hanging(&hours_line(h, l), "  ", Style::default());
            }
        }
    }
    if let Some(url) = &service.online_url {
        d.feed(1);
        d.text(l.online, CENTER_BOLD);
        d.qr(url, qr_module(paper, url));
        d.text(url, CENTER);
    }
    footer(&mut d, l, by);
    d.cut();
    d
}

/// QR modules as large as the paper allows, for phone cameras: up to 6
/// dots (58 mm) or 8 dots (80 mm), smaller for long addresses so the code
/// with its quiet zone still fits the paper.
fn qr_module(paper: Paper, data: &str) -> u8 {
    let preferred: u32 = match paper {
        Paper::Mm58 => 6,
        Paper::Mm80 => 8,
    };
    let modules = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
        .map_or(41, |q| q.width() as u32);
    (paper.dots() / (modules + 8)).clamp(1, preferred) as u8
}

/// A queue ticket as printed.
#[derive(Debug, Clone)]
pub struct TicketFace<'a> {
    /// `A001`.
    pub number: &'a str,
    pub waiting_ahead: u32,
}

/// The queue ticket: the number big, the service, how many wait ahead.
pub fn ticket(
    catalog: &Catalog,
    service: &Service,
    face: &TicketFace,
    lang: &str,
    paper: Paper,
    by: &Printer,
) -> Document {
    let l = labels(lang);
    let office = service.office.as_deref().and_then(|id| catalog.office(id));
    let mut d = Document::new(paper);
    header(&mut d, catalog, office, lang);
    d.text(l.ticket, CENTER);
    d.text(
        face.number,
        Style {
            align: Align::Center,
            bold: true,
            width: 4,
            height: 4,
        },
    );
    d.feed(1);
    d.text(service.name.get(lang), CENTER_BOLD);
    d.text(&(l.ahead)(face.waiting_ahead), CENTER);
    d.text(l.keep, CENTER);
    footer(&mut d, l, by);
    d.cut();
    d
}

/// The Wi-Fi voucher slip: the code, how long, the network, a QR code
/// that joins the network.
pub fn voucher(
    catalog: &Catalog,
    code: &str,
    minutes: u32,
    network: &str,
    lang: &str,
    paper: Paper,
    by: &Printer,
) -> Document {
    let l = labels(lang);
    let mut d = Document::new(paper);
    header(&mut d, catalog, None, lang);
    d.text(l.voucher, CENTER_BOLD);
    d.feed(1);
    d.text(&format!("{}: {network}", l.network), CENTER);
    d.text(l.code, CENTER);
    d.text(
        code,
        Style {
            align: Align::Center,
            bold: true,
            width: 2,
            height: 2,
        },
    );
    d.text(&(l.valid)(minutes), CENTER);
    d.feed(1);
    let join = crate::wifi::join_qr(network);
    d.qr(&join, qr_module(paper, &join));
    d.text(l.scan, CENTER);
    footer(&mut d, l, by);
    d.cut();
    d
}

/// The complaint slip: the reference large and as a QR code (the kiosk's
/// and the portal's look-up read it), how to ask about it, and LAPOR!, the
/// national channel. `service` is the one the complaint is about, whose
/// office is also where to ask.
pub fn complaint(
    catalog: &Catalog,
    reference: &str,
    service: Option<&Service>,
    lang: &str,
    paper: Paper,
    by: &Printer,
) -> Document {
    let l = labels(lang);
    let office = service
        .and_then(|s| s.office.as_deref())
        .and_then(|id| catalog.office(id));
    let mut d = Document::new(paper);
    header(&mut d, catalog, office, lang);
    d.text(l.complaint, CENTER_BOLD);
    d.feed(1);
    d.text(l.reference, CENTER);
    d.text(
        reference,
        Style {
            align: Align::Center,
            bold: true,
            width: 2,
            height: 2,
        },
    );
    d.qr(reference, qr_module(paper, reference));
    if let Some(s) = service {
        d.text(s.name.get(lang), CENTER);
    }
    d.feed(1);
    d.text(l.ask, Style::default());
    if let Some(o) = office
        && let Some(phone) = &o.phone
    {
        d.field(l.ask_at, &format!("{}, {phone}", o.name.get(lang)));
    }
    d.feed(1);
    d.text(l.lapor, Style::default());
    footer(&mut d, l, by);
    d.cut();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::demo;
    use crate::print::{encode::to_escpos, interpret::interpret};

    fn by() -> Printer<'static> {
        Printer {
            device_id: "bms-mpp-01",
            now: chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
                .unwrap()
                .and_hms_opt(9, 5, 0)
                .unwrap(),
        }
    }

    #[test]
    fn every_receipt_of_the_demo_fits_both_papers_in_both_languages() {
        let catalog = Catalog::new(demo::bundle(), None);
        for service in catalog.services() {
            for paper in [Paper::Mm58, Paper::Mm80] {
                for lang in ["id", "en"] {
                    let printout =
                        interpret(&to_escpos(&receipt(&catalog, service, lang, paper, &by())))
                            .unwrap();
                    assert!(
                        printout.widest_line() <= paper.columns(),
                        "{} {lang}",
                        service.id
                    );
                    assert_eq!(
                        printout.qr_codes().len(),
                        usize::from(service.online_url.is_some())
                    );
                }
            }
        }
    }

    #[test]
    fn long_addresses_shrink_the_qr_code_to_fit() {
        let long = format!("https://example.go.id/{}", "layanan/".repeat(40));
        let m = qr_module(Paper::Mm58, &long);
        let modules = qrcode::QrCode::new(&long).unwrap().width() as u32;
        assert!((modules + 8) * u32::from(m) <= 384);
        assert_eq!(qr_module(Paper::Mm80, "https://oss.go.id"), 8);
    }

    #[test]
    fn hours_in_the_citizens_language() {
        let h = Hours {
            days: "mon-thu".into(),
            open: "07:30".into(),
            close: "15:30".into(),
        };
        assert_eq!(hours_line(&h, &ID), "Sen-Kam 07.30-15.30");
        assert_eq!(hours_line(&h, &EN), "Mon-Thu 07:30-15:30");
    }

    #[test]
    fn the_complaint_slip_carries_the_reference_as_text_and_qr_and_lapor() {
        let catalog = Catalog::new(demo::bundle(), None);
        let service = catalog
            .services()
            .iter()
            .find(|s| s.office.is_some())
            .unwrap();
        for paper in [Paper::Mm58, Paper::Mm80] {
            for lang in ["id", "en"] {
                let doc = complaint(&catalog, "ADU-7K4P-9MXR", Some(service), lang, paper, &by());
                let printout = interpret(&to_escpos(&doc)).unwrap();
                assert!(printout.widest_line() <= paper.columns(), "{lang}");
                assert_eq!(printout.qr_codes(), ["ADU-7K4P-9MXR"]);
                // Words as read, whatever the wrapping.
                let text = printout
                    .text(paper)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                assert!(text.contains("ADU-7K4P-9MXR"), "{text}");
                assert!(
                    text.contains("lapor.go.id") && text.contains("SMS 1708"),
                    "{text}"
                );
                assert!(text.contains(service.name.get(lang)), "{text}");
            }
        }
        let text = interpret(&to_escpos(&complaint(
            &catalog,
            "ADU-7K4P-9MXR",
            None,
            "id",
            Paper::Mm58,
            &by(),
        )))
        .unwrap()
        .text(Paper::Mm58);
        assert!(text.contains("Pengaduan Anda sudah diterima"), "{text}");
    }
}
