//! Pages' text -> petitioner fields. Pure functions over lines of text: no I/O, no engine.
//! Each field is looked for where letters put it (a labelled header block, a sentence in
//! the body such as "我叫王某，家住……", or the signature block at the end) and comes with a
//! confidence: how sure the rule that found it is, times the OCR confidence of its line.
//! A field that is not found is `None`, never guessed.

use super::cndate::{cn_number, find_dates};
use crate::idnum::{is_id_char, is_plausible_legacy, read_candidate, IdReading};
use crate::config::Vocabulary;
use crate::model::{FieldConfidence, FieldPages, Fields};
use regex::Regex;
use std::sync::LazyLock;

/// A line of a letter's text, with the page it is on (`None` for a DOCX) and its
/// recognition confidence (1 for text layers).
#[derive(Debug, Clone)]
pub struct Line {
    pub page: Option<u32>,
    pub text: String,
    pub confidence: f32,
}

/// The fields with their confidences, source pages and anything a reviewer should know.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub fields: Fields,
    pub confidence: FieldConfidence,
    pub pages: FieldPages,
    pub warnings: Vec<String>,
}

/// One candidate value for a field.
#[derive(Debug, Clone)]
struct Found {
    value: String,
    confidence: f32,
    page: Option<u32>,
}

impl Found {
    fn at(line: &Line, value: impl Into<String>, rule: f32) -> Found {
        Found {
            value: value.into(),
            confidence: round2(rule * line.confidence.clamp(0.0, 1.0)),
            page: line.page,
        }
    }
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// Turns full-width digits and Latin letters into ASCII (OCR and typists use both).
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFF10 + 0x30).unwrap_or(c)
            }
            '\u{FF0D}' => '-',
            '\u{FF0B}' => '+',
            _ => c,
        })
        .collect()
}

/// Extracts every field from the lines of one letter.
pub fn extract(lines: &[Line], vocabulary: &Vocabulary) -> Extracted {
    let lines: Vec<Line> = lines
        .iter()
        .map(|l| Line {
            text: normalise(&l.text),
            ..l.clone()
        })
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let mut out = Extracted::default();
    if lines.is_empty() {
        out.confidence.urgent = 0.0;
        out.confidence.cosigners = 0.0;
        return out;
    }
    let full: String = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let physical = lines;
    let lines = logical_lines(&physical);

    let ids = find_id(&lines, &mut out.warnings);
    set(
        &mut out.fields.id_number,
        &mut out.confidence.id_number,
        &mut out.pages.id_number,
        ids,
    );
    let phone = find_phone(&lines);
    set(
        &mut out.fields.phone,
        &mut out.confidence.phone,
        &mut out.pages.phone,
        phone,
    );
    let name = find_name(&lines);
    set(
        &mut out.fields.name,
        &mut out.confidence.name,
        &mut out.pages.name,
        name,
    );
    let address = find_address(&lines);
    set(
        &mut out.fields.address,
        &mut out.confidence.address,
        &mut out.pages.address,
        address,
    );
    let date = find_letter_date(&physical);
    set(
        &mut out.fields.date,
        &mut out.confidence.date,
        &mut out.pages.date,
        date,
    );
    let summary = find_summary(&lines);
    set(
        &mut out.fields.summary,
        &mut out.confidence.summary,
        &mut out.pages.summary,
        summary,
    );

    let (category, cat_conf) = categorise(&full, vocabulary);
    out.fields.category = Some(category);
    out.confidence.category = Some(cat_conf);

    let (cosigners, conf) = count_cosigners(&lines, &full, &mut out.warnings);
    out.fields.cosigners = cosigners;
    out.confidence.cosigners = conf;

    // Urgent when it says so, or when what it says must reach a leader the same day.
    out.fields.risk = super::risk::find(&full, &vocabulary.risk, cosigners);
    let urgent = vocabulary
        .urgent_words
        .iter()
        .any(|w| full.contains(w.as_str()))
        || out.fields.risk.iter().any(|r| super::risk::makes_urgent(r.kind));
    out.fields.urgent = urgent;
    out.confidence.urgent = if urgent { 0.9 } else { 0.8 };
    flag_doubtful(&mut out);
    out
}

/// Flags the personal fields read with low confidence, so the review looks at them first.
fn flag_doubtful(out: &mut Extracted) {
    for (field, conf) in out.confidence.doubtful() {
        out.warnings.push(format!("{field} read with low confidence ({conf:.2}); check it against the scan"));
    }
}

