//! Synthetic letters for benchmarks (`xinfang synth`): realistic cases made from a seed,
//! with no I/O. Each letter is about 670 characters in a petitioner's words, on one of the
//! vocabulary's categories (its keywords in the text), from one of twelve districts, with a
//! name, an ID number that passes its check digit, a phone, a village or street, sums of
//! money and dates; statuses and deadlines are spread as a bureau's register holds them
//! (about a quarter of all cases past due). The same seed and index give the same case.
//! Every case made here is marked synthetic in the register, which never mixes them with
//! real letters.

use crate::config::Vocabulary;
use crate::domain::{RouteKind, Status};
use chrono::{Duration, NaiveDate};

/// A made-up case (`xinfang synth`): what registration would have stored, without files.
/// The register (`Cases::add_synthetic`) marks it synthetic.
#[derive(Debug, Clone)]
pub struct SyntheticCase {
    /// RFC 3339.
    pub registered_at: String,
    /// The year its number is taken in.
    pub year: i32,
    pub status: Status,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub letter_date: String,
    pub summary: String,
    pub category: String,
    pub urgent: bool,
    pub cosigners: i64,
    pub text: String,
    pub due_at: Option<String>,
    pub route: Option<(RouteKind, String)>,
    pub accusation: bool,
    /// Its history's days: the limit to route it (15 days), when it was routed and the
    /// handling limit that set, when it was closed (each by then, as a register would have
    /// it; some late, so the timeliness figures are not all 100%).
    pub route_due: String,
    pub routed_at: Option<String>,
    pub handling_due: Option<String>,
    pub closed_at: Option<String>,
}

/// splitmix64: small, fast and good enough to spread synthetic data (no crate needed for
/// numbers nobody relies on being unpredictable).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田",
    "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀",
    "英", "华", "平", "刚", "桂", "兰", "玉", "梅", "霞", "建", "国", "文", "红", "海", "燕", "波", "辉",
    "鹏", "德", "志", "荣", "春", "凤", "翠", "云", "宝", "林", "金", "福", "生", "成", "永", "祥",
];
/// Twelve districts of one real city (武汉市), with their GB/T 2260 codes, so that the
/// statistics count real regions (`data/divisions.csv`).
const CITY: &str = "武汉市";
const DISTRICTS: &[(&str, &str)] = &[
    ("江岸区", "420102"), ("江汉区", "420103"), ("硚口区", "420104"), ("汉阳区", "420105"),
    ("武昌区", "420106"), ("青山区", "420107"), ("洪山区", "420111"), ("东西湖区", "420112"),
    ("蔡甸区", "420114"), ("江夏区", "420115"), ("黄陂区", "420116"), ("新洲区", "420117"),
];
const STREETS: &[&str] = &[
    "人民路", "解放路", "建设路", "和平街", "胜利街", "朝阳路", "文化路", "新华街", "中山路", "光明街",
    "幸福路", "团结路", "工业路", "花园街", "滨河路", "东风路", "育才路", "长江路", "黄河街", "友谊路",
];
/// Syllables for villages and communities: 40 × 40 names, each rare in a large register.
const PLACE: &[&str] = &[
    "柳", "杨", "桥", "岗", "湾", "塘", "坪", "峪", "沟", "庄", "店", "铺", "集", "屯", "寨", "堡", "岭",
    "坡", "溪", "泉", "石", "松", "槐", "枣", "梨", "桃", "荷", "芦", "苇", "麦", "稻", "樟", "枫", "竹",
    "梧", "榆", "椿", "柏", "杏", "栗",
];
const BODIES: &[&str] = &[
    "区人力资源和社会保障局", "区住房和城乡建设局", "区自然资源局", "区卫生健康委员会", "区教育局",
    "区市场监督管理局", "区农业农村局", "区生态环境分局", "区民政局", "街道办事处", "镇人民政府",
    "区城市管理局",
];
/// Sentences of a petitioner's letter; `{k}`/`{k2}` are the category's words, `{p}` the
/// place, `{n}` a number, `{m}` a sum, `{d}` a date, `{b}` a body, `{who}` a third person.
const SENTENCES: &[&str] = &[
    "{d}以来，我们{p}一带的{k}问题一直没有得到解决，群众意见很大。",
    "为了{k}的事情，我先后{n}次找到{b}反映情况，每次都说研究研究，至今没有下文。",
    "{who}负责此事，但他一直推脱，说这不归他们管，让我们去找别的部门。",
    "按照国家规定，{k2}应当依法处理，可是到现在已经过去{n}个月了。",
    "我们家里老人常年生病，孩子还在上学，全家生活十分困难，实在拖不起了。",
    "涉及金额{m}元，这对我们普通老百姓来说是一笔很大的数目。",
    "{d}，{b}曾经答应在一个月内给予答复，可是承诺一直没有兑现。",
    "我们{n}户村民联名反映，希望上级领导能够重视{k}问题。",
    "有关人员态度生硬，我们多次打电话都无人接听，去了也见不到负责人。",
    "现在{p}的情况越来越严重，{k2}已经影响到正常的生产生活。",
    "我们请求{b}尽快组织调查，查明事实真相，依法依规处理。",
    "希望政府能给我们一个明确的说法，把{k}的问题真正落到实处。",
    "附上相关证明材料{n}份，包括合同、收据和照片，请领导审阅。",
    "我们相信党和政府，相信问题最终一定能够得到公正的解决。",
    "此前我们也在网上留言反映过，但一直没有人回复处理。",
    "{who}说要等上面的文件下来才能办，可是别的地方早就办好了。",
    "{k2}的事关系到{n}多户人家的切身利益，大家都盼着早日有个结果。",
    "我们也理解政府工作忙，但这个问题拖了这么久，确实让人寒心。",
    "据了解，{p}周边类似的情况还有不少，希望能够一并研究解决。",
    "如果问题再得不到处理，我们只能继续向上级反映。",
];
const CLOSINGS: &[&str] = &[
    "恳请领导在百忙之中过问此事，督促有关部门尽快解决，维护我们的合法权益。",
    "特此反映，盼复。",
    "恳请上级领导为我们做主，早日解决问题，我们将不胜感激。",
];

