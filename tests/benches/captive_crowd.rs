//! A crowd joining the portal at once, in the namespace bed: the real
//! daemon with real nftables, visitors as macvlan interfaces
//! (`captive_bed::crowd`), each joining over real HTTP. Prints the time for
//! all to join, joins per second, join latency p50/p99, the daemon's CPU
//! time (its own and its `nft` children's, from /proc), its peak RSS, and
//! per join the `nft` update and the database write (p50/p99, from the
//! daemon's `captive::timing` debug lines).
//!
//!   sudo ANJUNGAN_BENCH_VISITORS=1000 cargo bench -p tests --bench captive_crowd
//!
//! Without the variable 20 visitors: a smoke test under `cargo test
//! --all-targets`. Needs root; skips without it (fails under
//! ANJUNGAN_TEST_STRICT=1).

#[path = "../tests/captive_bed/mod.rs"]
mod captive_bed;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Instant;

use captive_bed::Bed;
use captive_bed::crowd::{self, Crowd};

/// Clock ticks of utime, stime, cutime, cstime (fields 14 to 17).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the daemon's stat");
    // The command name may hold spaces: fields count from after ")".
    let after = &stat[stat.rfind(')').expect("a stat line") + 2..];
    after
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|f| f.parse::<u64>().expect("a number"))
        .sum()
}

fn ticks_per_second() -> f64 {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .expect("getconf runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(100.0)
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("the daemon's status")
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM")
}

/// The value of `key=` in each `join timing` line of the daemon's log.
fn timings(log: &str, key: &str) -> Vec<f64> {
    let key = format!("{key}=");
    log.lines()
        .filter(|l| l.contains("join timing"))
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix(key.as_str()))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn main() {
    let visitors: usize = std::env::var("ANJUNGAN_BENCH_VISITORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let workers: usize = std::env::var("ANJUNGAN_BENCH_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let Some(mut bed) = Bed::new("cb", "max_visitors = 2000\n") else {
        return;
    };
    bed.daemon_env("ANJUNGAN_LOG", "info,captive::timing=debug");
    bed.start();
    let pid = bed.daemon_pid().expect("the daemon runs");
    let made = Instant::now();
    let crowd = Crowd::new(&bed, visitors);
    let made = made.elapsed();

    let ticks = ticks_per_second();
    let cpu_before = cpu_ticks(pid);
    let started = Instant::now();
    let all: Vec<usize> = (0..visitors).collect();
    let joined = crowd.join(&bed, &all, workers);
    let total = started.elapsed().as_secs_f64();
    let cpu = (cpu_ticks(pid) - cpu_before) as f64 / ticks;
    let rss = peak_rss_kib(pid);

    // Correct before fast: everyone in, and every record agrees.
    let failed = joined.iter().filter(|j| !j.ok).count();
    assert_eq!(failed, 0, "{failed} of {visitors} did not join");
    let expected: BTreeSet<Ipv4Addr> = joined.iter().map(|j| j.ip).collect();
    assert_eq!(crowd::sessions_in_database(&bed), expected);
    assert_eq!(crowd::kernel_set(&bed, "joined").0, expected);
    assert_eq!(crowd::status_visitors(&bed), visitors as u64);
    let online = crowd
        .probe(&bed, &all)
        .iter()
        .filter(|(_, code)| *code == 204)
        .count();
    assert_eq!(online, visitors, "every joined visitor is online");
    let (counted, with_counter, _) = crowd::kernel_set(&bed, "upload");
    assert_eq!(counted, expected, "every joined visitor is counted");
    assert_eq!(
        with_counter, visitors,
        "every joined visitor has its counters"
    );

    let latency = sorted(joined.iter().map(|j| j.seconds * 1000.0).collect());
    let log = bed.log();
    let ms = |key| {
        sorted(
            timings(&log, key)
                .into_iter()
                .map(|us| us / 1000.0)
                .collect(),
        )
    };
    let (nft, db, wait) = (ms("nft_us"), ms("db_us"), ms("lock_wait_us"));
    assert_eq!(nft.len(), visitors, "one timing line per join");
    bed.stop();

    println!();
    println!(
        "captive crowd: {visitors} visitors, {workers} at a time (bed set up in {:.1} s)",
        made.as_secs_f64()
    );
    println!("{:<34} {:>12}", "measure", "value");
    let rows: Vec<(&str, String)> = vec![
        ("all joined in (s)", format!("{total:.2}")),
        (
            "joins per second",
            format!("{:.1}", visitors as f64 / total),
        ),
        (
            "join latency p50 (ms)",
            format!("{:.1}", percentile(&latency, 50.0)),
        ),
        (
            "join latency p99 (ms)",
            format!("{:.1}", percentile(&latency, 99.0)),
        ),
        ("daemon CPU incl. nft (s)", format!("{cpu:.2}")),
        (
            "daemon CPU per join (ms)",
            format!("{:.2}", cpu * 1000.0 / visitors as f64),
        ),
        (
            "daemon peak RSS (MiB)",
            format!("{:.1}", rss as f64 / 1024.0),
        ),
        (
            "nft update per join p50 (ms)",
            format!("{:.2}", percentile(&nft, 50.0)),
        ),
        (
            "nft update per join p99 (ms)",
            format!("{:.2}", percentile(&nft, 99.0)),
        ),
        (
            "DB write per join p50 (ms)",
            format!("{:.2}", percentile(&db, 50.0)),
        ),
        (
            "DB write per join p99 (ms)",
            format!("{:.2}", percentile(&db, 99.0)),
        ),
        (
            "join lock wait p50 (ms)",
            format!("{:.2}", percentile(&wait, 50.0)),
        ),
        (
            "join lock wait p99 (ms)",
            format!("{:.2}", percentile(&wait, 99.0)),
        ),
    ];
    for (name, value) in rows {
        println!("{name:<34} {value:>12}");
    }
}
