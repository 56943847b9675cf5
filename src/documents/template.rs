//! Document templates: one file per kind, editable by a clerk. A file is a small header
//! (`kind`, `title`, `code`, `layout`, in TOML) above a line `---`, then the wording with
//! named placeholders (`{{ 信访人 }}`) filled by minijinja in strict mode, so a missing or
//! misspelt field is an error naming the field and the line, never a gap in a sent letter.
//!
//! Lines of the wording that begin with `主送：`, `附件：`, `落款：`, `附注：`, `抄送：` or
//! `印发：` fill those parts of the page; `｜标签｜内容｜` lines are the rows of a form;
//! `插表：名` and `插图：名` set a period's table or chart (`documents::period`); every
//! other line is a paragraph. Filled-in values are fenced while the lines are read,
//! so a petitioner's text can never turn into one of these markers.

use super::model::{Block, Document, FormRow, Layout};
use minijinja::{Environment, UndefinedBehavior};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Start and end of a filled-in value while the rendered lines are read.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The header of a template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Stable English name of the kind (`transfer`).
    pub kind: String,
    /// The document's title as printed (信访事项转送函).
    pub title: String,
    /// Name of the document-number code in `[documents.codes]`; absent: no number.
    pub code: Option<String>,
    pub layout: Layout,
    /// An upward document (上行文, to a higher body): 签发人 printed at the head (§7.2.5),
    /// the field `签发人` required.
    #[serde(default)]
    pub upward: bool,
    /// A document about a period's figures (the analysis report, the bulletin), not about
    /// a case: its fields are `stats::writing`'s, its title is the period's label and this.
    #[serde(default)]
    pub period: bool,
}

/// A template read and checked.
#[derive(Debug, Clone)]
pub struct Template {
    pub header: Header,
    /// Where it came from: the built-in set or a bureau's file.
    pub origin: String,
    source: String,
    /// The fields it uses.
    pub fields: BTreeSet<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("{origin} 第{line}行：{message}")]
    Render {
        origin: String,
        line: usize,
        message: String,
    },
    /// Fields the template prints that the case and the officer's inputs do not give, all
    /// of them (the first on `line`).
    #[error("{origin} 第{line}行：缺少字段「{}」：生成时请提供（如 --set {}=…）", fields.join("」「"), fields.first().map(String::as_str).unwrap_or_default())]
    Missing {
        origin: String,
        line: usize,
        fields: Vec<String>,
    },
}

impl TemplateError {
    fn invalid(origin: &str, message: impl Into<String>) -> Self {
        TemplateError::Invalid {
            origin: origin.into(),
            message: message.into(),
        }
    }
}

fn environment<'s>() -> Environment<'s> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // A template is a clerk's text, not a program: bound its work.
    env.set_fuel(Some(200_000));
    env.set_formatter(|out, _state, value| {
        let text = value.to_string();
        // Newlines inside a value separate its paragraphs; see `read_lines`.
        let text: String = text
            .chars()
            .filter(|c| *c != OPEN && *c != CLOSE)
            .map(|c| if c == '\n' { '\u{2029}' } else { c })
            .filter(|c| *c != '\r')
            .collect();
        write!(out, "{OPEN}{text}{CLOSE}").map_err(minijinja::Error::from)
    });
    env
}

impl Template {
    /// Reads a template from its text, checking the header, the syntax, and that every
    /// field it uses is one of `known`.
    pub fn parse(origin: &str, source: &str, known: &BTreeSet<&str>) -> Result<Template, TemplateError> {
        let Some((head, _)) = split_header(source) else {
            return Err(TemplateError::invalid(
                origin,
                "模板缺少头部：开头几行写 kind、title、code、layout，再以一行 --- 隔开正文",
            ));
        };
        // The header is plain text: comments close inside it, and no tag or field stands in
        // it, so that rendering leaves it (and the `---` line after it) as written.
        let plain = strip_comments(head);
        let open_comment = head.rfind("{#").is_some_and(|at| !head[at..].contains("#}"));
        if open_comment || plain.contains("{{") || plain.contains("{%") {
            return Err(TemplateError::invalid(
                origin,
                "头部只能写 kind、title、code、layout 和注释：注释要在头部内闭合，头部里不能有 {{ }} 或 {% %}",
            ));
        }
        let header: Header = toml::from_str(&plain)
            .map_err(|e| TemplateError::invalid(origin, format!("头部有误：{}", e.message())))?;
        let mut env = environment();
        env.add_template_owned(origin.to_string(), source.to_string())
            .map_err(|e| render_error(origin, &e))?;
        let t = env.get_template(origin).expect("just added");
        let fields: BTreeSet<String> = t.undeclared_variables(false).into_iter().collect();
        let unknown: Vec<&String> = fields.iter().filter(|f| !known.contains(f.as_str())).collect();
        if let Some(first) = unknown.first() {
            let line = source
                .lines()
                .position(|l| l.contains(first.as_str()))
                .map(|i| i + 1)
                .unwrap_or(0);
            return Err(TemplateError::Render {
                origin: origin.into(),
                line,
                message: format!(
                    "未知字段「{}」（可用字段见 xinfang generate --fields）",
                    unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("」「")
                ),
            });
        }
        Ok(Template {
            header,
            origin: origin.into(),
            source: source.into(),
            fields,
        })
    }

