//! Complaints and suggestions (pengaduan): a citizen's text, what it is
//! about, an optional contact given with consent, and a reference to ask
//! about it later; staff move it through its statuses with a note that the
//! citizen sees when they look it up.
//!
//! A complaint is checked whole into a [`Draft`] before anything is
//! stored, so only valid complaints reach the database. The contact is
//! erased after `[voice] keep_contact_days` (`purge_contacts`).

mod contact;
mod reference;

use chrono::{DateTime, Duration, FixedOffset};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

pub use super::Channel;
pub use reference::Reference;

use crate::store::Store;
use crate::{Error, Lang, Result, outbox, timestamp};

/// Longest complaint or note, in characters after trimming: a full page of
/// a paper form, and a bound on what a visitor can make the device store.
pub const MAX_TEXT: usize = 2000;
/// Most complaints `list` returns at once.
pub const MAX_LIST: usize = 10_000;

code_list!(
    /// What a complaint is about: a short list a citizen chooses from.
    Category, "a complaint category", {
    Service = "service", "Pelayanan lambat atau berbelit", "Slow or complicated service";
    Staff = "staff", "Sikap petugas", "Staff behaviour";
    Fee = "fee", "Biaya atau pungutan", "Fees or charges";
    Facilities = "facilities", "Sarana dan prasarana", "Facilities";
    Information = "information", "Informasi tidak jelas", "Unclear information";
    Suggestion = "suggestion", "Saran", "Suggestion";
    Other = "other", "Lainnya", "Other";
});

code_list!(
    /// Where a complaint is; staff set it (`anjungan complaint status`).
    Status, "a status", {
    Received = "received", "Diterima", "Received";
    InProgress = "in-progress", "Sedang diproses", "In progress";
    Answered = "answered", "Sudah dijawab", "Answered";
    Closed = "closed", "Selesai", "Closed";
});

/// Why a complaint cannot be taken; [`Invalid::say`] words it for the
/// citizen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("the complaint is empty; write what happened")]
    Empty,
    #[error("the text has {chars} characters; at most {MAX_TEXT} are kept")]
    TooLong { chars: usize },
    #[error("a contact was given without consent to keep it")]
    ContactWithoutConsent,
    #[error("the contact is neither a phone number nor an e-mail address")]
    Contact,
    #[error("\"{0}\" is not a service id (lower-case letters, digits and '-', at most 64)")]
    Service(String),
}

impl Invalid {
    /// One line for the citizen.
    pub fn say(&self, lang: Lang) -> &'static str {
        match self {
            Invalid::Empty => lang.choose(
                "Tuliskan pengaduan Anda.",
                "Write what you want to tell us.",
            ),
            Invalid::TooLong { .. } => lang.choose(
                "Tulisan terlalu panjang; paling banyak 2.000 huruf.",
                "The text is too long; 2,000 characters at most.",
            ),
            Invalid::ContactWithoutConsent => lang.choose(
                "Centang persetujuan jika kami boleh menyimpan kontak Anda, atau kosongkan kontak.",
                "Tick the consent box if we may keep your contact, or leave the contact empty.",
            ),
            Invalid::Contact => lang.choose(
                "Tulis nomor telepon (misalnya 0812 3456 7890) atau alamat e-mail.",
                "Give a phone number (like 0812 3456 7890) or an e-mail address.",
            ),
            Invalid::Service(_) => lang.choose(
                "Layanan itu tidak dikenal; pilih layanan dari daftar.",
                "That service is unknown; choose one from the list.",
            ),
        }
    }
}

/// A complaint checked and ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    text: String,
    category: Category,
    service: Option<String>,
    contact: Option<String>,
    channel: Channel,
}

