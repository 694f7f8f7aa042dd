//! `anjungan receipt`: the exact bytes a printer would get for a service
//! receipt, a queue ticket, a voucher slip or a complaint slip, and a
//! picture of them.

use std::path::PathBuf;

use anjungan::catalog;
use anjungan::config::Config;
use anjungan::print::documents;
use anjungan::print::{Composer, Paper, interpret, to_escpos, to_png};
use anjungan::queue;
use anjungan::store::Store;
use anjungan::voice::complaint;
use anjungan::wifi::voucher;
use anyhow::{Context, Result, bail};
use clap::ArgGroup;

use anjungan::Lang;

use crate::write_atomically;

#[derive(clap::Args)]
#[command(group(ArgGroup::new("document").required(true).args(["service", "ticket", "voucher", "complaint"])))]
pub struct Args {
    /// A service receipt: requirements, procedure, time, fee, office, QR code.
    #[arg(long, value_name = "ID")]
    service: Option<String>,
    /// A queue ticket for this service; takes the next number for real
    /// (only a service with a queue_prefix in the catalog takes numbers).
    #[arg(long, value_name = "SERVICE_ID")]
    ticket: Option<String>,
    /// A Wi-Fi voucher slip for an issued code.
    #[arg(long, value_name = "CODE")]
    voucher: Option<String>,
    /// The slip of a complaint, by its reference.
    #[arg(long, value_name = "REFERENCE")]
    complaint: Option<String>,
    /// Language printed.
    #[arg(long, default_value_t = Lang::Id)]
    lang: Lang,
    /// Paper width in mm; the configuration's [kiosk] paper_mm without it.
    #[arg(long, value_parser = ["58", "80"])]
    width: Option<String>,
    /// Where to write the ESC/POS bytes.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also draw the printout as a PNG picture.
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
    /// Print as if at this local time (YYYY-MM-DDTHH:MM), for previews and golden tests.
    #[arg(long, value_name = "TIME", hide = true, value_parser = parse_local_time)]
    at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// The device's local time: queue numbers count the local day.
fn parse_local_time(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
        .map(|t| t.fixed_offset())
        .ok_or_else(|| format!("\"{s}\" is not a local time such as 2026-11-30T09:05"))
}

pub fn run(args: Args, config: &Config) -> Result<()> {
    let mut store = Store::open_for(config)?;
    let catalog = catalog::load(&store)?;
    let mm = match &args.width {
        Some(w) => w.parse().expect("clap allows 58 or 80 only"),
        None => config.kiosk.paper_mm,
    };
    let paper = Paper::from_mm(mm).context("the paper width must be 58 or 80")?;
    let now = args
        .at
        .unwrap_or_else(|| chrono::Local::now().fixed_offset());
    let compose = Composer {
        catalog: &catalog,
        lang: args.lang,
        paper,
        by: documents::Printer {
            device_id: &config.device.id,
            now: now.naive_local(),
        },
    };
    let document = if let Some(id) = &args.service {
        compose.receipt(id)?
    } else if let Some(id) = &args.ticket {
        let (service, prefix) = compose.queue(id)?;
        let taken = queue::take(&mut store, prefix, &service.id, now)?;
        compose.ticket(service, &taken)
    } else if let Some(code) = &args.voucher {
        let Some(v) = voucher::find(&store, code)? else {
            bail!(
                "there is no voucher \"{code}\"; issue one with `anjungan voucher issue --minutes M`"
            );
        };
        compose.voucher(&v.code, v.minutes, &config.captive.ssid)
    } else if let Some(typed) = &args.complaint {
        let found = complaint::Reference::parse(typed)
            .map(|r| complaint::find(&store, &r))
            .transpose()?
            .flatten();
        let Some(c) = found else {
            bail!("there is no complaint \"{typed}\"; see them with `anjungan complaint list`");
        };
        compose.complaint(&c)
    } else {
        unreachable!("clap requires one of --service, --ticket, --voucher, --complaint")
    };
    let bytes = to_escpos(&document);
    write_atomically(&args.out, &bytes)?;
    if let Some(png) = &args.png {
        let printout = interpret(&bytes).context("the receipt's own bytes did not read back")?;
        write_atomically(png, &to_png(&printout, paper))?;
    }
    Ok(())
}
