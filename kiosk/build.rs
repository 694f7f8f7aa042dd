//! Compiles the views. Translations (`lang/<locale>/LC_MESSAGES/kiosk.po`)
//! are bundled into the binary: the device needs no gettext files, and the
//! language switches at run time. Debug info lets the UI tests find
//! elements by id.

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("lang")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .with_debug_info(true);
    slint_build::compile_with_config("ui/app.slint", config).expect("the .slint views compile");
    println!("cargo:rerun-if-changed=lang");
}