impl Draft {
    /// Checks a complaint as a form gives it. `contact` (empty is none)
    /// is kept only with `consent`.
    pub fn new(
        text: &str,
        category: Category,
        service: Option<&str>,
        contact: Option<&str>,
        consent: bool,
        channel: Channel,
    ) -> Result<Draft, Invalid> {
        let text = clean(text)?;
        let service = match service.filter(|s| !s.is_empty()) {
            Some(s) => Some(
                super::service_id(s)
                    .ok_or_else(|| Invalid::Service(s.chars().take(80).collect()))?
                    .to_owned(),
            ),
            None => None,
        };
        let contact = match contact.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(_) if !consent => return Err(Invalid::ContactWithoutConsent),
            Some(c) => Some(contact::normalize(c).ok_or(Invalid::Contact)?),
        };
        Ok(Draft {
            text,
            category,
            service,
            contact,
            channel,
        })
    }
}

/// Text as kept: line ends made `\n`, other control characters dropped
/// (tabs become spaces), trimmed, at least one and at most [`MAX_TEXT`]
/// characters.
fn clean(text: &str) -> Result<String, Invalid> {
    let text: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    let text = text.trim();
    match text.chars().count() {
        0 => Err(Invalid::Empty),
        n if n > MAX_TEXT => Err(Invalid::TooLong { chars: n }),
        _ => Ok(text.to_owned()),
    }
}

/// A stored complaint, as staff see it (`anjungan complaint list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Complaint {
    pub reference: Reference,
    pub text: String,
    pub status: Status,
    pub channel: Channel,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    pub category: Category,
    pub service: Option<String>,
    /// `None` when none was given or once it was erased.
    pub contact: Option<String>,
    /// The latest note to the citizen.
    pub note: Option<String>,
}

/// What anyone holding the reference may see: where the complaint is and
/// the answer, not its text or contact (a slip can be lost and found).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub reference: Reference,
    pub status: Status,
    pub note: Option<String>,
    pub category: Category,
    pub created_at: String,
    pub updated_at: String,
}

/// One status change, for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub at: String,
    pub status: Status,
    pub note: Option<String>,
}

/// Stores a complaint with a new reference, status `received`.
pub fn submit(store: &mut Store, draft: &Draft, now: DateTime<FixedOffset>) -> Result<Complaint> {
    let at = timestamp::format(&now);
    store.transaction(|tx| {
        let reference = loop {
            let r = Reference::random();
            // A reference already given (one chance in 2^39 per complaint
            // kept) is simply drawn again.
            let new = tx.execute(
                "INSERT OR IGNORE INTO complaint
                     (reference, created_at, channel, category, service, text, contact, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?2)",
                params![
                    r.stored(),
                    at,
                    draft.channel.code(),
                    draft.category.code(),
                    draft.service,
                    draft.text,
                    draft.contact
                ],
            )?;
            if new == 1 {
                break r;
            }
        };
        tx.execute(
            "INSERT INTO complaint_history (complaint, at, status) VALUES (?1, ?2, 'received')",
            params![tx.last_insert_rowid(), at],
        )?;
        outbox::add(
            tx,
            outbox::Kind::Complaint,
            &at,
            serde_json::json!({
                "reference": reference.stored(),
                "channel": draft.channel.code(),
                "category": draft.category.code(),
                "service": draft.service,
                "text": draft.text,
                "contact": draft.contact,
            }),
        )?;
        Ok(Complaint {
            reference,
            text: draft.text.clone(),
            status: Status::Received,
            channel: draft.channel,
            created_at: at.clone(),
            updated_at: at.clone(),
            category: draft.category,
            service: draft.service.clone(),
            contact: draft.contact.clone(),
            note: None,
        })
    })
}

const COLUMNS: &str =
    "reference, text, status, channel, created_at, updated_at, category, service, contact, note";

/// The complaint with `reference`, for staff.
pub fn find(store: &Store, reference: &Reference) -> Result<Option<Complaint>> {
    store.run(|conn| {
        conn.query_row(
            &format!("SELECT {COLUMNS} FROM complaint WHERE reference = ?1"),
            [reference.stored()],
            from_row,
        )
        .optional()
    })
}

/// Where the complaint a citizen typed the reference of is, if there is
/// one: for the kiosk's and the portal's look-up.
pub fn look_up(store: &Store, typed: &str) -> Result<Option<Progress>> {
    let Some(reference) = Reference::parse(typed) else {
        return Ok(None);
    };
    Ok(find(store, &reference)?.map(|c| Progress {
        reference: c.reference,
        status: c.status,
        note: c.note,
        category: c.category,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }))
}

