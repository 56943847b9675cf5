//! Scanned PDFs in the shapes other producers write, made from a sample letter's page
//! image (whose ground truth is in samples/truth): the page as three JPEG strips stacked
//! top to bottom, as 2 x 2 tiles with the ink of one tile drawn as an image mask (a
//! stencil painted black), and the page stored sideways with /Rotate 90. Deterministic.

use image::{DynamicImage, GrayImage};
use std::io::Write;

fn jpeg(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .unwrap();
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A PDF from numbered object bodies (object 1 the catalog), with a correct xref table;
/// `trailer_extra` goes into the trailer dictionary. The hostile corpus writes its broken
/// PDFs with it too.
pub fn pdf(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A stream object's body: the dictionary entries given, its /Length, the data.
pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A PDF of one page: `page` is the page dictionary's extra entries, `xobjects` the image
/// streams (dictionary, data) named /I0, /I1, ..., and `content` the page's drawing.
fn one_page_pdf(media: (f32, f32), page: &str, xobjects: &[(String, Vec<u8>)], content: &str) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
    ];
    let names: String = (0..xobjects.len()).map(|i| format!("/I{i} {} 0 R ", 5 + i)).collect();
    objects.push(
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2} {:.2}] /Resources << /XObject << {names}>> >> /Contents 4 0 R {page} >>",
            media.0, media.1
        )
        .into_bytes(),
    );
    objects.push(stream("", content.as_bytes()));
    for (dict, data) in xobjects {
        objects.push(stream(dict, data));
    }
    pdf(&objects, "")
}

fn gray_jpeg_dict(w: u32, h: u32) -> String {
    format!("/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode")
}

/// The page as `n` JPEG strips stacked top to bottom, at `dpi`.
pub fn strips(page: &DynamicImage, n: u32, dpi: f32) -> Vec<u8> {
    let g = page.to_luma8();
    let (w, h) = g.dimensions();
    let pt = |px: u32| px as f32 * 72.0 / dpi;
    let mut xobjects = Vec::new();
    let mut content = String::new();
    let mut top = 0;
    for i in 0..n {
        let bottom = if i + 1 == n { h } else { h * (i + 1) / n };
        let strip = image::imageops::crop_imm(&g, 0, top, w, bottom - top).to_image();
        xobjects.push((gray_jpeg_dict(w, bottom - top), jpeg(&strip)));
        // PDF's y axis points up: the first strip is at the top.
        content.push_str(&format!(
            "q {:.3} 0 0 {:.3} 0 {:.3} cm /I{i} Do Q\n",
            pt(w),
            pt(bottom - top),
            pt(h - bottom)
        ));
        top = bottom;
    }
    one_page_pdf((pt(w), pt(h)), "", &xobjects, &content)
}

/// The page as 2 x 2 JPEG tiles, except that the bottom-right tile's ink is an image
/// mask painted black (the paper there stays white).
pub fn tiles_with_mask(page: &DynamicImage, dpi: f32) -> Vec<u8> {
    let g = page.to_luma8();
    let (w, h) = g.dimensions();
    let pt = |px: u32| px as f32 * 72.0 / dpi;
    let (hw, hh) = (w / 2, h / 2);
    let mut xobjects = Vec::new();
    let mut content = String::new();
    for (i, (x, y)) in [(0, 0), (hw, 0), (0, hh), (hw, hh)].into_iter().enumerate() {
        let (tw, th) = (if x == 0 { hw } else { w - hw }, if y == 0 { hh } else { h - hh });
        let tile = image::imageops::crop_imm(&g, x, y, tw, th).to_image();
        if i == 3 {
            // 1 bit a pixel, 1 = paint (ImageMask with /Decode [1 0]: ink is 1).
            let row = tw.div_ceil(8) as usize;
            let mut bits = vec![0u8; row * th as usize];
            for (px, py, v) in tile.enumerate_pixels() {
                if v.0[0] < 128 {
                    bits[py as usize * row + px as usize / 8] |= 0x80 >> (px % 8);
                }
            }
            xobjects.push((
                format!("/Type /XObject /Subtype /Image /Width {tw} /Height {th} /ImageMask true /BitsPerComponent 1 /Decode [1 0] /Filter /FlateDecode"),
                zlib(&bits),
            ));
            content.push_str("0 g ");
        } else {
            xobjects.push((gray_jpeg_dict(tw, th), jpeg(&tile)));
        }
        content.push_str(&format!(
            "q {:.3} 0 0 {:.3} {:.3} {:.3} cm /I{i} Do Q\n",
            pt(tw),
            pt(th),
            pt(x),
            pt(h - y - th)
        ));
    }
    one_page_pdf((pt(w), pt(h)), "", &xobjects, &content)
}

