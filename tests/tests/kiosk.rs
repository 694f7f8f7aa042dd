//! `anjungan-kiosk snapshot` from outside, as technicians and the outside
//! acceptance tests use it: a PNG of exactly the size asked, of the catalog
//! installed on the device, with a QR code a phone can read.

use std::fs::File;
use std::path::Path;

use tests::{Device, stderr};

/// The picture's size and its pixels as grey levels.
fn read_png(path: &Path) -> (usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let grey = buf[..info.buffer_size()]
        .chunks(3)
        .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
        .collect();
    (info.width as usize, info.height as usize, grey)
}

fn qr_codes(path: &Path) -> Vec<String> {
    let (w, h, grey) = read_png(path);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    image
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

fn snapshot(
    device: &Device,
    screen: &str,
    lang: &str,
    size: &str,
    out: &Path,
) -> std::process::Output {
    device.run(
        "anjungan-kiosk",
        &[
            "snapshot",
            "--screen",
            screen,
            "--lang",
            lang,
            "--size",
            size,
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

#[test]
fn snapshot_of_a_service_has_the_exact_size_and_a_readable_qr_code() {
    let device = Device::new();
    for (size, w, h) in [("800x480", 800, 480), ("1080x1920", 1080, 1920)] {
        let out = device.path(&format!("service-{size}.png"));
        let run = snapshot(&device, "service:ktp-el-baru", "en", size, &out);
        assert!(run.status.success(), "{}", stderr(&run));
        let (width, height, _) = read_png(&out);
        assert_eq!((width, height), (w, h));
        assert_eq!(
            qr_codes(&out),
            vec!["https://dindukcapil.banyumaskab.go.id".to_string()]
        );
    }
}

#[test]
fn snapshot_shows_the_installed_catalog() {
    let device = Device::new();
    let bundle = device.path("bundle.json");
    std::fs::write(
        &bundle,
        r#"{"format": "anjungan-catalog", "version": 1, "published": "2026-11-01T00:00:00+07:00",
            "region": {"code": "32.73", "name": "Kota Bandung"},
            "categories": [{"id": "umum", "name": {"id": "Umum"}, "icon": "no-such-icon"}],
            "offices": [],
            "services": [{"id": "izin-keramaian", "category": "umum",
                          "name": {"id": "Izin keramaian", "en": "Crowd permit"},
                          "requirements": [], "procedure": [],
                          "online_url": "https://bandung.go.id/izin-keramaian"}]}"#,
    )
    .unwrap();
    let (ok, message) = device.import(&bundle);
    assert!(ok, "{message}");
    let out = device.path("service.png");
    let run = snapshot(&device, "service:izin-keramaian", "id", "1280x800", &out);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        qr_codes(&out),
        vec!["https://bandung.go.id/izin-keramaian".to_string()]
    );
    // A demo service is not in this catalog.
    let run = snapshot(&device, "service:ktp-el-baru", "id", "1280x800", &out);
    assert!(!run.status.success());
}

#[test]
fn bad_arguments_are_refused_in_one_line() {
    let device = Device::new();
    let out = device.path("x.png");
    for (screen, size, names) in [
        ("service:no-such-service", "800x480", "no-such-service"),
        ("category:no-such-category", "800x480", "no-such-category"),
        ("settings", "800x480", "settings"),
        ("home", "800", "800"),
    ] {
        let run = snapshot(&device, screen, "id", size, &out);
        assert!(!run.status.success(), "{screen} {size} accepted");
        let message = stderr(&run);
        assert!(message.contains(names), "{message}");
        assert!(!out.exists(), "nothing written for {screen} {size}");
    }
}
