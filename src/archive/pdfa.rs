//! PDF/A-2b (ISO 19005-2, GB/T 23286) for a document built with lopdf: the XMP metadata,
//! the sRGB output intent, the document information dictionary that must agree with the
//! XMP, and the file identifier. `check` reads a finished file back and reports what
//! breaks the structural rules this project relies on; tests and the binder's `verify` use
//! it (no full validator such as veraPDF is available here).

use chrono::{DateTime, FixedOffset};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use sha2::{Digest, Sha256};

/// What the document says about itself. Nothing here may name a petitioner.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    pub title: String,
    /// Registration number, when the letter has one.
    pub identifier: Option<String>,
    pub created: DateTime<FixedOffset>,
    /// Program that made the content (Info `/Creator`, `xmp:CreatorTool`).
    pub creator: String,
    /// Program that wrote the PDF (Info `/Producer`, `pdf:Producer`).
    pub producer: String,
}

/// Makes `doc` (whose trailer has a `/Root`) PDF/A-2b: version 1.7, XMP metadata, sRGB
/// output intent, Info dictionary and `/ID`. `seed` makes the identifier (the input's
/// digest, so the same input gives the same identifier).
pub fn finish(doc: &mut Document, info: &DocumentInfo, seed: &[u8]) -> lopdf::Result<()> {
    doc.version = "1.7".into();
    let xmp = Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp(info).into_bytes(),
    )
    .with_compression(false);
    let metadata = doc.add_object(xmp);
    let mut icc = Stream::new(dictionary! { "N" => 3 }, srgb_profile());
    let _ = icc.compress();
    let icc = doc.add_object(icc);
    let intent = doc.add_object(dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::string_literal("sRGB IEC61966-2.1"),
        "RegistryName" => Object::string_literal("http://www.color.org"),
        "Info" => Object::string_literal("sRGB IEC61966-2.1"),
        "DestOutputProfile" => icc,
    });
    let root = doc.trailer.get(b"Root")?.as_reference()?;
    let catalog = doc.get_dictionary_mut(root)?;
    catalog.set("Metadata", metadata);
    catalog.set("OutputIntents", vec![Object::Reference(intent)]);

    let date = pdf_date(&info.created);
    let info_id = doc.add_object(dictionary! {
        "Title" => text_string(&info.title),
        "Creator" => text_string(&info.creator),
        "Producer" => text_string(&info.producer),
        "CreationDate" => Object::string_literal(date.clone()),
        "ModDate" => Object::string_literal(date),
    });
    doc.trailer.set("Info", info_id);
    let digest = Sha256::digest(seed);
    let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);
    Ok(())
}

/// Writes a registration number into a finished filing copy: the title becomes
/// `信访件 <number>`, and the XMP gets the number as `dc:identifier`; dates, creator,
/// producer and the file identifier stay as they were. Used when the number is given only
/// once the letter is registered (after it was read and its copy built).
pub fn set_registration(pdf: &[u8], number: &str) -> lopdf::Result<Vec<u8>> {
    let mut doc = Document::load_mem(pdf)?;
    let info_id = doc.trailer.get(b"Info")?.as_reference()?;
    let text = |doc: &Document, key: &[u8]| -> String {
        doc.get_dictionary(info_id)
            .ok()
            .and_then(|d| d.get(key).ok())
            .and_then(|v| v.as_str().ok())
            .map(decode_text_string)
            .unwrap_or_default()
    };
    let created = text(&doc, b"CreationDate");
    let created = parse_pdf_date(&created).unwrap_or_else(crate::clock::now);
    let info = DocumentInfo {
        title: format!("信访件 {number}"),
        identifier: Some(number.to_string()),
        created,
        creator: text(&doc, b"Creator"),
        producer: text(&doc, b"Producer"),
    };
    doc.get_dictionary_mut(info_id)?
        .set("Title", text_string(&info.title));
    let root = doc.trailer.get(b"Root")?.as_reference()?;
    let metadata = doc.get_dictionary(root)?.get(b"Metadata")?.as_reference()?;
    if let Ok(Object::Stream(stream)) = doc.get_object_mut(metadata) {
        stream.set_content(xmp(&info).into_bytes());
    }
    let mut out = Vec::with_capacity(pdf.len() + 256);
    doc.save_to(&mut out)?;
    Ok(out)
}

