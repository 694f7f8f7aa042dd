//! The service catalog: the bundle format, its validation, the catalog
//! installed on this device, and the built-in demo catalog used until a
//! region installs its own.

mod bundle;
pub mod demo;
pub mod hours;
mod installed;
pub mod model;
pub mod money;
pub mod synthetic;
mod watch;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

pub(crate) use bundle::is_slug;
pub use bundle::{MAX_BUNDLE_BYTES, Refusal, parse, to_json};
pub use installed::{
    Installed, Signed, generation, history, import, import_signed, install, installed, load,
    set_etag, signed, signed_mark,
};
pub use model::{Announcement, Bundle, Category, Fee, Hours, Office, Service, Text};
pub use watch::{Fresh, Watcher};

/// A catalog in memory with its look-ups, as the kiosk and the portal use it.
#[derive(Debug, Clone)]
pub struct Catalog {
    bundle: Bundle,
    service_index: HashMap<String, usize>,
    /// Where it came from; `None` for the built-in demo catalog.
    installed: Option<Installed>,
}

impl Catalog {
    pub fn new(bundle: Bundle, installed: Option<Installed>) -> Catalog {
        let service_index = bundle
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        Catalog {
            bundle,
            service_index,
            installed,
        }
    }

    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The install this catalog came from; `None` for the demo catalog.
    pub fn installed(&self) -> Option<&Installed> {
        self.installed.as_ref()
    }

    pub fn is_demo(&self) -> bool {
        self.installed.is_none()
    }

    pub fn services(&self) -> &[Service] {
        &self.bundle.services
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.service_index
            .get(id)
            .map(|&i| &self.bundle.services[i])
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.bundle.categories.iter().find(|c| c.id == id)
    }

    pub fn office(&self, id: &str) -> Option<&Office> {
        self.bundle.offices.iter().find(|o| o.id == id)
    }

    /// The services of one category, in bundle order.
    pub fn services_in<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Service> {
        self.bundle
            .services
            .iter()
            .filter(move |s| s.category == category)
    }

    /// Announcements to show at `now`: those without bounds, and those
    /// whose `from`/`until` enclose it.
    pub fn announcements_at(
        &self,
        now: DateTime<FixedOffset>,
    ) -> impl Iterator<Item = &Announcement> {
        let within = move |bound: &Option<String>, after: bool| match bound {
            None => true,
            Some(t) => match DateTime::parse_from_rfc3339(t) {
                Ok(t) if after => now >= t,
                Ok(t) => now < t,
                Err(_) => false,
            },
        };
        self.bundle
            .announcements
            .iter()
            .filter(move |a| within(&a.from, true) && within(&a.until, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_between_their_bounds() {
        let mut bundle = demo::bundle();
        let notice = |id: &str, from: Option<&str>, until: Option<&str>| Announcement {
            id: id.into(),
            title: Text::id(id),
            body: Text::id(id),
            from: from.map(Into::into),
            until: until.map(Into::into),
        };
        bundle.announcements = vec![
            notice("always", None, None),
            notice("december", Some("2026-12-01T00:00:00+07:00"), None),
            notice("november", None, Some("2026-12-01T00:00:00+07:00")),
            notice("unreadable", Some("soon"), None),
        ];
        let catalog = Catalog::new(bundle, None);
        let shown = |at: &str| -> Vec<String> {
            let at = DateTime::parse_from_rfc3339(at).unwrap();
            catalog.announcements_at(at).map(|a| a.id.clone()).collect()
        };
        assert_eq!(shown("2026-11-30T23:59:59+07:00"), ["always", "november"]);
        // `from` is the first moment shown, `until` the first not shown;
        // the same moment in UTC is the same moment.
        assert_eq!(shown("2026-12-01T00:00:00+07:00"), ["always", "december"]);
        assert_eq!(shown("2026-11-30T17:00:00Z"), ["always", "december"]);
    }

    #[test]
    fn look_ups() {
        let catalog = Catalog::new(demo::bundle(), None);
        let first = &catalog.services()[0];
        assert_eq!(catalog.service(&first.id), Some(first));
        assert!(catalog.category(&first.category).is_some());
        assert!(
            catalog
                .services_in(&first.category)
                .any(|s| s.id == first.id)
        );
        assert!(catalog.service("no-such-service").is_none());
    }
}
