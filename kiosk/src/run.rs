//! The app on a real screen: a window on a desktop (winit) or the whole
//! display on the device (linuxkms), whichever backend this build has.
//! Also watches for a newly installed catalog (loaded and indexed on a
//! thread of its own) and for numbers called at the counters, and connects the printer thread and the panel
//! (presence sensor, call button, status light).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::mpsc::channel;
use std::time::Duration;

use anjungan::catalog;
use anjungan::config::KioskConfig;
use anjungan::queue;
use anjungan::store::Store;
use anyhow::Context;
use slint::ComponentHandle;

use crate::backlight::Backlight;
use crate::controller::{Devices, Kiosk, Settings};
use crate::gpio;
use crate::supervision;
use crate::ui::{KioskAdapter, KioskWindow};
use crate::worker::{self, Worker};

/// How often to look for a newly installed catalog: a cheap read of one
/// number, so a technician's import shows within seconds.
const CATALOG_POLL: Duration = Duration::from_secs(5);

/// How often to read the queue: a number called at a counter is on the
/// attract screen within this. One indexed read of today's tickets.
const QUEUE_POLL: Duration = Duration::from_secs(2);

/// Runs until the window is closed or the service is stopped (SIGTERM).
pub fn run(
    store: Store,
    settings: Settings,
    setup: worker::Setup,
    panel: &KioskConfig,
) -> anyhow::Result<()> {
    let catalog = catalog::load(&store)?;
    let generation = catalog::generation(&store)?;
    let window = KioskWindow::new()?;
    let kiosk = Kiosk::new(&window, catalog, settings)?;
    // The window tells the views its size whenever it changes; a size known
    // already (the display's, on the device) is passed on for the first frame.
    let size = window
        .window()
        .size()
        .to_logical(window.window().scale_factor());
    if size.width > 0.0 && size.height > 0.0 {
        kiosk.set_screen_size(size.width, size.height);
    }
    let backlight = Backlight::find(Path::new("/sys/class/backlight"));
    if backlight.is_present() {
        kiosk.use_backlight(Box::new(move |on| backlight.set(on)));
    }
    kiosk.start_idle_timer();

    // The catalog watcher, the printer thread and the panel report from
    // their own threads; each report wakes the UI thread, which reads them
    // (`Kiosk::receive`).
    let weak = window.as_weak();
    let wake = move || {
        let _ = weak.upgrade_in_event_loop(|w| w.global::<KioskAdapter>().invoke_news());
    };
    let worker = Worker::start(setup, wake.clone());
    let store_path = store.path().to_owned();
    let (found, catalogs) = channel();
    kiosk.follow_catalogs(catalogs);
    let woken = wake.clone();
    std::thread::Builder::new()
        .name("kiosk-catalog".into())
        .spawn(move || {
            let mut watcher = catalog::Watcher::new(Some(generation));
            loop {
                std::thread::sleep(CATALOG_POLL);
                // A failed look keeps the catalog on screen; the next retries.
                match watcher.check(&store) {
                    Ok(Some(fresh)) => {
                        if found.send(fresh).is_err() {
                            return;
                        }
                        woken();
                    }
                    Ok(None) => {}
                    Err(e) => eprintln!("anjungan-kiosk: keeping the catalog on screen: {e}"),
                }
            }
        })?;
    let (called, queues) = channel();
    kiosk.follow_queue(queues);
    let queue_store = Store::open(&store_path)?;
    let woken = wake.clone();
    std::thread::Builder::new()
        .name("kiosk-queue".into())
        .spawn(move || {
            let mut last = None;
            loop {
                let now = chrono::Local::now().fixed_offset();
                // A failed read keeps the numbers on screen; the next retries.
                match queue::status(&queue_store, &BTreeSet::new(), now) {
                    Ok(status) if last.as_ref() != Some(&status) => {
                        if called.send(status.clone()).is_err() {
                            return;
                        }
                        last = Some(status);
                        woken();
                    }
                    Ok(_) => {}
                    Err(e) => eprintln!("anjungan-kiosk: cannot read the queue: {e}"),
                }
                std::thread::sleep(QUEUE_POLL);
            }
        })?;
    let (light, pins) = gpio::open(panel).context("cannot open the kiosk's panel")?;
    let (forward, panel_events) = channel();
    std::thread::Builder::new()
        .name("kiosk-panel".into())
        .spawn(move || {
            for event in pins {
                if forward.send(event).is_err() {
                    return;
                }
                wake();
            }
        })?;
    kiosk.attach(Devices {
        worker,
        panel: light,
        panel_events,
    });

    // systemd stops the kiosk with SIGTERM: leave the event loop so the
    // status light goes off (the controller turns it off when dropped).
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
    ])?;
    std::thread::Builder::new()
        .name("kiosk-signals".into())
        .spawn(move || {
            if signals.forever().next().is_some() {
                let _ = slint::invoke_from_event_loop(|| {
                    let _ = slint::quit_event_loop();
                });
            }
        })?;

    let _supervision = supervision::start();
    window.run()?;
    Ok(())
}

/// Slint's DRM/KMS backend reads the screen's rotation from
/// `SLINT_KMS_ROTATION` when it starts. Setting a variable in a running
/// process is unsafe, so the kiosk starts itself again with it set
/// (`exec`, same process id) when `[kiosk] rotation` asks for one.
/// Returns only when no restart is needed.
pub fn rotate(degrees: u16) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "SLINT_KMS_ROTATION";
    if degrees == 0 || std::env::var_os(VAR).is_some() {
        return Ok(());
    }
    let exe = std::env::current_exe()?;
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(VAR, degrees.to_string())
        .exec();
    Err(anyhow::anyhow!(
        "cannot restart the kiosk with the screen rotated: {err}"
    ))
}
