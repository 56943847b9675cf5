//! Every article a document template cites is the right one: each `《信访工作条例》第…条`
//! in `templates/` must be in the table below, the table's subject must be in that
//! article's text in the regulation (`data/law/`, the 2022 text as published), and the
//! sentence that cites it (with the one before it) must be about that subject. Wording from the replaced 2005
//! regulation is refused.

mod util;

use std::collections::BTreeMap;

/// Article -> (a phrase of its text that says what it is about, words one of which the
/// citing sentence uses).
const ABOUT: &[(&str, &str, &[&str])] = &[
    ("第十四条", "分析研判信访形势", &["分析研判", "综合反映"]),
    ("第二十二条", "转送有权处理的机关、单位", &["转送", "交办"]),
    ("第二十三条", "书面告知信访人接收情况以及处理途径和程序", &["受理", "告知"]),
    ("第三十一条", "申诉求决类事项", &["不予受理", "程序"]),
    ("第三十四条", "延长办理期限", &["60日", "延长"]),
    ("第三十五条", "复查", &["复查"]),
    ("第三十六条", "不再受理", &["复核", "不再受理"]),
    ("第四十条", "应当及时督办，并提出改进工作的建议", &["建议", "督办"]),
];

/// The 2022 regulation: article (`第二十二条`) -> its text.
fn articles() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(util::root().join("data/law/xinfang-gongzuo-tiaoli-2022.md")).unwrap();
    let mut map = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') {
            current = None;
            continue;
        }
        if let Some((head, rest)) = line.split_once(' ').filter(|(h, _)| h.starts_with('第') && h.ends_with('条')) {
            current = Some(head.to_string());
            map.insert(head.to_string(), rest.to_string());
        } else if let Some(article) = &current {
            map.get_mut(article).unwrap().push_str(line);
        }
    }
    map
}

#[test]
fn every_citation_names_the_article_about_what_the_sentence_says() {
    let law = articles();
    assert!(law.len() >= 50, "{} articles read", law.len());
    for (article, subject, _) in ABOUT {
        let text = law.get(*article).unwrap_or_else(|| panic!("{article} is not in the regulation"));
        assert!(text.contains(subject), "{article} is not about {subject}: {text}");
    }
    let mut cited = 0;
    let mut wrong = Vec::new();
    let mut dir: Vec<_> = std::fs::read_dir(util::root().join("templates")).unwrap().map(|e| e.unwrap().path()).collect();
    dir.sort();
    for path in dir {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("上一级行政机关") {
            wrong.push(format!("{name}: 上一级行政机关 is the 2005 wording (now 上一级机关、单位)"));
        }
        let sentences: Vec<&str> = text.split(['。', '\n']).filter(|s| !s.trim().is_empty()).collect();
        for (i, sentence) in sentences.iter().enumerate() {
            // The sentence that cites, read with the one before it ("…转送你单位。根据…").
            let context = format!("{}{sentence}", if i > 0 { sentences[i - 1] } else { "" });
            let mut rest = *sentence;
            while let Some(at) = rest.find("《信访工作条例》第") {
                let after = &rest[at + "《信访工作条例》".len()..];
                let end = after.find('条').expect("第…条") + '条'.len_utf8();
                let article = &after[..end];
                cited += 1;
                match ABOUT.iter().find(|(a, _, _)| *a == article) {
                    None => wrong.push(format!("{name}: {article} is not in the table of what articles are about")),
                    Some((_, subject, words)) => {
                        if !words.iter().any(|w| context.contains(w)) {
                            wrong.push(format!("{name}: {article} ({subject}) cited in “{sentence}”"));
                        }
                    }
                }
                rest = &after[end..];
            }
        }
    }
    assert!(cited >= 10, "only {cited} citations found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The check itself catches the mistakes it is for.
#[test]
fn a_wrong_article_is_caught() {
    let law = articles();
    // The transfer letter once cited 第三十一条 (申诉求决类) for a transfer.
    let (_, subject, words) = ABOUT.iter().find(|(a, _, _)| *a == "第三十一条").unwrap();
    assert!(law["第三十一条"].contains(subject));
    let sentence = "根据《信访工作条例》第三十一条规定，请你单位依法依规处理，自收到本函之日起15日内决定是否受理";
    assert!(!words.iter().any(|w| sentence.contains(w)), "a transfer letter's sentence passes as 第三十一条");
}
