//! The interface language: the domain's [`Lang`], plus switching Slint's
//! translations to it.

pub use anjungan::Lang;

/// Switches Slint's `@tr` strings. The `.slint` sources are written in
/// English (Slint's default language); Indonesian comes from
/// `lang/id/LC_MESSAGES/kiosk.po`, bundled at build time.
pub fn select_translation(lang: Lang) {
    // Only fails when no component exists yet or the language is not
    // bundled; both are programming errors caught by the UI tests.
    if let Err(e) = slint::select_bundled_translation(lang.code()) {
        eprintln!("anjungan-kiosk: cannot switch the interface to {lang}: {e}");
    }
}
