//! Petitions that do not come as a scan: a visit (来访) or a call (来电) typed at reception,
//! an online petition from another system (网上信访), a matter passed down by a higher body
//! (上级转交). Checks what was typed, writes the record (接待记录/来电记录/…) as a DOCX that
//! is kept as the case's original, and registers it through intake like any letter: the
//! same numbers, the same filing copy (the record typeset on A4), the same risk reading;
//! the typed fields take the place of those read.
//!
//! The record is a DOCX rather than a new kind of original so that filing, the binder and
//! the archive need nothing new: a typed letter is what they already take.

use crate::config::Config;
use crate::domain::Channel;
use crate::ingest::{ErrorCode, IngestError};
use crate::intake::{IntakeReport, Origin, Prepared};
use crate::registry::FromAbove;
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::Path;

/// What is typed (the API's JSON body, one line of an import file, the page's form).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Petition {
    pub channel: Option<Channel>,
    /// The day it was received (YYYY-MM-DD; today when absent).
    pub received_at: Option<String>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// The matter in a line (事由).
    pub summary: Option<String>,
    pub category: Option<String>,
    /// What the person said or wrote, in full.
    pub text: Option<String>,
    /// People who came or signed together (besides the person named).
    pub cosigners: Option<u32>,
    pub urgent: Option<bool>,
    /// The other system's id of an online petition (an import of the same one twice
    /// registers it once).
    pub external_id: Option<String>,
    /// For `from-above`: the body that passed it down, their number, when they want the report.
    pub from_body: Option<String>,
    pub from_number: Option<String>,
    pub report_due: Option<String>,
}

/// Limits on what is typed.
const MAX_TEXT: usize = 20_000;
const MAX_FIELD: usize = 200;

/// A petition checked: the fields trimmed, the dates read.
#[derive(Debug, Clone)]
pub struct Checked {
    pub channel: Channel,
    pub received: NaiveDate,
    pub fields: crate::model::Fields,
    pub text: String,
    pub external_id: Option<String>,
    pub from_above: Option<FromAbove>,
    /// For a review or re-review request: the case it is about, which, its number, and
    /// when it is decided.
    pub review: Option<ReviewOf>,
    /// Accusation material whatever the text says (a request about an accusation case).
    pub accusation: bool,
    /// Bodies accused (a request about an accusation case keeps its list).
    pub accused: Vec<String>,
}

/// What a review request's record and registration carry of the case it is about.
#[derive(Debug, Clone)]
pub struct ReviewOf {
    pub of: i64,
    pub of_number: String,
    pub level: crate::domain::review::Level,
    pub due: NaiveDate,
    pub detail: String,
}

/// Why a petition was not registered.
#[derive(Debug)]
pub enum ReceptionError {
    /// A field is missing or wrong: its name, and why in Chinese (shown as it is).
    Invalid { field: String, why: String },
    /// Keeping, filing or registering it failed.
    Failed(IngestError),
}

impl std::fmt::Display for ReceptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReceptionError::Invalid { field, why } => write!(f, "{field}: {why}"),
            ReceptionError::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl From<IngestError> for ReceptionError {
    fn from(e: IngestError) -> Self {
        ReceptionError::Failed(e)
    }
}

fn bad(field: &str, zh: impl Into<String>) -> ReceptionError {
    ReceptionError::Invalid { field: field.to_string(), why: zh.into() }
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn day(field: &str, v: &str) -> Result<NaiveDate, ReceptionError> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| bad(field, format!("「{v}」不是日期，请按 年-月-日 填写")))
}