/// Lines joined where the writer's sentence ran on past the line end: a line that is nearly
/// as long as the longest on its page and does not end with a closing mark is continued by
/// the next, unless that one starts with a label or greeting ("电话：", "尊敬的领导：").
pub fn logical_lines(lines: &[Line]) -> Vec<Line> {
    let mut longest = std::collections::HashMap::new();
    for l in lines {
        let n = l.text.chars().count();
        let e = longest.entry(l.page).or_insert(0);
        *e = (*e).max(n);
    }
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut open = false;
    for l in lines {
        let starts_with_label = l.text.chars().take(8).any(|c| c == '：' || c == ':');
        let date_line = l.text.chars().count() <= 16 && !find_dates(&l.text).is_empty();
        match out.last_mut() {
            Some(prev) if open && prev.page == l.page && !starts_with_label && !date_line => {
                prev.text.push_str(l.text.trim());
                prev.confidence = prev.confidence.min(l.confidence);
            }
            _ => out.push(l.clone()),
        }
        let n = l.text.chars().count();
        let max = longest[&l.page];
        open = max >= 12
            && n * 100 >= max * 85
            && !l
                .text
                .trim_end()
                .ends_with(['：', ':', '。', '！', '？', '!', '?', '；', '…']);
    }
    out
}

fn set(
    value: &mut Option<String>,
    conf: &mut Option<f32>,
    page: &mut Option<u32>,
    found: Option<Found>,
) {
    if let Some(f) = found {
        *value = Some(f.value);
        *conf = Some(f.confidence);
        *page = f.page;
    }
}

// ---------------------------------------------------------------- ID number

fn find_id(lines: &[Line], warnings: &mut Vec<String>) -> Option<Found> {
    let mut best: Option<(u8, Found)> = None;
    let mut invalid_labelled = false;
    for line in lines {
        let labelled = line.text.contains("身份证")
            || line.text.contains("证件号")
            || line.text.contains("公民身份号码");
        for run in id_runs(&line.text) {
            let digits = run.chars().filter(|c| c.is_ascii_digit()).count();
            if digits < 12 {
                continue;
            }
            let n = run.chars().count();
            let windows: Vec<String> = if n == 18 {
                vec![run.clone()]
            } else if n > 18 {
                let chars: Vec<char> = run.chars().collect();
                vec![
                    chars[..18].iter().collect(),
                    chars[n - 18..].iter().collect(),
                ]
            } else {
                vec![]
            };
            let mut matched = false;
            for w in windows {
                let (rank, rule, value) = match read_candidate(&w) {
                    IdReading::Exact(v) => (
                        if labelled { 4 } else { 3 },
                        if labelled { 0.99 } else { 0.9 },
                        v,
                    ),
                    IdReading::Repaired(v) => (
                        if labelled { 2 } else { 1 },
                        if labelled { 0.85 } else { 0.75 },
                        v,
                    ),
                    IdReading::Invalid => continue,
                };
                matched = true;
                if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                    best = Some((rank, Found::at(line, value, rule)));
                }
            }
            if !matched && n == 15 && labelled && is_plausible_legacy(&run) && best.is_none() {
                best = Some((0, Found::at(line, run.clone(), 0.6)));
                warnings.push("id_number is a legacy 15-digit number (no check digit)".into());
                matched = true;
            }
            if !matched && labelled && (15..=19).contains(&n) {
                invalid_labelled = true;
            }
        }
    }
    if let Some((rank, found)) = &best {
        if *rank == 1 || *rank == 2 {
            warnings.push(format!(
                "id_number repaired from OCR confusions (checksum holds; ends …{})",
                &found.value[14..]
            ));
        }
    } else if invalid_labelled {
        warnings.push(
            "an ID number is written but fails the GB 11643 checksum; left empty for review".into(),
        );
    }
    best.map(|(_, f)| f)
}

/// Runs of ID-like characters in a line, single spaces inside a run removed.
fn id_runs(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_id_char(chars[i]) || !(chars[i].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let mut run = String::new();
        let mut j = i;
        while j < chars.len() {
            if is_id_char(chars[j]) {
                run.push(chars[j]);
                j += 1;
            } else if chars[j] == ' '
                && j + 1 < chars.len()
                && is_id_char(chars[j + 1])
                && !run.is_empty()
            {
                j += 1;
            } else {
                break;
            }
        }
        runs.push(run);
        i = j.max(i + 1);
    }
    runs
}

