//! Keeping answered forms: one row per form, in one statement; and the
//! Wi-Fi page's rule of one answer per visitor per service per day, kept
//! without storing who the visitor is.

use chrono::{DateTime, FixedOffset, NaiveDate};
use hmac::{Hmac, Mac as _};
use rusqlite::{OptionalExtension, params};
use sha2::Sha256;

use super::{Channel, Response};
use crate::store::Store;
use crate::wifi::Mac;
use crate::{Result, outbox, timestamp};

/// What `record_once` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Once {
    /// Recorded, with the row's id.
    Recorded(i64),
    /// This visitor already answered about this service today: nothing
    /// was recorded.
    AlreadyAnswered,
}

/// Records one answered form from `channel` at `now` (the device's local
/// time: its date is the day the report counts it on).
pub fn record(
    store: &mut Store,
    response: &Response,
    channel: Channel,
    now: DateTime<FixedOffset>,
) -> Result<i64> {
    response.check()?;
    store.transaction(|tx| insert(tx, response, channel, now.date_naive(), &now, None))
}

/// Records a form from the Wi-Fi page unless the visitor with `mac`
/// already answered about the same service today.
///
/// The visitor is remembered as HMAC-SHA-256(day key, MAC, service) under
/// a random key of the day; keys and hashes of earlier days are deleted
/// here, so after the day nobody, not even with the database, can tell
/// which visitor gave which answer. The answer itself carries no MAC.
pub fn record_once(
    store: &mut Store,
    response: &Response,
    mac: Mac,
    now: DateTime<FixedOffset>,
) -> Result<Once> {
    response.check()?;
    let day = timestamp::local_day(&now);
    store.transaction(|tx| {
        forget_before(tx, &day)?;
        let key = day_key(tx, &day)?;
        let visitor = visitor_hash(&key, mac, response.service.as_deref());
        let new = tx.execute(
            "INSERT OR IGNORE INTO survey_visitor (day, visitor) VALUES (?1, ?2)",
            params![day, visitor],
        )?;
        if new == 0 {
            return Ok(Once::AlreadyAnswered);
        }
        insert(tx, response, Channel::Portal, now.date_naive(), &now, None).map(Once::Recorded)
    })
}

/// Whether the visitor with `mac` already answered about `service` today
/// (the portal shows a thank-you instead of the form).
pub fn answered_today(
    store: &Store,
    mac: Mac,
    service: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<bool> {
    let day = timestamp::local_day(&now);
    store.run(|conn| {
        let key: Option<Vec<u8>> = conn
            .query_row(
                "SELECT key FROM survey_day_key WHERE day = ?1",
                [&day],
                |r| r.get(0),
            )
            .optional()?;
        let Some(key) = key else { return Ok(false) };
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM survey_visitor WHERE day = ?1 AND visitor = ?2)",
            params![day, visitor_hash(&key, mac, service)],
            |r| r.get(0),
        )
    })
}

/// The one insert of a form, with its counts in the tallies reports read
/// (`survey_tally`, `survey_profile_tally`) and its event for the hub: in
/// the caller's transaction, so they never disagree. `import` is the paper file it came from.
pub(super) fn insert(
    tx: &rusqlite::Transaction,
    response: &Response,
    channel: Channel,
    day: NaiveDate,
    now: &DateTime<FixedOffset>,
    import: Option<i64>,
) -> rusqlite::Result<i64> {
    let scores = response.answers.scores();
    let [u1, u2, u3, u4, u5, u6, u7, u8, u9] = scores;
    let p = &response.profile;
    let day = day.to_string();
    tx.prepare_cached(
        "INSERT INTO survey_response
             (at, day, channel, service, u1, u2, u3, u4, u5, u6, u7, u8, u9,
              sex, age, education, occupation, import)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        timestamp::format(now),
        day,
        channel.code(),
        response.service,
        u1,
        u2,
        u3,
        u4,
        u5,
        u6,
        u7,
        u8,
        u9,
        p.sex.map(|v| v.code()),
        p.age.map(|v| v.code()),
        p.education.map(|v| v.code()),
        p.occupation.map(|v| v.code()),
        import,
    ])?;
    let id = tx.last_insert_rowid();
    outbox::add(
        tx,
        outbox::Kind::Survey,
        &timestamp::format(now),
        serde_json::json!({
            "channel": channel.code(),
            "service": response.service,
            "day": day,
            "answers": scores,
            "profile": {
                "sex": p.sex.map(|v| v.code()),
                "age": p.age.map(|v| v.code()),
                "education": p.education.map(|v| v.code()),
                "occupation": p.occupation.map(|v| v.code()),
            },
        }),
    )?;
    let service = response.service.as_deref().unwrap_or("");
    let mut values: Vec<rusqlite::types::Value> = vec![
        day.clone().into(),
        channel.code().to_owned().into(),
        service.to_owned().into(),
    ];
    for score in scores {
        values.push(i64::from(score.unwrap_or(0)).into());
        values.push(i64::from(score.is_some()).into());
    }
    tx.prepare_cached(
        "INSERT INTO survey_tally (day, channel, service, responses, s1, c1, s2, c2, s3, c3, s4, c4, s5, c5, s6, c6, s7, c7, s8, c8, s9, c9)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT DO UPDATE SET responses = responses + 1, s1 = s1 + excluded.s1, c1 = c1 + excluded.c1, s2 = s2 + excluded.s2, c2 = c2 + excluded.c2, s3 = s3 + excluded.s3, c3 = c3 + excluded.c3, s4 = s4 + excluded.s4, c4 = c4 + excluded.c4, s5 = s5 + excluded.s5, c5 = c5 + excluded.c5, s6 = s6 + excluded.s6, c6 = c6 + excluded.c6, s7 = s7 + excluded.s7, c7 = c7 + excluded.c7, s8 = s8 + excluded.s8, c8 = c8 + excluded.c8, s9 = s9 + excluded.s9, c9 = c9 + excluded.c9",
    )?
    .execute(rusqlite::params_from_iter(values))?;
    let mut profile = tx.prepare_cached(
        "INSERT INTO survey_profile_tally (day, channel, service, part, code, n)
         VALUES (?1, ?2, ?3, ?4, ?5, 1)
         ON CONFLICT DO UPDATE SET n = n + 1",
    )?;
    for (part, code) in [
        ("sex", p.sex.map(|v| v.code())),
        ("age", p.age.map(|v| v.code())),
        ("education", p.education.map(|v| v.code())),
        ("occupation", p.occupation.map(|v| v.code())),
    ] {
        profile.execute(params![
            day,
            channel.code(),
            service,
            part,
            code.unwrap_or("unknown")
        ])?;
    }
    Ok(id)
}

