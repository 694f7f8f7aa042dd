//! The survey and complaint pages of the portal without a socket: the
//! router driven with `oneshot`, the visitor's address faked with
//! `MockConnectInfo`, the neighbour table a fake one, the firewall the
//! portal's own `Open` gate; the answers and complaints read back through
//! the domain's functions from the real database.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use anjungan::config::Config;
use anjungan::store::Store;
use anjungan::voice::complaint::{self, Reference, Status};
use anjungan::voice::survey::report;
use anjungan::wifi::Mac;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use captive::clock::Clock;
use captive::firewall::Open;
use captive::limits::PortalLimits;
use captive::neighbours::Neighbours;
use captive::portal::Portal;
use tower::ServiceExt;

const UA: &str = "Mozilla/5.0 (Linux; Android 10; SM-A105F) Chrome/90.0";
const PHONE: &str = "10.42.0.100";
const PHONE_MAC: &str = "00:1a:2b:3c:4d:01";

#[derive(Default, Clone)]
struct FakeArp(Arc<Mutex<HashMap<Ipv4Addr, Mac>>>);

impl Neighbours for FakeArp {
    fn mac_of(&self, ip: Ipv4Addr) -> Option<Mac> {
        self.0.lock().unwrap().get(&ip).copied()
    }
}

impl FakeArp {
    fn set(&self, ip: &str, mac: &str) {
        self.0
            .lock()
            .unwrap()
            .insert(ip.parse().unwrap(), mac.parse().unwrap());
    }
}

struct Bed {
    dir: tempfile::TempDir,
    config: Config,
    portal: Arc<Portal>,
    arp: FakeArp,
    clock: Clock,
}

