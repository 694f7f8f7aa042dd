//! `ServiceAdapter`: one service's page.

use slint::{ComponentHandle, Image};

use super::{Scene, strings};
use crate::controller::{Bind, Kiosk};
use crate::pages::{self, Status};
use crate::qr;
use crate::ui::{KioskWindow, OfficeStatus, ServiceAdapter};

pub fn bind(w: &KioskWindow, b: &Bind) {
    let s = w.global::<ServiceAdapter>();
    s.on_print(b.on(Kiosk::print_receipt));
    s.on_take_number(b.on(Kiosk::take_number));
    s.on_survey(b.on(Kiosk::survey_service));
    s.on_complain(b.on(Kiosk::complain_about_service));
}

/// False when the catalog cannot show service `id`.
pub fn render(w: &KioskWindow, scene: &Scene, id: &str) -> bool {
    let Ok(page) = pages::service_page(scene.catalog, id, scene.now, scene.session.lang) else {
        return false;
    };
    let s = w.global::<ServiceAdapter>();
    s.set_id(page.id.as_str().into());
    s.set_name(page.name.as_str().into());
    s.set_summary(page.summary.as_str().into());
    s.set_category(page.category.as_str().into());
    s.set_requirements(strings(&page.requirements));
    s.set_procedure(strings(&page.procedure));
    s.set_duration(page.duration.as_str().into());
    s.set_has_fee(page.fee.is_some());
    s.set_free(matches!(page.fee, Some(None)));
    s.set_fee_amount(page.fee.clone().flatten().unwrap_or_default().into());
    s.set_fee_note(page.fee_note.as_str().into());
    s.set_product(page.product.as_str().into());
    s.set_complaints(page.complaints.as_str().into());
    s.set_office_name(page.office_name.as_str().into());
    s.set_office_address(page.office_address.as_str().into());
    s.set_office_phone(page.office_phone.as_str().into());
    let (status, time, weekday) = match &page.status {
        Status::Unknown => (OfficeStatus::Unknown, String::new(), -1),
        Status::OpenUntil(t) => (OfficeStatus::Open, t.clone(), -1),
        Status::Closed { opens: None } => (OfficeStatus::Closed, String::new(), -1),
        Status::Closed {
            opens: Some((day, t)),
        } => (
            OfficeStatus::Closed,
            t.clone(),
            day.map_or(-1, |d| d as i32),
        ),
    };
    s.set_status(status);
    s.set_status_time(time.into());
    s.set_status_weekday(weekday);
    s.set_online_url(page.online_url.as_str().into());
    s.set_online_url_text(
        page.online_url
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .into(),
    );
    // A bad address shows no code rather than no page.
    let code = if page.online_url.is_empty() {
        Image::default()
    } else {
        qr::image(&page.online_url).unwrap_or_default()
    };
    s.set_online_qr(code);
    s.set_has_queue(
        scene
            .catalog
            .service(id)
            .is_some_and(|s| s.queue_prefix.is_some()),
    );
    true
}
