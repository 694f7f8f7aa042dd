//! A printed document as lines of a thermal receipt: what to print and how,
//! independent of the printer's byte protocol. Wrapping happens here, so no
//! line is ever wider than the paper.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Paper width. Font A on a thermal printer is 12 dots wide: 384 dots of
/// 58 mm paper hold 32 characters, 576 dots of 80 mm paper hold 48.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    Mm58,
    Mm80,
}

impl Paper {
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    /// Printable width in dots, for the picture of a printout.
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }

    pub fn from_mm(mm: u32) -> Option<Paper> {
        match mm {
            58 => Some(Paper::Mm58),
            80 => Some(Paper::Mm80),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// How one line is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub align: Align,
    pub bold: bool,
    /// Character magnification, 1 to 8 each way.
    pub width: u8,
    pub height: u8,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            align: Align::Left,
            bold: false,
            width: 1,
            height: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One printed line, already no wider than the paper at its size.
    Line {
        text: String,
        style: Style,
    },
    /// A QR code, centred; `module` is the dot size of one QR module.
    Qr {
        data: String,
        module: u8,
    },
    Feed(u8),
    Cut,
}

/// A document being laid out for one paper width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub paper: Paper,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn new(paper: Paper) -> Document {
        Document {
            paper,
            blocks: Vec::new(),
        }
    }

    fn columns_at(&self, style: Style) -> usize {
        (self.paper.columns() / usize::from(style.width.max(1))).max(1)
    }

    /// `text` wrapped at word boundaries to the paper at `style`'s size.
    pub fn text(&mut self, text: &str, style: Style) -> &mut Self {
        self.hanging(text, "", style)
    }

    /// Wrapped text whose first line starts with `lead` ("[ ] ", "1. ") and
    /// whose next lines are indented under the text, as a checklist reads.
    pub fn hanging(&mut self, text: &str, lead: &str, style: Style) -> &mut Self {
        let columns = self.columns_at(style);
        let lead = printable(lead);
        let indent = lead.chars().count().min(columns / 2);
        for (i, line) in wrap(&printable(text), columns - indent)
            .into_iter()
            .enumerate()
        {
            let prefix = if i == 0 {
                lead.clone()
            } else {
                " ".repeat(indent)
            };
            self.blocks.push(Block::Line {
                text: format!("{prefix}{line}"),
                style,
            });
        }
        self
    }

    /// `label: value` with the value wrapped under the label when long.
    pub fn field(&mut self, label: &str, value: &str) -> &mut Self {
        let bold = Style {
            bold: true,
            ..Style::default()
        };
        self.text(label, bold);
        self.hanging(value, "  ", Style::default())
    }

    /// A full-width rule.
    pub fn rule(&mut self) -> &mut Self {
        let columns = self.paper.columns();
        self.blocks.push(Block::Line {
            text: "-".repeat(columns),
            style: Style::default(),
        });
        self
    }

    pub fn qr(&mut self, data: &str, module: u8) -> &mut Self {
        self.blocks.push(Block::Qr {
            data: data.to_owned(),
            module,
        });
        self
    }

    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.blocks.push(Block::Feed(lines));
        self
    }

    pub fn cut(&mut self) -> &mut Self {
        self.blocks.push(Block::Cut);
        self
    }
}

/// Text a thermal printer's code page can print: accents folded (`é` →
/// `e`), anything else outside ASCII as `?`, control characters dropped.
pub fn printable(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\u{2022}' => '*',
            c if c.is_ascii() => c,
            c if c.is_whitespace() => ' ',
            _ => '?',
        })
        .filter(|c| !c.is_ascii_control() || *c == ' ')
        .collect()
}

/// Greedy word wrap; a word longer than a line is cut.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word;
        loop {
            let used = line.chars().count();
            let need = word.chars().count() + usize::from(used > 0);
            if used + need <= columns {
                if used > 0 {
                    line.push(' ');
                }
                line.push_str(word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than the whole line.
            let cut = word
                .char_indices()
                .nth(columns)
                .map_or(word.len(), |(i, _)| i);
            lines.push(word[..cut].to_owned());
            word = &word[cut..];
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_word_boundaries() {
        let text = "Fotokopi Kartu Keluarga dan KTP-el kedua orang tua yang masih berlaku";
        let lines = wrap(text, 32);
        assert!(lines.iter().all(|l| l.chars().count() <= 32), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(
            wrap(&"x".repeat(25), 10),
            ["x".repeat(10), "x".repeat(10), "x".repeat(5)]
        );
    }

    #[test]
    fn hanging_indent_stays_within_the_paper() {
        let mut d = Document::new(Paper::Mm58);
        d.hanging(
            "Surat pengantar dari RT/RW dan kelurahan tempat tinggal pemohon",
            "[ ] ",
            Style::default(),
        );
        let lines: Vec<&str> = d
            .blocks
            .iter()
            .map(|b| match b {
                Block::Line { text, .. } => text.as_str(),
                _ => "",
            })
            .collect();
        assert!(lines[0].starts_with("[ ] Surat"));
        assert!(lines[1].starts_with("    "));
        assert!(lines.iter().all(|l| l.chars().count() <= 32));
    }

    #[test]
    fn double_width_halves_the_columns() {
        let mut d = Document::new(Paper::Mm58);
        let big = Style {
            width: 2,
            height: 2,
            ..Style::default()
        };
        d.text("Penggantian KTP-el hilang atau rusak", big);
        for b in &d.blocks {
            if let Block::Line { text, .. } = b {
                assert!(text.chars().count() <= 16, "{text}");
            }
        }
    }

    #[test]
    fn printable_folds_what_the_code_page_lacks() {
        assert_eq!(
            printable("Café “Bandung” – 5 km"),
            "Cafe \"Bandung\" - 5 km"
        );
        assert_eq!(printable("日本"), "??");
        assert_eq!(printable("a\u{7}b"), "ab");
    }
}
