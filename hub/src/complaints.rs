//! The region's complaints inbox: complaint events kept as rows
//! (`add_new`, in `ingest::store`'s transaction), listed across devices,
//! moved through their statuses by staff with an answer to the citizen
//! (`set_status`), and handed back to the device that took the complaint
//! (`updates`, `GET /v1/complaints/updates`), whose status look-up then
//! shows the hub's answer.

use anjungan::voice::complaint::{Category, Reference, Status};
use anjungan::voice::survey::Channel;
use deadpool_postgres::{Pool, Transaction};
use serde::Serialize;
use serde_json::Value;

use crate::{Error, Result};

/// Longest answer to a citizen, in characters: the device keeps notes of
/// at most this many (`anjungan::voice::complaint::MAX_TEXT`).
pub const MAX_ANSWER: usize = anjungan::voice::complaint::MAX_TEXT;
/// Most complaints one inbox page lists.
pub const PAGE: i64 = 100;
/// Most updates one answer to a device carries.
pub const MAX_UPDATES: i64 = 200;

/// A complaint event's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub reference: String,
    pub channel: Channel,
    pub category: String,
    pub service: Option<String>,
    pub text: String,
    pub contact: Option<String>,
}

/// Reads a complaint event's own fields (as `anjungan::voice::complaint::submit`
/// sends them); the reason when they are not a complaint.
pub fn pushed(body: &Value) -> std::result::Result<Pushed, String> {
    let text = |name: &str| body.get(name).and_then(Value::as_str);
    let reference = text("reference")
        .and_then(Reference::parse)
        .ok_or("a complaint needs its reference (ADU-XXXX-XXXX)")?;
    let channel: Channel = text("channel")
        .ok_or("a complaint needs its channel")?
        .parse()
        .map_err(|e: String| format!("channel: {e}"))?;
    let category: Category = text("category")
        .ok_or("a complaint needs its category")?
        .parse()
        .map_err(|e: String| format!("category: {e}"))?;
    let words = text("text")
        .filter(|t| (1..=anjungan::voice::complaint::MAX_TEXT).contains(&t.chars().count()))
        .ok_or("a complaint needs its text, 1 to 2000 characters")?;
    let bounded = |name: &str, max: usize| -> std::result::Result<Option<String>, String> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
            Some(_) => Err(format!("{name} must be a text of at most {max} characters")),
        }
    };
    Ok(Pushed {
        reference: reference.stored().to_owned(),
        channel,
        category: category.code().to_owned(),
        service: bounded("service", 64)?,
        text: words.to_owned(),
        contact: bounded("contact", 254)?,
    })
}

/// Keeps the complaints of `device` whose events the caller's transaction
/// has just inserted; `at` is each event's time.
pub async fn add_new(
    tx: &Transaction<'_>,
    device: &str,
    new: &[(&str, &str, Pushed)],
) -> Result<()> {
    for (event, at, c) in new {
        tx.execute(
            "INSERT INTO complaint (device, reference, event, created_at, channel, category,
                                    service, text, contact, updated_at)
             VALUES ($1, $2, $3, $4::text::timestamptz, $5, $6, $7, $8, $9, $4::text::timestamptz)
             ON CONFLICT (device, reference) DO NOTHING",
            &[
                &device,
                &c.reference,
                event,
                at,
                &c.channel.code(),
                &c.category,
                &c.service,
                &c.text,
                &c.contact,
            ],
        )
        .await?;
    }
    Ok(())
}

/// A complaint as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Complaint {
    pub device: String,
    /// `ADU-XXXX-XXXX`.
    pub reference: String,
    pub created_at: String,
    pub channel: String,
    pub category: String,
    pub service: Option<String>,
    pub text: String,
    /// Only while it is kept (`--keep-contact-days`).
    pub contact: Option<String>,
    pub status: String,
    pub answer: Option<String>,
    pub updated_at: String,
}

/// One change staff made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub at: String,
    pub status: String,
    pub answer: Option<String>,
    pub staff: String,
}

const RFC3339: &str = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

