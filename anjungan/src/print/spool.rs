//! The print spool: every document is committed to the database before it
//! goes to the printer and marked printed only when the printer took it, so
//! paper running out, a cover left open or a power cut loses no ticket; the
//! kiosk offers what did not print again.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::transport::{self, Fault};
use crate::config::Printer;
use crate::queue::{self, Ticket};
use crate::store::Store;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Receipt,
    Ticket,
    Voucher,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Receipt => "receipt",
            Kind::Ticket => "ticket",
            Kind::Voucher => "voucher",
        }
    }
}

/// A job not yet printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub kind: String,
    pub label: String,
    pub created_at: String,
    pub attempts: u32,
    pub last_fault: Option<String>,
}

fn stamp(now: NaiveDateTime) -> String {
    now.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Keeps a document for printing; returns the job's id.
pub fn submit(
    store: &mut Store,
    kind: Kind,
    label: &str,
    bytes: &[u8],
    now: NaiveDateTime,
) -> Result<i64> {
    store
        .conn
        .execute(
            "INSERT INTO print_job (kind, label, bytes, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![kind.as_str(), label, bytes, stamp(now)],
        )
        .map_err(|e| store.err(e))?;
    Ok(store.conn.last_insert_rowid())
}

/// Takes a queue number and keeps its ticket for printing, in one
/// transaction: a number never exists without its ticket, nor a ticket
/// without its number. `render` makes the ticket's bytes from the number.
pub fn submit_ticket(
    store: &mut Store,
    prefix: &str,
    service: &str,
    now: NaiveDateTime,
    render: impl FnOnce(&Ticket) -> Vec<u8>,
) -> Result<(Ticket, i64)> {
    let path = store.path().to_owned();
    let err = |source| Error::Store {
        path: path.clone(),
        source,
    };
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    let ticket = queue::take_in(&tx, prefix, service, now).map_err(err)?;
    let bytes = render(&ticket);
    tx.execute(
        "INSERT INTO print_job (kind, label, bytes, ticket, created_at) VALUES ('ticket', ?1, ?2, ?3, ?4)",
        params![format!("{} {service}", ticket.number()), bytes, ticket.id, stamp(now)],
    )
    .map_err(err)?;
    let job = tx.last_insert_rowid();
    tx.commit().map_err(err)?;
    Ok((ticket, job))
}

/// Sends job `id` to the printer. On a fault the job stays pending, the
/// fault is logged for the technician, and the fault is returned for the
/// citizen's screen.
pub fn deliver(
    store: &mut Store,
    printer: &Printer,
    id: i64,
    now: NaiveDateTime,
) -> Result<Result<(), Fault>> {
    let bytes: Option<Vec<u8>> = store
        .conn
        .query_row(
            "SELECT bytes FROM print_job WHERE id = ?1 AND printed_at IS NULL AND abandoned_at IS NULL",
            [id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| store.err(e))?;
    let Some(bytes) = bytes else {
        return Ok(Ok(())); // printed already, or given up
    };
    let outcome = transport::send(printer, &bytes);
    let at = stamp(now);
    let write = match &outcome {
        Ok(()) => store.conn.execute(
            "UPDATE print_job SET printed_at = ?2, attempts = attempts + 1, last_fault = NULL WHERE id = ?1",
            params![id, at],
        ),
        Err(fault) => store
            .conn
            .execute(
                "UPDATE print_job SET attempts = attempts + 1, last_fault = ?2 WHERE id = ?1",
                params![id, fault.code()],
            )
            .and_then(|_| log_fault(store, fault, &at)),
    };
    write.map_err(|e| store.err(e))?;
    Ok(outcome)
}

/// Logs a fault found by asking the printer between jobs, for the technician.
pub fn record_fault(store: &Store, fault: &Fault, now: NaiveDateTime) -> Result<()> {
    log_fault(store, fault, &stamp(now)).map_err(|e| store.err(e))?;
    Ok(())
}

fn log_fault(store: &Store, fault: &Fault, at: &str) -> rusqlite::Result<usize> {
    store.conn.execute(
        "INSERT INTO printer_fault (at, fault, detail) VALUES (?1, ?2, ?3)",
        params![at, fault.code(), fault.to_string()],
    )
}

/// Gives up jobs whose citizen has gone, so nobody prints them later;
/// printed ones are left as they are.
pub fn abandon(store: &mut Store, jobs: &[i64], now: NaiveDateTime) -> Result<()> {
    let path = store.path().to_owned();
    let err = |source| Error::Store {
        path: path.clone(),
        source,
    };
    let tx = store.conn.transaction().map_err(err)?;
    for id in jobs {
        tx.execute(
            "UPDATE print_job SET abandoned_at = ?2 WHERE id = ?1 AND printed_at IS NULL",
            params![id, stamp(now)],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

/// Jobs waiting to be printed (not printed, not abandoned), oldest first.
pub fn pending(store: &Store) -> Result<Vec<Pending>> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT id, kind, label, created_at, attempts, last_fault
             FROM print_job WHERE printed_at IS NULL AND abandoned_at IS NULL ORDER BY id",
        )
        .map_err(|e| store.err(e))?;
    stmt.query_map([], |r| {
        Ok(Pending {
            id: r.get(0)?,
            kind: r.get(1)?,
            label: r.get(2)?,
            created_at: r.get(3)?,
            attempts: r.get(4)?,
            last_fault: r.get(5)?,
        })
    })
    .and_then(|rows| rows.collect())
    .map_err(|e| store.err(e))
}

/// How many documents of `kind` were kept for printing since `since`,
/// printed or not: the kiosk's limit on voucher slips.
pub fn kept_since(store: &Store, kind: Kind, since: NaiveDateTime) -> Result<u32> {
    store
        .conn
        .query_row(
            "SELECT count(*) FROM print_job WHERE kind = ?1 AND created_at >= ?2",
            params![kind.as_str(), stamp(since)],
            |r| r.get(0),
        )
        .map_err(|e| store.err(e))
}

/// The last printer faults, newest first: `(at, fault, detail)`.
pub fn faults(store: &Store, limit: usize) -> Result<Vec<(String, String, String)>> {
    let mut stmt = store
        .conn
        .prepare("SELECT at, fault, detail FROM printer_fault ORDER BY id DESC LIMIT ?1")
        .map_err(|e| store.err(e))?;
    stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| store.err(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_fault_keeps_the_job_and_logs_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let id = submit(
            &mut store,
            Kind::Receipt,
            "akta-kelahiran",
            b"hello\n",
            now(),
        )
        .unwrap();
        let outcome = deliver(&mut store, &Printer::None, id, now()).unwrap();
        assert_eq!(outcome, Err(Fault::NotConfigured));
        let pending = pending(&store).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].last_fault.as_deref(), Some("not-configured"));
        assert_eq!(faults(&store, 5).unwrap()[0].1, "not-configured");

        let file = dir.path().join("printer.bin");
        let outcome = deliver(&mut store, &Printer::File(file.clone()), id, now()).unwrap();
        assert_eq!(outcome, Ok(()));
        assert!(super::pending(&store).unwrap().is_empty());
        assert_eq!(std::fs::read(file).unwrap(), b"hello\n");
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
    }
}
