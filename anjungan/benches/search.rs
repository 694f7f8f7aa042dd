//! Search as a citizen types it, against the floor we build on: a plain
//! SQLite FTS5 table over the same services.
//!
//! `cargo bench -p anjungan --bench search` runs the criterion benchmarks
//! (group `keystroke`: the whole keystroke sequence per iteration) and then
//! prints one table: per-keystroke
//! p50/p99/max, import and index-build times, index size and how often the
//! expected service is in the top 3 for every query of
//! `tests/data/search-queries.tsv`. Under `cargo test --benches` everything
//! runs once, as a smoke test.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use anjungan::catalog::{self, Bundle, Catalog, Service, Text};
use anjungan::search::SearchIndex;
use anjungan::store::Store;
use criterion::{Criterion, SamplingMode};
use rusqlite::Connection;

const QUERIES_TSV: &str = include_str!("../tests/data/search-queries.tsv");
/// Results asked per keystroke, as the kiosk does.
const LIMIT: usize = 10;
/// Services in the large generated catalog.
const LARGE: usize = 10_000;
const SEED: u64 = 42;

/// One line of `search-queries.tsv`.
struct Query {
    text: String,
    expected: String,
    kind: String,
}

fn queries() -> Vec<Query> {
    QUERIES_TSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 4, "search-queries.tsv: bad line {l:?}");
            Query {
                text: f[0].to_owned(),
                expected: f[2].to_owned(),
                kind: f[3].to_owned(),
            }
        })
        .collect()
}

/// Every prefix of every third query (about 30 queries, all kinds): one
/// entry per keystroke.
fn keystrokes(queries: &[Query]) -> (usize, Vec<String>) {
    let picked: Vec<&Query> = queries.iter().step_by(3).collect();
    let keys = picked
        .iter()
        .flat_map(|q| {
            q.text
                .char_indices()
                .map(|(i, c)| q.text[..i + c.len_utf8()].to_owned())
        })
        .collect();
    (picked.len(), keys)
}

// ---------------------------------------------------------------- FTS5 ---

const FTS_SCHEMA: &str = "CREATE VIRTUAL TABLE services USING fts5(
    id, name, keywords, summary, requirements,
    tokenize = 'unicode61 remove_diacritics 2'
)";
const FTS_SEARCH: &str =
    "SELECT rowid FROM services WHERE services MATCH ?1 ORDER BY bm25(services) LIMIT ?2";

fn all_languages(text: &Text) -> String {
    text.languages()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Creates the FTS5 table and inserts every service, in one transaction;
/// service `i` is rowid `i + 1`.
fn fts_fill(conn: &mut Connection, services: &[Service]) {
    conn.execute_batch(FTS_SCHEMA).expect("create FTS5 table");
    let tx = conn.transaction().expect("begin");
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO services (rowid, id, name, keywords, summary, requirements)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .expect("prepare insert");
        for (i, s) in services.iter().enumerate() {
            let requirements: Vec<String> = s.requirements.iter().map(all_languages).collect();
            insert
                .execute(rusqlite::params![
                    i as i64 + 1,
                    s.id,
                    all_languages(&s.name),
                    s.keywords.join(" "),
                    s.summary.as_ref().map(all_languages).unwrap_or_default(),
                    requirements.join(" "),
                ])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

fn fts_memory(services: &[Service]) -> Connection {
    let mut conn = Connection::open_in_memory().expect("in-memory SQLite");
    fts_fill(&mut conn, services);
    conn
}

/// The typed text as an FTS5 query: each word a quoted token, the last a
/// prefix while it is still being typed, all required. `None` for no words.
fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<&str> = typed.split_whitespace().collect();
    let still_typing = !typed.ends_with(char::is_whitespace);
    let last = words.len().checked_sub(1)?;
    let parts: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let star = if still_typing && i == last { "*" } else { "" };
            format!("\"{}\"{star}", w.replace('"', "\"\""))
        })
        .collect();
    Some(parts.join(" "))
}

