//! QR codes as inline SVG for the portal's pages: markup in the page
//! itself, so it shows in a sign-in window that loads nothing else and
//! under the page's `default-src 'none'`.

use maud::{Markup, PreEscaped};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Pixels per module in the SVG's own coordinates; the page sizes it.
const MODULE: u32 = 4;

/// `text` as a black-on-white QR code with its quiet zone, `label` as its
/// accessible name; `None` for text too long for any QR code.
pub fn svg(text: &str, label: &str) -> Option<Markup> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(MODULE, MODULE)
        .build();
    // The renderer writes a standalone document; in HTML the XML
    // declaration is noise, and the element needs its name for screen
    // readers. The rest is the crate's own output: digits and fixed words,
    // nothing of `text`.
    let element = image.find("<svg")?;
    let named = image[element..].replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" class=\"qr\" ",
            maud::html!((label)).into_string()
        ),
        1,
    );
    Some(PreEscaped(named))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dark modules of the SVG back as a grid: the path is a run of
    /// `M{x} {y}h{w}v{h}H{x}V{y}` rectangles.
    fn grid(svg: &str) -> (usize, Vec<Vec<bool>>) {
        let width: usize = svg
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse().ok())
            .expect("a width");
        let m = MODULE as usize;
        let side = width / m;
        let mut cells = vec![vec![false; side]; side];
        let path = svg.split(" d=\"").nth(1).expect("a path");
        let path = &path[..path.find('"').expect("the path ends")];
        for rect in path.split('M').filter(|r| !r.is_empty()) {
            let nums: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let (x, y, w, h) = (nums[0], nums[1], nums[2], nums[3]);
            for row in cells.iter_mut().skip(y / m).take(h / m) {
                for cell in row.iter_mut().skip(x / m).take(w / m) {
                    *cell = true;
                }
            }
        }
        (side, cells)
    }

    #[test]
    fn the_code_reads_back_as_its_text() {
        let markup = svg("https://www.lapor.go.id/", "LAPOR!").unwrap().0;
        assert!(markup.starts_with("<svg role=\"img\" aria-label=\"LAPOR!\""));
        let (side, cells) = grid(&markup);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            if cells[y][x] { 0 } else { 255 }
        });
        let found = image.detect_grids();
        assert_eq!(found.len(), 1);
        let (_, content) = found[0].decode().unwrap();
        assert_eq!(content, "https://www.lapor.go.id/");
    }

    #[test]
    fn the_label_is_escaped() {
        let markup = svg("x", "\"><script>").unwrap().0;
        assert!(!markup.contains("<script>"), "{markup}");
        assert!(markup.contains("&quot;&gt;&lt;script&gt;"), "{markup}");
    }
}
