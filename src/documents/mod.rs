//! Official documents (`xinfang generate`): a registered case and the officer's text go
//! through the kind's template into one format-neutral document, which the PDF (typst) and
//! DOCX (docx-rs) exporters render. The document number is taken, and the files kept with
//! the case, in the registry's transaction that records the document.
//!
//! Data flows one way: case + request -> context -> template -> `model::Document` ->
//! exporters -> registry.

pub mod compose;
pub mod docx;
pub mod grid;
pub mod model;
pub mod pdf;
pub mod period;
pub mod picture;
pub mod template;

use crate::config::Config;
use crate::registry::cases::CaseDetail;
use crate::registry::documents::{DocumentRecord, NewDocument, Rendered};
use crate::registry::RegistryError;
use chrono::NaiveDate;
use model::{gb_date, Layout};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;
use template::{Template, TemplateError};

/// The kinds, their built-in templates, and what each is.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("transfer", include_str!("../../templates/transfer.txt")),
    ("assignment", include_str!("../../templates/assignment.txt")),
    ("assignment-form", include_str!("../../templates/assignment-form.txt")),
    ("acceptance-notice", include_str!("../../templates/acceptance-notice.txt")),
    ("refusal-notice", include_str!("../../templates/refusal-notice.txt")),
    ("transfer-notice", include_str!("../../templates/transfer-notice.txt")),
    ("reply", include_str!("../../templates/reply.txt")),
    ("receipt", include_str!("../../templates/receipt.txt")),
    ("feedback-form", include_str!("../../templates/feedback-form.txt")),
    ("rec-improve-work", include_str!("../../templates/rec-improve-work.txt")),
    ("rec-improve-policy", include_str!("../../templates/rec-improve-policy.txt")),
    ("rec-accountability", include_str!("../../templates/rec-accountability.txt")),
    ("no-further-notice", include_str!("../../templates/no-further-notice.txt")),
    ("extension-notice", include_str!("../../templates/extension-notice.txt")),
    ("supervision", include_str!("../../templates/supervision.txt")),
    ("review-opinion", include_str!("../../templates/review-opinion.txt")),
    ("re-review-opinion", include_str!("../../templates/re-review-opinion.txt")),
    ("completion-report", include_str!("../../templates/completion-report.txt")),
];

/// Fields a template may use: from the case, the bureau and the request, with what each is.
pub const CASE_FIELDS: &[(&str, &str)] = &[
    ("登记号", "信访件的登记号"),
    ("信访人", "信访人姓名"),
    ("身份证号", "信访人身份证号"),
    ("电话", "信访人电话"),
    ("地址", "信访人地址"),
    ("人数", "信访人数（联名信为签名人数）"),
    ("信访人及人数", "一人为姓名（孙某），联名信为“王某等23人”"),
    ("称谓", "对信访人的称呼：一人为“你”，联名信为“你们”"),
    ("信访形式", "来信、来访、来电、网上信访：接“于……日”之后，如“于2026年11月3日来信反映”"),
    ("来信日期", "信上写的日期"),
    ("收信日期", "登记日期"),
    ("事由", "反映的事项摘要（登记时的原文）"),
    ("事项", "事项的名称，接“关于……的信访事项”：事由去掉“关于”和“的反映”等"),
    ("类别", "内容分类"),
    ("发文机关", "本局名称"),
    ("成文日期", "文书日期，如 2026年11月3日"),
    ("文号", "本文书的文号（无文号的文书为空）"),
    ("收文机关", "主送机关：--to 所给，否则为案件的去向"),
    ("办理期限", "交办的办结报送期限（由期限表算出）"),
    ("办结期限", "案件当前的办理期限（延期后为延长后的期限）"),
    ("转办日期", "转送或交办的日期"),
    ("转办方式", "转送或交办"),
    ("反馈期限", "建议书的书面反馈期限（30日）"),
];

