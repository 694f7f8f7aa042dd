//! `anjungan`: the technician's command line. Parses arguments, calls the
//! domain library, prints one plain sentence on error.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anjungan::Lang;
use anjungan::admin_token;
use anjungan::alert;
use anjungan::catalog::{self, Catalog};
use anjungan::config::{Config, Origin};
use anjungan::search::SearchIndex;
use anjungan::store::Store;
use anjungan::sync::signature;
use anjungan::wifi::voucher;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

mod complaint;
mod printer;
mod receipt;
mod survey;
mod sync;

#[derive(Parser)]
#[command(
    name = "anjungan",
    version,
    about = "Anjungan's technician command line: the service catalog, its search, Wi-Fi vouchers, the survey report, complaints and the configuration.",
    long_about = "Anjungan's technician command line.\n\n\
        The configuration is read from --config, else $ANJUNGAN_CONFIG, else \
        /etc/anjungan/anjungan.toml; without any, built-in defaults and the demo catalog are used."
)]
struct Cli {
    /// Configuration file to use instead of $ANJUNGAN_CONFIG or /etc/anjungan/anjungan.toml.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install, export, inspect and search the service catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Show or check the configuration in force.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The shared database.
    #[command(subcommand)]
    Database(DatabaseCommand),
    /// Wi-Fi vouchers: codes that give a visitor minutes of internet.
    #[command(subcommand)]
    Voucher(VoucherCommand),
    /// The technician's access to the portal's admin API.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write the ESC/POS bytes a printer would get for a receipt, a queue ticket, a voucher slip or a complaint slip.
    Receipt(receipt::Args),
    /// The printer: its status, jobs waiting after a fault, recent faults.
    #[command(subcommand)]
    Printer(printer::Command),
    /// The satisfaction survey (IKM): the report, and paper forms typed in.
    #[command(subcommand)]
    Survey(survey::Command),
    /// Complaints from the kiosk and the Wi-Fi page: list, show, set their status, erase old contacts.
    #[command(subcommand)]
    Complaint(complaint::Command),
    /// When citizens at the kiosk needed a person (the "call staff" button), newest first.
    /// Pull the region's signed catalog ([sync] catalog_url), then push events to the hub ([sync] hub_url).
    #[command(
        long_about = "Pull the region's signed catalog ([sync] catalog_url), then push events to the hub ([sync] hub_url).\n\n\
            The catalog is installed only if its signature (the same URL + \".minisig\") verifies with \
            [sync] public_key and it is not older than the one installed; otherwise the installed catalog \
            stays and the reason is recorded. The device runs `anjungan sync --when-due` every minute \
            (anjungan-sync.timer), which runs a step every [sync] interval_seconds, and after failures \
            waits longer each time. Exits non-zero when a step failed."
    )]
    Sync(sync::Args),
    Alerts {
        /// How many at most.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=10000))]
        limit: u16,
    },
}

