//! The portal's pages as markup, in Bahasa Indonesia and English: small,
//! no outside assets, no JavaScript, so they work in the sign-in window of
//! an old phone. Pure: data in, markup out (maud, which escapes every
//! value); `routes` serves them.

use std::borrow::Cow;

use anjungan::Lang;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::decision::Refusal;
use crate::portal::Services;

/// What the join form shows.
#[derive(Debug, Clone, Copy)]
pub struct JoinView<'a> {
    pub lang: Lang,
    pub region: &'a str,
    pub device_name: &'a str,
    /// The form's token (`csrf`), made for this visitor.
    pub csrf: &'a str,
    /// Whether the form asks for a voucher code.
    pub voucher: bool,
    /// Whether it asks for a name and password (`auth = "radius"`).
    pub account: bool,
    pub session_minutes: u32,
    /// Why the last try failed, if it did.
    pub refusal: Option<Refusal>,
}

/// What a joined visitor's page shows.
#[derive(Clone, Copy)]
pub struct JoinedView<'a> {
    pub lang: Lang,
    pub services: &'a Services,
    pub device_name: &'a str,
    pub minutes_left: i64,
    /// What they searched for, on `/layanan`.
    pub query: Option<&'a str>,
}

const STYLE: &str = "body{font-family:sans-serif;margin:0 auto;max-width:34em;padding:1em;line-height:1.45;color:#111;background:#fff}\
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em}\
.box{border:1px solid #ccc;border-radius:6px;padding:.8em;margin:.8em 0}\
.err{border-color:#b00;background:#fee}.ok{border-color:#070;background:#efe}\
button,input{font-size:1.1em;padding:.6em;width:100%;box-sizing:border-box;margin:.3em 0}\
button{background:#0a5;color:#fff;border:0;border-radius:6px}\
ul{padding-left:1.2em}li{margin:.4em 0}small{color:#555}a{color:#05a}\
fieldset{border:1px solid #ccc;border-radius:6px;margin:.8em 0;padding:.4em .8em}legend{font-weight:bold;padding:0 .3em}\
label{display:block;margin-top:.6em}label.opt{padding:.45em 0;margin:0}label.opt input{width:auto;margin:0 .6em 0 0;transform:scale(1.4)}\
select,textarea{font:inherit;font-size:1.05em;padding:.5em;width:100%;box-sizing:border-box;margin:.3em 0}\
.ref{font:bold 2em monospace;letter-spacing:.08em;margin:.2em 0}.note{white-space:pre-wrap}svg.qr{width:9em;height:9em;display:block}";

