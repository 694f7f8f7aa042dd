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
use slint::platform::software_renderer::{
    MinimalSoftwareWindow, RepaintBufferType, SoftwareRenderer,
};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, Rgb8Pixel};

use crate::controller::{Kiosk, Settings};
use crate::lang::Lang;
use crate::paper::{Number, Printing, Slip};
use crate::session::Session;
use crate::ui::KioskWindow;
use crate::{Error, Result};

/// Which screen to render: `home`, `search:QUERY`, `category:ID`,
/// `service:ID`; or a service with the card after taking a queue number
/// (`ticket:ID`) or after the printer ran out of paper (`paper-out:ID`),
/// with a sample number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Home,
    Attract,
    Search(String),
    Category(String),
    Service(String),
    Ticket(String),
    PaperOut(String),
}

impl FromStr for Target {
    type Err = Error;
    fn from_str(s: &str) -> Result<Target> {
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        match (kind, arg) {
            ("home", "") => Ok(Target::Home),
            ("attract", "") => Ok(Target::Attract),
            ("search", q) => Ok(Target::Search(q.to_string())),
            ("category", id) if !id.is_empty() => Ok(Target::Category(id.to_string())),
            ("service", id) if !id.is_empty() => Ok(Target::Service(id.to_string())),
            ("ticket", id) if !id.is_empty() => Ok(Target::Ticket(id.to_string())),
            ("paper-out", id) if !id.is_empty() => Ok(Target::PaperOut(id.to_string())),
            _ => Err(Error::BadArgument(format!(
                "unknown screen \"{s}\"; use home, attract, search:QUERY, category:ID, service:ID, ticket:ID or paper-out:ID"
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
                Target::Home => s.home(),
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
            }
        })
    }
}

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

/// Renders one screen of `catalog` as `request` asks.
pub fn render(catalog: Catalog, settings: Settings, request: &Request) -> Result<Picture> {
    let change = request.session_change(&catalog)?;
    let window = headless_window()?;
    let (width, height) = (request.size.width, request.size.height);
    window.set_size(PhysicalSize::new(width, height));

    let app = KioskWindow::new()?;
    let kiosk = Kiosk::new(&app, catalog, settings)?;
    kiosk.set_screen_size(width as f32, height as f32);
    kiosk.update(change);
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