/// Service positions (0-based), best first; `None` when there is no query.
fn fts_search(conn: &Connection, typed: &str, limit: usize) -> Option<Vec<usize>> {
    let q = fts_query(typed)?;
    let mut stmt = conn.prepare_cached(FTS_SEARCH).expect("prepare search");
    let rows = stmt
        .query_map(rusqlite::params![q, limit as i64], |r| r.get::<_, i64>(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
        .unwrap_or_else(|e| panic!("FTS5 query {q:?}: {e}"));
    Some(rows.into_iter().map(|r| r as usize - 1).collect())
}

fn fts_bytes(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        [],
        |r| r.get(0),
    )
    .expect("database size")
}

// ------------------------------------------------------------ fixtures ---

struct Fixture {
    name: &'static str,
    catalog: Catalog,
    index: SearchIndex,
    fts: Connection,
}

impl Fixture {
    fn new(name: &'static str, bundle: Bundle) -> Fixture {
        let catalog = Catalog::new(bundle, None);
        let index = SearchIndex::build(&catalog);
        let fts = fts_memory(catalog.services());
        Fixture {
            name,
            catalog,
            index,
            fts,
        }
    }

    fn anjungan_keystrokes(&self, keys: &[String]) {
        for k in keys {
            black_box(self.index.search(black_box(k), LIMIT));
        }
    }

    fn fts_keystrokes(&self, keys: &[String]) {
        for k in keys {
            black_box(fts_search(&self.fts, black_box(k), LIMIT));
        }
    }
}

// ------------------------------------------------------------- the table ---

struct Percentiles {
    p50: f64,
    p99: f64,
    max: f64,
}

/// Microseconds.
fn percentiles(mut samples: Vec<Duration>) -> Percentiles {
    samples.sort_unstable();
    let at = |p: f64| {
        let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
        samples[i].as_secs_f64() * 1e6
    };
    Percentiles {
        p50: at(0.50),
        p99: at(0.99),
        max: at(1.0),
    }
}

/// Each keystroke timed alone, `reps` times over the whole sequence.
fn per_keystroke(keys: &[String], reps: usize, mut search: impl FnMut(&str)) -> Percentiles {
    let mut samples = Vec::with_capacity(keys.len() * reps);
    for _ in 0..reps {
        for k in keys {
            let start = Instant::now();
            search(black_box(k));
            samples.push(start.elapsed());
        }
    }
    percentiles(samples)
}

fn median_ms(reps: usize, mut run: impl FnMut() -> Duration) -> f64 {
    let mut times: Vec<Duration> = (0..reps).map(|_| run()).collect();
    times.sort_unstable();
    times[times.len() / 2].as_secs_f64() * 1e3
}

fn time_import(json: &str) -> Duration {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("anjungan.db")).expect("open store");
    let start = Instant::now();
    catalog::import(&mut store, json.as_bytes(), "bench").expect("import");
    start.elapsed()
}

/// Into a database file set up as the store's (WAL, synchronous = FULL).
fn time_fts_insert(services: &[Service]) -> Duration {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn = Connection::open(dir.path().join("fts.db")).expect("open FTS5 db");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .expect("pragmas");
    let start = Instant::now();
    fts_fill(&mut conn, services);
    start.elapsed()
}

