//! Callbacks for the adapters: [`Bind`] turns a controller method or a
//! change of the session into a callback that holds the kiosk weakly (the
//! window must not keep its controller alive). Each view's module in
//! `crate::views` binds its own adapter with it.

use std::rc::{Rc, Weak};

use slint::SharedString;

use super::{Inner, Kiosk};
use crate::session::Session;
use crate::ui::KioskWindow;
use crate::views;

pub struct Bind {
    kiosk: Weak<Inner>,
}

impl Bind {
    /// A callback without arguments.
    pub fn on(&self, f: fn(&Kiosk)) -> impl Fn() + 'static {
        let weak = self.kiosk.clone();
        move || {
            if let Some(inner) = weak.upgrade() {
                f(&Kiosk { inner })
            }
        }
    }

    /// A callback with a string (an id, a key, a language code).
    pub fn with(&self, f: fn(&Kiosk, SharedString)) -> impl Fn(SharedString) + 'static {
        let weak = self.kiosk.clone();
        move |s: SharedString| {
            if let Some(inner) = weak.upgrade() {
                f(&Kiosk { inner }, s)
            }
        }
    }

    /// A callback with a number (the index of a choice).
    pub fn number(&self, f: fn(&Kiosk, i32)) -> impl Fn(i32) + 'static {
        let weak = self.kiosk.clone();
        move |n: i32| {
            if let Some(inner) = weak.upgrade() {
                f(&Kiosk { inner }, n)
            }
        }
    }

    /// A switch of the session's (large text, high contrast).
    pub fn flag(&self, f: fn(&mut Session, bool)) -> impl Fn(bool) + 'static {
        let weak = self.kiosk.clone();
        move |b: bool| {
            if let Some(inner) = weak.upgrade() {
                Kiosk { inner }.update(|s| f(s, b))
            }
        }
    }
}

impl Kiosk {
    pub(super) fn bind(&self, w: &KioskWindow) {
        views::bind(
            w,
            &Bind {
                kiosk: Rc::downgrade(&self.inner),
            },
        );
    }
}
