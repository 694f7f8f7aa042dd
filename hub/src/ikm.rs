//! The region's IKM: survey events counted into per-day tallies as they
//! are stored (`count`, in `ingest::store`'s transaction), and the report
//! over them (`report`).
//!
//! A unit is an office of the newest published catalog (`units`). Survey
//! events carry no unit, so a unit is mapped to its services when a report
//! is asked for: the tallies stay as stored, and a catalog that moves a
//! service to another office moves its past answers with it.
//!
//! The formula and the adding-up are the device's own
//! (`anjungan::voice::survey::{ikm, report}`): the hub only sums tallies in
//! SQL per channel and month and hands them to `Report::add`, so a region's
//! figure is the device's figure for the same answers, to the hundredth.

use std::collections::BTreeMap;

use anjungan::catalog::{Bundle, Catalog, Text};
use anjungan::voice::survey::report::{self as device_report, Filter, Report};
use anjungan::voice::survey::{Answers, Channel, Tally};
use chrono::NaiveDate;
use deadpool_postgres::{Pool, Transaction};
use serde::Serialize;
use serde_json::Value;

use crate::Result;

/// The profile parts a survey event may carry, as the device counts them.
const PARTS: [&str; 4] = ["sex", "age", "education", "occupation"];
/// Longest service id, unit or profile code taken from an event.
const MAX_CODE: usize = 64;

/// One survey event's facts: what its tallies need.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub day: NaiveDate,
    pub channel: Channel,
    /// `""`: about the office as a whole.
    pub service: String,
    /// The unit (office) when the event carries one, else `""`.
    pub unit: String,
    pub answers: Answers,
    /// Per part of [`PARTS`], the code or `"unknown"`.
    pub profile: [String; 4],
}

/// Reads a survey event's own fields (as `anjungan`'s survey writer sends
/// them: `channel`, `day`, `answers`, optional `service`, `unit` and
/// `profile`); the reason when they do not make a form.
pub fn answer(body: &Value) -> std::result::Result<Answer, String> {
    let text = |name: &str| body.get(name).and_then(Value::as_str);
    let channel: Channel = text("channel")
        .ok_or("a survey needs its channel")?
        .parse()
        .map_err(|e: String| format!("channel: {e}"))?;
    let day = text("day")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or("a survey needs its local day as YYYY-MM-DD")?;
    let scores = body
        .get("answers")
        .and_then(Value::as_array)
        .filter(|a| a.len() == 9)
        .ok_or("answers must be nine scores (1 to 4, or null)")?;
    let mut nine = [None; 9];
    for (slot, v) in nine.iter_mut().zip(scores) {
        *slot = match v {
            Value::Null => None,
            v => Some(
                v.as_u64()
                    .filter(|s| (1..=4).contains(s))
                    .ok_or(format!("score {v} is not 1 to 4 or null"))? as u8,
            ),
        };
    }
    let answers = Answers::new(nine).map_err(|e| e.to_string())?;
    if answers.answered() == 0 {
        return Err("no element was answered".into());
    }
    let code = |v: Option<&Value>, what: &str| -> std::result::Result<Option<String>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= MAX_CODE => {
                Ok(Some(s.clone()))
            }
            Some(other) => Err(format!(
                "{what} {other} is not a text of 1 to {MAX_CODE} characters"
            )),
        }
    };
    let service = code(body.get("service"), "service")?.unwrap_or_default();
    let unit = code(body.get("unit"), "unit")?.unwrap_or_default();
    let mut profile: [String; 4] = Default::default();
    for (slot, part) in profile.iter_mut().zip(PARTS) {
        *slot = code(body.get("profile").and_then(|p| p.get(part)), part)?
            .unwrap_or_else(|| "unknown".into());
    }
    Ok(Answer {
        day,
        channel,
        service,
        unit,
        answers,
        profile,
    })
}

