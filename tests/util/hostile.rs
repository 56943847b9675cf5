//! The repository's own hostile corpus: broken files of every input kind, written
//! deterministically from the samples (truncated, bit-flipped, header-lying) and by hand
//! (pixel and zip bombs, page-tree and xref loops, IFD loops, deep nesting). The hostile
//! tests run on it always, and on `../shared/testdata/hostile` too when that is there.
//!
//! Each file's name says what it is; `expected` gives the error codes a file may end with
//! (`None`: any clean outcome, a result or a documented code other than `internal`).

use super::layouts::{pdf, stream};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One generated file and the codes it may end with.
pub struct Hostile {
    pub name: &'static str,
    pub expected: Option<&'static [&'static str]>,
}

/// A tiny deterministic generator (xorshift), so bit flips land in the same places.
struct Flip(u64);

impl Flip {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `n` bytes flipped (one bit each) past the first `skip` bytes.
    fn flip(&mut self, bytes: &[u8], skip: usize, n: usize) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for _ in 0..n {
            let at = skip + (self.next() as usize) % (out.len() - skip);
            out[at] ^= 1 << (self.next() % 8);
        }
        out
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// `len` zero bytes, compressed without holding them all.
fn zlib_zeros(len: usize) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len());
        e.write_all(&block[..n]).unwrap();
        left -= n;
    }
    e.finish().unwrap()
}

/// A PNG whose header is valid and says `w` x `h` gray pixels; the data is a few rows.
fn png_with_size(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &zlib(&vec![0u8; (w.min(4096) as usize + 1) * 4]));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A little-endian TIFF with one IFD of short/long entries; `next` is the next-IFD offset.
fn tiff(entries: &[(u16, u16, u32)], next: u32) -> Vec<u8> {
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for &(tag, kind, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&next.to_le_bytes());
    out.extend_from_slice(&[0u8; 64]);
    out
}

