//! `xinfang serve` end to end: the real binary on loopback, spoken to with curl. Sign-in,
//! uploads with jobs, the case API with masking and audit, search, CSRF and roles, the hot
//! folder, and a kill in the middle of a batch followed by a restart.

mod util;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use util::*;

/// Runs curl; returns the HTTP status and the body.
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl is installed (make deps)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn login(&self, user: &str, password: &str) -> (u16, Value) {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let (code, text) = curl(&[
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "-d",
            &body,
            &self.url("/api/session"),
        ]);
        (code, json(&text))
    }

    fn admin_token(&self) -> String {
        let (code, v) = self.login("admin", self.password.as_deref().unwrap());
        assert_eq!(code, 200, "{v}");
        v["token"].as_str().unwrap().to_string()
    }

    fn get(&self, token: &str, path: &str) -> (u16, String) {
        curl(&[
            "-H",
            &format!("Authorization: Bearer {token}"),
            &self.url(path),
        ])
    }

    fn upload(&self, token: &str, files: &[PathBuf]) -> (u16, Value) {
        let mut args = vec!["-H".to_string(), format!("Authorization: Bearer {token}")];
        for f in files {
            args.push("-F".into());
            args.push(format!("file=@{}", f.display()));
        }
        args.push(self.url("/api/letters"));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, text) = curl(&refs);
        (code, json(&text))
    }

    /// Waits until a job is done or failed.
    fn wait_job(&self, token: &str, id: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (code, text) = self.get(token, &format!("/api/jobs/{id}"));
            assert_eq!(code, 200, "{text}");
            let job = json(&text);
            if job["status"] == "done" || job["status"] == "failed" {
                return job;
            }
            assert!(Instant::now() < deadline, "job {id} did not finish: {job}");
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

fn sample(name: &str) -> PathBuf {
    root().join("samples/letters").join(name)
}

#[test]
fn upload_register_read_search_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&dir.path().join("data"), None);
    let token = server.admin_token();
    // Wrong password and no token.
    let (code, v) = server.login("admin", "wrong password");
    assert_eq!(code, 401);
    assert_eq!(v["error"]["code"], "bad_credentials");
    assert_eq!(server.get("nope", "/api/cases").0, 401);
    assert_eq!(curl(&[&server.url("/api/cases")]).0, 401);

    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "这不是信件").unwrap();
    let files = [
        sample("01-header-300dpi.png"),
        sample("11-born-digital.pdf"),
        junk,
    ];
    let (code, v) = server.upload(&token, &files);
    assert_eq!(code, 202, "{v}");
    assert_eq!(v["jobs"].as_array().unwrap().len(), 2);
    assert_eq!(v["rejected"][0]["code"], "unsupported_format");
    // The rejected file is kept for a person to look at, with the reason.
    let failed: Vec<String> = std::fs::read_dir(dir.path().join("data/failed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        failed.iter().any(|n| n.ends_with("notes.txt.reason.txt")),
        "{failed:?}"
    );

    let mut cases = Vec::new();
    for j in v["jobs"].as_array().unwrap() {
        let job = server.wait_job(&token, j["job_id"].as_i64().unwrap());
        assert_eq!(job["status"], "done", "{job}");
        cases.push(job["case_id"].as_i64().unwrap());
    }
    // The same file again: a job that points at the existing case.
    let (_, again) = server.upload(&token, &files[..1]);
    let job = server.wait_job(&token, again["jobs"][0]["job_id"].as_i64().unwrap());
    assert_eq!(job["duplicate"], true);
    assert_eq!(job["case_id"], cases[0]);

    // One case whole; lists masked.
    let (code, text) = server.get(&token, &format!("/api/cases/{}", cases[0]));
    assert_eq!(code, 200);
    let case = json(&text);
    let t = truth("01-header-300dpi.png");
    assert_eq!(case["phone"], t["fields"]["phone"]);
    assert!(case["registration_number"]
        .as_str()
        .unwrap()
        .starts_with("XF-"));
    let (_, text) = server.get(&token, "/api/cases");
    assert!(
        !text.contains(t["fields"]["phone"].as_str().unwrap()),
        "{text}"
    );
    assert!(text.contains("****"), "{text}");
    // Two-character Chinese search inside running text.
    let q = "%E5%B7%A5%E8%B5%84"; // 工资
    let (_, text) = server.get(&token, &format!("/api/cases?q={q}"));
    let found = json(&text)["cases"].as_array().unwrap().len();
    assert_eq!(found, 1, "{text}");
    // The original byte for byte, and the filing copy.
    let out = dir.path().join("orig");
    let status = Command::new("curl")
        .args(["-s", "-o"])
        .arg(&out)
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .arg(server.url(&format!("/api/cases/{}/original", cases[0])))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&files[0]).unwrap()
    );
    // The review preview of a scanned page is a JPEG; a born-digital PDF has none.
    let (code, _) = server.get(&token, &format!("/api/cases/{}/pages/1", cases[0]));
    assert_eq!(code, 200);
    let (code, _) = server.get(&token, &format!("/api/cases/{}/pages/1", cases[1]));
    assert_eq!(code, 404);
    let (code, pdf) = server.get(&token, &format!("/api/cases/{}/filed", cases[1]));
    assert_eq!(code, 200);
    assert!(pdf.starts_with("%PDF-1.7"));
    // Every read is in the audit log, with the user and the address.
    let (_, text) = server.get(&token, &format!("/api/audit?case={}", cases[0]));
    let entries = json(&text)["entries"].as_array().unwrap().clone();
    for action in ["register", "read-case", "read-original"] {
        assert!(
            entries.iter().any(|e| e["action"] == action),
            "{action}: {entries:?}"
        );
    }
    let read = entries.iter().find(|e| e["action"] == "read-case").unwrap();
    assert_eq!(read["actor"], "user:admin");
    assert_eq!(read["address"], "127.0.0.1");
    // The API describes itself.
    let (code, text) = curl(&[&server.url("/api/openapi.json")]);
    assert_eq!(code, 200);
    let doc = json(&text);
    for p in [
        "/api/session",
        "/api/letters",
        "/api/jobs/{id}",
        "/api/cases",
        "/api/cases/{id}/filed",
        "/api/audit",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
}