#[derive(Subcommand)]
enum VoucherCommand {
    /// Make new voucher codes; each gives its minutes from its first use, to the first device that uses it.
    Issue {
        /// How many codes.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(voucher::MAX_ISSUE)))]
        count: u32,
        /// Minutes of internet each code gives.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(voucher::MAX_MINUTES)))]
        minutes: u32,
        /// Print a JSON array of objects with `code`, `minutes` and `issued_at`.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Print the bearer token of the admin API (on [captive] admin_listen), making it on first use.
    #[command(
        long_about = "Print the bearer token of the admin API (on [captive] admin_listen), making it on first use.\n\n\
            The token is kept in [device] data_dir/admin.token, readable by root only. Use it as \
            `curl -H \"Authorization: Bearer $(sudo anjungan admin token)\" http://127.0.0.1:8081/api/status`; \
            from a laptop, forward the port first: ssh -L 8081:127.0.0.1:8081 technician@device."
    )]
    Token,
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Validate a catalog bundle and install it in one step; a refused bundle changes nothing.
    Import {
        /// The bundle (JSON, see catalog-format.md); "-" reads standard input.
        file: PathBuf,
    },
    /// Write the catalog in use as a bundle (the demo catalog on a fresh device).
    Export {
        /// Where to write it; standard output without it.
        file: Option<PathBuf>,
    },
    /// Search the catalog as the kiosk does.
    Search {
        /// What a citizen would type; without it, queries are read from standard input, one per line.
        query: Option<String>,
        /// Language of the names shown.
        #[arg(long, default_value_t = Lang::Id)]
        lang: Lang,
        /// How many results at most.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
        limit: u16,
        /// Print a JSON array of results, best first.
        #[arg(long)]
        json: bool,
    },
    /// Which catalog is in use, and the last imports.
    Status,
    /// Make the region's signing key pair: NAME.key (secret, 0600) and NAME.pub, in minisign's formats.
    #[command(
        long_about = "Make the region's signing key pair: NAME.key (secret, 0600) and NAME.pub, in minisign's formats.\n\n\
            Without --password-file the secret key is stored unencrypted (like `minisign -G -W`), so that \
            catalogs can be signed from a script: keep it on the machine that signs, never on a device or \
            the web server. The second line of NAME.pub goes into every device's [sync] public_key."
    )]
    Keygen {
        /// The key pair's name: NAME.key and NAME.pub are written (never over existing files).
        #[arg(long, value_name = "NAME")]
        out: PathBuf,
        /// Encrypt the secret key with the password on the first line of this file.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Sign a catalog bundle: writes FILE.minisig (minisign's format, with the time of signing).
    Sign {
        /// The secret key (NAME.key of `anjungan catalog keygen`, or of `minisign -G`).
        #[arg(long, value_name = "SECRET_KEY_FILE")]
        key: PathBuf,
        /// The password of an encrypted key, on the first line of this file.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// The bundle to sign; publish it and FILE.minisig side by side.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum DatabaseCommand {
    /// Create the database or bring its schema up to date, then exit (the
    /// packages run this once on upgrade, before the services restart).
    Migrate,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the configuration in force, defaults included, and where it came from.
    Show,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anjungan: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let (config, origin) = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Config(ConfigCommand::Show) => {
            println!("# from: {origin}");
            print!("{}", config.to_toml());
            Ok(())
        }
        Command::Database(DatabaseCommand::Migrate) => {
            let store = Store::open_for(&config)?;
            println!("{}: schema up to date", store.path().display());
            Ok(())
        }
        Command::Receipt(args) => receipt::run(args, &config),
        Command::Printer(c) => printer::run(c, &config),
        Command::Survey(c) => survey::run(c, &config),
        Command::Complaint(c) => complaint::run(c, &config),
        Command::Sync(args) => sync::run(args, &config),
        Command::Alerts { limit } => {
            let store = Store::open_for(&config)?;
            let alerts = alert::recent(&store, limit.into())?;
            if alerts.is_empty() {
                println!("No alerts.");
            }
            for a in alerts {
                println!("{}  {:<11} {}", a.at, a.kind, a.detail);
            }
            Ok(())
        }
        Command::Catalog(c) => catalog_command(c, &config, &origin),
        Command::Admin(AdminCommand::Token) => {
            println!("{}", admin_token::load_or_create(&config)?);
            // Which file: run as another user, with another data_dir, this
            // is not the token the portal knows.
            eprintln!("token of {}", admin_token::path(&config).display());
            if !rustix::process::geteuid().is_root() {
                eprintln!(
                    "not root: the portal (run as root) uses the token in its own data_dir; use `sudo anjungan admin token` on the device"
                );
            }
            Ok(())
        }
        Command::Voucher(VoucherCommand::Issue {
            count,
            minutes,
            json,
        }) => {
            let mut store = Store::open_for(&config)?;
            let now = chrono::Utc::now().timestamp();
            let vouchers = voucher::issue(&mut store, count, minutes, now)?;
            if json {
                println!("{}", serde_json::to_string(&vouchers)?);
            } else {
                for v in &vouchers {
                    println!("{}  {} minutes", v.code, v.minutes);
                }
            }
            Ok(())
        }
    }
}

