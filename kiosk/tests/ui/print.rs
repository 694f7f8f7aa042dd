//! The kiosk's paper, tapped through as a citizen would, against a test
//! printer on loopback that answers status requests: a receipt, queue
//! tickets, paper running out (the number stays the citizen's and the
//! ticket waits), "Print again" after a refill, the status light, the
//! call-staff button and the presence sensor.

use std::time::{Duration, Instant};

use anjungan::print::{Paper, interpret, spool};
use anjungan::store::Store;
use kiosk::controller::Devices;
use kiosk::gpio::{Light, PanelEvent, Simulated};
use kiosk::session::Screen;
use kiosk::ui::{KioskAdapter, PrintAdapter, PrintState, Screen as UiScreen};
use kiosk::worker::{Setup, Worker};
use slint::ComponentHandle;
use tests::printer::{Mode, TestPrinter};

use crate::common;

/// Lets the print thread answer, reading its reports as the UI thread
/// would when woken.
fn wait_for_printer(s: &common::Screen) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.window.global::<PrintAdapter>().get_state() == PrintState::Busy {
        assert!(Instant::now() < deadline, "the printer never answered");
        std::thread::sleep(Duration::from_millis(20));
        s.kiosk.receive();
    }
    common::settle();
}

fn printed_text(printer: &TestPrinter) -> String {
    // The printer's thread may still be taking the last bytes.
    std::thread::sleep(Duration::from_millis(100));
    interpret(&printer.received()).unwrap().text(Paper::Mm80)
}

