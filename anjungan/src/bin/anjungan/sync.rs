//! `anjungan sync`: the pull of the region's signed catalog, then the push
//! of the device's events to the hub; what each did, as text or JSON.

use anjungan::config::Config;
use anjungan::store::Store;
use anjungan::sync::{self, StepReport};
use anyhow::{Result, bail};

#[derive(clap::Args)]
pub struct Args {
    /// Print what each step did as one JSON object: {"pull": {...}, "push": {...} or null}.
    #[arg(long)]
    json: bool,
    /// Run a step only when it is due (the interval after a success, a growing wait after failures), as the device's timer does; without it, both run now.
    #[arg(long)]
    when_due: bool,
}

pub fn run(args: Args, config: &Config) -> Result<()> {
    let mut store = Store::open_for(config)?;
    let now = chrono::Utc::now();
    let pull = sync::run_pull(&mut store, &config.sync, now, args.when_due)?;
    // After the pull, when [sync] hub_url is set: the events of the device.
    let push: Option<StepReport> = match config.sync.hub_url {
        Some(_) => {
            // The device's state for the hub's fleet page, read after the
            // pull so it names the catalog just installed.
            let status = sync::status::gather(&store, config, chrono::Local::now().fixed_offset())?;
            Some(sync::run_push(
                &mut store,
                &config.sync,
                &config.device.id,
                now,
                args.when_due,
                Some(&status),
            )?)
        }
        None => None,
    };
    if args.json {
        println!("{}", serde_json::json!({ "pull": pull, "push": push }));
    } else {
        for (name, step) in [("pull", Some(&pull)), ("push", push.as_ref())] {
            // The timer's runs go to the journal: what changed and what
            // failed (below), not every quiet minute or unchanged catalog.
            let quiet = |s: &StepReport| {
                s.failed() || s.outcome == "waiting" || (args.when_due && s.outcome == "unchanged")
            };
            if let Some(s) = step.filter(|s| !quiet(s)) {
                println!("{name}: {}", s.message);
            }
        }
    }
    let failed: Vec<String> = [("catalog pull", Some(&pull)), ("push", push.as_ref())]
        .into_iter()
        .filter_map(|(name, s)| {
            s.filter(|s| s.failed())
                .map(|s| format!("{name} failed: {}", s.message))
        })
        .collect();
    if !failed.is_empty() {
        bail!("{}", failed.join("; "));
    }
    Ok(())
}
