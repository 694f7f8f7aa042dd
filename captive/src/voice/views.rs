//! The survey, complaint and look-up pages as markup, in Bahasa Indonesia
//! and English, in the portal's one layout: no JavaScript, no outside
//! assets (the LAPOR! code is inline SVG). Pure: data in, markup out.

use anjungan::Lang;
use maud::{Markup, html};

use super::forms::SurveyForm;
use super::qr;
use super::refusal::Refusal;
use crate::views::layout;

/// The national complaint channel's address, as its QR code carries it.
pub const LAPOR_URL: &str = "https://www.lapor.go.id/";

/// One of the nine elements as the visitor reads it.
#[derive(Debug, Clone)]
pub struct Question {
    pub number: u8,
    pub text: String,
    /// The answers 1 to 4 in words.
    pub words: [String; 4],
}

/// A value a field may take, with its words.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A multiple-choice field of the survey's profile or the complaint form.
#[derive(Debug, Clone)]
pub struct Field {
    /// The form field's name.
    pub name: &'static str,
    pub label: String,
    pub choices: Vec<Choice>,
}

/// The services a form offers, with the one chosen.
#[derive(Debug, Clone, Default)]
pub struct ServicePicker {
    /// (category's name, its services) in the catalog's order.
    pub groups: Vec<(String, Vec<Choice>)>,
    /// The service already chosen (`?service=`), if any.
    pub chosen: Option<String>,
    /// What the visitor searched for, to narrow a long list.
    pub query: String,
    /// True when the catalog is too long to list whole: only search hits
    /// (and the chosen service) are offered.
    pub search_only: bool,
}

/// What every voice page knows of the visitor.
#[derive(Debug, Clone, Copy)]
pub struct Visitor<'a> {
    pub lang: Lang,
    /// The form token made for this visitor.
    pub csrf: &'a str,
    /// Joined visitors can open LAPOR!; the others need the internet first.
    pub joined: bool,
}

pub struct SurveyView<'a> {
    pub visitor: Visitor<'a>,
    pub questions: &'a [Question],
    pub profile: &'a [Field],
    pub services: &'a ServicePicker,
    /// The form as last sent, so a refused visitor keeps their answers.
    pub sent: Option<&'a SurveyForm>,
    pub refusal: Option<Refusal>,
}

pub struct ComplaintView<'a> {
    pub visitor: Visitor<'a>,
    pub categories: &'a Field,
    pub services: &'a ServicePicker,
    pub max_text_chars: usize,
    pub keep_contact_days: u32,
    /// What was typed, given back after a refusal so nothing is lost.
    pub text: &'a str,
    pub contact: &'a str,
    pub refusal: Option<Refusal>,
}

/// A complaint as its citizen may see it again.
pub struct Found<'a> {
    pub reference: &'a str,
    /// The status in the visitor's words.
    pub status: &'a str,
    /// The staff's answer, if there is one.
    pub note: Option<&'a str>,
    /// When it was received, as the visitor reads a date.
    pub received: &'a str,
}

pub fn survey_page(v: &SurveyView<'_>) -> Markup {
    let lang = v.visitor.lang;
    layout(
        lang,
        lang.choose("Survei kepuasan", "Satisfaction survey"),
        html! {
            (back_home(lang))
            h1 { (lang.choose("Survei Kepuasan Masyarakat", "Public satisfaction survey")) }
            p { (lang.choose(
                "Sembilan pertanyaan tentang layanan yang Anda terima. Jawab yang Anda bisa; yang lain boleh dilewati. Tanpa nama.",
                "Nine questions about the service you received. Answer the ones you can; skip the others. No name is asked.",
            )) }
            (refusal_box(lang, v.refusal.as_ref()))
            (service_search(lang, "/survey", v.services))
            form method="post" action="/survey" {
                (hidden(v.visitor))
                (service_select(lang, v.services))
                @for q in v.questions {
                    @let name = format!("u{}", q.number);
                    @let chosen = v.sent.and_then(|f| f.chosen(&name));
                    fieldset {
                        legend { (q.number) ". " (q.text) }
                        @for (i, word) in q.words.iter().enumerate() {
                            @let value = (i + 1).to_string();
                            label.opt {
                                input type="radio" name=(name) value=(value) checked[chosen == Some(value.as_str())];
                                (i + 1) " · " (word)
                            }
                        }
                    }
                }
                h2 { (lang.choose("Tentang Anda (boleh dilewati)", "About you (you may skip this)")) }
                @for field in v.profile {
                    (select(lang, field, v.sent.and_then(|f| f.chosen(field.name))))
                }
                button id="send" type="submit" { (lang.choose("Kirim jawaban", "Send the answers")) }
            }
            (language_switch(lang, "/survey"))
        },
    )
}

