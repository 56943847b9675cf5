//! Official documents in the service: generate one for a case (API and the case page's
//! form), list a case's documents, hand out their PDF (shown in the browser) and DOCX, and
//! record whether a recommendation was adopted. Generation runs on a blocking thread with
//! the generator loaded once at start.

use crate::domain::Act;
use super::auth::CurrentUser;
use super::{ApiError, AppState};
use crate::documents::{GenerateError, Request};
use axum::body::Body;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

/// Who may generate documents.

impl From<GenerateError> for ApiError {
    fn from(e: GenerateError) -> Self {
        use crate::documents::template::TemplateError;
        let status = match &e {
            GenerateError::UnknownKind(_) => StatusCode::BAD_REQUEST,
            GenerateError::NoCase(_) => StatusCode::NOT_FOUND,
            GenerateError::Template(_) | GenerateError::Refused(_) | GenerateError::Invalid(_) | GenerateError::Unprintable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        // The sentence a clerk acts on, where the error has one of its own.
        let zh = match &e {
            GenerateError::Template(TemplateError::Missing { fields, .. }) => {
                Some(format!("请先填写：「{}」。", fields.join("」「")))
            }
            GenerateError::Unprintable(what) => Some(format!(
                "文书字体里没有这些字：{what}。请在案件登记内容或所填内容中改用常用字（生僻字可写同音字并加注）后再生成。"
            )),
            GenerateError::Refused(why) => Some(why.clone()),
            _ => None,
        };
        let error = ApiError::new(status, e.code(), e.to_string());
        match zh {
            Some(zh) => error.zh(zh),
            None => error,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateBody {
    kind: String,
    to: Option<String>,
    /// "pdf", "docx"; default both.
    formats: Option<Vec<String>>,
    /// The officer's text by field name (事实, 依据, 处理意见, …).
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
    /// A draft: the answer is the file itself (PDF, or DOCX when only "docx" is asked for),
    /// marked 草稿, without a number; nothing is recorded.
    #[serde(default)]
    draft: bool,
}

async fn run_generate(
    state: &AppState,
    user: &CurrentUser,
    request: Request,
) -> Result<crate::registry::documents::DocumentRecord, ApiError> {
    let generator = state.generator();
    let (actor, address) = (user.actor(), user.address.clone());
    let dirs = crate::store::DataDirs::new(state.data());
    state
        .with_registry(move |r| {
            Ok(generator.generate(&mut **r, &dirs, &request, &actor, address.as_deref()))
        })
        .await?
        .map_err(ApiError::from)
        .and_then(|g| g.record.ok_or_else(|| ApiError::internal("a recorded document has no record")))
}

/// Renders a draft: the PDF (or DOCX) itself, marked 草稿, with no number, not recorded.
async fn run_draft(state: &AppState, user: &CurrentUser, request: Request) -> Result<Response, ApiError> {
    let generator = state.generator();
    let (actor, address) = (user.actor(), user.address.clone());
    let dirs = crate::store::DataDirs::new(state.data());
    let pdf = request.pdf;
    let g = state
        .with_registry(move |r| Ok(generator.generate(&mut **r, &dirs, &request, &actor, address.as_deref())))
        .await?
        .map_err(ApiError::from)?;
    draft_file(g, pdf)
}

/// A draft's file as the answer: the PDF (shown in the browser) or the DOCX, never cached.
pub(super) fn draft_file(g: crate::documents::Generated, pdf: bool) -> Result<Response, ApiError> {
    let (bytes, mime, ext) = if pdf {
        (g.pdf, "application/pdf", "pdf")
    } else {
        (g.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
    };
    let bytes = bytes.ok_or_else(|| ApiError::internal("the draft was not rendered"))?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"draft.{ext}\"")),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// `POST /api/cases/{id}/documents`.
pub async fn generate(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<GenerateBody>,
) -> Result<Response, ApiError> {
    user.authorize_change(Act::WriteDocuments, &headers)?;
    let formats = body.formats.unwrap_or_else(|| vec!["pdf".into(), "docx".into()]);
    if let Some(bad) = formats.iter().find(|f| !["pdf", "docx"].contains(&f.as_str())) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("unknown format {bad:?} (pdf, docx)"),
        ));
    }
    // Officer fields are text; a list or an object is refused, not turned into text.
    if let Some((k, _)) = body.fields.iter().find(|(_, v)| !v.is_string()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("field {k:?} must be text"),
        ));
    }
    let fields = body.fields.into_iter().collect();
    let request = Request {
        kind: body.kind,
        case_id: id,
        to: body.to.filter(|t| !t.trim().is_empty()),
        inputs: fields,
        pdf: formats.iter().any(|f| f == "pdf"),
        docx: formats.iter().any(|f| f == "docx"),
        date: None,
        draft: body.draft,
    };
    if request.draft {
        return run_draft(&state, &user, request).await;
    }
    let record = run_generate(&state, &user, request).await?;
    Ok((StatusCode::CREATED, Json(json!({"document": record}))).into_response())
}

