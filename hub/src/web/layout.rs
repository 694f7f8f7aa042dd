//! The page shell of the region's pages: one style (no outside file, no
//! script), the menu, the language switch, the logout button. Pure markup:
//! maud escapes every value, so a device's name or a complaint's text is
//! shown as text, never run.

use anjungan::Lang;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Staff;

const STYLE: &str = "*{box-sizing:border-box}body{font-family:sans-serif;margin:0;line-height:1.45;color:#111;background:#f4f4f4}\
header{background:#123;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;align-items:center;gap:.5em 1em}\
header b{font-size:1.1em;margin-right:auto}header a{color:#fff}\
nav{display:flex;flex-wrap:wrap;gap:.3em;padding:.5em 1em;background:#dde}\
nav a{padding:.45em .8em;border-radius:4px;text-decoration:none;color:#123;border:1px solid #99a}\
nav a[aria-current]{background:#123;color:#fff;font-weight:bold}\
main{max-width:80em;margin:0 auto;padding:.5em 1em}\
section{background:#fff;border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:.8em 0}\
h1{font-size:1.35em;margin:.4em 0}\
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #ddd;vertical-align:top}\
button,input{font:inherit;padding:.45em .6em;margin:.15em 0}\
button{background:#0a5;color:#fff;border:0;border-radius:4px;cursor:pointer}button.quiet{background:#567}\
form.inline{display:inline}label{display:block;margin-top:.4em}\
.err{border-color:#b00;background:#fee}.bad{color:#b00;font-weight:bold}small{color:#555}\
form.filters label{display:inline-block;margin:0 1em .5em 0}.text{white-space:pre-wrap}";

/// The pages in the menu: path, Indonesian and English names.
pub const PAGES: &[(&str, &str, &str)] = &[
    ("/", "Armada perangkat", "Fleet"),
    ("/catalog", "Katalog", "Catalog"),
    ("/ikm", "IKM wilayah", "Region IKM"),
    ("/complaints", "Pengaduan", "Complaints"),
];

/// A page without the menu (the login, refusals).
pub fn bare(lang: Lang, title: &str, body: Markup) -> Markup {
    bare_styled(lang, title, "", body)
}

/// [`bare`] with a page's own style after the shell's (a constant of
/// ours, never a request's text).
fn bare_styled(lang: Lang, title: &str, extra_style: &'static str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Anjungan Hub" }
                style { (PreEscaped(STYLE)) (PreEscaped(extra_style)) }
            }
            body { (body) }
        }
    }
}

/// A page behind the login: `current` is its path in [`PAGES`].
pub fn page(staff: &Staff, current: &str, title: &str, body: Markup) -> Markup {
    page_styled(staff, current, title, "", body)
}

/// [`page`] with a page's own style (the IKM report's charts).
pub fn page_styled(
    staff: &Staff,
    current: &str,
    title: &str,
    extra_style: &'static str,
    body: Markup,
) -> Markup {
    let lang = staff.lang;
    let other = lang.other();
    bare_styled(
        lang,
        title,
        extra_style,
        html! {
            header {
                b { "Anjungan Hub" }
                span { (staff.name) }
                a href={ (current) "?lang=" (other.code()) } lang=(other.code()) {
                    (other.choose("Bahasa Indonesia", "English"))
                }
                form.inline method="post" action="/logout" {
                    (csrf(staff))
                    button.quiet id="logout" type="submit" { (lang.choose("Keluar", "Log out")) }
                }
            }
            nav {
                @for (path, id, en) in PAGES {
                    @if *path == current {
                        a href=(path) aria-current="page" { (lang.choose(id, en)) }
                    } @else {
                        a href=(path) { (lang.choose(id, en)) }
                    }
                }
            }
            main {
                h1 { (title) }
                (body)
            }
        },
    )
}

/// The hidden form token every form carries.
pub fn csrf(staff: &Staff) -> Markup {
    html! { input type="hidden" name="csrf" value=(staff.csrf); }
}

/// A moment as the pages show it: RFC 3339 in UTC, readable.
pub fn moment(rfc3339: &str) -> String {
    rfc3339.replace('T', " ").replace('Z', " UTC")
}
