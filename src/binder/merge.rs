//! Putting a volume together with lopdf: pages imported from other PDFs (with what they
//! inherit copied onto them), overlays laid on top of pages as form XObjects (the filing
//! stamp and the volume's page number), bookmarks, and the page tree.
//!
//! lopdf has no "append this document's pages" call; the steps are the ones its merge
//! example uses, with what the dependency notes found missing: inherited attributes, cloned
//! resource dictionaries, and old content wrapped in `q … Q` before anything is drawn over it.

use lopdf::{dictionary, Bookmark, Dictionary, Document, Object, ObjectId, Stream};

/// A volume being built.
pub struct Volume {
    pub doc: Document,
    pages_id: ObjectId,
    kids: Vec<ObjectId>,
    /// `q` alone, shared by every page that gets an overlay.
    save_state: ObjectId,
}

/// Attributes a page may inherit from its page tree.
const INHERITED: [&[u8]; 4] = [b"MediaBox", b"CropBox", b"Resources", b"Rotate"];

impl Volume {
    pub fn new() -> Volume {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let save_state = doc.add_object(Stream::new(dictionary! {}, b"q\n".to_vec()));
        Volume {
            doc,
            pages_id,
            kids: vec![],
            save_state,
        }
    }

    /// Moves every object of `src` into the volume and returns its pages in order; they are
    /// not in the page tree yet (`push` puts them there).
    pub fn import(&mut self, mut src: Document) -> lopdf::Result<Vec<ObjectId>> {
        // Inherited attributes onto the pages themselves, before the tree is left behind.
        let pages: Vec<ObjectId> = src.get_pages().into_values().collect();
        for &page in &pages {
            let mut found: Vec<(&[u8], Object)> = vec![];
            for key in INHERITED {
                if src.get_dictionary(page)?.has(key) {
                    continue;
                }
                let mut node = src.get_dictionary(page)?.get(b"Parent").and_then(Object::as_reference).ok();
                let mut depth = 0;
                while let (Some(id), true) = (node, depth < 32) {
                    let d = src.get_dictionary(id)?;
                    if let Ok(v) = d.get(key) {
                        found.push((key, v.clone()));
                        break;
                    }
                    node = d.get(b"Parent").and_then(Object::as_reference).ok();
                    depth += 1;
                }
            }
            let d = src.get_dictionary_mut(page)?;
            for (k, v) in found {
                d.set(k, v);
            }
        }
        src.renumber_objects_with(self.doc.max_id + 1);
        let renumbered: Vec<ObjectId> = src.get_pages().into_values().collect();
        self.doc.max_id = self.doc.max_id.max(src.max_id);
        for (id, obj) in src.objects {
            self.doc.objects.insert(id, obj);
        }
        Ok(renumbered)
    }

    /// Appends an imported page to the volume.
    pub fn push(&mut self, page: ObjectId) -> lopdf::Result<()> {
        let pages_id = self.pages_id;
        self.doc.get_dictionary_mut(page)?.set("Parent", pages_id);
        self.kids.push(page);
        Ok(())
    }

    /// The page's size as shown (after `/Rotate`) and its rotation.
    pub fn shown_size(&self, page: ObjectId) -> lopdf::Result<(f32, f32, i64)> {
        let (_, _, w, h, r) = self.geometry(page)?;
        Ok(if r % 180 == 0 { (w, h, r) } else { (h, w, r) })
    }

    fn geometry(&self, page: ObjectId) -> lopdf::Result<(f32, f32, f32, f32, i64)> {
        let d = self.doc.get_dictionary(page)?;
        let b = self.doc.dereference(d.get(b"MediaBox")?)?.1.as_array()?;
        let n = |i: usize| -> lopdf::Result<f32> { b.get(i).ok_or(lopdf::Error::ObjectNotFound((0, 0)))?.as_float() };
        let (x0, y0, x1, y1) = (n(0)?, n(1)?, n(2)?, n(3)?);
        let rotate = d.get(b"Rotate").and_then(Object::as_i64).unwrap_or(0).rem_euclid(360);
        Ok((x0.min(x1), y0.min(y1), (x1 - x0).abs(), (y1 - y0).abs(), rotate))
    }