#[test]
fn roles_csrf_and_throttling() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start_server(&data, None);
    let admin = server.admin_token();
    // An analyst may not read cases or upload; users are added from the command line.
    let mut add = bin()
        .args([
            "user",
            "add",
            "统计员",
            "--role",
            "analyst",
            "--password-stdin",
            "--data",
        ])
        .arg(&data)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin
        .take()
        .unwrap()
        .write_all("统计员的密码123\n".as_bytes())
        .unwrap();
    assert!(add.wait().unwrap().success());
    let (code, v) = server.login("统计员", "统计员的密码123");
    assert_eq!(code, 200, "{v}");
    let analyst = v["token"].as_str().unwrap().to_string();
    assert_eq!(server.get(&analyst, "/api/cases?q=%E5%BC%A0").0, 403);
    assert_eq!(server.get(&analyst, "/api/audit").0, 403);
    assert_eq!(server.get(&admin, "/api/audit").0, 200);
    // A cookie session must send its CSRF token to change anything.
    let (_, v) = server.login("admin", server.password.as_deref().unwrap());
    let cookie = format!("xinfang_session={}", v["token"].as_str().unwrap());
    let file = format!("file=@{}", sample("11-born-digital.pdf").display());
    let (code, text) = curl(&[
        "-H",
        &format!("Cookie: {cookie}"),
        "-F",
        &file,
        &server.url("/api/letters"),
    ]);
    assert_eq!(code, 403, "{text}");
    assert_eq!(json(&text)["error"]["code"], "csrf");
    let csrf = format!("X-CSRF-Token: {}", v["csrf"].as_str().unwrap());
    let (code, _) = curl(&[
        "-H",
        &format!("Cookie: {cookie}"),
        "-H",
        &csrf,
        "-F",
        &file,
        &server.url("/api/letters"),
    ]);
    assert_eq!(code, 202);
    // Repeated failed sign-ins are refused for a while, even with the right password.
    for _ in 0..5 {
        assert_eq!(server.login("统计员", "not it").0, 401);
    }
    assert_eq!(server.login("统计员", "统计员的密码123").0, 429);
}

#[test]
fn a_restart_mid_batch_loses_no_letter_and_registers_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let files: Vec<PathBuf> = std::fs::read_dir(root().join("samples/letters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let (password, job_ids) = {
        let mut server = start_server(&data, None);
        let token = server.admin_token();
        let (code, v) = server.upload(&token, &files);
        assert_eq!(code, 202, "{v}");
        let ids: Vec<i64> = v["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["job_id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), files.len());
        // Let some finish, then kill the service without warning.
        server.wait_job(&token, ids[1]);
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        (server.password.clone(), ids)
    };
    let mut server = start_server(&data, None);
    server.password = password;
    let token = server.admin_token();
    let mut case_ids = std::collections::BTreeSet::new();
    for id in &job_ids {
        let job = server.wait_job(&token, *id);
        assert_eq!(job["status"], "done", "{job}");
        case_ids.insert(job["case_id"].as_i64().unwrap());
    }
    // One case per distinct file, numbered without gaps.
    assert_eq!(case_ids.len(), files.len());
    let (_, text) = server.get(&token, "/api/cases?limit=1000");
    let cases = json(&text)["cases"].as_array().unwrap().clone();
    assert_eq!(cases.len(), files.len());
    let mut numbers: Vec<String> = cases
        .iter()
        .map(|c| c["registration_number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    for (i, n) in numbers.iter().enumerate() {
        assert!(n.ends_with(&format!("-{:06}", i + 1)), "{numbers:?}");
    }
    // Nothing is left in the spool.
    assert_eq!(std::fs::read_dir(data.join("spool")).unwrap().count(), 0);
}