fn report(fixtures: &[Fixture], queries: &[Query], picked: usize, keys: &[String], full: bool) {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(String::new());
    line(format!(
        "== anjungan search vs plain SQLite FTS5 (unicode61 remove_diacritics 2, bm25), limit {LIMIT} =="
    ));
    line(format!(
        "keystrokes: {picked} queries from search-queries.tsv, {} keystrokes (every prefix)",
        keys.len()
    ));
    line(String::new());
    line(format!(
        "{:<24}{:>5}{:>10}{:>10}{:>10}",
        "per keystroke, µs", "reps", "p50", "p99", "max"
    ));
    for f in fixtures {
        let reps = match (full, f.catalog.services().len() > 1000) {
            (false, _) => 1,
            (true, false) => 40,
            (true, true) => 5,
        };
        let ours = per_keystroke(keys, reps, |k| {
            black_box(f.index.search(k, LIMIT));
        });
        let fts = per_keystroke(keys, reps, |k| {
            black_box(fts_search(&f.fts, k, LIMIT));
        });
        for (who, p) in [("anjungan", &ours), ("fts5", &fts)] {
            line(format!(
                "{:<24}{reps:>5}{:>10.1}{:>10.1}{:>10.1}",
                format!("{who}/{}", f.name),
                p.p50,
                p.p99,
                p.max
            ));
        }
        line(format!(
            "{:<24}{:>5}{:>9.2}x{:>9.2}x{:>9.2}x",
            format!("ratio anjungan/fts5 {}", f.name),
            "",
            ours.p50 / fts.p50,
            ours.p99 / fts.p99,
            ours.max / fts.max
        ));
    }

    let large = fixtures
        .iter()
        .find(|f| f.catalog.services().len() >= LARGE)
        .expect("large fixture");
    let reps = if full { 3 } else { 1 };
    let json = catalog::to_json(large.catalog.bundle());
    let import = median_ms(reps, || time_import(&json));
    let build = median_ms(reps, || {
        let start = Instant::now();
        black_box(SearchIndex::build(&large.catalog));
        start.elapsed()
    });
    let fts_insert = median_ms(reps, || time_fts_insert(large.catalog.services()));
    line(String::new());
    line(format!(
        "import of {} services ({:.1} MB JSON), median of {reps}   ms",
        large.catalog.services().len(),
        json.len() as f64 / 1e6
    ));
    line(format!(
        "  catalog::import (parse, validate, store)   {import:>9.1}"
    ));
    line(format!(
        "  SearchIndex::build                         {build:>9.1}"
    ));
    line(format!(
        "  import + build                             {:>9.1}",
        import + build
    ));
    line(format!(
        "  fts5 bulk insert (1 transaction, WAL+FULL) {fts_insert:>9.1}"
    ));
    line(format!(
        "  ratio (import + build) / fts5 insert       {:>8.2}x",
        (import + build) / fts_insert
    ));

    line(String::new());
    line(format!(
        "{:<24}{:>10}{:>14}{:>16}",
        "size", "words", "index heap B", "fts5 db B (mem)"
    ));
    for f in fixtures {
        line(format!(
            "{:<24}{:>10}{:>14}{:>16}",
            f.name,
            f.index.word_count(),
            f.index.heap_bytes(),
            fts_bytes(&f.fts)
        ));
    }

    let demo = &fixtures[0];
    let in_top3 = |hits: &[usize], expected: &str| {
        hits.iter()
            .take(3)
            .any(|&i| demo.catalog.services()[i].id == expected)
    };
    // kind -> (queries, ours, fts5), in file order of first appearance.
    let mut kinds: Vec<String> = Vec::new();
    let mut rates: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for q in queries {
        let ours: Vec<usize> = demo
            .index
            .search(&q.text, 3)
            .iter()
            .map(|h| h.service)
            .collect();
        let fts = fts_search(&demo.fts, &q.text, 3).unwrap_or_default();
        if !kinds.contains(&q.kind) {
            kinds.push(q.kind.clone());
        }
        let r = rates.entry(q.kind.clone()).or_default();
        r.0 += 1;
        r.1 += usize::from(in_top3(&ours, &q.expected));
        r.2 += usize::from(in_top3(&fts, &q.expected));
    }
    line(String::new());
    line(format!(
        "top-3 hit rate, {} queries of search-queries.tsv, {} catalog",
        queries.len(),
        demo.name
    ));
    line(format!(
        "{:<16}{:>6}{:>14}{:>14}",
        "kind", "n", "anjungan", "fts5"
    ));
    let mut total = (0, 0, 0);
    let pct = |n: usize, of: usize| format!("{n} ({:.0}%)", 100.0 * n as f64 / of.max(1) as f64);
    for k in &kinds {
        let (n, a, b) = rates[k];
        total = (total.0 + n, total.1 + a, total.2 + b);
        line(format!("{k:<16}{n:>6}{:>14}{:>14}", pct(a, n), pct(b, n)));
    }
    line(format!(
        "{:<16}{:>6}{:>14}{:>14}",
        "all",
        total.0,
        pct(total.1, total.0),
        pct(total.2, total.0)
    ));
    print!("{out}");
}

// ------------------------------------------------------------- criterion ---

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` does not, and
    // then criterion runs each benchmark once.
    let full =
        args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list");

    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();

    let queries = queries();
    let (picked, keys) = keystrokes(&queries);
    let fixtures = [
        Fixture::new("demo", catalog::demo::bundle()),
        Fixture::new("10k", catalog::synthetic::bundle(LARGE, SEED)),
    ];

    {
        let mut group = c.benchmark_group("keystroke");
        group.sampling_mode(SamplingMode::Flat);
        for f in &fixtures {
            // A pass over the 10k catalog takes seconds: the fewest samples
            // criterion allows keeps the run short.
            group.sample_size(if f.catalog.services().len() >= LARGE {
                10
            } else {
                20
            });
            group.bench_function(format!("anjungan/{}", f.name), |b| {
                b.iter(|| f.anjungan_keystrokes(&keys))
            });
            group.bench_function(format!("fts5/{}", f.name), |b| {
                b.iter(|| f.fts_keystrokes(&keys))
            });
        }
        group.finish();
    }

    c.final_summary();
    report(&fixtures, &queries, picked, &keys, full);
}
