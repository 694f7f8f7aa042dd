//! The database shared by the kiosk, the portal and the command line: many
//! programs at once, none failing because another holds the lock.

use std::process::Stdio;

use tests::{Device, stderr};

#[test]
fn imports_and_reads_from_many_processes_at_once() {
    let device = Device::new();
    let bundle = anjungan::catalog::synthetic::bundle(300, 3);
    let file = device.path("bundle.json");
    std::fs::write(&file, anjungan::catalog::to_json(&bundle)).unwrap();
    let file = file.to_str().unwrap();

    let mut children = Vec::new();
    for i in 0..6 {
        let args: &[&str] = if i % 2 == 0 {
            &["catalog", "import", file]
        } else {
            &["catalog", "search", "akta kelahiran", "--json"]
        };
        children.push(
            device
                .command("anjungan", args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let status = device.run("anjungan", &["catalog", "status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("generation 3"),
        "three imports, three generations: {text}"
    );
}
