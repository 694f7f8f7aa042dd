//! Noticing a newly installed catalog, for the kiosk and the portal alike:
//! poll its generation (a cheap read of one number) and, when it moved,
//! load and index the new catalog. Call [`Watcher::check`] where waiting is
//! harmless (a thread of its own, a blocking task), never where the screen
//! is drawn or requests are answered; only the swap of the result happens
//! there.

use super::{Catalog, generation, load};
use crate::Result;
use crate::search::SearchIndex;
use crate::store::Store;

/// A newly installed catalog, loaded and indexed, ready to swap in.
pub struct Fresh {
    pub generation: i64,
    pub catalog: Catalog,
    pub index: SearchIndex,
}

/// The generation of the catalog in use, and the look that moves it on.
#[derive(Debug, Clone)]
pub struct Watcher {
    known: Option<i64>,
}

impl Watcher {
    /// Watches for catalogs newer than generation `known`, the catalog in
    /// use; with `None`, the first look only notes what is installed.
    pub fn new(known: Option<i64>) -> Watcher {
        Watcher { known }
    }

    /// One look: the installed catalog, loaded and indexed, when its
    /// generation moved since the last look. An error (a busy or damaged
    /// database) leaves the generation as it was, so the next look tries
    /// again.
    pub fn check(&mut self, store: &Store) -> Result<Option<Fresh>> {
        let current = generation(store)?;
        let Some(known) = self.known else {
            self.known = Some(current);
            return Ok(None);
        };
        if current == known {
            return Ok(None);
        }
        let catalog = load(store)?;
        let index = SearchIndex::build(&catalog);
        self.known = Some(current);
        Ok(Some(Fresh {
            generation: current,
            catalog,
            index,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{demo, install};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_newly_installed_catalog_is_loaded_once() {
        let (_dir, mut store) = store();
        let mut watcher = Watcher::new(Some(generation(&store).unwrap()));
        assert!(watcher.check(&store).unwrap().is_none(), "nothing new yet");

        let mut bundle = demo::bundle();
        bundle.services.truncate(3);
        install(&mut store, &bundle, "test").unwrap();
        let fresh = watcher.check(&store).unwrap().expect("the new catalog");
        assert_eq!(fresh.catalog.services().len(), 3);
        assert_eq!(fresh.generation, generation(&store).unwrap());
        let found = fresh.index.search(bundle.services[0].name.get("id"), 5);
        assert!(!found.is_empty(), "indexed, not only loaded");
        assert!(watcher.check(&store).unwrap().is_none(), "loaded once");
    }

    #[test]
    fn without_a_known_generation_the_first_look_only_notes_it() {
        let (_dir, mut store) = store();
        install(&mut store, &demo::bundle(), "test").unwrap();
        let mut watcher = Watcher::new(None);
        assert!(watcher.check(&store).unwrap().is_none());
        install(&mut store, &demo::bundle(), "again").unwrap();
        assert!(watcher.check(&store).unwrap().is_some());
    }
}