pub fn thanks_page(lang: Lang) -> Markup {
    layout(
        lang,
        lang.choose("Terima kasih", "Thank you"),
        html! {
            h1 { (lang.choose("Terima kasih", "Thank you")) }
            p.box.ok role="status" { (lang.choose(
                "Jawaban Anda sudah kami terima. Hasil survei dipakai untuk memperbaiki layanan.",
                "We have received your answers. The survey's results are used to improve the services.",
            )) }
            p { a href={ "/complaint?lang=" (lang.code()) } { (lang.choose("Ada keluhan? Sampaikan pengaduan", "A complaint? Tell us")) } }
            p { a href={ "/?lang=" (lang.code()) } { (lang.choose("Ke halaman Wi-Fi", "To the Wi-Fi page")) } }
        },
    )
}

pub fn complaint_page(v: &ComplaintView<'_>) -> Markup {
    let lang = v.visitor.lang;
    layout(
        lang,
        lang.choose("Pengaduan", "Complaint"),
        html! {
            (back_home(lang))
            h1 { (lang.choose("Pengaduan dan saran", "Complaints and suggestions")) }
            p { (lang.choose(
                "Sampaikan keluhan atau saran tentang layanan. Anda akan mendapat nomor pengaduan untuk menanyakan tindak lanjutnya.",
                "Tell us about a problem or an idea. You get a reference number to ask about it later.",
            )) }
            (refusal_box(lang, v.refusal.as_ref()))
            (service_search(lang, "/complaint", v.services))
            form method="post" action="/complaint" {
                (hidden(v.visitor))
                fieldset {
                    legend { (v.categories.label) }
                    @for (i, c) in v.categories.choices.iter().enumerate() {
                        label.opt {
                            input type="radio" name=(v.categories.name) value=(c.value) checked[i == 0];
                            (c.label)
                        }
                    }
                }
                (service_select(lang, v.services))
                label for="text" { (lang.choose("Isi pengaduan atau saran", "Your complaint or suggestion")) }
                textarea id="text" name="text" rows="6" required maxlength=(v.max_text_chars) { (v.text) }
                small { (lang.choose("Paling banyak ", "At most ")) (v.max_text_chars) (lang.choose(" huruf.", " characters.")) }
                label for="contact" { (lang.choose("Nomor telepon atau e-mail (boleh kosong)", "Phone number or e-mail (optional)")) }
                input id="contact" name="contact" type="text" maxlength="254" autocomplete="off" value=(v.contact);
                label.opt {
                    input type="checkbox" name="consent" value="yes";
                    (lang.choose("Saya setuju kontak ini dipakai hanya untuk menjawab pengaduan ini; kontak dihapus setelah ", "I agree that this contact is used only to answer this complaint; it is erased after "))
                    (v.keep_contact_days)
                    (lang.choose(" hari.", " days."))
                }
                button id="send" type="submit" { (lang.choose("Kirim pengaduan", "Send the complaint")) }
            }
            p { a href={ "/complaint/status?lang=" (lang.code()) } { (lang.choose("Sudah punya nomor pengaduan? Cek statusnya", "Have a reference? Check its status")) } }
            (lapor(v.visitor))
            (language_switch(lang, "/complaint"))
        },
    )
}

