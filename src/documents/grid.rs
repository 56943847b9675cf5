//! Lines on the GB/T 9704 character grid: a paragraph's text broken into lines of a given
//! width where every full-width character, punctuation included, takes one cell (156 mm /
//! 28 for body text), half-width runs (numbers, Latin, `XF-2026-000001`) keep their own
//! advances and are never split, and the line-breaking rules of Chinese (避头尾: no closing
//! mark at a line's start, no opening mark at its end, `——` and `……` kept whole) are kept
//! by carrying characters over to the next line, never by squeezing punctuation. Lines
//! other than a paragraph's last are justified by spreading what is left over the gaps.
//!
//! Written here rather than left to typst: typst compresses CJK punctuation to half width
//! at line ends and wherever justification needs room (clreq's rules, right for books),
//! and a 公文 may not do that. Pure: font advances come in through [`Advances`].

/// A face a run is set in; the PDF and DOCX exporters map them to fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Face {
    /// 仿宋 (body text, 版记, page numbers).
    Body,
    /// 小标宋 (titles, the organ mark).
    Title,
    /// 黑体 (first-level headings, form labels).
    Heading,
    /// 楷体 (second-level headings, 签发人's name).
    Subheading,
}

/// Horizontal advance of a character in a face, in em (1.0 = the font size).
pub trait Advances {
    fn advance(&self, face: Face, c: char) -> f64;
}

/// A run of text in one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub face: Face,
    pub text: String,
}

impl Span {
    pub fn new(face: Face, text: impl Into<String>) -> Span {
        Span { face, text: text.into() }
    }
}

/// How to set a paragraph.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    /// Font size in pt.
    pub size: f64,
    /// Added to every character's advance, pt (the DOCX's character spacing, so both
    /// formats measure a line alike).
    pub track: f64,
    /// Width of one cell (a full-width character) in pt: 156 mm / 28 for body text, the
    /// font size where there is no grid.
    pub cell: f64,
    /// The line's width in pt.
    pub width: f64,
    /// Indent of the first line and of the others, in pt.
    pub first_indent: f64,
    pub indent: f64,
    /// Spread the lines (but the last) to the full width.
    pub justify: bool,
}

/// A piece of a composed line: text set at `x` (pt from the line's left edge) in one
/// face; full-width characters in a piece stand one cell apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub x: f64,
    pub face: Face,
    pub text: String,
    /// Every character one em wide, each advancing by `pitch`: the exporter tracks the
    /// run by `pitch - size`.
    pub on_grid: bool,
    pub pitch: f64,
}

/// One composed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub pieces: Vec<Piece>,
    /// Character offsets (in the paragraph's text, all spans joined) the line covers.
    pub start: usize,
    pub end: usize,
    /// Where the line's ink ends, pt from the left edge.
    pub right: f64,
}

impl Line {
    pub fn text(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect()
    }
}

/// Full-width: takes one cell (ideographs, CJK punctuation, full-width forms, and any mark
/// the font draws a full em wide, such as “” — … in Chinese fonts).
pub fn is_wide(c: char, advance_em: f64) -> bool {
    let u = c as u32;
    matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF |
        0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF01..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
        || advance_em >= 0.9
}

/// Marks that may not begin a line (行首禁则, GB/T 15834 and clreq).
fn no_start(c: char) -> bool {
    "，。、；：？！）》」』】〕〗〉”’…—·％‰,.;:?!)]}%".contains(c)
}

/// Marks that may not end a line (行尾禁则).
fn no_end(c: char) -> bool {
    "（《「『【〔〖〈“‘([{".contains(c)
}

/// An unbreakable unit: one full-width character, a run of half-width characters, or a
/// space.
#[derive(Debug, Clone)]
struct Atom {
    face: Face,
    text: String,
    width: f64,
    wide: bool,
    /// A full-width character exactly one em wide: a run of them is set as one piece.
    em: bool,
    space: bool,
    /// Character offset of its first character.
    at: usize,
    chars: usize,
}