#[test]
fn the_hot_folder_takes_files_in_and_sets_them_aside() {
    let dir = tempfile::tempdir().unwrap();
    let watch = dir.path().join("scans");
    std::fs::create_dir_all(&watch).unwrap();
    let server = start_server(&dir.path().join("data"), Some(&watch));
    let token = server.admin_token();
    std::fs::copy(sample("07-a5-kai.png"), watch.join("a.png")).unwrap();
    let png = std::fs::read(sample("01-header-300dpi.png")).unwrap();
    std::fs::write(watch.join("broken.png"), &png[..3000]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(watch.join("done/a.png").exists() && watch.join("failed/broken.png").exists()) {
        assert!(Instant::now() < deadline, "files were not set aside");
        std::thread::sleep(Duration::from_millis(300));
    }
    let reason = std::fs::read_to_string(watch.join("failed/broken.png.reason.txt")).unwrap();
    assert!(reason.contains("corrupt"), "{reason}");
    let (_, text) = server.get(&token, "/api/cases");
    assert_eq!(json(&text)["cases"].as_array().unwrap().len(), 1);
    assert!(!watch.join("a.png").exists());
}

/// Sends JSON with a bearer token.
fn send_json(server: &Server, token: &str, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let (code, text) = curl(&[
        "-X",
        method,
        "-H",
        &format!("Authorization: Bearer {token}"),
        "-H",
        "content-type: application/json",
        "-d",
        &body.to_string(),
        &server.url(path),
    ]);
    (code, json(&text))
}

#[test]
fn routing_corrections_deadlines_and_the_accusation_guard() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&dir.path().join("data"), None);
    let token = server.admin_token();
    let (_, v) = server.upload(
        &token,
        &[sample("11-born-digital.pdf"), sample("12-typed.docx")],
    );
    let ids: Vec<i64> = v["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            server.wait_job(&token, j["job_id"].as_i64().unwrap())["case_id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let today = chrono::Local::now().date_naive();
    let (_, text) = server.get(&token, &format!("/api/cases/{}", ids[0]));
    let case = json(&text);
    assert_eq!(case["status"], "registered");
    // Registration starts the 15-day limit for transfer or assignment (7 when urgent).
    let due =
        chrono::NaiveDate::parse_from_str(case["due_at"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let days = if case["urgent"] == true { 7 } else { 15 };
    assert_eq!(due, today + chrono::Duration::days(days));
    let suggested = case["suggested_route"].as_str().unwrap().to_string();
    assert!(
        suggested.ends_with('局') || suggested.ends_with('室') || suggested.contains("分局"),
        "{suggested}"
    );
    // Due within 15 days: both; overdue: none.
    let (_, text) = server.get(&token, "/api/cases?due_within=15");
    assert_eq!(json(&text)["cases"].as_array().unwrap().len(), 2);
    let (_, text) = server.get(&token, "/api/cases?overdue=true");
    assert_eq!(json(&text)["cases"].as_array().unwrap().len(), 0);

    // A correction: a bad ID number is refused, a good one kept; the event names the field.
    let (code, v) = send_json(
        &server,
        &token,
        "PATCH",
        &format!("/api/cases/{}", ids[0]),
        &serde_json::json!({"id_number": "110105194912310021"}),
    );
    assert_eq!(code, 422, "{v}");
    let (code, v) = send_json(
        &server,
        &token,
        "PATCH",
        &format!("/api/cases/{}", ids[0]),
        &serde_json::json!({"id_number": "11010519491231002X", "accusation": true, "accused": [suggested]}),
    );
    assert_eq!(code, 200, "{v}");
    // Now an accusation: the accuser's identity is masked until an officer says why.
    let (_, text) = server.get(&token, &format!("/api/cases/{}", ids[0]));
    let case = json(&text);
    assert_eq!((case["id_number"].as_str(), &case["identity_shown"]), (Some("1101**********002X"), &Value::Bool(false)));
    assert_eq!(case["suggested_route"], Value::Null, "the accused is never suggested");
    let (_, text) = server.get(&token, &format!("/api/cases/{}?unmask=%E6%A0%B8%E6%9F%A5", ids[0]));
    let case = json(&text);
    assert_eq!(case["id_number"], "11010519491231002X");
    let corrected = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "corrected")
        .unwrap();
    assert!(corrected["detail"].as_str().unwrap().contains("id_number"));
    assert!(!corrected["detail"]
        .as_str()
        .unwrap()
        .contains("11010519491231002X"));

    // Accusation material may not go to the body it accuses; another body is fine.
    let path = format!("/api/cases/{}/route", ids[0]);
    let (code, v) = send_json(
        &server,
        &token,
        "POST",
        &path,
        &serde_json::json!({"kind": "transfer", "body": suggested}),
    );
    assert_eq!(code, 422, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("不得转送"),
        "{v}"
    );
    let (code, v) = send_json(
        &server,
        &token,
        "POST",
        &path,
        &serde_json::json!({"kind": "assign"}),
    );
    assert_eq!(code, 422, "a body is needed: {v}");
    let (code, v) = send_json(
        &server,
        &token,
        "POST",
        &path,
        &serde_json::json!({"kind": "assign", "body": "县纪委监委"}),
    );
    assert_eq!(code, 200, "{v}");
    // Assignment starts the 60-day handling limit.
    assert_eq!(
        v["due_at"],
        (today + chrono::Duration::days(60)).to_string()
    );
    let (code, _) = send_json(
        &server,
        &token,
        "POST",
        &path,
        &serde_json::json!({"kind": "transfer", "body": "县教育局"}),
    );
    assert_eq!(code, 409, "a routed case is not routed again");
    // The receiving body accepts: 60 days to handle from today; one extension of 30 days.
    let step = format!("/api/cases/{}/step", ids[0]);
    let (code, v) = send_json(
        &server,
        &token,
        "POST",
        &step,
        &serde_json::json!({"step": "accept"}),
    );
    assert_eq!(code, 200, "{v}");
    let handle_due = today + chrono::Duration::days(60);
    assert_eq!(v["due_at"], handle_due.to_string());
    let (code, v) = send_json(
        &server,
        &token,
        "POST",
        &step,
        &serde_json::json!({"step": "extend", "note": "情况复杂，经负责人批准延期"}),
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(
        v["due_at"],
        (handle_due + chrono::Duration::days(30)).to_string()
    );
    let (code, _) = send_json(
        &server,
        &token,
        "POST",
        &step,
        &serde_json::json!({"step": "extend"}),
    );
    assert_eq!(code, 422, "only one extension");
    let (code, _) = send_json(
        &server,
        &token,
        "POST",
        &step,
        &serde_json::json!({"step": "archive"}),
    );
    assert_eq!(code, 409, "not closed yet");
    // (An assigned case closes on the body's result.)
    for s in ["result", "reply", "close", "archive"] {
        let (code, v) = send_json(
            &server,
            &token,
            "POST",
            &step,
            &serde_json::json!({"step": s, "note": "已责令整改"}),
        );
        assert_eq!(code, 200, "{s}: {v}");
    }
    let (_, text) = server.get(&token, &format!("/api/cases/{}", ids[0]));
    let case = json(&text);
    assert_eq!(case["status"], "archived");
    let actions: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "registered",
            // (The letter describes fumes that make the village dizzy, a safety risk: the
            // one who uploaded it is not its first reader, so no 风险件已阅 here.)
            "corrected",
            "assign",
            "accept",
            "extend",
            "result",
            "reply",
            "close",
            "archive"
        ]
    );
    // Refusal needs a reason, and ends the bureau's step.
    let path = format!("/api/cases/{}/route", ids[1]);
    let (code, _) = send_json(
        &server,
        &token,
        "POST",
        &path,
        &serde_json::json!({"kind": "refuse"}),
    );
    assert_eq!(code, 422);
    let (code, v) = send_json(
        &server,
        &token,
        "POST",
        &path,
        &serde_json::json!({"kind": "refuse", "reason": "已进入诉讼程序，请通过法院解决"}),
    );
    assert_eq!(code, 200, "{v}");
    assert!(v["due_at"].is_null());
    let (_, text) = server.get(&token, &format!("/api/cases/{}", ids[1]));
    assert_eq!(json(&text)["status"], "replied");
    // Each change is in the audit log.
    let (_, text) = server.get(&token, &format!("/api/audit?case={}", ids[0]));
    let actions: Vec<String> = json(&text)["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"correct".to_string()) && actions.contains(&"route-assign".to_string()),
        "{actions:?}"
    );
}

