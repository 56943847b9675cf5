//! Every channel into one register, end to end: a scanned letter uploaded, a visit, a call,
//! an online petition and a matter from above registered through `POST /api/cases` and
//! the reception page, numbered without gaps across channels; a matter from above due on
//! their date when it is earlier; a risk read from what a visitor said put on top of the
//! list, its first reader kept; `xinfang import` checking every line before it registers
//! any. The real binary, server, register and filing copies (read back with pdftotext).

mod util;

use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};
use util::*;

fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl").args(["-s", "-w", "\n%{http_code}"]).args(args).output().expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

struct Api<'a> {
    server: &'a Server,
    token: String,
}

impl Api<'_> {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.server.port)
    }

    fn get(&self, path: &str) -> (u16, String) {
        curl(&["-H", &format!("Authorization: Bearer {}", self.token), &self.url(path)])
    }

    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let (code, text) = curl(&[
            "-X", "POST", "-H", &format!("Authorization: Bearer {}", self.token), "-H", "content-type: application/json",
            "-d", &body.to_string(), &self.url(path),
        ]);
        (code, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
    }

    fn case(&self, id: i64) -> Value {
        let (code, text) = self.get(&format!("/api/cases/{id}"));
        assert_eq!(code, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }
}

fn sign_in(server: &Server) -> String {
    let body = json!({"username": "admin", "password": server.password.as_deref().unwrap()}).to_string();
    let url = format!("http://127.0.0.1:{}/api/session", server.port);
    let (code, text) = curl(&["-X", "POST", "-H", "content-type: application/json", "-d", &body, &url]);
    assert_eq!(code, 200, "{text}");
    serde_json::from_str::<Value>(&text).unwrap()["token"].as_str().unwrap().to_string()
}

fn seq(number: &str) -> u32 {
    number.rsplit('-').next().unwrap().parse().unwrap()
}