pub fn print_take_numbers_survive_paper_out_and_call_staff() {
    let mut settings = common::settings(30);
    settings.voucher_minutes = Some(120);
    let s = common::open_with(1280.0, 800.0, settings);
    let printer = TestPrinter::start(Mode::Ready);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("anjungan.db");
    let worker = Worker::start(
        Setup {
            store: db.clone(),
            printer: printer.printer(),
            paper: Paper::Mm80,
            device_id: "kiosk-test".into(),
        },
        || {},
    );
    let (panel, panel_events) = Simulated::open();
    s.kiosk.attach(Devices {
        worker,
        panel: Box::new(panel.clone()),
        panel_events,
    });
    assert_eq!(panel.light(), Light::Ready);
    let print = || s.window.global::<PrintAdapter>();

    // A Wi-Fi voucher from the home screen: a real code on a slip whose QR
    // code joins the network; one per person.
    s.tap("Cetak voucher Wi-Fi");
    wait_for_printer(&s);
    assert_eq!(print().get_state(), PrintState::Done);
    assert!(s.has("Silakan ambil voucher Wi-Fi Anda dari printer."));
    let slip = interpret(&printer.received()).unwrap();
    assert!(slip.qr_codes().contains(&"WIFI:T:nopass;S:Banyumas Free;;"));
    let store = Store::open(&db).unwrap();
    let code: String = slip
        .text(Paper::Mm80)
        .split_whitespace()
        .find(|w| {
            anjungan::wifi::voucher::find(&store, w)
                .ok()
                .flatten()
                .is_some()
        })
        .expect("the slip carries an issued code")
        .to_string();
    assert_eq!(
        anjungan::wifi::voucher::find(&store, &code)
            .unwrap()
            .unwrap()
            .minutes,
        120
    );
    s.tap("Tutup");
    assert!(!s.has("Cetak voucher Wi-Fi"), "one voucher per person");

    // A receipt of the service on screen.
    s.kiosk.update(|x| x.open_service("akta-kelahiran"));
    s.tap("Cetak halaman ini");
    assert_eq!(print().get_state(), PrintState::Busy);
    assert!(s.has("Sedang mencetak…"));
    wait_for_printer(&s);
    assert_eq!(print().get_state(), PrintState::Done);
    assert!(s.has("Silakan ambil kertas Anda dari printer."));
    let receipt = printed_text(&printer);
    assert!(receipt.contains("Akta kelahiran"), "{receipt}");
    s.tap("Tutup");
    assert_eq!(print().get_state(), PrintState::Idle);

    // A queue number, big on screen and on paper.
    s.tap("Ambil nomor antrean");
    wait_for_printer(&s);
    assert_eq!(print().get_number(), "AC001");
    assert!(s.has("Nomor AC001"));
    assert!(s.has("Tidak ada yang menunggu sebelum Anda."));
    assert!(printed_text(&printer).contains("AC001"));
    s.tap("Tutup");

    // The paper runs out: the number is still the citizen's, shown with
    // the fault in their language; the ticket waits in the spool; the
    // status light blinks.
    printer.set(Mode::PaperOut);
    let before = printer.received().len();
    s.tap("Ambil nomor antrean");
    wait_for_printer(&s);
    assert_eq!(print().get_state(), PrintState::Failed);
    assert_eq!(print().get_number(), "AC002");
    assert!(s.has("Kertas habis, silakan hubungi petugas."));
    assert!(s.has("Nomor AC002"));
    assert!(s.has("1 orang menunggu sebelum Anda."));
    assert_eq!(panel.light(), Light::PrinterProblem);
    assert_eq!(
        printer.received().len(),
        before,
        "nothing printed without paper"
    );
    let waiting = spool::pending(&Store::open(&db).unwrap()).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].label, "AC002 akta-kelahiran");

    // Refilled: "Print again" prints the same ticket, once.
    printer.set(Mode::Ready);
    s.tap("Cetak lagi");
    wait_for_printer(&s);
    assert_eq!(print().get_state(), PrintState::Done);
    assert_eq!(print().get_number(), "AC002");
    assert_eq!(panel.light(), Light::Ready);
    assert_eq!(printed_text(&printer).matches("AC002").count(), 1);
    assert!(
        spool::pending(&Store::open(&db).unwrap())
            .unwrap()
            .is_empty()
    );
    s.tap("Tutup");

    // The panel's call button: the screen says help is coming, and the
    // technician's alerts record it.
    panel.press(PanelEvent::CallStaff);
    s.kiosk.receive();
    assert!(s.window.global::<KioskAdapter>().get_staff_called());
    assert!(s.has("Petugas sudah dipanggil"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let alerts = loop {
        let alerts = anjungan::alert::recent(&Store::open(&db).unwrap(), 5).unwrap();
        if !alerts.is_empty() || Instant::now() > deadline {
            break alerts;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, "call-staff");
    assert!(alerts[0].detail.contains("panel button"), "{:?}", alerts[0]);
    s.tap("Tutup");
    assert!(!s.window.global::<KioskAdapter>().get_staff_called());

    // Left alone, the screen resets; the presence sensor wakes it.
    s.kiosk.start_idle_timer();
    for _ in 0..31 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
    assert_eq!(s.kiosk.session().screen, Screen::Attract);
    panel.press(PanelEvent::Presence);
    s.kiosk.receive();
    common::settle();
    assert_eq!(
        s.window.global::<KioskAdapter>().get_screen(),
        UiScreen::Home
    );
    assert!(s.has("Cetak voucher Wi-Fi"), "the next person may take one");

    // A citizen walks away while the printer hangs: the screen resets, and
    // the late news of their ticket is not shown to the next person; the
    // ticket is given up rather than printed later for nobody.
    printer.set(Mode::Silent);
    s.kiosk.update(|x| x.open_service("akta-kelahiran"));
    s.tap("Ambil nomor antrean");
    assert_eq!(print().get_state(), PrintState::Busy);
    let waiting = || spool::pending(&Store::open(&db).unwrap()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while waiting().is_empty() {
        assert!(Instant::now() < deadline, "the ticket was never kept");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(waiting()[0].label, "AC003 akta-kelahiran");
    for _ in 0..31 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
    assert_eq!(s.kiosk.session().screen, Screen::Attract);
    assert_eq!(print().get_state(), PrintState::Idle);
    while !waiting().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the stale ticket was not given up"
        );
        std::thread::sleep(Duration::from_millis(20));
        s.kiosk.receive();
    }
    common::settle();
    assert_eq!(print().get_state(), PrintState::Idle);
    assert_eq!(print().get_number(), "");
    assert_eq!(s.kiosk.session().printing, kiosk::paper::Printing::Idle);
    assert_eq!(panel.light(), Light::PrinterProblem);
}