fn forget_before(tx: &rusqlite::Transaction, day: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM survey_visitor WHERE day < ?1", [day])?;
    tx.execute("DELETE FROM survey_day_key WHERE day < ?1", [day])?;
    Ok(())
}

fn day_key(tx: &rusqlite::Transaction, day: &str) -> rusqlite::Result<Vec<u8>> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).expect("the kernel's random source is available");
    tx.execute(
        "INSERT OR IGNORE INTO survey_day_key (day, key) VALUES (?1, ?2)",
        params![day, fresh.as_slice()],
    )?;
    tx.query_row(
        "SELECT key FROM survey_day_key WHERE day = ?1",
        [day],
        |r| r.get(0),
    )
}

fn visitor_hash(key: &[u8], mac: Mac, service: Option<&str>) -> Vec<u8> {
    let mut h = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    h.update(&mac.0);
    // The service after a separator no id contains: "ab" + "c" and
    // "a" + "bc" never meet.
    h.update(b"/");
    h.update(service.unwrap_or("").as_bytes());
    h.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::survey::Answers;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn form(service: Option<&str>) -> Response {
        Response {
            answers: Answers::new([Some(3); 9]).unwrap(),
            service: service.map(str::to_owned),
            ..Response::default()
        }
    }

    const PHONE: Mac = Mac([0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);

    #[test]
    fn one_answer_per_visitor_per_service_per_local_day() {
        let (_d, mut s) = store();
        let nine = at("2026-11-30T09:00:00+07:00");
        let akta = form(Some("akta-kelahiran"));
        assert!(!answered_today(&s, PHONE, Some("akta-kelahiran"), nine).unwrap());
        assert!(matches!(
            record_once(&mut s, &akta, PHONE, nine).unwrap(),
            Once::Recorded(_)
        ));
        assert!(answered_today(&s, PHONE, Some("akta-kelahiran"), nine).unwrap());
        assert_eq!(
            record_once(&mut s, &akta, PHONE, at("2026-11-30T23:59:00+07:00")).unwrap(),
            Once::AlreadyAnswered
        );
        // Another service, another visitor: recorded.
        assert!(matches!(
            record_once(&mut s, &form(Some("ktp")), PHONE, nine).unwrap(),
            Once::Recorded(_)
        ));
        assert!(matches!(
            record_once(&mut s, &akta, Mac([2; 6]), nine).unwrap(),
            Once::Recorded(_)
        ));
        // 00:10 WIB the next day (still the 30th in UTC): a new day.
        let next = at("2026-12-01T00:10:00+07:00");
        assert!(matches!(
            record_once(&mut s, &akta, PHONE, next).unwrap(),
            Once::Recorded(_)
        ));
        let count = |sql: &str| -> i64 { s.run(|c| c.query_row(sql, [], |r| r.get(0))).unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM survey_response"), 4);
        // Yesterday's key and hashes are gone; nothing holds a MAC.
        assert_eq!(count("SELECT COUNT(*) FROM survey_day_key"), 1);
        assert_eq!(count("SELECT COUNT(*) FROM survey_visitor"), 1);
        let dump: String = s
            .run(|c| {
                c.query_row(
                    "SELECT group_concat(hex(visitor)) FROM survey_visitor",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert!(!dump.to_lowercase().contains("001a2b3c4d5e"), "{dump}");
    }

    #[test]
    fn a_form_is_kept_with_its_local_day_channel_and_profile() {
        let (_d, mut s) = store();
        let mut f = form(None);
        f.answers.set(super::super::Element::Fee, None).unwrap();
        f.profile.sex = Some(super::super::Sex::Female);
        let id = record(&mut s, &f, Channel::Kiosk, at("2026-12-01T00:30:00+07:00")).unwrap();
        let row: (String, String, String, Option<i64>, Option<String>) = s
            .run(|c| {
                c.query_row(
                    "SELECT at, day, channel, u4, sex FROM survey_response WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
            })
            .unwrap();
        assert_eq!(
            row,
            (
                "2026-11-30T17:30:00Z".into(),
                "2026-12-01".into(),
                "kiosk".into(),
                None,
                Some("female".into())
            )
        );
        assert!(
            record(
                &mut s,
                &Response::default(),
                Channel::Kiosk,
                at("2026-12-01T00:30:00+07:00")
            )
            .is_err()
        );
    }
}
