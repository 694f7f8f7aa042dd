//! Binds a [`Session`] to the window: the adapters' callbacks change the
//! session, and after each change [`Kiosk::render`] pushes what the current
//! screen shows into the adapters. The decisions live in `session`, `pages`
//! and `idle`; this module only moves data between them and Slint.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use anjungan::catalog::Catalog;
use anjungan::search::SearchIndex;
use chrono::{DateTime, FixedOffset};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use crate::idle::{IdleClock, Phase};
use crate::lang::Lang;
use crate::pages::{self, Status};
use crate::qr;
use crate::session::{Screen, Session};
use crate::ui::{
    CategoryAdapter, HomeAdapter, KioskAdapter, KioskWindow, OfficeStatus, Screen as UiScreen,
    SearchAdapter, ServiceAdapter, Theme,
};

/// The clock the screens read ("open until", announcements); replaced in
/// tests and snapshots to make them repeatable.
pub type Clock = Rc<dyn Fn() -> DateTime<FixedOffset>>;

pub fn system_clock() -> Clock {
    Rc::new(|| chrono::Local::now().fixed_offset())
}

/// What the kiosk needs besides the catalog.
#[derive(Clone)]
pub struct Settings {
    /// `[kiosk] idle_reset_seconds`.
    pub idle_reset_seconds: u32,
    /// Shown under the region: where this device stands (`[device] name`).
    pub office: String,
    /// The free Wi-Fi network (`[captive] ssid`) the home screen's QR code joins.
    pub wifi_name: String,
    pub clock: Clock,
}

impl Settings {
    pub fn new(idle_reset_seconds: u32, office: &str, wifi_name: &str) -> Settings {
        Settings {
            idle_reset_seconds,
            office: office.to_string(),
            wifi_name: wifi_name.to_string(),
            clock: system_clock(),
        }
    }
}

struct State {
    session: Session,
    catalog: Rc<Catalog>,
    index: Rc<SearchIndex>,
    idle: IdleClock,
}

struct Inner {
    window: slint::Weak<KioskWindow>,
    state: RefCell<State>,
    settings: Settings,
    wifi_qr: Image,
    /// The language whose translations Slint has selected, to switch only on change.
    translated: Cell<Option<Lang>>,
    /// Ticks the idle clock once a second while the app runs.
    idle_timer: slint::Timer,
}

/// The kiosk's controller. Keep it alive as long as the window.
#[derive(Clone)]
pub struct Kiosk {
    inner: Rc<Inner>,
}

impl Kiosk {
    pub fn new(window: &KioskWindow, catalog: Catalog, settings: Settings) -> crate::Result<Kiosk> {
        let index = SearchIndex::build(&catalog);
        let wifi_qr = qr::image(&qr::wifi_join_text(&settings.wifi_name))?;
        let inner = Rc::new(Inner {
            window: window.as_weak(),
            state: RefCell::new(State {
                session: Session::new(),
                catalog: Rc::new(catalog),
                index: Rc::new(index),
                idle: IdleClock::new(settings.idle_reset_seconds),
            }),
            settings,
            wifi_qr,
            translated: Cell::new(None),
            idle_timer: slint::Timer::default(),
        });
        let kiosk = Kiosk { inner };
        kiosk.bind(window);
        kiosk.render();
        Ok(kiosk)
    }

    /// Changes the session (and then shows the result): the one way the
    /// callbacks, the idle reset and snapshots move the kiosk.
    pub fn update(&self, change: impl FnOnce(&mut Session)) {
        change(&mut self.inner.state.borrow_mut().session);
        self.render();
    }

    pub fn session(&self) -> Session {
        self.inner.state.borrow().session.clone()
    }

    /// Tells the views the size of the screen (the window does too on
    /// every resize; this covers the first frame).
    pub fn set_screen_size(&self, width: f32, height: f32) {
        if let Some(w) = self.inner.window.upgrade() {
            let theme = w.global::<Theme>();
            theme.set_screen_width(width);
            theme.set_screen_height(height);
        }
    }

    /// Starts the idle reset: a tick every second, counted in Slint's time
    /// (so the testing backend's mocked time drives it too).
    pub fn start_idle_timer(&self) {
        let weak = Rc::downgrade(&self.inner);
        self.inner.idle_timer.start(
            slint::TimerMode::Repeated,
            Duration::from_secs(1),
            move || {
                if let Some(inner) = weak.upgrade() {
                    Kiosk { inner }.idle_tick();
                }
            },
        );
    }

