//! The print spool: every document is committed to the database before it
//! goes to the printer and marked printed only when the printer took it, so
//! paper running out, a cover left open or a power cut loses no ticket; the
//! kiosk offers what did not print again. This module only keeps records;
//! `send` hands a kept job to the printer.

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, params};

use super::transport::Fault;
use crate::queue::{self, Ticket};
use crate::store::Store;
use crate::{Result, outbox, timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Receipt,
    Ticket,
    Voucher,
    /// The slip with a complaint's reference.
    Complaint,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Receipt => "receipt",
            Kind::Ticket => "ticket",
            Kind::Voucher => "voucher",
            Kind::Complaint => "complaint",
        }
    }
}

/// A job not yet printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub kind: String,
    pub label: String,
    /// RFC 3339, UTC (`timestamp`).
    pub created_at: String,
    pub attempts: u32,
    pub last_fault: Option<String>,
}

/// Keeps a document for printing; returns the job's id.
pub fn submit(
    store: &mut Store,
    kind: Kind,
    label: &str,
    bytes: &[u8],
    now: DateTime<FixedOffset>,
) -> Result<i64> {
    store.run(|conn| {
        conn.execute(
            "INSERT INTO print_job (kind, label, bytes, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![kind.as_str(), label, bytes, timestamp::format(&now)],
        )?;
        Ok(conn.last_insert_rowid())
    })
}

/// Takes a queue number and keeps its ticket for printing, in one
/// transaction: a number never exists without its ticket, nor a ticket
/// without its number. `render` makes the ticket's bytes from the number.
pub fn submit_ticket(
    store: &mut Store,
    prefix: &str,
    service: &str,
    now: DateTime<FixedOffset>,
    render: impl FnOnce(&Ticket) -> Vec<u8>,
) -> Result<(Ticket, i64)> {
    store.transaction(|tx| {
        let ticket = queue::take_in(tx, prefix, service, now)?;
        let bytes = render(&ticket);
        tx.execute(
            "INSERT INTO print_job (kind, label, bytes, ticket, created_at) VALUES ('ticket', ?1, ?2, ?3, ?4)",
            params![
                format!("{} {service}", ticket.number()),
                bytes,
                ticket.id,
                timestamp::format(&now)
            ],
        )?;
        Ok((ticket, tx.last_insert_rowid()))
    })
}

/// The bytes of job `id` if it is still to be printed: `None` once it is
/// printed or given up.
pub(crate) fn unsent(store: &Store, id: i64) -> Result<Option<Vec<u8>>> {
    store.run(|conn| {
        conn.query_row(
            "SELECT bytes FROM print_job WHERE id = ?1 AND printed_at IS NULL AND abandoned_at IS NULL",
            [id],
            |r| r.get(0),
        )
        .optional()
    })
}

/// The printer took job `id` whole: counted in the hour's usage
/// (`print:KIND`) in the same transaction.
pub(crate) fn printed(store: &Store, id: i64, now: DateTime<FixedOffset>) -> Result<()> {
    store.transaction_shared(|tx| {
        let kind: Option<String> = tx
            .query_row(
                "UPDATE print_job SET printed_at = ?2, attempts = attempts + 1, last_fault = NULL
                 WHERE id = ?1 RETURNING kind",
                params![id, timestamp::format(&now)],
                |r| r.get(0),
            )
            .optional()?;
        match kind {
            Some(kind) => outbox::count_use(tx, &format!("print:{kind}"), now.timestamp()),
            None => Ok(()),
        }
    })
}

/// Job `id` met `fault`: it stays pending with the fault noted, and the
/// fault is logged for the technician.
pub(crate) fn failed(
    store: &mut Store,
    id: i64,
    fault: &Fault,
    now: DateTime<FixedOffset>,
) -> Result<()> {
    store.transaction(|tx| {
        tx.execute(
            "UPDATE print_job SET attempts = attempts + 1, last_fault = ?2 WHERE id = ?1",
            params![id, fault.code()],
        )?;
        log_fault(tx, fault, now)
    })
}

