//! Binds a [`Session`] to the window: the adapters' callbacks change the
//! session, and after each change [`Kiosk::render`] pushes what the current
//! screen shows into the adapters. The decisions live in `session`, `pages`
//! and `idle`; this module only moves data between them and Slint.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use anjungan::catalog::Catalog;
use anjungan::search::SearchIndex;
use chrono::{DateTime, FixedOffset};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};

use anjungan::print::spool::Kind;

use crate::gpio::{Light, Panel, PanelEvent};
use crate::idle::{IdleClock, Phase};
use crate::lang::Lang;
use crate::pages::{self, Status};
use crate::qr;
use crate::session::{Printing, Screen, Session};
use crate::ui::{
    CategoryAdapter, HomeAdapter, KioskAdapter, KioskWindow, OfficeStatus, PrintAdapter,
    PrintState, Screen as UiScreen, SearchAdapter, ServiceAdapter, Theme,
};
use crate::worker::{Document, Report, Slip, Worker};

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
    pub clock: Clock,
}

impl Settings {
    pub fn new(idle_reset_seconds: u32, office: &str, wifi_name: &str) -> Settings {
        Settings {
            idle_reset_seconds,
            office: office.to_string(),
            wifi_name: wifi_name.to_string(),
            printer: true,
            voucher_minutes: None,
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
    devices: RefCell<Option<Devices>>,
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
        let inner = Rc::new(Inner {
            window: window.as_weak(),
            state: RefCell::new(State {
                session: Session::new(),
                visit: 0,
                catalog: Arc::new(catalog),
                index: Rc::new(index),
                idle: IdleClock::new(settings.idle_reset_seconds),
            }),
            settings,
            wifi_qr,
            translated: Cell::new(None),
            idle_timer: slint::Timer::default(),
            devices: RefCell::new(None),
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
                let gone = {
                    let mut state = self.inner.state.borrow_mut();
                    state.idle.touch();
                    state.visit += 1;
                    state.session.printing.clone()
                };
                self.abandon(gone);
                w.global::<KioskAdapter>().set_countdown(0);
                self.update(Session::reset);
            }
        }
    }

    /// Connects the printer thread and the panel. The light says "ready"
    /// until the printer says otherwise.
    pub fn attach(&self, devices: Devices) {
        devices.panel.set_light(Light::Ready);
        *self.inner.devices.borrow_mut() = Some(devices);
        self.receive();
    }

    /// The service on screen, if any.
    fn service_on_screen(&self) -> Option<(String, Option<String>)> {
        let state = self.inner.state.borrow();
        let Screen::Service(id) = &state.session.screen else {
            return None;
        };
        let service = state.catalog.service(id)?;
        Some((service.id.clone(), service.queue_prefix.clone()))
    }

    /// "Print": the receipt of the service on screen.
    pub fn print_receipt(&self) {
        if let Some((service, _)) = self.service_on_screen() {
            self.ask(Kind::Receipt, Document::Receipt { service });
        }
    }

    /// "Take a number": the next queue number of the service on screen.
    pub fn take_number(&self) {
        if let Some((service, Some(prefix))) = self.service_on_screen() {
            self.ask(Kind::Ticket, Document::Ticket { service, prefix });
        }
    }

    /// "Wi-Fi voucher" on the home screen: one per person.
    pub fn print_voucher(&self) {
        let Some(minutes) = self.inner.settings.voucher_minutes else {
            return;
        };
        if !self.inner.settings.printer || self.inner.state.borrow().session.voucher_taken {
            return;
        }
        let network = self.inner.settings.wifi_name.clone();
        self.ask(Kind::Voucher, Document::Voucher { minutes, network });
    }

    fn ask(&self, kind: Kind, document: Document) {
        let (visit, lang, catalog, before) = {
            let state = self.inner.state.borrow();
            if state.session.printing.is_busy() {
                return; // one paper at a time; the card says it is coming
            }
            let s = &state.session;
            (
                state.visit,
                s.lang,
                state.catalog.clone(),
                s.printing.clone(),
            )
        };
        // Paper kept from a fault before is given up, as on closing its card.
        self.abandon(before);
        self.hand_over(kind, None, |w| w.print(visit, lang, catalog, document));
    }

    /// Hands a request to the worker: the card says the paper is on its
    /// way, or, with no worker to take it, that the kiosk has a problem
    /// (still showing `kept`, what the citizen already has).
    fn hand_over(&self, kind: Kind, kept: Option<Slip>, send: impl FnOnce(&Worker) -> bool) {
        let sent = self
            .inner
            .devices
            .borrow()
            .as_ref()
            .is_some_and(|d| send(&d.worker));
        self.update(|s| {
            s.printing = if sent {
                Printing::Busy { kind }
            } else {
                Printing::Broken { slip: kept }
            }
        });
    }

    /// "Print again" after a fault: the kept documents, same numbers.
    pub fn print_again(&self) {
        let (visit, printing) = {
            let state = self.inner.state.borrow();
            (state.visit, state.session.printing.clone())
        };
        let Printing::Failed { slip, jobs, .. } = printing else {
            return;
        };
        if jobs.is_empty() {
            return;
        }
        let kept = slip.clone();
        self.hand_over(slip.kind(), Some(kept), |w| w.again(visit, slip, jobs));
    }

    /// Closes the print card (not while the paper is on its way). Paper
    /// kept after a fault is given up: its citizen has seen their number
    /// and moved on, and nobody should find it printed later.
    pub fn close_print(&self) {
        let printing = self.inner.state.borrow().session.printing.clone();
        if printing.is_busy() {
            return;
        }
        self.abandon(printing);
        self.update(|s| s.printing = Printing::Idle);
    }

    fn abandon(&self, printing: Printing) {
        if let (Printing::Failed { jobs, .. }, Some(d)) =
            (printing, self.inner.devices.borrow().as_ref())
        {
            d.worker.abandon(jobs);
        }
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

    /// Reads what the printer thread and the panel have to say; called on
    /// the UI thread whenever one of them wakes it.
    pub fn receive(&self) {
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
        let asleep = self.inner.state.borrow().session.screen == Screen::Attract;
        if asleep {
            self.touched();
            self.update(Session::home);
        }
    }

    fn apply(&self, report: Report) {
        let light = match &report {
            Report::Done { on_paper: true, .. } | Report::Printer(Ok(())) => Some(Light::Ready),
            Report::Failed { .. } | Report::Printer(Err(_)) => Some(Light::PrinterProblem),
            _ => None,
        };
        if let (Some(light), Some(d)) = (light, self.inner.devices.borrow().as_ref()) {
            d.panel.set_light(light);
        }
        let current = self.inner.state.borrow().visit;
        let printing = match report {
            Report::Done {
                visit,
                slip,
                on_paper,
            } if visit == current => Printing::Done { slip, on_paper },
            Report::Failed {
                visit,
                slip,
                fault,
                jobs,
            } if visit == current => {
                eprintln!("anjungan-kiosk: {fault}; the paper waits to be printed again");
                Printing::Failed { slip, fault, jobs }
            }
            // The citizen who asked has gone: nobody is there to take it.
            Report::Failed { jobs, .. } => {
                if let Some(d) = self.inner.devices.borrow().as_ref() {
                    d.worker.abandon(jobs);
                }
                return;
            }
            Report::Limited { visit } if visit == current => {
                eprintln!("anjungan-kiosk: the hourly limit of Wi-Fi voucher slips is reached");
                Printing::Limited
            }
            Report::Broken {
                visit,
                slip,
                message,
            } => {
                eprintln!("anjungan-kiosk: cannot print: {message}");
                if visit != current {
                    return;
                }
                Printing::Broken { slip }
            }
            Report::Printer(Err(fault)) => {
                eprintln!("anjungan-kiosk: {fault}");
                return;
            }
            _ => return,
        };
        self.update(|s| {
            if let Printing::Done {
                slip: Slip::Voucher(_),
                ..
            }
            | Printing::Failed {
                slip: Slip::Voucher(_),
                ..
            }
            | Printing::Broken {
                slip: Some(Slip::Voucher(_)),
            } = &printing
            {
                s.voucher_taken = true;
            }
            s.printing = printing
        });
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
            state.catalog = Arc::new(catalog);
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
        k.on_call_staff(on(|k| k.call_staff("screen")));
        k.on_close_staff_call(on(|k| k.update(|s| s.staff_called = false)));
        k.on_news(on(Kiosk::receive));

        let h = w.global::<HomeAdapter>();
        h.on_open_category(with(|k, id| k.update(|s| s.open_category(&id))));
        h.on_open_search(on(|k| k.update(Session::open_search)));
        h.on_print_voucher(on(Kiosk::print_voucher));

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
        let svc = w.global::<ServiceAdapter>();
        svc.on_print(on(Kiosk::print_receipt));
        svc.on_take_number(on(Kiosk::take_number));
        // The survey is wired by its own issue; until then it keeps the
        // session alive and does nothing else.
        svc.on_survey(on(Kiosk::touched));

        let p = w.global::<PrintAdapter>();
        p.on_print_again(on(Kiosk::print_again));
        p.on_close(on(Kiosk::close_print));
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
            crate::lang::select_translation(lang);
            self.inner.translated.set(Some(lang));
        }
        let theme = w.global::<Theme>();
        theme.set_large_text(session.large_text);
        theme.set_high_contrast(session.high_contrast);

        let k = w.global::<KioskAdapter>();
        k.set_language(lang.code().into());
        k.set_region(catalog.bundle().region.name.as_str().into());
        k.set_office(self.inner.settings.office.as_str().into());
        k.set_staff_called(session.staff_called);
        show_printing(&w, &session.printing, lang, self.inner.settings.printer);

        let h = w.global::<HomeAdapter>();
        h.set_categories(model(pages::category_tiles(catalog, lang)));
        h.set_announcements(model(pages::announcements(catalog, now, lang)));
        h.set_wifi_qr(self.inner.wifi_qr.clone());
        h.set_wifi_name(self.inner.settings.wifi_name.as_str().into());
        h.set_can_print_voucher(
            self.inner.settings.printer
                && self.inner.settings.voucher_minutes.is_some()
                && !session.voucher_taken,
        );

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
                    w.global::<ServiceAdapter>().set_has_queue(
                        catalog
                            .service(id)
                            .is_some_and(|s| s.queue_prefix.is_some()),
                    );
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

fn show_printing(w: &KioskWindow, printing: &Printing, lang: Lang, available: bool) {
    let p = w.global::<PrintAdapter>();
    p.set_available(available);
    let idle = (None, None, false, String::new(), false);
    let (state, (kind, slip, on_paper, problem, can_retry)) = match printing {
        Printing::Idle => (PrintState::Idle, idle),
        Printing::Busy { kind } => (PrintState::Busy, (Some(*kind), None, false, String::new(), false)),
        Printing::Done { slip, on_paper } => (
            PrintState::Done,
            (Some(slip.kind()), Some(slip), *on_paper, String::new(), false),
        ),
        Printing::Failed { slip, fault, jobs } => (
            PrintState::Failed,
            (
                Some(slip.kind()),
                Some(slip),
                false,
                fault.for_citizen(lang).to_string(),
                !jobs.is_empty(),
            ),
        ),
        Printing::Limited => (
            PrintState::Failed,
            (
                Some(Kind::Voucher),
                None,
                false,
                lang.choose(
                    "Voucher Wi-Fi sedang habis untuk jam ini. Silakan coba lagi nanti atau hubungi petugas.",
                    "No more Wi-Fi vouchers this hour. Please try again later or ask a staff member.",
                )
                .to_string(),
                false,
            ),
        ),
        Printing::Broken { slip } => (
            PrintState::Failed,
            (
                slip.as_ref().map(Slip::kind),
                slip.as_ref(),
                false,
                lang.choose(
                    "Maaf, ada gangguan pada anjungan. Silakan hubungi petugas.",
                    "Sorry, the kiosk has a problem. Please ask a staff member.",
                )
                .to_string(),
                false,
            ),
        ),
    };
    let (number, waiting_ahead) = match slip {
        Some(Slip::Ticket(n)) => (n.number.as_str(), n.waiting_ahead as i32),
        _ => ("", 0),
    };
    let code = match slip {
        Some(Slip::Voucher(code)) => code.as_str(),
        _ => "",
    };
    p.set_state(state);
    p.set_ticket(kind == Some(Kind::Ticket));
    p.set_voucher(kind == Some(Kind::Voucher));
    p.set_number(number.into());
    p.set_waiting_ahead(waiting_ahead);
    p.set_code(code.into());
    p.set_on_paper(on_paper);
    p.set_problem(problem.into());
    p.set_can_retry(can_retry);
}