fn atoms(spans: &[Span], m: &Measure, adv: &dyn Advances) -> Vec<Atom> {
    // A half-width run wider than the narrowest line is cut where it reaches the edge.
    let longest = m.width - m.first_indent.max(m.indent);
    let mut out: Vec<Atom> = Vec::new();
    let mut at = 0;
    for span in spans {
        for c in span.text.chars() {
            let em = adv.advance(span.face, c);
            let wide = is_wide(c, em);
            let space = c == ' ';
            let width = if wide { m.cell } else { em * m.size + m.track };
            let joins = !wide
                && !space
                && out.last().is_some_and(|a: &Atom| {
                    !a.wide && !a.space && a.face == span.face && a.at + a.chars == at && a.width + width <= longest
                });
            if joins {
                let last = out.last_mut().expect("checked");
                last.text.push(c);
                last.width += width;
                last.chars += 1;
            } else {
                let em = wide && (em - 1.0).abs() < 1e-3;
                out.push(Atom { face: span.face, text: c.to_string(), width, wide, em, space, at, chars: 1 });
            }
            at += 1;
        }
    }
    out
}

/// May a line break between `a` and `b`?
fn may_break(a: &Atom, b: &Atom) -> bool {
    let last = a.text.chars().last().unwrap_or(' ');
    let first = b.text.chars().next().unwrap_or(' ');
    if b.space || a.space {
        return true;
    }
    if no_start(first) || no_end(last) {
        return false;
    }
    // —— and …… stay whole.
    !(last == first && matches!(first, '—' | '…'))
}

/// Breaks one paragraph into lines.
pub fn compose(spans: &[Span], m: &Measure, adv: &dyn Advances) -> Vec<Line> {
    let atoms = atoms(spans, m, adv);
    let mut lines = Vec::new();
    let mut start = 0;
    while start < atoms.len() {
        // Spaces at a wrapped line's start are dropped.
        while start < atoms.len() && atoms[start].space && !lines.is_empty() {
            start += 1;
        }
        if start >= atoms.len() {
            break;
        }
        let indent = if lines.is_empty() { m.first_indent } else { m.indent };
        let room = m.width - indent + 1e-6;
        let mut used = 0.0;
        let mut end = start;
        while end < atoms.len() && used + atoms[end].width <= room {
            used += atoms[end].width;
            end += 1;
        }
        if end == start {
            // Not even one unit fits (a cut token after a wide indent): take it anyway.
            end = start + 1;
        } else if end < atoms.len() {
            // Carry characters over to the next line until the break is allowed; a line
            // with no allowed break at all keeps the greedy one.
            let mut at = end;
            while at > start && !may_break(&atoms[at - 1], &atoms[at]) {
                at -= 1;
            }
            if at > start {
                end = at;
            }
        }
        // Trailing spaces do not count.
        let mut last = end;
        while last > start + 1 && atoms[last - 1].space {
            last -= 1;
        }
        let is_last = end >= atoms.len();
        lines.push(place(&atoms[start..last], indent, m, m.justify && !is_last));
        start = end;
    }
    lines
}

/// Sets atoms on a line from `indent`, spreading the slack over the gaps when `justify`.
fn place(atoms: &[Atom], indent: f64, m: &Measure, justify: bool) -> Line {
    let natural: f64 = atoms.iter().map(|a| a.width).sum();
    let gaps = atoms.len().saturating_sub(1);
    let slack = (m.width - indent - natural).max(0.0);
    let spread = if justify && gaps > 0 && slack > 1e-6 { slack / gaps as f64 } else { 0.0 };
    let mut pieces: Vec<Piece> = Vec::new();
    let mut x = indent;
    let mut last_em = false;
    for a in atoms {
        // Full-width characters one cell (and the spread) apart join the piece before.
        let joins = a.em && last_em && pieces.last().is_some_and(|p: &Piece| p.on_grid && p.face == a.face);
        if joins {
            pieces.last_mut().expect("checked").text.push_str(&a.text);
        } else {
            let pitch = if a.em { a.width + spread } else { 0.0 };
            pieces.push(Piece { x, face: a.face, text: a.text.clone(), on_grid: a.em, pitch });
        }
        last_em = a.em;
        x += a.width + spread;
    }
    let right = if atoms.is_empty() { x } else { x - spread };
    let start = atoms.first().map(|a| a.at).unwrap_or(0);
    let end = atoms.last().map(|a| a.at + a.chars).unwrap_or(start);
    Line { pieces, start, end, right }
}

