//! The citizens' voice from the technician's side, as processes: paper
//! survey forms imported, the IKM report in every form (table, JSON, CSV,
//! the HTML page to publish), and the complaint inbox (list, show, status,
//! purge, the slip) over complaints the kiosk and the portal stored.

use anjungan::store::Store;
use anjungan::voice::Channel;
use anjungan::voice::complaint::{self, Category, Draft};
use anjungan::voice::survey::{self, Answers, Response};
use chrono::DateTime;
use serde_json::Value;
use tests::{Device, stderr, stdout};

/// Five paper forms; u3 left blank twice. By hand: u1 (4+3+3+2+4)/5 =
/// 3.20, u3 (2+3+4)/3 = 3.00, ...
const FORMS: &str = "u1,u2,u3,u4,u5,u6,u7,u8,u9,service,date,sex,age,education,occupation\n\
    4,4,2,4,3,3,4,3,3,akta-kelahiran,2026-02-10,female,30-39,senior,employee\n\
    3,3,,4,3,3,4,3,2,akta-kelahiran,2026-03-11,male,40-49,bachelor,civil-servant\n\
    3,2,3,4,3,3,3,3,2,,2026-04-12,,,,\n\
    2,2,,4,2,3,3,2,2,,2026-08-01,female,,,\n\
    4,4,4,4,4,4,4,4,4,ktp-elektronik,2026-09-02,,60-plus,,\n";

