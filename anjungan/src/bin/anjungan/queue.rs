//! `anjungan queue`: counter staff call the numbers (next, again, skip) and
//! see the queue, through the same `anjungan::queue` functions as the
//! technician's dashboard.

use anjungan::catalog;
use anjungan::config::Config;
use anjungan::queue::{self, Called};
use anjungan::store::Store;
use anyhow::{Result, bail};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// Call the next waiting number of PREFIX (to a counter) and print it.
    Call {
        /// The queue prefix, as on the tickets ("A").
        prefix: String,
        /// The counter the citizen goes to (1 to 99).
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=i64::from(queue::MAX_COUNTER)))]
        counter: Option<u8>,
    },
    /// Call the number now served for PREFIX again.
    Recall {
        prefix: String,
        /// The counter whose number to call again; the prefix's last called without it.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=i64::from(queue::MAX_COUNTER)))]
        counter: Option<u8>,
    },
    /// The citizen of the number now served did not come: skip it and call the next.
    Skip {
        prefix: String,
        /// The counter whose number to skip; the prefix's last called without it.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=i64::from(queue::MAX_COUNTER)))]
        counter: Option<u8>,
    },
    /// Per prefix today: the number last called, its counter, how many wait.
    Status {
        /// Print a JSON array of objects with `prefix`, `last_called`, `counter`, `called_at`, `waiting` and `taken`.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: Command, config: &Config) -> Result<()> {
    let mut store = Store::open_for(config)?;
    let catalog = catalog::load(&store)?;
    let now = chrono::Local::now().fixed_offset();
    match command {
        Command::Call { prefix, counter } => {
            let prefix = queue::prefix(&catalog, &prefix)?;
            match queue::call_next(&mut store, &prefix, counter, now)? {
                Some(called) => println!("{}", shown(&called)),
                None => nobody_waits(&prefix)?,
            }
        }
        Command::Recall { prefix, counter } => {
            let prefix = queue::prefix(&catalog, &prefix)?;
            match queue::recall(&mut store, &prefix, counter, now)? {
                Some(called) => println!("{}", shown(&called)),
                None => nothing_called(&prefix, counter)?,
            }
        }
        Command::Skip { prefix, counter } => {
            let prefix = queue::prefix(&catalog, &prefix)?;
            let Some(skip) = queue::skip(&mut store, &prefix, counter, now)? else {
                return nothing_called(&prefix, counter);
            };
            eprintln!("skipped {}", skip.skipped.number());
            match skip.next {
                Some(called) => println!("{}", shown(&called)),
                None => nobody_waits(&prefix)?,
            }
        }
        Command::Status { json } => {
            let all = queue::status(&store, &queue::prefixes(&catalog), now)?;
            if json {
                println!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                println!("No service of the catalog takes queue numbers.");
            } else {
                println!(
                    "{:<7} {:<12} {:<8} {:>7} {:>6}",
                    "prefix", "last called", "counter", "waiting", "taken"
                );
                for s in all {
                    println!(
                        "{:<7} {:<12} {:<8} {:>7} {:>6}",
                        s.prefix,
                        s.last_called.as_deref().unwrap_or("-"),
                        s.counter.map_or("-".into(), |c| c.to_string()),
                        s.waiting,
                        s.taken
                    );
                }
            }
        }
    }
    Ok(())
}

/// `A003` alone, or `A003 counter 2`: the first word is the number, for scripts.
fn shown(called: &Called) -> String {
    match called.counter {
        Some(c) => format!("{} counter {c}", called.number()),
        None => called.number(),
    }
}

fn nobody_waits(prefix: &str) -> Result<()> {
    bail!("nobody waits for a number {prefix} today; see the queue with `anjungan queue status`")
}

fn nothing_called(prefix: &str, counter: Option<u8>) -> Result<()> {
    match counter {
        Some(c) => bail!(
            "counter {c} is serving no number {prefix}; call one with `anjungan queue call {prefix} --counter {c}`"
        ),
        None => bail!(
            "no number {prefix} is being served; call one with `anjungan queue call {prefix}`"
        ),
    }
}
