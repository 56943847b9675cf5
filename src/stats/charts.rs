//! The statistics' charts as SVG, drawn once for the analyst's page (with links) and for
//! the analysis report (without, in the documents' font): bars by category, bars stacked by
//! channel, the 13-month line. Everything reads printed in black and white: bars are greys
//! edged in black, every number is written beside its bar or point, and the stacked bars'
//! series are told apart by grey level and a legend.

use super::Count;

/// What a chart is drawn with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style<'a> {
    /// The font family (the documents' body face); none: the page's CSS decides.
    pub font: Option<&'a str>,
    /// Width in SVG units (the page uses its pixels, a document its points).
    pub width: Option<f64>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn open(title: &str, width: f64, height: f64, font_size: f64, style: Style) -> String {
    let font = style.font.map(|f| format!(r#" font-family="{}""#, esc(f))).unwrap_or_default();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-size="{font_size}"{font}>"#,
        esc(title)
    )
}

/// A horizontal bar chart of `counts`: one row per line, its name at the left, a grey bar
/// to scale and the number after it; a row with a link (`href`) is a link to its letters.
pub fn bars(counts: &[Count], title: &str, style: Style, href: &dyn Fn(&Count) -> Option<String>) -> String {
    const ROW: f64 = 22.0;
    let width = style.width.unwrap_or(640.0);
    let label = (width * 0.23).round();
    let bar = width - label - 70.0;
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1) as f64;
    let height = ROW * counts.len() as f64 + 8.0;
    let mut svg = open(title, width, height, 13.0, style);
    for (i, c) in counts.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let w = (bar * c.count as f64 / max).max(if c.count > 0 { 1.0 } else { 0.0 });
        let link = href(c).filter(|_| c.count > 0);
        if let Some(h) = &link {
            svg.push_str(&format!(r#"<a href="{}" class="bar">"#, esc(h)));
        }
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{label}" y="{}" width="{w:.1}" height="{}" fill="#555" stroke="#000" stroke-width="0.5"/><text x="{}" y="{}">{}</text>"##,
            label - 6.0,
            y + 15.0,
            esc(&c.label),
            y + 3.0,
            ROW - 6.0,
            label + w + 6.0,
            y + 15.0,
            c.count
        ));
        if link.is_some() {
            svg.push_str("</a>");
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The greys of stacked series, each edged in black: neighbours far apart, the first the
/// plain bars' grey.
const GREYS: [&str; 5] = ["#555555", "#c8c8c8", "#ffffff", "#000000", "#8c8c8c"];

/// Bars stacked by series: one row per `rows` entry (its label and one count per series),
/// the series named in a legend above, each row's total written after it; rows with no
/// letters are left out. `href(row, series)` links a segment to its letters.
pub fn stacked(
    rows: &[(String, Vec<i64>)],
    series: &[&str],
    title: &str,
    style: Style,
    href: &dyn Fn(usize, usize) -> Option<String>,
) -> String {
    const ROW: f64 = 22.0;
    const LEGEND: f64 = 26.0;
    let width = style.width.unwrap_or(640.0);
    let label = (width * 0.23).round();
    let bar = width - label - 70.0;
    let shown: Vec<(usize, &(String, Vec<i64>))> = rows.iter().enumerate().filter(|(_, (_, v))| v.iter().sum::<i64>() > 0).collect();
    let max = shown.iter().map(|(_, (_, v))| v.iter().sum::<i64>()).max().unwrap_or(0).max(1) as f64;
    let height = LEGEND + ROW * shown.len().max(1) as f64 + 8.0;
    let mut svg = open(title, width, height, 13.0, style);
    // The legend: a swatch and the series' name, left to right.
    let mut x = label;
    for (k, name) in series.iter().enumerate() {
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="6" width="12" height="12" fill="{}" stroke="#000" stroke-width="0.5"/><text x="{:.1}" y="17">{}</text>"##,
            GREYS[k % GREYS.len()],
            x + 16.0,
            esc(name)
        ));
        x += 16.0 + 13.0 * name.chars().count() as f64 + 14.0;
    }
    if shown.is_empty() {
        svg.push_str(&format!(r#"<text x="{label}" y="{}">本期没有来信</text>"#, LEGEND + 15.0));
    }
    for (i, (r, (name, values))) in shown.iter().enumerate() {
        let y = LEGEND + 4.0 + ROW * i as f64;
        svg.push_str(&format!(r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, label - 6.0, y + 15.0, esc(name)));
        let mut x = label;
        for (k, v) in values.iter().enumerate().filter(|(_, v)| **v > 0) {
            let w = (bar * *v as f64 / max).max(1.0);
            let link = href(*r, k);
            if let Some(h) = &link {
                svg.push_str(&format!(r#"<a href="{}" class="bar">"#, esc(h)));
            }
            svg.push_str(&format!(
                r##"<rect x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{}" stroke="#000" stroke-width="0.5"/>"##,
                y + 3.0,
                ROW - 6.0,
                GREYS[k % GREYS.len()]
            ));
            if link.is_some() {
                svg.push_str("</a>");
            }
            x += w;
        }
        svg.push_str(&format!(r#"<text x="{:.1}" y="{}">{}</text>"#, x + 6.0, y + 15.0, values.iter().sum::<i64>()));
    }
    svg.push_str("</svg>");
    svg
}

/// A line of counts per month: points marked and numbered, month numbers under the axis
/// (black on white).
pub fn line(counts: &[Count], title: &str, style: Style) -> String {
    let w = style.width.unwrap_or(640.0);
    const H: f64 = 180.0;
    const LEFT: f64 = 30.0;
    const TOP: f64 = 20.0;
    const BOTTOM: f64 = 30.0;
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1) as f64;
    let n = counts.len().max(2) as f64;
    let x = |i: usize| LEFT + (w - LEFT - 20.0) * i as f64 / (n - 1.0);
    let y = |v: i64| TOP + (H - TOP - BOTTOM) * (1.0 - v as f64 / max);
    let points: Vec<String> = counts.iter().enumerate().map(|(i, c)| format!("{:.1},{:.1}", x(i), y(c.count))).collect();
    let mut svg = open(title, w, H, 11.0, style);
    svg.push_str(&format!(
        r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#000"/><polyline points="{2}" fill="none" stroke="#000" stroke-width="1.5"/>"##,
        H - BOTTOM,
        w - 20.0,
        points.join(" ")
    ));
    for (i, c) in counts.iter().enumerate() {
        let month = c.code.get(5..).unwrap_or(&c.code).trim_start_matches('0');
        svg.push_str(&format!(
            r##"<circle cx="{0:.1}" cy="{1:.1}" r="3" fill="#000"/><text x="{0:.1}" y="{2:.1}" text-anchor="middle">{3}</text><text x="{0:.1}" y="{4:.1}" text-anchor="middle">{month}月</text>"##,
            x(i),
            y(c.count),
            y(c.count) - 6.0,
            c.count,
            H - BOTTOM + 16.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_bars_write_each_total_and_name_each_series() {
        let rows = vec![("教育".to_string(), vec![3, 0, 2]), ("民政".to_string(), vec![0, 0, 0]), ("交通".to_string(), vec![1, 1, 0])];
        let svg = stacked(&rows, &["来信", "来访", "来电"], "按渠道", Style { font: Some("FangSong"), width: Some(450.0) }, &|_, _| None);
        assert!(svg.contains(r#"font-family="FangSong""#));
        for name in ["来信", "来访", "来电", "教育", "交通"] {
            assert!(svg.contains(&format!(">{name}</text>")), "{name} named");
        }
        assert!(!svg.contains(">民政<"), "a row without letters is left out");
        assert!(svg.contains(">5</text>") && svg.contains(">2</text>"), "totals written");
        // One segment per non-zero count, plus three legend swatches.
        assert_eq!(svg.matches("<rect").count(), 3 + 2 + 2);
        assert!(!svg.contains("<a "), "no links in a document's chart");
    }
}