// ---------------------------------------------------------------- phone

static MOBILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])(?:\+?86[-\s]?)?(1[3-9]\d(?:[-\s]?\d{4}){2})").unwrap()
});
static LANDLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])(0(?:10|2\d|[3-9]\d{2}))\s*[-—–－]?\s*([2-9]\d{6,7})").unwrap()
});
const PHONE_LABELS: [&str; 7] = [
    "电话",
    "手机",
    "联系方式",
    "电 话",
    "Tel",
    "TEL",
    "联系号码",
];

fn find_phone(lines: &[Line]) -> Option<Found> {
    let mut best: Option<(u8, Found)> = None;
    for line in lines {
        let labelled = PHONE_LABELS.iter().any(|l| line.text.contains(l));
        let mut consider = |rank: u8, found: Found| {
            if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                best = Some((rank, found));
            }
        };
        for c in MOBILE.captures_iter(&line.text) {
            let m = c.get(1).unwrap();
            if followed_by_digit(&line.text, m.end()) {
                continue;
            }
            let digits: String = m.as_str().chars().filter(|c| c.is_ascii_digit()).collect();
            consider(
                if labelled { 4 } else { 2 },
                Found::at(line, digits, if labelled { 0.97 } else { 0.85 }),
            );
        }
        for c in LANDLINE.captures_iter(&line.text) {
            let end = c.get(2).unwrap().end();
            if followed_by_digit(&line.text, end) {
                continue;
            }
            let value = format!("{}-{}", &c[1], &c[2]);
            consider(
                if labelled { 3 } else { 1 },
                Found::at(line, value, if labelled { 0.95 } else { 0.8 }),
            );
        }
    }
    best.map(|(_, f)| f)
}

fn followed_by_digit(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------- name

/// Common surnames (the 200 most frequent, plus compound ones), to judge unlabelled names.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";
const COMPOUND_SURNAMES: [&str; 12] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
];

pub fn has_common_surname(name: &str) -> bool {
    COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s))
        || name.chars().next().is_some_and(|c| SURNAMES.contains(c))
}

static NAME_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:信访人|反映人|举报人|投诉人|来信人|申请人|控告人|检举人|具名人|联系人|署名|本人姓名|姓\s*名)\s*(?:（[^）]{0,6}）)?\s*[:：]\s*([\p{Han}·]{2,6})").unwrap()
});
static NAME_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:我叫|我名叫|本人叫|本人名叫|我的名字叫|我是)([\p{Han}·]{2,6})").unwrap()
});
static SIGNATURE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:信访人|反映人|举报人|投诉人|来信人|具名人|署名|签名)\s*[:：]?\s*)?([\p{Han}·]{2,4})(?:\s*[(（]?(?:签名|签字|手印|按手印)[)）]?)?$").unwrap()
});

/// Words that follow a name in running text and must not be taken as part of it.
const AFTER_NAME: [&str; 24] = [
    "家住",
    "住在",
    "现住",
    "住址",
    "性别",
    "身份证",
    "电话",
    "手机",
    "联系",
    "年龄",
    "出生",
    "民族",
    "汉族",
    "今年",
    "系",
    "是",
    "现年",
    "男",
    "女",
    "村民",
    "居民",
    "退休",
    "职工",
    "工人",
];
/// Captures that are words, not names.
const NOT_NAMES: [&str; 16] = [
    "本人",
    "我们",
    "群众",
    "村民",
    "居民",
    "同志",
    "领导",
    "信访人",
    "反映人",
    "举报人",
    "签名",
    "大家",
    "全体",
    "业主",
    "家属",
    "联名",
];

fn trim_name(raw: &str) -> Option<String> {
    let mut name = raw.to_string();
    for stop in AFTER_NAME {
        if let Some(pos) = name.find(stop) {
            if name[..pos].chars().count() >= 2 {
                name.truncate(pos);
            }
        }
    }
    let n = name.chars().count();
    if !(2..=4).contains(&n) || NOT_NAMES.iter().any(|w| name.starts_with(w)) {
        return None;
    }
    Some(name)
}