#[test]
fn every_channel_goes_into_one_gapless_register() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&dir.path().join("data"), None);
    let api = Api { token: sign_in(&server), server: &server };
    let today = chrono::Local::now().date_naive();

    // A letter, scanned and uploaded (a typed DOCX: no OCR to wait for).
    let letter = root().join("samples/letters/12-typed.docx");
    let (code, text) = curl(&[
        "-H", &format!("Authorization: Bearer {}", api.token), "-F", &format!("file=@{}", letter.display()),
        &api.url("/api/letters"),
    ]);
    assert_eq!(code, 202, "{text}");
    let job = serde_json::from_str::<Value>(&text).unwrap()["jobs"][0]["job_id"].as_i64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let letter_case = loop {
        let v: Value = serde_json::from_str(&api.get(&format!("/api/jobs/{job}")).1).unwrap();
        if v["status"] == "done" {
            break v["case_id"].as_i64().unwrap();
        }
        assert!(v["status"] != "failed" && Instant::now() < deadline, "{v}");
        std::thread::sleep(Duration::from_millis(200));
    };

    let report_due = today + chrono::Days::new(5);
    let petitions = [
        json!({"channel": "visit", "name": "韦国栋", "phone": "13972150418", "address": "湖北省咸宁市嘉鱼县鱼岳镇沙阳大道88号",
               "summary": "征地补偿款被截留", "cosigners": 2,
               "text": "来访人称镇里截留征地补偿款，多次反映无果。扬言月底前不解决就组织村民去北京上访。"}),
        json!({"channel": "phone", "name": "冯雪梅", "phone": "18607159932", "text": "来电反映小区电梯停运三个月，物业不维修。"}),
        json!({"channel": "online", "external_id": "WS-2026-0098", "name": "蒋鹏飞", "category": "城乡建设",
               "text": "网上反映：小区停车位被物业违规出租，业主无处停车。"}),
        json!({"channel": "from-above", "from_body": "省信访局", "from_number": "鄂信转〔2026〕88号",
               "report_due": report_due.to_string(), "name": "覃晓燕",
               "text": "省信访局转来：反映某工地拖欠农民工工资，请核查处理并报告结果。"}),
    ];
    let mut ids = vec![letter_case];
    let mut numbers = vec![api.case(letter_case)["registration_number"].as_str().unwrap().to_string()];
    for p in &petitions {
        let (code, v) = api.post("/api/cases", p);
        assert_eq!(code, 201, "{p}: {v}");
        assert_eq!(v["channel"], p["channel"]);
        ids.push(v["case_id"].as_i64().unwrap());
        numbers.push(v["registration_number"].as_str().unwrap().to_string());
    }
    // The reception page's form (a visit typed while the person is there).
    let form = "channel=visit&name=%E8%A3%B4%E9%9B%AF&text=%E5%8F%8D%E6%98%A0%E5%99%AA%E9%9F%B3%E6%89%B0%E6%B0%91";
    let (code, _) = curl(&[
        "-o", "/dev/null", "-D", "-", "-X", "POST", "-H", &format!("Authorization: Bearer {}", api.token), "-d", form,
        &api.url("/cases/new"),
    ]);
    assert_eq!(code, 303);
    let (_, list) = api.get("/api/cases?limit=10");
    let list: Value = serde_json::from_str(&list).unwrap();
    let newest = &list["cases"][0];
    assert_eq!(newest["channel"], "visit");
    ids.push(newest["id"].as_i64().unwrap());
    numbers.push(newest["registration_number"].as_str().unwrap().to_string());
    // One sequence across channels, without gaps.
    let seqs: Vec<u32> = numbers.iter().map(|n| seq(n)).collect();
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>(), "{numbers:?}");
    let channels: Vec<String> = ids.iter().map(|&id| api.case(id)["channel"].as_str().unwrap().to_string()).collect();
    assert_eq!(channels, ["letter", "visit", "phone", "online", "from-above", "visit"]);

    // The typed fields are the case's; the record is its original and is filed.
    let visit = api.case(ids[1]);
    assert_eq!(visit["name"], "韦国栋");
    assert_eq!(visit["cosigners"], 2);
    assert_eq!(visit["letter_date"], today.to_string());
    let pdf = dir.path().join("visit.pdf");
    let (code, _) = curl(&["-H", &format!("Authorization: Bearer {}", api.token), "-o", pdf.to_str().unwrap(), &api.url(&format!("/api/cases/{}/filed", ids[1]))]);
    assert_eq!(code, 200);
    let text = String::from_utf8(Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap().stdout).unwrap();
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squashed.contains("来访接待记录") && squashed.contains("去北京上访"), "{text}");
    assert_eq!(api.case(ids[3])["category"], "城乡建设");

    // A matter from above is due on their date (5 days) rather than ours (15).
    let above = api.case(ids[4]);
    assert_eq!(above["due_at"], report_due.to_string(), "{above}");
    assert_eq!(above["from_above"]["body"], "省信访局");
    assert_eq!(above["from_above"]["number"], "鄂信转〔2026〕88号");

    // The visitor's threat was read from what was typed: a mass petition, urgent.
    assert_eq!(visit["risk"], json!(["mass"]), "{visit}");
    assert_eq!(visit["urgent"], true);
    assert_eq!(visit["extraction"]["fields"]["risk"][0]["evidence"], "去北京上访");
    assert_eq!(api.case(ids[2])["risk"], json!([]));
    // On top of the list, marked; its first reader kept once.
    let (code, page) = api.get("/cases");
    assert_eq!(code, 200);
    let top = page.find("id=\"risks\"").expect("the risk block");
    let row = page[top..].find(&numbers[1]).expect("the visit is in it");
    assert!(page[top..top + row].contains("风险件 1 件"), "{}", &page[top..top + row]);
    let events = |v: &Value| v["events"].as_array().unwrap().iter().filter(|e| e["action"] == "risk-seen").cloned().collect::<Vec<_>>();
    // Whoever registered it does not count as its first reader; the next user to open it does.
    assert!(events(&api.case(ids[1])).is_empty());
    let mut add = bin();
    add.args(["user", "add", "王芳", "--role", "officer", "--password-stdin", "--data"]).arg(dir.path().join("data"));
    add.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::null());
    let mut child = add.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"a long passphrase 2026\n").unwrap();
    assert!(child.wait().unwrap().success());
    let body = json!({"username": "王芳", "password": "a long passphrase 2026"}).to_string();
    let (_, text) = curl(&["-X", "POST", "-H", "content-type: application/json", "-d", &body, &api.url("/api/session")]);
    let officer = Api { token: serde_json::from_str::<Value>(&text).unwrap()["token"].as_str().unwrap().to_string(), server: &server };
    let (_, case_page) = officer.get(&format!("/cases/{}", ids[1]));
    assert!(case_page.contains("id=\"risk\"") && case_page.contains("群体性：“去北京上访”") && case_page.contains("首阅"), "{case_page}");
    let seen = events(&api.case(ids[1]));
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["actor"], "user:王芳");
    officer.get(&format!("/cases/{}", ids[1]));
    assert_eq!(events(&api.case(ids[1])).len(), 1, "kept once");

    // Refusals name the field; nothing is numbered for them.
    let wrong = [
        (json!({"channel": "letter", "text": "x"}), "channel"),
        (json!({"channel": "visit"}), "text"),
        (json!({"channel": "visit", "text": "x", "from_body": "省信访局"}), "from_body"),
        (json!({"channel": "from-above", "text": "x"}), "from_body"),
        (json!({"channel": "phone", "text": "x", "id_number": "110101199003071234"}), "id_number"),
        (json!({"channel": "phone", "text": "x", "received_at": (today + chrono::Days::new(1)).to_string()}), "received_at"),
        (json!({"channel": "phone", "text": "x", "category": "天文"}), "category"),
    ];
    for (body, field) in wrong {
        let (code, v) = api.post("/api/cases", &body);
        assert_eq!(code, 422, "{body}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().starts_with(field), "{body}: {v}");
        assert!(!v["error"]["message_zh"].as_str().unwrap_or("").is_empty(), "{v}");
    }
    assert!(api.post("/api/cases", &json!({"channel": "visit", "text": "x", "unknown": 1})).0 == 422);
    // The same petition again is the same case.
    let (code, v) = api.post("/api/cases", &petitions[1]);
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["duplicate_of"], numbers[2].as_str());
    let (code, v) = api.post("/api/cases", &json!({"channel": "phone", "text": "另一件事"}));
    assert_eq!(code, 201);
    assert_eq!(seq(v["registration_number"].as_str().unwrap()), 7, "{v}");
}