/// Fields the officer writes when generating (`--set 名称=内容`); a template that uses
/// one needs it.
pub const OFFICER_FIELDS: &[(&str, &str)] = &[
    ("事实", "查明的事实"),
    ("依据", "法律、政策依据"),
    ("处理意见", "处理意见或对每项诉求的决定"),
    ("理由", "不予受理等的理由"),
    ("渠道", "应当通过的途径（诉讼、仲裁、行政复议等）"),
    ("问题", "建议书所指出的问题"),
    ("建议", "建议事项"),
    ("承办人", "联系人"),
    ("联系电话", "联系人电话"),
    ("抄送", "抄送机关"),
    ("要求", "交办要求"),
    ("结果", "办理结果（反馈单）"),
    ("受送达人", "送达回证的受送达人"),
    ("延期理由", "延期办理告知书的延期理由（默认为“延期”一步所填说明）"),
    ("督办期限", "督办函要求的办结期限（默认为成文日期后15日）"),
    ("原处理机关", "作出原处理意见（复查意见）的机关"),
    ("原处理意见书", "原处理意见书（复查意见书）的名称或文号"),
    ("请求日期", "信访人请求复查、复核的日期"),
    ("交办文号", "上级机关交办来文的文号"),
    ("签发人", "上行文（报告、完善政策建议书）的签发人姓名"),
    ("送达文书", "送达回证所送的文书名称和文号（默认为本案最近一份致信访人的文书）"),
];

/// Kinds addressed to the petitioner: the ones a 送达回证 serves.
pub const TO_PETITIONER: &[&str] = &[
    "acceptance-notice",
    "refusal-notice",
    "no-further-notice",
    "transfer-notice",
    "extension-notice",
    "reply",
    "review-opinion",
    "re-review-opinion",
];

/// Every field name a template may use.
pub fn known_fields() -> BTreeSet<&'static str> {
    CASE_FIELDS
        .iter()
        .chain(OFFICER_FIELDS)
        .map(|(k, _)| *k)
        .collect()
}

/// What a user asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub kind: String,
    pub case_id: i64,
    /// The addressee body (收文机关); default: the case's route.
    pub to: Option<String>,
    /// The officer's text, by field name.
    pub inputs: serde_json::Map<String, serde_json::Value>,
    pub pdf: bool,
    pub docx: bool,
    /// The document's date; default today.
    pub date: Option<NaiveDate>,
    /// A draft: marked 草稿, no number taken, not recorded with the case (the read is
    /// audited all the same).
    pub draft: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("unknown document kind {0:?} (xinfang generate --list shows the kinds)")]
    UnknownKind(String),
    #[error("template {0}")]
    Template(#[from] TemplateError),
    #[error("case {0} does not exist")]
    NoCase(i64),
    #[error("refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    /// Characters the documents' fonts do not have (a rare character in a name, a control
    /// character): named so the clerk can write them otherwise.
    #[error("characters the documents' fonts do not have: {0}")]
    Unprintable(String),
    #[error("PDF: {0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("{0}")]
    Docx(String),
    #[error("{0}")]
    Registry(#[from] RegistryError),
}

impl GenerateError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            GenerateError::UnknownKind(_) => "unknown_kind",
            GenerateError::Template(TemplateError::Missing { .. }) => "missing_fields",
            GenerateError::Template(_) => "template_error",
            GenerateError::NoCase(_) => "not_found",
            GenerateError::Refused(_) => "refused",
            GenerateError::Invalid(_) => "invalid",
            GenerateError::Unprintable(_) => "unprintable",
            GenerateError::Pdf(_) | GenerateError::Docx(_) => "render_failed",
            GenerateError::Registry(_) => "storage_failed",
        }
    }
}

/// A generated document: its record and the bytes written.
pub struct Generated {
    /// The recorded document; none for a draft.
    pub record: Option<DocumentRecord>,
    pub pdf: Option<Vec<u8>>,
    pub docx: Option<Vec<u8>>,
    pub pages: usize,
}

/// The generator: the configuration and the loaded fonts, made once and shared.
pub struct Generator {
    config: Config,
    engine: pdf::PdfEngine,
    /// The period documents' charts as pictures for the DOCX.
    pictures: picture::Rasteriser,
}