/// `GET /api/cases/{id}/documents`.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    user.require(Act::Read)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let role = user.user.role;
    let docs = state
        .with_registry(move |r| {
            // The documents' fields (受送达人 and the like) can name the accuser.
            super::cases::need_to_know(r, id, role)?;
            let docs = r.documents(id)?;
            r.audit(&actor, "list-documents", Some(id), address.as_deref())?;
            Ok(docs)
        })
        .await?;
    Ok(Json(json!({"documents": docs})))
}

/// `GET /api/documents/{id}/{format}`: the PDF inline (the browser shows it), the DOCX
/// as a download.
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    user.require(Act::Read)?;
    serve_file(&state, &user, id, &format, false).await
}

/// A document's file: a case's (`period` false: its accusation guard applies) or a
/// period's (the statistics' readers'); the other kind is not found here.
pub(super) async fn serve_file(state: &AppState, user: &CurrentUser, id: i64, format: &str, period: bool) -> Result<Response, ApiError> {
    let (actor, address) = (user.actor(), user.address.clone());
    let role = user.user.role;
    let doc = state
        .with_registry(move |r| {
            let d = r.document(id)?.filter(|d| d.case_id.is_none() == period);
            if let Some(d) = &d {
                if let Some(case) = d.case_id {
                    super::cases::need_to_know(r, case, role)?;
                }
                r.audit(&actor, "read-document", d.case_id, address.as_deref())?;
            }
            Ok(d)
        })
        .await?
        .ok_or_else(|| ApiError::not_found("document"))?;
    let (rel, mime, disposition) = match format {
        "pdf" => (&doc.pdf, "application/pdf", "inline"),
        "docx" => (
            &doc.docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "attachment",
        ),
        _ => return Err(ApiError::not_found("format")),
    };
    let rel = rel.as_ref().ok_or_else(|| ApiError::not_found("file"))?;
    let bytes = tokio::fs::read(state.data().join(rel))
        .await
        .map_err(|e| ApiError::internal(format!("{rel}: {e}")))?;
    // An ASCII file name; the Chinese one in RFC 5987 form.
    let name = format!("{}.{format}", doc.number.as_deref().unwrap_or(&doc.title));
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!(
        "{disposition}; filename=\"document-{id}.{format}\"; filename*=UTF-8''{encoded}"
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct Adoption {
    adopted: bool,
}

/// `POST /api/documents/{id}/adoption`: whether a recommendation was adopted.
pub async fn adoption(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(a): Json<Adoption>,
) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::WriteDocuments, &headers)?;
    let (actor, address) = (user.actor(), user.address.clone());
    let found = state
        .with_registry(move |r| Ok(r.set_adopted(id, a.adopted, &actor, address.as_deref())?))
        .await?;
    if !found {
        return Err(ApiError::not_found("recommendation"));
    }
    Ok(Json(json!({"document_id": id, "adopted": a.adopted})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoidBody {
    reason: String,
}

/// Voids a document (a case's, or with `period` a period's: the other kind is not found);
/// the answer is the document as it now is.
pub(super) async fn run_void(state: &AppState, user: &CurrentUser, id: i64, reason: String, period: bool) -> Result<crate::registry::documents::DocumentRecord, ApiError> {
    let Some(reason) = crate::registry::documents::void_reason(&reason).map(str::to_string) else {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "a reason of 1-200 characters is needed")
            .zh("请写明作废原因（200 字以内）。"));
    };
    let (actor, address) = (user.actor(), user.address.clone());
    let role = user.user.role;
    let outcome = state
        .with_registry(move |r| {
            // Voiding reads the document: those who may not know the accuser may not.
            match r.document(id)? {
                Some(d) if d.case_id.is_none() != period => return Ok(crate::registry::documents::VoidOutcome::NotFound),
                Some(d) => {
                    if let Some(case) = d.case_id {
                        super::cases::need_to_know(r, case, role)?;
                    }
                }
                None => {}
            }
            Ok(r.void_document(id, &reason, &actor, address.as_deref())?)
        })
        .await?;
    use crate::registry::documents::VoidOutcome;
    match outcome {
        VoidOutcome::Voided(d) => Ok(d),
        VoidOutcome::Already(_) => Err(ApiError::new(StatusCode::CONFLICT, "already_void", "the document was voided before").zh("该文书已作废。")),
        VoidOutcome::NotFound => Err(ApiError::not_found("document")),
    }
}

/// `POST /api/documents/{id}/void` `{"reason": "…"}`.
pub async fn void(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<VoidBody>,
) -> Result<Json<Value>, ApiError> {
    user.authorize_change(Act::WriteDocuments, &headers)?;
    let d = run_void(&state, &user, id, body.reason, false).await?;
    Ok(Json(json!({"document": d})))
}

/// `POST /documents/{id}/void`: the case page's 作废 form.
pub async fn void_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    user.require(Act::WriteDocuments)?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.to_string());
    user.check_csrf(get("csrf").as_deref())?;
    let d = run_void(&state, &user, id, get("reason").unwrap_or_default(), false).await?;
    Ok(Redirect::to(&format!("/cases/{}?saved=void-document", d.case_id.unwrap_or_default())).into_response())
}

