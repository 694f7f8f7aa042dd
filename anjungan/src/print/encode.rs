//! A document to the ESC/POS bytes a thermal printer gets, through the
//! `escpos` crate, captured in memory so the same bytes can go to a file, a
//! socket, a serial port or USB, or be checked in a test.

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use super::document::{Align, Block, Document};

/// Collects what the printer would be sent.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// The exact bytes of `document`.
pub fn to_escpos(document: &Document) -> Vec<u8> {
    let capture = Capture::default();
    encode(document, capture.clone()).expect("encoding into memory cannot fail for printable text");
    capture.0.take()
}

fn encode(document: &Document, capture: Capture) -> escpos::errors::Result<()> {
    let mut p = Printer::new(capture, Protocol::default(), None);
    p.init()?;
    for block in &document.blocks {
        match block {
            Block::Line { text, style } => {
                p.justify(match style.align {
                    Align::Left => JustifyMode::LEFT,
                    Align::Center => JustifyMode::CENTER,
                    Align::Right => JustifyMode::RIGHT,
                })?;
                p.bold(style.bold)?;
                p.size(style.width, style.height)?;
                p.writeln(text)?;
                if style.bold {
                    p.bold(false)?;
                }
                if (style.width, style.height) != (1, 1) {
                    p.reset_size()?;
                }
            }
            Block::Qr { data, module } => {
                p.justify(JustifyMode::CENTER)?;
                p.qrcode_option(
                    data,
                    QRCodeOption::new(QRCodeModel::Model2, *module, QRCodeCorrectionLevel::M),
                )?;
                p.justify(JustifyMode::LEFT)?;
            }
            Block::Feed(n) => {
                p.feeds(*n)?;
            }
            Block::Cut => {
                p.feeds(3)?;
                p.cut()?;
            }
        }
    }
    p.print()?;
    Ok(())
}
