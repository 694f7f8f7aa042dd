//! The survey report: the answers of a period, a service or unit and a
//! channel, counted into tallies per channel and month (their sum is the
//! whole) and the respondents' profile; the IKM of each comes from
//! [`super::ikm`], the one formula.
//!
//! It reads the day-by-day tallies every form adds to as it is recorded
//! (`survey_tally`, `survey_profile_tally`), not the forms: a report over
//! a million forms adds up a few thousand rows.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;

use super::ikm::{Ikm, Tally};
use super::{Channel, Element};
use crate::catalog::Catalog;
use crate::store::Store;
use crate::{Lang, Result};

/// Which answers a report counts; `None` everywhere is all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// First and last local day, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only answers about these services (one service, or a unit's).
    pub services: Option<Vec<String>>,
    pub channel: Option<Channel>,
}

/// The services of a unit (the catalog's office), for [`Filter::services`].
pub fn services_of_unit(catalog: &Catalog, office: &str) -> Vec<String> {
    catalog
        .services()
        .iter()
        .filter(|s| s.office.as_deref() == Some(office))
        .map(|s| s.id.clone())
        .collect()
}

/// Counts of one profile part: code (or "unknown" for not given) to forms.
pub type Counts = BTreeMap<String, u64>;

/// The respondents' profile, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileCounts {
    pub sex: Counts,
    pub age: Counts,
    pub education: Counts,
    pub occupation: Counts,
}

/// Everything counted; the results are computed from it on demand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub filter: Filter,
    pub total: Tally,
    pub by_channel: BTreeMap<Channel, Tally>,
    /// `YYYY-MM` to its tally.
    pub by_month: BTreeMap<String, Tally>,
    pub profile: ProfileCounts,
    /// First and last day that has answers.
    pub first_day: Option<String>,
    pub last_day: Option<String>,
}

