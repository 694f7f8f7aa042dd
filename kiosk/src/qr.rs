//! QR codes as images for the views: the online address of a service and
//! the Wi-Fi join code.

use qrcode::{Color, EcLevel, QrCode};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

use crate::{Error, Result};

/// White modules around the code, as the standard asks, so a camera finds
/// it even against a dark theme.
const QUIET_ZONE: usize = 4;
/// Pixels per module in the image: one. The view scales it up by a whole
/// number without smoothing (`image-rendering: pixelated`), so every
/// module is a sharp square of the same size, which cameras read best.
const MODULE_PIXELS: usize = 1;

/// The modules of `text` as rows of booleans (true = dark), quiet zone
/// included. Medium error correction: survives smudges on a public screen.
pub fn modules(text: &str) -> Result<Vec<Vec<bool>>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        Error::Qr {
            text: text.to_string(),
            reason: e.to_string(),
        }
    })?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut rows = vec![vec![false; size]; size];
    for (i, color) in colors.iter().enumerate() {
        rows[i / width + QUIET_ZONE][i % width + QUIET_ZONE] = *color == Color::Dark;
    }
    Ok(rows)
}

/// `text` as a black-on-white QR code image.
pub fn image(text: &str) -> Result<Image> {
    let rows = modules(text)?;
    let side = rows.len() * MODULE_PIXELS;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side as u32, side as u32);
    let pixels = buffer.make_mut_slice();
    for (y, row) in rows.iter().enumerate() {
        for (x, dark) in row.iter().enumerate() {
            let value = if *dark { 0 } else { 255 };
            for dy in 0..MODULE_PIXELS {
                let start = (y * MODULE_PIXELS + dy) * side + x * MODULE_PIXELS;
                pixels[start..start + MODULE_PIXELS].fill(Rgb8Pixel::new(value, value, value));
            }
        }
    }
    Ok(Image::from_rgb8(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_has_its_quiet_zone_and_finder_patterns() {
        let rows = modules("https://dindukcapil.banyumaskab.go.id").unwrap();
        let n = rows.len();
        assert!(rows[0].iter().all(|dark| !dark), "top quiet zone");
        assert!(rows[n - 1].iter().all(|dark| !dark), "bottom quiet zone");
        // The top-left finder pattern starts right after the quiet zone.
        assert!(rows[QUIET_ZONE][QUIET_ZONE]);
        assert!(rows[QUIET_ZONE][QUIET_ZONE + 6]);
        assert!(!rows[QUIET_ZONE + 1][QUIET_ZONE + 1]);
    }

    #[test]
    fn image_is_square_and_scaled() {
        let rows = modules("https://example.go.id").unwrap();
        let image = image("https://example.go.id").unwrap();
        let size = image.size();
        assert_eq!(size.width, size.height);
        assert_eq!(size.width as usize, rows.len() * MODULE_PIXELS);
    }
}