    /// Reads the built-in template of `kind`, or the bureau's copy in `override_dir`.
    pub fn load(kind: &str, override_dir: Option<&Path>, known: &BTreeSet<&str>) -> Result<Template, TemplateError> {
        let file = format!("{kind}.txt");
        if let Some(dir) = override_dir {
            let path: PathBuf = dir.join(&file);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let origin = path.display().to_string();
                    if bytes.len() > 256 * 1024 {
                        return Err(TemplateError::invalid(&origin, "模板超过 256 KiB"));
                    }
                    let text = String::from_utf8(bytes)
                        .map_err(|_| TemplateError::invalid(&origin, "模板不是 UTF-8 文本"))?;
                    return checked_kind(Template::parse(&origin, &text, known)?, kind);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(TemplateError::invalid(&path.display().to_string(), e.to_string()))
                }
            }
        }
        let Some((_, text)) = super::BUILT_IN.iter().chain(super::period::KINDS).find(|(k, _)| *k == kind) else {
            return Err(TemplateError::invalid(kind, "没有这种文书"));
        };
        checked_kind(Template::parse(&format!("templates/{file}"), text, known)?, kind)
    }

    /// Fills the template with `context` and reads the result into a document. Every field
    /// the template needs and `context` lacks is named in one error, not one per try.
    pub fn fill(&self, context: &serde_json::Value) -> Result<Document, TemplateError> {
        let mut env = environment();
        env.add_template(&self.origin, &self.source)
            .map_err(|e| render_error(&self.origin, &e))?;
        let template = env.get_template(&self.origin).expect("just added");
        // Each missing field found is given a stand-in and the template filled again, so
        // the next one shows; a template has few fields (bounded all the same).
        let mut trial = context.clone();
        let mut missing: Vec<String> = Vec::new();
        let mut first_line = 0;
        let text = loop {
            match template.render(minijinja::value::Serde(&trial)) {
                Ok(text) => break text,
                Err(e) => {
                    let name = missing_on_line(&self.source, e.line(), &trial).or_else(|| {
                        (e.kind() == minijinja::ErrorKind::UndefinedError)
                            .then(|| e.detail().and_then(|d| d.split('`').nth(1)).map(str::to_string))
                            .flatten()
                    });
                    match (name, trial.as_object_mut()) {
                        (Some(name), Some(fields)) if missing.len() < 64 && !fields.contains_key(&name) => {
                            fields.insert(name.clone(), serde_json::Value::String(String::new()));
                            if missing.is_empty() {
                                first_line = e.line().unwrap_or(0);
                            }
                            missing.push(name);
                        }
                        _ => return Err(render_error(&self.origin, &e)),
                    }
                }
            }
        };
        if !missing.is_empty() {
            return Err(TemplateError::Missing { origin: self.origin.clone(), line: first_line, fields: missing });
        }
        let Some((_, body)) = split_header(&text) else {
            return Err(TemplateError::invalid(&self.origin, "生成后找不到头部与正文之间的 --- 分隔行"));
        };
        read_body(&self.origin, &self.header, body)
    }
}

fn checked_kind(t: Template, kind: &str) -> Result<Template, TemplateError> {
    if t.header.kind != kind {
        return Err(TemplateError::invalid(
            &t.origin,
            format!("头部写的是 kind = \"{}\"，文件名却是 {kind}.txt", t.header.kind),
        ));
    }
    Ok(t)
}

/// The first field printed on `line` that `context` does not have. The custom formatter
/// makes minijinja report an undefined value without its name, so it is found here.
fn missing_on_line(source: &str, line: Option<usize>, context: &serde_json::Value) -> Option<String> {
    let text = source.lines().nth(line?.checked_sub(1)?)?;
    text.split("{{").skip(1).find_map(|rest| {
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| !c.is_whitespace() && !"|}.[(".contains(*c))
            .collect();
        (!name.is_empty() && context.get(&name).is_none()).then_some(name)
    })
}