#[test]
fn documents_from_the_api_and_the_case_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&dir.path().join("data"), None);
    let token = server.admin_token();
    let (_, v) = server.upload(&token, &[sample("12-typed.docx")]);
    let job = server.wait_job(&token, v["jobs"][0]["job_id"].as_i64().unwrap());
    let id = job["case_id"].as_i64().unwrap();
    let path = format!("/api/cases/{id}/documents");
    let body = serde_json::json!({"kind": "transfer", "to": "嘉鱼县人民政府",
        "fields": {"承办人": "李明", "联系电话": "0715-8123456"}});
    let (code, v) = send_json(&server, &token, "POST", &path, &body);
    assert_eq!(code, 201, "{v}");
    let doc = &v["document"];
    assert!(doc["number"].as_str().unwrap().starts_with("示信转〔"), "{doc}");
    let doc_id = doc["id"].as_i64().unwrap();
    // The PDF is shown in the browser; the DOCX is a download.
    let out = Command::new("curl")
        .args(["-s", "-D", "-", "-o", "/dev/null", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg(server.url(&format!("/api/documents/{doc_id}/pdf")))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(head.contains("content-type: application/pdf") && head.contains("inline"), "{head}");
    let (code, bytes) = server.get(&token, &format!("/api/documents/{doc_id}/docx"));
    assert_eq!(code, 200);
    assert!(bytes.starts_with("PK"));
    let (_, text) = server.get(&token, &path);
    assert_eq!(json(&text)["documents"].as_array().unwrap().len(), 1);
    // Clear errors: an unknown kind, a missing case, a missing field named with its line.
    let (code, v) = send_json(&server, &token, "POST", &path, &serde_json::json!({"kind": "nonsense"}));
    assert_eq!((code, v["error"]["code"].as_str()), (400, Some("unknown_kind")), "{v}");
    let (code, _) = send_json(&server, &token, "POST", "/api/cases/999/documents", &serde_json::json!({"kind": "transfer", "to": "某局"}));
    assert_eq!(code, 404);
    let (code, v) = send_json(&server, &token, "POST", &path, &serde_json::json!({"kind": "reply"}));
    assert_eq!(code, 422, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("缺少字段「事实」"), "{v}");
    assert_eq!(v["error"]["code"], "missing_fields", "{v}");
    assert!(v["error"]["message_zh"].as_str().unwrap().starts_with("请先填写：「事实」"), "{v}");
    // A character no font has, or a control character, is named: not a server error.
    for (fields, named) in [
        (serde_json::json!({"承办人": "李\u{3134A}明", "联系电话": "1"}), "「\u{3134A}」"),
        (serde_json::json!({"承办人": "李明\u{0019}", "联系电话": "1"}), "「承办人」"),
    ] {
        let (code, v) = send_json(&server, &token, "POST", &path, &serde_json::json!({"kind": "assignment", "to": "某局", "fields": fields}));
        assert_eq!((code, v["error"]["code"].as_str()), (422, Some("unprintable")), "{v}");
        assert!(v["error"]["message_zh"].as_str().unwrap().contains(named), "{named}: {v}");
    }
    // Accusation material is never addressed to the body it accuses.
    let (code, v) = send_json(&server, &token, "PATCH", &format!("/api/cases/{id}"),
        &serde_json::json!({"accusation": true, "accused": ["嘉鱼县教育局"]}));
    assert_eq!(code, 200, "{v}");
    let (code, v) = send_json(&server, &token, "POST", &path, &serde_json::json!({"kind": "assignment", "to": "嘉鱼县教育局", "fields": {"承办人": "李明", "联系电话": "1"}}));
    assert_eq!((code, v["error"]["code"].as_str()), (422, Some("refused")), "{v}");
    // The case page's form works without JavaScript and lists what was made.
    let (_, v) = server.login("admin", server.password.as_deref().unwrap());
    let cookie = format!("Cookie: xinfang_session={}", v["token"].as_str().unwrap());
    let csrf = v["csrf"].as_str().unwrap().to_string();
    let (code, _) = curl(&["-H", &cookie, "--data-urlencode", &format!("csrf={csrf}"),
        "--data-urlencode", "kind=acceptance-notice", "--data-urlencode", "docx=1",
        &server.url(&format!("/cases/{id}/documents"))]);
    assert_eq!(code, 303);
    let (code, page) = curl(&["-H", &cookie, &server.url(&format!("/cases/{id}"))]);
    assert_eq!(code, 200);
    assert!(page.contains("信访事项转送函") && page.contains("信访事项受理告知书") && page.contains("示信告〔"), "{page}");
    let (code, page) = curl(&["-H", &cookie, "--data-urlencode", &format!("csrf={csrf}"),
        "--data-urlencode", "kind=transfer", "--data-urlencode", "to=嘉鱼县教育局",
        &server.url(&format!("/cases/{id}/documents"))]);
    assert_eq!(code, 422);
    assert!(page.contains("检举控告材料不得转送"), "{page}");
}

#[test]
fn the_archivist_binds_the_year_as_a_background_job() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&dir.path().join("data"), None);
    let token = server.admin_token();
    let (_, v) = server.upload(&token, &[sample("12-typed.docx"), sample("11-born-digital.pdf")]);
    let ids: Vec<i64> = v["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| server.wait_job(&token, j["job_id"].as_i64().unwrap())["case_id"].as_i64().unwrap())
        .collect();
    // The first case is closed; the second stays open and is left out, with the reason.
    let (code, v) = send_json(&server, &token, "POST", &format!("/api/cases/{}/route", ids[0]),
        &serde_json::json!({"kind": "direct"}));
    assert_eq!(code, 200, "{v}");
    for step in ["result", "reply", "close"] {
        let (code, v) = send_json(&server, &token, "POST", &format!("/api/cases/{}/step", ids[0]),
            &serde_json::json!({"step": step, "note": "已处理"}));
        assert_eq!(code, 200, "{step}: {v}");
    }
    let year: i32 = chrono::Local::now().format("%Y").to_string().parse().unwrap();
    let (code, v) = send_json(&server, &token, "POST", "/api/binder", &serde_json::json!({"year": year}));
    assert_eq!(code, 202, "{v}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let job = loop {
        let (_, text) = server.get(&token, "/api/binder");
        let job = json(&text)["job"].clone();
        if job["status"] != "running" {
            break job;
        }
        assert!(Instant::now() < deadline, "{job}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(job["status"], "done", "{job}");
    assert!(job["message"].as_str().unwrap().contains("1 件"), "{job}");
    assert!(job["excluded"][0]["reason"].as_str().unwrap().contains("未办结"), "{job}");
    assert_eq!(job["excluded"][0]["open"], true, "{job}");
    let files: Vec<&str> = job["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let volume = format!("{year}-D30-vol01.pdf");
    assert!(files.contains(&volume.as_str()) && files.contains(&"manifest.json"), "{files:?}");
    let (code, body) = server.get(&token, &format!("/binders/{year}/{volume}"));
    assert_eq!(code, 200);
    assert!(body.starts_with("%PDF-1.7"));
    assert_eq!(server.get(&token, &format!("/binders/{year}/..%2Fxinfang.db")).0, 404);
    // The page shows the result without JavaScript.
    let (code, page) = server.get(&token, "/binder");
    assert_eq!(code, 200);
    assert!(page.contains("已完成") && page.contains(&volume), "{page}");
    // The page in the archivist's words: what is bound, what is left out and why, no
    // command-line flags, no status codes.
    assert!(page.contains("将装订 2 件（来信 1 件，文书 1 件）") || page.contains("将装订 1 件（来信 1 件"), "{page}");
    assert!(page.contains("id=\"excluded\"") && page.contains("案件未办结（状态：已登记）"), "{page}");
    assert!(!page.contains("--include-open") && !page.contains("registered"), "{page}");
    assert!(page.contains("id=\"bound-before\"") && page.contains("name=\"replace\""), "{page}");
    // Binding the year again must be asked for; when it is, the earlier set is kept.
    let (code, v) = send_json(&server, &token, "POST", "/api/binder", &serde_json::json!({"year": year}));
    assert_eq!(code, 409, "{v}");
    assert_eq!(v["error"]["code"], "already_bound", "{v}");
    let (code, v) = send_json(&server, &token, "POST", "/api/binder", &serde_json::json!({"year": year, "replace": true}));
    assert_eq!(code, 202, "{v}");
    let job = loop {
        let (_, text) = server.get(&token, "/api/binder");
        let job = json(&text)["job"].clone();
        if job["status"] != "running" {
            break job;
        }
        assert!(Instant::now() < deadline + Duration::from_secs(60), "{job}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(job["status"], "done", "{job}");
    let aside = job["set_aside"].as_str().unwrap().to_string();
    assert!(aside.starts_with(&format!("{year}.replaced-")), "{job}");
    let binders = dir.path().join("data/binders");
    assert!(binders.join(&aside).join(&volume).exists() && binders.join(year.to_string()).join(&volume).exists());
}

#[test]
fn the_review_page_points_at_fields_read_with_low_confidence() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let x: xinfang::model::Extraction = serde_json::from_value(serde_json::json!({
            "file": "x.png", "sha256": "ab12", "kind": "png",
            "pages": [{"index": 1, "width_px": 10, "height_px": 10, "dpi": 300, "rotation": 0,
                       "skew_deg": 0.0, "source": "ocr", "text": "信访人：张建国", "confidence": 0.6}],
            "text": "信访人：张建国",
            "fields": {"name": "张建国", "id_number": null, "phone": null, "address": null, "date": null,
                       "summary": null, "category": "其他", "urgent": false, "cosigners": 0},
            "field_confidence": {"name": 0.55, "urgent": 0.8, "cosigners": 0.8},
            "field_pages": {},
            "warnings": ["name read with low confidence (0.55); check it against the scan"],
            "elapsed_ms": 1
        }))
        .unwrap();
        let mut r = xinfang::registry::open(&data, Default::default()).unwrap();
        let new = xinfang::registry::NewCase {
            sha256: "ab12",
            source_name: "x.png",
            extraction: &x,
            due: None,
            accusation: false,
            channel: xinfang::domain::Channel::Letter,
            from_above: None,
            review: None,
            accused: &[],
            external_id: None,
        };
        let dirs = xinfang::store::DataDirs::new(&data);
        xinfang::registry::register(&mut *r, &dirs, &new, "tester", |n| Ok(format!("%PDF-1.7 {n}").into_bytes())).unwrap();
    }
    let server = start_server(&data, None);
    let token = server.admin_token();
    let (code, page) = server.get(&token, "/cases/1");
    assert_eq!(code, 200);
    assert!(page.contains("请对照扫描件核对：信访人"), "{page}");
}

/// Adds a user from the command line; true when it was accepted.
fn add_user(data: &Path, name: &str, role: &str, password: &str) -> bool {
    use std::io::Write;
    let mut add = bin()
        .args(["user", "add", name, "--role", role, "--password-stdin", "--data"])
        .arg(data)
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    add.wait().unwrap().success()
}

fn registered_case(server: &Server, token: &str, file: &str) -> i64 {
    let (code, v) = server.upload(token, &[sample(file)]);
    assert_eq!(code, 202, "{v}");
    server.wait_job(token, v["jobs"][0]["job_id"].as_i64().unwrap())["case_id"]
        .as_i64()
        .unwrap()
}

#[test]
fn the_accusation_guard_has_no_holes_and_blocks_no_innocent_route() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start_server(&data, None);
    let admin = server.admin_token();
    let id = registered_case(&server, &admin, "12-typed.docx");
    assert!(add_user(&data, "收发员", "mailroom", "收发员的密码很长"));
    let (code, v) = server.login("收发员", "收发员的密码很长");
    assert_eq!(code, 200, "{v}");
    let mailroom = v["token"].as_str().unwrap().to_string();
    let case_path = format!("/api/cases/{id}");
    let (code, v) = send_json(&server, &admin, "PATCH", &case_path,
        &serde_json::json!({"purpose": "accusation", "accused": ["鱼岳镇人民政府", "县教育局"]}));
    assert_eq!(code, 200, "{v}");

    // Clearing the flag or the list: not by the mailroom, not without a reason.
    let (code, v) = send_json(&server, &mailroom, "PATCH", &case_path,
        &serde_json::json!({"purpose": "demand", "accused": []}));
    assert_eq!((code, v["error"]["code"].as_str()), (403, Some("forbidden")), "{v}");
    let (code, v) = send_json(&server, &admin, "PATCH", &case_path, &serde_json::json!({"accused": []}));
    assert_eq!(code, 422, "{v}");
    // Adding to the list needs no reason.
    let (code, v) = send_json(&server, &mailroom, "PATCH", &case_path,
        &serde_json::json!({"accused": ["鱼岳镇人民政府", "县教育局", "县住建局"]}));
    assert_eq!(code, 200, "{v}");

    // Every recipient of a document is checked, in every form of the accused's name.
    let docs = format!("/api/cases/{id}/documents");
    for fields in [
        serde_json::json!({"收文机关": "鱼岳镇政府"}),
        serde_json::json!({"抄送": "县纪委、鱼岳镇 人民政府"}),
        serde_json::json!({"受送达人": "鱼岳镇\u{200b}人民政府"}),
        serde_json::json!({"抄送": "县 教育局"}),
        serde_json::json!({"收文机关": "县住房和城乡建设局"}),
        serde_json::json!({"抄送": "县纪委 鱼岳镇人民政府"}),
        serde_json::json!({"抄送": "县纪委､鱼岳镇\u{FE0F}人民政府"}),
    ] {
        let (code, v) = send_json(&server, &admin, "POST", &docs,
            &serde_json::json!({"kind": "transfer", "to": "县自然资源局", "fields": fields}));
        assert_eq!((code, v["error"]["code"].as_str()), (422, Some("refused")), "{fields}: {v}");
    }
    let (code, v) = send_json(&server, &admin, "POST", &docs,
        &serde_json::json!({"kind": "transfer", "to": "县自然资源局", "fields": {"抄送": ["鱼岳镇人民政府"]}}));
    assert_eq!(code, 400, "a list is not a field's text: {v}");
    // Routes in the accused's other names are refused.
    let route = format!("/api/cases/{id}/route");
    for body in ["鱼岳镇政府", "鱼岳镇 人民政府", "鱼岳镇\u{200b}人民政府", "中共鱼岳镇委员会", "县 教育局"] {
        let (code, v) = send_json(&server, &admin, "POST", &route, &serde_json::json!({"kind": "transfer", "body": body}));
        assert_eq!((code, v["error"]["code"].as_str()), (422, Some("refused")), "{body}: {v}");
    }
    // Bodies of another level or place are not the accused.
    for to in ["市人民政府", "县人民政府", "市教育局"] {
        let (code, v) = send_json(&server, &admin, "POST", &docs,
            &serde_json::json!({"kind": "transfer", "to": "县自然资源局", "fields": {"收文机关": to, "抄送": "县纪委监委"}}));
        assert_eq!(code, 201, "{to}: {v}");
        // The register records the addressee the document was rendered for.
        assert_eq!(v["document"]["addressee"].as_str(), Some(to), "{v}");
    }

    // Need to know: the mailroom sees the accuser masked and not the letter itself.
    let (_, text) = server.get(&mailroom, &case_path);
    let masked = json(&text);
    assert_eq!(masked["identity_shown"], false);
    assert!(masked["text"].as_str().unwrap().starts_with("（检举控告件"), "{masked}");
    let (_, text) = server.get(&mailroom, &format!("{case_path}?unmask=x"));
    assert_eq!(json(&text)["identity_shown"], false, "the mailroom cannot unmask");
    assert_eq!(server.get(&mailroom, &format!("{case_path}/original")).0, 403);
    assert_eq!(server.get(&mailroom, &format!("{case_path}/filed")).0, 403);

    // An officer clears the flag with a reason; the accused list still holds.
    let (code, v) = send_json(&server, &admin, "PATCH", &case_path,
        &serde_json::json!({"purpose": "demand", "reason": "经核实属申诉求决类"}));
    assert_eq!(code, 200, "{v}");
    let (code, _) = send_json(&server, &admin, "POST", &route, &serde_json::json!({"kind": "transfer", "body": "鱼岳镇政府"}));
    assert_eq!(code, 422);
    let (_, text) = server.get(&admin, &format!("/api/audit?case={id}"));
    let audit = json(&text);
    let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"clear-accusation"), "{actions:?}");
    assert!(actions.iter().any(|a| a.starts_with("read-case-masked")), "{actions:?}");
    // And a body that is not the accused takes the case.
    let (code, v) = send_json(&server, &admin, "POST", &route, &serde_json::json!({"kind": "transfer", "body": "县人民政府"}));
    assert_eq!(code, 200, "{v}");
}