#[test]
fn an_import_checks_every_line_before_it_registers_any() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("online.jsonl");
    let good = [
        json!({"external_id": "WS-1", "name": "甘振宇", "text": "反映小区供暖不热，多次报修无人处理。"}),
        json!({"external_id": "WS-2", "name": "柴玉兰", "text": "反映学校违规收取补课费。", "category": "教育"}),
        json!({"channel": "from-above", "external_id": "SJ-7", "from_body": "市信访局", "text": "转来：反映村里土地承包纠纷。"}),
    ];
    let mut lines: Vec<String> = good.iter().map(Value::to_string).collect();
    lines.insert(1, json!({"external_id": "WS-3", "text": "   "}).to_string());
    lines.push("{not json".into());
    lines.push(json!({"external_id": "WS-1", "text": "重复的编号"}).to_string());
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let out = run(bin().args(["import", "--json"]).arg(&file).arg("--data").arg(&data));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let errors: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let wrong: Vec<i64> = errors.iter().map(|e| e["line"].as_i64().unwrap()).collect();
    assert_eq!(wrong, [2, 5, 6], "{errors:?}");
    assert!(errors[0]["error"].as_str().unwrap().starts_with("text"), "{errors:?}");
    assert!(errors[2]["error"].as_str().unwrap().contains("第 1 行"), "{errors:?}");
    // Nothing half-imported: no case at all.
    let r = xinfang::registry::open(&data, Default::default()).unwrap();
    assert_eq!(r.holdings().unwrap().real, 0);
    drop(r);

    std::fs::write(&file, good.iter().map(Value::to_string).collect::<Vec<_>>().join("\n")).unwrap();
    let out = run(bin().args(["import", "--json"]).arg(&file).arg("--data").arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let done: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(done.len(), 3);
    assert!(done.iter().all(|d| d["duplicate_of"].is_null()), "{done:?}");
    // Run again: every line is known, nothing new.
    let out = run(bin().args(["import", "--json"]).arg(&file).arg("--data").arg(&data));
    assert!(out.status.success(), "{}", text(&out));
    let again: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(again.iter().zip(&done).all(|(a, d)| a["duplicate_of"] == d["registration_number"]), "{again:?}");
    let r = xinfang::registry::open(&data, Default::default()).unwrap();
    assert_eq!(r.holdings().unwrap().real, 3);
    let c = r.case(3).unwrap().unwrap();
    assert_eq!(c.summary.channel, xinfang::domain::Channel::FromAbove);
    assert_eq!(c.from_above.unwrap().body, "市信访局");
    assert_eq!(r.case(1).unwrap().unwrap().summary.channel, xinfang::domain::Channel::Online);
}

