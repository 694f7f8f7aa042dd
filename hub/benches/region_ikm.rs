//! The region's IKM report over many answers: the hub's per-day tallies
//! against summing the survey events' JSONB, for the whole region and for
//! one device over one quarter, on a throw-away PostgreSQL.
//!
//! `cargo bench -p anjungan-hub --bench region_ikm` with
//! `ANJUNGAN_BENCH_ANSWERS=10000000` gives the real figure; without it
//! (and under `cargo test --all-targets`) 20,000 answers, as a smoke test.
//! Tallies and events are made in the database with generate_series (the
//! ingest path has its own bench): 100 devices, every day of 2026, three
//! channels, ten services; the tallies hold exactly the answers the events
//! hold, and the bench checks that both ways give the same IKM.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use anjungan::voice::survey::Tally;
use chrono::NaiveDate;
use hub::ikm::{self, Selection};
use support::postgres::Postgres;

const DEVICES: i64 = 100;
const DAYS: i64 = 365;
const SERVICES: i64 = 10;
/// Every (device, day, channel, service).
const KEYS: i64 = DEVICES * DAYS * 3 * SERVICES;
/// Each measurement is the best of this many runs (the first warms the
/// cache, as a region's server has it warm).
const RUNS: usize = 2;

fn main() {
    let answers: i64 = std::env::var("ANJUNGAN_BENCH_ANSWERS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(20_000);
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let pool = hub::db::pool(&db, 4).unwrap();
        hub::db::migrate(&pool).await.unwrap();
        let client = pool.get().await.unwrap();
        let started = Instant::now();
        load(&client, answers).await;
        let loaded = started.elapsed();
        let rows: i64 = client
            .query_one("SELECT count(*) FROM survey_tally", &[])
            .await
            .unwrap()
            .get(0);
        let profile_rows: i64 = client
            .query_one("SELECT count(*) FROM survey_profile_tally", &[])
            .await
            .unwrap()
            .get(0);
        println!(
            "region IKM over {answers} answers: {rows} tally rows, {profile_rows} profile rows, loaded in {:.1} s",
            loaded.as_secs_f64()
        );
        println!();
        println!("| selection | tallies: IKM | tallies: whole report | JSONB events: IKM |");
        println!("|---|---:|---:|---:|");
        let quarter = Selection {
            device: Some("bench-7".into()),
            from: NaiveDate::from_ymd_opt(2026, 4, 1),
            to: NaiveDate::from_ymd_opt(2026, 6, 30),
            ..Selection::default()
        };
        for (name, selection) in [
            ("whole region", Selection::default()),
            ("one device, one quarter", quarter),
        ] {
            let (ikm_tallies, t_ikm) = best(|| async { tallies_ikm(&client, &selection).await }).await;
            let (report, t_report) =
                best(|| async {
                    let services = selection.services(None).unwrap();
                    ikm::report(&pool, &selection, services).await.unwrap()
                })
                .await;
            let (ikm_events, t_events) =
                best(|| async { events_ikm(&client, &selection).await }).await;
            // The same answers, whichever way they are counted.
            assert_eq!(ikm_tallies, report.total);
            assert_eq!(ikm_tallies, ikm_events);
            println!(
                "| {name} ({} answers, IKM {:.2}) | {} | {} | {} |",
                report.total.responses,
                report.ikm().map_or(0.0, |r| r.ikm),
                ms(t_ikm),
                ms(t_report),
                ms(t_events)
            );
        }
    });
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn best<T, F: Future<Output = T>>(run: impl Fn() -> F) -> (T, Duration) {
    let mut fastest = Duration::MAX;
    let mut value = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        value = Some(run().await);
        fastest = fastest.min(t.elapsed());
    }
    (value.unwrap(), fastest)
}