/// Logs a fault found by asking the printer between jobs, for the technician.
pub fn record_fault(store: &Store, fault: &Fault, now: DateTime<FixedOffset>) -> Result<()> {
    store.transaction_shared(|tx| log_fault(tx, fault, now))
}

fn log_fault(
    conn: &rusqlite::Connection,
    fault: &Fault,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    let at = timestamp::format(&now);
    conn.execute(
        "INSERT INTO printer_fault (at, fault, detail) VALUES (?1, ?2, ?3)",
        params![at, fault.code(), fault.to_string()],
    )?;
    // Always inside a transaction (the callers'), so fault and event go
    // together.
    outbox::add(
        conn,
        outbox::Kind::PrinterFault,
        &at,
        serde_json::json!({"fault": fault.code(), "detail": fault.to_string()}),
    )
}

/// What the printer last said when the kiosk asked it: `fault` is `None`
/// when it was ready, else the fault's code (`paper-out`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterState {
    pub fault: Option<String>,
    /// Since when it is so, RFC 3339, UTC.
    pub since: String,
}

/// Notes what the printer answered, for the dashboard and `/metrics` (only
/// the kiosk talks to the printer). Kept only when it changed, so `since`
/// is when it became so.
pub fn record_state(
    store: &Store,
    status: Result<(), &Fault>,
    now: DateTime<FixedOffset>,
) -> Result<()> {
    let fault = status.err().map(Fault::code);
    store.run(|conn| {
        conn.execute(
            "INSERT INTO printer_state (id, fault, since) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET fault = excluded.fault, since = excluded.since
             WHERE printer_state.fault IS NOT excluded.fault",
            params![fault, timestamp::format(&now)],
        )
    })?;
    Ok(())
}

/// The printer's last known state; `None` before the kiosk ever asked it.
pub fn printer_state(store: &Store) -> Result<Option<PrinterState>> {
    store.run(|conn| {
        conn.query_row("SELECT fault, since FROM printer_state", [], |r| {
            Ok(PrinterState {
                fault: r.get(0)?,
                since: r.get(1)?,
            })
        })
        .optional()
    })
}

/// How many printer faults were logged since the database was made.
pub fn fault_count(store: &Store) -> Result<u32> {
    store.run(|conn| conn.query_row("SELECT COUNT(*) FROM printer_fault", [], |r| r.get(0)))
}

/// Gives up jobs whose citizen has gone, so nobody prints them later;
/// printed ones are left as they are.
pub fn abandon(store: &mut Store, jobs: &[i64], now: DateTime<FixedOffset>) -> Result<()> {
    let at = timestamp::format(&now);
    store.transaction(|tx| {
        for id in jobs {
            tx.execute(
                "UPDATE print_job SET abandoned_at = ?2 WHERE id = ?1 AND printed_at IS NULL",
                params![id, at],
            )?;
        }
        Ok(())
    })
}

/// Jobs waiting to be printed (not printed, not abandoned), oldest first.
pub fn pending(store: &Store) -> Result<Vec<Pending>> {
    store.run(|conn| {
        conn.prepare(
            "SELECT id, kind, label, created_at, attempts, last_fault
             FROM print_job WHERE printed_at IS NULL AND abandoned_at IS NULL ORDER BY id",
        )?
        .query_map([], |r| {
            Ok(Pending {
                id: r.get(0)?,
                kind: r.get(1)?,
                label: r.get(2)?,
                created_at: r.get(3)?,
                attempts: r.get(4)?,
                last_fault: r.get(5)?,
            })
        })?
        .collect()
    })
}

/// How many documents of `kind` were kept for printing since `since`,
/// printed or not: the kiosk's limit on voucher slips.
pub fn kept_since(store: &Store, kind: Kind, since: DateTime<FixedOffset>) -> Result<u32> {
    store.run(|conn| {
        conn.query_row(
            "SELECT count(*) FROM print_job WHERE kind = ?1 AND created_at >= ?2",
            params![kind.as_str(), timestamp::format(&since)],
            |r| r.get(0),
        )
    })
}

