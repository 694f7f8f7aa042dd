//! Reading ESC/POS bytes back as a printer would print them: lines with
//! their alignment, emphasis and size, QR codes with their contents, cuts.
//!
//! Tests check receipts through this, i.e. what comes out of the printer,
//! not the structures that produced the bytes; `anjungan receipt --png`
//! draws from it.

use super::document::{Align, Paper, Style};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    Line { text: String, style: Style },
    Qr { data: String, module: u8 },
    Cut,
}

/// What a printer does with a stream of bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Printout {
    pub items: Vec<Printed>,
}

/// A byte stream the interpreter does not understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset}: {message}")]
pub struct Unreadable {
    pub offset: usize,
    pub message: String,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self, what: &str) -> Result<u8, Unreadable> {
        let b = self.bytes.get(self.at).copied().ok_or_else(|| Unreadable {
            offset: self.at,
            message: format!("the stream ends inside {what}"),
        })?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], Unreadable> {
        if self.at + n > self.bytes.len() {
            return Err(Unreadable {
                offset: self.at,
                message: format!("the stream ends inside {what}"),
            });
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
}

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const DLE: u8 = 0x10;
const LF: u8 = 0x0a;

/// Interprets `bytes` as an ESC/POS printer does.
pub fn interpret(bytes: &[u8]) -> Result<Printout, Unreadable> {
    let mut r = Reader { bytes, at: 0 };
    let mut out = Printout::default();
    let mut style = Style::default();
    let mut line = String::new();
    let mut qr_data: Option<String> = None;
    let mut qr_module = 3u8;

    let flush = |out: &mut Printout, line: &mut String, style: Style| {
        out.items.push(Printed::Line {
            text: std::mem::take(line),
            style,
        });
    };

    while r.at < bytes.len() {
        let start = r.at;
        let b = r.byte("text")?;
        match b {
            LF => flush(&mut out, &mut line, style),
            b'\r' | b'\t' => {}
            ESC => {
                let cmd = r.byte("an ESC command")?;
                match cmd {
                    b'@' => style = Style::default(),
                    b'E' | b'G' => style.bold = r.byte("ESC E")? & 1 == 1,
                    b'-' | b't' | b'M' | b'3' | b'J' | b'e' | b'V' | b'{' | b'c' => {
                        r.byte("an ESC command's argument")?;
                    }
                    b'2' => {}
                    b'a' => {
                        style.align = match r.byte("ESC a")? {
                            0 | b'0' => Align::Left,
                            1 | b'1' => Align::Center,
                            2 | b'2' => Align::Right,
                            n => {
                                return Err(Unreadable {
                                    offset: start,
                                    message: format!("ESC a {n} is not an alignment"),
                                });
                            }
                        }
                    }
                    b'!' => {
                        let n = r.byte("ESC !")?;
                        style.bold = n & 0x08 != 0;
                        style.height = if n & 0x10 != 0 { 2 } else { 1 };
                        style.width = if n & 0x20 != 0 { 2 } else { 1 };
                    }
                    b'd' => {
                        let n = r.byte("ESC d")?;
                        flush(&mut out, &mut line, style);
                        for _ in 1..n {
                            flush(&mut out, &mut line, style);
                        }
                    }
                    other => {
                        return Err(Unreadable {
                            offset: start,
                            message: format!("unknown command ESC 0x{other:02x}"),
                        });
                    }
                }
            }
            GS => {
                let cmd = r.byte("a GS command")?;
                match cmd {
                    b'!' => {
                        let n = r.byte("GS !")?;
                        style.width = (n >> 4) + 1;
                        style.height = (n & 0x0f) + 1;
                    }
                    b'B' | b'b' => {
                        r.byte("a GS command's argument")?;
                    }
                    b'V' => {
                        let m = r.byte("GS V")?;
                        if matches!(m, 65 | 66) {
                            r.byte("GS V's feed")?;
                        }
                        if !line.is_empty() {
                            flush(&mut out, &mut line, style);
                        }
                        out.items.push(Printed::Cut);
                    }
                    b'(' => {
                        let fn_kind = r.byte("GS (")?;
                        let len = r.take(2, "GS ( length")?;
                        let len = usize::from(len[0]) | usize::from(len[1]) << 8;
                        let body = r.take(len, "GS ( data")?.to_vec();
                        if fn_kind != b'k' || body.len() < 2 {
                            continue; // other GS ( functions set options only
                        }
                        let (cn, function) = (body[0], body[1]);
                        if cn != 49 {
                            continue; // not a QR code (PDF417 and others)
                        }
                        match function {
                            67 if body.len() >= 3 => qr_module = body[2],
                            80 if body.len() >= 3 => {
                                qr_data = Some(String::from_utf8_lossy(&body[3..]).into_owned());
                            }
                            81 => {
                                let data = qr_data.take().ok_or_else(|| Unreadable {
                                    offset: start,
                                    message: "a QR code is printed before its data was stored"
                                        .into(),
                                })?;
                                out.items.push(Printed::Qr {
                                    data,
                                    module: qr_module,
                                });
                            }
                            _ => {}
                        }
                    }
                    other => {
                        return Err(Unreadable {
                            offset: start,
                            message: format!("unknown command GS 0x{other:02x}"),
                        });
                    }
                }
            }
            DLE => {
                // DLE EOT n: a status request; it prints nothing.
                r.take(2, "DLE EOT")?;
            }
            0x20..=0x7e => line.push(char::from(b)),
            0x80..=0xff => line.push('?'),
            other => {
                return Err(Unreadable {
                    offset: start,
                    message: format!("unexpected control byte 0x{other:02x}"),
                });
            }
        }
    }
    if !line.is_empty() {
        flush(&mut out, &mut line, style);
    }
    Ok(out)
}

impl Printout {
    /// The printout as plain text, each line placed on the paper as its
    /// alignment puts it (magnified characters take their width twice).
    /// QR codes show as `[QR: data]`, cuts as a line of `✂`.
    pub fn text(&self, paper: Paper) -> String {
        let mut out = String::new();
        for item in &self.items {
            match item {
                Printed::Line { text, .. } if text.is_empty() => {}
                Printed::Line { text, style } => {
                    let columns = paper.columns() / usize::from(style.width.max(1));
                    let len = text.chars().count();
                    let pad = match style.align {
                        Align::Left => 0,
                        Align::Center => columns.saturating_sub(len) / 2,
                        Align::Right => columns.saturating_sub(len),
                    };
                    out.push_str(&" ".repeat(pad));
                    out.push_str(text);
                }
                Printed::Qr { data, .. } => {
                    out.push_str("[QR: ");
                    out.push_str(data);
                    out.push(']');
                }
                Printed::Cut => out.push_str(&"✂".repeat(paper.columns())),
            }
            out.push('\n');
        }
        out
    }

    /// The widest line in characters of the paper's normal font.
    pub fn widest_line(&self) -> usize {
        self.items
            .iter()
            .filter_map(|i| match i {
                Printed::Line { text, style } => {
                    Some(text.chars().count() * usize::from(style.width.max(1)))
                }
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    pub fn qr_codes(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Printed::Qr { data, .. } => Some(data.as_str()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::document::Document;
    use crate::print::encode::to_escpos;

    #[test]
    fn reads_back_what_was_encoded() {
        let mut d = Document::new(Paper::Mm58);
        let big = Style {
            align: Align::Center,
            bold: true,
            width: 2,
            height: 2,
        };
        d.text("A001", big)
            .text("Akta kelahiran", Style::default())
            .qr("https://dukcapil.banyumaskab.go.id", 4)
            .cut();
        let printout = interpret(&to_escpos(&d)).unwrap();
        assert_eq!(
            printout.items[0],
            Printed::Line {
                text: "A001".into(),
                style: big
            }
        );
        assert_eq!(
            printout.items[1],
            Printed::Line {
                text: "Akta kelahiran".into(),
                style: Style::default()
            }
        );
        assert_eq!(printout.qr_codes(), ["https://dukcapil.banyumaskab.go.id"]);
        assert_eq!(printout.items.last(), Some(&Printed::Cut));
        let text = printout.text(Paper::Mm58);
        assert!(text.starts_with("      A001\n"), "{text}");
    }

    #[test]
    fn truncated_and_unknown_streams_are_reported() {
        assert!(interpret(&[ESC]).is_err());
        assert!(interpret(&[GS, b'(', b'k', 10, 0, 49]).is_err());
        assert!(
            interpret(&[ESC, 0x7f])
                .unwrap_err()
                .message
                .contains("ESC 0x7f")
        );
        assert!(interpret(&[0x01]).is_err());
    }
}