/// The resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[test]
fn requests_are_bounded_sign_ins_counted_per_address_and_answers_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start_server(&data, None);
    let admin = server.admin_token();
    let id = registered_case(&server, &admin, "11-born-digital.pdf");

    // 10 MB to a form, a sign-in and a JSON route: refused at once, memory unchanged.
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![b'a'; 10 << 20]).unwrap();
    let big_arg = format!("@{}", big.display());
    let refused = || {
        for (method, path, kind) in [
            ("POST", "/login".to_string(), "application/x-www-form-urlencoded"),
            ("POST", "/api/session".to_string(), "application/json"),
            ("PATCH", format!("/api/cases/{id}"), "application/json"),
        ] {
            let (code, body) = curl(&[
                "-X", method, "-H", &format!("Authorization: Bearer {admin}"), "-H", &format!("content-type: {kind}"),
                "--data-binary", &big_arg, &server.url(&path),
            ]);
            assert_eq!(code, 413, "{path}: {body}");
        }
    };
    // Once to warm the server's threads up (their first allocations), then measured.
    refused();
    let before = rss_kib(server.child.id());
    refused();
    refused();
    let grown = rss_kib(server.child.id()).saturating_sub(before);
    assert!(grown < 16 * 1024, "the server grew by {grown} KiB");

    // A client that never finishes its headers is dropped.
    use std::io::{Read, Write};
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    slow.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    assert!(started.elapsed() < Duration::from_secs(35), "the slow client was kept");
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));

    // Security headers, on pages and on the API.
    let out = Command::new("curl").args(["-s", "-D", "-", "-o", "/dev/null"]).arg(server.url("/login")).output().unwrap();
    let headers = String::from_utf8_lossy(&out.stdout).to_lowercase();
    for h in ["cache-control: no-store", "x-content-type-options: nosniff", "x-frame-options: deny", "content-security-policy: default-src 'self'"] {
        assert!(headers.contains(h), "{h} missing: {headers}");
    }
    // A NUL in the search box is no server error.
    let (code, body) = server.get(&admin, "/api/cases?q=%00abc");
    assert_eq!(code, 200, "{body}");

    // Five wrong passwords from one address stop the name there, not elsewhere.
    let password = server.password.clone().unwrap();
    for _ in 0..5 {
        assert_eq!(server.login("admin", "not the password").0, 401);
    }
    assert_eq!(server.login("admin", &password).0, 429);
    let body = serde_json::json!({"username": "admin", "password": password}).to_string();
    let (code, text) = curl(&["--interface", "127.0.0.2", "-X", "POST", "-H", "content-type: application/json",
        "-d", &body, &server.url("/api/session")]);
    assert_eq!(code, 200, "from another address: {text}");
    let other = json(&text)["token"].as_str().unwrap().to_string();

    // Signing out a bearer token ends it.
    let (code, _) = curl(&["-X", "DELETE", "-H", &format!("Authorization: Bearer {other}"), &server.url("/api/session")]);
    assert_eq!(code, 200);
    assert_eq!(server.get(&other, "/api/cases").0, 401);

    // Weak passwords and a second admin by a spaced name are refused or the same user.
    assert!(!add_user(&data, "王五", "officer", "12345678"));
    assert!(!add_user(&data, "王五", "officer", "短密码"));
    // Disabling a user ends its sessions.
    assert!(add_user(&data, "王五", "officer", "王五的长密码123"));
    let (_, v) = server.login("王五", "王五的长密码123");
    let wang = v["token"].as_str().unwrap().to_string();
    assert_eq!(server.get(&wang, "/api/cases").0, 200);
    let st = bin().args(["user", "disable", "王五", "--data"]).arg(&data).stderr(Stdio::null()).status().unwrap();
    assert!(st.success());
    assert_eq!(server.get(&wang, "/api/cases").0, 401);

    // A form upload whose csrf field is missing takes no file and no number.
    let (code, v) = curl_login_cookie(&server, &password);
    assert_eq!(code, 200, "{v}");
    let cookie = format!("Cookie: xinfang_session={}", v["token"].as_str().unwrap());
    // A small file: the server answers as soon as it sees a file before the csrf field,
    // and a client still sending a large body would see the connection reset instead.
    let small = dir.path().join("small.png");
    std::fs::write(&small, &std::fs::read(sample("07-a5-kai.png")).unwrap()[..2000]).unwrap();
    let file = format!("file=@{}", small.display());
    let (code, body) = curl(&["-H", &cookie, "-F", &file, &server.url("/upload")]);
    assert_eq!(code, 403, "{body}");
    let (_, text) = server.get(&admin, "/api/cases");
    assert_eq!(json(&text)["cases"].as_array().unwrap().len(), 1, "no new case");
    assert_eq!(std::fs::read_dir(data.join("spool")).unwrap().count(), 0);

    // The data folder is its owner's alone; so are the register and the originals.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("xinfang.db")) & 0o077, 0);
    let mut originals = 0;
    for sub in std::fs::read_dir(data.join("originals")).unwrap() {
        for e in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let p = e.unwrap().path();
            assert_eq!(mode(&p), 0o400, "{}", p.display());
            originals += 1;
        }
    }
    assert_eq!(originals, 1);
}