/// A portal whose clock stands at 08:00 local time today, so no test
/// crosses midnight.
fn bed() -> Bed {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[device]\nid = \"t\"\ndata_dir = \"{0}\"\n[captive]\naddress = \"10.42.0.1\"\n",
        dir.path().display()
    );
    let config = Config::parse(&text, std::path::Path::new("test.toml")).unwrap();
    let arp = FakeArp::default();
    arp.set(PHONE, PHONE_MAC);
    arp.set("10.42.0.101", "00:1a:2b:3c:4d:02");
    let morning = {
        use chrono::TimeZone;
        let today = chrono::Local::now().date_naive();
        chrono::Local
            .from_local_datetime(&today.and_hms_opt(8, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .timestamp()
    };
    let clock = Clock::fixed(morning);
    let portal = captive::start_with(
        &config,
        PortalLimits::default(),
        Box::new(Open),
        Box::new(arp.clone()),
        clock.clone(),
    )
    .unwrap();
    Bed {
        dir,
        config,
        portal,
        arp,
        clock,
    }
}

impl Bed {
    async fn send(&self, from: &str, request: Request<Body>) -> Response {
        let peer: SocketAddr = format!("{from}:40000").parse().unwrap();
        captive::app(self.portal.clone())
            .layer(MockConnectInfo(peer))
            .oneshot(request)
            .await
            .unwrap()
    }

    async fn get(&self, from: &str, path: &str) -> (StatusCode, String) {
        let req = Request::get(path)
            .header(header::HOST, "10.42.0.1")
            .header(header::USER_AGENT, UA)
            .body(Body::empty())
            .unwrap();
        answer(self.send(from, req).await).await
    }

    async fn post(&self, from: &str, path: &str, body: &str) -> (StatusCode, String) {
        let req = Request::post(path)
            .header(header::HOST, "10.42.0.1")
            .header(header::USER_AGENT, UA)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .unwrap();
        answer(self.send(from, req).await).await
    }

    /// Opens the form at `path` and sends it with `fields`.
    async fn fill(&self, from: &str, path: &str, fields: &str) -> (StatusCode, String) {
        let (status, page) = self.get(from, path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let csrf = field_value(&page, "csrf");
        let action = path.split('?').next().unwrap();
        self.post(from, action, &format!("csrf={csrf}&lang=id{fields}"))
            .await
    }

    fn store(&self) -> Store {
        Store::open_for(&self.config).unwrap()
    }

    fn answers(&self) -> serde_json::Value {
        let r = report::count(&self.store(), &report::Filter::default()).unwrap();
        serde_json::to_value(r.summary(anjungan::Lang::Id)).unwrap()
    }
}

async fn answer(r: Response) -> (StatusCode, String) {
    let status = r.status();
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn field_value(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {page}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The text of the element with `id`.
fn by_id(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..start + rest[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn the_portal_page_links_the_survey_and_the_complaint_form_before_joining_and_after() {
    let bed = bed();
    let (_, page) = bed.get(PHONE, "/").await;
    assert!(
        page.contains("id=\"survey\" href=\"/survey?lang=id\"")
            && page.contains("id=\"complaint\" href=\"/complaint?lang=id\""),
        "{page}"
    );
    let csrf = field_value(&page, "csrf");
    bed.post(PHONE, "/join", &format!("csrf={csrf}")).await;
    let (_, joined) = bed.get(PHONE, "/?lang=en").await;
    assert!(joined.contains("You are connected"), "{joined}");
    assert!(joined.contains("id=\"survey\"") && joined.contains("id=\"complaint\""));
}

#[tokio::test]
async fn the_survey_has_nine_questions_of_four_answers_in_the_visitor_s_language() {
    let bed = bed();
    let (status, page) = bed.get(PHONE, "/survey?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    for n in 1..=9 {
        for v in 1..=4 {
            assert!(
                page.contains(&format!("type=\"radio\" name=\"u{n}\" value=\"{v}\"")),
                "u{n}={v}"
            );
        }
    }
    assert!(page.contains("Do the requirements fit") && page.contains("Fit very well"));
    assert!(page.contains("name=\"service\"") && page.contains("id=\"send\""));
    assert!(page.contains("name=\"age\"") && page.contains("name=\"occupation\""));
    assert!(!page.contains("<script") && !page.contains("src=\"http"));
    let (_, id) = bed.get(PHONE, "/survey").await;
    assert!(id.contains("Sangat sesuai") && id.contains("Survei Kepuasan Masyarakat"));
    // From a service's page the service is already chosen.
    let (_, chosen) = bed.get(PHONE, "/survey?service=akta-kelahiran").await;
    assert!(
        chosen.contains("value=\"akta-kelahiran\" selected"),
        "{chosen}"
    );
}

#[tokio::test]
async fn an_answer_with_blanks_is_recorded_and_neither_mac_nor_address_is_kept() {
    let bed = bed();
    let (status, page) = bed
        .fill(
            PHONE,
            "/survey",
            "&u1=4&u3=2&u9=3&service=akta-kelahiran&age=30-39&sex=",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Terima kasih"), "{page}");
    let report = bed.answers();
    assert_eq!(report["responses"], 1, "{report}");
    let nrr = |n: usize| report["elements"][n - 1]["nrr"].as_f64();
    assert_eq!((nrr(1), nrr(3), nrr(9)), (Some(4.0), Some(2.0), Some(3.0)));
    assert_eq!(nrr(2), None, "a blank is not an answer");
    // The database and its journal hold neither the device nor its address.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(bed.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains(".db") {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!bytes.is_empty());
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    for needle in [PHONE, PHONE_MAC, "001a2b3c4d01"] {
        assert!(!text.contains(needle), "{needle} is stored");
    }
    let raw: Vec<u8> = PHONE_MAC.parse::<Mac>().unwrap().0.to_vec();
    assert!(
        !bytes.windows(6).any(|w| w == raw.as_slice()),
        "the MAC's bytes are stored"
    );
}

#[tokio::test]
async fn one_answer_per_device_per_service_per_day() {
    let bed = bed();
    let send = |from: &'static str, service: &'static str| {
        let bed = &bed;
        async move {
            bed.fill(from, "/survey", &format!("&u1=3&service={service}"))
                .await
        }
    };
    assert_eq!(send(PHONE, "akta-kelahiran").await.0, StatusCode::OK);
    let (status, page) = send(PHONE, "akta-kelahiran").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("sudah mengisi survei untuk layanan ini hari ini"),
        "{page}"
    );
    // The same phone at a new address is the same device.
    bed.arp.set("10.42.0.150", PHONE_MAC);
    assert_eq!(
        send("10.42.0.150", "akta-kelahiran").await.0,
        StatusCode::CONFLICT
    );
    // Another service, the office in general, another device: answered.
    assert_eq!(send(PHONE, "kk-baru").await.0, StatusCode::OK);
    assert_eq!(send(PHONE, "").await.0, StatusCode::OK);
    assert_eq!(
        send("10.42.0.101", "akta-kelahiran").await.0,
        StatusCode::OK
    );
    // Tomorrow, again.
    bed.clock.advance(24 * 60 * 60);
    assert_eq!(send(PHONE, "akta-kelahiran").await.0, StatusCode::OK);
    assert_eq!(bed.answers()["responses"], 5);
}

#[tokio::test]
async fn survey_forms_that_are_not_the_portal_s_are_refused_with_a_clear_message() {
    let bed = bed();
    for body in ["csrf=1.ab&u1=3&u9=2&age=60-plus", "u1=3&u9=2&age=60-plus"] {
        let (status, page) = bed.post(PHONE, "/survey", body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(page.contains("kedaluwarsa"), "{page}");
        // The answers are still chosen on the fresh form.
        for kept in [
            "name=\"u1\" value=\"3\" checked",
            "name=\"u9\" value=\"2\" checked",
            "value=\"60-plus\" selected",
        ] {
            assert!(page.contains(kept), "{kept}: {page}");
        }
        assert_eq!(page.matches(" checked").count(), 2);
    }
    for (fields, says) in [
        ("", "setidaknya satu"),
        ("&service=akta-kelahiran", "setidaknya satu"),
        ("&u1=5", "empat jawaban"),
        ("&u1=x", "Isian tidak dikenal"),
        ("&u1=3&sex=robot", "Isian tidak dikenal"),
        ("&u1=3&service=no-such-service", "tidak ada dalam daftar"),
        ("&u1=3&service=%3Cb%3E", "tidak dikenal"),
    ] {
        let (status, page) = bed.fill(PHONE, "/survey", fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields}");
        assert!(page.contains(says), "{fields}: {page}");
        assert!(page.contains("role=\"alert\""));
    }
    // A device the neighbour table does not know cannot be held to one
    // answer a day.
    let (status, page) = bed.fill("10.42.0.77", "/survey", "&u1=3").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("tidak dikenali"), "{page}");
    assert_eq!(bed.answers()["responses"], 0);
}

#[tokio::test]
async fn surveys_from_one_address_are_rate_limited() {
    let bed = bed();
    let services = [
        "kk-baru",
        "kia",
        "akta-kematian",
        "pbg",
        "slf",
        "pbb-bayar",
        "bphtb",
    ];
    let mut statuses = Vec::new();
    for s in services {
        let (status, _) = bed
            .fill(PHONE, "/survey", &format!("&u1=3&service={s}"))
            .await;
        statuses.push(status);
    }
    assert_eq!(&statuses[..5], [StatusCode::OK; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let (status, _) = bed.fill("10.42.0.101", "/survey", "&u1=3").await;
    assert_eq!(status, StatusCode::OK, "another visitor is not affected");
}

#[tokio::test]
async fn a_complaint_gets_a_reference_that_finds_it_with_the_staff_s_answer() {
    let bed = bed();
    let (_, form) = bed.get(PHONE, "/complaint?lang=id").await;
    assert!(form.contains("<textarea") && form.contains("name=\"text\""));
    assert!(form.contains("name=\"contact\"") && form.contains("name=\"consent\""));
    assert!(form.contains("id=\"send\"") && form.contains("dihapus setelah 90"));
    assert!(form.contains("lapor.go.id") && form.contains("1708") && form.contains("<svg"));
    assert!(
        form.contains("memerlukan internet"),
        "not joined yet: {form}"
    );
    let (status, page) = bed
        .fill(
            PHONE,
            "/complaint",
            "&category=staff&service=akta-kelahiran&text=Petugas+loket+2+tidak+ada+sejak+pukul+09.00&contact=0812-3456-7890&consent=yes",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let reference = by_id(&page, "reference");
    assert!(Reference::parse(&reference).is_some(), "{reference}");
    assert!(page.contains("lapor.go.id") && page.contains("Cek status"));

    let typed = reference.replace('-', " ").to_lowercase();
    let (status, found) = bed
        .fill(PHONE, "/complaint/status", &format!("&reference={typed}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(by_id(&found, "found-reference"), reference);
    assert_eq!(by_id(&found, "status"), "Diterima");

    let listed = complaint::list(&bed.store(), 10).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reference.to_string(), reference);
    assert_eq!(listed[0].channel.code(), "portal");
    assert_eq!(listed[0].service.as_deref(), Some("akta-kelahiran"));

    let parsed = Reference::parse(&reference).unwrap();
    complaint::set_status(
        &mut bed.store(),
        &parsed,
        Status::Answered,
        Some("Sudah ditegur. <script>alert(1)</script>"),
        chrono::Local::now().fixed_offset(),
    )
    .unwrap();
    let (_, found) = bed
        .fill(
            PHONE,
            "/complaint/status",
            &format!("&reference={reference}"),
        )
        .await;
    assert_eq!(by_id(&found, "status"), "Sudah dijawab");
    assert!(found.contains("Sudah ditegur. &lt;script&gt;"), "{found}");
    assert!(!found.contains("<script>"));
}

#[tokio::test]
async fn complaints_that_cannot_be_taken_say_why_and_keep_what_was_typed() {
    let bed = bed();
    let cases = [
        ("&text=+++", "Tuliskan pengaduan"),
        (
            "&text=Antre+lama&contact=0812&consent=yes",
            "Tulis nomor telepon",
        ),
        (
            "&text=%3Cb%3EAntre%3C%2Fb%3E&contact=0812-3456-7890",
            "Centang persetujuan",
        ),
        ("&text=x&category=bribery", "Isian tidak dikenal"),
        ("&text=x&service=no-such-service", "tidak ada dalam daftar"),
    ];
    for (fields, says) in cases {
        let (status, page) = bed.fill(PHONE, "/complaint", fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields}");
        assert!(page.contains(says), "{fields}: {page}");
    }
    let (status, page) = bed.post(PHONE, "/complaint", "text=Antre+lama").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no form token");
    assert!(page.contains("kedaluwarsa") && page.contains("Antre lama</textarea>"));
    // What was typed comes back, escaped.
    let (_, page) = bed.fill(PHONE, "/complaint", cases[2].0).await;
    assert!(
        page.contains("&lt;b&gt;Antre&lt;/b&gt;</textarea>"),
        "{page}"
    );
    assert!(page.contains("value=\"0812-3456-7890\""));
    // Too long: refused; at the longest, in any script, taken.
    let long = "é".repeat(complaint::MAX_TEXT + 1);
    let (status, page) = bed
        .fill(PHONE, "/complaint", &format!("&text={long}"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("terlalu panjang"));
    let longest: String = "ꦲ".repeat(complaint::MAX_TEXT);
    let encoded: String = longest.bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, page) = bed
        .fill(PHONE, "/complaint", &format!("&text={encoded}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // A body beyond any form's is not read.
    let (status, _) = bed
        .post(
            PHONE,
            "/complaint",
            &format!("text={}", "a".repeat(64 * 1024)),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = bed
        .post(PHONE, "/survey", &format!("u1={}", "a".repeat(8 * 1024)))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(complaint::list(&bed.store(), 10).unwrap().len(), 1);
}

#[tokio::test]
async fn complaints_are_rate_limited_per_address_and_for_the_whole_portal() {
    let bed = bed();
    let file = |from: String| {
        let bed = &bed;
        async move { bed.fill(&from, "/complaint", "&text=Antre+lama").await.0 }
    };
    for _ in 0..3 {
        assert_eq!(file(PHONE.into()).await, StatusCode::OK);
    }
    let (status, page) = bed.fill(PHONE, "/complaint", "&text=Antre+lama").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Tunggu beberapa menit"), "{page}");
    // Thirty from the whole guest network at once, then one a minute.
    let mut taken = 3;
    for host in 2..12 {
        for _ in 0..3 {
            if file(format!("10.42.0.{host}")).await == StatusCode::OK {
                taken += 1;
            }
        }
    }
    assert_eq!(taken, 30);
    let (status, page) = bed
        .fill("10.42.0.99", "/complaint", "&text=Antre+lama")
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("LAPOR! (SMS 1708)"), "{page}");
    assert_eq!(complaint::list(&bed.store(), 100).unwrap().len(), 30);
}

#[tokio::test]
async fn look_ups_of_unknown_references_are_refused_and_limited() {
    let bed = bed();
    let (_, form) = bed.get(PHONE, "/complaint/status?lang=en").await;
    assert!(form.contains("name=\"reference\"") && form.contains("lapor.go.id"));
    let mut statuses = Vec::new();
    for typed in ["ADU-2222-2222", "<script>", "", "x"] {
        let (status, page) = bed
            .fill(PHONE, "/complaint/status", &format!("&reference={typed}"))
            .await;
        assert!(!page.contains("<script>"));
        statuses.push(status);
    }
    assert_eq!(statuses, [StatusCode::NOT_FOUND; 4]);
    for _ in 0..6 {
        bed.fill(PHONE, "/complaint/status", "&reference=ADU-2222-2222")
            .await;
    }
    let (status, _) = bed
        .fill(PHONE, "/complaint/status", "&reference=ADU-2222-2222")
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = bed
        .post(PHONE, "/complaint/status", "reference=ADU-2222-2222")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no form token");
}

#[tokio::test]
async fn after_joining_lapor_is_a_link_away() {
    let bed = bed();
    let (_, page) = bed.get(PHONE, "/").await;
    bed.post(
        PHONE,
        "/join",
        &format!("csrf={}", field_value(&page, "csrf")),
    )
    .await;
    let (_, form) = bed.get(PHONE, "/complaint?lang=en").await;
    assert!(form.contains("href=\"https://www.lapor.go.id/\""));
    assert!(!form.contains("needs the internet"), "{form}");
    let (_, before) = bed.get("10.42.0.101", "/complaint?lang=en").await;
    assert!(before.contains("needs the internet"));
}
