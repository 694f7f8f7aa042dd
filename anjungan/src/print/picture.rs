//! A picture of a printout, as it would come out of a thermal printer:
//! 12 × 24-dot characters (font A), magnified as printed, QR codes drawn
//! module by module, cuts as dashed lines. For technicians and the README.

use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::ascii::FONT_10X20;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::text::{Baseline, Text};

use super::document::{Align, Paper};
use super::interpret::{Printed, Printout};

const CELL_W: u32 = 12;
const CELL_H: u32 = 24;
/// White margin around the paper's printable width.
const MARGIN: u32 = 16;

/// An 8-bit grey picture: 0 black, 255 white.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![255; (width * height) as usize],
        }
    }

    fn dot(&mut self, x: u32, y: u32) {
        if x < self.width && y < self.height {
            self.pixels[(y * self.width + x) as usize] = 0;
        }
    }

    fn block(&mut self, x: u32, y: u32, w: u32, h: u32) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.dot(xx, yy);
            }
        }
    }
}

/// Draws a glyph's pixels magnified `sx` × `sy` at an origin on the canvas.
struct Magnified<'a> {
    canvas: &'a mut Canvas,
    origin: (u32, u32),
    sx: u32,
    sy: u32,
}

impl OriginDimensions for Magnified<'_> {
    fn size(&self) -> Size {
        Size::new(self.canvas.width, self.canvas.height)
    }
}

impl DrawTarget for Magnified<'_> {
    type Color = BinaryColor;
    type Error = std::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        for Pixel(p, color) in pixels {
            if color == BinaryColor::On && p.x >= 0 && p.y >= 0 {
                let x = self.origin.0 + p.x as u32 * self.sx;
                let y = self.origin.1 + p.y as u32 * self.sy;
                self.canvas.block(x, y, self.sx, self.sy);
            }
        }
        Ok(())
    }
}

fn item_height(item: &Printed) -> u32 {
    match item {
        Printed::Line { style, .. } => CELL_H * u32::from(style.height.max(1)),
        Printed::Qr { data, module } => {
            qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
                .map(|q| (q.width() as u32 + 8) * u32::from(*module.max(&1)))
                .unwrap_or(CELL_H)
        }
        Printed::Cut => CELL_H,
    }
}

/// The printout drawn on paper of `paper`'s width, as PNG bytes.
pub fn to_png(printout: &Printout, paper: Paper) -> Vec<u8> {
    let width = paper.dots() + 2 * MARGIN;
    let height = printout.items.iter().map(item_height).sum::<u32>() + 2 * MARGIN;
    let mut canvas = Canvas::new(width, height);
    let mut y = MARGIN;
    let font = MonoTextStyle::new(&FONT_10X20, BinaryColor::On);
    for item in &printout.items {
        let h = item_height(item);
        match item {
            Printed::Line { text, style } => {
                let (sx, sy) = (
                    u32::from(style.width.max(1)),
                    u32::from(style.height.max(1)),
                );
                let used = text.chars().count() as u32 * CELL_W * sx;
                let x0 = MARGIN
                    + match style.align {
                        Align::Left => 0,
                        Align::Center => paper.dots().saturating_sub(used) / 2,
                        Align::Right => paper.dots().saturating_sub(used),
                    };
                for (i, c) in text.chars().enumerate() {
                    let x = x0 + i as u32 * CELL_W * sx + sx;
                    let mut buf = [0u8; 4];
                    let glyph = c.encode_utf8(&mut buf);
                    for dx in 0..=u32::from(style.bold) {
                        let mut target = Magnified {
                            canvas: &mut canvas,
                            origin: (x + dx, y + 2 * sy),
                            sx,
                            sy,
                        };
                        let _ = Text::with_baseline(glyph, Point::zero(), font, Baseline::Top)
                            .draw(&mut target);
                    }
                }
            }
            Printed::Qr { data, module } => {
                if let Ok(code) =
                    qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
                {
                    let m = u32::from(*module.max(&1));
                    let n = code.width() as u32;
                    let x0 = MARGIN + paper.dots().saturating_sub(n * m) / 2;
                    let colors = code.to_colors();
                    for (i, color) in colors.iter().enumerate() {
                        if *color == qrcode::Color::Dark {
                            let (cx, cy) = (i as u32 % n, i as u32 / n);
                            canvas.block(x0 + cx * m, y + 4 * m + cy * m, m, m);
                        }
                    }
                }
            }
            Printed::Cut => {
                let mid = y + CELL_H / 2;
                for x in (0..width).step_by(8) {
                    canvas.block(x, mid, 4, 1);
                }
            }
        }
        y += h;
    }
    encode_png(&canvas)
}

fn encode_png(canvas: &Canvas) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, canvas.width, canvas.height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .expect("writing a PNG header into memory");
    writer
        .write_image_data(&canvas.pixels)
        .expect("writing PNG data into memory");
    writer.finish().expect("finishing a PNG in memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::document::{Document, Style};
    use crate::print::encode::to_escpos;
    use crate::print::interpret::interpret;

    #[test]
    fn draws_a_png_of_the_paper_width() {
        let mut d = Document::new(Paper::Mm80);
        d.text("Antrean", Style::default())
            .qr("https://lapor.go.id", 4)
            .cut();
        let png = to_png(&interpret(&to_escpos(&d)).unwrap(), Paper::Mm80);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!(reader.info().width, 576 + 2 * MARGIN);
    }
}
