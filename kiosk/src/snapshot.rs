//! Headless snapshots: any screen rendered to a PNG of an exact size with
//! Slint's software renderer and no display, for technicians previewing a
//! catalog, for the README, and for the snapshot tests.

use std::cell::OnceCell;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::rc::Rc;
use std::str::FromStr;

use anjungan::catalog::Catalog;
use anjungan::print::transport::Fault;
use anjungan::queue::PrefixStatus;
use slint::platform::software_renderer::{
    MinimalSoftwareWindow, RepaintBufferType, SoftwareRenderer,
};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, Rgb8Pixel};

use anjungan::voice::complaint::{Category, Status};

use crate::complaint::Lookup;
use crate::controller::{Kiosk, Settings};
use crate::lang::Lang;
use crate::paper::{Number, Printing, Slip};
use crate::session::Session;
use crate::survey::Survey;
use crate::ui::{KioskAdapter, KioskWindow};
use crate::{Error, Result};

/// Which screen to render: `home`, `search:QUERY`, `category:ID`,
/// `service:ID`; or a service with the card after taking a queue number
/// (`ticket:ID`) or after the printer ran out of paper (`paper-out:ID`),
/// with a sample number; the survey (`survey:1`..`survey:9`,
/// `survey:about[:1..4]`, `survey:thanks`) and the complaint screens
/// (`complaint`, `complaint:write`, `complaint:contact`, `complaint:sent`,
/// `complaint:lookup`), with sample text; `off`: the dark screen outside
/// `[kiosk] screen_hours`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Home,
    Off,
    Attract,
    Search(String),
    Category(String),
    Service(String),
    Ticket(String),
    PaperOut(String),
    Survey(SurveyPage),
    Complaint(ComplaintPage),
}

/// A screen of the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyPage {
    /// Element 1 to 9.
    Element(u8),
    /// Question 1 to 4 about the respondent.
    About(u8),
    Thanks,
}

/// A step of the complaint form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintPage {
    Category,
    Write,
    Contact,
    Sent,
    Lookup,
}

const SCREENS: &str = "use home, off, attract, search:QUERY, category:ID, service:ID, ticket:ID, paper-out:ID, survey:1..9, survey:about[:1..4], survey:thanks, complaint, complaint:write, complaint:contact, complaint:sent or complaint:lookup";

impl FromStr for Target {
    type Err = Error;
    fn from_str(s: &str) -> Result<Target> {
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        match (kind, arg) {
            ("home", "") => Ok(Target::Home),
            ("off", "") => Ok(Target::Off),
            ("attract", "") => Ok(Target::Attract),
            ("search", q) => Ok(Target::Search(q.to_string())),
            ("category", id) if !id.is_empty() => Ok(Target::Category(id.to_string())),
            ("service", id) if !id.is_empty() => Ok(Target::Service(id.to_string())),
            ("ticket", id) if !id.is_empty() => Ok(Target::Ticket(id.to_string())),
            ("paper-out", id) if !id.is_empty() => Ok(Target::PaperOut(id.to_string())),
            ("survey", "about") => Ok(Target::Survey(SurveyPage::About(1))),
            ("survey", about) if about.starts_with("about:") => {
                match about["about:".len()..].parse::<u8>() {
                    Ok(n @ 1..=4) => Ok(Target::Survey(SurveyPage::About(n))),
                    _ => Err(Error::BadArgument(format!(
                        "unknown survey screen \"{s}\"; {SCREENS}"
                    ))),
                }
            }
            ("survey", "thanks") => Ok(Target::Survey(SurveyPage::Thanks)),
            ("survey", n) => match n.parse::<u8>() {
                Ok(n @ 1..=9) => Ok(Target::Survey(SurveyPage::Element(n))),
                _ => Err(Error::BadArgument(format!(
                    "unknown survey screen \"{s}\"; {SCREENS}"
                ))),
            },
            ("complaint", "") => Ok(Target::Complaint(ComplaintPage::Category)),
            ("complaint", "write") => Ok(Target::Complaint(ComplaintPage::Write)),
            ("complaint", "contact") => Ok(Target::Complaint(ComplaintPage::Contact)),
            ("complaint", "sent") => Ok(Target::Complaint(ComplaintPage::Sent)),
            ("complaint", "lookup") => Ok(Target::Complaint(ComplaintPage::Lookup)),
            _ => Err(Error::BadArgument(format!(
                "unknown screen \"{s}\"; {SCREENS}"
            ))),
        }
    }
}

