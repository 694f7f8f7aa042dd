//! A rotated panel's touch follows its picture. Slint's DRM/KMS backend
//! rotates what it draws (`SLINT_KMS_ROTATION`, see `run::rotate`) but
//! maps a touch's position on the glass straight onto the rotated window,
//! so a portrait kiosk would press the wrong place. libinput corrects that
//! with a calibration matrix from udev: the kiosk package's udev rule asks
//! `anjungan-kiosk touch-calibration` for it, which reads `[kiosk]
//! rotation` from the configuration.

/// libinput's `LIBINPUT_CALIBRATION_MATRIX` (`a b c d e f`: the window's
/// `x = a·u + b·v + c`, `y = d·u + e·v + f`, all in 0..1 of the glass and
/// of the window) for a picture rotated `degrees` clockwise.
pub fn calibration_matrix(degrees: u16) -> Option<[i8; 6]> {
    match degrees {
        0 => Some([1, 0, 0, 0, 1, 0]),
        // The window's left edge is along the glass's top, its top along
        // the glass's right.
        90 => Some([0, 1, 0, -1, 0, 1]),
        180 => Some([-1, 0, 1, 0, -1, 1]),
        270 => Some([0, -1, 1, 1, 0, 0]),
        _ => None,
    }
}

/// The line for udev's `IMPORT{program}`.
pub fn udev_property(degrees: u16) -> Option<String> {
    let m = calibration_matrix(degrees)?;
    let values: Vec<String> = m.iter().map(|v| v.to_string()).collect();
    Some(format!("LIBINPUT_CALIBRATION_MATRIX={}", values.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a point of the window (0..1) is drawn on the glass when the
    /// picture is turned `degrees` clockwise (Slint's Rotate90 is "90° to
    /// the right"), by turning it a quarter at a time.
    fn drawn_at(degrees: u16, (x, y): (f32, f32)) -> (f32, f32) {
        (0..degrees / 90).fold((x, y), |(x, y), _| (1.0 - y, x))
    }

    fn touched(degrees: u16, (u, v): (f32, f32)) -> (f32, f32) {
        let m = calibration_matrix(degrees).unwrap().map(f32::from);
        (m[0] * u + m[1] * v + m[2], m[3] * u + m[4] * v + m[5])
    }

    #[test]
    fn a_touch_lands_on_what_is_drawn_under_it() {
        for degrees in [0, 90, 180, 270] {
            // Binary fractions: exact in f32, so the comparison can be exact.
            for point in [(0.0, 0.0), (1.0, 0.0), (0.25, 0.75), (0.875, 0.0625)] {
                let glass = drawn_at(degrees, point);
                assert_eq!(touched(degrees, glass), point, "{degrees}° at {point:?}");
            }
        }
    }

    #[test]
    fn the_udev_line() {
        assert_eq!(
            udev_property(90).unwrap(),
            "LIBINPUT_CALIBRATION_MATRIX=0 1 0 -1 0 1"
        );
        assert_eq!(udev_property(45), None);
    }
}
