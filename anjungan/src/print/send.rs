//! Sending a kept job to the printer: the transport, then the outcome
//! written back to the spool, so the database always knows whether a
//! document reached the paper.

use chrono::{DateTime, FixedOffset};

use super::spool;
use super::transport::{self, Fault};
use crate::Result;
use crate::config::Printer;
use crate::store::Store;

/// Sends job `id` to `printer`. On a fault the job stays pending, the fault
/// is logged for the technician, and the fault is returned for the
/// citizen's screen. A job printed already or given up is not sent again.
pub fn deliver(
    store: &mut Store,
    printer: &Printer,
    id: i64,
    now: DateTime<FixedOffset>,
) -> Result<Result<(), Fault>> {
    let Some(bytes) = spool::unsent(store, id)? else {
        return Ok(Ok(()));
    };
    let outcome = transport::send(printer, &bytes);
    match &outcome {
        Ok(()) => spool::printed(store, id, now)?,
        Err(fault) => spool::failed(store, id, fault, now)?,
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::spool::{Kind, faults, pending, submit};

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-30T09:00:00+07:00").unwrap()
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
        let waiting = pending(&store).unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].last_fault.as_deref(), Some("not-configured"));
        assert_eq!(waiting[0].attempts, 1);
        let logged = &faults(&store, 5).unwrap()[0];
        assert_eq!(
            (logged.0.as_str(), logged.1.as_str()),
            ("2026-11-30T02:00:00Z", "not-configured")
        );

        let file = dir.path().join("printer.bin");
        let outcome = deliver(&mut store, &Printer::File(file.clone()), id, now()).unwrap();
        assert_eq!(outcome, Ok(()));
        assert!(pending(&store).unwrap().is_empty());
        assert_eq!(std::fs::read(&file).unwrap(), b"hello\n");

        // Printed once is printed: a second delivery sends nothing.
        deliver(&mut store, &Printer::File(file.clone()), id, now())
            .unwrap()
            .unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"hello\n");
    }
}