fn find_name(lines: &[Line]) -> Option<Found> {
    let surname_factor = |n: &str| if has_common_surname(n) { 1.0 } else { 0.7 };
    for line in lines {
        if let Some(c) = NAME_LABELLED.captures(&line.text) {
            if let Some(name) = trim_name(&c[1]) {
                let f = surname_factor(&name);
                return Some(Found::at(line, name, 0.95 * f));
            }
        }
    }
    for line in lines {
        for c in NAME_INLINE.captures_iter(&line.text) {
            if let Some(name) = trim_name(&c[1]) {
                // "我是" is followed by a role as often as by a name: ask for a known surname.
                if c[0].starts_with("我是") && !has_common_surname(&name) {
                    continue;
                }
                let f = surname_factor(&name);
                return Some(Found::at(line, name, 0.85 * f));
            }
        }
    }
    // The signature block: a short line of 2-4 characters after 此致/敬礼, or just before
    // the closing date.
    let start = lines
        .iter()
        .rposition(|l| l.text.contains("敬礼") || l.text.contains("此致"))
        .map(|i| i + 1);
    let tail_start = start.unwrap_or(lines.len().saturating_sub(4));
    for line in &lines[tail_start..] {
        let t = line.text.trim();
        if let Some(c) = SIGNATURE_LINE.captures(t) {
            if let Some(name) = trim_name(&c[1]) {
                if has_common_surname(&name) {
                    return Some(Found::at(line, name, 0.75));
                }
            }
        }
    }
    None
}

// ---------------------------------------------------------------- address

static ADDRESS_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:家庭住址|现住址|户籍地址|通讯地址|联系地址|居住地址|住址|地址|家住|现住|居住在|住在)\s*(?:是|在)?\s*[:：]?\s*([^，,。；;！!？?：:]+)").unwrap()
});
static ADDRESS_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\p{Han}]{2,8}(?:省|自治区)[\p{Han}]{2,10}(?:市|州|盟)[[\p{Han}\d\-]&&[^的是在和与及]]{2,40}(?:村|组|号|室|社区|小区|栋|单元|楼))").unwrap()
});
const ADDRESS_MARKS: [&str; 19] = [
    "省", "市", "县", "区", "镇", "乡", "街道", "村", "路", "街", "号", "小区", "栋", "单元", "室",
    "组", "社区", "巷", "弄",
];
/// Where an address stops inside a sentence.
const AFTER_ADDRESS: [&str; 9] = [
    "电话",
    "手机",
    "联系",
    "身份证",
    "邮编",
    "的村民",
    "的居民",
    "今年",
    "现年",
];

/// Provincial-level names: an address starts with one of these when it is complete.
const PROVINCES: [&str; 34] = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
];

/// Drops words before the province name ("我们是山东省…" -> "山东省…").
fn from_province(a: &str) -> &str {
    let first = PROVINCES.iter().filter_map(|p| a.find(p)).min();
    match first {
        Some(pos) if pos > 0 && a[..pos].chars().count() <= 10 && address_score(&a[..pos]) == 0 => {
            &a[pos..]
        }
        _ => a,
    }
}

fn starts_with_province(a: &str) -> bool {
    PROVINCES.iter().any(|p| a.starts_with(p))
}

fn address_score(a: &str) -> usize {
    ADDRESS_MARKS.iter().filter(|m| a.contains(*m)).count()
}