/// A size `WxH` in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl FromStr for Size {
    type Err = Error;
    fn from_str(s: &str) -> Result<Size> {
        let bad = || {
            Error::BadArgument(format!(
                "bad size \"{s}\"; write WIDTHxHEIGHT, such as 1280x800"
            ))
        };
        let (w, h) = s.split_once('x').ok_or_else(bad)?;
        let (width, height) = (
            w.parse::<u32>().map_err(|_| bad())?,
            h.parse::<u32>().map_err(|_| bad())?,
        );
        if !(200..=8192).contains(&width) || !(200..=8192).contains(&height) {
            return Err(Error::BadArgument(format!(
                "size \"{s}\" is out of range; each side must be 200 to 8192 pixels"
            )));
        }
        Ok(Size { width, height })
    }
}

/// One snapshot to take.
#[derive(Debug, Clone)]
pub struct Request {
    pub target: Target,
    pub lang: Lang,
    pub size: Size,
    pub large_text: bool,
    pub high_contrast: bool,
}

impl Request {
    /// The session that shows this screen, as if a citizen had gone there.
    /// Unknown ids are refused rather than silently rendering home.
    fn session_change(&self, catalog: &Catalog) -> Result<impl FnOnce(&mut Session) + use<>> {
        match &self.target {
            Target::Category(id) if catalog.category(id).is_none() => {
                return Err(Error::UnknownCategory(id.clone()));
            }
            Target::Service(id) | Target::Ticket(id) | Target::PaperOut(id)
                if catalog.service(id).is_none() =>
            {
                return Err(Error::UnknownService(id.clone()));
            }
            _ => {}
        }
        // A sample number of the service's own queue (a service without
        // one takes no numbers, so has no such card).
        let sample = match &self.target {
            Target::Ticket(id) | Target::PaperOut(id) => {
                let (_, prefix) = anjungan::print::compose::queue(catalog, id)?;
                Slip::Ticket(Number {
                    number: format!("{prefix}007"),
                    waiting_ahead: 3,
                })
            }
            _ => Slip::Receipt,
        };
        let request = self.clone();
        Ok(move |s: &mut Session| {
            s.lang = request.lang;
            s.large_text = request.large_text;
            s.high_contrast = request.high_contrast;
            match request.target {
                Target::Home | Target::Off => s.home(),
                Target::Attract => s.reset(),
                Target::Search(q) => {
                    s.open_search();
                    for c in q.chars() {
                        s.type_key(&c.to_string());
                    }
                }
                Target::Category(id) => s.open_category(&id),
                Target::Service(id) => s.open_service(&id),
                Target::Ticket(id) => {
                    s.open_service(&id);
                    s.printing = Printing::Done {
                        slip: sample,
                        on_paper: true,
                    };
                }
                Target::PaperOut(id) => {
                    s.open_service(&id);
                    s.printing = Printing::Failed {
                        slip: sample,
                        fault: Fault::PaperOut,
                        jobs: vec![0],
                    };
                }
                Target::Survey(page) => survey_page(s, page),
                Target::Complaint(page) => complaint_page(s, page),
            }
        })
    }
}

/// A survey about the office, at `page`, with nothing answered.
fn survey_page(s: &mut Session, page: SurveyPage) {
    s.start_survey(None);
    let skips = match page {
        SurveyPage::Element(n) => usize::from(n) - 1,
        SurveyPage::About(n) => 8 + usize::from(n),
        SurveyPage::Thanks => 13,
    };
    for _ in 0..skips {
        s.in_survey(Survey::skip);
    }
}

/// A complaint about the office at `page`, with sample text.
fn complaint_page(s: &mut Session, page: ComplaintPage) {
    s.start_complaint(None);
    let form = &mut s.complaint;
    if page == ComplaintPage::Category {
        return;
    }
    form.choose_category(
        Category::ALL
            .iter()
            .position(|c| *c == Category::Service)
            .unwrap_or(0),
    );
    for c in "antrean di loket 3 lama sekali, mohon petugasnya ditambah".chars() {
        form.type_key(&c.to_string());
    }
    match page {
        ComplaintPage::Category | ComplaintPage::Write => {}
        ComplaintPage::Contact => {
            form.next();
            for c in "0812 3456 7890".chars() {
                form.type_key(&c.to_string());
            }
            form.set_consent(true);
        }
        ComplaintPage::Sent => s.complaint_filed(SAMPLE_REFERENCE),
        ComplaintPage::Lookup => {
            form.open_lookup();
            for c in SAMPLE_REFERENCE.chars() {
                form.type_key(&c.to_string());
            }
            form.lookup = Lookup::Found {
                reference: SAMPLE_REFERENCE.into(),
                status: Status::InProgress,
                note: Some(
                    "Sedang kami periksa bersama kepala loket; jawaban paling lambat Jumat.".into(),
                ),
            };
        }
    }
}

