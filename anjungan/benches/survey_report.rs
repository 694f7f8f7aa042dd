//! The survey report over a million stored answers: what `anjungan survey
//! report` costs a device after years of kiosk, Wi-Fi and paper answers
//! (the goal is under a second).
//!
//! `cargo bench -p anjungan --bench survey_report` fills a database once
//! (1,000,000 forms over two years) and measures the report over all of it
//! and over one semester. Under `cargo test --benches` it runs once over
//! 10,000 forms, as a smoke test.

use std::hint::black_box;
use std::time::Instant;

use anjungan::Lang;
use anjungan::store::Store;
use anjungan::voice::survey::report::{self, Filter};
use anjungan::voice::survey::synthetic;
use chrono::{DateTime, NaiveDate};
use criterion::Criterion;

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not.
    let args: Vec<String> = std::env::args().collect();
    let testing =
        !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test" || a == "--list");
    let n = if testing { 10_000 } else { 1_000_000 };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    let now = DateTime::parse_from_rfc3339("2026-11-30T10:00:00+07:00").unwrap();
    let started = Instant::now();
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    synthetic::fill(&mut store, n, first, 730, 42, now).unwrap();
    eprintln!(
        "filled {n} forms in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let semester = Filter {
        from: NaiveDate::from_ymd_opt(2026, 1, 1),
        to: NaiveDate::from_ymd_opt(2026, 6, 30),
        ..Filter::default()
    };
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut group = c.benchmark_group(format!("report_{n}"));
    group.bench_function("all", |b| {
        b.iter(|| {
            let r = report::count(&store, &Filter::default()).unwrap();
            black_box(r.summary(Lang::Id))
        })
    });
    group.bench_function("semester", |b| {
        b.iter(|| black_box(report::count(&store, &semester).unwrap().summary(Lang::Id)))
    });
    group.finish();
    let r = report::count(&store, &Filter::default()).unwrap();
    assert_eq!(r.total.responses as usize, n);
    c.final_summary();
}
