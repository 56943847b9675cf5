//! Risk on arrival: the phrases of a letter's text that say it must reach a leader the same
//! day (threats of extreme acts, a mass petition announced, a danger to life and health) or
//! that the writer is in special hardship. Pure functions over text and a replaceable
//! vocabulary (data/risk.toml): no I/O.
//!
//! Robust to what OCR does to text: spaces and line breaks inside a phrase, a symbol for a
//! character, a look-alike character (集休上访). Robust to negation: "我们不会去上访" and
//! "从未想过自杀" are not threats, "没有办法只能去北京" is.

pub use crate::config::RiskVocabulary;
use crate::model::{Risk, RiskKind};

/// At most this many pieces of evidence per kind (the first ones in the letter).
const PER_KIND: usize = 3;

/// Characters that end a clause: negation does not reach across them.
fn ends_clause(c: char) -> bool {
    matches!(c, '，' | '。' | '；' | '！' | '？' | '：' | ',' | ';' | '!' | '?' | ':' | '、')
}

/// Characters OCR puts inside words, or that line breaking leaves: taken out before matching.
fn is_noise(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '"' | '`' | '·' | '•' | '^' | '~' | '_' | '|' | '¦' | '‘' | '’' | '“' | '”')
}

/// Pairs of characters OCR confuses on Chinese print (by shape), for the characters of the
/// vocabulary. A phrase is found with one of its characters read as its look-alike (自禁
/// for 自焚); one of three characters or more also with one read as a non-Chinese symbol.
/// Pairs whose look-alike makes a common word with a neighbour are left out (毒/每: 其中每个;
/// 漏/满: 充满电; 冬/各: 经过各级; 断/继: 继电器; 京/景: 进景区), and the vocabulary's
/// `ordinary` words (情不自禁) are never read as a damaged phrase.
const LOOKALIKES: &[(char, &str)] = &[
    ('体', "休本"), ('访', "仿坊方"), ('杀', "条杂"), ('焚', "梵楚禁"), ('炸', "诈怍"),
    ('药', "约荮菊"), ('京', "亰"), ('楼', "搂偻"), ('毒', "毐"), ('跳', "眺桃"),
    ('吊', "吕"), ('服', "眼"), ('农', "衣"), ('集', "焦"), ('组', "姐"), ('进', "讲"),
    ('赴', "赶"), ('堵', "赌睹"), ('围', "团"), ('静', "净"), ('坐', "座"), ('聚', "骤"),
    ('危', "尼"), ('房', "防"), ('塌', "榻"), ('裂', "烈"), ('停', "亭"), ('刺', "剌"),
    ('呕', "沤"), ('窒', "室"), ('泄', "泻"), ('残', "戎"), ('瘫', "摊"), ('癌', "瘤"),
    ('孤', "狐"), ('寡', "宾"), ('独', "浊"), ('自', "目白"), ('尽', "尺"), ('上', "土"),
    ('死', "列"), ('汽', "汔"), ('油', "由"), ('爆', "瀑"), ('报', "极"), ('复', "夏"),
    ('社', "杜"), ('极', "板"), ('端', "瑞"), ('群', "郡"), ('联', "朕"), ('越', "趋"),
    ('级', "圾"), ('北', "比"), ('省', "首"), ('煤', "媒"), ('燃', "然"), ('气', "乞"),
    ('坍', "圻"), ('险', "脸"), ('命', "令"), ('溺', "弱"), ('滑', "猾"), ('迷', "米"),
    ('吸', "汲"), ('困', "因"), ('难', "唯"), ('寒', "塞"), ('岁', "罗"), ('居', "屈"),
    ('老', "考"), ('扬', "杨场"), ('轻', "经"), ('晕', "晃"), ('疾', "痰"),
];