/// The complaint received: its reference, to be written down.
pub fn received_page(visitor: Visitor<'_>, reference: &str) -> Markup {
    let lang = visitor.lang;
    layout(
        lang,
        lang.choose("Pengaduan diterima", "Complaint received"),
        html! {
            h1 { (lang.choose("Pengaduan Anda sudah diterima", "Your complaint has been received")) }
            p { (lang.choose("Nomor pengaduan Anda:", "Your reference:")) }
            p.ref id="reference" { (reference) }
            p { small { (lang.choose("Dibaca: ", "Read as: ")) (spelled(reference)) } }
            p.box { (lang.choose(
                "Tulis atau foto nomor ini. Dengan nomor ini Anda dapat menanyakan tindak lanjutnya di halaman Wi-Fi ini (Cek status) atau di anjungan layanan.",
                "Write this number down or take a photo of it. With it you can ask what became of your complaint on this Wi-Fi page (Check status) or at the service kiosk.",
            )) }
            p { a id="lookup" href={ "/complaint/status?lang=" (lang.code()) } { (lang.choose("Cek status pengaduan", "Check a complaint's status")) } }
            (lapor(visitor))
            p { a href={ "/?lang=" (lang.code()) } { (lang.choose("Ke halaman Wi-Fi", "To the Wi-Fi page")) } }
        },
    )
}

/// The look-up form, with what was found (or why not).
pub fn status_page(
    visitor: Visitor<'_>,
    typed: &str,
    found: Option<&Found<'_>>,
    refusal: Option<&Refusal>,
) -> Markup {
    let lang = visitor.lang;
    layout(
        lang,
        lang.choose("Status pengaduan", "Complaint status"),
        html! {
            (back_home(lang))
            h1 { (lang.choose("Status pengaduan", "Complaint status")) }
            (refusal_box(lang, refusal))
            @if let Some(f) = found {
                div.box.ok role="status" {
                    p { (lang.choose("Nomor: ", "Reference: ")) strong id="found-reference" { (f.reference) } }
                    p { (lang.choose("Diterima: ", "Received: ")) (f.received) }
                    p { (lang.choose("Status: ", "Status: ")) strong id="status" { (f.status) } }
                    @if let Some(note) = f.note {
                        p { (lang.choose("Jawaban petugas:", "The staff's answer:")) }
                        p.note id="note" { (note) }
                    }
                }
            }
            form method="post" action="/complaint/status" {
                (hidden(visitor))
                label for="reference-input" { (lang.choose("Nomor pengaduan", "Reference")) }
                input id="reference-input" name="reference" type="text" required maxlength="24" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="ADU-XXXX-XXXX" value=(typed);
                button id="lookup" type="submit" { (lang.choose("Cek status", "Check the status")) }
            }
            p { a href={ "/complaint?lang=" (lang.code()) } { (lang.choose("Sampaikan pengaduan baru", "Make a new complaint")) } }
            (lapor(visitor))
            (language_switch(lang, "/complaint/status"))
        },
    )
}

/// The reference one symbol at a time, groups apart, so it can be read
/// aloud and copied without mistaking a symbol.
pub fn spelled(reference: &str) -> String {
    reference
        .split('-')
        .map(|group| {
            group
                .chars()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" – ")
}

/// LAPOR!, the national channel, on every complaint page: a link and a QR
/// code for after joining; before, the visitor is told it needs the
/// internet.
fn lapor(visitor: Visitor<'_>) -> Markup {
    let lang = visitor.lang;
    html! {
        div.box id="lapor" {
            h2 { "LAPOR!" }
            p { (lang.choose(
                "Anda juga dapat mengadu ke SP4N-LAPOR!, kanal pengaduan nasional: ",
                "You can also complain through SP4N-LAPOR!, the national complaint channel: ",
            ))
                a href=(LAPOR_URL) { "lapor.go.id" }
                (lang.choose(" atau SMS ke 1708.", " or by SMS to 1708."))
            }
            @if !visitor.joined {
                p { small { (lang.choose(
                    "Situs lapor.go.id memerlukan internet: sambungkan Wi-Fi ini dulu di halaman utama.",
                    "The lapor.go.id site needs the internet: connect to this Wi-Fi first on the main page.",
                )) } }
            }
            @if let Some(code) = qr::svg(LAPOR_URL, "lapor.go.id") {
                (code)
            }
        }
    }
}

fn hidden(visitor: Visitor<'_>) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(visitor.csrf);
        input type="hidden" name="lang" value=(visitor.lang.code());
    }
}