    /// A touch: the session is alive; any countdown disappears.
    pub fn touched(&self) {
        self.inner.state.borrow_mut().idle.touch();
        if let Some(w) = self.inner.window.upgrade() {
            w.global::<KioskAdapter>().set_countdown(0);
        }
    }

    fn idle_tick(&self) {
        let phase = {
            let mut state = self.inner.state.borrow_mut();
            if state.session.screen == Screen::Attract {
                // Nothing left to reset.
                state.idle.touch();
                return;
            }
            state.idle.tick()
        };
        let Some(w) = self.inner.window.upgrade() else {
            return;
        };
        match phase {
            Phase::Active => w.global::<KioskAdapter>().set_countdown(0),
            Phase::Countdown(left) => w.global::<KioskAdapter>().set_countdown(left as i32),
            Phase::Expired => {
                self.inner.state.borrow_mut().idle.touch();
                w.global::<KioskAdapter>().set_countdown(0);
                self.update(Session::reset);
            }
        }
    }

    /// A newly installed catalog: shown at once, without a restart. A screen
    /// about a service or category that is gone goes home.
    pub fn replace_catalog(&self, catalog: Catalog) {
        let index = SearchIndex::build(&catalog);
        {
            let mut state = self.inner.state.borrow_mut();
            let exists = |screen: &Screen| match screen {
                Screen::Service(id) => catalog.service(id).is_some(),
                Screen::Category(id) => catalog.category(id).is_some(),
                _ => true,
            };
            state.session.forget_missing(exists);
            state.catalog = Rc::new(catalog);
            state.index = Rc::new(index);
        }
        self.render();
    }

    fn bind(&self, w: &KioskWindow) {
        let on = |f: fn(&Kiosk)| {
            let weak: Weak<Inner> = Rc::downgrade(&self.inner);
            move || {
                if let Some(inner) = weak.upgrade() {
                    f(&Kiosk { inner })
                }
            }
        };
        let with = |f: fn(&Kiosk, SharedString)| {
            let weak: Weak<Inner> = Rc::downgrade(&self.inner);
            move |s: SharedString| {
                if let Some(inner) = weak.upgrade() {
                    f(&Kiosk { inner }, s)
                }
            }
        };
        let flag = |f: fn(&mut Session, bool)| {
            let weak: Weak<Inner> = Rc::downgrade(&self.inner);
            move |b: bool| {
                if let Some(inner) = weak.upgrade() {
                    Kiosk { inner }.update(|s| f(s, b))
                }
            }
        };

        let k = w.global::<KioskAdapter>();
        k.on_touched(on(Kiosk::touched));
        k.on_back(on(|k| k.update(Session::back)));
        k.on_go_home(on(|k| k.update(Session::home)));
        k.on_select_language(with(|k, code| {
            if let Ok(lang) = code.parse() {
                k.update(|s| s.lang = lang)
            }
        }));
        k.on_set_large_text(flag(|s, on| s.large_text = on));
        k.on_set_high_contrast(flag(|s, on| s.high_contrast = on));

        let h = w.global::<HomeAdapter>();
        h.on_open_category(with(|k, id| k.update(|s| s.open_category(&id))));
        h.on_open_search(on(|k| k.update(Session::open_search)));

        w.global::<CategoryAdapter>()
            .on_open_service(with(|k, id| k.update(|s| s.open_service(&id))));

        let s = w.global::<SearchAdapter>();
        s.on_key(with(|k, key| {
            k.update(|s| {
                s.type_key(&key);
            })
        }));
        s.on_backspace(on(|k| {
            k.update(|s| {
                s.backspace();
            })
        }));
        s.on_clear(on(|k| {
            k.update(|s| {
                s.clear_query();
            })
        }));
        s.on_open_service(with(|k, id| k.update(|s| s.open_service(&id))));
        // Print and Survey are wired by their own issues; until then they
        // keep the session alive and do nothing else.
        let svc = w.global::<ServiceAdapter>();
        svc.on_print(on(Kiosk::touched));
        svc.on_survey(on(Kiosk::touched));
    }