fn columns() -> String {
    format!(
        "device, reference, to_char(created_at AT TIME ZONE 'UTC', {RFC3339}), channel, category,
         service, text, contact, status, answer, to_char(updated_at AT TIME ZONE 'UTC', {RFC3339})"
    )
}

fn from_row(r: &tokio_postgres::Row) -> Complaint {
    let reference: String = r.get(1);
    Complaint {
        device: r.get(0),
        reference: Reference::parse(&reference).map_or(reference, |r| r.to_string()),
        created_at: r.get(2),
        channel: r.get(3),
        category: r.get(4),
        service: r.get(5),
        text: r.get(6),
        contact: r.get(7),
        status: r.get(8),
        answer: r.get(9),
        updated_at: r.get(10),
    }
}

/// Which complaints the inbox lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub status: Option<Status>,
    pub device: Option<String>,
}

/// The newest [`PAGE`] complaints `selection` picks, newest first. Contacts
/// past `keep_days` are erased first.
pub async fn list(pool: &Pool, selection: &Selection, keep_days: u32) -> Result<Vec<Complaint>> {
    purge_contacts(pool, keep_days).await?;
    let client = pool.get().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {} FROM complaint
                 WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR device = $2)
                 ORDER BY created_at DESC, device, reference LIMIT $3",
                columns()
            ),
            &[
                &selection.status.map(|s| s.code()),
                &selection.device,
                &PAGE,
            ],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// One complaint and its changes, oldest first.
pub async fn find(
    pool: &Pool,
    device: &str,
    reference: &Reference,
    keep_days: u32,
) -> Result<Option<(Complaint, Vec<Change>)>> {
    purge_contacts(pool, keep_days).await?;
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt(
            &format!(
                "SELECT {} FROM complaint WHERE device = $1 AND reference = $2",
                columns()
            ),
            &[&device, &reference.stored()],
        )
        .await?
    else {
        return Ok(None);
    };
    let changes = client
        .query(
            &format!(
                "SELECT to_char(at AT TIME ZONE 'UTC', {RFC3339}), status, answer, staff
                 FROM complaint_change WHERE device = $1 AND reference = $2 ORDER BY at, ctid"
            ),
            &[&device, &reference.stored()],
        )
        .await?;
    Ok(Some((
        from_row(&row),
        changes
            .iter()
            .map(|r| Change {
                at: r.get(0),
                status: r.get(1),
                answer: r.get(2),
                staff: r.get(3),
            })
            .collect(),
    )))
}

/// An answer to a citizen as kept: line ends made `\n`, other control
/// characters dropped, trimmed; empty is none (the last answer stays).
pub fn clean_answer(text: &str) -> std::result::Result<Option<String>, Error> {
    let text: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let text = text.trim();
    match text.chars().count() {
        0 => Ok(None),
        n if n > MAX_ANSWER => Err(Error::BadInput(format!(
            "the answer has {n} characters; shorten it to at most {MAX_ANSWER}"
        ))),
        _ => Ok(Some(text.to_owned())),
    }
}

/// Sets the status of `device`'s complaint `reference`, with an answer to
/// the citizen (none keeps the last one), by `staff`. The change takes the
/// device's next update number, so the device fetches it.
pub async fn set_status(
    pool: &Pool,
    device: &str,
    reference: &Reference,
    status: Status,
    answer: Option<&str>,
    staff: &str,
) -> Result<()> {
    let answer = answer.map(clean_answer).transpose()?.flatten();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // The device's row stays locked until commit: its numbers are handed
    // out in commit order.
    let seq: Option<i64> = tx
        .query_opt(
            "UPDATE device SET complaint_seq = complaint_seq + 1 WHERE id = $1 RETURNING complaint_seq",
            &[&device],
        )
        .await?
        .map(|r| r.get(0));
    let Some(seq) = seq else {
        return Err(Error::NoSuchComplaint(format!("{device}/{reference}")));
    };
    let n = tx
        .execute(
            "UPDATE complaint SET status = $3, answer = coalesce($4, answer), seq = $5,
                                  updated_at = now()
             WHERE device = $1 AND reference = $2",
            &[&device, &reference.stored(), &status.code(), &answer, &seq],
        )
        .await?;
    if n == 0 {
        return Err(Error::NoSuchComplaint(format!("{device}/{reference}")));
    }
    tx.execute(
        "INSERT INTO complaint_change (device, reference, status, answer, staff)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &device,
            &reference.stored(),
            &status.code(),
            &answer,
            &staff,
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A complaint's status and answer as the device gets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Update {
    pub seq: i64,
    /// As the device stores it (8 symbols).
    pub reference: String,
    pub status: String,
    pub answer: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
}

/// What `GET /v1/complaints/updates` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Updates {
    /// Oldest first; each complaint once, with its latest state.
    pub updates: Vec<Update>,
    /// Ask again with `since` = the last `seq`: there are more.
    pub more: bool,
}

