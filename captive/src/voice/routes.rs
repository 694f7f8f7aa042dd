//! The voice's HTTP side: `/survey`, `/complaint` and `/complaint/status`,
//! each a form (GET) and its submission (POST). Handlers read the request,
//! hand the work to `submit` off the async workers, and answer with a page
//! of `views`; no answer is a redirect.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anjungan::Lang;
use anjungan::voice::complaint::{Category, Progress};
use anjungan::voice::survey::{AgeBand, Education, Element, Occupation, Sex};
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::forms::{self, ComplaintForm, LookupForm, SurveyForm};
use super::picker::picker;
use super::refusal::Refusal;
use super::views::{self, Choice, ComplaintView, Field, Found, Question, SurveyView, Visitor};
use super::{local, submit};
use crate::Result;
use crate::portal::Portal;
use crate::routes::{page, pick_lang};

#[derive(Debug, Deserialize, Default)]
pub struct FormQuery {
    pub lang: Option<String>,
    /// The service the visitor came from.
    pub service: Option<String>,
    /// A search for the service.
    pub q: Option<String>,
}

/// `GET /survey`.
pub async fn survey(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<FormQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    survey_page(&portal, peer.ip(), lang, &q, None, None)
}

/// `POST /survey`.
pub async fn send_survey(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<SurveyForm>,
) -> Result<Response> {
    let lang = forms::lang(form.lang.as_deref());
    let ip = peer.ip();
    let (outcome, form) = {
        let portal = portal.clone();
        tokio::task::spawn_blocking(move || (submit::survey(&portal, ip, &form), form)).await?
    };
    Ok(match outcome? {
        Ok(()) => page(views::thanks_page(lang)),
        Err(refusal) => {
            let q = FormQuery {
                service: form.service.clone(),
                ..FormQuery::default()
            };
            survey_page(&portal, ip, lang, &q, Some(&form), Some(refusal))
        }
    })
}

fn survey_page(
    portal: &Portal,
    ip: IpAddr,
    lang: Lang,
    q: &FormQuery,
    sent: Option<&SurveyForm>,
    refusal: Option<Refusal>,
) -> Response {
    let csrf = portal.csrf.token(ip, portal.now());
    let questions: Vec<Question> = Element::ALL
        .into_iter()
        .map(|e| Question {
            number: e.number(),
            text: e.question(lang).to_owned(),
            words: e.answers(lang).map(str::to_owned),
        })
        .collect();
    let services = picker(
        &portal.services(),
        lang,
        q.q.as_deref(),
        q.service.as_deref(),
    );
    let status = refusal.as_ref().map_or(StatusCode::OK, Refusal::status);
    let markup = views::survey_page(&SurveyView {
        visitor: visitor(portal, ip, lang, &csrf),
        questions: &questions,
        profile: &profile_fields(lang),
        services: &services,
        sent,
        refusal,
    });
    (status, page(markup)).into_response()
}

/// The respondent's profile as the form asks it: the domain's code lists.
fn profile_fields(lang: Lang) -> Vec<Field> {
    fn field<T: Copy>(
        name: &'static str,
        label: &str,
        all: &[T],
        code: impl Fn(T) -> &'static str,
        words: impl Fn(T) -> &'static str,
    ) -> Field {
        Field {
            name,
            label: label.to_owned(),
            choices: all
                .iter()
                .map(|&v| Choice {
                    value: code(v).to_owned(),
                    label: words(v).to_owned(),
                })
                .collect(),
        }
    }
    vec![
        field(
            "sex",
            lang.choose("Jenis kelamin", "Sex"),
            Sex::ALL,
            Sex::code,
            |v| v.label(lang),
        ),
        field(
            "age",
            lang.choose("Umur", "Age"),
            AgeBand::ALL,
            AgeBand::code,
            |v| v.label(lang),
        ),
        field(
            "education",
            lang.choose("Pendidikan terakhir", "Education"),
            Education::ALL,
            Education::code,
            |v| v.label(lang),
        ),
        field(
            "occupation",
            lang.choose("Pekerjaan utama", "Occupation"),
            Occupation::ALL,
            Occupation::code,
            |v| v.label(lang),
        ),
    ]
}

/// `GET /complaint`.
pub async fn complaint(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<FormQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    complaint_page(
        &portal,
        peer.ip(),
        lang,
        &q,
        &ComplaintForm::default(),
        None,
    )
}