fn json(device: &Device, args: &[&str]) -> Value {
    let out = device.run("anjungan", args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
}

#[test]
fn paper_forms_make_the_semester_report() {
    let device = Device::new();
    let file = device.path("forms.csv");
    std::fs::write(&file, FORMS).unwrap();
    let f = file.to_str().unwrap();

    let out = device.run("anjungan", &["survey", "import", f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Imported 5 paper answers"),
        "{}",
        stdout(&out)
    );
    let again = device.run("anjungan", &["survey", "import", f]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--again"), "{}", stderr(&again));

    let all = json(&device, &["survey", "report", "--json"]);
    assert_eq!(all["responses"], 5);
    let elements = all["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 9);
    assert_eq!(elements[0]["element"], 1);
    assert_eq!(elements[0]["nrr"], 3.2);
    assert_eq!(elements[2]["nrr"], 3.0, "the blanks are not counted");
    assert_eq!(elements[2]["answers"], 3);
    // NRR 3.20 3.00 3.00 4.00 3.00 3.20 3.60 3.00 2.60: sum 28.60,
    // / 9 x 25 = 79.444 -> 79.44, B.
    assert_eq!(all["ikm"], 79.44);
    assert_eq!(all["grade"], "B");
    assert_eq!(all["weakest"]["element"], 9);
    assert_eq!(all["profile"]["sex"]["female"], 2);

    // The first semester: the three forms of February to April.
    let s1 = json(
        &device,
        &["survey", "report", "--json", "--semester", "2026-1"],
    );
    assert_eq!(s1["responses"], 3);
    let akta = json(
        &device,
        &["survey", "report", "--json", "--service", "akta-kelahiran"],
    );
    assert_eq!(akta["responses"], 2);
    let kiosk = json(
        &device,
        &["survey", "report", "--json", "--channel", "kiosk"],
    );
    assert_eq!(
        (kiosk["responses"].clone(), kiosk["ikm"].clone()),
        (0.into(), Value::Null)
    );

    let out = device.run("anjungan", &["survey", "report", "--csv"]);
    let csv = stdout(&out);
    assert!(csv.starts_with("scope,responses,nrr_u1,"), "{csv}");
    assert!(csv.contains("\nall,5,3.20,"), "{csv}");
    assert!(csv.contains("\nmonth:2026-09,1,4.00,"), "{csv}");

    let table = stdout(&device.run("anjungan", &["survey", "report"]));
    assert!(
        table.contains("IKM 79.44") && table.contains("Sarana dan prasarana"),
        "{table}"
    );

    // The semester report with one command.
    let page = device.path("laporan.html");
    let out = device.run(
        "anjungan",
        &[
            "survey",
            "report",
            "--semester",
            "2026-2",
            "--html",
            page.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Laporan Survei Kepuasan Masyarakat") && html.contains("<svg"));
    assert!(html.contains("2026-07-01 – 2026-12-31"), "the period asked");
}

#[test]
fn a_wrong_paper_file_is_refused_whole_with_its_line_and_column() {
    let device = Device::new();
    let file = device.path("forms.csv");
    std::fs::write(
        &file,
        "u1,u2,u3,u4,u5,u6,u7,u8,u9\n4,4,4,4,4,4,4,4,4\n4,4,4,4,4,4,4,4,x\n",
    )
    .unwrap();
    let out = device.run("anjungan", &["survey", "import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("line 3") && e.contains("column u9") && e.contains("nothing was imported"),
        "{e}"
    );
    assert_eq!(e.trim().lines().count(), 1, "one line: {e}");
    let all = json(&device, &["survey", "report", "--json"]);
    assert_eq!(all["responses"], 0);
}

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

#[test]
fn answers_from_every_channel_are_one_report_and_each_its_own() {
    let device = Device::new();
    let out = device.run("anjungan", &["survey", "report", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut store = Store::open(&device.dir.path().join("data/anjungan.db")).unwrap();
    let form = |score| Response {
        answers: Answers::new([Some(score); 9]).unwrap(),
        ..Response::default()
    };
    let now = at("2026-11-30T10:00:00+07:00");
    survey::record(&mut store, &form(4), Channel::Kiosk, now).unwrap();
    survey::record(&mut store, &form(2), Channel::Portal, now).unwrap();
    let all = json(&device, &["survey", "report", "--json"]);
    assert_eq!(
        (all["responses"].clone(), all["ikm"].clone()),
        (2.into(), 75.0.into())
    );
    let channels = all["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 2);
    let kiosk = json(
        &device,
        &["survey", "report", "--json", "--channel", "kiosk"],
    );
    assert_eq!(kiosk["ikm"], 100.0);
}

#[test]
fn the_complaint_inbox() {
    let device = Device::with_config("[voice]\nkeep_contact_days = 30\n");
    // Open once through the program, so the data directory exists.
    assert!(
        device
            .run("anjungan", &["complaint", "list"])
            .status
            .success()
    );
    let mut store = Store::open(&device.dir.path().join("data/anjungan.db")).unwrap();
    let draft = |text: &str, contact: Option<&str>| {
        Draft::new(
            text,
            Category::Staff,
            Some("akta-kelahiran"),
            contact,
            true,
            Channel::Portal,
        )
        .unwrap()
    };
    let old = complaint::submit(
        &mut store,
        &draft("Petugas tidak ada di loket", Some("0812 3456 7890")),
        at("2026-09-01T09:00:00+07:00"),
    )
    .unwrap();
    let new = complaint::submit(
        &mut store,
        &draft("<b>Antrean</b> lama", Some("warga@example.id")),
        chrono::Local::now().fixed_offset(),
    )
    .unwrap();

    // The old one was made more than 30 days ago: its contact goes.
    let out = device.run("anjungan", &["complaint", "purge"]);
    assert!(
        stdout(&out).contains("Erased the contact of 1 "),
        "{}",
        stdout(&out)
    );
    let list = json(&device, &["complaint", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0]["reference"],
        new.reference.to_string(),
        "newest first"
    );
    for key in ["reference", "text", "status", "channel", "created_at"] {
        assert!(list[0].get(key).is_some(), "{key}");
    }
    assert_eq!(list[0]["status"], "received");
    assert_eq!(list[0]["channel"], "portal");
    assert_eq!(list[0]["text"], "<b>Antrean</b> lama");

    let typed = old.reference.to_string().to_lowercase().replace('-', "");
    let out = device.run(
        "anjungan",
        &[
            "complaint",
            "status",
            &typed,
            "in-progress",
            "--note",
            "Diteruskan ke Dindukcapil",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&device.run(
        "anjungan",
        &["complaint", "show", &old.reference.to_string()],
    ));
    assert!(
        shown.contains("in-progress") && shown.contains("Diteruskan ke Dindukcapil"),
        "{shown}"
    );
    assert!(
        !shown.contains("081234567890") && shown.contains("erased"),
        "{shown}"
    );

    let bad = device.run("anjungan", &["complaint", "status", &typed, "done"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("in-progress"),
        "names the statuses: {}",
        stderr(&bad)
    );
    let unknown = device.run("anjungan", &["complaint", "show", "ADU-2222-2222"]);
    assert!(
        stderr(&unknown).contains("anjungan complaint list"),
        "{}",
        stderr(&unknown)
    );

    // Nothing more to erase; the new one keeps its contact.
    let out = device.run("anjungan", &["complaint", "purge"]);
    assert!(
        stdout(&out).contains("Erased the contact of 0 "),
        "{}",
        stdout(&out)
    );
    let list = json(&device, &["complaint", "list", "--json"]);
    assert_eq!(list[1]["contact"], Value::Null);
    assert_eq!(list[0]["contact"], "warga@example.id");

    // The slip the kiosk prints.
    let slip = device.path("slip.bin");
    let out = device.run(
        "anjungan",
        &[
            "receipt",
            "--complaint",
            &new.reference.to_string(),
            "--out",
            slip.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printout = anjungan::print::interpret(&std::fs::read(&slip).unwrap()).unwrap();
    assert_eq!(printout.qr_codes(), [new.reference.to_string().as_str()]);
}
