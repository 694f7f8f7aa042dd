//! The survey and complaints tapped through as a citizen would, with the
//! print thread on a real database and the loopback test printer: a
//! survey answered in part (some skipped, one taken back, a profile), its
//! answers in the database only once finished; an idle reset mid-survey
//! that records nothing and leaves nothing on screen; a complaint typed on
//! the keyboard whose reference comes on a slip and is found by the
//! look-up, with the staff's answer once they give one.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anjungan::print::{Paper, interpret};
use anjungan::store::Store;
use anjungan::voice::complaint::{self, Reference, Status};
use anjungan::voice::survey::report::{self, Filter};
use anjungan::voice::survey::{Channel, Tally};
use kiosk::controller::Devices;
use kiosk::gpio::Simulated;
use kiosk::session::Screen;
use kiosk::ui::{
    ComplaintAdapter, ComplaintStep, KioskAdapter, LookupState, PrintAdapter, PrintState,
    Screen as UiScreen, SurveyAdapter, SurveyStep,
};
use slint::{ComponentHandle, Model};
use tests::printer::{Mode, TestPrinter};

use crate::common;

fn attach(s: &common::Screen, db: &Path, printer: &TestPrinter) {
    let worker = kiosk::worker::Worker::start(
        kiosk::worker::Setup {
            store: db.to_path_buf(),
            printer: printer.printer(),
            paper: Paper::Mm80,
            device_id: "kiosk-test".into(),
        },
        || {},
    );
    let (panel, panel_events) = Simulated::open();
    s.kiosk.attach(Devices {
        worker,
        panel: Box::new(panel),
        panel_events,
    });
}

/// The answers recorded so far, as the report counts them.
fn tally(db: &Path) -> Tally {
    report::count(&Store::open(db).unwrap(), &Filter::default())
        .unwrap()
        .total
}

/// Waits (reading the print thread's reports as the UI thread would)
/// until `done` holds.
fn wait_until(s: &common::Screen, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(20));
        s.kiosk.receive();
        common::settle();
    }
}