/// The statuses of a register that has run for years: most cases closed or archived, the
/// rest in the case life, a quarter of all past due.
fn status_for(r: &mut Rng, age_days: i64) -> Status {
    let roll = r.below(100);
    if age_days > 120 {
        // Old cases: most done, some still open and late.
        match roll {
            0..=44 => Status::Archived,
            45..=69 => Status::Closed,
            70..=74 => Status::Replied,
            75..=89 => Status::Awaiting,
            _ => Status::Routed,
        }
    } else {
        match roll {
            0..=14 => Status::Registered,
            15..=39 => Status::Routed,
            40..=69 => Status::Awaiting,
            70..=84 => Status::Replied,
            _ => Status::Closed,
        }
    }
}

/// An ID number (18 digits, GB 11643 check digit) for a person born in `year`.
fn id_number(r: &mut Rng, area: &str, year: i32) -> String {
    let body = format!(
        "{area}{year:04}{:02}{:02}{:03}",
        1 + r.below(12),
        1 + r.below(28),
        r.below(1000)
    );
    let check = crate::idnum::check_char(&body).expect("17 digits have a check character");
    format!("{body}{check}")
}

/// The `index`-th synthetic case of `total`, registered between `first` and `last` (cases
/// in index order are in date order), `today` deciding what is past due.
pub fn case(
    seed: u64,
    index: u64,
    total: u64,
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
    vocabulary: &Vocabulary,
) -> SyntheticCase {
    let mut r = Rng::new(seed, index);
    let span = (last - first).num_days().max(1);
    let day = first + Duration::days(span * index as i64 / total.max(1) as i64);
    let at = format!("{day}T{:02}:{:02}:{:02}+08:00", 8 + r.below(9), r.below(60), r.below(60));
    // A few categories carry most letters, as in every bureau's figures.
    // Categories with words to write about (the fallback has none).
    let categories: Vec<_> = vocabulary.categories.iter().filter(|c| !c.keywords.is_empty()).collect();
    let category = if r.chance(0.5) {
        &categories[r.below(categories.len().min(4))]
    } else {
        *r.pick(&categories)
    };
    let k = r.pick(&category.keywords).clone();
    let k2 = r.pick(&category.keywords).clone();
    let (district, area) = *r.pick(DISTRICTS);
    let name = format!(
        "{}{}{}",
        r.pick(SURNAMES),
        r.pick(GIVEN),
        if r.chance(0.7) { *r.pick(GIVEN) } else { "" }
    );
    let place = if r.chance(0.5) {
        format!("{}{}村", r.pick(PLACE), r.pick(PLACE))
    } else {
        format!("{}{}小区", r.pick(PLACE), r.pick(PLACE))
    };
    let street = r.pick(STREETS);
    let house = 1 + r.below(300);
    let address = format!("{CITY}{district}{street}{house}号{place}");
    let phone = format!("1{}{:09}", [3, 5, 7, 8, 9][r.below(5)], r.next() % 1_000_000_000);
    let born = 1950 + r.below(50) as i32;
    let id = id_number(&mut r, area, born);
    let body = *r.pick(BODIES);
    let who = format!("{}{}", r.pick(SURNAMES), ["主任", "科长", "书记", "经理", "所长"][r.below(5)]);
    let mut text = format!(
        "尊敬的领导：\n您好！我叫{name}，住{address}，身份证号码{id}，联系电话{phone}。现将{k}的有关情况反映如下：\n"
    );
    let target = 560 + r.below(130);
    // Each sentence once, in an order of this letter's own.
    let mut order: Vec<usize> = (0..SENTENCES.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, r.below(i + 1));
    }
    for &i in &order {
        if text.chars().count() >= target {
            break;
        }
        let s = SENTENCES[i];
        let date = day - Duration::days(30 + r.below(700) as i64);
        let filled = s
            .replace("{k2}", &k2)
            .replace("{k}", &k)
            .replace("{p}", &place)
            .replace("{n}", &(2 + r.below(30)).to_string())
            .replace("{m}", &(1000 * (1 + r.below(500))).to_string())
            .replace("{d}", &format!("{}年{}月", chrono::Datelike::year(&date), chrono::Datelike::month(&date)))
            .replace("{b}", body)
            .replace("{who}", &who);
        text.push_str(&filled);
    }
    text.push('\n');
    text.push_str(*r.pick(CLOSINGS));
    text.push_str(&format!("\n此致\n敬礼\n信访人：{name}\n{}年{}月{}日", chrono::Datelike::year(&day), chrono::Datelike::month(&day), chrono::Datelike::day(&day)));

    let age = (today - day).num_days();
    let status = status_for(&mut r, age);
    // The history: routed within the 15 days mostly (one in ten late), handled within the
    // 60 days mostly (one in five late), never after today.
    let route_due = day + Duration::days(15);
    let routed_on = (status != Status::Registered).then(|| {
        let late = r.chance(0.1);
        let d = if late { 16 + r.below(10) } else { r.below(15) };
        (day + Duration::days(d as i64)).min(today)
    });
    let handling_due = routed_on.map(|d| d + Duration::days(60));
    let closed_on = match (status, routed_on) {
        (Status::Closed | Status::Archived, Some(routed)) => {
            let late = r.chance(0.2);
            let d = if late { 61 + r.below(40) } else { 5 + r.below(55) };
            Some((routed + Duration::days(d as i64)).min(today).max(routed))
        }
        _ => None,
    };
    // The current step's deadline: the route limit while registered; the handling limit
    // (sometimes extended by up to 30 days) while being handled. A quarter of all cases late.
    let due_at = match status {
        Status::Registered => Some(route_due),
        Status::Routed | Status::Awaiting => handling_due.map(|d| d + Duration::days(r.below(30) as i64)),
        _ => None,
    };
    let stamp = |d: NaiveDate| format!("{d}T{:02}:{:02}:00+08:00", 9 + (index % 8), index % 60);
    let route_body = format!("{district}{}", body.strip_prefix('区').unwrap_or(body));
    let route = match status {
        Status::Registered => None,
        _ => Some(match r.below(10) {
            0..=5 => (RouteKind::Transfer, route_body),
            6..=8 => (RouteKind::Assign, route_body),
            _ => (RouteKind::Direct, String::new()),
        }),
    };
    let accusation = r.chance(0.06);
    SyntheticCase {
        registered_at: at,
        year: chrono::Datelike::year(&day),
        status,
        summary: format!("反映{place}{k}问题"),
        category: category.name.clone(),
        urgent: r.chance(0.03),
        cosigners: if r.chance(0.1) { 2 + r.below(30) as i64 } else { 1 },
        letter_date: day.to_string(),
        name,
        id_number: id,
        phone,
        address,
        text,
        due_at: due_at.map(|d| d.to_string()),
        route,
        accusation,
        route_due: route_due.to_string(),
        routed_at: routed_on.map(stamp),
        handling_due: handling_due.map(|d| d.to_string()),
        closed_at: closed_on.map(stamp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_letters_of_realistic_length_and_the_same_seed_gives_the_same_case() {
        let v = Vocabulary::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (first, last) = (d("2022-01-01"), d("2026-11-30"));
        let a = case(7, 123, 1000, first, last, last, &v);
        let b = case(7, 123, 1000, first, last, last, &v);
        assert_eq!(a.text, b.text);
        let n = a.text.chars().count();
        assert!((600..=800).contains(&n), "{n}: {}", a.text);
        assert!(crate::idnum::is_valid(&a.id_number), "{}", a.id_number);
        assert!(a.text.contains(&a.name) && a.text.contains(&a.phone));
        let overdue = (0..1000)
            .map(|i| case(7, i, 1000, first, last, last, &v))
            .filter(|c| c.due_at.as_deref().is_some_and(|due| due < "2026-11-30"))
            .count();
        assert!((200..=350).contains(&overdue), "{overdue} of 1000 past due");
    }

    /// The history is a register's: routed after registration and by today, closed only
    /// when closed, after routing; about one in ten routed late, one in five closed late.
    #[test]
    fn a_case_history_is_in_order_and_some_of_it_late() {
        let v = Vocabulary::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (first, last) = (d("2022-01-01"), d("2026-11-30"));
        let day = |s: &str| d(&s[..10]);
        let (mut routed, mut late_routes, mut closed, mut late_closes) = (0, 0, 0, 0);
        for i in 0..2000 {
            let c = case(3, i, 2000, first, last, last, &v);
            let registered = day(&c.registered_at);
            assert_eq!(c.route_due, (registered + Duration::days(15)).to_string());
            assert_eq!(c.routed_at.is_some(), c.status != Status::Registered, "{:?}", c.status);
            if let Some(r) = c.routed_at.as_deref().map(day) {
                assert!(registered <= r && r <= last, "{registered} {r}");
                routed += 1;
                late_routes += usize::from(r > registered + Duration::days(15));
                assert_eq!(c.handling_due.as_deref(), Some((r + Duration::days(60)).to_string().as_str()));
            }
            assert_eq!(c.closed_at.is_some(), matches!(c.status, Status::Closed | Status::Archived), "{:?}", c.status);
            if let Some(done) = c.closed_at.as_deref().map(day) {
                let r = day(c.routed_at.as_deref().unwrap());
                assert!(r <= done && done <= last);
                closed += 1;
                late_closes += usize::from(done > r + Duration::days(60));
            }
        }
        let share = |a: usize, b: usize| a as f64 / b.max(1) as f64;
        assert!((0.05..0.16).contains(&share(late_routes, routed)), "{late_routes} of {routed} routed late");
        assert!((0.1..0.3).contains(&share(late_closes, closed)), "{late_closes} of {closed} closed late");
    }
}