fn find_address(lines: &[Line]) -> Option<Found> {
    let mut candidates: Vec<(usize, Found)> = Vec::new();
    for line in lines {
        for c in ADDRESS_LABELLED.captures_iter(&line.text) {
            let mut a = c[1].trim().to_string();
            for stop in AFTER_ADDRESS {
                if let Some(p) = a.find(stop) {
                    a.truncate(p);
                }
            }
            let a = from_province(a.trim().trim_end_matches('的').trim()).to_string();
            let score = address_score(&a);
            if score >= 2 && a.chars().count() >= 5 {
                candidates.push((score, Found::at(line, a, 0.9)));
            }
        }
    }
    if candidates.is_empty() {
        for line in lines {
            if let Some(c) = ADDRESS_BARE.captures(&line.text) {
                let a = from_province(&c[1]).to_string();
                candidates.push((address_score(&a), Found::at(line, a, 0.65)));
            }
        }
    }
    // The fullest address: from a province if any does, most parts, then longest; earlier
    // on ties.
    candidates
        .into_iter()
        .enumerate()
        .max_by_key(|(i, (score, f))| {
            (
                starts_with_province(&f.value),
                *score,
                f.value.chars().count(),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, (_, f))| f)
}

// ---------------------------------------------------------------- date

const DATE_LABELS: [&str; 6] = ["日期", "落款", "写信时间", "来信日期", "时间", "写于"];

fn find_letter_date(lines: &[Line]) -> Option<Found> {
    let n = lines.len();
    let mut best: Option<(u8, usize, Found)> = None;
    for (i, line) in lines.iter().enumerate() {
        for d in find_dates(&line.text) {
            let rest: String = format!("{}{}", &line.text[..d.start], &line.text[d.end..])
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：' | '。' | '.'))
                .collect();
            let labelled = DATE_LABELS.iter().any(|l| rest.contains(l));
            let alone = rest.chars().count() <= 2 || (labelled && rest.chars().count() <= 6);
            let near_end = i + 3 >= n;
            let rank = match (alone, labelled, near_end) {
                (true, _, true) => 5,
                (true, _, false) => 4,
                (false, true, _) => 3,
                (false, false, true) => 2,
                _ => continue,
            };
            let rule = [0.0, 0.0, 0.7, 0.85, 0.9, 0.97][rank as usize];
            let found = Found::at(line, d.date.format("%Y-%m-%d").to_string(), rule);
            // Higher rank wins; within a rank, the later date line (the closing one).
            if best
                .as_ref()
                .is_none_or(|(r, j, _)| rank > *r || (rank == *r && i >= *j))
            {
                best = Some((rank, i, found));
            }
        }
    }
    best.map(|(_, _, f)| f)
}

// ---------------------------------------------------------------- summary

static SUMMARY_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:事\s*由|反映事项|反映问题|主要问题|信访事项|信访请求|请求事项|诉求|主题|标题|内容摘要)\s*[:：]\s*(.{4,})$").unwrap()
});
static TITLE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^关于.{2,60}(?:的)?(?:反映|投诉|举报|申请|请求|控告|建议|报告|申诉|求助|诉求|问题)(?:信|材料|书|函)?$").unwrap()
});
const DEMAND_WORDS: [&str; 12] = [
    "要求", "请求", "恳请", "希望", "反映", "投诉", "举报", "拖欠", "至今", "解决", "控告", "申诉",
];
const MAX_SUMMARY_CHARS: usize = 80;

fn clip(s: &str) -> String {
    let s = s.trim().trim_end_matches(['。', '，', '；', ',', ';']);
    if s.chars().count() <= MAX_SUMMARY_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_SUMMARY_CHARS - 1).collect();
        t.push('…');
        t
    }
}

fn find_summary(lines: &[Line]) -> Option<Found> {
    for line in lines {
        if let Some(c) = SUMMARY_LABELLED.captures(line.text.trim()) {
            return Some(Found::at(line, clip(&c[1]), 0.95));
        }
    }
    for line in lines.iter().take(4) {
        let t = strip_tags(line.text.trim());
        if TITLE_LINE.is_match(t) {
            return Some(Found::at(line, clip(t), 0.85));
        }
    }
    // The best sentence of the body: the one with the most demand words, between the
    // greeting ("尊敬的领导：", any short line ending with a colon) and the closing formula.
    // Sentences never run across (logical) lines, so header lines stay apart.
    let body_start = lines
        .iter()
        .take(12)
        .position(|l| l.text.trim_end().ends_with(['：', ':']) && l.text.chars().count() <= 20)
        .map(|i| i + 1)
        .unwrap_or(0);
    let body_end = lines
        .iter()
        .rposition(|l| l.text.contains("此致"))
        .unwrap_or(lines.len());
    let mut best: Option<(usize, Found)> = None;
    for line in lines
        .get(body_start..body_end.max(body_start))
        .unwrap_or(&[])
    {
        let mut sentence = String::new();
        for ch in line.text.chars() {
            sentence.push(ch);
            if matches!(ch, '。' | '！' | '？' | '!' | '?') {
                consider_sentence(&sentence, line, &mut best);
                sentence.clear();
            }
        }
        consider_sentence(&sentence, line, &mut best);
    }
    best.map(|(_, f)| f)
}

/// A title without leading tags such as "【紧急】".
fn strip_tags(t: &str) -> &str {
    let mut t = t;
    while let Some(rest) = t
        .strip_prefix('【')
        .and_then(|r| r.split_once('】'))
        .map(|(_, r)| r)
    {
        t = rest.trim_start();
    }
    t
}

/// A run of 7 or more digits: a phone or ID number, which a summary must not carry.
fn has_long_number(s: &str) -> bool {
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 7 {
            return true;
        }
    }
    false
}