/// Breaks a title into balanced lines (GB/T 9704 7.3.1: 排列对称，长短适宜): the fewest
/// lines that hold it, each about as long as the others, the breaks where 避头尾 allows.
pub fn balance(spans: &[Span], m: &Measure, adv: &dyn Advances) -> Vec<Line> {
    let greedy = compose(spans, m, adv);
    if greedy.len() < 2 {
        return greedy;
    }
    let total: f64 = greedy.iter().map(|l| l.right - l.pieces.first().map(|p| p.x).unwrap_or(0.0)).sum();
    let n = greedy.len();
    // Narrow the measure until the line count would grow.
    let mut best = greedy;
    let mut width = (total / n as f64).max(m.cell);
    while width < m.width {
        let trial = compose(spans, &Measure { width, ..*m }, adv);
        if trial.len() == n {
            best = trial;
            break;
        }
        width += m.cell / 2.0;
    }
    best
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Latin half an em, everything else a full em.
    pub struct Fixed;
    impl Advances for Fixed {
        fn advance(&self, _: Face, c: char) -> f64 {
            if c.is_ascii() { 0.5 } else { 1.0 }
        }
    }

    pub fn body() -> Measure {
        let cell = 156.0 / 25.4 * 72.0 / 28.0;
        Measure { size: 16.0, track: 0.0, cell, width: cell * 28.0, first_indent: 2.0 * cell, indent: 0.0, justify: true }
    }

    fn lines(text: &str) -> Vec<String> {
        compose(&[Span::new(Face::Body, text)], &body(), &Fixed).iter().map(|l| l.text()).collect()
    }

    #[test]
    fn a_full_line_holds_28_cells_punctuation_included() {
        let text = "现将信访人反映的问题，转送你单位；请依法处理，并告知信访人。".repeat(3);
        let ls = compose(&[Span::new(Face::Body, &text)], &body(), &Fixed);
        assert_eq!(ls[0].text().chars().count(), 26, "first line indented two cells");
        assert_eq!(ls[1].text().chars().count(), 28);
        for l in &ls {
            assert!(l.right <= body().width + 1e-6, "{} ends at {}", l.text(), l.right);
        }
    }

    #[test]
    fn no_closing_mark_starts_a_line_and_no_opening_mark_ends_one() {
        // 26 characters fill the first line; the 27th is a comma.
        let text = format!("{}，后文{}", "字".repeat(26), "文".repeat(40));
        let ls = lines(&text);
        assert!(!ls[1].starts_with('，'), "{ls:?}");
        assert_eq!(ls[0].chars().count(), 25, "one character carried over with the comma: {ls:?}");
        let text = format!("{}（括号内）{}", "字".repeat(25), "文".repeat(40));
        let ls = lines(&text);
        assert!(!ls[0].ends_with('（'), "{ls:?}");
        let text = format!("{}——{}", "字".repeat(25), "文".repeat(40));
        let ls = lines(&text);
        assert!(!ls[0].ends_with('—') || ls[0].ends_with("——"), "{ls:?}");
    }

    #[test]
    fn half_width_tokens_are_never_split() {
        let text = format!("{}登记号XF-2026-000001，电话0715-8123456。{}", "字".repeat(20), "文".repeat(30));
        let ls = lines(&text);
        assert!(ls.iter().any(|l| l.contains("XF-2026-000001")), "{ls:?}");
        assert!(ls.iter().any(|l| l.contains("0715-8123456")), "{ls:?}");
    }

    #[test]
    fn justified_lines_reach_the_edge_and_the_last_does_not() {
        let text = format!("{}XF-2026-000001{}", "字".repeat(22), "文".repeat(40));
        let ls = compose(&[Span::new(Face::Body, &text)], &body(), &Fixed);
        let w = body().width;
        for l in &ls[..ls.len() - 1] {
            assert!((l.right - w).abs() < 0.01, "{} ends at {} of {w}", l.text(), l.right);
            // Pieces stand where the widths before them put them.
            for p in &l.pieces {
                assert!(p.x >= 0.0 && p.x < w);
            }
        }
        assert!(ls.last().unwrap().right < w - 1.0);
    }

    #[test]
    fn offsets_cover_the_text_once() {
        let text = "一二三四五六七八九十".repeat(9);
        let ls = compose(&[Span::new(Face::Body, &text)], &body(), &Fixed);
        assert_eq!(ls.first().unwrap().start, 0);
        for pair in ls.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert_eq!(ls.last().unwrap().end, 90);
    }

    #[test]
    fn a_title_is_balanced() {
        let m = Measure { size: 22.0, track: 0.0, cell: 22.0, width: 442.2, first_indent: 0.0, indent: 0.0, justify: false };
        let title = "关于进一步加强和改进新时代信访工作推动信访事项及时就地解决的通知";
        let ls = balance(&[Span::new(Face::Title, title)], &m, &Fixed);
        assert_eq!(ls.len(), 2);
        let (a, b) = (ls[0].text().chars().count(), ls[1].text().chars().count());
        assert!(a.abs_diff(b) <= 2, "{a} / {b}");
    }
}
