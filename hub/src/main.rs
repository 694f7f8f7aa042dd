//! `anjungan-hub`: arguments, logging, and one call into the library.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(version, about = "The region's hub for Anjungan devices")]
struct Args {
    /// The PostgreSQL database, in libpq's key=value form.
    #[arg(
        long,
        env = "ANJUNGAN_HUB_DATABASE",
        default_value = "host=/run/postgresql dbname=anjungan"
    )]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Receives devices' events over HTTP (put TLS in front).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8470")]
        listen: SocketAddr,
        /// Connections to PostgreSQL this process may hold.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// A file holding the staff token that opens the IKM report and
        /// the complaints inbox (make one with `openssl rand -hex 32`);
        /// without it those pages stay closed.
        #[arg(long, env = "ANJUNGAN_HUB_STAFF_TOKEN_FILE")]
        staff_token_file: Option<std::path::PathBuf>,
        /// Days a complaint's contact is kept, as the devices' [voice]
        /// keep_contact_days.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
        keep_contact_days: u32,
    },
    /// Enrols and revokes devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Prints how many events the hub holds per device and kind (JSON).
    Totals,
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Enrols a device and prints its token (shown once: only a hash is kept).
    Add { id: String },
    /// Refuses a device's token from now on.
    Revoke { id: String },
    /// Lists the enrolled devices and their last contact (JSON).
    List,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Err(e) = run(Args::parse()).await {
        eprintln!("anjungan-hub: {e:#}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let size = match &args.command {
        Command::Serve { connections, .. } => *connections,
        _ => 1,
    };
    let pool = hub::db::pool(&args.database, size)?;
    hub::db::migrate(&pool).await?;
    match args.command {
        Command::Serve {
            listen,
            staff_token_file,
            keep_contact_days,
            ..
        } => {
            let token = match &staff_token_file {
                Some(path) => Some(std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the staff token file {}", path.display())
                })?),
                None => None,
            };
            let guard = hub::web::Guard::new(token.as_deref())
                .map_err(|e| anyhow::anyhow!("{e} (in {:?})", staff_token_file))?;
            let options = hub::Options {
                guard,
                keep_contact_days,
            };
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}; is another hub there?"))?;
            // Tests read the port from this line when they asked for port 0.
            tracing::info!("listening on {}", listener.local_addr()?);
            hub::serve(listener, pool, options, shutdown()).await?;
        }
        Command::Device { command } => match command {
            DeviceCommand::Add { id } => println!("{}", hub::devices::add(&pool, &id).await?),
            DeviceCommand::Revoke { id } => hub::devices::revoke(&pool, &id).await?,
            DeviceCommand::List => println!(
                "{}",
                serde_json::to_string_pretty(&hub::devices::list(&pool).await?)?
            ),
        },
        Command::Totals => println!(
            "{}",
            serde_json::to_string_pretty(&hub::totals::totals(&pool).await?)?
        ),
    }
    Ok(())
}

/// Ctrl-C or SIGTERM (what systemd sends).
async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM can be handled");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
