//! Why a survey answer, a complaint or a look-up was not taken, in the
//! visitor's words (one line that says what to do), and as an HTTP status.

use anjungan::Lang;
use anjungan::voice::{complaint, survey};
use axum::http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The form's token is old or not the portal's.
    StaleForm,
    /// Too many tries from this address.
    TooManyAttempts,
    /// Too many complaints from all guests together (a flood).
    Busy,
    /// The device's MAC is not known: it cannot be held to one answer a day.
    NotIdentified,
    /// This device already answered for this service today.
    AlreadyAnswered,
    /// A value no form of ours sends (an answer of "x", an unknown code).
    NotOnTheForm,
    /// A service the catalog does not have.
    UnknownService,
    /// The domain's rules of a survey form (nothing answered, ...).
    Survey(survey::Invalid),
    /// The domain's rules of a complaint (empty, too long, a contact
    /// without consent, ...).
    Complaint(complaint::Invalid),
    ReferenceUnknown,
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::StaleForm | Refusal::NotIdentified => StatusCode::FORBIDDEN,
            Refusal::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::AlreadyAnswered => StatusCode::CONFLICT,
            Refusal::ReferenceUnknown => StatusCode::NOT_FOUND,
            Refusal::NotOnTheForm
            | Refusal::UnknownService
            | Refusal::Survey(_)
            | Refusal::Complaint(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    pub fn text(&self, lang: Lang) -> &'static str {
        match self {
            Refusal::StaleForm => lang.choose(
                "Halaman ini sudah kedaluwarsa. Silakan isi dan kirim sekali lagi.",
                "This page has expired. Please fill it in and send it once more.",
            ),
            Refusal::TooManyAttempts => lang.choose(
                "Terlalu banyak kiriman dari perangkat ini. Tunggu beberapa menit, lalu coba lagi.",
                "Too many sent from this device. Wait a few minutes, then try again.",
            ),
            Refusal::Busy => lang.choose(
                "Banyak pengaduan masuk saat ini. Coba lagi beberapa menit lagi, atau sampaikan lewat LAPOR! (SMS 1708).",
                "Many complaints are coming in right now. Try again in a few minutes, or use LAPOR! (SMS 1708).",
            ),
            Refusal::NotIdentified => lang.choose(
                "Perangkat Anda tidak dikenali di jaringan Wi-Fi ini. Sambungkan ulang Wi-Fi, lalu coba lagi.",
                "Your device is not recognised on this Wi-Fi. Reconnect to the Wi-Fi, then try again.",
            ),
            Refusal::AlreadyAnswered => lang.choose(
                "Anda sudah mengisi survei untuk layanan ini hari ini. Terima kasih; silakan kembali besok.",
                "You already answered the survey for this service today. Thank you; you can answer again tomorrow.",
            ),
            Refusal::NotOnTheForm => lang.choose(
                "Isian tidak dikenal. Muat ulang halaman dan isi lagi.",
                "Something on the form was not understood. Reload the page and fill it in again.",
            ),
            Refusal::UnknownService => lang.choose(
                "Layanan itu tidak ada dalam daftar. Pilih dari daftar, atau pilih layanan umum.",
                "That service is not in the list. Choose one from the list, or \"in general\".",
            ),
            Refusal::Survey(invalid) => invalid.say(lang),
            Refusal::Complaint(invalid) => invalid.say(lang),
            Refusal::ReferenceUnknown => lang.choose(
                "Nomor pengaduan tidak ditemukan. Periksa lagi nomornya.",
                "No complaint has that reference. Please check the number.",
            ),
        }
    }
}