/// Reads `D:YYYYMMDDHHmmSS+HH'mm'` back.
fn parse_pdf_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let p = s.strip_prefix("D:")?;
    if p.len() < 20 {
        return None;
    }
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}{}{}:{}",
        &p[0..4],
        &p[4..6],
        &p[6..8],
        &p[8..10],
        &p[10..12],
        &p[12..14],
        &p[14..15],
        &p[15..17],
        &p[18..20]
    );
    DateTime::parse_from_rfc3339(&rfc).ok()
}

/// A PDF text string: PDFDocEncoding (as ASCII) when it can be, else UTF-16BE with a BOM.
pub fn text_string(s: &str) -> Object {
    if s.chars().all(|c| (' '..='~').contains(&c)) {
        Object::string_literal(s)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, else bytes as Latin-1).
pub fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// `D:YYYYMMDDHHmmSS+HH'mm'`
pub fn pdf_date(t: &DateTime<FixedOffset>) -> String {
    let offset = t.offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "D:{}{sign}{:02}'{:02}'",
        t.format("%Y%m%d%H%M%S"),
        offset / 3600,
        offset % 3600 / 60
    )
}

/// The same instant as XMP writes it: `YYYY-MM-DDTHH:mm:SS+HH:mm`.
pub fn xmp_date(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xmp(info: &DocumentInfo) -> String {
    let date = xmp_date(&info.created);
    let identifier = info
        .identifier
        .as_deref()
        .map(|id| format!("\n   <dc:identifier>{}</dc:identifier>", xml_escape(id)))
        .unwrap_or_default();
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>{identifier}
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{FEFF}',
        title = xml_escape(&info.title),
        creator = xml_escape(&info.creator),
        producer = xml_escape(&info.producer),
    )
}

/// The sRGB ICC profile of the output intent, from moxcms. Two header fields are then
/// fixed: the version, set to 4.2 (ICC.1:2004-10, the one PDF 1.7 and so PDF/A-2 refer
/// to; moxcms writes 4.3 for its `cicp` tag, which is left out), and the creation date,
/// which moxcms sets to the current time and which would make two copies of the same
/// letter differ.
pub fn srgb_profile() -> Vec<u8> {
    let mut profile = moxcms::ColorProfile::new_srgb();
    profile.cicp = None;
    let mut bytes = profile.encode().expect("the built-in sRGB profile encodes");
    bytes[8..12].copy_from_slice(&0x0420_0000u32.to_be_bytes());
    // 2024-01-01 00:00:00, six big-endian u16 fields.
    let date: [u16; 6] = [2024, 1, 1, 0, 0, 0];
    for (i, v) in date.iter().enumerate() {
        bytes[24 + 2 * i..26 + 2 * i].copy_from_slice(&v.to_be_bytes());
    }
    bytes
}