fn obj(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn docx(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, data) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

/// Writes the corpus into `dir` (made if missing) and lists what it wrote.
pub fn write_corpus(dir: &Path) -> Vec<Hostile> {
    std::fs::create_dir_all(dir).unwrap();
    let samples = super::root().join("samples/letters");
    let read = |n: &str| std::fs::read(samples.join(n)).unwrap();
    let png = read("07-a5-kai.png");
    let jpeg = read("08-joint-urgent-200dpi.jpg");
    let tif = read("03-fax-g4-2pages.tif");
    let scanned = read("10-scanned-bilevel.pdf");
    let born = read("11-born-digital.pdf");
    let typed = read("12-typed.docx");
    let mut rng = Flip(0x9E37_79B9_7F4A_7C15);
    let mut files: Vec<(&'static str, Vec<u8>, Option<&'static [&'static str]>)> = Vec::new();
    let page = |contents: &str| obj(&format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {contents} >>"));
    const PIXELS: &[&str] = &["too_many_pixels"];
    const CORRUPT: &[&str] = &["corrupt"];
    const UNSUPPORTED: &[&str] = &["unsupported_format"];

    // Nothing, and things that are not letters at all.
    files.push(("empty.png", Vec::new(), Some(&["empty_file"])));
    files.push(("random.bin", (0..4096).map(|_| rng.next() as u8).collect(), Some(UNSUPPORTED)));
    files.push(("gif-as-letter.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(), Some(UNSUPPORTED)));
    files.push(("bmp-as-letter.bmp", b"BM\x3e\0\0\0\0\0\0\0\x3e\0\0\0".to_vec(), Some(UNSUPPORTED)));
    // Header-lying: a name that says one kind and bytes of another, or a header alone.
    files.push(("png-named-pdf.pdf", png.clone(), None));
    files.push(("pdf-header-then-png.pdf", [b"%PDF-1.4\n".as_slice(), &png].concat(), None));
    files.push(("png-signature-only.png", png[..8].to_vec(), Some(CORRUPT)));
    files.push(("jpeg-soi-eoi.jpg", vec![0xFF, 0xD8, 0xFF, 0xD9], Some(CORRUPT)));
    files.push(("tiff-header-only.tif", b"II*\0\x08\0\0\0".to_vec(), Some(CORRUPT)));
    files.push(("zip-named-docx.docx", b"PK\x03\x04 not really a zip".to_vec(), None));

    // Truncated.
    files.push(("png-half.png", png[..png.len() / 2].to_vec(), None));
    files.push(("png-header-chunk.png", png[..33].to_vec(), Some(CORRUPT)));
    files.push(("jpeg-tenth.jpg", jpeg[..jpeg.len() / 10].to_vec(), None));
    files.push(("tiff-half.tif", tif[..tif.len() / 2].to_vec(), None));
    files.push(("pdf-scanned-half.pdf", scanned[..scanned.len() / 2].to_vec(), None));
    files.push(("pdf-born-digital-tenth.pdf", born[..born.len() / 10].to_vec(), None));
    files.push(("docx-half.docx", typed[..typed.len() / 2].to_vec(), None));

    // Bit-flipped (past the signature, so the kind is still sniffed).
    files.push(("png-flipped.png", rng.flip(&png, 64, 8), None));
    files.push(("jpeg-flipped.jpg", rng.flip(&jpeg, 600, 12), None));
    files.push(("tiff-flipped.tif", rng.flip(&tif, 8, 16), None));
    files.push(("pdf-scanned-flipped.pdf", rng.flip(&scanned, 16, 24), None));
    files.push(("pdf-born-digital-flipped.pdf", rng.flip(&born, 16, 24), None));
    files.push(("docx-flipped.docx", rng.flip(&typed, 64, 16), None));

    // Bombs: sizes that headers claim.
    files.push(("png-60000x60000.png", png_with_size(60_000, 60_000), Some(PIXELS)));
    files.push(("png-zero-width.png", png_with_size(0, 100), Some(CORRUPT)));
    let mut big_jpeg = jpeg.clone();
    // Patch the frame header (SOFn) to 65000 x 65000.
    let sof = (2..big_jpeg.len() - 9)
        .find(|&i| big_jpeg[i] == 0xFF && matches!(big_jpeg[i + 1], 0xC0 | 0xC1 | 0xC2))
        .expect("the sample JPEG has a frame header");
    big_jpeg[sof + 5..sof + 7].copy_from_slice(&65000u16.to_be_bytes());
    big_jpeg[sof + 7..sof + 9].copy_from_slice(&65000u16.to_be_bytes());
    files.push(("jpeg-65000x65000.jpg", big_jpeg, Some(PIXELS)));
    // Three JPEG strips that each hold a whole (squashed) letter: rendered whole.
    let (jw, jh) = {
        let at = sof + 5;
        (u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]), u16::from_be_bytes([jpeg[at], jpeg[at + 1]]))
    };
    let strip = |i: usize| {
        stream(
            &format!("/Type /XObject /Subtype /Image /Width {jw} /Height {jh} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Name /S{i}"),
            &jpeg,
        )
    };
    let draw = (0..3)
        .map(|i| format!("q 595 0 0 280 0 {} cm /S{i} Do Q", 562 - 281 * i))
        .collect::<Vec<_>>()
        .join(" ");
    files.push((
        "pdf-three-jpeg-strips.pdf",
        pdf(
            &[
                obj("<< /Type /Catalog /Pages 2 0 R >>"),
                obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
                page("/Resources << /XObject << /S0 5 0 R /S1 6 0 R /S2 7 0 R >> >> /Contents 4 0 R"),
                stream("", draw.as_bytes()),
                strip(0),
                strip(1),
                strip(2),
            ],
            "",
        ),
        None,
    ));
    let tiff_big = tiff(
        &[(256, 4, 100_000), (257, 4, 100_000), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 200), (277, 3, 1), (278, 4, 100_000), (279, 4, 64)],
        0,
    );
    files.push(("tiff-100000x100000.tif", tiff_big, Some(PIXELS)));
    let tiff_loop = tiff(
        &[(256, 4, 8), (257, 4, 8), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 200), (277, 3, 1), (278, 4, 8), (279, 4, 64)],
        8,
    );
    files.push(("tiff-ifd-loop.tif", tiff_loop, None));
    let document_xml_bomb = {
        // A document.xml of 80 MiB (past the 64 MiB limit), compressed to a few hundred KB.
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(true);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(CONTENT_TYPES).unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..80 {
            z.write_all(&block).unwrap();
        }
        z.finish().unwrap().into_inner()
    };
    files.push(("docx-zip-bomb.docx", document_xml_bomb, Some(&["too_large_uncompressed"])));
    files.push(("docx-no-document.docx", docx(&[("[Content_Types].xml", CONTENT_TYPES)]), None));
    let laughs = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"#;
    files.push((
        "docx-billion-laughs.docx",
        docx(&[("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", laughs)]),
        None,
    ));

    // PDFs made by hand: loops, bombs, nesting.
    files.push((
        "pdf-pages-loop.pdf",
        pdf(&[obj("<< /Type /Catalog /Pages 2 0 R >>"), obj("<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"), page("")], ""),
        None,
    ));
    let mut prev_loop = pdf(&[obj("<< /Type /Catalog /Pages 2 0 R >>"), obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"), page("")], "");
    // The trailer's /Prev names the xref it is in.
    let xref_at = prev_loop.windows(5).rposition(|w| w == b"xref\n").unwrap();
    let text = String::from_utf8_lossy(&prev_loop).replace("/Root 1 0 R", &format!("/Root 1 0 R /Prev {xref_at}"));
    prev_loop = text.into_bytes();
    files.push(("pdf-xref-prev-loop.pdf", prev_loop, None));
    files.push((
        "pdf-content-flate-bomb.pdf",
        pdf(
            &[
                obj("<< /Type /Catalog /Pages 2 0 R >>"),
                obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
                page("/Contents 4 0 R"),
                stream("/Filter /FlateDecode", &zlib_zeros(300 << 20)),
            ],
            "",
        ),
        None,
    ));
    files.push((
        "pdf-image-100000x100000.pdf",
        pdf(
            &[
                obj("<< /Type /Catalog /Pages 2 0 R >>"),
                obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
                page("/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R"),
                stream("", b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
                stream(
                    "/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                    &zlib_zeros(1 << 20),
                ),
            ],
            "",
        ),
        None,
    ));
    let nested = format!("<< /Type /Catalog /Pages 2 0 R /Deep {}{} >>", "[".repeat(5000), "]".repeat(5000));
    files.push((
        "pdf-deep-nesting.pdf",
        pdf(&[obj(&nested), obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"), page("")], ""),
        None,
    ));
    files.push((
        "pdf-count-lies.pdf",
        pdf(&[obj("<< /Type /Catalog /Pages 2 0 R >>"), obj("<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>"), page("")], ""),
        None,
    ));
    files.push(("pdf-no-xref.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".to_vec(), None));

    let mut out = Vec::new();
    for (name, bytes, expected) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
        out.push(Hostile { name, expected });
    }
    out
}

/// The generated corpus in a fresh folder of its own, and the extra corpus beside the
/// repository (`../shared/testdata/hostile`, its image and PDF folders) if it is there.
pub struct Corpus {
    pub dir: tempfile::TempDir,
    pub files: Vec<Hostile>,
    pub shared: Option<PathBuf>,
}

impl Corpus {
    pub fn new() -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let files = write_corpus(dir.path());
        let shared = super::root().join("../shared/testdata/hostile");
        Corpus {
            dir,
            files,
            shared: shared.is_dir().then_some(shared),
        }
    }

    /// Every input path: the generated files, then the shared ones when present.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.files.iter().map(|h| self.dir.path().join(h.name)).collect();
        if let Some(shared) = &self.shared {
            for sub in ["images_pillow", "pdf_qpdf"] {
                let mut more: Vec<PathBuf> = std::fs::read_dir(shared.join(sub))
                    .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect())
                    .unwrap_or_default();
                more.sort();
                v.extend(more);
            }
        }
        v
    }

    /// The codes a generated file may end with, by its path (None for shared files and
    /// files where any clean outcome is right).
    pub fn expected(&self, path: &str) -> Option<&'static [&'static str]> {
        self.files
            .iter()
            .find(|h| path.ends_with(&format!("/{}", h.name)) && path.starts_with(&*self.dir.path().to_string_lossy()))
            .and_then(|h| h.expected)
    }
}
