//! `anjungan-captive`: parses the command line, sets up logging, runs the
//! portal (`captive::run`) or writes the guest network's files (`network-files`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anjungan::config::Config;
use captive::limits::PortalLimits;
use captive::network_files;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "anjungan-captive",
    version,
    about = "The free Wi-Fi portal and its firewall control.",
    long_about = "The free Wi-Fi portal and its firewall control.\n\n\
        Serves the portal on [captive] address:port and the technician's API on \
        [captive] admin_listen; with firewall = \"nftables\" it gates the Wi-Fi with \
        its own nftables table (inet anjungan_captive). Stopping it leaves the \
        joined visitors online until their sessions end."
)]
struct Cli {
    /// Configuration file to use instead of $ANJUNGAN_CONFIG or /etc/anjungan/anjungan.toml.
    #[arg(long, value_name = "PATH", global = true)]
    config: Option<PathBuf>,
    /// Without a command: run the portal.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Write hostapd.conf, dnsmasq.conf and systemd-networkd's .network files
    /// for the guest network from [captive] (anjungan-network.service runs
    /// this at boot).
    NetworkFiles {
        /// Directory for hostapd.conf and dnsmasq.conf.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Directory for the .network files (default: the --out directory).
        #[arg(long, value_name = "DIR")]
        networkd: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANJUNGAN_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // journald and log files show escape codes raw: colours only for a
        // person at a terminal.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let run = || -> anyhow::Result<()> {
        let (config, origin) = Config::load(cli.config.as_deref())?;
        tracing::info!(%origin, "configuration");
        if let Some(Command::NetworkFiles { out, networkd }) = &cli.command {
            let files = network_files::render(&config.captive)?;
            network_files::write(out, &files.daemons)?;
            network_files::write(networkd.as_ref().unwrap_or(out), &files.networkd)?;
            return Ok(());
        }
        let limits = PortalLimits {
            max_visitors: config.captive.max_visitors as usize,
            daily_minutes: config.captive.daily_minutes,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(captive::run(config, limits))?;
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anjungan-captive: {e:#}");
            ExitCode::FAILURE
        }
    }
}