/// Structural PDF/A-2b problems found in a file (empty when none): header, identifier,
/// encryption, XMP identification and its agreement with the Info dictionary, the output
/// intent, fonts embedded with ToUnicode maps, images without interpolation or LZW, no
/// JavaScript, embedded files or actions. `a4` also requires every page to be A4 portrait.
pub fn check(bytes: &[u8], a4: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let second_line = bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .filter(|l| !l.is_empty())
        .nth(1)
        .unwrap_or(&[]);
    if !bytes.starts_with(b"%PDF-1.") {
        problems.push("the file does not start with %PDF-1.x".into());
    }
    if !(second_line.starts_with(b"%") && second_line.iter().filter(|&&b| b > 127).count() >= 4) {
        problems.push("no binary comment after the header".into());
    }
    let doc = match Document::load_mem(bytes) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("the file does not parse: {e}"));
            return problems;
        }
    };
    if doc.trailer.get(b"Encrypt").is_ok() {
        problems.push("the file is encrypted".into());
    }
    match doc.trailer.get(b"ID").and_then(Object::as_array) {
        Ok(ids) if ids.len() == 2 => {}
        _ => problems.push("the trailer has no /ID pair".into()),
    }
    check_metadata(&doc, &mut problems);
    check_output_intent(&doc, &mut problems);
    for (number, page_id) in doc.get_pages() {
        let Ok(page) = doc.get_dictionary(page_id) else {
            problems.push(format!("page {number} is not a dictionary"));
            continue;
        };
        if a4 {
            let media = page
                .get(b"MediaBox")
                .and_then(Object::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|o| o.as_float().ok())
                        .collect::<Vec<f32>>()
                })
                .unwrap_or_default();
            let is_a4 = media.len() == 4
                && (media[2] - media[0] - 595.28).abs() < 0.02
                && (media[3] - media[1] - 841.89).abs() < 0.02;
            if !is_a4 {
                problems.push(format!("page {number} is not A4 portrait: {media:?}"));
            }
        }
        if page.get(b"AA").is_ok() {
            problems.push(format!("page {number} has additional actions"));
        }
        if let Ok(resources) = page.get(b"Resources") {
            check_resources(&doc, resources, number, 0, &mut problems);
        }
    }
    if let Ok(catalog) = doc.catalog() {
        if catalog.get(b"AA").is_ok() || catalog.get(b"OpenAction").is_ok() {
            problems.push("the catalog has actions".into());
        }
        if let Ok(names) = catalog.get(b"Names").and_then(|n| deref(&doc, n).as_dict()) {
            if names.get(b"JavaScript").is_ok() || names.get(b"EmbeddedFiles").is_ok() {
                problems.push("the catalog names JavaScript or embedded files".into());
            }
        }
    }
    problems
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn info_string(doc: &Document, key: &[u8]) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let info = deref(doc, info).as_dict().ok()?;
    let value = info.get(key).ok()?.as_str().ok()?;
    Some(decode_text_string(value))
}