/// A whole page: `title` and `body` in the portal's one style.
pub fn layout(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// The page for an unknown path.
pub fn not_found(lang: Lang) -> Markup {
    layout(
        lang,
        lang.choose("Tidak ditemukan", "Not found"),
        html! {
            h1 { (lang.choose("Halaman tidak ditemukan", "Page not found")) }
            p { a href="/" { (lang.choose("Ke halaman Wi-Fi", "To the Wi-Fi page")) } }
        },
    )
}

fn refusal_text(lang: Lang, r: Refusal) -> Cow<'static, str> {
    let text = match r {
        Refusal::StaleForm => lang.choose(
            "Halaman ini sudah kedaluwarsa. Silakan tekan tombol sekali lagi.",
            "This page has expired. Please press the button once more.",
        ),
        Refusal::TooManyAttempts => lang.choose(
            "Terlalu banyak percobaan. Tunggu satu menit, lalu coba lagi.",
            "Too many attempts. Wait a minute, then try again.",
        ),
        Refusal::NotIdentified => lang.choose(
            "Perangkat Anda tidak dikenali di jaringan Wi-Fi ini. Sambungkan ulang Wi-Fi, lalu coba lagi.",
            "Your device is not recognised on this Wi-Fi. Reconnect to the Wi-Fi, then try again.",
        ),
        Refusal::Ended { minutes } => {
            return Cow::Owned(match lang {
                Lang::Id => format!(
                    "Petugas telah mengakhiri sesi Anda. Anda dapat tersambung lagi dalam {minutes} menit."
                ),
                Lang::En => format!(
                    "A technician ended your session. You can connect again in {minutes} minutes."
                ),
            });
        }
        Refusal::AccountMissing => lang.choose(
            "Masukkan nama pengguna dan kata sandi Anda.",
            "Enter your user name and password.",
        ),
        Refusal::AccountRejected => lang.choose(
            "Nama pengguna atau kata sandi salah, atau akun Anda tidak aktif. Periksa lagi, lalu coba lagi.",
            "Wrong user name or password, or your account is not active. Check them, then try again.",
        ),
        Refusal::AccountsUnreachable => lang.choose(
            "Server akun Wi-Fi sedang tidak dapat dihubungi, jadi belum ada yang dapat tersambung. Coba lagi beberapa menit lagi.",
            "The Wi-Fi's account server cannot be reached right now, so nobody can connect yet. Try again in a few minutes.",
        ),
        Refusal::Full => lang.choose(
            "Wi-Fi sedang penuh. Coba lagi beberapa menit lagi.",
            "The Wi-Fi is full right now. Try again in a few minutes.",
        ),
        Refusal::DailyTimeUsed => lang.choose(
            "Jatah waktu internet Anda hari ini sudah habis. Sampai jumpa besok.",
            "Your internet time for today is used up. See you tomorrow.",
        ),
        Refusal::DataDayUsed => lang.choose(
            "Kuota data internet Anda hari ini sudah habis, jadi sesi Anda berakhir. Sampai jumpa besok.",
            "Your internet data for today is used up, so your session ended. See you tomorrow.",
        ),
        Refusal::DataSessionUsed => lang.choose(
            "Sesi Anda berakhir karena kuota data satu sesi sudah habis. Tekan tombol untuk tersambung lagi.",
            "Your session ended because it used its data allowance. Press the button to connect again.",
        ),
        Refusal::VoucherMissing => lang.choose("Masukkan kode voucher.", "Enter the voucher code."),
        Refusal::VoucherUnknown => lang.choose(
            "Kode voucher tidak dikenal. Periksa lagi kodenya.",
            "Unknown voucher code. Please check the code.",
        ),
        Refusal::VoucherTaken => lang.choose(
            "Voucher ini sudah dipakai perangkat lain.",
            "This voucher was already used by another device.",
        ),
        Refusal::VoucherSpent => lang.choose("Waktu voucher ini sudah habis.", "This voucher's time is used up."),
    };
    Cow::Borrowed(text)
}

/// The join form (with a refusal, when the last try failed).
pub fn join_page(v: &JoinView<'_>) -> Markup {
    let JoinView {
        lang,
        region,
        device_name,
        csrf,
        voucher,
        account,
        session_minutes: minutes,
        refusal,
    } = *v;
    layout(
        lang,
        lang.choose("Wi-Fi Gratis", "Free Wi-Fi"),
        html! {
            p { small { (region) " · " (device_name) } }
            h1 { (lang.choose("Wi-Fi Gratis", "Free Wi-Fi")) }
            @if let Some(r) = refusal {
                p.box.err role="alert" { (refusal_text(lang, r)) }
            }
            div.box {
                h2 { (lang.choose("Syarat penggunaan", "Terms of use")) }
                ul {
                    li { (lang.choose("Layanan ini gratis dan disediakan pemerintah daerah untuk umum.", "This service is free, provided by the local government for the public.")) }
                    li { (lang.choose("Gunakan dengan sopan; dilarang untuk kegiatan melanggar hukum.", "Use it decently; unlawful use is forbidden.")) }
                    li { (lang.choose("Alamat perangkat dan waktu sambungan dicatat untuk keamanan.", "Your device address and connection times are recorded for security.")) }
                    li { (lang.choose("Satu sesi paling lama ", "One session lasts at most ")) (minutes) (lang.choose(" menit.", " minutes.")) }
                }
            }
            form method="post" action="/join" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="lang" value=(lang.code());
                @if voucher {
                    label for="voucher" { (lang.choose("Kode voucher", "Voucher code")) }
                    input id="voucher" name="voucher" type="text" required autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="20" placeholder="ABCD-EFGH";
                }
                @if account {
                    label for="username" { (lang.choose("Nama pengguna", "User name")) }
                    input id="username" name="username" type="text" required autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="253";
                    label for="password" { (lang.choose("Kata sandi", "Password")) }
                    input id="password" name="password" type="password" required autocomplete="current-password" maxlength="128";
                }
                button id="connect" type="submit" {
                    (lang.choose("Setuju dan sambungkan", "Accept and connect"))
                }
            }
            (voice_links(lang))
            p { a href={ "/?lang=" (lang.other().code()) } { (lang.other().choose("Bahasa Indonesia", "English")) } }
        },
    )
}

