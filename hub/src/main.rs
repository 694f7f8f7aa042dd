//! `anjungan-hub`: arguments, logging, and one call into the library.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
    /// Receives devices' events, serves the catalog and the region's pages over HTTP (put TLS in front).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8470")]
        listen: SocketAddr,
        /// Connections to PostgreSQL this process may hold.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Mark login cookies Secure on every request (behind TLS); without it, only on requests whose proxy sends X-Forwarded-Proto: https.
        #[arg(long)]
        secure_cookies: bool,
        /// Days a complaint's contact is kept, as the devices' [voice]
        /// keep_contact_days.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
        keep_contact_days: u32,
    },
    /// Staff who may log in to the region's pages.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// The catalog the devices pull from /v1/catalog.json.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
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

#[derive(Subcommand)]
enum StaffCommand {
    /// Adds a login; reads its password (at least 10 characters) as one line from stdin.
    Add { name: String },
    /// Removes a login; its open sessions end at once.
    Remove { name: String },
    /// Lists the logins and their last login (JSON).
    List,
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Checks a signed bundle as a device would and serves it to the devices from now on.
    Publish {
        bundle: PathBuf,
        /// The bundle's .minisig (`anjungan catalog sign` or `minisign -S`).
        signature: PathBuf,
        /// The region's minisign public key: the second line of NAME.pub, or the file itself (the devices' [sync] public_key).
        #[arg(long)]
        public_key: String,
    },
    /// Lists what was published, newest first, and on how many devices each is installed (JSON).
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
            secure_cookies,
            keep_contact_days,
            ..
        } => {
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}; is another hub there?"))?;
            // Tests read the port from this line when they asked for port 0.
            tracing::info!("listening on {}", listener.local_addr()?);
            let options = hub::Options {
                secure_cookies,
                keep_contact_days,
            };
            hub::serve(listener, pool, options, shutdown()).await?;
        }
        Command::Staff { command } => match command {
            StaffCommand::Add { name } => {
                let password = read_password()?;
                hub::staff::add(&pool, &name, &password).await?;
                eprintln!("staff {name} can log in now");
            }
            StaffCommand::Remove { name } => hub::staff::remove(&pool, &name).await?,
            StaffCommand::List => println!(
                "{}",
                serde_json::to_string_pretty(&hub::staff::list(&pool).await?)?
            ),
        },
        Command::Catalog { command } => match command {
            CatalogCommand::Publish {
                bundle,
                signature,
                public_key,
            } => {
                let key = hub::publish::public_key(&public_key)?;
                let bytes = read_bounded(&bundle, anjungan::catalog::MAX_BUNDLE_BYTES)?;
                let sig = read_bounded(&signature, anjungan::sync::pull::MAX_SIGNATURE_BYTES)?;
                let p = hub::publish::publish(
                    &pool,
                    &bytes,
                    &sig,
                    &signature.display().to_string(),
                    &key,
                )
                .await?;
                println!("{}", serde_json::to_string_pretty(&p)?);
            }
            CatalogCommand::List => println!(
                "{}",
                serde_json::to_string_pretty(&hub::publish::history(&pool, 1000).await?)?
            ),
        },
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

/// One line from stdin: the password, never an argument (it would be in
/// the shell's history and in `ps`).
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::stdin().lock().take(4096), &mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A file's bytes, at most `limit` (one more is read, so the refusal of a
/// larger file is the device's own, with its words).
fn read_bounded(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit as u64 + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes)
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