    /// Pushes the session's current screen into the adapters.
    pub fn render(&self) {
        let Some(w) = self.inner.window.upgrade() else {
            return;
        };
        let state = self.inner.state.borrow();
        let session = &state.session;
        let lang = session.lang;
        let catalog = &state.catalog;
        let now = (self.inner.settings.clock)();

        if self.inner.translated.get() != Some(lang) {
            lang.select_translation();
            self.inner.translated.set(Some(lang));
        }
        let theme = w.global::<Theme>();
        theme.set_large_text(session.large_text);
        theme.set_high_contrast(session.high_contrast);

        let k = w.global::<KioskAdapter>();
        k.set_language(lang.code().into());
        k.set_region(catalog.bundle().region.name.as_str().into());
        k.set_office(self.inner.settings.office.as_str().into());

        let h = w.global::<HomeAdapter>();
        h.set_categories(model(pages::category_tiles(catalog, lang)));
        h.set_announcements(model(pages::announcements(catalog, now, lang)));
        h.set_wifi_qr(self.inner.wifi_qr.clone());
        h.set_wifi_name(self.inner.settings.wifi_name.as_str().into());

        let screen = match &session.screen {
            Screen::Attract => UiScreen::Attract,
            Screen::Home => UiScreen::Home,
            Screen::Category(id) => {
                let c = w.global::<CategoryAdapter>();
                let category = catalog.category(id);
                c.set_name(
                    category
                        .map(|c| c.name.get(lang.code()))
                        .unwrap_or_default()
                        .into(),
                );
                c.set_icon(
                    category
                        .and_then(|c| c.icon.as_deref())
                        .unwrap_or_default()
                        .into(),
                );
                c.set_services(model(pages::category_services(catalog, id, lang)));
                UiScreen::Category
            }
            Screen::Search => {
                let s = w.global::<SearchAdapter>();
                s.set_query(session.query.as_str().into());
                s.set_results(model(pages::search_results(
                    catalog,
                    &state.index,
                    &session.query,
                    lang,
                )));
                UiScreen::Search
            }
            Screen::Service(id) => match pages::service_page(catalog, id, now, lang) {
                Ok(page) => {
                    show_service(&w, &page);
                    UiScreen::Service
                }
                Err(_) => UiScreen::Home,
            },
        };
        // The query box shows what was typed even before the search screen
        // is open again; the idle reset clears it with the session.
        w.global::<SearchAdapter>()
            .set_query(session.query.as_str().into());
        k.set_screen(screen);
    }
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

fn strings(items: &[String]) -> ModelRc<SharedString> {
    model(items.iter().map(SharedString::from).collect())
}

fn show_service(w: &KioskWindow, page: &pages::ServicePage) {
    let s = w.global::<ServiceAdapter>();
    s.set_id(page.id.as_str().into());
    s.set_name(page.name.as_str().into());
    s.set_summary(page.summary.as_str().into());
    s.set_category(page.category.as_str().into());
    s.set_requirements(strings(&page.requirements));
    s.set_procedure(strings(&page.procedure));
    s.set_duration(page.duration.as_str().into());
    s.set_has_fee(page.fee.is_some());
    s.set_free(matches!(page.fee, Some(None)));
    s.set_fee_amount(page.fee.clone().flatten().unwrap_or_default().into());
    s.set_fee_note(page.fee_note.as_str().into());
    s.set_product(page.product.as_str().into());
    s.set_complaints(page.complaints.as_str().into());
    s.set_office_name(page.office_name.as_str().into());
    s.set_office_address(page.office_address.as_str().into());
    s.set_office_phone(page.office_phone.as_str().into());
    let (status, time, weekday) = match &page.status {
        Status::Unknown => (OfficeStatus::Unknown, String::new(), -1),
        Status::OpenUntil(t) => (OfficeStatus::Open, t.clone(), -1),
        Status::Closed { opens: None } => (OfficeStatus::Closed, String::new(), -1),
        Status::Closed {
            opens: Some((day, t)),
        } => (
            OfficeStatus::Closed,
            t.clone(),
            day.map_or(-1, |d| d as i32),
        ),
    };
    s.set_status(status);
    s.set_status_time(time.into());
    s.set_status_weekday(weekday);
    s.set_online_url(page.online_url.as_str().into());
    s.set_online_url_text(
        page.online_url
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .into(),
    );
    // A bad address shows no code rather than no page.
    let code = if page.online_url.is_empty() {
        Image::default()
    } else {
        qr::image(&page.online_url).unwrap_or_default()
    };
    s.set_online_qr(code);
}
