//! Survey answers, complaints and look-ups carried out, blocking: the
//! form's token, the form read (`forms`), the service checked against the
//! catalog, the rate limits, the device (for the survey), then the
//! database. A form that is refused for what it says costs no attempt, so a
//! visitor who forgot to tick the consent is not made to wait.

use std::net::IpAddr;
use std::time::Instant;

use anjungan::voice::complaint::{self, Progress, Reference};
use anjungan::voice::survey::{self, Once};

use super::forms::{ComplaintForm, LookupForm, SurveyForm};
use super::local;
use super::refusal::Refusal;
use crate::Result;
use crate::portal::{Portal, v4};

/// Records a survey answer: one per device per service per day.
pub fn survey(portal: &Portal, ip: IpAddr, form: &SurveyForm) -> Result<Result<(), Refusal>> {
    let now = portal.now();
    if !portal.csrf.check(&form.csrf, ip, now) {
        return Ok(Err(Refusal::StaleForm));
    }
    let response = match form.response() {
        Ok(r) => r,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !in_catalog(portal, response.service.as_deref()) {
        return Ok(Err(Refusal::UnknownService));
    }
    if !portal.voice.surveys.allow(ip, Instant::now()) {
        return Ok(Err(Refusal::TooManyAttempts));
    }
    let Some(mac) = v4(ip).and_then(|ip4| portal.neighbours.mac_of(ip4)) else {
        return Ok(Err(Refusal::NotIdentified));
    };
    let once = portal
        .voice
        .with_store(|store| survey::record_once(store, &response, mac, local(now)))?;
    Ok(match once {
        Once::Recorded(_) => {
            tracing::info!(answered = response.answers.answered(), service = ?response.service, "survey answer recorded");
            Ok(())
        }
        Once::AlreadyAnswered => Err(Refusal::AlreadyAnswered),
    })
}

/// Files a complaint; its reference.
pub fn complaint(
    portal: &Portal,
    ip: IpAddr,
    form: &ComplaintForm,
) -> Result<Result<Reference, Refusal>> {
    let now = portal.now();
    if !portal.csrf.check(&form.csrf, ip, now) {
        return Ok(Err(Refusal::StaleForm));
    }
    let draft = match form.draft() {
        Ok(d) => d,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let service = form.service.as_deref().filter(|s| !s.is_empty());
    if !in_catalog(portal, service) {
        return Ok(Err(Refusal::UnknownService));
    }
    let at = Instant::now();
    if !portal.voice.complaints.allow(ip, at) {
        return Ok(Err(Refusal::TooManyAttempts));
    }
    if !portal.voice.all_complaints.allow((), at) {
        return Ok(Err(Refusal::Busy));
    }
    let filed = portal
        .voice
        .with_store(|store| complaint::submit(store, &draft, local(now)))?;
    tracing::info!(reference = %filed.reference, "complaint received");
    Ok(Ok(filed.reference))
}

/// A complaint's progress by the reference typed.
pub fn look_up(
    portal: &Portal,
    ip: IpAddr,
    form: &LookupForm,
) -> Result<Result<Progress, Refusal>> {
    if !portal.csrf.check(&form.csrf, ip, portal.now()) {
        return Ok(Err(Refusal::StaleForm));
    }
    if !portal.voice.lookups.allow(ip, Instant::now()) {
        return Ok(Err(Refusal::TooManyAttempts));
    }
    let found = portal
        .voice
        .with_store(|store| complaint::look_up(store, &form.reference))?;
    Ok(found.ok_or(Refusal::ReferenceUnknown))
}

/// No service, or one the catalog in use has.
fn in_catalog(portal: &Portal, service: Option<&str>) -> bool {
    service.is_none_or(|id| portal.services().catalog.service(id).is_some())
}