/// `POST /complaint`.
pub async fn send_complaint(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<ComplaintForm>,
) -> Result<Response> {
    let lang = forms::lang(form.lang.as_deref());
    let ip = peer.ip();
    let (outcome, form) = {
        let portal = portal.clone();
        tokio::task::spawn_blocking(move || (submit::complaint(&portal, ip, &form), form)).await?
    };
    Ok(match outcome? {
        Ok(reference) => {
            let csrf = portal.csrf.token(ip, portal.now());
            page(views::received_page(
                visitor(&portal, ip, lang, &csrf),
                &reference.to_string(),
            ))
        }
        Err(refusal) => {
            let q = FormQuery {
                service: form.service.clone(),
                ..FormQuery::default()
            };
            complaint_page(&portal, ip, lang, &q, &form, Some(refusal))
        }
    })
}

fn complaint_page(
    portal: &Portal,
    ip: IpAddr,
    lang: Lang,
    q: &FormQuery,
    typed: &ComplaintForm,
    refusal: Option<Refusal>,
) -> Response {
    let csrf = portal.csrf.token(ip, portal.now());
    let categories = Field {
        name: "category",
        label: lang.choose("Tentang apa?", "What is it about?").to_owned(),
        choices: Category::ALL
            .iter()
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: c.label(lang).to_owned(),
            })
            .collect(),
    };
    let services = picker(
        &portal.services(),
        lang,
        q.q.as_deref(),
        q.service.as_deref(),
    );
    let max = anjungan::voice::complaint::MAX_TEXT;
    let status = refusal.as_ref().map_or(StatusCode::OK, Refusal::status);
    let markup = views::complaint_page(&ComplaintView {
        visitor: visitor(portal, ip, lang, &csrf),
        categories: &categories,
        services: &services,
        max_text_chars: max,
        keep_contact_days: portal.voice.keep_contact_days,
        text: &forms::bounded(&typed.text, max),
        contact: &forms::bounded(typed.contact.as_deref().unwrap_or(""), 254),
        refusal,
    });
    (status, page(markup)).into_response()
}

/// `GET /complaint/status`.
pub async fn status(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<FormQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    status_page(&portal, peer.ip(), lang, "", None, None)
}

/// `POST /complaint/status`.
pub async fn look_up(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<LookupForm>,
) -> Result<Response> {
    let lang = forms::lang(form.lang.as_deref());
    let ip = peer.ip();
    let (outcome, form) = {
        let portal = portal.clone();
        tokio::task::spawn_blocking(move || (submit::look_up(&portal, ip, &form), form)).await?
    };
    let typed = forms::bounded(&form.reference, forms::MAX_REFERENCE_CHARS);
    Ok(match outcome? {
        Ok(progress) => status_page(&portal, ip, lang, &typed, Some(&progress), None),
        Err(refusal) => status_page(&portal, ip, lang, &typed, None, Some(refusal)),
    })
}

fn status_page(
    portal: &Portal,
    ip: IpAddr,
    lang: Lang,
    typed: &str,
    progress: Option<&Progress>,
    refusal: Option<Refusal>,
) -> Response {
    let csrf = portal.csrf.token(ip, portal.now());
    let reference = progress.map(|p| p.reference.to_string());
    let received = progress.map(|p| local_date(&p.created_at));
    let found = progress
        .zip(reference.as_deref())
        .zip(received.as_deref())
        .map(|((p, reference), received)| Found {
            reference,
            status: p.status.label(lang),
            note: p.note.as_deref(),
            received,
        });
    let status = refusal.as_ref().map_or(StatusCode::OK, Refusal::status);
    let markup = views::status_page(
        visitor(portal, ip, lang, &csrf),
        typed,
        found.as_ref(),
        refusal.as_ref(),
    );
    (status, page(markup)).into_response()
}

fn visitor<'a>(portal: &Portal, ip: IpAddr, lang: Lang, csrf: &'a str) -> Visitor<'a> {
    Visitor {
        lang,
        csrf,
        joined: portal.joined(ip).is_some(),
    }
}

/// An RFC 3339 moment of the database as the device's local date and time.
fn local_date(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| local(t.timestamp()).format("%d-%m-%Y %H.%M").to_string())
        .unwrap_or_else(|_| at.to_owned())
}