/// A kind as listed.
#[derive(Debug, Clone, Serialize)]
pub struct KindInfo {
    pub kind: String,
    pub title: String,
    pub layout: Layout,
    pub numbered: bool,
    pub fields: Vec<String>,
}

impl Generator {
    pub fn new(config: &Config) -> Result<Generator, GenerateError> {
        let d = &config.documents;
        Ok(Generator {
            config: config.clone(),
            engine: pdf::PdfEngine::new(&d.font_files, &d.fonts)?,
            pictures: picture::Rasteriser::new(&d.font_files),
        })
    }

    /// The loaded fonts and layout engine (the binder lays out its pages with it too).
    pub fn engine(&self) -> &pdf::PdfEngine {
        &self.engine
    }

    /// Loads and checks every kind's template (the bureau's copy when it has one), as the
    /// service does when it starts.
    pub fn check_templates(templates: Option<&Path>) -> Result<Vec<KindInfo>, GenerateError> {
        check_kinds(BUILT_IN, templates, &known_fields())
    }

    /// Generates a document for a case and records it with the case.
    pub fn generate(
        &self,
        registry: &mut dyn crate::registry::Register,
        dirs: &crate::store::DataDirs,
        req: &Request,
        actor: &str,
        address: Option<&str>,
    ) -> Result<Generated, GenerateError> {
        if period::is_period_kind(&req.kind) {
            return Err(GenerateError::Invalid(format!(
                "{} is about a period, not a case: xinfang report {} --period 2026-11",
                req.kind, req.kind
            )));
        }
        if !BUILT_IN.iter().any(|(k, _)| *k == req.kind) {
            return Err(GenerateError::UnknownKind(req.kind.clone()));
        }
        if !req.pdf && !req.docx {
            return Err(GenerateError::Invalid("no format asked for (pdf, docx)".into()));
        }
        let template = Template::load(&req.kind, Some(&dirs.templates), &known_fields())?;
        let case = registry
            .case(req.case_id)?
            .ok_or(GenerateError::NoCase(req.case_id))?;
        let date = req.date.unwrap_or_else(|| chrono::Local::now().date_naive());
        // A 督办函 chases the body a case went to: there must be one.
        if template.fields.contains("转办日期") && case.summary.route_kind.is_none() {
            return Err(GenerateError::Invalid(format!(
                "case {} has not been transferred or assigned: 「{}」 needs a route (案件尚未转送或交办)",
                req.case_id, template.header.title
            )));
        }
        // Officer fields are text: a list or a number would pass by the checks below.
        if let Some((k, _)) = req.inputs.iter().find(|(_, v)| !v.is_string()) {
            return Err(GenerateError::Invalid(format!("field {k:?} must be text")));
        }
        // Nothing a page cannot print: a control character typed or pasted into a field is
        // refused by name (the case's own values are cleaned in `context`).
        let typed = req.inputs.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))).chain(req.to.as_deref().map(|t| ("收文机关", t)));
        for (k, v) in typed {
            if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return Err(GenerateError::Unprintable(format!("字段「{k}」中的控制字符")));
            }
        }
        // The addressee actually rendered: the officer's 收文机关 if given, else --to, else
        // the case's route. The register records this one.
        let given = |k: &str| {
            req.inputs
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let to = given("收文机关")
            .or_else(|| req.to.clone().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
            .or_else(|| case.summary.route_body.clone());
        // Accusation material never goes to the body it accuses (《信访工作条例》第三十条):
        // the addressee, the --to given, every 抄送 body and the 受送达人 are all checked.
        let mut recipients: Vec<(crate::routing::Recipient, String)> = Vec::new();
        use crate::routing::Recipient;
        recipients.extend(to.iter().map(|t| (Recipient::To, t.clone())));
        recipients.extend(req.to.iter().map(|t| (Recipient::To, t.clone())));
        for k in ["抄送", "受送达人"] {
            for body in given(k).map(|v| crate::bodies::recipients_in(&v)).unwrap_or_default() {
                let role = if k == "抄送" { Recipient::Copy } else { Recipient::Served };
                recipients.push((role, body));
            }
        }
        let recipients: Vec<(Recipient, &str)> =
            recipients.iter().map(|(r, b)| (*r, b.as_str())).collect();
        crate::routing::check_recipients(&self.config.bodies, case.guard_case(), &recipients)
            .map_err(GenerateError::Refused)?;
        let code = match &template.header.code {
            Some(name) => Some(self.config.documents.codes.get(name).cloned().ok_or_else(|| {
                GenerateError::Invalid(format!(
                    "template {} names document-number code {name:?}, which [documents.codes] does not have",
                    template.origin
                ))
            })?),
            None => None,
        };
        let mut context = self.context(&case, to.as_deref(), date);
        // A 送达回证 names what it serves: the latest document sent to the petitioner.
        if template.fields.contains("送达文书") && given("送达文书").is_none() {
            let served = registry
                .documents(req.case_id)?
                .into_iter()
                .filter(|d| TO_PETITIONER.contains(&d.kind.as_str()))
                .next_back()
                .map(|d| match &d.number {
                    Some(n) => format!("{}（{n}）", d.title),
                    None => d.title.clone(),
                });
            if let Some(served) = served {
                context.insert("送达文书".into(), served.into());
            }
        }
        for (k, v) in &req.inputs {
            if !known_fields().contains(k.as_str()) {
                return Err(GenerateError::Invalid(format!(
                    "unknown field {k:?} (xinfang generate --fields lists them)"
                )));
            }
            if CASE_FIELDS.iter().any(|(c, _)| c == k) && !matches!(k.as_str(), "收文机关") {
                return Err(GenerateError::Invalid(format!(
                    "field {k:?} comes from the case; correct the case instead"
                )));
            }
            if k != "收文机关" {
                // (收文机关 is in the context already: the checked addressee, `to`.)
                context.insert(k.clone(), v.clone());
            }
        }
        // Officer fields with a default from the case: the extension's reason as the "延期"
        // step recorded it, a supervision's new date 15 days on.
        if !context.contains_key("延期理由") {
            let reason = case.events.iter().rev().find(|e| e.action == crate::domain::EventKind::Extend).and_then(|e| e.detail.clone());
            if let Some(r) = reason.filter(|r| !r.trim().is_empty()) {
                context.insert("延期理由".into(), r.trim_end_matches('。').to_string().into());
            }
        }
        if !context.contains_key("督办期限") {
            let due = self.config.deadlines.due(date, crate::deadline::Limit { days: 15, working: false });
            context.insert("督办期限".into(), gb_date(due).into());
        }
        let feedback_due = req.kind.starts_with("rec-").then(|| {
            self.config
                .deadlines
                .due(date, crate::deadline::Limit { days: 30, working: false })
        });
        let inputs = serde_json::Value::Object(req.inputs.clone());
        let title = template.header.title.clone();
        let new = NewDocument {
            about: crate::registry::documents::About::Case(req.case_id),
            kind: &req.kind,
            title: &title,
            code: code.as_deref(),
            addressee: to.as_deref(),
            inputs: &inputs,
            feedback_due,
            date,
        };
        if req.draft {
            // The number's place shows its code and year with a blank for the number.
            let year = chrono::Datelike::year(&date);
            let placeholder = code.as_deref().map(|c| format!("{c}〔{year}〕　号"));
            context.insert("文号".into(), placeholder.clone().unwrap_or_default().into());
            let (rendered, pages) = self.render(&template, &context, placeholder.as_deref(), date, req.pdf, req.docx, true)?;
            registry.audit(actor, "draft-document", Some(req.case_id), address)?;
            return Ok(Generated { record: None, pdf: rendered.pdf, docx: rendered.docx, pages });
        }
        let mut pages = 0;
        let mut kept = Rendered::default();
        let outcome = crate::registry::record_document(registry, dirs, &new, actor, address, |number| {
            context.insert("文号".into(), number.unwrap_or("").into());
            let (rendered, n) = self.render(&template, &context, number, date, req.pdf, req.docx, false)?;
            pages = n;
            // The caller gets the bytes too (the CLI writes them to -o).
            kept = Rendered {
                pdf: rendered.pdf.clone(),
                docx: rendered.docx.clone(),
            };
            Ok::<_, GenerateError>(rendered)
        })?;
        let record = outcome.ok_or(GenerateError::NoCase(req.case_id))??;
        Ok(Generated {
            record: Some(record),
            pdf: kept.pdf,
            docx: kept.docx,
            pages,
        })
    }

    /// Fills `template` with `context` and renders the formats asked for (`draft`: marked
    /// 草稿 on every page); returns the files and the page count.
    #[allow(clippy::too_many_arguments)]
    pub fn render(
        &self,
        template: &Template,
        context: &serde_json::Map<String, serde_json::Value>,
        number: Option<&str>,
        date: NaiveDate,
        pdf: bool,
        docx: bool,
        draft: bool,
    ) -> Result<(Rendered, usize), GenerateError> {
        let doc = self.fill(template, context, number, date, draft)?;
        self.lay_out(&doc, date, pdf, docx)
    }

    /// The document `template` and `context` make: the head, number, date and signer put in.
    pub fn fill(
        &self,
        template: &Template,
        context: &serde_json::Map<String, serde_json::Value>,
        number: Option<&str>,
        date: NaiveDate,
        draft: bool,
    ) -> Result<model::Document, GenerateError> {
        let mut doc = template.fill(&serde_json::Value::Object(context.clone()))?;
        doc.organ = match doc.layout {
            Layout::Document => format!("{}文件", self.config.bureau.name),
            _ => self.config.bureau.name.clone(),
        };
        doc.number = number.map(str::to_string);
        doc.date = gb_date(date);
        doc.draft = draft;
        if template.header.upward {
            let signer = context.get("签发人").and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
            let Some(signer) = signer else {
                return Err(GenerateError::Template(template::TemplateError::Missing {
                    origin: template.origin.clone(),
                    line: 0,
                    fields: vec!["签发人".into()],
                }));
            };
            doc.signer = Some(signer.to_string());
        }
        Ok(doc)
    }

    /// Lays `doc` out once and renders the formats asked for; the files and the page count.
    pub fn lay_out(&self, doc: &model::Document, date: NaiveDate, pdf: bool, docx: bool) -> Result<(Rendered, usize), GenerateError> {
        let options = compose::Options { double_sided: self.config.documents.double_sided };
        // Laid out once: the PDF draws it, the DOCX follows its page breaks.
        let composed = compose::compose(doc, &self.engine.advances(), options).map_err(GenerateError::Invalid)?;
        if doc.layout == Layout::Form && composed.plan.pages > 1 {
            return Err(GenerateError::Invalid(format!(
                "「{}」是一页的表格，内容却排了 {} 页：请压缩最长的几栏",
                doc.title, composed.plan.pages
            )));
        }
        let mut rendered = Rendered::default();
        let pages = composed.plan.pages;
        if pdf {
            let r = self.engine.draw(doc, &composed, date).map_err(unprintable)?;
            rendered.pdf = Some(r.pdf);
        }
        if docx {
            let stamp = crate::clock::now()
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            rendered.docx = Some(
                docx::render(doc, &composed.plan, &self.engine.advances(), &self.config.documents.docx_fonts, &stamp)
                    .map_err(GenerateError::Docx)?,
            );
        }
        Ok((rendered, pages))
    }

    fn context(
        &self,
        case: &CaseDetail,
        to: Option<&str>,
        date: NaiveDate,
    ) -> serde_json::Map<String, serde_json::Value> {
        let s = &case.summary;
        let day = |d: &str| {
            NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d")
                .map(gb_date)
                .unwrap_or_else(|_| d.to_string())
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "不详".into());
        let deadlines = &self.config.deadlines;
        let handling_due = s
            .due_at
            .as_deref()
            .filter(|_| s.route_kind == Some(crate::domain::RouteKind::Assign))
            .map(day)
            .unwrap_or_else(|| gb_date(deadlines.due(date, deadlines.handle)));
        let feedback_due = gb_date(deadlines.due(date, crate::deadline::Limit { days: 30, working: false }));
        let mut m = serde_json::Map::new();
        // (A control character read or typed into the case prints as nothing.)
        let mut put = |k: &str, v: String| {
            let v: String = v.chars().filter(|c| !c.is_control() || *c == '\n').collect();
            m.insert(k.into(), v.into());
        };
        put("登记号", s.registration_number.clone());
        put("信访人", text(&s.name));
        put("身份证号", text(&s.id_number));
        put("电话", text(&s.phone));
        put("地址", text(&case.address));
        put("人数", s.cosigners.max(1).to_string());
        // "孙某" for one petitioner, "王某等23人" for a joint letter (not "王某（23人…").
        let name = text(&s.name);
        put("信访人及人数", if s.cosigners > 1 { format!("{name}等{}人", s.cosigners) } else { name });
        // A notice speaks to one petitioner as 你 and to the signers of a joint letter as
        // 你们, never "你（们）".
        put("称谓", if s.cosigners > 1 { "你们" } else { "你" }.to_string());
        put("信访形式", "来信".into());
        put("来信日期", case.letter_date.clone().unwrap_or_else(|| "不详".into()));
        put("收信日期", day(&s.registered_at));
        put("事由", text(&s.summary));
        put("事项", matter(s.summary.as_deref()));
        put("类别", text(&s.category));
        put("发文机关", self.config.bureau.name.clone());
        put("成文日期", gb_date(date));
        put("办理期限", handling_due);
        put("办结期限", s.due_at.as_deref().map(day).unwrap_or_else(|| "不详".into()));
        let routed = case.events.iter().rev().find(|e| matches!(e.action, crate::domain::EventKind::Transfer | crate::domain::EventKind::Assign));
        put("转办日期", routed.map(|e| day(&e.at)).unwrap_or_else(|| "不详".into()));
        put("转办方式", match s.route_kind {
            Some(crate::domain::RouteKind::Assign) => "交办",
            _ => "转送",
        }.into());
        put("反馈期限", feedback_due);
        if let Some(to) = to {
            put("收文机关", to.to_string());
        }
        m
    }
}