/// The newest `limit` complaints (at most [`MAX_LIST`]), newest first.
pub fn list(store: &Store, limit: usize) -> Result<Vec<Complaint>> {
    list_in(store, None, limit)
}

/// As [`list`], only those with `status` when given (staff's open ones).
pub fn list_in(store: &Store, status: Option<Status>, limit: usize) -> Result<Vec<Complaint>> {
    store.run(|conn| {
        conn.prepare(&format!(
            "SELECT {COLUMNS} FROM complaint WHERE ?1 IS NULL OR status = ?1
             ORDER BY created_at DESC, id DESC LIMIT ?2"
        ))?
        .query_map(
            rusqlite::params![status.map(|s| s.code()), limit.min(MAX_LIST) as i64],
            from_row,
        )?
        .collect()
    })
}

/// Sets the status of the complaint `reference`, with a note to the
/// citizen (which replaces the last one; none or an empty one keeps it).
pub fn set_status(
    store: &mut Store,
    reference: &Reference,
    status: Status,
    note: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<Complaint> {
    // An empty note is no note: the last one stays.
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(clean)
        .transpose()?;
    let at = timestamp::format(&now);
    let changed = store
        .transaction(|tx| record_status(tx, reference, status, note.as_deref(), &at, "device"))?;
    if !changed {
        return Err(Error::NoSuchComplaint {
            reference: reference.to_string(),
        });
    }
    find(store, reference)?.ok_or_else(|| Error::NoSuchComplaint {
        reference: reference.to_string(),
    })
}

/// A status and answer staff at the region's hub gave one of this
/// device's complaints (`GET /v1/complaints/updates`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct HubUpdate {
    /// The hub's number of this change, per device, growing.
    pub seq: i64,
    /// As stored (8 symbols).
    pub reference: String,
    pub status: String,
    pub answer: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
}

/// The hub's number of the last update applied here; 0 before any.
pub fn hub_update_mark(store: &Store) -> Result<i64> {
    store.run(|conn| {
        conn.query_row(
            "SELECT COALESCE((SELECT seq FROM complaint_update_mark WHERE id = 1), 0)",
            [],
            |r| r.get(0),
        )
    })
}

/// Sets a complaint's status and note (none keeps the last) and adds its
/// history row, marked with where the change came from (`device` or
/// `hub`); false when there is no complaint `reference`.
fn record_status(
    tx: &rusqlite::Transaction,
    reference: &Reference,
    status: Status,
    note: Option<&str>,
    at: &str,
    source: &str,
) -> rusqlite::Result<bool> {
    let id: Option<i64> = tx
        .query_row(
            "UPDATE complaint SET status = ?2, note = COALESCE(?3, note), updated_at = ?4
             WHERE reference = ?1 RETURNING id",
            params![reference.stored(), status.code(), note, at],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = id {
        tx.execute(
            "INSERT INTO complaint_history (complaint, at, status, note, source)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, at, status.code(), note, source],
        )?;
    }
    Ok(id.is_some())
}

/// Applies the hub's `updates` (oldest first) and keeps the number of the
/// last, in one transaction: the complaint's status, the answer as its
/// note (none keeps the last), a history row marked `hub`. An update for
/// a complaint this device does not have, or with a status or answer this
/// version does not take, is passed over (the number still moves on, so
/// it is not asked for again). Returns how many complaints changed.
pub fn apply_hub_updates(store: &mut Store, updates: &[HubUpdate]) -> Result<usize> {
    store.transaction(|tx| {
        let mut changed = 0;
        let mut mark = None;
        for u in updates {
            mark = Some(mark.unwrap_or(u.seq).max(u.seq));
            let Ok(status) = u.status.parse::<Status>() else {
                continue;
            };
            let note = match u.answer.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                None => None,
                Some(a) => match clean(a) {
                    Ok(a) => Some(a),
                    Err(_) => continue,
                },
            };
            let Some(reference) = Reference::parse(&u.reference) else {
                continue;
            };
            let at = chrono::DateTime::parse_from_rfc3339(&u.at)
                .map(|t| timestamp::format(&t))
                .unwrap_or_else(|_| timestamp::format(&chrono::Utc::now().fixed_offset()));
            if record_status(tx, &reference, status, note.as_deref(), &at, "hub")? {
                changed += 1;
            }
        }
        if let Some(seq) = mark {
            tx.execute(
                "INSERT INTO complaint_update_mark (id, seq) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET seq = max(seq, excluded.seq)",
                [seq],
            )?;
        }
        Ok(changed)
    })
}