/// The last printer faults, newest first: `(at, fault, detail)`, `at` in
/// RFC 3339, UTC.
pub fn faults(store: &Store, limit: usize) -> Result<Vec<(String, String, String)>> {
    store.run(|conn| {
        conn.prepare("SELECT at, fault, detail FROM printer_fault ORDER BY id DESC LIMIT ?1")?
            .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-30T09:00:00+07:00").unwrap()
    }

    #[test]
    fn the_printer_state_keeps_when_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db")).unwrap();
        let at = |m: u32| {
            DateTime::parse_from_rfc3339(&format!("2026-11-30T09:{m:02}:00+07:00")).unwrap()
        };
        assert_eq!(printer_state(&store).unwrap(), None);
        record_state(&store, Ok(()), at(0)).unwrap();
        record_state(&store, Err(&Fault::PaperOut), at(1)).unwrap();
        record_state(&store, Err(&Fault::PaperOut), at(2)).unwrap();
        let state = printer_state(&store).unwrap().unwrap();
        assert_eq!(
            (state.fault.as_deref(), state.since.as_str()),
            (Some("paper-out"), "2026-11-30T02:01:00Z")
        );
        record_state(&store, Ok(()), at(3)).unwrap();
        assert_eq!(printer_state(&store).unwrap().unwrap().fault, None);
    }

    #[test]
    fn abandoned_jobs_wait_no_more() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let gone = submit(&mut store, Kind::Receipt, "a", b"a", now()).unwrap();
        let kept = submit(&mut store, Kind::Receipt, "b", b"b", now()).unwrap();
        abandon(&mut store, &[gone], now()).unwrap();
        let ids: Vec<i64> = pending(&store).unwrap().iter().map(|p| p.id).collect();
        assert_eq!(ids, [kept]);
        assert_eq!(unsent(&store, gone).unwrap(), None);
        assert_eq!(unsent(&store, kept).unwrap().as_deref(), Some(&b"b"[..]));
    }

    #[test]
    fn complaint_slips_are_a_kind_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let job = submit(&mut store, Kind::Complaint, "ADU-7K4P-9MXR", b"slip", now()).unwrap();
        let p = pending(&store).unwrap();
        assert_eq!((p[0].id, p[0].kind.as_str()), (job, "complaint"));
    }

    #[test]
    fn a_ticket_and_its_number_are_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let (t, job) =
            submit_ticket(&mut store, "A", "svc", now(), |t| t.number().into_bytes()).unwrap();
        assert_eq!(t.number(), "A001");
        assert_eq!(pending(&store).unwrap()[0].id, job);
        assert_eq!(pending(&store).unwrap()[0].label, "A001 svc");
        assert_eq!(
            pending(&store).unwrap()[0].created_at,
            "2026-11-30T02:00:00Z"
        );
    }

    #[test]
    fn kept_since_counts_the_last_hour_whatever_the_zone() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        submit(
            &mut store,
            Kind::Voucher,
            "old",
            b"",
            at("2026-11-30T08:59:59+07:00"),
        )
        .unwrap();
        submit(
            &mut store,
            Kind::Voucher,
            "new",
            b"",
            at("2026-11-30T09:00:00+07:00"),
        )
        .unwrap();
        submit(
            &mut store,
            Kind::Receipt,
            "r",
            b"",
            at("2026-11-30T09:30:00+07:00"),
        )
        .unwrap();
        // The same moment seen from another zone counts the same.
        for hour_ago in ["2026-11-30T09:00:00+07:00", "2026-11-30T02:00:00+00:00"] {
            assert_eq!(kept_since(&store, Kind::Voucher, at(hour_ago)).unwrap(), 1);
        }
    }
}