/// Adds `answers`, events of `device` that the caller's transaction has
/// just inserted, to the tallies: one upsert per table for the batch.
/// Keys are taken in sorted order, so two batches of one device meeting on
/// the same rows wait for each other instead of deadlocking.
pub async fn count(tx: &Transaction<'_>, device: &str, answers: &[Answer]) -> Result<()> {
    if answers.is_empty() {
        return Ok(());
    }
    type Key = (NaiveDate, &'static str, String, String);
    let mut tallies: BTreeMap<Key, Tally> = BTreeMap::new();
    let mut profiles: BTreeMap<(Key, &'static str, String), i64> = BTreeMap::new();
    for a in answers {
        let key = (a.day, a.channel.code(), a.service.clone(), a.unit.clone());
        tallies.entry(key.clone()).or_default().add(&a.answers);
        for (part, code) in PARTS.into_iter().zip(&a.profile) {
            *profiles
                .entry((key.clone(), part, code.clone()))
                .or_default() += 1;
        }
    }
    let days: Vec<String> = tallies.keys().map(|k| k.0.to_string()).collect();
    let channels: Vec<&str> = tallies.keys().map(|k| k.1).collect();
    let services: Vec<&str> = tallies.keys().map(|k| k.2.as_str()).collect();
    let units: Vec<&str> = tallies.keys().map(|k| k.3.as_str()).collect();
    let responses: Vec<i64> = tallies.values().map(|t| t.responses as i64).collect();
    let mut columns: Vec<Vec<i64>> = Vec::with_capacity(18);
    for i in 0..9 {
        columns.push(tallies.values().map(|t| t.sum[i] as i64).collect());
        columns.push(tallies.values().map(|t| t.count[i] as i64).collect());
    }
    let names: Vec<String> = (1..=9)
        .flat_map(|i| [format!("s{i}"), format!("c{i}")])
        .collect();
    let arrays: String = (0..18).map(|i| format!(", ${}::bigint[]", i + 7)).collect();
    let sql = format!(
        "INSERT INTO survey_tally (device, day, channel, service, unit, responses, {cols})
         SELECT $1, d::date, ch, sv, un, r, {cols}
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]{arrays})
              AS t (d, ch, sv, un, r, {cols})
         ON CONFLICT (device, day, channel, service, unit) DO UPDATE SET
             responses = survey_tally.responses + excluded.responses, {adds}",
        cols = names.join(", "),
        adds = names
            .iter()
            .map(|n| format!("{n} = survey_tally.{n} + excluded.{n}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
        vec![&device, &days, &channels, &services, &units, &responses];
    params.extend(
        columns
            .iter()
            .map(|c| c as &(dyn tokio_postgres::types::ToSql + Sync)),
    );
    tx.execute(&sql, &params).await?;

    let days: Vec<String> = profiles.keys().map(|k| k.0.0.to_string()).collect();
    let channels: Vec<&str> = profiles.keys().map(|k| k.0.1).collect();
    let services: Vec<&str> = profiles.keys().map(|k| k.0.2.as_str()).collect();
    let units: Vec<&str> = profiles.keys().map(|k| k.0.3.as_str()).collect();
    let parts: Vec<&str> = profiles.keys().map(|k| k.1).collect();
    let codes: Vec<&str> = profiles.keys().map(|k| k.2.as_str()).collect();
    let ns: Vec<i64> = profiles.values().copied().collect();
    tx.execute(
        "INSERT INTO survey_profile_tally (device, day, channel, service, unit, part, code, n)
         SELECT $1, d::date, ch, sv, un, p, c, n
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
              AS t (d, ch, sv, un, p, c, n)
         ON CONFLICT (device, day, channel, service, unit, part, code)
         DO UPDATE SET n = survey_profile_tally.n + excluded.n",
        &[&device, &days, &channels, &services, &units, &parts, &codes, &ns],
    )
    .await?;
    Ok(())
}

/// Which answers a region's report counts; `None` everywhere is all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// First and last local day, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub device: Option<String>,
    pub service: Option<String>,
    pub channel: Option<Channel>,
    /// An office id of the newest published catalog: its services' answers.
    pub unit: Option<String>,
}

impl Selection {
    /// The services whose answers it selects (`None`: all), the unit's
    /// taken from `units` (the newest published catalog's); the reason
    /// when the unit is not one of them.
    pub fn services(
        &self,
        units: Option<&[Unit]>,
    ) -> std::result::Result<Option<Vec<String>>, String> {
        let Some(unit) = &self.unit else {
            return Ok(self.service.clone().map(|s| vec![s]));
        };
        let Some(units) = units else {
            return Err(format!(
                "unit {unit:?}: no catalog is published yet, so there are no units; publish the region's catalog (`anjungan-hub catalog publish`) or leave the unit empty"
            ));
        };
        let Some(found) = units.iter().find(|u| &u.id == unit) else {
            return Err(format!(
                "unit {unit:?} is not an office of the published catalog; pick one from the list"
            ));
        };
        let mut services = found.services.clone();
        // A service and a unit: the service if it is the unit's, else none.
        if let Some(service) = &self.service {
            services.retain(|s| s == service);
        }
        Ok(Some(services))
    }
}

/// A unit of the region: an office of the published catalog and the ids
/// of the services it offers there, in the catalog's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub name: Text,
    pub services: Vec<String>,
}

/// The units of a catalog, in its order: each office with its services
/// (chosen as the device's `survey report --unit` chooses them, so a
/// unit's report names the same services on both).
pub fn units(bundle: Bundle) -> Vec<Unit> {
    let offices = bundle.offices.clone();
    let catalog = Catalog::new(bundle, None);
    offices
        .into_iter()
        .map(|o| Unit {
            services: device_report::services_of_unit(&catalog, &o.id),
            id: o.id,
            name: o.name,
        })
        .collect()
}

/// The units of the newest published catalog; `None` before one is.
pub async fn published_units(pool: &Pool) -> Result<Option<Vec<Unit>>> {
    let Some(bundle) = crate::publish::newest_bundle(pool).await? else {
        return Ok(None);
    };
    Ok(Some(units(bundle)))
}

/// Sums the tallies `selection` picks per channel and month and adds them
/// up into the device's `Report` (its `summary` is the JSON, its `html`
/// the charts). `services` is [`Selection::services`]: it stands for the
/// selection's service and unit.
pub async fn report(
    pool: &Pool,
    selection: &Selection,
    services: Option<Vec<String>>,
) -> Result<Report> {
    let client = pool.get().await?;
    let sums: String = (1..=9)
        .map(|i| format!(", sum(s{i})::bigint, sum(c{i})::bigint"))
        .collect();
    // Days travel as text: the driver is built without chrono's types.
    let filter = "WHERE ($1::text IS NULL OR day >= $1::text::date)
          AND ($2::text IS NULL OR day <= $2::text::date)
          AND ($3::text IS NULL OR device = $3)
          AND ($4::text[] IS NULL OR service = ANY($4::text[]))
          AND ($5::text IS NULL OR channel = $5)";
    let channel = selection.channel.map(|c| c.code());
    let (from, to) = (
        selection.from.map(|d| d.to_string()),
        selection.to.map(|d| d.to_string()),
    );
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
        [&from, &to, &selection.device, &services, &channel];
    let mut report = Report {
        // The heading the device's report would have for these answers.
        filter: Filter {
            from: selection.from,
            to: selection.to,
            services: services.clone(),
            channel: selection.channel,
        },
        ..Report::default()
    };
    let rows = client
        .query(
            &format!(
                "SELECT channel, to_char(day, 'YYYY-MM'), sum(responses)::bigint,
                        min(day)::text, max(day)::text{sums}
                 FROM survey_tally {filter} GROUP BY 1, 2"
            ),
            &params,
        )
        .await?;
    for r in rows {
        let Ok(channel) = r.get::<_, String>(0).parse::<Channel>() else {
            continue; // `answer` lets only known channels in
        };
        let n = |i: usize| r.get::<_, i64>(i).unsigned_abs();
        let mut t = Tally {
            responses: n(2),
            ..Tally::default()
        };
        for i in 0..9 {
            t.sum[i] = n(5 + 2 * i);
            t.count[i] = n(6 + 2 * i);
        }
        report.add(channel, r.get(1), r.get(3), r.get(4), &t);
    }
    let rows = client
        .query(
            &format!(
                "SELECT part, code, sum(n)::bigint FROM survey_profile_tally {filter} GROUP BY 1, 2"
            ),
            &params,
        )
        .await?;
    for r in rows {
        report.add_profile(r.get(0), r.get(1), r.get::<_, i64>(2).unsigned_abs());
    }
    Ok(report)
}

/// The devices and services that have answers: choices of the report
/// page's filters (its units are [`published_units`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Choices {
    pub devices: Vec<String>,
    pub services: Vec<String>,
}