/// The survey and the complaint form, offered before joining and after.
fn voice_links(lang: Lang) -> Markup {
    let code = lang.code();
    html! {
        div.box {
            h2 { (lang.choose("Suara Anda", "Your voice")) }
            p { a id="survey" href={ "/survey?lang=" (code) } { (lang.choose("Isi survei kepuasan layanan", "Take the service satisfaction survey")) } }
            p { a id="complaint" href={ "/complaint?lang=" (code) } { (lang.choose("Sampaikan pengaduan atau saran", "Make a complaint or a suggestion")) } }
        }
    }
}

/// After joining: time left, the region's online services, and search.
pub fn joined_page(v: &JoinedView<'_>) -> Markup {
    let JoinedView {
        lang,
        services,
        device_name,
        minutes_left,
        query,
    } = *v;
    layout(
        lang,
        lang.choose("Tersambung", "Connected"),
        html! {
            p { small { (services.catalog.bundle().region.name) " · " (device_name) } }
            p.box.ok { (lang.choose("Anda sudah tersambung ke internet. Sisa waktu: ", "You are connected to the internet. Time left: ")) (minutes_left) (lang.choose(" menit.", " minutes.")) }
            h1 { (lang.choose("Layanan daring", "Online services")) }
            form method="get" action="/layanan" {
                input type="hidden" name="lang" value=(lang.code());
                input type="search" name="q" value=(query.unwrap_or("")) maxlength="200" placeholder=(lang.choose("Cari layanan, mis. akta kelahiran", "Search services, e.g. birth certificate"));
                button type="submit" { (lang.choose("Cari", "Search")) }
            }
            (service_list(services, lang, query))
            (voice_links(lang))
            p { a href={ "/?lang=" (lang.other().code()) } { (lang.other().choose("Bahasa Indonesia", "English")) } }
        },
    )
}

fn service_list(services: &Services, lang: Lang, query: Option<&str>) -> Markup {
    let catalog = &services.catalog;
    let code = lang.code();
    let found: Vec<_> = match query.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => services
            .index
            .search(q, 20)
            .iter()
            .map(|h| h.service(catalog))
            .collect(),
        None => catalog
            .services()
            .iter()
            .filter(|s| s.online_url.is_some())
            .collect(),
    };
    html! {
        @if found.is_empty() {
            p { (lang.choose("Tidak ada layanan yang cocok.", "No service matches.")) }
        }
        ul {
            @for s in found {
                li {
                    @match s.online_url.as_deref().filter(|u| is_web_address(u)) {
                        Some(url) => a href=(url) { (s.name.get(code)) },
                        None => strong { (s.name.get(code)) },
                    }
                    @if let Some(summary) = &s.summary {
                        br; small { (summary.get(code)) }
                    }
                }
            }
        }
    }
}

/// Only plain web addresses become links: a catalog can never put a
/// `javascript:` or `data:` link in front of a visitor.
pub fn is_web_address(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_technician_s_end_says_when_to_come_back() {
        let r = Refusal::Ended { minutes: 25 };
        assert!(refusal_text(Lang::Id, r).contains("25 menit"));
        assert!(refusal_text(Lang::En, r).contains("again in 25 minutes"));
    }

    #[test]
    fn only_web_addresses_are_links() {
        assert!(is_web_address("https://dukcapil.banyumaskab.go.id/"));
        assert!(is_web_address("HTTP://x.go.id/a?b=c"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil",
            "https://x y",
            "ftp://x",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
    }
}
