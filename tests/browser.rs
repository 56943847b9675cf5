//! One browser test in Debian's headless Chromium, driven through chromedriver's WebDriver
//! HTTP interface (spoken with curl): sign in, upload a sample letter, wait for it to be
//! registered, correct a field, confirm, and save a screenshot of the case page to
//! `target/screenshots/review.png` for a person to look at.

mod util;

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use util::*;

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http(method: &str, url: &str, body: Option<&Value>) -> Value {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-X", method, "-H", "content-type: application/json"]);
    if let Some(b) = body {
        cmd.args(["-d", &b.to_string()]);
    }
    let out = cmd.arg(url).output().expect("curl runs");
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

struct Browser {
    base: String,
    session: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = http(
            method,
            &format!("{}/session/{}{path}", self.base, self.session),
            body.as_ref(),
        );
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("WebDriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// Waits for an element matching `css` and returns its id.
    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let v = http(
                "POST",
                &format!("{}/session/{}/element", self.base, self.session),
                Some(&json!({"using": "css selector", "value": css})),
            );
            if let Some(id) = v["value"][ELEMENT].as_str() {
                return id.to_string();
            }
            assert!(Instant::now() < deadline, "no element {css}");
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Clicks a button that posts a form, and waits until the browser has left the page it
    /// was on: reading the next page's elements before then can find the old page's ones
    /// (which then go stale, or show the old text).
    fn submit(&self, css: &str) {
        let old = self.find("html");
        self.click(css);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = http(
                "GET",
                &format!("{}/session/{}/element/{old}/name", self.base, self.session),
                None,
            );
            if v["value"]["error"].as_str().is_some() {
                return; // stale: the old page is gone
            }
            assert!(Instant::now() < deadline, "{css} did not leave the page");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sets a form control's value (a `<select>`'s option) through the page's script.
    fn set_value(&self, css: &str, value: &str) {
        self.find(css);
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": "document.querySelector(arguments[0]).value = arguments[1];", "args": [css, value]})),
        );
    }

    /// The address the browser is at.
    fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    /// Saves a screenshot to `target/screenshots/NAME` for people to look at.
    fn shot(&self, name: &str) {
        let png = self.cmd("GET", "/screenshot", None);
        let bytes = base64_decode(png.as_str().unwrap());
        assert!(bytes.starts_with(b"\x89PNG"));
        let shots = root().join("target/screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        std::fs::write(shots.join(name), &bytes).unwrap();
    }

    /// Signs in through the form.
    fn sign_in(&self, site: &str, name: &str, password: &str) {
        self.go(&format!("{site}/login"));
        self.type_into("input[name=username]", name);
        self.type_into("input[name=password]", password);
        self.submit("form button");
    }

    fn sign_out(&self) {
        self.submit("header form button");
        self.find("input[name=username]");
    }

    fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.cmd("GET", &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// Debian's Chromium, headless, driven by its chromedriver (killed when the first value
/// is dropped).
fn open_browser(dir: &std::path::Path) -> (Kill, Browser) {
    let driver_port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={driver_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (make deps: chromium-driver)");
    let driver = Kill(driver);
    let base = format!("http://127.0.0.1:{driver_port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while http("GET", &format!("{base}/status"), None)["value"]["ready"] != true {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    let profile = dir.join("profile");
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())]
    }}}});
    let v = http("POST", &format!("{base}/session"), Some(&caps));
    let session = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"))
        .to_string();
    (driver, Browser { base, session })
}