fn refusal_box(lang: Lang, refusal: Option<&Refusal>) -> Markup {
    html! {
        @if let Some(r) = refusal {
            p.box.err role="alert" id="refusal" { (r.text(lang)) }
        }
    }
}

fn back_home(lang: Lang) -> Markup {
    html! {
        p { small { a href={ "/?lang=" (lang.code()) } { "← " (lang.choose("Halaman Wi-Fi", "Wi-Fi page")) } } }
    }
}

fn language_switch(lang: Lang, path: &str) -> Markup {
    html! {
        p { a href={ (path) "?lang=" (lang.other().code()) } { (lang.other().choose("Bahasa Indonesia", "English")) } }
    }
}

/// A search for the service, above the form (a form cannot hold another):
/// a long catalog is narrowed to what the visitor names.
fn service_search(lang: Lang, path: &str, picker: &ServicePicker) -> Markup {
    html! {
        form method="get" action=(path) {
            input type="hidden" name="lang" value=(lang.code());
            label for="q" { (lang.choose("Cari layanannya (boleh dilewati)", "Find the service (you may skip this)")) }
            input id="q" type="search" name="q" value=(picker.query) maxlength="200" placeholder=(lang.choose("mis. akta kelahiran", "e.g. birth certificate"));
            button type="submit" { (lang.choose("Cari", "Search")) }
        }
    }
}

fn service_select(lang: Lang, picker: &ServicePicker) -> Markup {
    let chosen = picker.chosen.as_deref();
    html! {
        label for="service" { (lang.choose("Layanan yang Anda terima", "The service you received")) }
        select id="service" name="service" {
            option value="" { (lang.choose("— Layanan umum / tidak tahu —", "— In general / not sure —")) }
            @for (group, services) in &picker.groups {
                optgroup label=(group) {
                    @for s in services {
                        option value=(s.value) selected[chosen == Some(s.value.as_str())] { (s.label) }
                    }
                }
            }
        }
        @if picker.search_only && picker.groups.is_empty() {
            small { (lang.choose("Cari layanannya di atas untuk memilihnya.", "Search for the service above to choose it.")) }
        }
    }
}

fn select(lang: Lang, field: &Field, chosen: Option<&str>) -> Markup {
    html! {
        label for=(field.name) { (field.label) }
        select id=(field.name) name=(field.name) {
            option value="" { (lang.choose("— tidak diisi —", "— not given —")) }
            @for c in &field.choices {
                option value=(c.value) selected[chosen == Some(c.value.as_str())] { (c.label) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_spelled_symbol_by_symbol() {
        assert_eq!(spelled("ADU-7K4P-9MXR"), "A D U – 7 K 4 P – 9 M X R");
    }

    #[test]
    fn before_joining_lapor_says_it_needs_the_internet() {
        let before = lapor(Visitor {
            lang: Lang::En,
            csrf: "t",
            joined: false,
        })
        .into_string();
        assert!(before.contains("needs the internet"), "{before}");
        assert!(before.contains("SMS to 1708") && before.contains("<svg"));
        let after = lapor(Visitor {
            lang: Lang::Id,
            csrf: "t",
            joined: true,
        })
        .into_string();
        assert!(!after.contains("memerlukan internet"), "{after}");
        assert!(after.contains("href=\"https://www.lapor.go.id/\""));
    }
}