/// The page stored turned a quarter clockwise (as a sideways scan) with /Rotate 90, so
/// a viewer shows it upright.
pub fn rotated(page: &DynamicImage, dpi: f32) -> Vec<u8> {
    // Stored turned a quarter anticlockwise; /Rotate 90 turns it back clockwise.
    let g = image::imageops::rotate270(&page.to_luma8());
    let (w, h) = g.dimensions();
    let pt = |px: u32| px as f32 * 72.0 / dpi;
    let content = format!("q {:.3} 0 0 {:.3} 0 0 cm /I0 Do Q\n", pt(w), pt(h));
    one_page_pdf((pt(w), pt(h)), "/Rotate 90", &[(gray_jpeg_dict(w, h), jpeg(&g))], &content)
}

/// One JPEG drawn over the whole page whose dictionary claims the page's size, but whose
/// data is only the top third of it (a strip that says it is the page), at `dpi`.
pub fn lying_strip(page: &DynamicImage, dpi: f32) -> Vec<u8> {
    let g = page.to_luma8();
    let (w, h) = g.dimensions();
    let pt = |px: u32| px as f32 * 72.0 / dpi;
    let strip = image::imageops::crop_imm(&g, 0, 0, w, h / 3).to_image();
    let content = format!("q {:.3} 0 0 {:.3} 0 0 cm /I0 Do Q\n", pt(w), pt(h));
    one_page_pdf((pt(w), pt(h)), "", &[(gray_jpeg_dict(w, h), jpeg(&strip))], &content)
}

/// The whole page as one image, drawn at half size in the page's top left corner (the
/// image has the page's shape, but it is not the page).
pub fn placed_in_part(page: &DynamicImage, dpi: f32) -> Vec<u8> {
    let g = page.to_luma8();
    let (w, h) = g.dimensions();
    let pt = |px: u32| px as f32 * 72.0 / dpi;
    let content = format!("q {:.3} 0 0 {:.3} 0 {:.3} cm /I0 Do Q\n", pt(w) / 2.0, pt(h) / 2.0, pt(h) / 2.0);
    one_page_pdf((pt(w), pt(h)), "", &[(gray_jpeg_dict(w, h), jpeg(&g))], &content)
}

/// Two letters set side by side as two columns on one A4 page at 300 dpi (a notice or
/// cutting in two columns): the first at half size on the left, the second (already a
/// half-size, 150 dpi page) on the right, the lower half of the sheet blank.
pub fn two_columns(left: &DynamicImage, right: &DynamicImage) -> GrayImage {
    let mut sheet = GrayImage::from_pixel(2480, 3508, image::Luma([255]));
    let half = |p: &DynamicImage| {
        let g = p.to_luma8();
        if g.width() > 1240 {
            image::imageops::resize(&g, 1240, 1754, image::imageops::FilterType::Triangle)
        } else {
            g
        }
    };
    image::imageops::overlay(&mut sheet, &half(left), 0, 0);
    image::imageops::overlay(&mut sheet, &half(right), 1240, 0);
    sheet
}
