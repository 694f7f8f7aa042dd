//! The app on a real screen: a window on a desktop (winit) or the whole
//! display on the device (linuxkms), whichever backend this build has.
//! Also watches for a newly installed catalog.

use std::time::Duration;

use anjungan::catalog;
use anjungan::store::Store;
use slint::ComponentHandle;

use crate::Result;
use crate::controller::{Kiosk, Settings};
use crate::ui::KioskWindow;

/// How often to look for a newly installed catalog: a cheap read of one
/// number, so a technician's import shows within seconds.
const CATALOG_POLL: Duration = Duration::from_secs(5);

/// Runs until the window is closed (on the device: until the service stops).
pub fn run(store: Store, settings: Settings) -> Result<()> {
    let catalog = catalog::load(&store)?;
    let mut generation = catalog::generation(&store)?;
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
    kiosk.start_idle_timer();

    let watcher = slint::Timer::default();
    let reload = kiosk.clone();
    watcher.start(slint::TimerMode::Repeated, CATALOG_POLL, move || {
        // A failed read keeps the catalog on screen; the next poll retries.
        match catalog::generation(&store) {
            Ok(g) if g != generation => match catalog::load(&store) {
                Ok(c) => {
                    generation = g;
                    reload.replace_catalog(c);
                }
                Err(e) => eprintln!("anjungan-kiosk: keeping the catalog on screen: {e}"),
            },
            Ok(_) => {}
            Err(e) => eprintln!("anjungan-kiosk: cannot check for a new catalog: {e}"),
        }
    });
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
