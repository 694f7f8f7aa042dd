//! Printing on ESC/POS thermal printers: documents laid out for 58 mm and
//! 80 mm paper, encoded with the `escpos` crate, read back by an
//! interpreter (for tests and pictures), and the three documents the kiosk
//! prints; kept in the spool before they are sent.

pub mod compose;
pub mod document;
pub mod documents;
pub mod encode;
pub mod interpret;
pub mod picture;
pub mod send;
pub mod spool;
pub mod transport;

pub use compose::Composer;
pub use document::{Align, Block, Document, Paper, Style};
pub use encode::to_escpos;
pub use interpret::{Printed, Printout, Unreadable, interpret};
pub use picture::to_png;