fn catalog_command(command: CatalogCommand, config: &Config, _origin: &Origin) -> Result<()> {
    // Keys and signatures are the region's side: no device database.
    match command {
        CatalogCommand::Keygen { out, password_file } => {
            let password = password_file.as_deref().map(read_password).transpose()?;
            let keys = signature::keygen(&out, password)?;
            println!(
                "Wrote {} (keep it secret, off the devices) and {}.",
                keys.secret.display(),
                keys.public.display()
            );
            println!(
                "Every device's anjungan.toml: [sync] public_key = \"{}\"",
                keys.public_key
            );
            return Ok(());
        }
        CatalogCommand::Sign {
            key,
            password_file,
            file,
        } => {
            let password = password_file.as_deref().map(read_password).transpose()?;
            let written = signature::sign(&key, &file, password)?;
            println!(
                "Wrote {}; publish it beside {} (the catalog first, then its signature).",
                written.display(),
                file.display()
            );
            return Ok(());
        }
        _ => {}
    }
    let mut store = Store::open_for(config)?;
    match command {
        CatalogCommand::Keygen { .. } | CatalogCommand::Sign { .. } => {
            unreachable!("handled above")
        }
        CatalogCommand::Import { file } => {
            let (bytes, source) = read_input(&file)?;
            let installed = catalog::import(&mut store, &bytes, &source)?;
            println!(
                "Installed the catalog of {} published {}: {} services (generation {}).",
                installed.region_name,
                installed.published,
                installed.services,
                installed.generation
            );
            Ok(())
        }
        CatalogCommand::Export { file } => {
            let catalog = catalog::load(&store)?;
            let json = catalog::to_json(catalog.bundle());
            match file {
                Some(path) => write_atomically(&path, json.as_bytes()),
                None => {
                    std::io::stdout().write_all(json.as_bytes())?;
                    Ok(())
                }
            }
        }
        CatalogCommand::Search {
            query,
            lang,
            limit,
            json,
        } => {
            let catalog = catalog::load(&store)?;
            let index = SearchIndex::build(&catalog);
            let mut out = std::io::stdout().lock();
            match query {
                Some(q) => print_results(&mut out, &catalog, &index, &q, lang, limit.into(), json)?,
                None => {
                    for line in std::io::stdin().lock().lines() {
                        let q = line.context("cannot read the query from standard input")?;
                        print_results(&mut out, &catalog, &index, &q, lang, limit.into(), json)?;
                    }
                }
            }
            Ok(())
        }
        CatalogCommand::Status => {
            let catalog = catalog::load(&store)?;
            let b = catalog.bundle();
            match catalog.installed() {
                None => println!(
                    "In use: the built-in demo catalog ({}, {} services). Install the region's own with `anjungan catalog import FILE`.",
                    b.region.name,
                    b.services.len()
                ),
                Some(i) => println!(
                    "In use: {} published {}, {} services, installed {} from {} (generation {}).",
                    i.region_name, i.published, i.services, i.installed_at, i.source, i.generation
                ),
            }
            println!("Database: {}", store.path().display());
            for (at, source, outcome, detail) in catalog::history(&store, 10)? {
                println!("{at}  {outcome:<9}  {source}: {detail}");
            }
            Ok(())
        }
    }
}

/// The first line of a password file, without its line end.
fn read_password(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the password file {}", path.display()))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        bail!(
            "the password file {} is empty; put the password on its first line",
            path.display()
        );
    }
    Ok(line.to_owned())
}

fn print_results(
    out: &mut impl Write,
    catalog: &Catalog,
    index: &SearchIndex,
    query: &str,
    lang: Lang,
    limit: usize,
    json: bool,
) -> Result<()> {
    let hits = index.search(query, limit);
    let lang = lang.code();
    if json {
        let results: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let s = h.service(catalog);
                serde_json::json!({
                    "id": s.id,
                    "name": s.name.get(lang),
                    "category": s.category,
                    "summary": s.summary.as_ref().map(|t| t.get(lang)),
                    "office": s.office,
                    "online_url": s.online_url,
                    "score": (f64::from(h.score) * 100.0).round() / 100.0,
                })
            })
            .collect();
        serde_json::to_writer(&mut *out, &results)?;
        writeln!(out)?;
    } else if hits.is_empty() {
        writeln!(out, "No service matches \"{query}\".")?;
    } else {
        for h in &hits {
            let s = h.service(catalog);
            writeln!(out, "{:<40} {}", s.id, s.name.get(lang))?;
        }
    }
    Ok(())
}

fn read_input(file: &Path) -> Result<(Vec<u8>, String)> {
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .context("cannot read the bundle from standard input")?;
        return Ok((bytes, "standard input".into()));
    }
    let meta = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}; check the path", file.display()))?;
    if meta.len() > catalog::MAX_BUNDLE_BYTES as u64 {
        bail!(
            "{} is {} MiB, more than the {} MiB a device accepts; check that it is a catalog bundle",
            file.display(),
            meta.len() / (1024 * 1024),
            catalog::MAX_BUNDLE_BYTES / (1024 * 1024)
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok((bytes, file.display().to_string()))
}

/// Writes through a temporary file and a rename, so a power cut leaves
/// either the old file or the whole new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().context("the output path names no file")?;
    let tmp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().with_context(|| {
        format!(
            "cannot write {}; check the folder exists and is writable",
            path.display()
        )
    })
}
