//! The kiosk's views driven through Slint's testing backend, flow by flow
//! as a citizen taps them. One test binary (each links Slint and the
//! backend, slow to link) and one platform per process (Slint's platform
//! is set once), so `main` (`harness = false`) installs the backend and
//! runs the flows in turn, each in a window of its own; a failing flow
//! panics after its name is printed. The idle and print flows count the
//! backend's mocked time; a flow's timers end with its window.

mod catalog;
mod common;
mod idle;
mod navigation;
mod print;
mod screen_hours;
mod search;
mod voice;

fn main() {
    common::init();
    let flows: [(&str, fn()); 8] = [
        (
            "navigation",
            navigation::tap_home_category_service_back_and_switch_language,
        ),
        ("search", search::type_on_the_keyboard_and_open_a_result),
        (
            "catalog",
            catalog::a_new_catalog_is_swapped_in_and_a_gone_service_goes_home,
        ),
        ("idle", idle::idle_reset_counts_down_then_clears_everything),
        (
            "print",
            print::print_take_numbers_survive_paper_out_and_call_staff,
        ),
        (
            "screen hours",
            screen_hours::dark_outside_the_hours_and_the_waking_touch_presses_nothing,
        ),
        (
            "screen hours at start",
            screen_hours::started_outside_the_hours_it_is_dark_at_once,
        ),
        (
            "voice",
            voice::survey_and_complaint_with_their_reference_on_paper,
        ),
    ];
    for (name, flow) in flows {
        eprintln!("ui flow {name} ...");
        flow();
        eprintln!("ui flow {name} ok");
    }
}