fn consider_sentence(sentence: &str, line: &Line, best: &mut Option<(usize, Found)>) {
    let s = sentence.trim();
    let n = s.chars().count();
    if !(8..=150).contains(&n) {
        return;
    }
    let score = DEMAND_WORDS.iter().filter(|w| s.contains(*w)).count();
    // An introduction ("现将有关情况反映如下：") announces the issue; it is not the issue.
    if score == 0 || has_long_number(s) || s.ends_with(['：', ':']) {
        return;
    }
    if best.as_ref().is_none_or(|(b, _)| score > *b) {
        *best = Some((score, Found::at(line, clip(s), 0.6)));
    }
}

// ---------------------------------------------------------------- category

fn categorise(text: &str, vocabulary: &Vocabulary) -> (String, f32) {
    let scores: Vec<usize> = vocabulary
        .categories
        .iter()
        .map(|c| {
            c.keywords
                .iter()
                .map(|k| text.matches(k.as_str()).count() * k.chars().count())
                .sum()
        })
        .collect();
    let total: usize = scores.iter().sum();
    let fallback = vocabulary
        .categories
        .last()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    if total == 0 {
        return (fallback, 0.3);
    }
    let (best, &top) = scores
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (**s, std::cmp::Reverse(*i)))
        .unwrap();
    let share = top as f32 / total as f32;
    (
        vocabulary.categories[best].name.clone(),
        round2(0.5 + 0.5 * share),
    )
}

// ---------------------------------------------------------------- cosigners

static COUNT_BEFORE_SIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,4}|[一二两三四五六七八九十]{1,3})\s*(?:名|位|户|个|人)\s*(?:村民|群众|业主|职工|工人|农民工|居民|住户|家长|老人|员工)?\s*(?:共同)?(?:联名|签名)").unwrap()
});
static COUNT_LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:联名人数|签名人数|联名人共|共\s*计?)\s*[:：]?\s*(\d{1,4}|[一二两三四五六七八九十]{1,3})\s*(?:人|名|户|位)").unwrap()
});
static NAME_LIST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:联名人|签名人|联名)\s*[:：]\s*(.+)$").unwrap());

fn parse_count(s: &str) -> Option<u32> {
    s.parse().ok().or_else(|| {
        if s == "两" {
            Some(2)
        } else {
            cn_number(&s.replace('两', "二"))
        }
    })
}

