//! The panel's backlight, through `/sys/class/backlight` where the panel
//! has one (the Raspberry Pi's official touch display does; HDMI monitors
//! and QEMU's virtual GPU do not). The dark screen is a black frame
//! either way; the backlight off saves the power and the panel's life.

use std::path::{Path, PathBuf};

/// `bl_power` values (the kernel's FB_BLANK_UNBLANK and FB_BLANK_POWERDOWN).
const ON: &str = "0";
const OFF: &str = "4";

pub struct Backlight {
    /// Each device's `bl_power` file.
    switches: Vec<PathBuf>,
}

impl Backlight {
    /// The backlights under `class` (`/sys/class/backlight` on the
    /// device); none found is not an error.
    pub fn find(class: &Path) -> Backlight {
        let mut switches: Vec<PathBuf> = std::fs::read_dir(class)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bl_power"))
            .filter(|p| p.exists())
            .collect();
        switches.sort();
        Backlight { switches }
    }

    pub fn is_present(&self) -> bool {
        !self.switches.is_empty()
    }

    /// On or off. A backlight that refuses (no write permission: see the
    /// udev rule in the kiosk's package) is reported; the black frame
    /// still darkens the screen.
    pub fn set(&self, on: bool) {
        for switch in &self.switches {
            if let Err(e) = std::fs::write(switch, if on { ON } else { OFF }) {
                eprintln!(
                    "anjungan-kiosk: cannot turn the backlight {} ({}): {e}",
                    if on { "on" } else { "off" },
                    switch.display()
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_every_backlight_found() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["rpi_backlight", "10-0045"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join("bl_power"), ON).unwrap();
        }
        // A device without the switch is skipped.
        std::fs::create_dir(dir.path().join("odd")).unwrap();
        let b = Backlight::find(dir.path());
        assert!(b.is_present());
        b.set(false);
        for name in ["rpi_backlight", "10-0045"] {
            let state = std::fs::read_to_string(dir.path().join(name).join("bl_power")).unwrap();
            assert_eq!(state, OFF);
        }
        b.set(true);
        let state = std::fs::read_to_string(dir.path().join("10-0045/bl_power")).unwrap();
        assert_eq!(state, ON);
        assert!(!Backlight::find(&dir.path().join("missing")).is_present());
    }
}