/// Checks a petition as typed: every refusal names the field and says why in Chinese.
pub fn check(p: &Petition, config: &Config, today: NaiveDate) -> Result<Checked, ReceptionError> {
    let channel = p.channel.ok_or_else(|| bad("channel", "须注明来源（visit 来访、phone 来电、online 网上信访、from-above 上级转交）"))?;
    if channel == Channel::Letter {
        return Err(bad("channel", "来信请扫描后上传（/upload），由识别登记；此处登记来访、来电、网上信访和上级转交件"));
    }
    let text = trimmed(&p.text).ok_or_else(|| bad("text", "须填写反映的内容"))?;
    if text.chars().count() > MAX_TEXT {
        return Err(bad("text", format!("内容超过 {MAX_TEXT} 字，请作为附件上传")));
    }
    let named = [
        ("name", &p.name),
        ("id_number", &p.id_number),
        ("phone", &p.phone),
        ("address", &p.address),
        ("summary", &p.summary),
        ("category", &p.category),
        ("external_id", &p.external_id),
        ("from_body", &p.from_body),
        ("from_number", &p.from_number),
    ];
    for (field, v) in named {
        if let Some(v) = v {
            if v.chars().count() > MAX_FIELD {
                return Err(bad(field, format!("超过 {MAX_FIELD} 字")));
            }
            if v.chars().any(char::is_control) {
                return Err(bad(field, "含有不可打印的控制字符"));
            }
        }
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(bad("text", "含有不可打印的控制字符"));
    }
    let id_number = trimmed(&p.id_number).map(|s| s.to_uppercase());
    if let Some(id) = &id_number {
        if !crate::idnum::is_valid(id) && !crate::idnum::is_plausible_legacy(id) {
            return Err(bad("id_number", "身份证号码未通过 GB 11643 校验，请核对"));
        }
    }
    let received = match trimmed(&p.received_at) {
        Some(d) => day("received_at", &d)?,
        None => today,
    };
    if received > today {
        return Err(bad("received_at", "收到日期晚于今天"));
    }
    let category = trimmed(&p.category);
    if let Some(c) = &category {
        if !config.vocabulary.categories.iter().any(|k| &k.name == c) {
            let known: Vec<&str> = config.vocabulary.categories.iter().map(|k| k.name.as_str()).collect();
            return Err(bad("category", format!("「{c}」不在分类中（{}）", known.join("、"))));
        }
    }
    let from_above = match (channel, trimmed(&p.from_body)) {
        (Channel::FromAbove, Some(body)) => Some(FromAbove {
            body,
            number: trimmed(&p.from_number),
            report_due: trimmed(&p.report_due).map(|d| day("report_due", &d)).transpose()?,
        }),
        (Channel::FromAbove, None) => return Err(bad("from_body", "上级转交件须填写转交机关")),
        (_, None) if p.from_number.is_none() && p.report_due.is_none() => None,
        _ => return Err(bad("from_body", "转交机关、文号和报告期限只用于上级转交件（channel = from-above）")),
    };
    if let Some(due) = from_above.as_ref().and_then(|f| f.report_due) {
        if due < received {
            return Err(bad("report_due", "报告期限早于收到日期"));
        }
    }
    let fields = crate::model::Fields {
        name: trimmed(&p.name),
        id_number,
        phone: trimmed(&p.phone),
        address: trimmed(&p.address),
        date: Some(received.to_string()),
        summary: trimmed(&p.summary),
        category,
        urgent: p.urgent.unwrap_or(false),
        cosigners: p.cosigners.unwrap_or(0).min(100_000),
        risk: Vec::new(),
    };
    Ok(Checked { channel, received, fields, text, external_id: trimmed(&p.external_id), from_above, review: None, accusation: false, accused: Vec::new() })
}

/// A review or re-review request about `original`, accepted as `accepted`: the petitioner
/// and the matter taken from the first case, the request's own words in `text`.
pub fn review_request(
    original: &crate::registry::cases::CaseDetail,
    level: crate::domain::review::Level,
    received: NaiveDate,
    accepted: crate::domain::review::Accepted,
    text: Option<&str>,
) -> Checked {
    let c = &original.summary;
    let number = &c.registration_number;
    let matter = c.summary.clone().unwrap_or_else(|| "原信访事项".into());
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("信访人不服对{number}（{matter}）的{}，请求{}。", if level == crate::domain::review::Level::Review { "处理意见" } else { "复查意见" }, level.label()));
    // The first case's text goes with it: the matter reviewed, and what the accusation
    // guard reads for the bodies it must never be sent to.
    let text = format!("{text}\n原信访事项（{number}）：\n{}", original.text);
    Checked {
        channel: Channel::Letter,
        received,
        fields: crate::model::Fields {
            name: c.name.clone(),
            id_number: c.id_number.clone(),
            phone: c.phone.clone(),
            address: original.address.clone(),
            date: Some(received.to_string()),
            summary: Some(format!("{}请求：{matter}", level.label())),
            category: c.category.clone(),
            urgent: false,
            cosigners: c.cosigners.max(0) as u32,
            risk: Vec::new(),
        },
        text,
        external_id: None,
        from_above: None,
        review: Some(ReviewOf { of: c.id, of_number: number.clone(), level, due: accepted.due, detail: accepted.detail }),
        accusation: c.accusation,
        accused: original.accused.clone(),
    }
}

/// The record's title by channel.
pub fn record_title(channel: Channel) -> &'static str {
    match channel {
        Channel::Visit => "来访接待记录",
        Channel::Phone => "来电记录",
        Channel::Online => "网上信访件",
        Channel::FromAbove => "上级转交信访事项登记",
        Channel::Letter => "来信",
    }
}

