//! `Kiosk` binds a [`Session`] to the window: the adapters' callbacks
//! change the session, and after each change [`Kiosk::render`] shows it
//! (through `crate::views`). The decisions live in `session`, `pages`,
//! `idle` and the print thread's rules; the controller moves data between
//! them and Slint. Its parts:
//!
//! - this module — the kiosk's state, `update` and `render`, the devices'
//!   news, a replaced catalog;
//! - `bind` — callbacks for the adapters (each view binds its own);
//! - `paper` — the citizen's paper: asking the print thread, its reports;
//! - `idle_timer` — the idle countdown and reset, and the dark screen
//!   outside `screen_hours`;
//! - `voice` — the survey and complaints: what leaves the UI thread.

mod bind;
mod idle_timer;
mod paper;
mod voice;

pub use bind::Bind;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use anjungan::catalog::{Catalog, Fresh};
use anjungan::queue::PrefixStatus;
use anjungan::screen_hours::ScreenHours;
use anjungan::search::SearchIndex;
use chrono::{DateTime, FixedOffset};
use slint::{ComponentHandle, Image};

use crate::gpio::{Light, Panel, PanelEvent};
use crate::idle::IdleClock;
use crate::lang::Lang;
use crate::qr;
use crate::screen::ScreenPower;
use crate::session::{Screen, Session};
use crate::ui::{KioskWindow, Theme};
use crate::views::{self, Scene};
use crate::worker::Worker;

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
    /// A printer is configured (`[kiosk] printer` is not "none"): "Print"
    /// is offered and queue tickets come on paper.
    pub printer: bool,
    /// The Wi-Fi asks for vouchers (`[captive] auth = "voucher"`): the home
    /// screen offers a voucher slip of this many minutes
    /// (`[captive] session_minutes`).
    pub voucher_minutes: Option<u32>,
    /// `[kiosk] screen_hours`: outside them the screen is dark until touched.
    pub screen_hours: ScreenHours,
    pub clock: Clock,
}

impl Settings {
    /// The minutes of the Wi-Fi voucher slip this citizen may take, if one
    /// is offered at all: a printer, vouchers on the Wi-Fi, one per person.
    pub fn voucher_offered(&self, session: &crate::session::Session) -> Option<u32> {
        self.voucher_minutes
            .filter(|_| self.printer && !session.voucher_taken)
    }

    pub fn new(idle_reset_seconds: u32, office: &str, wifi_name: &str) -> Settings {
        Settings {
            idle_reset_seconds,
            office: office.to_string(),
            wifi_name: wifi_name.to_string(),
            printer: true,
            voucher_minutes: None,
            screen_hours: ScreenHours::default(),
            clock: system_clock(),
        }
    }
}

/// The hardware the kiosk drives besides the screen.
pub struct Devices {
    /// The thread that prints and records.
    pub worker: Worker,
    /// The status light.
    pub panel: Box<dyn Panel>,
    /// The presence sensor and the call button.
    pub panel_events: Receiver<PanelEvent>,
}

struct State {
    session: Session,
    /// Counts idle resets: reports about an earlier citizen's paper are
    /// not shown to the next one.
    visit: u64,
    catalog: Arc<Catalog>,
    index: Rc<SearchIndex>,
    idle: IdleClock,
    /// Whether the screen is dark (outside `screen_hours`).
    power: ScreenPower,
    /// The queue today, for the numbers now called.
    queue: Vec<PrefixStatus>,
}

/// Turns the panel's backlight on (`true`) or off.
pub type BacklightSwitch = Box<dyn Fn(bool)>;

struct Inner {
    window: slint::Weak<KioskWindow>,
    state: RefCell<State>,
    settings: Settings,
    wifi_qr: Image,
    /// The QR code of LAPOR!, on every complaint screen.
    lapor_qr: Image,
    /// The language whose translations Slint has selected, to switch only on change.
    translated: Cell<Option<Lang>>,
    /// Ticks the idle clock once a second while the app runs.
    idle_timer: slint::Timer,
    devices: RefCell<Option<Devices>>,
    /// Turns the panel's backlight on and off with the dark screen (the
    /// device's `/sys/class/backlight`; none in tests).
    backlight: RefCell<Option<BacklightSwitch>>,
    /// Newly installed catalogs, loaded and indexed by the watcher's thread.
    catalogs: RefCell<Option<Receiver<Fresh>>>,
    /// The queue as it changes, read by the queue thread.
    queues: RefCell<Option<Receiver<Vec<PrefixStatus>>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Off: not running.
        if let Some(d) = self.devices.get_mut() {
            d.panel.set_light(Light::Off);
        }
    }
}

/// The kiosk's controller. Keep it alive as long as the window.
#[derive(Clone)]
pub struct Kiosk {
    inner: Rc<Inner>,
}

