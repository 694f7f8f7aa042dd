//! The dashboard's frame: one style (no outside file, readable on a phone
//! and a laptop), the menu of pages, the language switch and the logout
//! button; and the small pieces every page uses. Pure markup (maud
//! escapes every value).

use anjungan::Lang;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::logins::Visit;

const STYLE: &str = "*{box-sizing:border-box}body{font-family:sans-serif;margin:0;line-height:1.45;color:#111;background:#f4f4f4}\
header{background:#123;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;align-items:center;gap:.5em 1em}\
header b{font-size:1.1em;margin-right:auto}header a{color:#fff}\
nav{display:flex;flex-wrap:wrap;gap:.3em;padding:.5em 1em;background:#dde}\
nav a{padding:.45em .8em;border-radius:4px;text-decoration:none;color:#123;border:1px solid #99a}\
nav a[aria-current]{background:#123;color:#fff;font-weight:bold}\
main{max-width:72em;margin:0 auto;padding:.5em 1em}\
section{background:#fff;border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:.8em 0}\
h1{font-size:1.35em;margin:.4em 0}h2{font-size:1.1em;margin:.3em 0}\
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15em,1fr));gap:0 1.2em}\
dl{margin:0}dt{font-weight:bold;margin-top:.4em}dd{margin:0 0 .2em 0}\
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #ddd;vertical-align:top}\
button,input,select,textarea{font:inherit;padding:.45em .6em;margin:.15em 0}\
button{background:#0a5;color:#fff;border:0;border-radius:4px;cursor:pointer}button.quiet{background:#567}button.danger{background:#b22}\
form.inline{display:inline}label{display:block;margin-top:.4em}\
.err{border-color:#b00;background:#fee}.ok{border-color:#070;background:#efe}.warn{font-weight:bold}\
svg.chart{width:100%;max-width:48em;height:auto;display:block}small{color:#555}\
@media print{header,nav,form{display:none}body{background:#fff}section{border:0}}";

/// The pages in the menu: path, Indonesian and English names.
pub const PAGES: &[(&str, &str, &str)] = &[
    ("/", "Kesehatan", "Health"),
    ("/wifi", "Wi-Fi", "Wi-Fi"),
    ("/queue", "Antrean", "Queue"),
    ("/survey", "Survei & pengaduan", "Survey & complaints"),
    ("/catalog", "Katalog", "Catalog"),
];

/// A page without the menu (login, refusals).
pub fn bare(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Anjungan" }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// A page of the dashboard: `current` is its path in [`PAGES`].
pub fn page(visit: &Visit, device: &str, current: &str, title: &str, body: Markup) -> Markup {
    let lang = visit.lang;
    let other = lang.other();
    bare(
        lang,
        title,
        html! {
            header {
                b { "Anjungan · " (device) }
                a href={ (current) "?lang=" (other.code()) } lang=(other.code()) {
                    (other.choose("Bahasa Indonesia", "English"))
                }
                form.inline method="post" action="/logout" {
                    (csrf(visit))
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
pub fn csrf(visit: &Visit) -> Markup {
    html! { input type="hidden" name="csrf" value=(visit.csrf); }
}

/// A message box at the top of a page: what an action did, or why not.
pub fn notice(ok: bool, text: &str) -> Markup {
    html! { section.ok[ok].err[!ok] role="status" id="notice" { (text) } }
}
