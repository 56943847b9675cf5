//! A page image made into a PDF image XObject, in the smallest form that keeps it legible:
//! bilevel scans as CCITT G4, grayscale and colour pages as baseline JPEG.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, GrayImage, RgbImage};
use lopdf::{dictionary, Stream};

/// How a page image was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    CcittG4,
    JpegGray,
    JpegColour,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::CcittG4 => "ccitt-g4",
            Encoding::JpegGray => "jpeg-gray",
            Encoding::JpegColour => "jpeg-colour",
        }
    }
}

/// An encoded page image, ready to be added to a document.
pub struct Picture {
    pub encoding: Encoding,
    pub width: u32,
    pub height: u32,
    pub stream: Stream,
}

/// Encodes a bilevel page (pixels below 128 are black) as CCITT Group 4. Pages wider than
/// G4's 65535 columns, which the pixel limits already refuse, fall back to JPEG.
pub fn bilevel(gray: &GrayImage, quality: u8) -> Picture {
    let (w, h) = gray.dimensions();
    let Ok(columns) = u16::try_from(w) else {
        return jpeg_gray(gray, quality);
    };
    let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
    for row in gray.rows() {
        let pels = row.map(|p| {
            if p[0] < 128 {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        // The VecWriter cannot fail.
        let _ = encoder.encode_line(pels, columns);
    }
    let data = match encoder.finish() {
        Ok(writer) => writer.finish(),
        Err(never) => match never {},
    };
    let stream = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => w as i64,
            "Height" => h as i64,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 1,
            "Filter" => "CCITTFaxDecode",
            "DecodeParms" => dictionary! {
                "K" => -1,
                "Columns" => w as i64,
                "Rows" => h as i64,
                "BlackIs1" => false,
            },
        },
        data,
    )
    .with_compression(false);
    Picture {
        encoding: Encoding::CcittG4,
        width: w,
        height: h,
        stream,
    }
}

/// Levels for a scanned page: the paper's grey (the most common light value) and anything
/// lighter become white, the darkest ink stays black, and the rest is stretched between.
/// Paper grain and scanner noise are most of what a JPEG of a letter spends its bytes on;
/// the writing is untouched in shape and gains contrast. Returns a 256-entry table.
pub fn paper_levels(gray: &GrayImage) -> [u8; 256] {
    let mut histogram = [0u64; 256];
    for &p in gray.as_raw() {
        histogram[p as usize] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let paper = (128..256).max_by_key(|&v| histogram[v]).unwrap_or(255) as i32;
    // Noise spreads the paper's peak: start white a little below it.
    let white = (paper - 24).clamp(140, 255);
    let mut seen = 0u64;
    let mut black = 0i32;
    for (v, &n) in histogram.iter().enumerate() {
        seen += n;
        if seen * 1000 >= total * 2 {
            black = v as i32;
            break;
        }
    }
    let black = black.min(white - 80).max(0);
    let mut table = [0u8; 256];
    for (v, out) in table.iter_mut().enumerate() {
        let v = v as i32;
        *out = if v >= white {
            255
        } else if v <= black {
            0
        } else {
            ((v - black) * 255 / (white - black)) as u8
        };
    }
    table
}

/// Encodes a grayscale page as JPEG, after `paper_levels`.
pub fn jpeg_gray(gray: &GrayImage, quality: u8) -> Picture {
    let (w, h) = gray.dimensions();
    let table = paper_levels(gray);
    let levelled: Vec<u8> = gray.as_raw().iter().map(|&p| table[p as usize]).collect();
    let data = jpeg(&levelled, w, h, ExtendedColorType::L8, quality);
    dct_picture(Encoding::JpegGray, w, h, "DeviceGray", data)
}

/// Encodes a colour page as JPEG, after the levels of its grayscale version (`gray`, in
/// register) are applied to each channel: the paper turns white and red stays red.
pub fn jpeg_colour(rgb: &RgbImage, gray: &GrayImage, quality: u8) -> Picture {
    let (w, h) = rgb.dimensions();
    let table = paper_levels(gray);
    let levelled: Vec<u8> = rgb.as_raw().iter().map(|&p| table[p as usize]).collect();
    let data = jpeg(&levelled, w, h, ExtendedColorType::Rgb8, quality);
    dct_picture(Encoding::JpegColour, w, h, "DeviceRGB", data)
}

fn jpeg(pixels: &[u8], w: u32, h: u32, colour: ExtendedColorType, quality: u8) -> Vec<u8> {
    let mut data = Vec::with_capacity(pixels.len() / 8);
    // Encoding into memory fails only on sizes JPEG cannot hold (over 65535 px a side),
    // which the pixel limits refuse long before.
    JpegEncoder::new_with_quality(&mut data, quality.clamp(1, 100))
        .encode(pixels, w, h, colour)
        .expect("page sizes are within JPEG's limits");
    data
}

fn dct_picture(encoding: Encoding, w: u32, h: u32, space: &str, data: Vec<u8>) -> Picture {
    let stream = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => w as i64,
            "Height" => h as i64,
            "ColorSpace" => space,
            "BitsPerComponent" => 8,
            "Filter" => "DCTDecode",
        },
        data,
    )
    .with_compression(false);
    Picture {
        encoding,
        width: w,
        height: h,
        stream,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g4_round_trips_through_the_decoder() {
        let mut page = GrayImage::from_pixel(200, 60, image::Luma([255]));
        for x in 20..180 {
            for y in 25..35 {
                page.put_pixel(x, y, image::Luma([0]));
            }
        }
        let p = bilevel(&page, 80);
        assert_eq!(p.encoding, Encoding::CcittG4);
        let mut rows = Vec::new();
        fax::decoder::decode_g4(p.stream.content.iter().copied(), 200, Some(60), |t| {
            rows.push(fax::decoder::pels(t, 200).collect::<Vec<_>>())
        });
        assert_eq!(rows.len(), 60);
        assert_eq!(rows[30][100], fax::Color::Black);
        assert_eq!(rows[10][100], fax::Color::White);
        assert_eq!(rows[30][10], fax::Color::White);
    }

    #[test]
    fn paper_turns_white_and_ink_stays_dark() {
        let mut page = GrayImage::from_fn(300, 300, |x, y| {
            image::Luma([225 + ((x * 7 + y * 13) % 12) as u8])
        });
        for x in 50..250 {
            page.put_pixel(x, 150, image::Luma([30]));
        }
        let t = paper_levels(&page);
        assert!((225..237).all(|v| t[v] == 255), "{:?}", &t[220..240]);
        assert!(t[30] < 20, "{}", t[30]);
        assert!(t[120] > 60 && t[120] < 200, "{}", t[120]);
    }

    #[test]
    fn jpeg_pages_are_dct_streams() {
        let page = GrayImage::from_pixel(100, 100, image::Luma([200]));
        let p = jpeg_gray(&page, 80);
        assert!(p.stream.content.starts_with(&[0xFF, 0xD8]));
        assert_eq!(
            p.stream.dict.get(b"ColorSpace").unwrap().as_name().unwrap(),
            b"DeviceGray"
        );
    }
}
