//! The Queue page: per prefix today, the number now served and its
//! counter, how many wait; and the counter staff's three buttons (call the
//! next number to a counter, call it again, skip it) through the same
//! `anjungan::queue` functions as `anjungan queue call|recall|skip`.

use std::sync::Arc;

use anjungan::Lang;
use anjungan::queue::{self, Called, PrefixStatus};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, csrf, notice};
use super::logins::Visit;
use super::{Dashboard, failure, stale_form};

pub async fn show(State(d): State<Arc<Dashboard>>, Extension(visit): Extension<Visit>) -> Response {
    render(&d, &visit, None).await
}

async fn render(d: &Arc<Dashboard>, visit: &Visit, done: Option<(bool, String)>) -> Response {
    let now = chrono::Local::now().fixed_offset();
    let all = d
        .blocking(move |_, store| {
            let catalog = anjungan::catalog::load(store)?;
            Ok(queue::status(store, &queue::prefixes(&catalog), now)?)
        })
        .await;
    match all {
        Ok(all) => super::html(StatusCode::OK, page(d, visit, &all, done)),
        Err(e) => failure(visit, &e),
    }
}

#[derive(Deserialize)]
pub struct CallForm {
    #[serde(default)]
    csrf: String,
    /// Empty: no counter named.
    #[serde(default)]
    counter: String,
}

/// What a button asks.
#[derive(Debug, Clone, Copy)]
enum Ask {
    Next,
    Again,
    Skip,
}

pub async fn call(
    s: State<Arc<Dashboard>>,
    v: Extension<Visit>,
    p: Path<String>,
    f: Form<CallForm>,
) -> Response {
    act(s, v, p, f, Ask::Next).await
}

pub async fn recall(
    s: State<Arc<Dashboard>>,
    v: Extension<Visit>,
    p: Path<String>,
    f: Form<CallForm>,
) -> Response {
    act(s, v, p, f, Ask::Again).await
}

pub async fn skip(
    s: State<Arc<Dashboard>>,
    v: Extension<Visit>,
    p: Path<String>,
    f: Form<CallForm>,
) -> Response {
    act(s, v, p, f, Ask::Skip).await
}

async fn act(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    Path(typed): Path<String>,
    Form(form): Form<CallForm>,
    ask: Ask,
) -> Response {
    if !visit.csrf_ok(&form.csrf) {
        return stale_form(&visit);
    }
    let lang = visit.lang;
    let counter = match form.counter.trim() {
        "" => None,
        c => match c.parse::<u8>() {
            Ok(n) if (1..=queue::MAX_COUNTER).contains(&n) => Some(n),
            _ => {
                let text = match lang {
                    Lang::Id => format!("Loket adalah angka 1 sampai {}.", queue::MAX_COUNTER),
                    Lang::En => format!("A counter is a number from 1 to {}.", queue::MAX_COUNTER),
                };
                return render(&d, &visit, Some((false, text))).await;
            }
        },
    };
    let now = chrono::Local::now().fixed_offset();
    let outcome = d
        .blocking(move |_, store| {
            let catalog = anjungan::catalog::load(store)?;
            let prefix = match queue::prefix(&catalog, &typed) {
                Ok(p) => p,
                Err(e) => return Ok(Err(e.to_string())),
            };
            let said = match ask {
                Ask::Next => queue::call_next(store, &prefix, counter, now)?
                    .map(|c| called(lang, &c))
                    .ok_or_else(|| nobody(lang, &prefix)),
                Ask::Again => queue::recall(store, &prefix, counter, now)?
                    .map(|c| called(lang, &c))
                    .ok_or_else(|| nothing_served(lang, &prefix)),
                Ask::Skip => match queue::skip(store, &prefix, counter, now)? {
                    None => Err(nothing_served(lang, &prefix)),
                    Some(s) => Ok(format!(
                        "{} {}. {}",
                        lang.choose("Dilewati:", "Skipped:"),
                        s.skipped.number(),
                        s.next
                            .map_or_else(|| nobody(lang, &prefix), |c| called(lang, &c))
                    )),
                },
            };
            Ok(said)
        })
        .await;
    match outcome {
        Ok(Ok(text)) => render(&d, &visit, Some((true, text))).await,
        Ok(Err(text)) => render(&d, &visit, Some((false, text))).await,
        Err(e) => failure(&visit, &e),
    }
}

fn called(lang: Lang, c: &Called) -> String {
    match (c.counter, lang) {
        (Some(n), Lang::Id) => format!("Dipanggil: {} ke loket {n}.", c.number()),
        (Some(n), Lang::En) => format!("Called: {} to counter {n}.", c.number()),
        (None, _) => format!("{} {}.", lang.choose("Dipanggil:", "Called:"), c.number()),
    }
}

fn nobody(lang: Lang, prefix: &str) -> String {
    match lang {
        Lang::Id => format!("Tidak ada yang menunggu nomor {prefix} hari ini."),
        Lang::En => format!("Nobody waits for a number {prefix} today."),
    }
}

fn nothing_served(lang: Lang, prefix: &str) -> String {
    match lang {
        Lang::Id => format!("Belum ada nomor {prefix} yang sedang dilayani; panggil dulu."),
        Lang::En => format!("No number {prefix} is being served; call one first."),
    }
}

fn page(
    d: &Dashboard,
    visit: &Visit,
    all: &[PrefixStatus],
    done: Option<(bool, String)>,
) -> Markup {
    let lang = visit.lang;
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let body = html! {
        @if let Some((ok, text)) = done { (notice(ok, &text)) }
        @if all.is_empty() {
            section { p { (t("Tidak ada layanan katalog yang memakai nomor antrean.", "No service of the catalog takes queue numbers.")) } }
        }
        div.grid style="gap:0 .8em" {
            @for s in all {
                section.queue id={ "queue-" (s.prefix) } style="padding:.3em .8em;margin:.4em 0" {
                    p style="margin:.2em 0" {
                        strong style="font-size:1.2em" { (s.prefix) } " · "
                        (t("dilayani ", "served ")) strong.served {
                            (s.last_called.as_deref().unwrap_or("–"))
                            @if let Some(c) = s.counter { " · " (t("loket ", "counter ")) (c) }
                        }
                        " · " (t("menunggu ", "waiting ")) strong.waiting { (s.waiting) }
                        " · " (t("diambil ", "taken ")) (s.taken)
                    }
                    form method="post" action={ "/queue/" (s.prefix) "/call" } {
                        (csrf(visit))
                        label style="display:inline" { (t("Loket", "Counter")) " "
                            input type="number" name="counter" min="1" max=(queue::MAX_COUNTER) style="width:5em"
                                value=(s.counter.map_or(String::new(), |c| c.to_string()));
                        }
                        button.call type="submit" { (t("Panggil berikutnya", "Call next")) }
                        " "
                        button.quiet.recall type="submit" formaction={ "/queue/" (s.prefix) "/recall" } { (t("Panggil lagi", "Call again")) }
                        " "
                        button.danger.skip type="submit" formaction={ "/queue/" (s.prefix) "/skip" } { (t("Lewati", "Skip")) }
                    }
                }
            }
        }
    };
    layout::page(
        visit,
        d.device_name(),
        "/queue",
        t("Antrean", "Queue"),
        body,
    )
}