fn render_error(origin: &str, e: &minijinja::Error) -> TemplateError {
    let message = match (e.kind(), e.detail()) {
        (minijinja::ErrorKind::UndefinedError, Some(d)) => {
            let name = d.split('`').nth(1).unwrap_or(d);
            format!("缺少字段「{name}」：生成时请提供（如 --set {name}=…）")
        }
        (minijinja::ErrorKind::SyntaxError, Some(d)) => format!("模板语法错误：{d}"),
        (minijinja::ErrorKind::OutOfFuel, _) => "模板运算过多，已中止".into(),
        (_, Some(d)) => d.to_string(),
        (kind, None) => kind.to_string(),
    };
    TemplateError::Render {
        origin: origin.into(),
        line: e.line().unwrap_or(0),
        message,
    }
}

/// The text with `{# … #}` comments blanked (their newlines kept).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("#}").map(|e| start + e + 2).unwrap_or(rest.len());
        out.extend(rest[start..end].chars().filter(|c| *c == '\n'));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Splits a template's text at its `---` line.
fn split_header(text: &str) -> Option<(&str, &str)> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&text[..at], &text[at + line.len()..]));
        }
        at += line.len();
    }
    None
}

/// Part markers at the start of a line.
const MARKERS: [&str; 8] = ["主送：", "附件：", "落款：", "附注：", "抄送：", "印发：", "插表：", "插图："];

fn read_body(origin: &str, header: &Header, body: &str) -> Result<Document, TemplateError> {
    let mut doc = Document {
        layout: header.layout,
        title: header.title.clone(),
        ..Default::default()
    };
    for raw in body.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(marker) = MARKERS.iter().find(|m| line.starts_with(**m)) {
            let value = plain(&line[marker.len()..]);
            let value = value.trim().to_string();
            match *marker {
                "主送：" => doc.addressee = Some(value).filter(|v| !v.is_empty()),
                "附件：" if !value.is_empty() => doc.attachments.push(value),
                "落款：" => doc.signature = Some(value).filter(|v| !v.is_empty()),
                "附注：" if !value.is_empty() => doc.notes.push(value),
                "抄送：" => doc.copy_to = Some(value).filter(|v| !v.is_empty()),
                "印发：" => doc.printer = Some(value).filter(|v| !v.is_empty()),
                "插表：" | "插图：" => doc.blocks.push(Block::wanted(&format!("{}：{value}", &marker[3..6]))),
                _ => {}
            }
        } else if line.starts_with('｜') || line.starts_with('|') {
            let cells = cells(line);
            match cells.as_slice() {
                [label, value] => doc.form.push(FormRow {
                    label: label.clone(),
                    value: value.clone(),
                    lines: 1,
                }),
                [label, value, lines] => {
                    let n: u32 = lines.trim_end_matches('行').parse().map_err(|_| {
                        TemplateError::invalid(origin, format!("表格行「{label}」的行数「{lines}」应写成如 3行"))
                    })?;
                    doc.form.push(FormRow {
                        label: label.clone(),
                        value: value.clone(),
                        lines: n.clamp(1, 20),
                    })
                }
                _ => {
                    return Err(TemplateError::invalid(
                        origin,
                        format!("表格行应写成 ｜标签｜内容｜ 或 ｜标签｜内容｜3行｜：{}", plain(line)),
                    ))
                }
            }
        } else {
            for part in plain(line).split('\u{2029}') {
                let part = part.trim();
                if !part.is_empty() {
                    doc.blocks.push(Block::paragraph(part));
                }
            }
        }
    }
    if header.layout == Layout::Form && doc.form.is_empty() {
        return Err(TemplateError::invalid(origin, "表格式文书至少要有一行 ｜标签｜内容｜"));
    }
    Ok(doc)
}

/// The cells of a form row, split on `｜` outside filled-in values.
fn cells(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cell = String::new();
    let mut inside = false;
    for c in line.chars() {
        match c {
            OPEN => inside = true,
            CLOSE => inside = false,
            '｜' | '|' if !inside => {
                out.push(std::mem::take(&mut cell));
                continue;
            }
            _ => {}
        }
        cell.push(c);
    }
    out.push(cell);
    // The row's leading and trailing bars leave empty ends.
    if out.first().is_some_and(|c| c.trim().is_empty()) {
        out.remove(0);
    }
    if out.last().is_some_and(|c| c.trim().is_empty()) {
        out.pop();
    }
    // Only ASCII white space is trimmed: a form's ideographic spaces ("　　年　　月　　日")
    // are its room to sign and date.
    out.iter()
        .map(|c| plain(c).replace('\u{2029}', " ").trim_matches(|c: char| c.is_ascii_whitespace()).to_string())
        .collect()
}