/// Loads and checks the templates of `kinds` (the bureau's copy when it has one) against
/// the fields `known`.
pub fn check_kinds(kinds: &[(&str, &str)], templates: Option<&Path>, known: &BTreeSet<&str>) -> Result<Vec<KindInfo>, GenerateError> {
    kinds
        .iter()
        .map(|(kind, _)| {
            let t = Template::load(kind, templates, known)?;
            Ok(KindInfo {
                kind: kind.to_string(),
                title: t.header.title.clone(),
                layout: t.header.layout,
                numbered: t.header.code.is_some(),
                fields: t.fields.iter().cloned().collect(),
            })
        })
        .collect()
}


/// A document the case's state calls for, offered on the case page: after the limit was
/// extended, the 延期办理告知书 (Art. 34: the petitioner is told why), its reason taken from
/// the step's note; when a routed case is past its limit, the 督办函 (Art. 40).
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub kind: &'static str,
    /// Why it is offered, in the clerk's words.
    pub why: String,
    /// Officer fields filled in from the case.
    pub values: Vec<(String, String)>,
}

pub fn offer(case: &CaseDetail, docs: &[DocumentRecord], today: NaiveDate) -> Option<Offer> {
    use crate::domain::{EventKind, Status};
    let issued_after = |kind: &str, at: &str| docs.iter().any(|d| d.kind == kind && !d.is_void() && d.created_at.as_str() >= at);
    if let Some(ext) = case.events.iter().rev().find(|e| e.action == EventKind::Extend) {
        if !case.summary.status.is_finished() && !issued_after("extension-notice", &ext.at) {
            let values = ext.detail.iter().map(|d| ("延期理由".to_string(), d.trim_end_matches('。').to_string())).collect();
            return Some(Offer {
                kind: "extension-notice",
                why: "办理期限已延长：请告知信访人延期理由（《信访工作条例》第三十四条），可制发延期办理告知书。".into(),
                values,
            });
        }
    }
    // A review or re-review request is decided with its opinion (Arts. 35-36).
    if let Some(review) = &case.review {
        let kind = review.level.opinion_kind();
        let open = matches!(case.summary.status, Status::Registered | Status::Routed | Status::Awaiting);
        if open && !docs.iter().any(|d| d.kind == kind && !d.is_void()) {
            let due = case.summary.due_at.as_deref().and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok());
            return Some(Offer {
                kind,
                why: format!(
                    "本件为{}请求（原案 {}）：应在{}前作出{}意见并书面答复。",
                    review.level.label(),
                    review.of_number,
                    due.map(gb_date).unwrap_or_default(),
                    review.level.label()
                ),
                values: vec![],
            });
        }
    }
    // A matter from above: at close, the 办结报告 to the body that passed it down.
    if let Some(above) = &case.from_above {
        let closed = matches!(case.summary.status, Status::Closed | Status::Archived);
        if closed && !docs.iter().any(|d| d.kind == "completion-report" && !d.is_void()) {
            let mut values = vec![("收文机关".to_string(), above.body.clone())];
            if let Some(n) = &above.number {
                values.push(("交办文号".to_string(), n.clone()));
            }
            if let Some(r) = &case.result {
                values.push(("结果".to_string(), r.clone()));
            }
            let by = above.report_due.map(|d| format!("（报告期限 {}）", gb_date(d))).unwrap_or_default();
            return Some(Offer {
                kind: "completion-report",
                why: format!("本件系{}转交，已办结：请向其报送信访事项办结报告{by}。", above.body),
                values,
            });
        }
    }
    let due = case.summary.due_at.as_deref().and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok());
    if case.summary.status == Status::Routed && due.is_some_and(|d| d < today) {
        let last = docs.iter().rev().find(|d| d.kind == "supervision" && !d.is_void());
        let count = docs.iter().filter(|d| d.kind == "supervision" && !d.is_void()).count();
        let recent = last.is_some_and(|d| d.created_at.get(..10).is_some_and(|at| at >= today.to_string().as_str()));
        if !recent {
            let times = if count > 0 { format!("（已督办 {count} 次）") } else { String::new() };
            return Some(Offer {
                kind: "supervision",
                why: format!("已超过办理期限{}：可向承办单位制发督办函{times}。", due.map(gb_date).unwrap_or_default()),
                values: vec![],
            });
        }
    }
    None
}

