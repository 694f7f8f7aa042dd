//! `ComplaintAdapter`: the complaint form's step, what was typed, the
//! reference once sent, a look-up's answer; categories and statuses in
//! the citizen's language (the domain's words).

use anjungan::voice::complaint::Category;
use slint::{ComponentHandle, SharedString};

use super::{Scene, model};
use crate::complaint::{self, Lookup, Problem, Step};
use crate::controller::{Bind, Kiosk};
use crate::session::Session;
use crate::ui::{ComplaintAdapter, ComplaintProblem, ComplaintStep, KioskWindow, LookupState};

pub fn bind(w: &KioskWindow, b: &Bind) {
    let c = w.global::<ComplaintAdapter>();
    c.on_start(b.on(|k| k.update(|s| s.start_complaint(None))));
    c.on_choose_category(b.number(|k, i| {
        if let Ok(i) = usize::try_from(i) {
            k.update(|s| s.complaint.choose_category(i))
        }
    }));
    c.on_forget_service(b.on(|k| k.update(|s| s.complaint.forget_service())));
    c.on_key(b.with(|k, key| k.update_if(|s| s.complaint.type_key(&key))));
    c.on_backspace(b.on(|k| k.update_if(|s| s.complaint.backspace())));
    c.on_clear(b.on(|k| k.update_if(|s| s.complaint.clear())));
    c.on_next(b.on(|k| k.update(|s| s.complaint.next())));
    c.on_set_consent(b.flag(|s: &mut Session, on| s.complaint.set_consent(on)));
    c.on_send(b.on(Kiosk::send_complaint));
    c.on_open_lookup(b.on(|k| k.update(|s| s.complaint.open_lookup())));
    c.on_look_up(b.on(Kiosk::look_up_complaint));
}

pub fn render(w: &KioskWindow, scene: &Scene) {
    let (form, lang) = (&scene.session.complaint, scene.session.lang);
    let c = w.global::<ComplaintAdapter>();
    c.set_step(match form.step {
        Step::Category => ComplaintStep::Category,
        Step::Write => ComplaintStep::Write,
        Step::Contact => ComplaintStep::Contact,
        Step::Sent => ComplaintStep::Sent,
        Step::Lookup => ComplaintStep::Lookup,
        Step::Limit => ComplaintStep::Limit,
    });
    c.set_service(
        form.service
            .as_deref()
            .and_then(|id| scene.catalog.service(id))
            .map(|s| s.name.get(lang.code()).to_string())
            .unwrap_or_default()
            .into(),
    );
    c.set_categories(model(
        Category::ALL
            .iter()
            .map(|c| SharedString::from(c.label(lang)))
            .collect(),
    ));
    c.set_category(
        form.category
            .map(|c| c.label(lang))
            .unwrap_or_default()
            .into(),
    );
    c.set_text(form.text.as_str().into());
    c.set_text_left(complaint::MAX_TEXT.saturating_sub(form.text.chars().count()) as i32);
    c.set_contact(form.contact.as_str().into());
    c.set_consent(form.consent);
    c.set_problem(match form.problem {
        None => ComplaintProblem::None,
        Some(Problem::Empty) => ComplaintProblem::Empty,
        Some(Problem::Contact) => ComplaintProblem::Contact,
        Some(Problem::Consent) => ComplaintProblem::Consent,
    });
    c.set_reference(form.reference.as_deref().unwrap_or_default().into());
    c.set_typed(form.typed.as_str().into());
    let (state, found, status, note) = match &form.lookup {
        Lookup::Typing => (LookupState::Typing, "", "", ""),
        Lookup::Asking => (LookupState::Asking, "", "", ""),
        Lookup::NotFound => (LookupState::NotFound, "", "", ""),
        Lookup::Broken => (LookupState::Broken, "", "", ""),
        Lookup::Found {
            reference,
            status,
            note,
        } => (
            LookupState::Found,
            reference.as_str(),
            status.label(lang),
            note.as_deref().unwrap_or_default(),
        ),
    };
    c.set_lookup(state);
    c.set_found_reference(found.into());
    c.set_status(status.into());
    c.set_note(note.into());
    c.set_lapor_qr(scene.lapor_qr.clone());
}