#[test]
fn sign_in_upload_correct_confirm_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    // The service (its log drained on a thread by the helper).
    let server = start_server(&dir.path().join("data"), None);
    let (port, password) = (server.port, server.password.clone().unwrap());
    // The browser.
    let (_driver, b) = open_browser(dir.path());
    let site = format!("http://127.0.0.1:{port}");

    // Sign in.
    b.go(&format!("{site}/login"));
    b.type_into("input[name=username]", "admin");
    b.type_into("input[name=password]", &password);
    b.submit("form button");
    b.find("a[href='/upload']");
    // Upload a letter and wait for its registration number to appear.
    b.go(&format!("{site}/upload"));
    let letter = root().join("samples/letters/01-header-300dpi.png");
    let input = b.find("#files");
    b.cmd(
        "POST",
        &format!("/element/{input}/value"),
        Some(json!({"text": letter.display().to_string()})),
    );
    b.click("#send");
    b.click("#jobs tbody a");
    // The scanned page is shown beside the fields, its text lines marked, the lines holding
    // fields more strongly.
    b.find(".scan img");
    b.find(".scan .box.field");
    // Zoom: twice the column's width, scrolled inside its frame; the marks scale with it.
    b.click("[data-zoom='2']");
    let sizes = b.cmd("POST", "/execute/sync", Some(json!({"script":
        "var v = document.querySelector('.scan-view'), i = v.querySelector('img'); \
         return [v.clientWidth, i.clientWidth, v.scrollWidth];", "args": []})));
    let (view, img) = (sizes[0].as_f64().unwrap(), sizes[1].as_f64().unwrap());
    assert!((img / view - 2.0).abs() < 0.05 && sizes[2].as_f64().unwrap() > view * 1.9, "{sizes}");
    b.shot("review-zoomed.png");
    b.click("[data-zoom='1']");
    // Correct the petitioner's name and confirm.
    b.find("#f-name");
    b.type_into("#f-name", "张建华");
    b.submit("#confirm");
    assert_eq!(b.text("#saved"), "已确认。");
    let id = b.find("#f-name");
    let value = b.cmd("GET", &format!("/element/{id}/property/value"), None);
    assert_eq!(value, "张建华");
    let events = b.text("ul");
    assert!(
        events.contains("更正 信访人") && events.contains("确认") && !events.contains("user:"),
        "{events}"
    );
    // Keep a screenshot for people to look at.
    let png = b.cmd("GET", "/screenshot", None);
    let bytes = base64_decode(png.as_str().unwrap());
    let shots = root().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join("review.png"), &bytes).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    // An officer (here the admin) transfers it to the suggested body.
    b.submit("#route");
    assert_eq!(b.text("#saved"), "已转送。");
    assert!(b.text("ul").contains("转送"));
    // The officer makes the transfer letter from the case page; it is listed with its number
    // and opens in the browser's PDF viewer.
    b.submit("#generate button");
    assert!(b.text("#saved").starts_with("文书已生成"));
    let listed = b.text("#documents");
    assert!(listed.contains("信访事项转送函") && listed.contains("示信转〔"), "{listed}");
    b.cmd(
        "POST",
        "/execute/sync",
        Some(json!({"script": "document.getElementById('documents').scrollIntoView()", "args": []})),
    );
    let shot = |name: &str| {
        let png = b.cmd("GET", "/screenshot", None);
        let bytes = base64_decode(png.as_str().unwrap());
        assert!(bytes.starts_with(b"\x89PNG"));
        std::fs::write(shots.join(name), &bytes).unwrap();
    };
    shot("documents.png");
    b.click("#documents a[href$='/pdf']");
    std::thread::sleep(Duration::from_secs(2));
    shot("document-pdf.png");
    b.cmd("DELETE", "", None);
}

