//! `kill -9` at any moment loses no event: the real `anjungan` program
//! imports paper survey answers into a real SQLite file and is killed at
//! random points, again and again; afterwards every answer kept has its
//! event in the outbox, and every import is there whole or not at all.

use std::process::{Command, Stdio};
use std::time::Instant;

const ROWS: usize = 3000;

#[test]
fn answers_and_their_events_survive_kill_9_together() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("anjungan.toml");
    std::fs::write(
        &config,
        format!(
            "[device]\ndata_dir = \"{}\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let csv = dir.path().join("paper.csv");
    let mut text = String::from("u1,u2,u3,u4,u5,u6,u7,u8,u9\n");
    for i in 0..ROWS {
        let s = i % 4 + 1;
        text.push_str(&format!("{s},{s},{s},{s},{s},{s},{s},{s},\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let import = || {
        Command::new(env!("CARGO_BIN_EXE_anjungan"))
            .arg("--config")
            .arg(&config)
            .args(["survey", "import", "--again"])
            .arg(&csv)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long one whole import takes here, to kill the others within it.
    let started = Instant::now();
    assert!(import().wait().unwrap().success());
    let whole = started.elapsed();
    let mut finished = 1;
    for i in 0..12u32 {
        let mut child = import();
        std::thread::sleep(whole * i / 12);
        child.kill().unwrap();
        if child.wait().unwrap().success() {
            finished += 1;
        }
    }
    assert!(finished < 13, "at least one import was killed part-way");

    let db = rusqlite::Connection::open(dir.path().join("data/anjungan.db")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let answers = count("SELECT count(*) FROM survey_response");
    let events = count("SELECT count(*) FROM outbox WHERE kind = 'survey'");
    let ids = count("SELECT count(DISTINCT id) FROM outbox");
    assert_eq!(answers, events, "every answer kept has its event");
    assert_eq!(ids, events, "event ids are unique");
    assert_eq!(answers % ROWS as i64, 0, "imports are whole or absent");
    assert!(answers >= finished * ROWS as i64);
}