fn lookalike(want: char, got: char) -> bool {
    LOOKALIKES.iter().any(|(c, alts)| (*c == want && alts.contains(got)) || (*c == got && alts.contains(want)))
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Whether `got` (a window of the text) reads as `want`, allowing the damage OCR does:
/// None (not at all), Some(false) (exactly), Some(true) (with one character misread).
fn reads_as(want: &[char], got: &[char]) -> Option<bool> {
    let mut misread = 0;
    for (w, g) in want.iter().zip(got) {
        if w == g {
            continue;
        }
        // A misread character stays in its clause and is a look-alike or (in a longer
        // phrase) a stray symbol.
        let symbol = !is_cjk(*g) && !g.is_ascii_digit() && want.len() >= 3;
        if ends_clause(*g) || !(lookalike(*w, *g) || symbol) {
            return None;
        }
        misread += 1;
    }
    (misread <= 1).then_some(misread == 1)
}

/// Whether the window at `at` of `len` characters lies inside one of the ordinary words.
fn in_ordinary_word(chars: &[char], at: usize, len: usize, v: &RiskVocabulary) -> bool {
    v.ordinary.iter().any(|word| {
        let w: Vec<char> = word.chars().collect();
        (at.saturating_sub(w.len())..=at)
            .any(|start| start + w.len() <= chars.len() && start + w.len() >= at + len && chars[start..start + w.len()] == w[..])
    })
}

/// The risks read in `text`, in the letter's order, at most three pieces of evidence per
/// kind; `cosigners` is the joint letter's count (a mass matter from `mass_people` on).
pub fn find(text: &str, vocabulary: &RiskVocabulary, cosigners: u32) -> Vec<Risk> {
    let chars: Vec<char> = text.chars().filter(|c| !is_noise(*c)).collect();
    // (position, kind, evidence)
    let mut found: Vec<(usize, RiskKind, String)> = Vec::new();
    for kind in &vocabulary.kinds {
        for phrase in &kind.phrases {
            let want: Vec<char> = phrase.chars().filter(|c| !is_noise(*c)).collect();
            if want.is_empty() || want.len() > chars.len() {
                continue;
            }
            let mut at = 0;
            while at + want.len() <= chars.len() {
                let window = &chars[at..at + want.len()];
                let read = reads_as(&want, window);
                let damaged_but_ordinary = read == Some(true) && in_ordinary_word(&chars, at, want.len(), vocabulary);
                if read.is_some() && !damaged_but_ordinary && !negated(&chars, at, vocabulary) {
                    found.push((at, kind.kind, window.iter().collect()));
                    at += want.len();
                } else {
                    at += 1;
                }
            }
        }
    }
    if vocabulary.mass_people > 0 {
        for (at, people, evidence) in counted_people(&chars, vocabulary) {
            if people >= vocabulary.mass_people {
                found.push((at, RiskKind::Mass, evidence));
            }
        }
        if cosigners >= vocabulary.mass_people && !found.iter().any(|f| f.1 == RiskKind::Mass) {
            found.push((usize::MAX, RiskKind::Mass, format!("{cosigners}人联名")));
        }
    }
    found.sort_by_key(|f| f.0);
    // A shorter phrase inside a longer one found at the same place says nothing more
    // ("断水" inside "断水断电").
    let spans: Vec<(usize, usize, RiskKind)> =
        found.iter().map(|(at, k, e)| (*at, at.saturating_add(e.chars().count()), *k)).collect();
    let mut out: Vec<Risk> = Vec::new();
    for (i, (at, kind, evidence)) in found.iter().enumerate() {
        let end = spans[i].1;
        let inside = spans.iter().enumerate().any(|(j, (s, e, k))| {
            j != i && k == kind && s <= at && *e >= end && (e - s) > (end - at)
        });
        if inside || out.iter().any(|r| r.kind == *kind && r.evidence == *evidence) {
            continue;
        }
        if out.iter().filter(|r| r.kind == *kind).count() < PER_KIND {
            out.push(Risk { kind: *kind, evidence: evidence.clone() });
        }
    }
    out
}

/// Whether a negator stands just before position `at` in the same clause, with no turn
/// word between them.
fn negated(chars: &[char], at: usize, v: &RiskVocabulary) -> bool {
    let start = chars[..at].iter().rposition(|c| ends_clause(*c)).map_or(0, |p| p + 1);
    let clause: String = chars[start..at].iter().collect();
    let clause_chars: Vec<char> = clause.chars().collect();
    for neg in &v.negators {
        let Some(byte) = clause.rfind(neg.as_str()) else { continue };
        if v.not_negations.iter().any(|w| clause[byte..].starts_with(w.as_str()) || ends_inside(&clause, byte, w)) {
            continue;
        }
        let neg_end = clause[..byte].chars().count() + neg.chars().count();
        let gap: String = clause_chars[neg_end..].iter().collect();
        if gap.chars().count() <= v.negation_reach && !v.turns.iter().any(|t| gap.contains(t.as_str())) {
            return true;
        }
    }
    false
}

/// Whether the negator at `byte` of `clause` lies inside an occurrence of `word` that
/// starts before it (善罢甘休's 不 in 不会善罢甘休 is caught by starts_with; 没有别的办法's
/// 没有 by starts_with too; this covers a negator in the middle of a word).
fn ends_inside(clause: &str, byte: usize, word: &str) -> bool {
    clause.match_indices(word).any(|(at, w)| at <= byte && byte < at + w.len())
}

/// Counts of people in the text ("23名工人", "三十多户村民", "上百名职工"): position, the
/// count (at least) and the words read.
fn counted_people(chars: &[char], v: &RiskVocabulary) -> Vec<(usize, u32, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // (A count starts a number: not the tail of a longer one, nor an ordinal: 第十人民医院.)
        let inside = i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == '第');
        let Some((count, len)) = number_at(&chars[i..]).filter(|_| !inside) else {
            i += 1;
            continue;
        };
        let mut j = i + len;
        // 多 / 余 / 来 after the number ("三十多户"), then a measure word.
        if j < chars.len() && matches!(chars[j], '多' | '余' | '来') {
            j += 1;
        }
        if j < chars.len() && matches!(chars[j], '名' | '位' | '个' | '户' | '口') {
            j += 1;
        }
        let rest: String = chars[j..chars.len().min(j + 4)].iter().collect();
        // (人民币 and 人民医院 are not people.)
        let noun = v
            .people_nouns
            .iter()
            .filter(|n| rest.starts_with(n.as_str()) && !rest.starts_with(&format!("{n}民")))
            .max_by_key(|n| n.chars().count());
        let household = j > i + len && chars[j - 1] == '户';
        match noun {
            Some(n) => {
                let end = j + n.chars().count();
                out.push((i, count, chars[i..end].iter().collect()));
                i = end;
            }
            None if household => {
                out.push((i, count, chars[i..j].iter().collect()));
                i = j;
            }
            None => i += len,
        }
    }
    out
}