/// Signs in as admin from 127.0.0.3 (the 127.0.0.1 count is spent by then).
fn curl_login_cookie(server: &Server, password: &str) -> (u16, Value) {
    let body = serde_json::json!({"username": "admin", "password": password}).to_string();
    let (code, text) = curl(&["--interface", "127.0.0.3", "-X", "POST", "-H", "content-type: application/json",
        "-d", &body, &server.url("/api/session")]);
    (code, json(&text))
}

/// Walks every GET route the router declares (read from src/server/mod.rs, so a route added
/// later is walked too) and checks that each one that shows personal data writes an audit
/// entry. Routes that show none are listed here, by path, with why.
#[test]
fn every_route_that_reads_personal_data_is_audited() {
    const NO_PERSONAL_DATA: [(&str, &str); 9] = [
        ("/", "redirects"),
        ("/login", "the sign-in form"),
        ("/upload", "the empty upload form"),
        ("/cases/new", "the empty reception form"),
        ("/api/openapi.json", "the API description"),
        ("/api/binder", "the binding job's progress"),
        ("/account/password", "the empty form to change one's password"),
        ("/account", "the user's own name and phone, shown to that user only"),
        ("/cases/mine", "redirects to the list of the user's own cases (which is audited)"),
    ];
    let paths: Vec<String> = util::declared_routes()
        .into_iter()
        .filter(|(method, _)| method == "GET")
        .map(|(_, path)| path)
        .collect();
    assert!(paths.len() >= 15, "routes found: {paths:?}");

    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&dir.path().join("data"), None);
    let token = server.admin_token();
    let case = registered_case(&server, &token, "07-a5-kai.png");
    let (code, v) = send_json(&server, &token, "POST", &format!("/api/cases/{case}/documents"),
        &serde_json::json!({"kind": "acceptance-notice"}));
    assert_eq!(code, 201, "{v}");
    let doc = v["document"]["id"].as_i64().unwrap();
    let (code, v) = send_json(&server, &token, "POST", "/api/reports", &serde_json::json!({"kind": "bulletin", "period": "2026-11", "formats": ["pdf"]}));
    assert_eq!(code, 201, "{v}");
    let report = v["document"]["id"].as_i64().unwrap();
    let audit_len = || {
        // Reading the log is audited too; those entries are not counted here.
        let (_, text) = server.get(&token, "/api/audit?limit=5000");
        json(&text)["entries"].as_array().unwrap().iter().filter(|e| e["action"] != "read-audit").count()
    };
    let mut walked = 0;
    for path in &paths {
        if NO_PERSONAL_DATA.iter().any(|(p, _)| p == path) {
            continue;
        }
        let concrete = path
            .replace("/api/reports/{id}/{format}", &format!("/api/reports/{report}/pdf"))
            .replace("{id}/{format}", &format!("{doc}/pdf"))
            .replace("/api/documents/{id}", &format!("/api/documents/{doc}"))
            .replace("{id}", &case.to_string())
            .replace("{page}", "1")
            .replace("{year}/{file}", "2026/none.pdf")
            .replace("/cases/export", "/cases/export?format=csv");
        if concrete.contains('{') {
            panic!("no example value for {path}");
        }
        let before = audit_len();
        let (code, body) = server.get(&token, &concrete);
        if code == 404 && concrete.starts_with("/binders/") {
            continue; // No volume bound yet: nothing was shown.
        }
        assert!(code < 400, "{concrete}: {code} {body}");
        let after = audit_len();
        if concrete.starts_with("/api/audit") || concrete.starts_with("/admin/audit") {
            let (_, text) = server.get(&token, "/api/audit?limit=1");
            assert_eq!(json(&text)["entries"][0]["action"], "read-audit");
            walked += 1;
            continue;
        }
        assert!(after > before, "{concrete} showed data without an audit entry");
        walked += 1;
    }
    assert!(walked >= 10, "walked {walked}");
}
