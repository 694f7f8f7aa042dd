//! The kiosk's paper, tapped through as a citizen would, against a test
//! printer on loopback that answers status requests: a receipt, queue
//! tickets, paper running out (the number stays the citizen's and the
//! ticket waits), "Print again" after a refill, the status light, the
//! call-staff button and the presence sensor.

mod common;

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

#[test]
fn print_take_numbers_survive_paper_out_and_call_staff() {
    common::init();
    let s = common::open(1280.0, 800.0, 30);
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
}