/// The rest of the case life through the API, by the roles the rules name: an officer
/// submits a case to the leader, the leader finds it on their page and instructs; the case
/// is assigned, goes overdue and is supervised with a new date; it closes only once the
/// body's result is recorded; the petitioner's evaluation of the reply is kept.
#[test]
fn a_case_is_instructed_supervised_closed_on_its_result_and_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start_server(&data, None);
    let admin = Api { token: sign_in(&server), server: &server };
    let today = chrono::Local::now().date_naive();
    for (name, role) in [("王芳", "officer"), ("李局长", "leader")] {
        let mut add = bin();
        add.args(["user", "add", name, "--role", role, "--password-stdin", "--data"]).arg(&data);
        add.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::null());
        let mut child = add.spawn().unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"a long passphrase 2026\n").unwrap();
        assert!(child.wait().unwrap().success());
    }
    let login = |name: &str| {
        let body = json!({"username": name, "password": "a long passphrase 2026"}).to_string();
        let (code, text) = curl(&["-X", "POST", "-H", "content-type: application/json", "-d", &body, &admin.url("/api/session")]);
        assert_eq!(code, 200, "{text}");
        Api { token: serde_json::from_str::<Value>(&text).unwrap()["token"].as_str().unwrap().to_string(), server: &server }
    };
    let (officer, leader) = (login("王芳"), login("李局长"));
    let (code, v) = officer.post("/api/cases", &json!({"channel": "visit", "name": "詹秋菊", "text": "反映小区物业多收停车费，要求退还。"}));
    assert_eq!(code, 201, "{v}");
    let id = v["case_id"].as_i64().unwrap();
    let step = |who: &Api, body: Value| who.post(&format!("/api/cases/{id}/step"), &body);

    // Submitted; on the leader's page; instructed by the leader only.
    assert_eq!(step(&officer, json!({"step": "submit-to-leader", "note": "请领导阅示"})).0, 200);
    assert_eq!(step(&officer, json!({"step": "submit-to-leader"})).0, 409);
    let (code, page) = leader.get("/leader");
    assert_eq!(code, 200);
    assert!(page.contains(&format!("/cases/{id}\"")), "{page}");
    let instruction = "请住建局依法处理，月底前报结果。";
    assert_eq!(step(&officer, json!({"step": "instruct", "note": instruction})).0, 403);
    assert_eq!(step(&leader, json!({"step": "instruct"})).0, 422);
    assert_eq!(step(&leader, json!({"step": "instruct", "note": instruction})).0, 200, "the leader instructs");
    let c = admin.case(id);
    assert_eq!(c["instruction"], instruction);
    assert!(c["with_leader"].is_null());
    let (_, page) = officer.get(&format!("/cases/{id}"));
    assert!(page.contains("id=\"instruction\"") && page.contains(instruction), "shown at the top");
    assert!(!leader.get("/leader").1.contains(&format!("/cases/{id}\"")));

    // Assigned; overdue (the deadline put in the past, as time would); supervised.
    let (code, v) = officer.post(&format!("/api/cases/{id}/route"), &json!({"kind": "assign", "body": "县住房和城乡建设局"}));
    assert_eq!(code, 200, "{v}");
    assert_eq!(step(&officer, json!({"step": "supervise", "date": (today + chrono::Days::new(10)).to_string()})).0, 409, "not overdue yet");
    {
        let r = xinfang::registry::sqlite::SqliteRegistry::open(&data, Default::default()).unwrap();
        let past = (today - chrono::Days::new(3)).to_string();
        r.connection().execute("UPDATE cases SET due_at = ?2 WHERE id = ?1", (id, past)).unwrap();
    }
    let (_, page) = officer.get(&format!("/cases/{id}"));
    assert!(page.contains("value=\"supervise\""), "the overdue case offers supervision");
    assert_eq!(step(&officer, json!({"step": "supervise", "date": today.to_string()})).0, 422, "the new date is after today");
    let new_date = (today + chrono::Days::new(10)).to_string();
    let (code, v) = step(&officer, json!({"step": "supervise", "date": new_date, "note": "电话督办"}));
    assert_eq!((code, v["due_at"].as_str()), (200, Some(new_date.as_str())), "{v}");

    // Replied; closed only with the result; evaluated.
    assert_eq!(step(&officer, json!({"step": "accept"})).0, 200);
    assert_eq!(step(&officer, json!({"step": "reply", "note": "已书面答复"})).0, 200);
    let (code, v) = step(&officer, json!({"step": "close"}));
    assert_eq!(code, 422, "{v}");
    assert!(v["error"]["message_zh"].as_str().unwrap().contains("办理结果"), "{v}");
    assert_eq!(step(&officer, json!({"step": "result", "note": "住建局已责令物业退还多收停车费"})).0, 200);
    let (code, v) = officer.post(&format!("/api/cases/{id}/evaluation"), &json!({"result": "basically", "at": today.to_string()}));
    assert_eq!(code, 200, "{v}");
    assert_eq!(step(&officer, json!({"step": "close"})).0, 200);
    assert_eq!(leader.post(&format!("/api/cases/{id}/evaluation"), &json!({"result": "satisfied"})).0, 403);
    let c = admin.case(id);
    assert_eq!((c["status"].as_str(), c["satisfaction"].as_str()), (Some("closed"), Some("basically")));
    assert_eq!(c["result"], "住建局已责令物业退还多收停车费");
    let actions: Vec<(&str, &str)> =
        c["events"].as_array().unwrap().iter().map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap())).collect();
    for want in [("submit-to-leader", "user:王芳"), ("instruct", "user:李局长"), ("supervise", "user:王芳"), ("result", "user:王芳"), ("evaluation", "user:王芳"), ("close", "user:王芳")] {
        assert!(actions.contains(&want), "{want:?} in {actions:?}");
    }
    let (_, page) = admin.get(&format!("/cases/{id}"));
    assert!(page.contains("已督办 1 次") && page.contains("基本满意"), "the case page says so");
}

