// Each test crate uses a different part of these helpers.
#![allow(dead_code)]

//! Shared helpers for the integration tests: running the real binary, reading its JSON
//! Lines, the sample ground truth, and character error rate.

pub mod hostile;
pub mod layouts;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xinfang"))
}

/// Runs `xinfang extract --json ARGS...`; returns the output and the parsed lines.
pub fn extract_json(args: &[&std::ffi::OsStr]) -> (Output, Vec<Value>) {
    let out = bin()
        .arg("extract")
        .arg("--json")
        .args(args)
        .output()
        .expect("xinfang runs");
    let stdout = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (out, lines)
}

/// Ground truth of one sample letter (written by samples/generate.py).
pub fn truth(file_name: &str) -> Value {
    let stem = Path::new(file_name)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let path = root().join("samples/truth").join(format!("{stem}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("truth file")).expect("truth JSON")
}

pub fn squash(s: &str) -> Vec<char> {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j + 1] + 1)
                    .min(cur[j] + 1)
                    .min(prev[j] + usize::from(ca != cb)),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// True for CJK ideographs and full-width punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// The error codes `xinfang extract` documents.
pub const ERROR_CODES: [&str; 13] = [
    "io",
    "empty_file",
    "file_too_large",
    "unsupported_format",
    "corrupt",
    "too_many_pixels",
    "too_many_pages",
    "too_large_uncompressed",
    "encrypted",
    "timeout",
    "unsupported_feature",
    "ocr_failed",
    "internal",
];

/// A loopback port that was free a moment ago (for a server the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The routes `server::router` declares, as (method, path), read from the resource modules
/// in src/server/ so that a route added later is checked too: every `.route("path",
/// get(..).post(..))`, on one line or several.
pub fn declared_routes() -> Vec<(String, String)> {
    let mut routes = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("src/server"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        routes.extend(routes_in(&std::fs::read_to_string(file).unwrap()));
    }
    routes
}

fn routes_in(source: &str) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        let body = &rest[at + ".route(".len()..];
        // The call's text, up to its closing parenthesis.
        let mut depth = 1;
        let end = body
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("a .route( call closes");
        let call = &body[..end];
        let path = call.split('"').nth(1).expect("a route's path").to_string();
        let handlers = &call[call.find(',').expect("a route's handlers")..];
        for method in ["get", "post", "put", "patch", "delete"] {
            let token = format!("{method}(");
            let found = handlers.match_indices(&token).any(|(i, _)| {
                i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if found {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
        rest = &body[end..];
    }
    routes
}

/// A running `xinfang serve`, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub port: u16,
    /// The first admin's password, printed once at the first start.
    pub password: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the service on a free port with two intake workers and waits until it listens.
/// Its standard error (the log: a line per request) is read to the end on a thread, so
/// the service never blocks on a full pipe.
pub fn start_server(data: &Path, watch: Option<&Path>) -> Server {
    let port = free_port();
    let mut cmd = bin();
    cmd.args(["serve", "--workers", "2", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data")
        .arg(data)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    if let Some(w) = watch {
        cmd.arg("--watch").arg(w);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok){
            let _ = tx.send(line);
        }
    });
    let mut password = None;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("the server starts");
        if let Some(rest) = line.split("with password ").nth(1) {
            password = rest.split_whitespace().next().map(str::to_string);
        }
        if line.contains("listening on") {
            break;
        }
    }
    Server {
        child,
        port,
        password,
    }
}

/// Runs a command to its end.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the command runs")
}

/// A command's standard output and error, as text.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// `pdfinfo`'s report of a PDF.
pub fn pdf_info(pdf: &Path) -> String {
    String::from_utf8_lossy(&run(Command::new("pdfinfo").arg(pdf)).stdout).to_string()
}

/// How many pages a PDF has, by `pdfinfo`.
pub fn pdf_pages(pdf: &Path) -> usize {
    pdf_info(pdf).lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

/// Renders DOCX files to PDF with LibreOffice (`scripts/docx-to-pdf.py`: the file's East
/// Asian settings applied as Word reads them), the bureau's font names (which this machine
/// does not have) mapped by fontconfig to the stand-ins the PDF embeds, as a Linux desk
/// with those fonts configured would.
pub fn docx_to_pdf(out_dir: &Path, files: &[PathBuf], scratch: &Path) {
    let conf = scratch.join("fonts.conf");
    let aliases = [
        ("仿宋_GB2312", "Noto Serif CJK SC"),
        ("方正小标宋简体", "Noto Serif CJK SC"),
        ("黑体", "Noto Sans CJK SC"),
        ("楷体_GB2312", "AR PL UKai CN"),
    ];
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n");
    for (name, stand_in) in aliases {
        xml.push_str(&format!("  <alias binding=\"same\"><family>{name}</family><prefer><family>{stand_in}</family></prefer></alias>\n"));
    }
    xml.push_str("</fontconfig>\n");
    std::fs::write(&conf, xml).unwrap();
    let out = run(Command::new(root().join("scripts/docx-to-pdf.py"))
        .arg(out_dir)
        .args(files)
        .env("FONTCONFIG_FILE", &conf)
        .env("HOME", scratch));
    assert!(out.status.success(), "LibreOffice: {}", text(&out));
}

/// One part of a DOCX (`word/styles.xml`), as text.
pub fn docx_part(docx: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut s).unwrap();
    s
}