/// Text without the value fences.
fn plain(s: &str) -> String {
    s.chars().filter(|c| *c != OPEN && *c != CLOSE).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeSet<&'static str> {
        ["信访人", "事实", "发文机关"].into_iter().collect()
    }

    const T: &str = "kind = \"x\"\ntitle = \"测试函\"\nlayout = \"letter\"\n---\n主送：{{ 发文机关 }}\n{{ 事实 }}\n落款：{{ 发文机关 }}\n";

    #[test]
    fn a_value_cannot_turn_into_a_marker() {
        let t = Template::parse("t.txt", T, &known()).unwrap();
        let d = t
            .fill(&serde_json::json!({"发文机关": "甲局", "事实": "落款：乙局\n主送：丙局"}))
            .unwrap();
        assert_eq!(d.signature.as_deref(), Some("甲局"));
        assert_eq!(d.addressee.as_deref(), Some("甲局"));
        assert_eq!(d.blocks.len(), 2, "{:?}", d.blocks);
    }

    #[test]
    fn a_missing_field_names_itself_and_its_line() {
        let t = Template::parse("t.txt", T, &known()).unwrap();
        let e = t.fill(&serde_json::json!({"发文机关": "甲局"})).unwrap_err().to_string();
        assert!(e.contains("第6行") && e.contains("「事实」"), "{e}");
    }

    #[test]
    fn every_missing_field_is_named_at_once() {
        let t = Template::parse("t.txt", T, &known()).unwrap();
        let e = t.fill(&serde_json::json!({})).unwrap_err().to_string();
        let named = e.matches('「').count();
        assert!(named >= 2 && e.contains("「发文机关」") && e.contains("「事实」"), "{e}");
        // Given them all, it fills.
        assert!(t.fill(&serde_json::json!({"发文机关": "甲局", "事实": "某事"})).is_ok());
    }

    #[test]
    fn unknown_fields_and_syntax_errors_are_refused_with_the_line() {
        let bad = T.replace("{{ 事实 }}", "{{ 事时 }}");
        let e = Template::parse("t.txt", &bad, &known()).unwrap_err().to_string();
        assert!(e.contains("第6行") && e.contains("事时"), "{e}");
        let bad = T.replace("{{ 事实 }}", "{% if 事实 %}");
        let e = Template::parse("t.txt", &bad, &known()).unwrap_err().to_string();
        assert!(e.contains("语法"), "{e}");
        let e = Template::parse("t.txt", "no header", &known()).unwrap_err().to_string();
        assert!(e.contains("头部"), "{e}");
    }

    #[test]
    fn a_header_whose_comment_swallows_the_separator_is_refused() {
        // Found by fuzzing (fuzz/fuzz_targets/template.rs): a comment left open in the
        // header ran past the `---` line, so rendering lost it and filling panicked.
        let t = "{# 说明 #}\nkind = \"f\"\ntitle = \"单\"\nlayout = \"form\"\n{# 未闭合\n---\n正文 #}\n｜事由｜{{ 事实 }}｜\n";
        let e = Template::parse("f.txt", t, &known()).unwrap_err().to_string();
        assert!(e.contains("注释"), "{e}");
        let t = "kind = \"f\"\ntitle = \"{{ 事实 }}\"\nlayout = \"form\"\n---\n｜事由｜{{ 事实 }}｜\n";
        assert!(Template::parse("f.txt", t, &known()).is_err());
        // The real templates' header comments are fine.
        let ok = "{# 说明 #}\nkind = \"f\"\ntitle = \"单\"\nlayout = \"form\"\n---\n｜事由｜{{ 事实 }}｜\n";
        assert!(Template::parse("f.txt", ok, &known()).is_ok());
    }

    #[test]
    fn form_rows_split_outside_values() {
        let t = "kind = \"f\"\ntitle = \"单\"\nlayout = \"form\"\n---\n｜事由｜{{ 事实 }}｜3行｜\n";
        let t = Template::parse("f.txt", t, &known()).unwrap();
        let d = t.fill(&serde_json::json!({"事实": "甲｜乙"})).unwrap();
        assert_eq!(d.form.len(), 1);
        assert_eq!(d.form[0].value, "甲｜乙");
        assert_eq!(d.form[0].lines, 3);
        let t = "kind = \"f\"\ntitle = \"单\"\nlayout = \"form\"\n---\n｜签收｜　　　　年　　月　　日｜\n";
        let d = Template::parse("f.txt", t, &known()).unwrap().fill(&serde_json::json!({})).unwrap();
        assert_eq!(d.form[0].value, "　　　　年　　月　　日", "ideographic spaces kept");
    }
}