/// Counts the answers `filter` selects.
pub fn count(store: &Store, filter: &Filter) -> Result<Report> {
    let (clause, params) = where_clause(filter);
    let mut report = Report {
        filter: filter.clone(),
        ..Report::default()
    };
    store.run(|conn| {
        let sums: String = (1..=9).map(|i| format!(", SUM(s{i}), SUM(c{i})")).collect();
        let mut stmt = conn.prepare(&format!(
            "SELECT channel, substr(day, 1, 7), SUM(responses), MIN(day), MAX(day){sums}
             FROM survey_tally {clause} GROUP BY 1, 2"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(&params))?;
        while let Some(r) = rows.next()? {
            let channel: String = r.get(0)?;
            let Ok(channel) = channel.parse::<Channel>() else {
                continue; // the table's CHECK keeps this from happening
            };
            // Counts and sums are never negative: SQLite's i64 read as u64.
            let n = |i: usize| -> rusqlite::Result<u64> {
                Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).unsigned_abs())
            };
            let mut t = Tally {
                responses: n(2)?,
                ..Tally::default()
            };
            for i in 0..9 {
                t.sum[i] = n(5 + 2 * i)?;
                t.count[i] = n(6 + 2 * i)?;
            }
            report.add(channel, r.get(1)?, r.get(3)?, r.get(4)?, &t);
        }
        let mut stmt = conn.prepare(&format!(
            "SELECT part, code, SUM(n) FROM survey_profile_tally {clause} GROUP BY 1, 2"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(&params))?;
        while let Some(r) = rows.next()? {
            let (part, code): (String, String) = (r.get(0)?, r.get(1)?);
            report.add_profile(&part, code, r.get::<_, i64>(2)?.unsigned_abs());
        }
        Ok(())
    })?;
    Ok(report)
}

/// All forms ever recorded, cheaply (`anjungan_survey_responses_total`).
pub fn responses_total(store: &Store) -> Result<u64> {
    store
        .run(|conn| {
            conn.query_row(
                "SELECT COALESCE(SUM(responses), 0) FROM survey_tally",
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(i64::unsigned_abs)
}

fn where_clause(filter: &Filter) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut params = Vec::new();
    if let Some(from) = filter.from {
        params.push(Value::Text(from.to_string()));
        conditions.push(format!("day >= ?{}", params.len()));
    }
    if let Some(to) = filter.to {
        params.push(Value::Text(to.to_string()));
        conditions.push(format!("day <= ?{}", params.len()));
    }
    if let Some(services) = &filter.services {
        params.push(Value::Text(
            serde_json::to_string(services).expect("strings serialise"),
        ));
        conditions.push(format!(
            "service IN (SELECT value FROM json_each(?{}))",
            params.len()
        ));
    }
    if let Some(channel) = filter.channel {
        params.push(Value::Text(channel.code().into()));
        conditions.push(format!("channel = ?{}", params.len()));
    }
    let clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    (clause, params)
}

/// The report as `anjungan survey report --json` prints it: the IKM
/// result of interfaces.md (`responses`, `elements`, `ikm`, `grade`) and
/// more: the weakest element named, per channel, per month, the profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub responses: u64,
    pub elements: Vec<ElementLine>,
    pub ikm: Option<f64>,
    pub grade: Option<&'static str>,
    pub grade_label: Option<&'static str>,
    /// Every element has at least one answer.
    pub complete: bool,
    pub weakest: Option<ElementLine>,
    pub period: Period,
    pub filter: Filter,
    pub channels: Vec<Part>,
    pub months: Vec<Part>,
    pub profile: ProfileCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementLine {
    pub element: u8,
    pub name: &'static str,
    pub nrr: Option<f64>,
    pub answers: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub first_day: Option<String>,
    pub last_day: Option<String>,
}

/// The result of one channel or one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// `kiosk`, or `2026-07`.
    pub key: String,
    pub responses: u64,
    pub ikm: Option<f64>,
    pub grade: Option<&'static str>,
    pub nrr: Vec<Option<f64>>,
}

impl Report {
    /// Adds the tally of one channel in one month (`YYYY-MM`) whose answers
    /// fall on the days `first_day` to `last_day`: the one way a report is
    /// put together, from the device's SQLite tallies (`count`) or the
    /// region's PostgreSQL ones (the hub), so both add up alike.
    pub fn add(
        &mut self,
        channel: Channel,
        month: String,
        first_day: String,
        last_day: String,
        tally: &Tally,
    ) {
        if self.first_day.as_ref().is_none_or(|d| first_day < *d) {
            self.first_day = Some(first_day);
        }
        if self.last_day.as_ref().is_none_or(|d| last_day > *d) {
            self.last_day = Some(last_day);
        }
        self.total.merge(tally);
        self.by_channel.entry(channel).or_default().merge(tally);
        self.by_month.entry(month).or_default().merge(tally);
    }

    /// Adds `n` respondents who gave `code` (or "unknown") for the profile
    /// `part` (`sex`, `age`, `education`, `occupation`); other parts are
    /// not counted.
    pub fn add_profile(&mut self, part: &str, code: String, n: u64) {
        let p = &mut self.profile;
        let counts = match part {
            "sex" => &mut p.sex,
            "age" => &mut p.age,
            "education" => &mut p.education,
            "occupation" => &mut p.occupation,
            _ => return,
        };
        *counts.entry(code).or_default() += n;
    }

    pub fn ikm(&self) -> Option<Ikm> {
        self.total.ikm()
    }

    pub fn summary(&self, lang: Lang) -> Summary {
        let ikm = self.ikm();
        let elements: Vec<ElementLine> = Element::ALL
            .into_iter()
            .map(|e| ElementLine {
                element: e.number(),
                name: e.name(lang),
                nrr: ikm.as_ref().and_then(|r| r.elements[e.index()].nrr),
                answers: self.total.count[e.index()],
            })
            .collect();
        let part = |key: String, t: &Tally| {
            let r = t.ikm();
            Part {
                key,
                responses: t.responses,
                ikm: r.as_ref().map(|r| r.ikm),
                grade: r.as_ref().map(|r| r.grade.letter()),
                nrr: match &r {
                    Some(r) => r.elements.iter().map(|e| e.nrr).collect(),
                    None => vec![None; 9],
                },
            }
        };
        Summary {
            responses: self.total.responses,
            weakest: ikm
                .as_ref()
                .and_then(|r| r.weakest)
                .map(|n| elements[usize::from(n) - 1].clone()),
            elements,
            ikm: ikm.as_ref().map(|r| r.ikm),
            grade: ikm.as_ref().map(|r| r.grade.letter()),
            grade_label: ikm.as_ref().map(|r| r.grade.label(lang)),
            complete: ikm.as_ref().is_some_and(|r| r.complete),
            period: Period {
                first_day: self.first_day.clone(),
                last_day: self.last_day.clone(),
            },
            filter: self.filter.clone(),
            channels: self
                .by_channel
                .iter()
                .map(|(c, t)| part(c.code().into(), t))
                .collect(),
            months: self
                .by_month
                .iter()
                .map(|(m, t)| part(m.clone(), t))
                .collect(),
            profile: self.profile.clone(),
        }
    }

    /// The elements, weakest first (the order a reader wants them in);
    /// elements nobody answered last.
    pub fn weakest_first(&self) -> Vec<(Element, Option<f64>)> {
        let mut v: Vec<(Element, Option<f64>)> = Element::ALL
            .into_iter()
            .map(|e| (e, self.total.nrr(e)))
            .collect();
        v.sort_by(|a, b| match (a.1, b.1) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::survey::{Answers, Response, Sex, record};
    use chrono::{DateTime, FixedOffset};

    fn at(day: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+07:00")).unwrap()
    }

    fn form(scores: [Option<u8>; 9], service: Option<&str>, sex: Option<Sex>) -> Response {
        let mut r = Response {
            answers: Answers::new(scores).unwrap(),
            service: service.map(str::to_owned),
            ..Response::default()
        };
        r.profile.sex = sex;
        r
    }

    #[test]
    fn selects_by_period_service_and_channel_and_parts_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("a.db")).unwrap();
        let all4 = [Some(4); 9];
        let all2 = [Some(2); 9];
        let mut blank = [Some(3); 9];
        blank[3] = None;
        record(
            &mut s,
            &form(all4, Some("ktp"), Some(Sex::Female)),
            Channel::Kiosk,
            at("2026-01-15"),
        )
        .unwrap();
        record(
            &mut s,
            &form(all2, Some("akta"), None),
            Channel::Portal,
            at("2026-02-01"),
        )
        .unwrap();
        record(
            &mut s,
            &form(blank, Some("ktp"), Some(Sex::Male)),
            Channel::Paper,
            at("2026-07-01"),
        )
        .unwrap();

        let all = count(&s, &Filter::default()).unwrap();
        assert_eq!(all.total.responses, 3);
        assert_eq!(responses_total(&s).unwrap(), 3);
        assert_eq!(all.total.count[3], 2, "the blank is not counted");
        assert_eq!(all.by_channel.len(), 3);
        assert_eq!(
            all.by_month.keys().collect::<Vec<_>>(),
            ["2026-01", "2026-02", "2026-07"]
        );
        let mut sum = Tally::default();
        all.by_month.values().for_each(|t| sum.merge(t));
        assert_eq!(sum, all.total);
        assert_eq!(all.profile.sex.get("female"), Some(&1));
        assert_eq!(all.profile.sex.get("unknown"), Some(&1));
        assert_eq!(all.first_day.as_deref(), Some("2026-01-15"));

        let semester = Filter {
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: NaiveDate::from_ymd_opt(2026, 6, 30),
            ..Filter::default()
        };
        assert_eq!(count(&s, &semester).unwrap().total.responses, 2);
        let ktp = Filter {
            services: Some(vec!["ktp".into()]),
            ..Filter::default()
        };
        assert_eq!(count(&s, &ktp).unwrap().total.responses, 2);
        let paper = Filter {
            channel: Some(Channel::Paper),
            ..Filter::default()
        };
        let r = count(&s, &paper).unwrap();
        assert_eq!(r.ikm().unwrap().ikm, 75.0);
        let none = Filter {
            services: Some(vec![]),
            ..Filter::default()
        };
        let empty = count(&s, &none).unwrap();
        assert_eq!(empty.ikm(), None);
        let summary = empty.summary(Lang::En);
        assert_eq!((summary.responses, summary.ikm), (0, None));
    }

    /// The slow way: every form read and added up, for checking the
    /// tallies kept at each insert.
    fn count_forms(s: &Store, filter: &Filter) -> Report {
        let (clause, params) = where_clause(filter);
        let mut report = Report {
            filter: filter.clone(),
            ..Report::default()
        };
        s.run(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT channel, substr(day, 1, 7), day, u1, u2, u3, u4, u5, u6, u7, u8, u9,
                        sex, age, education, occupation FROM survey_response {clause}"
            ))?;
            let mut rows = stmt.query(rusqlite::params_from_iter(&params))?;
            while let Some(r) = rows.next()? {
                let mut scores = [None; 9];
                for (i, s) in scores.iter_mut().enumerate() {
                    *s = r.get(3 + i)?;
                }
                let mut t = Tally::default();
                t.add(&Answers::new(scores).unwrap());
                let channel: String = r.get(0)?;
                let day: String = r.get(2)?;
                report.total.merge(&t);
                report
                    .by_channel
                    .entry(channel.parse().unwrap())
                    .or_default()
                    .merge(&t);
                report.by_month.entry(r.get(1)?).or_default().merge(&t);
                if report.first_day.as_ref().is_none_or(|d| day < *d) {
                    report.first_day = Some(day.clone());
                }
                if report.last_day.as_ref().is_none_or(|d| day > *d) {
                    report.last_day = Some(day);
                }
                let p = &mut report.profile;
                for (i, counts) in [&mut p.sex, &mut p.age, &mut p.education, &mut p.occupation]
                    .into_iter()
                    .enumerate()
                {
                    let code: Option<String> = r.get(12 + i)?;
                    *counts
                        .entry(code.unwrap_or_else(|| "unknown".into()))
                        .or_default() += 1;
                }
            }
            Ok(())
        })
        .unwrap();
        report
    }

    #[test]
    fn the_tallies_always_equal_the_forms() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("a.db")).unwrap();
        let now = at("2026-11-30");
        let first = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        crate::voice::survey::synthetic::fill(&mut s, 3000, first, 120, 7, now).unwrap();
        // And the other ways in: the Wi-Fi page's, a paper file.
        let mut f = form([Some(2); 9], Some("akta-kelahiran"), None);
        f.answers.set(Element::Fee, None).unwrap();
        crate::voice::survey::record_once(&mut s, &f, crate::wifi::Mac([2; 6]), now).unwrap();
        let csv = b"u1,u2,u3,u4,u5,u6,u7,u8,u9,date,sex\n4,,4,4,4,4,4,4,1,2026-01-05,male\n";
        crate::voice::survey::import::import(&mut s, csv, "f.csv", false, now).unwrap();
        for filter in [
            Filter::default(),
            Filter {
                from: NaiveDate::from_ymd_opt(2026, 1, 1),
                to: NaiveDate::from_ymd_opt(2026, 2, 15),
                ..Filter::default()
            },
            Filter {
                services: Some(vec!["akta-kelahiran".into(), "izin-usaha".into()]),
                channel: Some(Channel::Portal),
                ..Filter::default()
            },
        ] {
            assert_eq!(
                count(&s, &filter).unwrap(),
                count_forms(&s, &filter),
                "{filter:?}"
            );
        }
    }

    #[test]
    fn the_summary_names_the_weakest_element() {
        let mut t = Tally::default();
        let mut scores = [Some(4); 9];
        scores[2] = Some(1);
        t.add(&Answers::new(scores).unwrap());
        let report = Report {
            total: t,
            ..Report::default()
        };
        let s = report.summary(Lang::Id);
        assert_eq!(s.weakest.unwrap().name, "Waktu penyelesaian");
        assert_eq!(report.weakest_first()[0].0, Element::Time);
        let json = serde_json::to_value(report.summary(Lang::En)).unwrap();
        assert_eq!(json["elements"].as_array().unwrap().len(), 9);
        assert_eq!(json["elements"][0]["element"], 1);
        assert_eq!(json["grade"], "A");
    }
}