/// The tally rows: the answers spread over the keys (never more keys than
/// answers), each key's forms scoring a mix of 2s, 3s and 4s; and their
/// events, the same forms as JSONB, as devices push them.
async fn load(client: &deadpool_postgres::Client, answers: i64) {
    let keys = KEYS.min(answers);
    let devices = "INSERT INTO device (id, token_sha256)
                   SELECT 'bench-' || d, sha256(('bench-' || d)::bytea) FROM generate_series(0, 99) d";
    client.execute(devices, &[]).await.unwrap();
    // Key i: device i % 100, day (i / 100) % 365, channel, service; it
    // holds r(i) forms, of which form j scores element k
    // 2 + (i + j + k) % 3 (a blank for element 4 when (i + j) % 7 = 0).
    let scores: String = (0..9)
        .map(|k| match k {
            3 => ", CASE WHEN (i + j) % 7 = 0 THEN NULL ELSE 2 + (i + j + 3) % 3 END AS u4"
                .to_owned(),
            k => format!(", 2 + (i + j + {k}) % 3 AS u{}", k + 1),
        })
        .collect();
    let forms = format!(
        "WITH k AS (
            SELECT i, 'bench-' || (i % {DEVICES}) AS device,
                   date '2026-01-01' + ((i / {DEVICES}) % {DAYS})::int AS day,
                   (ARRAY['kiosk', 'portal', 'paper'])[((i / ({DEVICES} * {DAYS})) % 3) + 1] AS channel,
                   'layanan-' || ((i / ({DEVICES} * {DAYS} * 3)) % {SERVICES}) AS service,
                   {answers} / {keys} + CASE WHEN i < {answers} % {keys} THEN 1 ELSE 0 END AS r
            FROM generate_series(0, {keys} - 1) i),
         f AS (SELECT device, day, channel, service, i, j{scores}
               FROM k, generate_series(0, r - 1) j)"
    );
    let columns: String = (1..=9).map(|n| format!(", s{n}, c{n}")).collect();
    let values: String = (1..=9)
        .map(|n| format!(", coalesce(sum(u{n}), 0), count(u{n})"))
        .collect();
    client
        .execute(
            &format!(
                "{forms} INSERT INTO survey_tally (device, day, channel, service, unit, responses{columns})
                 SELECT device, day, channel, service, '', count(*){values}
                 FROM f GROUP BY device, day, channel, service"
            ),
            &[],
        )
        .await
        .unwrap();
    // The profile: a third of the forms give sex and age band, none the
    // rest (counted as unknown), as the device counts them.
    client
        .execute(
            "INSERT INTO survey_profile_tally (device, day, channel, service, unit, part, code, n)
             SELECT device, day, channel, service, unit, p.part, p.code, p.n
             FROM survey_tally, LATERAL (VALUES
                 ('sex', 'female', responses / 3), ('sex', 'unknown', responses - responses / 3),
                 ('age', '30-39', responses / 3), ('age', 'unknown', responses - responses / 3),
                 ('education', 'unknown', responses), ('occupation', 'unknown', responses)
             ) p (part, code, n)
             WHERE p.n > 0",
            &[],
        )
        .await
        .unwrap();
    // The events themselves, form by form.
    client
        .execute(
            &format!(
                "{forms} INSERT INTO event (device, id, kind, at, body)
                 SELECT device, i || '-' || j, 'survey', day + time '10:00' - interval '7 hours',
                        jsonb_build_object('channel', channel, 'service', service, 'day', day::text,
                            'answers', jsonb_build_array(u1, u2, u3, u4, u5, u6, u7, u8, u9))
                 FROM f"
            ),
            &[],
        )
        .await
        .unwrap();
    // One statement each: VACUUM refuses to run in a transaction.
    for table in ["survey_tally", "survey_profile_tally", "event"] {
        client
            .batch_execute(&format!("VACUUM ANALYZE {table}"))
            .await
            .unwrap();
    }
}

/// The nine elements' sums and counts from the tallies: what the IKM needs.
async fn tallies_ikm(client: &deadpool_postgres::Client, s: &Selection) -> Tally {
    let sums: String = (1..=9)
        .map(|i| format!(", sum(s{i})::bigint, sum(c{i})::bigint"))
        .collect();
    let row = client
        .query_one(
            &format!(
                "SELECT coalesce(sum(responses), 0)::bigint{sums} FROM survey_tally
                 WHERE ($1::text IS NULL OR day >= $1::text::date)
                   AND ($2::text IS NULL OR day <= $2::text::date)
                   AND ($3::text IS NULL OR device = $3)"
            ),
            &[&days(s).0, &days(s).1, &s.device],
        )
        .await
        .unwrap();
    tally_of(&row)
}

/// The same from the events' JSONB, as a hub without tallies would.
async fn events_ikm(client: &deadpool_postgres::Client, s: &Selection) -> Tally {
    let sums: String = (0..9)
        .map(|i| {
            format!(
                ", sum((body->'answers'->>{i})::int)::bigint, count(body->'answers'->>{i})::bigint"
            )
        })
        .collect();
    let row = client
        .query_one(
            &format!(
                "SELECT count(*)::bigint{sums} FROM event
                 WHERE kind = 'survey'
                   AND ($1::text IS NULL OR (body->>'day')::date >= $1::text::date)
                   AND ($2::text IS NULL OR (body->>'day')::date <= $2::text::date)
                   AND ($3::text IS NULL OR device = $3)"
            ),
            &[&days(s).0, &days(s).1, &s.device],
        )
        .await
        .unwrap();
    tally_of(&row)
}

/// The selection's days as text (the driver is built without chrono's types).
fn days(s: &Selection) -> (Option<String>, Option<String>) {
    (s.from.map(|d| d.to_string()), s.to.map(|d| d.to_string()))
}

fn tally_of(row: &tokio_postgres::Row) -> Tally {
    let n = |i: usize| row.get::<_, Option<i64>>(i).unwrap_or(0).unsigned_abs();
    let mut t = Tally {
        responses: n(0),
        ..Tally::default()
    };
    for i in 0..9 {
        t.sum[i] = n(1 + 2 * i);
        t.count[i] = n(2 + 2 * i);
    }
    t
}