/// The reference the complaint snapshots show.
const SAMPLE_REFERENCE: &str = "ADU-7K4P-9MXR";

/// RGB pixels of a rendered screen, row by row.
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<Rgb8Pixel>,
}

impl Picture {
    pub fn pixel(&self, x: u32, y: u32) -> Rgb8Pixel {
        self.pixels[(y * self.width + x) as usize]
    }

    pub fn write_png(&self, path: &Path) -> Result<()> {
        let fail = |reason: String| Error::WritePng {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::create(path).map_err(|e| fail(e.to_string()))?;
        let mut encoder = png::Encoder::new(BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| fail(e.to_string()))?;
        let bytes: Vec<u8> = self.pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        writer
            .write_image_data(&bytes)
            .map_err(|e| fail(e.to_string()))?;
        writer.finish().map_err(|e| fail(e.to_string()))
    }
}

/// A platform with one window that is never shown anywhere: frames are
/// drawn into memory by the software renderer.
struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(
        &self,
    ) -> std::result::Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

thread_local! {
    static WINDOW: OnceCell<Rc<MinimalSoftwareWindow>> = const { OnceCell::new() };
}

/// The process's headless window, installing the platform on first use.
/// Slint allows one platform per process, so a process that renders
/// snapshots cannot also open a real window.
fn headless_window() -> Result<Rc<MinimalSoftwareWindow>> {
    WINDOW.with(|cell| {
        if let Some(w) = cell.get() {
            return Ok(w.clone());
        }
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        slint::platform::set_platform(Box::new(Headless {
            window: window.clone(),
        }))
        .map_err(|e| Error::BadArgument(format!("cannot render headless: {e}")))?;
        let _ = cell.set(window.clone());
        Ok(window)
    })
}

/// Renders one screen of `catalog` as `request` asks, with `queue` as the
/// queue today (the attract screen shows the numbers now called).
pub fn render(
    catalog: Catalog,
    settings: Settings,
    queue: Vec<PrefixStatus>,
    request: &Request,
) -> Result<Picture> {
    let change = request.session_change(&catalog)?;
    let window = headless_window()?;
    let (width, height) = (request.size.width, request.size.height);
    window.set_size(PhysicalSize::new(width, height));

    let app = KioskWindow::new()?;
    let kiosk = Kiosk::new(&app, catalog, settings)?;
    kiosk.set_screen_size(width as f32, height as f32);
    kiosk.show_queue(queue);
    kiosk.update(change);
    app.global::<KioskAdapter>()
        .set_screen_off(request.target == Target::Off);
    app.show()?;

    let mut pixels = vec![Rgb8Pixel::new(0, 0, 0); (width * height) as usize];
    // Two passes: the first instantiates the views and settles layouts
    // that depend on text measured while drawing.
    for _ in 0..2 {
        slint::platform::update_timers_and_animations();
        window.request_redraw();
        window.draw_if_needed(|renderer: &SoftwareRenderer| {
            renderer.render(&mut pixels, width as usize);
        });
    }
    app.hide()?;
    Ok(Picture {
        width,
        height,
        pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_parse() {
        assert_eq!("home".parse::<Target>().unwrap(), Target::Home);
        assert_eq!(
            "search:akta lahir".parse::<Target>().unwrap(),
            Target::Search("akta lahir".into())
        );
        assert_eq!(
            "service:ktp-el-baru".parse::<Target>().unwrap(),
            Target::Service("ktp-el-baru".into())
        );
        assert_eq!(
            "paper-out:akta-kelahiran".parse::<Target>().unwrap(),
            Target::PaperOut("akta-kelahiran".into())
        );
        assert!("service:".parse::<Target>().is_err());
        assert!("ticket:".parse::<Target>().is_err());
        assert!("settings".parse::<Target>().is_err());
        assert_eq!(
            "survey:3".parse::<Target>().unwrap(),
            Target::Survey(SurveyPage::Element(3))
        );
        assert!("survey:10".parse::<Target>().is_err());
        assert!("survey:0".parse::<Target>().is_err());
        assert_eq!(
            "complaint".parse::<Target>().unwrap(),
            Target::Complaint(ComplaintPage::Category)
        );
        assert!("complaint:x".parse::<Target>().is_err());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(
            "1080x1920".parse::<Size>().unwrap(),
            Size {
                width: 1080,
                height: 1920
            }
        );
        assert!("1080".parse::<Size>().is_err());
        assert!("10x10".parse::<Size>().is_err());
        assert!("axb".parse::<Size>().is_err());
    }
}
