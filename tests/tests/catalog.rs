//! The catalog through the `anjungan` command line, as technicians and the
//! device image use it: import, export, every refusal of catalog-format.md,
//! round trips, and imports interrupted by a kill.

use serde_json::{Value, json};
use tests::{Device, stderr, stdout};

/// A region's own catalog, different from the demo one, so that "the old
/// catalog stays" means something.
fn regional_bundle() -> Value {
    let mut b: Value = serde_json::from_str(anjungan::catalog::demo::json()).unwrap();
    b["region"] = json!({"code": "32.73", "name": "Kota Bandung"});
    b["services"].as_array_mut().unwrap().truncate(12);
    b
}

fn write(device: &Device, name: &str, bundle: &Value) -> std::path::PathBuf {
    let path = device.path(name);
    std::fs::write(&path, serde_json::to_vec_pretty(bundle).unwrap()).unwrap();
    path
}

/// A device with the regional catalog installed.
fn installed_device() -> Device {
    let device = Device::new();
    let file = write(&device, "regional.json", &regional_bundle());
    let (ok, err) = device.import(&file);
    assert!(ok, "{err}");
    device
}

/// Imports `bundle` and checks it is refused with a one-line message that
/// names `place`, and that the installed catalog is exactly as before.
fn check_refused(device: &Device, bundle: &[u8], place: &str) {
    let before = device.export();
    let file = device.path("candidate.json");
    std::fs::write(&file, bundle).unwrap();
    let (ok, err) = device.import(&file);
    assert!(!ok, "a bundle with a fault at {place} was installed");
    assert!(
        err.contains(place),
        "the message does not name {place}: {err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one plain line: {err}");
    assert_eq!(
        device.export(),
        before,
        "the refusal at {place} changed the catalog"
    );
}

fn refused_with(device: &Device, change: impl FnOnce(&mut Value), place: &str) {
    let mut b = regional_bundle();
    change(&mut b);
    check_refused(device, &serde_json::to_vec(&b).unwrap(), place);
}

#[test]
fn not_json_is_refused_with_its_line() {
    let device = installed_device();
    check_refused(
        &device,
        b"{\n  \"format\": \"anjungan-catalog\",\n  oops\n}",
        "line 3",
    );
    check_refused(&device, b"", "line 1");
    check_refused(&device, b"[1, 2]", "bundle");
}

#[test]
fn missing_required_fields_are_refused() {
    let device = installed_device();
    for field in [
        "format",
        "version",
        "published",
        "region",
        "categories",
        "offices",
        "services",
    ] {
        refused_with(
            &device,
            |b| {
                b.as_object_mut().unwrap().remove(field);
            },
            field,
        );
    }
    let cases: &[(&str, &str, &str)] = &[
        ("categories", "id", "categories[0]"),
        ("categories", "name", "categories[0]"),
        ("offices", "id", "offices[0]"),
        ("offices", "name", "offices[0]"),
        ("offices", "address", "offices[0]"),
        ("services", "id", "services[0]"),
        ("services", "category", "services[0]"),
        ("services", "name", "services[0]"),
        ("services", "requirements", "services[0]"),
        ("services", "procedure", "services[0]"),
        ("announcements", "title", "announcements[0]"),
        ("announcements", "body", "announcements[0]"),
    ];
    for &(list, field, place) in cases {
        refused_with(
            &device,
            |b| {
                b[list][0].as_object_mut().unwrap().remove(field);
            },
            place,
        );
    }
    refused_with(
        &device,
        |b| {
            b["region"].as_object_mut().unwrap().remove("code");
        },
        "region",
    );
    refused_with(&device, |b| b["categories"] = json!([]), "categories");
}

#[test]
fn wrong_types_are_refused() {
    let device = installed_device();
    refused_with(&device, |b| b["version"] = json!("1"), "version");
    refused_with(&device, |b| b["services"] = json!({}), "services");
    refused_with(
        &device,
        |b| b["services"][3]["requirements"] = json!("KTP"),
        "services[3].requirements",
    );
    refused_with(
        &device,
        |b| b["services"][4]["fee"]["amount"] = json!("gratis"),
        "services[4].fee.amount",
    );
    refused_with(
        &device,
        |b| b["services"][4]["fee"]["amount"] = json!(-5),
        "services[4].fee.amount",
    );
    refused_with(
        &device,
        |b| b["services"][5]["keywords"] = json!([1, 2]),
        "services[5].keywords[0]",
    );
    refused_with(
        &device,
        |b| b["offices"][1]["location"] = json!({"lat": "x", "lon": 1}),
        "offices[1].location.lat",
    );
    refused_with(
        &device,
        |b| b["services"][2]["name"]["en"] = json!(7),
        "services[2].name.en",
    );
    refused_with(&device, |b| b["published"] = json!("kemarin"), "published");
}

#[test]
fn repeated_ids_are_refused() {
    let device = installed_device();
    refused_with(
        &device,
        |b| {
            let first = b["services"][0]["id"].clone();
            b["services"][7]["id"] = first;
        },
        "services[7].id",
    );
    refused_with(
        &device,
        |b| {
            let c = b["categories"][0].clone();
            b["categories"].as_array_mut().unwrap().push(c);
        },
        "categories[",
    );
    refused_with(
        &device,
        |b| {
            let o = b["offices"][0].clone();
            b["offices"].as_array_mut().unwrap().push(o);
        },
        "offices[",
    );
    refused_with(
        &device,
        |b| {
            let a = b["announcements"][0].clone();
            b["announcements"].as_array_mut().unwrap().push(a);
        },
        "announcements[",
    );
}

