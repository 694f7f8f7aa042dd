//! Snapshot tests: every screen at the three panel sizes in both languages,
//! rendered with the software renderer as the `snapshot` command does, and
//! checked for what a person would notice at once: a blank screen, text
//! running off the edge, a QR code missing or unreadable.
//!
//! One test: the headless platform is installed once per process.

use std::rc::Rc;

use anjungan::catalog::{Catalog, demo};
use anjungan::queue::PrefixStatus;
use kiosk::complaint::LAPOR_URL;
use kiosk::controller::Settings;
use kiosk::lang::Lang;
use kiosk::snapshot::{self, ComplaintPage, Picture, Request, Size, SurveyPage, Target};

const SIZES: [(u32, u32); 3] = [(800, 480), (1280, 800), (1080, 1920)];
const WIFI: &str = "Banyumas Free";

fn settings() -> Settings {
    let mut settings = Settings::new(90, "Mal Pelayanan Publik, lobi", WIFI);
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00+07:00").unwrap();
    settings.clock = Rc::new(move || now);
    settings
}

/// `vouchers`: the Wi-Fi asks for vouchers, so home shows "Voucher Wi-Fi"
/// under the Wi-Fi card (the tighter of its two layouts).
fn render(
    target: &Target,
    vouchers: bool,
    lang: Lang,
    (width, height): (u32, u32),
    large_text: bool,
) -> Picture {
    let request = Request {
        target: target.clone(),
        lang,
        size: Size { width, height },
        large_text,
        high_contrast: false,
    };
    let mut settings = settings();
    settings.voucher_minutes = vouchers.then_some(60);
    snapshot::render(
        Catalog::new(demo::bundle(), None),
        settings,
        queue(),
        &request,
    )
    .unwrap()
}

/// Numbers called at three counters, one without a counter: the attract
/// screen's card at its fullest.
fn queue() -> Vec<PrefixStatus> {
    [
        ("A", 12, Some(2)),
        ("B", 7, None),
        ("K", 103, Some(11)),
        ("UK", 4, Some(3)),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (prefix, n, counter))| PrefixStatus {
        prefix: prefix.into(),
        last_called: Some(format!("{prefix}{n:03}")),
        counter,
        called_at: Some(format!("2026-11-30T02:0{i}:00Z")),
        waiting: 3,
        taken: n + 3,
        waiting_since: Some("2026-11-30T01:00:00Z".into()),
    })
    .collect()
}

fn luma(p: slint::Rgb8Pixel) -> u8 {
    ((p.r as u32 * 299 + p.g as u32 * 587 + p.b as u32 * 114) / 1000) as u8
}