/// Officer fields offered on the case page's form, with their labels.
const FORM_FIELDS: [&str; 20] = [
    "事实", "依据", "处理意见", "理由", "渠道", "问题", "建议", "要求", "结果", "延期理由", "督办期限", "原处理机关",
    "原处理意见书", "请求日期", "交办文号", "送达文书", "签发人", "承办人", "联系电话", "抄送",
];

/// The case page's documents: each one's line (title, number, addressee, feedback, links),
/// and, for those who may write documents, what the generate form offers (the kinds, the
/// suggested addressee, the officer's fields).
pub fn section(
    state: &AppState,
    user: &CurrentUser,
    docs: &[crate::registry::documents::DocumentRecord],
    suggested_to: &str,
    contact: (Option<String>, Option<String>),
    offer: Option<crate::documents::Offer>,
) -> (Vec<minijinja::Value>, Option<minijinja::Value>) {
    let list = docs
        .iter()
        .map(|d| {
            let links: Vec<_> = [("pdf", "PDF（预览）", &d.pdf), ("docx", "DOCX", &d.docx)]
                .into_iter()
                .filter(|(_, _, p)| p.is_some())
                .map(|(f, label, _)| (f, label))
                .collect();
            let adopted = match d.adopted {
                Some(true) => "已采纳",
                Some(false) => "未采纳",
                None => "待反馈",
            };
            minijinja::context! {
                id => d.id,
                void => d.is_void(),
                void_reason => d.void_reason.clone().unwrap_or_default(),
                title => &d.title,
                number => d.number.clone().unwrap_or_default(),
                addressee => d.addressee.clone().unwrap_or_default(),
                feedback_due => &d.feedback_due,
                adopted,
                links,
            }
        })
        .collect();
    if !user.may(Act::WriteDocuments) {
        return (list, None);
    }
    // 承办人 and 联系电话 start from the user's own (their account page).
    let (full_name, phone) = contact;
    let mut values: Vec<(String, String)> = [("承办人", full_name), ("联系电话", phone)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    let Some(offer) = offer else {
        return (list, Some(form_context(state, "", suggested_to, true, &values, false)));
    };
    values.extend(offer.values);
    let mut form = form_context(state, offer.kind, suggested_to, true, &values, true);
    form = minijinja::context! { offer => offer.why, ..form };
    (list, Some(form))
}

/// The generate form's values: the kinds offered, the one chosen, the addressee, the
/// officer's fields as typed, whether DOCX is asked for, whether the fields are shown open.
fn form_context(state: &AppState, kind: &str, to: &str, docx: bool, values: &[(String, String)], open: bool) -> minijinja::Value {
    let kinds: Vec<_> = crate::documents::Generator::check_templates(Some(&state.data().join("templates")))
        .unwrap_or_default()
        .into_iter()
        .map(|k| (k.kind, k.title))
        .collect();
    let fields: Vec<_> = FORM_FIELDS
        .iter()
        .map(|&f| {
            let value = values.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str()).unwrap_or("");
            minijinja::context! { name => f, value }
        })
        .collect();
    minijinja::context! { kinds, kind, to, docx, fields, open, offer => "" }
}

/// `POST /cases/{id}/documents`: the case page's form, without JavaScript.
pub async fn generate_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    user.require(Act::WriteDocuments)?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string());
    user.check_csrf(get("csrf").as_deref())?;
    let inputs = FORM_FIELDS
        .iter()
        .filter_map(|f| get(f).filter(|v| !v.is_empty()).map(|v| (f.to_string(), Value::String(v))))
        .collect();
    let draft = get("draft").is_some();
    let request = Request {
        kind: get("kind").unwrap_or_default(),
        case_id: id,
        to: get("to").filter(|t| !t.is_empty()),
        inputs,
        pdf: true,
        docx: get("docx").is_some() && !draft,
        date: None,
        draft,
    };
    let outcome = if draft { run_draft(&state, &user, request).await } else { run_generate(&state, &user, request).await.map(|_| Redirect::to(&format!("/cases/{id}?saved=document")).into_response()) };
    match outcome {
        Ok(response) => Ok(response),
        // Refused: the message, and the form again with everything as it was typed.
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::BAD_REQUEST => {
            let values: Vec<(String, String)> =
                FORM_FIELDS.iter().filter_map(|f| get(f).map(|v| (f.to_string(), v))).collect();
            let generate = form_context(
                &state,
                &get("kind").unwrap_or_default(),
                &get("to").unwrap_or_default(),
                get("docx").is_some(),
                &values,
                values.iter().any(|(_, v)| !v.is_empty()),
            );
            let message = e.message_zh.as_deref().unwrap_or(&e.message);
            let page = super::html::render("generate_retry.html", "未能生成文书", Some(&user), minijinja::context! { id, message, generate })?;
            Ok((e.status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/documents", post(generate_form))
        .route("/api/cases/{id}/documents", get(list).post(generate))
        .route("/api/documents/{id}/{format}", get(file))
        .route("/api/documents/{id}/adoption", post(adoption))
        .route("/api/documents/{id}/void", post(void))
        .route("/documents/{id}/void", post(void_form))
}
