//! `anjungan-kiosk`: runs the touchscreen app, or renders one of its screens
//! to a PNG with no display (`snapshot`). Argument parsing only; the kiosk
//! is the `kiosk` library.

use std::path::PathBuf;
use std::process::ExitCode;

use anjungan::catalog;
use anjungan::config::{Auth, Config, Printer};
use anjungan::print::Paper;
use anjungan::store::Store;
use anyhow::Context;
use clap::{Parser, Subcommand};
use kiosk::controller::Settings;
use kiosk::lang::Lang;
use kiosk::snapshot::{self, Request, Size, Target};
use kiosk::worker;

#[derive(Parser)]
#[command(
    name = "anjungan-kiosk",
    version,
    about = "The touchscreen app citizens use to look up public services."
)]
struct Cli {
    /// Configuration file to use instead of $ANJUNGAN_CONFIG or /etc/anjungan/anjungan.toml.
    #[arg(long, value_name = "PATH", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Turns the panel's status light off (for the unit's ExecStopPost=, after a crash).
    LightOff,
    /// Prints the touchscreen's calibration for [kiosk] rotation (for the package's udev rule).
    TouchCalibration,
    /// Renders one screen to a PNG of exactly the given size, with no display.
    Snapshot {
        /// home, attract, search:QUERY, category:ID, service:ID; ticket:ID or paper-out:ID (a service with the queue-number card, or with the printer out of paper); survey:1..9, survey:about[:1..4], survey:thanks; complaint, complaint:write, complaint:contact, complaint:sent, complaint:lookup (with sample text).
        #[arg(long, value_parser = parse::<Target>)]
        screen: Target,
        /// Language of the screen: id or en.
        #[arg(long, default_value_t = Lang::Id)]
        lang: Lang,
        /// WIDTHxHEIGHT in pixels, such as 800x480, 1280x800 or 1080x1920.
        #[arg(long, default_value = "1280x800", value_parser = parse::<Size>)]
        size: Size,
        #[arg(long)]
        large_text: bool,
        #[arg(long)]
        high_contrast: bool,
        /// The PNG file to write.
        #[arg(long, value_name = "FILE.png")]
        out: PathBuf,
    },
}

fn parse<T: std::str::FromStr<Err = kiosk::Error>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: kiosk::Error| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let run = || -> anyhow::Result<()> {
        let (config, _) = Config::load(cli.config.as_deref())?;
        // Needs nothing but the pin: it runs after a crash, whatever broke.
        if let Some(Command::LightOff) = cli.command {
            return kiosk::gpio::light_off(&config.kiosk);
        }
        if let Some(Command::TouchCalibration) = cli.command {
            let line = kiosk::rotation::udev_property(config.kiosk.rotation)
                .context("[kiosk] rotation must be 0, 90, 180 or 270")?;
            println!("{line}");
            return Ok(());
        }
        let store = Store::open_for(&config)?;
        let mut settings = Settings::new(
            config.kiosk.idle_reset_seconds,
            &config.device.name,
            &config.captive.ssid,
        );
        settings.printer = config.kiosk.printer != Printer::None;
        settings.screen_hours = config.kiosk.screen_hours.clone();
        settings.voucher_minutes =
            (config.captive.auth == Auth::Voucher).then_some(config.captive.session_minutes);
        match cli.command {
            None => {
                kiosk::run::rotate(config.kiosk.rotation)?;
                let setup = worker::Setup {
                    store: store.path().to_owned(),
                    printer: config.kiosk.printer.clone(),
                    paper: Paper::from_mm(config.kiosk.paper_mm)
                        .context("[kiosk] paper_mm must be 58 or 80")?,
                    device_id: config.device.id.clone(),
                };
                kiosk::run::run(store, settings, setup, &config.kiosk)?
            }
            Some(Command::LightOff | Command::TouchCalibration) => {
                unreachable!("handled before the store is opened")
            }
            Some(Command::Snapshot {
                screen,
                lang,
                size,
                large_text,
                high_contrast,
                out,
            }) => {
                let request = Request {
                    target: screen,
                    lang,
                    size,
                    large_text,
                    high_contrast,
                };
                // The numbers called today on this device, as the running kiosk shows them.
                let now = chrono::Local::now().fixed_offset();
                let queue = anjungan::queue::status(&store, &Default::default(), now)?;
                snapshot::render(catalog::load(&store)?, settings, queue, &request)?
                    .write_png(&out)?;
            }
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anjungan-kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}