/// Each role from sign-in to its daily task, on a register of 260 cases (so lists have
/// pages) in Chromium: the administrator adds the other users in the users page; the
/// mailroom confirms three letters through the queue, correcting 紧急 on the first; the
/// officer goes to page 2 of the list, exports it and searches an OCR-variant word; the
/// archivist sees what the binding leaves out; the analyst lands on its page. A screenshot
/// of each is kept in `target/screenshots/role-*.png`.
#[test]
fn each_role_walks_to_its_daily_task_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = bin().args(["synth", "--cases", "260", "--years", "1", "--data"]).arg(&data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = start_server(&data, None);
    let (port, password) = (server.port, server.password.clone().unwrap());
    let (_driver, b) = open_browser(dir.path());
    let site = format!("http://127.0.0.1:{port}");
    let pw = "a long passphrase 2026";

    // The administrator lands on the users page and adds one user per role.
    b.sign_in(&site, "admin", &password);
    b.find("#add-user");
    assert!(b.url().ends_with("/admin/users"), "{}", b.url());
    for role in ["mailroom", "officer", "leader", "archivist", "analyst"] {
        b.type_into("#add-user input[name=name]", role);
        b.set_value("#add-user select[name=role]", role);
        b.type_into("#add-user input[name=password]", pw);
        b.submit("#add-user button");
        assert!(b.text("#notice").starts_with(&format!("已新增用户“{role}”")), "{role}");
    }
    b.shot("role-admin.png");
    b.sign_out();

    // The mailroom: the queue, three letters confirmed one after the other.
    b.sign_in(&site, "mailroom", pw);
    let count = |b: &Browser| -> usize {
        let t = b.text("#queue-count");
        t.split("共 ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{t}"))
    };
    let waiting = count(&b);
    assert!(b.url().ends_with("/queue") && waiting >= 3, "{} {waiting}", b.url());
    b.shot("role-mailroom-queue.png");
    b.click("#start");
    b.find("#confirm-next");
    // (Synthetic letters have no files: said in words, not a broken frame.)
    b.find("#no-file");
    let first_url = b.url();
    b.set_value("#f-urgent", "true");
    b.shot("role-mailroom.png");
    for _ in 0..3 {
        b.submit("#confirm-next");
    }
    b.go(&format!("{site}/queue"));
    assert_eq!(count(&b), waiting - 3);
    b.go(&first_url);
    let urgent = b.find("#f-urgent");
    assert_eq!(b.cmd("GET", &format!("/element/{urgent}/property/value"), None), "true");
    assert!(b.text("#confirmed").contains("mailroom"));
    // A visitor at the counter: typed while they are there; what they say is read for risk.
    b.go(&format!("{site}/cases/new"));
    b.find("#reception");
    b.type_into("#reception input[name=name]", "韦国栋");
    b.type_into("#reception input[name=phone]", "13972150418");
    b.type_into("#reception input[name=summary]", "征地补偿款被截留");
    b.type_into("#reception textarea[name=text]", "来访人称镇里截留征地补偿款，多次反映无果，说月底前不解决就组织村民集体上访。");
    b.shot("reception-visit-form.png");
    b.submit("#register");
    b.find("#risk");
    assert!(b.text("#saved").starts_with("已登记"), "{}", b.text("#saved"));
    assert!(b.text("#risk").contains("群体性：“集体上访”"), "{}", b.text("#risk"));
    b.find("#record");
    let visit_url = b.url();
    b.shot("reception-visit-case.png");
    // A matter passed down by the province, due on their date.
    b.go(&format!("{site}/cases/new"));
    b.click("#reception input[name=channel][value=from-above]");
    let their_date = (chrono::Local::now().date_naive() + chrono::Days::new(5)).to_string();
    b.type_into("#reception input[name=from_body]", "省信访局");
    b.type_into("#reception input[name=from_number]", "鄂信转〔2026〕88号");
    b.set_value("#reception input[name=report_due]", &their_date);
    b.type_into("#reception textarea[name=text]", "省信访局转来：反映某工地拖欠农民工工资，请核查处理并报告结果。");
    b.submit("#register");
    b.find("#saved");
    assert!(b.text("main").contains(&format!("办理期限{their_date}")) || b.text("main").contains(&their_date), "due on their date");
    assert!(b.text("main").contains("上级转交") && b.text("main").contains("省信访局"));
    b.sign_out();

    // The officer: page 2 of the list, its export, a search with the OCR's variant shape.
    b.sign_in(&site, "officer", pw);
    b.find("a[href*='after=']");
    assert!(b.url().ends_with("/cases"), "{}", b.url());
    // (The 260 synthetic letters, and the visit and the matter from above typed at reception.)
    assert!(b.text("main").contains("共 262 件"), "{}", b.text("main p.muted"));
    b.click("a[href*='after=']");
    b.find("a[href='/cases']");
    let rows = b.cmd("POST", "/execute/sync", Some(json!({"script": "return document.querySelectorAll('main table tbody tr').length;", "args": []})));
    assert_eq!(rows, 50, "page 2 holds the next 50");
    // The deadline heading sorts the list, the most pressing first; clicked again, the other way.
    b.click("th a[href*='sort=due']");
    b.find("th a[href*='sort=due-desc']");
    let dues = b.cmd("POST", "/execute/sync", Some(json!({"script": "return [...document.querySelectorAll('main > table tbody tr td:nth-child(3)')].map(td => td.textContent);", "args": []})));
    let dues: Vec<&str> = dues.as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1] || w[1] == "—"), "soonest first: {dues:?}");
    let csv = b.cmd(
        "POST",
        "/execute/async",
        Some(json!({"script": "const done = arguments[0]; fetch(document.getElementById('export-csv').href).then(r => r.text()).then(done);", "args": []})),
    );
    let csv = csv.as_str().unwrap();
    // (The browser's decoder drops the byte-order mark.)
    assert!(csv.trim_start_matches('\u{feff}').starts_with("登记号,"), "{csv:.200}");
    assert_eq!(csv.lines().count(), 263, "the export holds the whole list (and its heading)");
    let found = |b: &Browser, q: &str| -> String {
        b.go(&format!("{site}/cases"));
        b.type_into("input[name=q]", q);
        b.submit("main form button");
        b.text("main p.muted")
    };
    let variant = found(&b, "月內");
    assert!(variant.contains("共 ") && !variant.contains("共 0 件"), "{variant}");
    assert_eq!(variant.split('。').next(), found(&b, "月内").split('。').next());
    b.shot("role-officer.png");
    // The visitor's case stands on top of the list, marked; the officer submits it to the leader.
    b.go(&format!("{site}/cases"));
    assert!(b.text("#risks").contains("风险件 1 件"), "{}", b.text("#risks"));
    b.go(&visit_url);
    b.type_into("#steps input[name=note]", "涉及群体性，请领导阅示");
    b.submit("#steps button[value=submit-to-leader]");
    b.find("#with-leader");
    b.sign_out();

    // The leader lands on what waits for an instruction, and instructs.
    b.sign_in(&site, "leader", pw);
    b.find("#waiting");
    assert!(b.url().ends_with("/leader"), "{}", b.url());
    b.shot("role-leader.png");
    b.click("#waiting a");
    b.find("#steps");
    b.type_into("#steps input[name=note]", "请自然资源局依法核查，月底前报结果。");
    b.submit("#steps button[value=instruct]");
    b.find("#instruction");
    assert!(b.text("#instruction").contains("请自然资源局依法核查"), "{}", b.text("#instruction"));
    b.shot("leader-instructed.png");
    b.sign_out();

    // The archivist: what this year's binding takes in and leaves out, and why.
    b.sign_in(&site, "archivist", pw);
    b.find("#binder-plan");
    assert!(b.url().ends_with("/binder"), "{}", b.url());
    assert!(b.text("#excluded").contains("未办结"), "open cases are left out with the reason");
    b.shot("role-archivist.png");
    b.sign_out();

    // The analyst lands on the statistics of this month.
    b.sign_in(&site, "analyst", pw);
    b.find("#received-count");
    assert!(b.url().contains("/stats"), "{}", b.url());
    assert!(b.text("main").contains("及时受理率"));
    b.shot("role-analyst.png");
    // Last month (this one may have just begun): one bar of the category chart, followed
    // to its letters.
    let last_month = xinfang::stats::Period::month_of(chrono::Local::now().date_naive()).previous();
    b.go(&format!("{site}/stats?period={}", last_month.code()));
    b.click("svg a.bar");
    b.find("#scope");
    assert!(b.url().contains("/cases?from=") && b.url().contains("category="), "{}", b.url());
    assert!(b.text("main p.muted").contains("共 "), "{}", b.text("main p.muted"));
    b.shot("analyst-bar-to-list.png");
    // From the statistics to the month's analysis report: the paragraphs written from the
    // figures, one replaced by the analyst's words, issued and numbered.
    b.go(&format!("{site}/stats?period={}", last_month.code()));
    b.click("#write-report");
    b.find("#report-form");
    assert!(b.url().contains("/stats/reports?period="), "{}", b.url());
    let written = b.cmd("POST", "/execute/sync", Some(json!({"script": "return document.getElementById('f-概况').value;", "args": []})));
    assert!(written.as_str().unwrap().contains("我局共登记群众来信"), "{written}");
    b.type_into("#f-热点问题", "本月来信以劳动和社会保障类为重点。");
    b.type_into("#f-建议", "建议对欠薪问题开展专项治理。");
    b.type_into("#f-收文机关", "中共示例市委、示例市人民政府");
    b.type_into("#f-签发人", "张明");
    b.shot("analyst-report-form.png");
    b.submit("#issue");
    b.find("#saved");
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let listed = b.text("#period-documents");
    assert!(listed.contains(&format!("示信报〔{year}〕")) && listed.contains("信访情况分析报告"), "{listed}");
    b.shot("analyst-report-issued.png");
    b.cmd("DELETE", "", None);
}

fn base64_decode(s: &str) -> Vec<u8> {
    let table = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(table) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
