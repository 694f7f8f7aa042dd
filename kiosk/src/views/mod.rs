//! The Rust side of the views: one module per view's adapter (as
//! `ui/views/` has one file per view), each with `bind` (its callbacks)
//! and `render` (its properties, from a [`Scene`]). A new screen adds its
//! module here, a line in [`bind`] and an arm in [`render`] (and its place
//! in `session::Screen`).
//!
//! What is on screen is `render(session, catalog)`. The kiosk-wide parts
//! (theme, top bar, the cards over the screen) are filled every time, the
//! view of the current screen only, so a key typed on the search screen
//! rebuilds the results and leaves the home screen alone.

mod category;
mod complaint;
mod frame;
mod home;
mod printing;
mod search;
mod service;
mod survey;

use anjungan::catalog::Catalog;
use anjungan::search::SearchIndex;
use chrono::{DateTime, FixedOffset};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use crate::controller::{Bind, Settings};
use crate::session::{Screen, Session};
use crate::ui::{KioskAdapter, KioskWindow, Screen as UiScreen, SearchAdapter};

/// Everything a screen is drawn from.
pub struct Scene<'a> {
    pub session: &'a Session,
    pub catalog: &'a Catalog,
    pub index: &'a SearchIndex,
    pub settings: &'a Settings,
    /// The QR code that joins the free Wi-Fi (made once: it never changes).
    pub wifi_qr: &'a Image,
    /// The QR code of LAPOR! (made once).
    pub lapor_qr: &'a Image,
    /// The queue today, as the database last said (polled off the UI thread).
    pub queue: &'a [anjungan::queue::PrefixStatus],
    pub now: DateTime<FixedOffset>,
}

/// Connects every adapter's callbacks to the controller.
pub fn bind(w: &KioskWindow, b: &Bind) {
    frame::bind(w, b);
    home::bind(w, b);
    category::bind(w, b);
    search::bind(w, b);
    service::bind(w, b);
    survey::bind(w, b);
    complaint::bind(w, b);
    printing::bind(w, b);
}

/// Pushes the scene into the window's adapters.
pub fn render(w: &KioskWindow, scene: &Scene) {
    let session = scene.session;
    frame::render(w, scene);
    printing::render(w, &session.printing, scene.settings.printer);
    // The query box shows what was typed even before the search screen is
    // open again; the idle reset clears it with the session.
    w.global::<SearchAdapter>()
        .set_query(session.query.as_str().into());

    let screen = match &session.screen {
        Screen::Attract => {
            home::render(w, scene);
            UiScreen::Attract
        }
        Screen::Home => {
            home::render(w, scene);
            UiScreen::Home
        }
        Screen::Category(id) => {
            category::render(w, scene, id);
            UiScreen::Category
        }
        Screen::Search => {
            search::render(w, scene);
            UiScreen::Search
        }
        Screen::Service(id) if service::render(w, scene, id) => UiScreen::Service,
        Screen::Survey if survey::render(w, scene) => UiScreen::Survey,
        Screen::Complaint => {
            complaint::render(w, scene);
            UiScreen::Complaint
        }
        // A service the catalog cannot show, or no survey: home rather
        // than a blank page.
        Screen::Service(_) | Screen::Survey => {
            home::render(w, scene);
            UiScreen::Home
        }
    };
    w.global::<KioskAdapter>().set_screen(screen);
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

fn strings(items: &[String]) -> ModelRc<SharedString> {
    model(items.iter().map(SharedString::from).collect())
}