fn count_cosigners(lines: &[Line], full: &str, warnings: &mut Vec<String>) -> (u32, f32) {
    let joint = full.contains("联名") || full.contains("共同签名");
    if !joint {
        return (0, 0.8);
    }
    for re in [&*COUNT_LABELLED, &*COUNT_BEFORE_SIGN] {
        if let Some(n) = re
            .captures(full)
            .and_then(|c| parse_count(&c[1]))
            .filter(|&n| n >= 2)
        {
            return (n, 0.9);
        }
    }
    for line in lines.iter().rev() {
        if let Some(c) = NAME_LIST.captures(&line.text) {
            let names = c[1]
                .split(['、', '，', ',', ' ', '；', ';'])
                .filter(|n| (2..=4).contains(&n.chars().count()))
                .count();
            if names >= 2 {
                return (names as u32, 0.8);
            }
        }
    }
    warnings.push("joint letter (联名) but the number of signers was not found".into());
    (0, 0.3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        text.lines()
            .map(|t| Line {
                page: Some(1),
                text: t.to_string(),
                confidence: 1.0,
            })
            .collect()
    }

    fn run(text: &str) -> Extracted {
        extract(&lines(text), &Vocabulary::default())
    }

    #[test]
    fn fields_read_with_low_confidence_are_flagged_for_review() {
        let mut ls = lines("信访人：张建国\n联系电话：13812345678");
        ls[0].confidence = 0.55;
        let e = extract(&ls, &Vocabulary::default());
        assert_eq!(e.fields.name.as_deref(), Some("张建国"));
        assert!(e.warnings.iter().any(|w| w.starts_with("name read with low confidence")), "{:?}", e.warnings);
        assert!(!e.warnings.iter().any(|w| w.starts_with("phone")), "{:?}", e.warnings);
    }

    #[test]
    fn header_block_letter() {
        let e = run("关于拖欠工资问题的反映\n信访人：张建国\n身份证号：440524188001010014\n联系电话：13812345678\n家庭住址：湖北省咸宁市咸安区温泉街道金桂路88号3栋2单元501室\n尊敬的领导：\n我在某建筑公司打工，公司拖欠工资三个月，至今未付。\n此致\n敬礼\n反映人：张建国\n2026年11月3日");
        let f = &e.fields;
        assert_eq!(f.name.as_deref(), Some("张建国"));
        assert_eq!(f.id_number.as_deref(), Some("440524188001010014"));
        assert_eq!(f.phone.as_deref(), Some("13812345678"));
        assert_eq!(
            f.address.as_deref(),
            Some("湖北省咸宁市咸安区温泉街道金桂路88号3栋2单元501室")
        );
        assert_eq!(f.date.as_deref(), Some("2026-11-03"));
        assert_eq!(f.summary.as_deref(), Some("关于拖欠工资问题的反映"));
        assert_eq!(f.category.as_deref(), Some("劳动和社会保障"));
        assert!(!f.urgent);
        assert_eq!(f.cosigners, 0);
        assert!(e.confidence.name.unwrap() > 0.9);
        assert_eq!(e.pages.id_number, Some(1));
    }

    #[test]
    fn details_inside_a_sentence() {
        let e = run("尊敬的县信访局领导：\n我叫李秀英，家住河南省信阳市平桥区五里墩街道新华村三组，电话0376-6231234。\n村里修路占了我家的承包地，至今没有给补偿，恳请领导帮助解决。\n二〇二六年十月九日");
        let f = &e.fields;
        assert_eq!(f.name.as_deref(), Some("李秀英"));
        assert_eq!(
            f.address.as_deref(),
            Some("河南省信阳市平桥区五里墩街道新华村三组")
        );
        assert_eq!(f.phone.as_deref(), Some("0376-6231234"));
        assert_eq!(f.date.as_deref(), Some("2026-10-09"));
        assert_eq!(f.id_number, None);
        assert!(f.summary.as_deref().unwrap().contains("恳请领导帮助解决"));
    }

    #[test]
    fn signature_block_name_and_repaired_id() {
        let e = run("尊敬的领导：\n我们小区旁边的化工厂每天晚上排放废气，气味刺鼻，要求环保部门查处。\n身份证：11O1O519491231002x\n此致\n敬礼\n王建华\n2026.11.3");
        let f = &e.fields;
        assert_eq!(f.name.as_deref(), Some("王建华"));
        assert_eq!(f.id_number.as_deref(), Some("11010519491231002X"));
        assert!(e.warnings.iter().any(|w| w.contains("repaired")));
        assert!(e.confidence.id_number.unwrap() < 0.9);
        assert_eq!(f.category.as_deref(), Some("生态环境"));
        assert_eq!(f.date.as_deref(), Some("2026-11-03"));
    }

    #[test]
    fn invalid_id_is_not_reported() {
        let e = run("信访人：赵四\n身份证号：440524188001010015");
        assert_eq!(e.fields.id_number, None);
        assert!(e.warnings.iter().any(|w| w.contains("checksum")));
        // The warning never prints the number itself.
        assert!(!e.warnings.iter().any(|w| w.contains("440524188001010015")));
    }

    #[test]
    fn absent_fields_are_null() {
        let e = run("领导你好，路灯坏了很久。");
        let f = &e.fields;
        assert_eq!(
            (
                f.name.clone(),
                f.id_number.clone(),
                f.phone.clone(),
                f.address.clone(),
                f.date.clone()
            ),
            (None, None, None, None, None)
        );
        assert_eq!(f.cosigners, 0);
    }

    #[test]
    fn body_dates_are_not_the_letter_date() {
        let e = run("尊敬的领导：\n2024年5月1日开发商承诺交房，至今未交，要求解决。\n我们等了很久，生活非常困难，家里老人无处居住，孩子上学也受影响。\n请领导重视。\n谢谢");
        assert_eq!(e.fields.date, None);
    }

    #[test]
    fn urgent_and_joint_letters() {
        let e = run("紧急求助\n我们是幸福村的村民，共32名村民联名反映村干部侵占集体土地补偿款的问题。\n联名人：王大、李二、张三\n2026年1月5日");
        assert!(e.fields.urgent);
        assert_eq!(e.fields.cosigners, 32);
        assert_eq!(e.fields.category.as_deref(), Some("纪检监察"));
        let e = run("联名信\n联名人：王大明、李二强、张三丰、赵小四");
        assert_eq!(e.fields.cosigners, 4);
        let e = run("三十二户居民联名反映小区供暖问题");
        assert_eq!(e.fields.cosigners, 32);
    }

    #[test]
    fn wrapped_lines_are_joined_for_extraction() {
        let e = run("尊敬的信访局领导：\n我叫李秀英，身份证号码421221198306207089，家住湖北省咸宁\n市嘉鱼县鱼岳镇沙阳大道224号，手机18396401757。现将有关情况反\n映如下：\n我家住的小区物业公司自2023年起擅自提高物业费，电梯经常停运，\n小区停车位也被违规出租。");
        assert_eq!(
            e.fields.address.as_deref(),
            Some("湖北省咸宁市嘉鱼县鱼岳镇沙阳大道224号")
        );
        assert_eq!(e.fields.id_number.as_deref(), Some("421221198306207089"));
        // Header lines and closing dates are never joined, however long the line before.
        let l = logical_lines(&lines(
            "住址：河北省保定市竞秀区朝阳南大街63号13栋2单元1101室\n2026年3月9日",
        ));
        assert_eq!(l.len(), 2);
        let l = logical_lines(&lines("家庭住址：湖北省咸宁市咸安区温泉街道金桂路19号2栋4单元1747室\n尊敬的领导：\n我于2025年3月"));
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn address_starts_at_the_province() {
        let e = run("我们是山东省青岛市崂山区中韩街道海尔路117号16号楼附近的村民");
        assert_eq!(
            e.fields.address.as_deref(),
            Some("山东省青岛市崂山区中韩街道海尔路117号16号楼")
        );
        let e = run("尊敬的市信访局领导：\n我们是山东省青岛市崂山区中韩街道海尔路117号16号楼896室附\n近的村民，共23名村民联名反映以下问题。\n我于2025年3月起在华盛建设集团承建的工地做木工，工期结束后");
        assert_eq!(
            e.fields.address.as_deref(),
            Some("山东省青岛市崂山区中韩街道海尔路117号16号楼896室")
        );
    }

    #[test]
    fn summary_from_tagged_title_and_never_from_the_header() {
        let e = run("【紧急】关于申请最低生活保障的请求\n言访人：胡海涛\n身份证号：440305198405101456\n草黎的领导：\n我今年六十八岁，生活十分困难。");
        assert_eq!(
            e.fields.summary.as_deref(),
            Some("关于申请最低生活保障的请求")
        );
        let e = run("言访人：胡海涛\n联系电话：15674847884，要求解决\n草黎的领导：\n我今年六十八岁，恳请领导关心，按照政策为我办理低保。");
        assert_eq!(
            e.fields.summary.as_deref(),
            Some("我今年六十八岁，恳请领导关心，按照政策为我办理低保")
        );
    }

    #[test]
    fn phone_forms() {
        let p = |t: &str| find_phone(&lines(t)).map(|f| f.value);
        assert_eq!(p("手机：+86 138-1234-5678"), Some("13812345678".into()));
        assert_eq!(p("电话 010-62345678"), Some("010-62345678".into()));
        assert_eq!(p("联系电话：0312-5823471"), Some("0312-5823471".into()));
        assert_eq!(p("身份证号440524188001010014"), None);
        assert_eq!(p("编号 123138123456789"), None);
        // A labelled phone beats an unlabelled one.
        assert_eq!(
            p("办公室 0715-8123456\n我的手机 15907150000"),
            Some("15907150000".into())
        );
    }

    #[test]
    fn full_width_digits() {
        let e = run("信访人：周明\n电话：１３９０７１５１２３４");
        assert_eq!(e.fields.phone.as_deref(), Some("13907151234"));
    }

    #[test]
    fn names_stop_before_following_words() {
        let n = |t: &str| find_name(&lines(t)).map(|f| f.value);
        assert_eq!(n("我叫王某家住城关镇"), Some("王某".into()));
        assert_eq!(n("信访人：刘德华，男，汉族"), Some("刘德华".into()));
        assert_eq!(n("我是本村村民"), None);
        assert_eq!(n("申请人（签名）：欧阳明月"), Some("欧阳明月".into()));
    }

    #[test]
    fn ocr_confidence_scales_field_confidence() {
        let mut l = lines("信访人：张建国");
        l[0].confidence = 0.5;
        let e = extract(&l, &Vocabulary::default());
        assert!((e.confidence.name.unwrap() - 0.48).abs() < 0.01);
    }
}