#[test]
fn dangling_references_are_refused() {
    let device = installed_device();
    let mut b = regional_bundle();
    b["services"][11]["category"] = json!("pajak-daerah-x");
    let file = write(&device, "dangling.json", &b);
    let before = device.export();
    let (ok, err) = device.import(&file);
    assert!(!ok);
    assert!(
        err.contains(r#"services[11].category: unknown category "pajak-daerah-x""#),
        "{err}"
    );
    assert_eq!(device.export(), before);
    refused_with(
        &device,
        |b| b["services"][6]["office"] = json!("kantor-hilang"),
        "services[6].office",
    );
}

#[test]
fn insecure_or_bad_values_are_refused() {
    let device = installed_device();
    refused_with(
        &device,
        |b| b["services"][1]["online_url"] = json!("http://example.go.id"),
        "services[1].online_url",
    );
    refused_with(
        &device,
        |b| b["services"][1]["online_url"] = json!("javascript:alert(1)"),
        "services[1].online_url",
    );
    refused_with(
        &device,
        |b| b["services"][2]["name"] = json!({"en": "Birth certificate"}),
        "services[2].name",
    );
    refused_with(
        &device,
        |b| b["categories"][0]["name"] = json!({"su": "Kependudukan"}),
        "categories[0].name",
    );
    refused_with(
        &device,
        |b| b["services"][3]["requirements"][0] = json!({"en": "ID card"}),
        "services[3].requirements[0]",
    );
    refused_with(
        &device,
        |b| b["services"][0]["id"] = json!("Akta Lahir"),
        "services[0].id",
    );
    refused_with(
        &device,
        |b| b["services"][0]["queue_prefix"] = json!("a1"),
        "services[0].queue_prefix",
    );
    refused_with(
        &device,
        |b| {
            b["offices"][0]["hours"] = json!([{"days": "senin", "open": "08:00", "close": "12:00"}])
        },
        "offices[0].hours[0]",
    );
}

#[test]
fn newer_versions_and_other_formats_are_refused() {
    let device = installed_device();
    let mut b = regional_bundle();
    b["version"] = json!(2);
    b["services"] = json!("a shape version 2 might have");
    let file = write(&device, "v2.json", &b);
    let (ok, err) = device.import(&file);
    assert!(!ok);
    assert!(
        err.contains("version") && err.contains("update Anjungan"),
        "{err}"
    );
    refused_with(&device, |b| b["format"] = json!("geojson"), "format");
}

#[test]
fn export_of_an_import_imports_to_the_same_catalog() {
    let device = Device::new();
    // A bundle from another tool: unknown fields, a regional language.
    let mut b = regional_bundle();
    b["generator"] = json!("sipp-export 2.1");
    b["services"][0]["name"]["su"] = json!("Akta Kalahiran");
    b["services"][0]["future_field"] = json!({"x": 1});
    let file = write(&device, "other-tool.json", &b);
    assert!(device.import(&file).0);
    let first = device.export();
    assert!(
        first.contains("Akta Kalahiran"),
        "regional languages are kept"
    );
    assert!(
        !first.contains("future_field"),
        "unknown fields are dropped"
    );
    let again = device.path("again.json");
    std::fs::write(&again, &first).unwrap();
    assert!(device.import(&again).0);
    assert_eq!(device.export(), first);
}

#[test]
fn fresh_device_exports_the_demo_catalog() {
    let device = Device::new();
    let exported: Value = serde_json::from_str(&device.export()).unwrap();
    let demo: Value = serde_json::from_str(anjungan::catalog::demo::json()).unwrap();
    assert_eq!(
        exported["services"].as_array().unwrap().len(),
        demo["services"].as_array().unwrap().len()
    );
    // And to a file.
    let out = device.path("export.json");
    let run = device.run("anjungan", &["catalog", "export", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(out).unwrap(), device.export());
}

#[test]
fn missing_file_says_what_to_do() {
    let device = Device::new();
    let run = device.run(
        "anjungan",
        &["catalog", "import", "/nonexistent/bundle.json"],
    );
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("/nonexistent/bundle.json"),
        "{}",
        stderr(&run)
    );
}

/// A power cut or a kill at any moment of an import leaves either the old
/// catalog or the whole new one.
#[test]
fn killed_import_leaves_old_or_new() {
    let device = installed_device();
    let old = device.export();
    let big = anjungan::catalog::synthetic::bundle(4_000, 1);
    let file = device.path("big.json");
    std::fs::write(&file, anjungan::catalog::to_json(&big)).unwrap();
    let mut seen_new = false;
    for delay_ms in [5u64, 40, 80, 150, 250, 400, 700] {
        let mut child = device
            .command("anjungan", &["catalog", "import", file.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = device.export();
        let services = serde_json::from_str::<Value>(&now).unwrap()["services"]
            .as_array()
            .unwrap()
            .len();
        if now == old {
            continue;
        }
        assert_eq!(
            services, 4_000,
            "a half-installed catalog after a kill at {delay_ms} ms"
        );
        seen_new = true;
        // Put the old one back for the next round.
        let back = device.path("old.json");
        std::fs::write(&back, &old).unwrap();
        assert!(device.import(&back).0);
    }
    let _ = seen_new;
}

#[test]
fn programs_answer_help() {
    let device = Device::new();
    for program in ["anjungan", "anjungan-kiosk", "anjungan-captive"] {
        let out = device.run(program, &["--help"]);
        assert!(out.status.success(), "{program} --help failed");
        assert!(
            stdout(&out).contains("--config"),
            "{program} --help names --config"
        );
    }
}

#[test]
fn bad_configuration_is_one_clear_line() {
    let device = Device::with_config("[captive]\nauth = \"ldap\"\n");
    let out = device.run("anjungan", &["catalog", "status"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("captive.auth") && err.contains("click-through"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