/// A number written in digits or in Chinese numerals at the start of `s`: its value and
/// length. "上百" and "数十" read as 100 and 10 (at least).
fn number_at(s: &[char]) -> Option<(u32, usize)> {
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    // More than five digits is a phone, an ID or an amount, not a count of people.
    if digits > 5 {
        return None;
    }
    if digits > 0 {
        let n: String = s[..digits].iter().collect();
        return Some((n.parse().unwrap_or(u32::MAX), digits));
    }
    if s.len() >= 2 && matches!(s[0], '上' | '近' | '数' | '几') && matches!(s[1], '百' | '千' | '十') {
        let v = match s[1] {
            '十' => 10,
            '百' => 100,
            _ => 1000,
        };
        return Some((v, 2));
    }
    let digit = |c: char| "零一二两三四五六七八九".find(c).map(|b| {
        let idx = "零一二两三四五六七八九"[..b].chars().count() as u32;
        if idx >= 3 { idx - 1 } else { idx }
    });
    let mut value = 0u32;
    let mut current = 0u32;
    let mut len = 0;
    let mut any = false;
    for &c in s.iter().take(8) {
        if let Some(d) = digit(c) {
            current = d;
        } else if c == '十' {
            value += current.max(1) * 10;
            current = 0;
        } else if c == '百' {
            value += current.max(1) * 100;
            current = 0;
        } else if c == '千' {
            value += current.max(1) * 1000;
            current = 0;
        } else {
            break;
        }
        any = true;
        len += 1;
    }
    // A lone "一" or "两" is an article, not a count ("一位老人").
    (any && (len > 1 || !matches!(s[0], '一' | '两' | '零'))).then_some((value + current, len))
}