/// The text of an XMP element `<tag>…</tag>` (the first), with `rdf:li` unwrapped.
fn xmp_value(xmp: &str, tag: &str) -> Option<String> {
    let start = xmp.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + xmp[start..].find(&format!("</{tag}>"))?;
    let inner = &xmp[start..end];
    let inner = match inner.find("<rdf:li") {
        Some(li) => {
            let open = li + inner[li..].find('>')? + 1;
            &inner[open..open + inner[open..].find("</rdf:li>")?]
        }
        None => inner,
    };
    Some(
        inner
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

fn check_metadata(doc: &Document, problems: &mut Vec<String>) {
    let Ok(catalog) = doc.catalog() else {
        problems.push("no catalog".into());
        return;
    };
    let Some(stream) = catalog
        .get(b"Metadata")
        .ok()
        .and_then(|m| deref(doc, m).as_stream().ok())
    else {
        problems.push("the catalog has no XMP metadata stream".into());
        return;
    };
    if stream.dict.get(b"Filter").is_ok() {
        problems.push("the XMP metadata stream is compressed".into());
    }
    let xmp = String::from_utf8_lossy(&stream.content);
    if !xmp.contains("<?xpacket begin=") || !xmp.contains("<?xpacket end=") {
        problems.push("the XMP has no xpacket wrapper".into());
    }
    if xmp_value(&xmp, "pdfaid:part").as_deref() != Some("2") {
        problems.push("XMP pdfaid:part is not 2".into());
    }
    if xmp_value(&xmp, "pdfaid:conformance").as_deref() != Some("B") {
        problems.push("XMP pdfaid:conformance is not B".into());
    }
    for (key, tag) in [
        (&b"Title"[..], "dc:title"),
        (b"Producer", "pdf:Producer"),
        (b"Creator", "xmp:CreatorTool"),
    ] {
        let info = info_string(doc, key);
        let meta = xmp_value(&xmp, tag);
        if info.is_none() || info != meta {
            problems.push(format!(
                "Info /{} {:?} and XMP {tag} {:?} differ",
                String::from_utf8_lossy(key),
                info,
                meta
            ));
        }
    }
    for (key, tag) in [
        (&b"CreationDate"[..], "xmp:CreateDate"),
        (b"ModDate", "xmp:ModifyDate"),
    ] {
        let info = info_string(doc, key);
        let meta = xmp_value(&xmp, tag);
        let same = match (&info, &meta) {
            (Some(i), Some(m)) => same_instant(i, m),
            _ => false,
        };
        if !same {
            problems.push(format!(
                "Info /{} {:?} and XMP {tag} {:?} differ",
                String::from_utf8_lossy(key),
                info,
                meta
            ));
        }
    }
}

/// True when a PDF date and an XMP date name the same instant with the same offset.
fn same_instant(pdf: &str, xmp: &str) -> bool {
    match (parse_pdf_date(pdf), DateTime::parse_from_rfc3339(xmp)) {
        (Some(a), Ok(b)) => a == b && a.offset() == b.offset(),
        _ => false,
    }
}

fn check_output_intent(doc: &Document, problems: &mut Vec<String>) {
    let intents = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"OutputIntents").ok())
        .and_then(|o| deref(doc, o).as_array().ok());
    let Some(intents) = intents else {
        problems.push("the catalog has no /OutputIntents".into());
        return;
    };
    let pdfa = intents.iter().find_map(|i| {
        let d = deref(doc, i).as_dict().ok()?;
        (d.get(b"S").ok()?.as_name().ok()? == b"GTS_PDFA1").then_some(d)
    });
    let Some(intent) = pdfa else {
        problems.push("no GTS_PDFA1 output intent".into());
        return;
    };
    let Some(profile) = intent
        .get(b"DestOutputProfile")
        .ok()
        .and_then(|p| deref(doc, p).as_stream().ok())
    else {
        problems.push("the output intent has no DestOutputProfile".into());
        return;
    };
    let data = profile
        .decompressed_content()
        .unwrap_or_else(|_| profile.content.clone());
    let n = profile.dict.get(b"N").and_then(Object::as_i64).unwrap_or(0);
    let ok = data.len() >= 132
        && &data[36..40] == b"acsp"
        && &data[16..20] == b"RGB "
        && (&data[12..16] == b"mntr" || &data[12..16] == b"prtr")
        && (2..=4).contains(&data[8])
        && n == 3;
    if !ok {
        problems
            .push("the output intent's profile is not an RGB display ICC profile with N 3".into());
    }
}

fn check_resources(
    doc: &Document,
    resources: &Object,
    page: u32,
    depth: u32,
    problems: &mut Vec<String>,
) {
    if depth > 8 {
        return;
    }
    let Ok(resources) = deref(doc, resources).as_dict() else {
        return;
    };
    if let Ok(fonts) = resources.get(b"Font").and_then(|f| deref(doc, f).as_dict()) {
        for (name, font) in fonts.iter() {
            let name = String::from_utf8_lossy(name);
            if let Ok(font) = deref(doc, font).as_dict() {
                check_font(doc, font, &name, page, problems);
            }
        }
    }
    if let Ok(xobjects) = resources
        .get(b"XObject")
        .and_then(|x| deref(doc, x).as_dict())
    {
        for (name, x) in xobjects.iter() {
            let Ok(stream) = deref(doc, x).as_stream() else {
                continue;
            };
            let subtype = stream.dict.get(b"Subtype").and_then(Object::as_name).ok();
            let name = String::from_utf8_lossy(name);
            match subtype {
                Some(b"Image") => {
                    if matches!(stream.dict.get(b"Interpolate"), Ok(Object::Boolean(true))) {
                        problems.push(format!("page {page}: image {name} asks for interpolation"));
                    }
                    if stream.dict.get(b"Alternates").is_ok() || stream.dict.get(b"OPI").is_ok() {
                        problems.push(format!("page {page}: image {name} has alternates or OPI"));
                    }
                    if filters(doc, &stream.dict).iter().any(|f| f == b"LZWDecode") {
                        problems.push(format!("page {page}: image {name} uses LZW"));
                    }
                }
                Some(b"Form") => {
                    if let Ok(r) = stream.dict.get(b"Resources") {
                        check_resources(doc, r, page, depth + 1, problems);
                    }
                }
                Some(b"PS") => problems.push(format!("page {page}: PostScript XObject {name}")),
                _ => {}
            }
        }
    }
}