    /// Draws the page `overlay` (imported, of the shown size of `page`) over `page`, upright
    /// as the page is shown.
    pub fn overlay(&mut self, page: ObjectId, overlay: ObjectId, name: &str) -> lopdf::Result<()> {
        // The overlay page becomes a form XObject.
        let content = self.doc.get_page_content_with_limit(overlay, 16 << 20)?;
        let o = self.doc.get_dictionary(overlay)?;
        let resources = o.get(b"Resources")?.clone();
        let (ow, oh) = {
            let b = self.doc.dereference(o.get(b"MediaBox")?)?.1.as_array()?;
            (b[2].as_float()? - b[0].as_float()?, b[3].as_float()? - b[1].as_float()?)
        };
        let mut form = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), ow.into(), oh.into()],
                "Resources" => resources,
            },
            content,
        );
        let _ = form.compress();
        let form = self.doc.add_object(form);

        // The page's resources, cloned (they may be shared), with the form added.
        let (x0, y0, w, h, rotate) = self.geometry(page)?;
        let mut resources: Dictionary = match self.doc.get_dictionary(page)?.get(b"Resources") {
            Ok(r) => self.doc.dereference(r)?.1.as_dict()?.clone(),
            Err(_) => Dictionary::new(),
        };
        let mut xobjects: Dictionary = match resources.get(b"XObject") {
            Ok(x) => self.doc.dereference(x)?.1.as_dict()?.clone(),
            Err(_) => Dictionary::new(),
        };
        xobjects.set(name, form);
        resources.set("XObject", xobjects);

        // Shown coordinates to the page's own: the inverse of /Rotate.
        let m: [f32; 6] = match rotate {
            90 => [0.0, 1.0, -1.0, 0.0, x0 + w, y0],
            180 => [-1.0, 0.0, 0.0, -1.0, x0 + w, y0 + h],
            270 => [0.0, -1.0, 1.0, 0.0, x0, y0 + h],
            _ => [1.0, 0.0, 0.0, 1.0, x0, y0],
        };
        let tail = format!(
            "Q\nq {} {} {} {} {} {} cm /{name} Do Q\n",
            m[0], m[1], m[2], m[3], m[4], m[5]
        );
        let tail = self.doc.add_object(Stream::new(dictionary! {}, tail.into_bytes()));
        let old = self.doc.get_dictionary(page)?.get(b"Contents").ok().cloned();
        let mut contents = vec![Object::Reference(self.save_state)];
        match old {
            Some(Object::Array(a)) => contents.extend(a),
            Some(Object::Reference(r)) => match self.doc.get_object(r)? {
                Object::Array(a) => contents.extend(a.clone()),
                _ => contents.push(Object::Reference(r)),
            },
            _ => {}
        }
        contents.push(Object::Reference(tail));
        let d = self.doc.get_dictionary_mut(page)?;
        d.set("Resources", resources);
        d.set("Contents", contents);
        Ok(())
    }

    /// A bookmark to `page` (top level, or under `parent`).
    pub fn bookmark(&mut self, title: &str, page: ObjectId, parent: Option<u32>) -> u32 {
        self.doc
            .add_bookmark(Bookmark::new(title.to_string(), [0.0, 0.0, 0.0], 0, page), parent)
    }

    /// Writes the page tree, the catalogue and the outline; the document is then ready for
    /// `pdfa::finish`.
    pub fn close(mut self) -> lopdf::Result<Document> {
        let count = self.kids.len() as i64;
        let kids: Vec<Object> = self.kids.iter().map(|k| Object::Reference(*k)).collect();
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => self.pages_id };
        let catalog_id = self.doc.new_object_id();
        self.doc.trailer.set("Root", catalog_id);
        self.doc.objects.insert(catalog_id, Object::Dictionary(catalog.clone()));
        if let Some(outline) = self.doc.build_outline() {
            catalog.set("Outlines", outline);
            catalog.set("PageMode", "UseOutlines");
            self.doc.objects.insert(catalog_id, Object::Dictionary(catalog));
        }
        // The imported documents' own catalogues, page trees and metadata are left over.
        self.doc.prune_objects();
        self.doc.renumber_objects();
        Ok(self.doc)
    }
}