/// The record as a DOCX: the title, the labelled fields (the same labels letters use, so
/// the reading finds them), the text, and who received it. Deterministic: the same
/// petition received the same day by the same person is the same file (a form sent twice
/// is registered once).
pub fn record_docx(c: &Checked, receiver: &str) -> Result<Vec<u8>, IngestError> {
    use docx_rs::{AlignmentType, Docx, Paragraph, Run};
    let stamp = format!("{}T00:00:00Z", c.received);
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut put = |label: &str, v: &Option<String>| {
        if let Some(v) = v {
            lines.push((label.to_string(), v.clone()));
        }
    };
    let f = &c.fields;
    put("信访人", &f.name);
    put("身份证号", &f.id_number);
    put("联系电话", &f.phone);
    put("家庭住址", &f.address);
    put("事由", &f.summary);
    put("类别", &f.category);
    if let Some(a) = &c.from_above {
        put("转交机关", &Some(a.body.clone()));
        put("来文文号", &a.number);
        put("报告期限", &a.report_due.map(|d| d.to_string()));
    }
    put("外部编号", &c.external_id);
    if let Some(r) = &c.review {
        put(&format!("请求{}的案件", r.level.label()), &Some(r.of_number.clone()));
        put("受理情况", &Some(r.detail.clone()));
    }
    if f.cosigners > 0 {
        put("同行人数", &Some(f.cosigners.to_string()));
    }
    let when = match c.channel {
        Channel::Visit => "来访日期",
        Channel::Phone => "来电日期",
        _ => "收到日期",
    };
    put(when, &Some(c.received.to_string()));
    put("登记人", &Some(receiver.to_string()));
    let mut d = Docx::new().created_at(&stamp).updated_at(&stamp);
    let title = match &c.review {
        Some(r) => format!("{}请求登记", r.level.label()),
        None => record_title(c.channel).to_string(),
    };
    d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_text(title).size(32)));
    for (label, value) in lines {
        d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(format!("{label}：{value}"))));
    }
    d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text("反映内容：")));
    for para in c.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(format!("　　{para}"))));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| IngestError::new(ErrorCode::Internal, format!("writing the record: {e}")))?;
    Ok(out.into_inner())
}

/// A recogniser for records, which have no pictures to read: asked anyway, it says so.
struct NoPictures;

impl crate::ingest::ocr::Recognizer for NoPictures {
    fn recognize(&mut self, _: &image::GrayImage, _: u32) -> Result<crate::ingest::ocr::OcrOutput, IngestError> {
        Err(IngestError::new(ErrorCode::Internal, "a typed record has no picture to read"))
    }
    fn orientation(&mut self, _: &image::GrayImage, _: u32) -> Option<crate::ingest::ocr::Orientation> {
        None
    }
}

/// Registers a checked petition: its record kept as the original, filed, numbered.
/// `receiver` is who typed it (the actor of the registration).
pub fn register(c: &Checked, data: &Path, config: &Config, receiver: &str) -> Result<IntakeReport, ReceptionError> {
    if let Some(id) = &c.external_id {
        let registry = crate::registry::open(data, config.bureau.registration.clone())
            .map_err(|e| IngestError::new(ErrorCode::Storage, e.to_string()))?;
        if let Some(known) = registry.find_by_external_id(id).map_err(|e| IngestError::new(ErrorCode::Storage, e.to_string()))? {
            return Ok(IntakeReport {
                file: id.clone(),
                case_id: known.case_id,
                registration_number: known.registration_number.clone(),
                duplicate_of: Some(known.registration_number),
                repeat_of: None,
                fields: None,
            });
        }
    }
    let docx = record_docx(c, receiver)?;
    let name = match &c.external_id {
        Some(id) => format!("{}-{id}.docx", c.channel.as_str()),
        None => format!("{}-{}.docx", c.channel.as_str(), c.received),
    };
    let prepared = crate::intake::prepare_bytes(&name, &docx, data, config, &mut NoPictures)?;
    let prepared = match prepared {
        Prepared::Read { name, sha256, mut filed } => {
            // The typed fields are what the person said; the reading of the record only adds
            // the risks (from the text) and the urgency they bring.
            let read = std::mem::take(&mut filed.extraction.fields);
            let mut fields = c.fields.clone();
            fields.category = fields.category.or(read.category);
            fields.summary = fields.summary.or(read.summary);
            // (Read again with the typed count: 30 people at the counter are a mass matter
            // whether or not the text says 联名.)
            fields.risk = crate::ingest::risk::find(&filed.extraction.text, &config.vocabulary.risk, fields.cosigners);
            let at_risk = fields.risk.iter().any(|r| crate::ingest::risk::makes_urgent(r.kind));
            fields.urgent = fields.urgent || read.urgent || at_risk;
            filed.extraction.fields = fields;
            Prepared::Read { name, sha256, filed }
        }
        known => known,
    };
    let origin = Origin {
        channel: c.channel,
        from_above: c.from_above.clone(),
        review: c.review.as_ref().map(|r| (r.of, r.level, r.due)),
        accusation: c.accusation,
        accused: c.accused.clone(),
        external_id: c.external_id.clone(),
    };
    Ok(crate::intake::register_from(prepared, data, config, receiver, &origin)?)
}