impl Kiosk {
    pub fn new(window: &KioskWindow, catalog: Catalog, settings: Settings) -> crate::Result<Kiosk> {
        let index = SearchIndex::build(&catalog);
        let wifi_qr = qr::image(&anjungan::wifi::join_qr(&settings.wifi_name))?;
        let lapor_qr = qr::image(crate::complaint::LAPOR_URL)?;
        let inner = Rc::new(Inner {
            window: window.as_weak(),
            state: RefCell::new(State {
                session: Session::new(),
                visit: 0,
                catalog: Arc::new(catalog),
                index: Rc::new(index),
                idle: IdleClock::new(settings.idle_reset_seconds),
                power: ScreenPower::new(),
                queue: Vec::new(),
            }),
            settings,
            wifi_qr,
            lapor_qr,
            translated: Cell::new(None),
            idle_timer: slint::Timer::default(),
            devices: RefCell::new(None),
            backlight: RefCell::new(None),
            catalogs: RefCell::new(None),
            queues: RefCell::new(None),
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

    /// As [`Kiosk::update`], for a change that says whether it changed
    /// anything: nothing changed, nothing drawn.
    pub fn update_if(&self, change: impl FnOnce(&mut Session) -> bool) {
        if change(&mut self.inner.state.borrow_mut().session) {
            self.render();
        }
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

    /// Connects the printer thread and the panel. The light says "ready"
    /// until the printer says otherwise.
    pub fn attach(&self, devices: Devices) {
        devices.panel.set_light(Light::Ready);
        *self.inner.devices.borrow_mut() = Some(devices);
        self.receive();
    }

    /// "Call staff", from the panel's button or the screen: the screen
    /// says help is coming; the technician's log and alerts record it.
    pub fn call_staff(&self, from: &str) {
        let detail = format!("{} ({from})", self.inner.settings.office);
        match self.inner.devices.borrow().as_ref() {
            Some(d) => {
                d.worker.call_staff(&detail);
            }
            None => eprintln!("anjungan-kiosk: a citizen called for staff ({detail})"),
        }
        self.update(|s| s.staff_called = true);
    }

    /// Takes newly installed catalogs from `catalogs` (a watcher's thread
    /// loads and indexes them, and wakes the UI thread as the devices do).
    pub fn follow_catalogs(&self, catalogs: Receiver<Fresh>) {
        *self.inner.catalogs.borrow_mut() = Some(catalogs);
    }

    /// Takes the queue as it changes from `queues` (a thread reads it from
    /// the database, off the UI thread, and wakes it as the devices do).
    pub fn follow_queue(&self, queues: Receiver<Vec<PrefixStatus>>) {
        *self.inner.queues.borrow_mut() = Some(queues);
    }

    /// Shows the queue's numbers now called (the queue thread's news; and
    /// snapshots).
    pub fn show_queue(&self, queue: Vec<PrefixStatus>) {
        let changed = {
            let mut state = self.inner.state.borrow_mut();
            let changed = state.queue != queue;
            state.queue = queue;
            changed
        };
        if changed {
            self.render();
        }
    }

    /// Reads what the catalog watcher, the queue thread, the printer thread
    /// and the panel have to say; called on the UI thread whenever one of
    /// them wakes it.
    pub fn receive(&self) {
        let queue = self
            .inner
            .queues
            .borrow()
            .as_ref()
            .and_then(|q| q.try_iter().last());
        if let Some(queue) = queue {
            self.show_queue(queue);
        }
        let newest = self
            .inner
            .catalogs
            .borrow()
            .as_ref()
            .and_then(|c| c.try_iter().last());
        if let Some(fresh) = newest {
            self.replace_catalog(fresh.catalog, fresh.index);
        }
        let (reports, events) = {
            let devices = self.inner.devices.borrow();
            let Some(d) = devices.as_ref() else {
                return;
            };
            (
                d.worker.reports(),
                d.panel_events.try_iter().collect::<Vec<_>>(),
            )
        };
        for report in reports {
            self.apply(report);
        }
        for event in events {
            match event {
                PanelEvent::Presence => self.someone_came(),
                PanelEvent::CallStaff => self.call_staff("panel button"),
            }
        }
    }

    /// The presence sensor: someone stepped up to the kiosk. It wakes the
    /// attract screen; it does not keep an abandoned session alive, since
    /// the one standing there may be the next person.
    fn someone_came(&self) {
        if self.wake_screen() {
            return;
        }
        let asleep = self.inner.state.borrow().session.screen == Screen::Attract;
        if asleep {
            self.touched();
            self.update(Session::home);
        }
    }

    /// A newly installed catalog and its index (built off the UI thread):
    /// shown at once, without a restart. A screen about a service or
    /// category that is gone goes home.
    pub fn replace_catalog(&self, catalog: Catalog, index: SearchIndex) {
        {
            let mut state = self.inner.state.borrow_mut();
            let exists = |screen: &Screen| match screen {
                Screen::Service(id) => catalog.service(id).is_some(),
                Screen::Category(id) => catalog.category(id).is_some(),
                _ => true,
            };
            state.session.forget_missing(exists);
            state.catalog = Arc::new(catalog);
            state.index = Rc::new(index);
        }
        self.render();
    }

    /// Shows the session: what is on screen is `render(session, catalog)`.
    pub fn render(&self) {
        let Some(w) = self.inner.window.upgrade() else {
            return;
        };
        let state = self.inner.state.borrow();
        let lang = state.session.lang;
        if self.inner.translated.get() != Some(lang) {
            crate::lang::select_translation(lang);
            self.inner.translated.set(Some(lang));
        }
        views::render(
            &w,
            &Scene {
                session: &state.session,
                catalog: &state.catalog,
                index: &state.index,
                settings: &self.inner.settings,
                wifi_qr: &self.inner.wifi_qr,
                lapor_qr: &self.inner.lapor_qr,
                queue: &state.queue,
                now: (self.inner.settings.clock)(),
            },
        );
    }
}