pub async fn choices(pool: &Pool) -> Result<Choices> {
    let client = pool.get().await?;
    let list = |rows: Vec<tokio_postgres::Row>| -> Vec<String> {
        rows.iter()
            .map(|r| r.get::<_, String>(0))
            .filter(|s| !s.is_empty())
            .collect()
    };
    // Bounded: a filter list is for choosing, not a report.
    Ok(Choices {
        devices: list(
            client
                .query("SELECT id FROM device ORDER BY id LIMIT 1000", &[])
                .await?,
        ),
        services: list(
            client
                .query(
                    "SELECT DISTINCT service FROM survey_tally ORDER BY 1 LIMIT 1000",
                    &[],
                )
                .await?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_survey_event_is_read_as_the_device_wrote_it() {
        let a = answer(&json!({
            "channel": "portal", "service": "akta-kelahiran", "day": "2026-11-30",
            "answers": [4, 3, null, 2, 1, 4, 4, 4, 3],
            "profile": {"sex": "female", "age": null, "education": null, "occupation": null}
        }))
        .unwrap();
        assert_eq!(a.channel, Channel::Portal);
        assert_eq!(a.service, "akta-kelahiran");
        assert_eq!(a.unit, "");
        assert_eq!(a.answers.answered(), 8);
        assert_eq!(a.profile, ["female", "unknown", "unknown", "unknown"]);
    }

    #[test]
    fn units_are_the_catalogs_offices_with_their_services() {
        let mut bundle = anjungan::catalog::demo::bundle();
        // An office that offers nothing, and a service of no office.
        let mut empty = bundle.offices[0].clone();
        empty.id = "kosong".into();
        bundle.offices.push(empty);
        bundle.services[0].office = None;
        let first = bundle.services[0].id.clone();
        let expected: Vec<(String, Vec<String>)> = bundle
            .offices
            .iter()
            .map(|o| {
                let of = bundle
                    .services
                    .iter()
                    .filter(|s| s.office.as_ref() == Some(&o.id));
                (o.id.clone(), of.map(|s| s.id.clone()).collect())
            })
            .collect();
        let units = units(bundle.clone());
        let got: Vec<(String, Vec<String>)> = units
            .iter()
            .map(|u| (u.id.clone(), u.services.clone()))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(units.len(), bundle.offices.len());
        assert!(units.iter().all(|u| !u.services.contains(&first)));
        let kosong = units.iter().find(|u| u.id == "kosong").unwrap();
        assert!(kosong.services.is_empty());
        let civil = units.iter().find(|u| u.id == "dindukcapil").unwrap();
        assert!(civil.services.contains(&"akta-kelahiran".to_owned()));
        assert!(civil.name.get("en").contains("Civil Registration"));
    }

    #[test]
    fn a_unit_selects_its_services_and_an_unknown_unit_says_what_to_do() {
        let units = units(anjungan::catalog::demo::bundle());
        let civil = units.iter().find(|u| u.id == "dindukcapil").unwrap();
        let select = |service: Option<&str>, unit: Option<&str>| Selection {
            service: service.map(str::to_owned),
            unit: unit.map(str::to_owned),
            ..Selection::default()
        };
        assert_eq!(select(None, None).services(None), Ok(None));
        assert_eq!(
            select(Some("ktp"), None).services(None),
            Ok(Some(vec!["ktp".to_owned()]))
        );
        assert_eq!(
            select(None, Some("dindukcapil")).services(Some(&units)),
            Ok(Some(civil.services.clone()))
        );
        // A service of the unit narrows it; one of another unit leaves none.
        assert_eq!(
            select(Some("akta-kelahiran"), Some("dindukcapil")).services(Some(&units)),
            Ok(Some(vec!["akta-kelahiran".to_owned()]))
        );
        assert_eq!(
            select(Some("izin-usaha"), Some("dindukcapil")).services(Some(&units)),
            Ok(Some(vec![]))
        );
        let err = select(None, Some("nowhere"))
            .services(Some(&units))
            .unwrap_err();
        assert!(err.contains("pick one from the list"), "{err}");
        let err = select(None, Some("dindukcapil"))
            .services(None)
            .unwrap_err();
        assert!(err.contains("anjungan-hub catalog publish"), "{err}");
    }

    #[test]
    fn a_survey_event_that_is_no_form_says_why() {
        let good = json!({"channel": "kiosk", "day": "2026-11-30", "answers": [4, 4, 4, 4, 4, 4, 4, 4, 4]});
        assert!(answer(&good).is_ok());
        for (change, says) in [
            (json!({"channel": "sms"}), "channel"),
            (json!({"day": "30/11/2026"}), "YYYY-MM-DD"),
            (json!({"answers": [4, 4]}), "nine scores"),
            (
                json!({"answers": [5, 4, 4, 4, 4, 4, 4, 4, 4]}),
                "5 is not 1 to 4",
            ),
            (
                json!({"answers": [null, null, null, null, null, null, null, null, null]}),
                "no element",
            ),
            (json!({"service": "x".repeat(65)}), "service"),
            (json!({"profile": {"sex": 7}}), "sex 7"),
        ] {
            let mut bad = good.clone();
            for (k, v) in change.as_object().unwrap() {
                bad[k] = v.clone();
            }
            let err = answer(&bad).unwrap_err();
            assert!(err.contains(says), "{err} / {says}");
        }
    }
}
