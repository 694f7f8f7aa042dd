//! `anjungan-captive`: the Wi-Fi portal. The portal server is not part of
//! this build yet; until it is, the program checks the configuration and the
//! catalog it would offer, and says so.

use std::path::PathBuf;
use std::process::ExitCode;

use anjungan::catalog;
use anjungan::config::Config;
use anjungan::store::Store;
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "anjungan-captive",
    version,
    about = "The free Wi-Fi portal and its firewall control."
)]
struct Cli {
    /// Configuration file to use instead of $ANJUNGAN_CONFIG or /etc/anjungan/anjungan.toml.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let check = || -> anyhow::Result<String> {
        let (config, _) = Config::load(cli.config.as_deref())?;
        let store = Store::open_for(&config)?;
        let catalog = catalog::load(&store)?;
        Ok(format!(
            "the catalog of {} ({} services) is ready",
            catalog.bundle().region.name,
            catalog.services().len()
        ))
    };
    match check() {
        Ok(ready) => {
            eprintln!(
                "anjungan-captive: {ready}, but this build has no Wi-Fi portal yet; search the catalog with `anjungan catalog search QUERY`."
            );
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("anjungan-captive: {e:#}");
            ExitCode::FAILURE
        }
    }
}