/// Every status change of the complaint, oldest first.
pub fn history(store: &Store, reference: &Reference) -> Result<Vec<Change>> {
    store.run(|conn| {
        conn.prepare(
            "SELECT h.at, h.status, h.note FROM complaint_history h
             JOIN complaint c ON c.id = h.complaint
             WHERE c.reference = ?1 ORDER BY h.id",
        )?
        .query_map([reference.stored()], |r| {
            Ok(Change {
                at: r.get(0)?,
                status: parse_column(r, 1)?,
                note: r.get(2)?,
            })
        })?
        .collect()
    })
}

/// Erases the contact of every complaint made more than `keep_days` days
/// before `now`, also from its event if the hub has not taken it yet;
/// returns how many complaints were erased.
pub fn purge_contacts(store: &Store, keep_days: u32, now: DateTime<FixedOffset>) -> Result<usize> {
    let before = timestamp::format(&(now - Duration::days(i64::from(keep_days))));
    store.transaction_shared(|tx| {
        let erased = tx.execute(
            "UPDATE complaint SET contact = NULL WHERE contact IS NOT NULL AND created_at < ?1",
            [&before],
        )?;
        // A complaint's event is written at its created_at (`submit`).
        tx.execute(
            "UPDATE outbox SET body = json_remove(body, '$.contact')
             WHERE kind = 'complaint' AND at < ?1 AND body ->> '$.contact' IS NOT NULL",
            [&before],
        )?;
        Ok(erased)
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Complaint> {
    Ok(Complaint {
        reference: Reference::from_stored(r.get(0)?),
        text: r.get(1)?,
        status: parse_column(r, 2)?,
        channel: parse_column(r, 3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        category: parse_column(r, 6)?,
        service: r.get(7)?,
        contact: r.get(8)?,
        note: r.get(9)?,
    })
}

/// A code column read back into its type; a code this build does not know
/// (a newer version wrote it) is a conversion error naming the column.
fn parse_column<T: std::str::FromStr<Err = String>>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    s.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn draft(text: &str, contact: Option<&str>) -> Draft {
        Draft::new(
            text,
            Category::Service,
            Some("akta-kelahiran"),
            contact,
            true,
            Channel::Kiosk,
        )
        .unwrap()
    }

    #[test]
    fn drafts_are_checked_whole() {
        let d = |text: &str, contact: Option<&str>, consent| {
            Draft::new(
                text,
                Category::Other,
                None,
                contact,
                consent,
                Channel::Portal,
            )
        };
        assert_eq!(d("  \r\n\t ", None, false), Err(Invalid::Empty));
        let long = "a".repeat(MAX_TEXT + 1);
        assert_eq!(d(&long, None, false), Err(Invalid::TooLong { chars: 2001 }));
        // 2,000 characters of four bytes each are still 2,000.
        assert!(d(&"é".repeat(MAX_TEXT), None, false).is_ok());
        assert_eq!(
            d("Antrean lama", Some("0812 3456 7890"), false),
            Err(Invalid::ContactWithoutConsent)
        );
        assert_eq!(d("Antrean lama", Some("Budi"), true), Err(Invalid::Contact));
        let ok = d(
            " Antrean\r\nlama\u{7}\t sekali ",
            Some("0812-3456-7890"),
            true,
        )
        .unwrap();
        assert_eq!(ok.text, "Antrean\nlama  sekali");
        assert_eq!(ok.contact.as_deref(), Some("081234567890"));
        assert_eq!(d("x", Some("  "), false).unwrap().contact, None);
        assert!(matches!(
            Draft::new(
                "x",
                Category::Fee,
                Some("../etc"),
                None,
                false,
                Channel::Kiosk
            ),
            Err(Invalid::Service(_))
        ));
        for e in [
            Invalid::Empty,
            Invalid::Contact,
            Invalid::ContactWithoutConsent,
        ] {
            assert_ne!(e.say(Lang::Id), e.say(Lang::En));
        }
    }

    #[test]
    fn a_complaint_is_found_by_its_reference_however_typed() {
        let (_d, mut s) = store();
        let c = submit(
            &mut s,
            &draft("Antrean lama", None),
            at("2026-11-30T09:00:00+07:00"),
        )
        .unwrap();
        assert_eq!(c.status, Status::Received);
        assert_eq!(c.created_at, "2026-11-30T02:00:00Z");
        let typed = c.reference.to_string().to_lowercase().replace('-', " ");
        let p = look_up(&s, &typed).unwrap().unwrap();
        assert_eq!(
            (p.reference, p.status),
            (c.reference.clone(), Status::Received)
        );
        assert_eq!(find(&s, &c.reference).unwrap().unwrap(), c);
        assert_eq!(look_up(&s, "ADU-2222-2222").unwrap(), None);
        assert_eq!(look_up(&s, "'; DROP TABLE complaint; --").unwrap(), None);
    }

    #[test]
    fn statuses_with_notes_and_their_history() {
        let (_d, mut s) = store();
        let c = submit(
            &mut s,
            &draft("Toilet rusak", None),
            at("2026-11-30T09:00:00+07:00"),
        )
        .unwrap();
        let later = at("2026-12-01T10:00:00+07:00");
        set_status(
            &mut s,
            &c.reference,
            Status::InProgress,
            Some("Diteruskan ke bagian umum"),
            later,
        )
        .unwrap();
        let done = set_status(&mut s, &c.reference, Status::Answered, Some("  "), later).unwrap();
        assert_eq!(done.status, Status::Answered);
        assert_eq!(done.note.as_deref(), Some("Diteruskan ke bagian umum"));
        assert_eq!(done.updated_at, "2026-12-01T03:00:00Z");
        let h = history(&s, &c.reference).unwrap();
        assert_eq!(
            h.iter().map(|c| c.status).collect::<Vec<_>>(),
            [Status::Received, Status::InProgress, Status::Answered]
        );
        let unknown = Reference::parse("ADU-2222-2222").unwrap();
        let e = set_status(&mut s, &unknown, Status::Closed, None, later).unwrap_err();
        assert!(matches!(e, Error::NoSuchComplaint { .. }), "{e}");
        assert!(e.to_string().contains("anjungan complaint list"), "{e}");
    }

    #[test]
    fn the_hubs_answers_are_applied_once_and_looked_up() {
        let (_d, mut s) = store();
        let c = submit(
            &mut s,
            &draft("Toilet rusak", None),
            at("2026-11-30T09:00:00+07:00"),
        )
        .unwrap();
        assert_eq!(hub_update_mark(&s).unwrap(), 0);
        let update = |seq, reference: &str, status: &str, answer: Option<&str>| HubUpdate {
            seq,
            reference: reference.into(),
            status: status.into(),
            answer: answer.map(str::to_owned),
            at: "2026-12-01T03:00:00Z".into(),
        };
        let changed = apply_hub_updates(
            &mut s,
            &[
                update(
                    3,
                    c.reference.stored(),
                    "answered",
                    Some("Sudah diperbaiki."),
                ),
                update(4, "22222222", "closed", None),
                update(5, c.reference.stored(), "someday", None),
            ],
        )
        .unwrap();
        assert_eq!(changed, 1);
        assert_eq!(hub_update_mark(&s).unwrap(), 5);
        let p = look_up(&s, &c.reference.to_string()).unwrap().unwrap();
        assert_eq!(p.status, Status::Answered);
        assert_eq!(p.note.as_deref(), Some("Sudah diperbaiki."));
        assert_eq!(p.updated_at, "2026-12-01T03:00:00Z");
        // An older number never moves the mark back.
        apply_hub_updates(&mut s, &[update(2, c.reference.stored(), "closed", None)]).unwrap();
        assert_eq!(hub_update_mark(&s).unwrap(), 5);
        let closed = find(&s, &c.reference).unwrap().unwrap();
        assert_eq!(
            closed.note.as_deref(),
            Some("Sudah diperbaiki."),
            "no answer keeps the last"
        );
    }

    #[test]
    fn listed_newest_first() {
        let (_d, mut s) = store();
        for (i, t) in ["first", "second", "third"].into_iter().enumerate() {
            submit(
                &mut s,
                &draft(t, None),
                at(&format!("2026-11-30T09:0{i}:00+07:00")),
            )
            .unwrap();
        }
        let texts: Vec<String> = list(&s, 10).unwrap().into_iter().map(|c| c.text).collect();
        assert_eq!(texts, ["third", "second", "first"]);
        assert_eq!(list(&s, 1).unwrap().len(), 1);
        let first = list(&s, 10).unwrap().pop().unwrap();
        let later = at("2026-12-01T09:00:00+07:00");
        set_status(&mut s, &first.reference, Status::Closed, None, later).unwrap();
        assert_eq!(list_in(&s, Some(Status::Received), 10).unwrap().len(), 2);
        let closed = list_in(&s, Some(Status::Closed), 10).unwrap();
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].text, "first");
    }

    #[test]
    fn contacts_are_erased_after_the_days_kept() {
        let (_d, mut s) = store();
        let old = submit(
            &mut s,
            &draft("lama", Some("warga@example.id")),
            at("2026-08-01T09:00:00+07:00"),
        )
        .unwrap();
        let new = submit(
            &mut s,
            &draft("baru", Some("0812 3456 7890")),
            at("2026-11-20T09:00:00+07:00"),
        )
        .unwrap();
        let now = at("2026-11-30T09:00:00+07:00");
        assert_eq!(purge_contacts(&s, 90, now).unwrap(), 1);
        assert_eq!(find(&s, &old.reference).unwrap().unwrap().contact, None);
        assert_eq!(
            find(&s, &new.reference)
                .unwrap()
                .unwrap()
                .contact
                .as_deref(),
            Some("081234567890")
        );
        assert_eq!(purge_contacts(&s, 90, now).unwrap(), 0);
        assert_eq!(purge_contacts(&s, 1, now).unwrap(), 1);
    }

    #[test]
    fn an_unsent_event_loses_the_contact_with_its_complaint() {
        let (_d, mut s) = store();
        let contact_of = |s: &Store| -> Vec<Option<String>> {
            outbox::pending(s, 10)
                .unwrap()
                .iter()
                .map(|e| {
                    e.body
                        .get("contact")
                        .and_then(|c| c.as_str())
                        .map(str::to_owned)
                })
                .collect()
        };
        let old = submit(
            &mut s,
            &draft("lama", Some("warga@example.id")),
            at("2026-08-01T09:00:00+07:00"),
        )
        .unwrap();
        submit(
            &mut s,
            &draft("baru", Some("0812 3456 7890")),
            at("2026-11-20T09:00:00+07:00"),
        )
        .unwrap();
        let events = outbox::pending(&s, 10).unwrap();
        assert_eq!(events[0].kind, "complaint");
        assert_eq!(events[0].body["reference"], old.reference.stored());
        assert_eq!(events[0].body["text"], "lama");
        assert_eq!(
            contact_of(&s),
            [Some("warga@example.id".into()), Some("081234567890".into())]
        );
        purge_contacts(&s, 90, at("2026-11-30T09:00:00+07:00")).unwrap();
        assert_eq!(contact_of(&s), [None, Some("081234567890".into())]);
        assert!(
            !outbox::pending(&s, 10).unwrap()[0]
                .body
                .contains_key("contact")
        );
    }
}
