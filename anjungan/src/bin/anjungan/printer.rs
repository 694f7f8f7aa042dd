//! `anjungan printer`: the technician's view of the printer: ask it how it
//! is, print what is waiting, list recent faults.

use anjungan::config::Config;
use anjungan::print::{send, spool, transport};
use anjungan::store::Store;
use anyhow::{Result, bail};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// Ask the configured printer whether it can print (paper, cover, online).
    Status,
    /// Print the jobs that met a fault (out of paper, cover open, no answer), oldest first.
    Retry,
    /// The jobs waiting and the last printer faults.
    Faults,
}

pub fn run(command: Command, config: &Config) -> Result<()> {
    let printer = &config.kiosk.printer;
    match command {
        Command::Status => match transport::status(printer) {
            Ok(()) => {
                println!("The printer {printer} is ready.");
                Ok(())
            }
            Err(fault) => bail!("{fault} ({printer}); check it, then run `anjungan printer retry`"),
        },
        Command::Retry => {
            let mut store = Store::open_for(config)?;
            let now = chrono::Local::now().fixed_offset();
            let jobs = spool::pending(&store)?;
            if jobs.is_empty() {
                println!("Nothing is waiting to be printed.");
            }
            for job in jobs {
                match send::deliver(&mut store, printer, job.id, now)? {
                    Ok(()) => println!("Printed {} {} of {}.", job.kind, job.label, job.created_at),
                    Err(fault) => bail!("{fault} ({printer}); {} is still waiting", job.label),
                }
            }
            Ok(())
        }
        Command::Faults => {
            let store = Store::open_for(config)?;
            for job in spool::pending(&store)? {
                println!(
                    "waiting  {} {} since {} ({} attempts, {})",
                    job.kind,
                    job.label,
                    job.created_at,
                    job.attempts,
                    job.last_fault.as_deref().unwrap_or("not tried yet")
                );
            }
            for (at, fault, detail) in spool::faults(&store, 20)? {
                println!("{at}  {fault:<14} {detail}");
            }
            Ok(())
        }
    }
}