/// Whether a risk of this kind makes the letter urgent: it must reach a leader the same day.
pub fn makes_urgent(kind: RiskKind) -> bool {
    matches!(kind, RiskKind::Extreme | RiskKind::Mass | RiskKind::Safety)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(RiskKind, String)> {
        find(text, &RiskVocabulary::default(), 0).into_iter().map(|r| (r.kind, r.evidence)).collect()
    }

    #[test]
    fn each_kind_is_found_with_its_evidence() {
        use RiskKind::*;
        assert_eq!(kinds("再不解决，我就到市政府门口自焚。"), vec![(Extreme, "自焚".into())]);
        assert_eq!(kinds("下周我们全村集体上访，还要进京。"), vec![(Mass, "集体上访".into()), (Mass, "进京".into())]);
        assert_eq!(kinds("化工厂夜里排放的气体有毒，孩子呼吸困难。"), vec![(Safety, "有毒".into()), (Safety, "呼吸困难".into())]);
        assert_eq!(kinds("我母亲是独居老人，常年瘫痪在床。"), vec![(Vulnerable, "独居老人".into()), (Vulnerable, "瘫痪".into())]);
    }

    #[test]
    fn negated_phrases_are_not_threats() {
        assert!(kinds("我们不会去上访，只想讨个说法。").iter().all(|k| k.1 != "上访"));
        assert!(kinds("我们不会集体上访，相信政府。").is_empty());
        assert!(kinds("我从未想过自杀，只求公道。").is_empty());
        assert!(kinds("我们绝不会采取极端行为。").is_empty());
        // A turn word between the negator and the phrase: a threat after all.
        assert_eq!(kinds("没有办法只能去北京上访。").len(), 1);
        // Idioms that begin with a negator negate nothing.
        assert_eq!(kinds("我们决不罢休\n集体上访到底").len(), 1);
        assert_eq!(kinds("实在没有办法集体上访").len(), 1);
        // A negation in an earlier clause does not reach.
        assert_eq!(kinds("如果不解决，我们就集体上访。").len(), 1);
    }

    #[test]
    fn ocr_damage_is_read_through() {
        use RiskKind::*;
        assert_eq!(kinds("我们将集休上访"), vec![(Mass, "集休上访".into())]);
        assert_eq!(kinds("我 就 去 跳\n楼"), vec![(Extreme, "跳楼".into())]);
        assert_eq!(kinds("准备喝农■自尽"), vec![(Extreme, "喝农■".into())]);
        // A two-character phrase with a look-alike, not with a symbol.
        assert_eq!(kinds("去县政府门口自\n禁"), vec![(Extreme, "自禁".into())]);
        assert!(kinds("自■").is_empty());
        // Ordinary words near a phrase are not it.
        for calm in ["我们集体上门协商", "情不自禁地哭了", "手机充满电", "经过各级部门", "继电器坏了", "其中每个人", "游客进景区", "湖南省桃江县", "聚焦民生"] {
            assert!(kinds(calm).is_empty(), "{calm}: {:?}", kinds(calm));
        }
    }

    #[test]
    fn many_people_are_a_mass_matter() {
        use RiskKind::*;
        assert_eq!(kinds("公司拖欠我们23名工人的工资。"), vec![(Mass, "23名工人".into())]);
        assert_eq!(kinds("三十多户村民的房屋被强拆，冬天将至。"), vec![(Mass, "三十多户村民".into())]);
        assert!(kinds("我和3名工友").is_empty());
        assert!(kinds("一位老人").is_empty());
        assert!(kinds("借款12000人民币").is_empty());
        assert!(kinds("在第十人民医院住院").is_empty());
        // A phone number before 家庭住址 is not thirteen billion households.
        assert!(kinds("联系电话：13812345678\n家庭住址：某市").is_empty());
        let v = RiskVocabulary::default();
        assert_eq!(find("联名反映", &v, 12), vec![Risk { kind: Mass, evidence: "12人联名".into() }]);
    }

    #[test]
    fn the_nested_phrase_is_said_once_and_evidence_is_bounded() {
        use RiskKind::*;
        assert_eq!(kinds("开发商对我家断水断电。"), vec![(Safety, "断水断电".into())]);
        let many = "自杀，自焚，跳楼，跳河，上吊。";
        assert_eq!(kinds(many).len(), PER_KIND);
        assert!(makes_urgent(Extreme) && makes_urgent(Mass) && makes_urgent(Safety) && !makes_urgent(Vulnerable));
    }

    #[test]
    fn numbers_in_chinese_are_read() {
        let n = |s: &str| number_at(&s.chars().collect::<Vec<_>>()).map(|x| x.0);
        assert_eq!(n("二十三名"), Some(23));
        assert_eq!(n("三十多户"), Some(30));
        assert_eq!(n("两百名"), Some(200));
        assert_eq!(n("上百名"), Some(100));
        assert_eq!(n("一名"), None);
        assert_eq!(n("150人"), Some(150));
    }
}