fn seconds(n: u32) {
    for _ in 0..n {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
}

pub fn survey_and_complaint_with_their_reference_on_paper() {
    let s = common::open(1280.0, 800.0, 60);
    let printer = TestPrinter::start(Mode::Ready);
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("anjungan.db");
    attach(&s, &db, &printer);
    let survey = || s.window.global::<SurveyAdapter>();
    let screen = || s.window.global::<KioskAdapter>().get_screen();

    // From a service: about that service, one element per screen.
    s.kiosk.update(|x| x.open_service("akta-kelahiran"));
    s.tap("Nilai layanan ini");
    assert_eq!(screen(), UiScreen::Survey);
    assert_eq!(survey().get_element(), 1);
    assert!(s.has("Pertanyaan 1 dari 9"));
    assert!(s.has("Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"));
    s.tap_checking_size("Sangat sesuai", 53.0);
    assert_eq!(survey().get_element(), 2);
    s.tap("Lewati pertanyaan ini");
    s.tap("Cepat");
    // Back to element 3: the answer shows, and another one replaces it.
    s.tap("Kembali");
    assert_eq!(survey().get_element(), 3);
    assert!(
        survey()
            .get_choices()
            .iter()
            .any(|c| c.chosen && c.word == "Cepat")
    );
    s.tap("Sangat cepat");
    for _ in 4..=9 {
        s.tap("Lewati pertanyaan ini");
    }
    // About you: optional; one answered, then sent without the rest.
    assert_eq!(survey().get_about(), 1);
    assert!(s.has("Jenis kelamin Anda"));
    s.tap("Perempuan");
    assert!(s.has("Umur Anda"));
    assert_eq!(tally(&db).responses, 0, "nothing recorded before the end");
    s.tap("Kirim tanpa pertanyaan selebihnya");
    assert_eq!(survey().get_step(), SurveyStep::Thanks);
    assert!(s.has("Terima kasih!"));
    wait_until(&s, "the survey in the database", || {
        tally(&db).responses == 1
    });
    let t = tally(&db);
    assert_eq!(t.count, [1, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(t.sum[0], 4);
    assert_eq!(t.sum[2], 4, "the answer given last counts");
    let by_kiosk = report::count(
        &Store::open(&db).unwrap(),
        &Filter {
            channel: Some(Channel::Kiosk),
            services: Some(vec!["akta-kelahiran".into()]),
            ..Filter::default()
        },
    )
    .unwrap();
    assert_eq!(
        by_kiosk.total.responses, 1,
        "channel kiosk, about the service"
    );
    assert_eq!(by_kiosk.profile.sex.get("female"), Some(&1));

    // The same service again in this visit: thanks, nothing more taken.
    s.tap("Kembali ke awal");
    s.kiosk.update(|x| x.open_service("akta-kelahiran"));
    s.tap("Nilai layanan ini");
    assert_eq!(survey().get_step(), SurveyStep::Already);

    // From home, about the office: left half-way, the idle reset throws
    // it away and shows nothing of it to the next person.
    s.kiosk.start_idle_timer();
    s.tap("Beranda");
    s.tap("Nilai pelayanan kami");
    assert_eq!(survey().get_service(), "");
    s.tap("Sesuai");
    s.tap("Mudah");
    s.tap("Cepat");
    seconds(61);
    assert_eq!(s.kiosk.session().screen, Screen::Attract);
    assert_eq!(s.kiosk.session().survey, None);
    s.tap("Sentuh layar untuk mulai");
    assert_eq!(screen(), UiScreen::Home);
    s.tap("Nilai pelayanan kami");
    assert_eq!(survey().get_element(), 1, "a fresh survey");
    assert!(survey().get_choices().iter().all(|c| !c.chosen));
    std::thread::sleep(Duration::from_millis(300));
    s.kiosk.receive();
    assert_eq!(
        tally(&db).responses,
        1,
        "the unfinished survey was not recorded"
    );

    // A complaint about a service, typed on the on-screen keyboard.
    s.kiosk.update(|x| x.open_service("akta-kelahiran"));
    s.tap("Adukan layanan ini");
    assert_eq!(screen(), UiScreen::Complaint);
    let form = || s.window.global::<ComplaintAdapter>();
    assert!(
        s.has("Anda juga dapat melapor ke LAPOR!"),
        "LAPOR! on every step"
    );
    s.tap("Sikap petugas");
    assert_eq!(form().get_step(), ComplaintStep::Write);
    s.tap("Lanjut");
    assert!(
        s.has("Tuliskan dulu apa yang terjadi."),
        "an empty text is not sent"
    );
    s.type_text("petugas loket 3 tidak ramah.");
    assert_eq!(form().get_text(), "petugas loket 3 tidak ramah.");
    assert!(s.has("Anda juga dapat melapor ke LAPOR!"));
    s.tap("Lanjut");
    assert_eq!(form().get_step(), ComplaintStep::Contact);
    s.type_text("0812 3456 7890");
    s.tap("Kirim pengaduan");
    assert!(s.has("Centang persetujuan, atau kosongkan kontak."));
    s.tap("Saya setuju kontak saya disimpan untuk menjawab saya");
    let before = printer.received().len();
    s.tap("Kirim pengaduan");
    let print = || s.window.global::<PrintAdapter>();
    wait_until(&s, "the complaint's slip", || {
        print().get_state() != PrintState::Busy
    });
    assert_eq!(print().get_state(), PrintState::Done);
    let reference = print().get_reference().to_string();
    assert!(reference.starts_with("ADU-"), "{reference}");
    assert!(
        s.has(&format!("Nomor pengaduan {reference}")),
        "the reference, large"
    );
    std::thread::sleep(Duration::from_millis(100));
    let slip = interpret(&printer.received()[before..]).unwrap();
    assert!(
        slip.text(Paper::Mm80).contains(&reference),
        "{}",
        slip.text(Paper::Mm80)
    );
    assert!(
        slip.qr_codes().contains(&reference.as_str()),
        "the slip's QR code carries the reference: {:?}",
        slip.qr_codes()
    );
    let store = Store::open(&db).unwrap();
    let stored = complaint::find(&store, &Reference::parse(&reference).unwrap())
        .unwrap()
        .expect("stored under its reference");
    assert_eq!(stored.text, "petugas loket 3 tidak ramah.");
    assert_eq!(stored.service.as_deref(), Some("akta-kelahiran"));
    assert_eq!(stored.channel, complaint::Channel::Kiosk);
    assert!(stored.contact.is_some(), "kept with consent");
    s.tap("Tutup");
    assert_eq!(form().get_step(), ComplaintStep::Sent);
    assert_eq!(form().get_text(), "", "the text is off the screen");

    // The look-up finds it by the reference typed; the staff's answer
    // shows once given.
    s.tap("Cek pengaduan");
    s.type_text(&reference.to_lowercase());
    s.tap("Cek");
    wait_until(&s, "the look-up", || {
        form().get_lookup() != LookupState::Asking
    });
    assert_eq!(form().get_lookup(), LookupState::Found);
    assert!(s.has(&format!("{reference}: Diterima")));
    let mut store = Store::open(&db).unwrap();
    complaint::set_status(
        &mut store,
        &Reference::parse(&reference).unwrap(),
        Status::Answered,
        Some("Petugas sudah ditegur."),
        chrono::Local::now().fixed_offset(),
    )
    .unwrap();
    s.tap("Cek");
    wait_until(&s, "the second look-up", || {
        form().get_lookup() != LookupState::Asking
    });
    assert!(s.has(&format!("{reference}: Sudah dijawab")));
    assert!(s.has("Petugas sudah ditegur."));
    s.tap("Hapus");
    s.type_text("ADU-AAAA-BBBB");
    s.tap("Cek");
    wait_until(&s, "a look-up of nothing", || {
        form().get_lookup() != LookupState::Asking
    });
    assert_eq!(form().get_lookup(), LookupState::NotFound);

    // One more complaint, then this visit may send no more.
    s.tap("Beranda");
    s.tap("Sampaikan pengaduan atau saran");
    s.tap("Saran");
    s.type_text("tambah kursi");
    s.tap("Lanjut");
    s.tap("Kirim pengaduan");
    wait_until(&s, "the second slip", || {
        print().get_state() != PrintState::Busy
    });
    s.tap("Tutup");
    s.tap("Beranda");
    s.tap("Sampaikan pengaduan atau saran");
    assert_eq!(form().get_step(), ComplaintStep::Limit);
    assert_eq!(
        complaint::list(&Store::open(&db).unwrap(), 10)
            .unwrap()
            .len(),
        2
    );

    // The next person starts afresh.
    seconds(61);
    assert_eq!(s.kiosk.session().complaints_sent, 0);
    s.tap("Sentuh layar untuk mulai");
    s.tap("Sampaikan pengaduan atau saran");
    assert_eq!(form().get_step(), ComplaintStep::Category);
}