/// A review request (复查) within 30 days of the written reply makes a linked case due 30
/// days after the request; after the 30 days it is refused with the last day, unless an
/// officer accepts it with a reason; a re-review (复核) is asked of the review.
#[test]
fn review_requests_are_linked_cases_in_their_window() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start_server(&data, None);
    let api = Api { token: sign_in(&server), server: &server };
    let today = chrono::Local::now().date_naive();
    let (_, v) = api.post("/api/cases", &json!({"channel": "phone", "name": "喻德华", "summary": "低保被取消", "text": "来电反映低保被取消，要求恢复。"}));
    let id = v["case_id"].as_i64().unwrap();
    let ask = |of: i64, body: Value| api.post(&format!("/api/cases/{of}/review-request"), &body);
    let review = json!({"level": "review", "received_at": today.to_string(), "text": "不服答复，请求复查"});
    assert_eq!(ask(id, review.clone()).0, 409, "no written answer yet");
    assert_eq!(api.post(&format!("/api/cases/{id}/route"), &json!({"kind": "direct"})).0, 200);
    assert_eq!(api.post(&format!("/api/cases/{id}/step"), &json!({"step": "reply", "note": "经核实不符合条件"})).0, 200);

    // In time: a linked case, due in 30 days.
    let (code, v) = ask(id, review.clone());
    assert_eq!(code, 201, "{v}");
    let rid = v["case_id"].as_i64().unwrap();
    let r = api.case(rid);
    assert_eq!(r["review"]["of"], id);
    assert_eq!(r["review"]["level"], "review");
    assert_eq!(r["name"], "喻德华");
    assert_eq!(r["summary"], "复查请求：低保被取消");
    assert_eq!(r["due_at"], (today + chrono::Days::new(30)).to_string());
    let (_, page) = api.get(&format!("/cases/{rid}"));
    assert!(page.contains("id=\"review-of\"") && page.contains("复查请求"), "linked on the page");
    let noted: Vec<Value> = api.case(id)["events"].as_array().unwrap().iter().filter(|e| e["action"] == "review-requested").cloned().collect();
    assert_eq!(noted.len(), 1, "the first case's history says so");
    assert_eq!(noted[0]["detail"], format!("复查请求已登记为 {}", r["registration_number"].as_str().unwrap()));
    assert!(page.contains("信访事项复查意见书"), "the opinion is offered");
    // A review of a review is refused: the petitioner asks a re-review.
    assert_eq!(ask(rid, review.clone()).0, 409);

    // The written reply moved back, as if given 30 and 31 days ago: day 30 is in time,
    // day 31 is refused with the last day, and accepted only with an officer's reason.
    let reply_back = |days: u64| {
        let reg = xinfang::registry::sqlite::SqliteRegistry::open(&data, Default::default()).unwrap();
        let at = format!("{}T09:00:00+00:00", today - chrono::Days::new(days));
        reg.connection().execute("UPDATE events SET at = ?2 WHERE case_id = ?1 AND action = 'reply'", (id, at)).unwrap();
    };
    reply_back(30);
    assert_eq!(ask(id, review.clone()).0, 201, "day 30");
    reply_back(31);
    let (code, v) = ask(id, review.clone());
    assert_eq!(code, 422, "day 31: {v}");
    let last = (today - chrono::Days::new(1)).to_string();
    assert!(v["error"]["message_zh"].as_str().unwrap().contains(&last), "{v}");
    let mut late = review.clone();
    late["accept_late"] = json!("信访人住院治疗，有病历");
    let (code, v) = ask(id, late);
    assert_eq!(code, 201, "{v}");
    let late_case = api.case(v["case_id"].as_i64().unwrap());
    assert!(late_case["text"].as_str().unwrap().contains("逾期受理，理由：信访人住院治疗"), "{late_case}");
    let (code, v) = ask(id, json!({"level": "review", "received_at": (today + chrono::Days::new(1)).to_string()}));
    assert_eq!(code, 422, "a day after today: {v}");

    // Re-review of the review once it is answered.
    assert_eq!(api.post(&format!("/api/cases/{rid}/route"), &json!({"kind": "direct"})).0, 200);
    assert_eq!(api.post(&format!("/api/cases/{rid}/step"), &json!({"step": "reply", "note": "维持原处理意见"})).0, 200);
    let (code, v) = ask(rid, json!({"level": "re-review", "received_at": today.to_string()}));
    assert_eq!(code, 201, "{v}");
    let rr = api.case(v["case_id"].as_i64().unwrap());
    assert_eq!((rr["review"]["of"].as_i64(), rr["review"]["level"].as_str()), (Some(rid), Some("re-review")));
    assert_eq!(ask(id, json!({"level": "re-review", "received_at": today.to_string()})).0, 409, "a re-review is of a review");
}

/// An import line with an ID number written as a number is reported without the number.
#[test]
fn an_import_error_does_not_print_the_values_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, "{\"text\": \"反映问题\", \"id_number\": 420106199001011234, \"phone\": 13972150418}\n").unwrap();
    let out = run(bin().args(["import"]).arg(&file).arg("--data").arg(dir.path().join("data")));
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("420106199001011234") && !all.contains("13972150418"), "{all}");
    assert!(all.contains("字段名称或类型不对"), "{all}");
}