/// The changes to `device`'s complaints numbered after `since`.
pub async fn updates(pool: &Pool, device: &str, since: i64) -> Result<Updates> {
    let client = pool.get().await?;
    let rows = client
        .query(
            &format!(
                "SELECT seq, reference, status, answer, to_char(updated_at AT TIME ZONE 'UTC', {RFC3339})
                 FROM complaint WHERE device = $1 AND seq > $2 ORDER BY seq LIMIT $3"
            ),
            &[&device, &since, &(MAX_UPDATES + 1)],
        )
        .await?;
    let more = rows.len() as i64 > MAX_UPDATES;
    Ok(Updates {
        updates: rows
            .iter()
            .take(MAX_UPDATES as usize)
            .map(|r| Update {
                seq: r.get(0),
                reference: r.get(1),
                status: r.get(2),
                answer: r.get(3),
                at: r.get(4),
            })
            .collect(),
        more,
    })
}

/// Erases contacts of complaints older than `keep_days`, from the inbox and
/// from the stored events: a region keeps them no longer than a device.
pub async fn purge_contacts(pool: &Pool, keep_days: u32) -> Result<u64> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let days = i32::try_from(keep_days).unwrap_or(i32::MAX);
    let n = tx
        .execute(
            "UPDATE complaint SET contact = NULL
             WHERE contact IS NOT NULL AND created_at < now() - make_interval(days => $1)",
            &[&days],
        )
        .await?;
    // A complaint's event is at its creation time (the device's `submit`).
    tx.execute(
        "UPDATE event SET body = body - 'contact'
         WHERE kind = 'complaint' AND at < now() - make_interval(days => $1) AND body ? 'contact'",
        &[&days],
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_complaint_event_is_read_as_the_device_wrote_it() {
        let c = pushed(&json!({
            "reference": "7K4P9MXR", "channel": "kiosk", "category": "service",
            "service": null, "text": "Antrean lama", "contact": "081234567890"
        }))
        .unwrap();
        assert_eq!(c.reference, "7K4P9MXR");
        assert_eq!(c.contact.as_deref(), Some("081234567890"));
        for bad in [
            json!({"reference": "x", "channel": "kiosk", "category": "service", "text": "a"}),
            json!({"reference": "7K4P9MXR", "channel": "kiosk", "category": "service", "text": ""}),
            json!({"reference": "7K4P9MXR", "channel": "kiosk", "category": "nope", "text": "a"}),
            json!({"reference": "7K4P9MXR", "channel": "kiosk", "category": "service", "text": "a", "contact": "x".repeat(255)}),
        ] {
            assert!(pushed(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_bounded_and_an_empty_one_keeps_the_last() {
        assert_eq!(clean_answer("  \r\n ").unwrap(), None);
        assert_eq!(
            clean_answer(" Sudah\r\ndiperbaiki\u{7} ")
                .unwrap()
                .as_deref(),
            Some("Sudah\ndiperbaiki")
        );
        let err = clean_answer(&"é".repeat(MAX_ANSWER + 1)).unwrap_err();
        assert!(err.to_string().contains("at most 2000"), "{err}");
        assert!(clean_answer(&"é".repeat(MAX_ANSWER)).is_ok());
    }
}
