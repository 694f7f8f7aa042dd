//! Paper forms typed into a spreadsheet: `anjungan survey import FILE.csv`.
//!
//! Columns `u1`..`u9` (1 to 4, blank where the citizen ticked nothing),
//! and optionally `service`, `date` and the profile (`sex`, `age`,
//! `education`, `occupation`, as their codes). Commas or semicolons (what
//! a spreadsheet set to Indonesian writes). A file is checked whole before
//! anything is stored: one wrong cell refuses it, naming its line and
//! column. A file's SHA-256 is kept, so importing it again by accident is
//! refused.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Answers, Channel, Element, Response, record};
use crate::store::Store;
use crate::{Error, Result, timestamp};

/// Largest file taken: far more rows than any office types in.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What an import added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub rows: usize,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
}

/// Checks the whole file `bytes` (named `file` in messages), then stores
/// its rows in one transaction. `again` imports a file seen before.
pub fn import(
    store: &mut Store,
    bytes: &[u8],
    file: &str,
    again: bool,
    now: DateTime<FixedOffset>,
) -> Result<Imported> {
    let hash = format!("{:x}", Sha256::digest(bytes));
    if !again {
        let before: Option<(String, i64)> = store.run(|conn| {
            conn.query_row(
                "SELECT at, rows FROM survey_import WHERE sha256 = ?1 ORDER BY id DESC LIMIT 1",
                [&hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?;
        if let Some((at, rows)) = before {
            return Err(Error::SurveyFileImported {
                file: file.to_owned(),
                at,
                rows,
            });
        }
    }
    let rows = parse(bytes, file, now.date_naive())?;
    if rows.is_empty() {
        // Nothing to count: not remembered, so the filled-in file is not
        // mistaken for it.
        return Ok(Imported {
            rows: 0,
            first_day: None,
            last_day: None,
        });
    }
    store.transaction(|tx| {
        tx.execute(
            "INSERT INTO survey_import (sha256, file, at, rows) VALUES (?1, ?2, ?3, ?4)",
            params![hash, file, timestamp::format(&now), rows.len() as i64],
        )?;
        let id = tx.last_insert_rowid();
        for (day, response) in &rows {
            record::insert(tx, response, Channel::Paper, *day, &now, Some(id))?;
        }
        Ok(())
    })?;
    Ok(Imported {
        rows: rows.len(),
        first_day: rows.iter().map(|r| r.0).min(),
        last_day: rows.iter().map(|r| r.0).max(),
    })
}

/// The column a header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Element(Element),
    Service,
    Date,
    Sex,
    Age,
    Education,
    Occupation,
}

fn column(header: &str) -> Option<Column> {
    let h = header.trim().to_ascii_lowercase();
    if let Some(n) = h.strip_prefix('u').and_then(|n| n.parse::<u8>().ok()) {
        return Element::from_number(n).map(Column::Element);
    }
    Some(match h.as_str() {
        "service" => Column::Service,
        "date" => Column::Date,
        "sex" => Column::Sex,
        "age" => Column::Age,
        "education" => Column::Education,
        "occupation" => Column::Occupation,
        _ => return None,
    })
}

/// Every row of the file with the day it was answered (`today` where the
/// file has no date), or the refusal of the first wrong cell.
pub fn parse(bytes: &[u8], file: &str, today: NaiveDate) -> Result<Vec<(NaiveDate, Response)>> {
    let refuse = |line: u64, column: &str, message: String| Error::SurveyFileRefused {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        message,
    };
    if bytes.len() > MAX_BYTES {
        return Err(refuse(
            0,
            "-",
            format!("the file is larger than {} MiB; split it", MAX_BYTES >> 20),
        ));
    }
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b';') && !first_line.contains(&b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| refuse(1, "-", format!("cannot read the header line ({e})")))?
        .clone();
    let mut columns = Vec::with_capacity(headers.len());
    for h in &headers {
        let c = column(h).ok_or_else(|| {
            refuse(
                1,
                h,
                format!(
                    "\"{}\" is not a column; use u1 to u9, service, date, sex, age, education, occupation",
                    h.chars().take(40).collect::<String>()
                ),
            )
        })?;
        if columns.contains(&c) {
            return Err(refuse(1, h, "this column appears twice".into()));
        }
        columns.push(c);
    }
    if let Some(missing) = Element::ALL
        .into_iter()
        .find(|e| !columns.contains(&Column::Element(*e)))
    {
        return Err(refuse(
            1,
            &format!("u{}", missing.number()),
            "the column is missing; the file needs u1 to u9 (blank cells where nothing was ticked)"
                .into(),
        ));
    }

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            refuse(line, "-", format!("the row cannot be read ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue; // an empty row a spreadsheet left at the end
        }
        let mut response = Response::default();
        let mut day = today;
        for ((cell, c), header) in record.iter().zip(&columns).zip(&headers) {
            let cell = cell.trim();
            let bad = |message: String| refuse(line, header, message);
            if cell.is_empty() {
                continue;
            }
            match c {
                Column::Element(e) => {
                    let score = cell
                        .parse::<u8>()
                        .ok()
                        .filter(|s| (1..=4).contains(s))
                        .ok_or_else(|| {
                            bad(format!(
                                "\"{}\" is not a score; use 1 to 4, or leave it blank",
                                short(cell)
                            ))
                        })?;
                    response
                        .answers
                        .set(*e, Some(score))
                        .expect("checked to be 1 to 4");
                }
                Column::Service => {
                    if crate::voice::service_id(cell).is_none() {
                        return Err(bad(format!(
                            "\"{}\" is not a service id (as `anjungan catalog search` shows them)",
                            short(cell)
                        )));
                    }
                    response.service = Some(cell.to_owned());
                }
                Column::Date => {
                    day = date(cell).ok_or_else(|| {
                        bad(format!(
                            "\"{}\" is not a date; write 2026-07-31 or 31/07/2026",
                            short(cell)
                        ))
                    })?;
                    if day > today {
                        return Err(bad(format!("{day} is in the future")));
                    }
                }
                Column::Sex => response.profile.sex = Some(cell.parse().map_err(bad)?),
                Column::Age => response.profile.age = Some(cell.parse().map_err(bad)?),
                Column::Education => {
                    response.profile.education = Some(cell.parse().map_err(bad)?);
                }
                Column::Occupation => {
                    response.profile.occupation = Some(cell.parse().map_err(bad)?);
                }
            }
        }
        if response.answers == Answers::default() {
            return Err(refuse(
                line,
                "u1",
                "no element has a score; a form needs at least one".into(),
            ));
        }
        rows.push((day, response));
    }
    Ok(rows)
}

/// `2026-07-31`, or as Indonesian offices write it: `31/07/2026`, `31-07-2026`.
fn date(s: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
        .into_iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// A cell as quoted in a message: its start only.
fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn refusal(csv: &str) -> String {
        parse(csv.as_bytes(), "forms.csv", today())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn rows_with_blanks_dates_services_and_profile() {
        let csv = "u1,u2,u3,u4,u5,u6,u7,u8,u9,service,date,sex\n\
                   4,3,,4,3,3,4,4,3,akta-kelahiran,2026-07-31,female\n\
                   1,2,3,4,1,2,3,4,1,,31/08/2026,\n\
                   ,,,,,,,,,,,\n\
                   3,3,3,3,3,3,3,3,3,,,\n";
        let rows = parse(csv.as_bytes(), "forms.csv", today()).unwrap();
        assert_eq!(rows.len(), 3, "the empty row is skipped");
        assert_eq!(rows[0].0, NaiveDate::from_ymd_opt(2026, 7, 31).unwrap());
        assert_eq!(rows[0].1.answers.get(Element::Time), None);
        assert_eq!(rows[0].1.service.as_deref(), Some("akta-kelahiran"));
        assert_eq!(rows[1].0, NaiveDate::from_ymd_opt(2026, 8, 31).unwrap());
        assert_eq!(rows[2].0, today(), "no date: the day of the import");
    }

    #[test]
    fn a_spreadsheet_in_indonesian_writes_semicolons() {
        let csv = "\u{feff}U1;U2;U3;U4;U5;U6;U7;U8;U9\r\n4;4;4;4;4;4;4;4;4\r\n";
        let rows = parse(csv.as_bytes(), "forms.csv", today()).unwrap();
        assert_eq!(rows[0].1.answers.answered(), 9);
    }

    #[test]
    fn a_wrong_cell_refuses_the_file_naming_line_and_column() {
        let head = "u1,u2,u3,u4,u5,u6,u7,u8,u9,date,sex\n";
        let ok = "4,4,4,4,4,4,4,4,4,,\n";
        // A 5 on a 1-to-4 scale, as one published table has (see ikm
        // tests): refused, not counted.
        let m = refusal(&format!("{head}{ok}4,5,4,4,4,4,4,4,4,,\n"));
        assert!(
            m.contains("line 3") && m.contains("column u2") && m.contains("\"5\""),
            "{m}"
        );
        assert!(m.contains("nothing was imported"), "{m}");
        let m = refusal(&format!("{head}{ok}{ok}4,4,4,4,4,4,4,4,4,2026-13-01,\n"));
        assert!(m.contains("line 4") && m.contains("column date"), "{m}");
        let m = refusal(&format!("{head}4,4,4,4,4,4,4,4,4,2027-01-01,\n"));
        assert!(m.contains("future"), "{m}");
        let m = refusal(&format!("{head}4,4,4,4,4,4,4,4,4,,Budi\n"));
        assert!(m.contains("column sex") && m.contains("female"), "{m}");
        let m = refusal(&format!("{head},,,,,,,,,,male\n"));
        assert!(m.contains("line 2") && m.contains("at least one"), "{m}");
        let m = refusal("u1,u2,u3,u4,u5,u6,u7,u8\n4,4,4,4,4,4,4,4\n");
        assert!(m.contains("column u9") && m.contains("missing"), "{m}");
        let m = refusal("u1,u2,u3,u4,u5,u6,u7,u8,u9,nama\n");
        assert!(
            m.contains("column nama") && m.contains("not a column"),
            "{m}"
        );
        let m = refusal(&format!("{head}4,4,4\n"));
        assert!(m.contains("line 2"), "{m}");
    }

    #[test]
    fn the_same_file_is_not_imported_twice_by_accident() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("a.db")).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-30T10:00:00+07:00").unwrap();
        let csv = b"u1,u2,u3,u4,u5,u6,u7,u8,u9\n4,4,4,4,4,4,4,4,4\n3,,3,3,3,3,3,3,3\n";
        let done = import(&mut s, csv, "forms.csv", false, now).unwrap();
        assert_eq!(done.rows, 2);
        let again = import(&mut s, csv, "copy.csv", false, now).unwrap_err();
        assert!(matches!(again, Error::SurveyFileImported { .. }));
        assert!(again.to_string().contains("--again"), "{again}");
        assert_eq!(import(&mut s, csv, "copy.csv", true, now).unwrap().rows, 2);
        // A file with a header only counts nothing and is not remembered.
        let empty = b"u1,u2,u3,u4,u5,u6,u7,u8,u9\n";
        assert_eq!(
            import(&mut s, empty, "empty.csv", false, now).unwrap().rows,
            0
        );
        assert_eq!(
            import(&mut s, empty, "empty.csv", false, now).unwrap().rows,
            0
        );
        // A refused file stores nothing.
        let bad = b"u1,u2,u3,u4,u5,u6,u7,u8,u9\n4,4,4,4,4,4,4,4,4\n9,4,4,4,4,4,4,4,4\n";
        assert!(import(&mut s, bad, "bad.csv", false, now).is_err());
        let n: i64 = s
            .run(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM survey_response WHERE channel = 'paper'",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(n, 4);
    }
}