/// What a summary is about, to go into "关于……的信访事项": "关于学校违规收费问题的反映"
/// gives "学校违规收费问题", so no document reads "反映“关于……的反映”".
pub fn matter(summary: Option<&str>) -> String {
    let Some(s) = summary.map(str::trim).filter(|s| !s.is_empty()) else {
        return "有关问题".into();
    };
    let mut s = s.trim_end_matches(['。', '；', '！', '.', ' ']).trim_matches(['“', '”', '"']);
    s = s.strip_prefix("关于").unwrap_or(s);
    const ENDINGS: [&str; 12] = [
        "的反映", "的来信", "的信访", "的申诉", "的投诉", "的举报", "的控告", "的检举", "的建议", "的请求", "的求助", "的情况反映",
    ];
    for e in ENDINGS {
        if let Some(rest) = s.strip_suffix(e) {
            s = rest;
            break;
        }
    }
    let s = s.strip_prefix("反映").unwrap_or(s);
    if s.is_empty() { "有关问题".into() } else { s.to_string() }
}

/// typst's PDF/A refusal of a character no font has (``the text `"X"` could not be
/// displayed with font `"…"` ``) as `Unprintable` naming the characters; other errors as they are.
fn unprintable(e: pdf::PdfError) -> GenerateError {
    let pdf::PdfError::Layout(message) = &e else {
        return GenerateError::Pdf(e);
    };
    let chars: Vec<&str> = message
        .split("the text `\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\"` could not be displayed").map(|(text, _)| text))
        .collect();
    if chars.is_empty() {
        return GenerateError::Pdf(e);
    }
    GenerateError::Unprintable(format!("「{}」", chars.join("」「")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventKind, Purpose, RouteKind, Status};
    use crate::registry::cases::{CaseSummary, Event};

    #[test]
    fn the_matter_is_named_once() {
        assert_eq!(matter(Some("关于学校违规收费问题的反映")), "学校违规收费问题");
        assert_eq!(matter(Some("“关于拖欠工资的投诉”。")), "拖欠工资");
        assert_eq!(matter(Some("要求支付拖欠工资")), "要求支付拖欠工资");
        assert_eq!(matter(None), "有关问题");
    }

    fn case(status: Status, due: &str, events: Vec<Event>) -> CaseDetail {
        CaseDetail {
            summary: CaseSummary {
                id: 1,
                registration_number: "XF-2026-000001".into(),
                status,
                name: None,
                phone: None,
                id_number: None,
                category: None,
                summary: None,
                urgent: false,
                cosigners: 0,
                repeat_of: None,
                registered_at: "2026-10-01T08:00:00Z".into(),
                due_at: Some(due.into()),
                route_kind: Some(RouteKind::Assign),
                route_body: Some("嘉鱼县人民政府".into()),
                accusation: false,
                handler: None,
                channel: crate::domain::Channel::Letter,
                risk: vec![],
            },
            sha256: String::new(),
            kind: "png".into(),
            pages: 1,
            address: None,
            letter_date: None,
            text: String::new(),
            registered_by: "t".into(),
            accused: vec![],
            purpose: Purpose::Demand,
            from_above: None,
            risk_seen_by: None,
            with_leader: None,
            instruction: None,
            result: None,
            satisfaction: None,
            evaluated_at: None,
            review: None,
            events,
            extraction: serde_json::Value::Null,
        }
    }

    fn event(action: EventKind, at: &str, detail: Option<&str>) -> Event {
        Event { at: at.into(), actor: "t".into(), action, detail: detail.map(str::to_string), due_at: None }
    }

    #[test]
    fn the_case_offers_the_document_its_state_calls_for() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        // Routed and past its limit: the 督办函.
        let late = case(Status::Routed, "2026-11-30", vec![event(EventKind::Assign, "2026-10-02T08:00:00Z", None)]);
        let o = offer(&late, &[], today).expect("an offer");
        assert_eq!(o.kind, "supervision");
        assert!(o.why.contains("2026年11月30日"), "{}", o.why);
        // Not yet due: nothing.
        let on_time = case(Status::Routed, "2026-12-30", vec![]);
        assert!(offer(&on_time, &[], today).is_none());
        // Extended: the 延期办理告知书 with the step's reason.
        let ext = case(Status::Awaiting, "2027-01-30", vec![event(EventKind::Extend, "2026-12-01T08:00:00Z", Some("需现场核查。"))]);
        let o = offer(&ext, &[], today).expect("an offer");
        assert_eq!((o.kind, o.values.clone()), ("extension-notice", vec![("延期理由".to_string(), "需现场核查".to_string())]));
        // A matter from above, closed: the 办结报告 to them, with their number and the result.
        let mut above = case(Status::Closed, "2026-12-20", vec![]);
        above.from_above = Some(crate::registry::FromAbove {
            body: "省信访局".into(),
            number: Some("鄂信转〔2026〕88号".into()),
            report_due: NaiveDate::from_ymd_opt(2026, 12, 20),
        });
        above.result = Some("已责令退还".into());
        let o = offer(&above, &[], today).expect("an offer");
        assert_eq!(o.kind, "completion-report");
        assert!(o.why.contains("省信访局") && o.why.contains("2026年12月20日"), "{}", o.why);
        assert!(o.values.contains(&("交办文号".to_string(), "鄂信转〔2026〕88号".to_string())), "{:?}", o.values);
        assert!(o.values.contains(&("结果".to_string(), "已责令退还".to_string())));
    }
}
