//! Shared set-up of the UI tests: the testing backend (mocked time, no
//! pixels), the demo catalog, a window of a given size, and look-ups of
//! controls by their accessible label, as a citizen would find them.

use std::rc::Rc;
use std::time::Duration;

use anjungan::catalog::{Catalog, demo};
use i_slint_backend_testing::ElementHandle;
use kiosk::controller::{Kiosk, Settings};
use kiosk::ui::KioskWindow;
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, LogicalSize};

/// Monday 30 November 2026, 10:00 WIB: offices are open.
pub const MONDAY_MORNING: &str = "2026-11-30T10:00:00+07:00";

pub struct Screen {
    pub window: KioskWindow,
    pub kiosk: Kiosk,
}

/// Installs the testing backend; once per test process (`main`).
pub fn init() {
    i_slint_backend_testing::init_no_event_loop();
}

pub fn open(width: f32, height: f32, idle_reset_seconds: u32) -> Screen {
    open_with(width, height, settings(idle_reset_seconds))
}

/// The settings of the test kiosk, on Monday morning.
pub fn settings(idle_reset_seconds: u32) -> Settings {
    let mut settings = Settings::new(
        idle_reset_seconds,
        "Mal Pelayanan Publik, lobi",
        "Banyumas Free",
    );
    let now = chrono::DateTime::parse_from_rfc3339(MONDAY_MORNING).unwrap();
    settings.clock = Rc::new(move || now);
    settings
}

pub fn open_with(width: f32, height: f32, settings: Settings) -> Screen {
    let window = KioskWindow::new().unwrap();
    window.window().set_size(LogicalSize::new(width, height));
    let kiosk = Kiosk::new(&window, Catalog::new(demo::bundle(), None), settings).unwrap();
    kiosk.set_screen_size(width, height);
    window.show().unwrap();
    settle();
    Screen { window, kiosk }
}

/// Lets Slint instantiate what became visible and run change handlers.
pub fn settle() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(20));
}

impl Screen {
    /// The visible control with this accessible label; panics when there
    /// is none, naming it.
    pub fn find(&self, label: &str) -> ElementHandle {
        settle();
        ElementHandle::find_by_accessible_label(&self.window, label)
            .find(|e| e.is_valid() && e.size().width > 0.0)
            .unwrap_or_else(|| panic!("no control labelled \"{label}\" on screen"))
    }

    pub fn has(&self, label: &str) -> bool {
        settle();
        ElementHandle::find_by_accessible_label(&self.window, label)
            .any(|e| e.is_valid() && e.size().width > 0.0)
    }

    /// A tap: press and release at the control's centre, through the
    /// window's hit-testing like a finger.
    pub fn tap(&self, label: &str) {
        self.find(label).mock_single_click(PointerEventButton::Left);
        settle();
    }

    /// A tap on a control that must be at least `min` logical pixels in
    /// both directions (the 9 mm rule at this screen size).
    pub fn tap_checking_size(&self, label: &str, min: f32) {
        let e = self.find(label);
        let size = e.size();
        assert!(
            size.width >= min && size.height >= min,
            "\"{label}\" is {}x{}, smaller than {min}",
            size.width,
            size.height
        );
        e.mock_single_click(PointerEventButton::Left);
        settle();
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            let label = if c == ' ' {
                self.space_label()
            } else {
                c.to_uppercase().to_string()
            };
            self.tap(&label);
        }
    }

    fn space_label(&self) -> String {
        if self
            .window
            .global::<kiosk::ui::KioskAdapter>()
            .get_language()
            == "en"
        {
            "Space".into()
        } else {
            "Spasi".into()
        }
    }
}