/// All QR codes a phone would read in the picture.
fn qr_codes(picture: &Picture) -> Vec<String> {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(
        picture.width as usize,
        picture.height as usize,
        |x, y| luma(picture.pixel(x as u32, y as u32)),
    );
    image
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// What a broken screen looks like, in words; `None` when it looks sound.
fn defects(picture: &Picture) -> Vec<String> {
    let mut found = Vec::new();
    let (w, h) = (picture.width, picture.height);

    // Blank: one flat colour, or almost nothing drawn on the background.
    let background = picture.pixel(w / 2, h - 2);
    let drawn = picture.pixels.iter().filter(|p| **p != background).count();
    if drawn < picture.pixels.len() / 20 {
        found.push(format!(
            "nearly blank: {drawn} pixels differ from the background"
        ));
    }
    let dark = picture.pixels.iter().filter(|p| luma(**p) < 90).count();
    if dark < 2000 {
        found.push(format!("no text to speak of: {dark} dark pixels"));
    }

    // Text running off an edge leaves glyph fragments in the outermost
    // pixels, where every view keeps only flat bars and padding.
    let strip = 3;
    for y in 0..h {
        for x in (0..strip).chain(w - strip..w) {
            let side = if x < strip { 0 } else { w - 1 };
            if picture.pixel(x, y) != picture.pixel(side, y) {
                found.push(format!(
                    "something crosses the {} edge at y={y}",
                    if side == 0 { "left" } else { "right" }
                ));
                return found;
            }
        }
    }
    for x in 0..w {
        if picture.pixel(x, h - 1) != picture.pixel(x, h - strip) {
            found.push(format!("something crosses the bottom edge at x={x}"));
            return found;
        }
    }
    found
}

#[test]
fn every_screen_at_every_size_in_both_languages() {
    let url = "https://dindukcapil.banyumaskab.go.id";
    let screens = [
        (Target::Home, false),
        (Target::Home, true),
        (Target::Attract, false),
        (Target::Search("akta lahir".into()), false),
        (Target::Category("kependudukan".into()), false),
        (Target::Service("ktp-el-baru".into()), false),
        // The biggest card: a number, the fault, three buttons.
        (Target::PaperOut("akta-kelahiran".into()), false),
        (Target::Survey(SurveyPage::Element(1)), false),
        // The longest answers.
        (Target::Survey(SurveyPage::Element(8)), false),
        (Target::Survey(SurveyPage::About(2)), false),
        (Target::Survey(SurveyPage::About(4)), false),
        (Target::Survey(SurveyPage::Thanks), false),
        (Target::Complaint(ComplaintPage::Category), false),
        (Target::Complaint(ComplaintPage::Write), false),
        (Target::Complaint(ComplaintPage::Contact), false),
        (Target::Complaint(ComplaintPage::Sent), false),
        (Target::Complaint(ComplaintPage::Lookup), false),
    ];
    let mut failures = Vec::new();
    for size in SIZES {
        for lang in [Lang::Id, Lang::En] {
            for (target, vouchers) in &screens {
                for large_text in [false, true] {
                    let picture = render(target, *vouchers, lang, size, large_text);
                    assert_eq!((picture.width, picture.height), size);
                    let name = format!(
                        "{target:?}{} {lang} {}x{}{}",
                        if *vouchers { " with vouchers" } else { "" },
                        size.0,
                        size.1,
                        if large_text { " large text" } else { "" }
                    );
                    for defect in defects(&picture) {
                        failures.push(format!("{name}: {defect}"));
                    }
                    let codes = qr_codes(&picture);
                    let wanted = match target {
                        Target::Home | Target::Attract => Some(anjungan::wifi::join_qr(WIFI)),
                        Target::Service(_) => Some(url.to_string()),
                        // LAPOR! on every complaint screen.
                        Target::Complaint(_) => Some(LAPOR_URL.to_string()),
                        _ => None,
                    };
                    if let Some(wanted) = wanted
                        && !codes.contains(&wanted)
                    {
                        failures.push(format!(
                            "{name}: QR code {wanted:?} not readable (read {codes:?})"
                        ));
                    }
                }
            }
        }
    }
    // The dark screen outside `screen_hours`: every pixel black, the home
    // screen under it included.
    for size in SIZES {
        let picture = render(&Target::Off, true, Lang::Id, size, false);
        let lit = (0..size.1)
            .flat_map(|y| (0..size.0).map(move |x| (x, y)))
            .filter(|&(x, y)| picture.pixel(x, y) != slint::Rgb8Pixel::new(0, 0, 0))
            .count();
        if lit > 0 {
            failures.push(format!("off {}x{}: {lit} pixels not black", size.0, size.1));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unknown_ids_are_refused() {
    // Runs in the same process as the test above only after it or before
    // it; either way it renders nothing.
    let request = Request {
        target: Target::Service("no-such-service".into()),
        lang: Lang::Id,
        size: Size {
            width: 800,
            height: 480,
        },
        large_text: false,
        high_contrast: false,
    };
    let err = snapshot::render(
        Catalog::new(demo::bundle(), None),
        settings(),
        vec![],
        &request,
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("no-such-service"), "{err}");
}