fn filters(doc: &Document, dict: &lopdf::Dictionary) -> Vec<Vec<u8>> {
    match dict.get(b"Filter").map(|f| deref(doc, f)) {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(|n| n.to_vec()))
            .collect(),
        _ => vec![],
    }
}

fn check_font(
    doc: &Document,
    font: &lopdf::Dictionary,
    name: &str,
    page: u32,
    problems: &mut Vec<String>,
) {
    let subtype = font
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    if subtype == b"Type3" {
        return;
    }
    let descendant;
    let font = if subtype == b"Type0" {
        if font.get(b"ToUnicode").is_err() {
            problems.push(format!("page {page}: font {name} has no ToUnicode map"));
        }
        let d = font
            .get(b"DescendantFonts")
            .and_then(|d| deref(doc, d).as_array())
            .ok()
            .and_then(|a| a.first())
            .and_then(|f| deref(doc, f).as_dict().ok());
        let Some(d) = d else {
            problems.push(format!("page {page}: font {name} has no descendant font"));
            return;
        };
        if d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"CIDFontType2")
            && d.get(b"CIDToGIDMap").is_err()
        {
            problems.push(format!("page {page}: font {name} has no CIDToGIDMap"));
        }
        descendant = d;
        descendant
    } else {
        font
    };
    let embedded = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(|d| deref(doc, d).as_dict().ok())
        .map(|d| {
            d.get(b"FontFile").is_ok() || d.get(b"FontFile2").is_ok() || d.get(b"FontFile3").is_ok()
        })
        .unwrap_or(false);
    if !embedded {
        problems.push(format!("page {page}: font {name} is not embedded"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_agree_between_info_and_xmp() {
        let t = DateTime::parse_from_rfc3339("2026-11-22T09:05:03+08:00").unwrap();
        assert_eq!(pdf_date(&t), "D:20261122090503+08'00'");
        assert_eq!(xmp_date(&t), "2026-11-22T09:05:03+08:00");
        assert!(same_instant(&pdf_date(&t), &xmp_date(&t)));
        let other = DateTime::parse_from_rfc3339("2026-11-22T01:05:03+00:00").unwrap();
        assert!(!same_instant(&pdf_date(&t), &xmp_date(&other)));
    }

    #[test]
    fn chinese_titles_are_utf16_with_a_bom() {
        let Object::String(bytes, _) = text_string("信访件") else {
            panic!()
        };
        assert_eq!(&bytes[..2], &[0xFE, 0xFF]);
        assert_eq!(decode_text_string(&bytes), "信访件");
        assert_eq!(decode_text_string(b"abc"), "abc");
    }

    #[test]
    fn the_srgb_profile_is_a_fixed_v4_display_profile() {
        let a = srgb_profile();
        assert_eq!(a, srgb_profile(), "two calls give the same bytes");
        assert_eq!(&a[36..40], b"acsp");
        assert_eq!(&a[12..16], b"mntr");
        assert_eq!(&a[16..20], b"RGB ");
        assert_eq!(a[8], 4);
        let parsed = moxcms::ColorProfile::new_from_slice(&a).expect("parses back");
        assert!(parsed.red_trc.is_some());
    }

    #[test]
    fn xmp_values_are_read_back_unescaped() {
        let info = DocumentInfo {
            title: "信访件 A&B <1>".into(),
            identifier: Some("XF-2026-0042".into()),
            created: DateTime::parse_from_rfc3339("2026-11-22T09:05:03+08:00").unwrap(),
            creator: "xinfang".into(),
            producer: "xinfang".into(),
        };
        let x = xmp(&info);
        assert_eq!(xmp_value(&x, "dc:title").unwrap(), "信访件 A&B <1>");
        assert_eq!(xmp_value(&x, "dc:identifier").unwrap(), "XF-2026-0042");
        assert_eq!(xmp_value(&x, "pdfaid:part").unwrap(), "2");
    }
}
