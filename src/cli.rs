//! Command line: parses arguments (clap) and calls the library. Batches report each file's
//! failure and go on; the exit code says whether everything went well (0), some inputs
//! failed (1), or the run could not start (2).

use crate::config::Config;
use crate::ingest::{batch, ocr::Engine};
use crate::model::Extraction;
use crate::privacy;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "xinfang",
    version,
    about = "信访 letters: read, register, file (xinfang)"
)]
pub struct Cli {
    /// Configuration file (default: ./xinfang.toml if present, else built-in defaults).
    #[arg(long, global = true, env = "XINFANG_CONFIG")]
    pub config: Option<PathBuf>,
    /// OCR engine: auto (PP-OCR when installed, else Tesseract), ppocr or tesseract.
    /// Overrides `[ocr] engine` and XINFANG_ENGINE.
    #[arg(long, global = true)]
    pub engine: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read letters (PNG, JPEG, TIFF, PDF, DOCX): text page by page and the petitioner
    /// fields. Stores and changes nothing. Folders are read recursively.
    Extract {
        /// Files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// One JSON object per file (JSON Lines) on standard output.
        #[arg(long)]
        json: bool,
        /// Worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Print on standard error where the time went (OCR engine vs the rest).
        #[arg(long)]
        timings: bool,
    },
    /// Register letters: keep each original, read it, file its A4 copy and create its case
    /// with the next registration number. A file taken in before is reported, not taken
    /// again. Folders are read recursively.
    Intake {
        /// Files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The data folder (database, originals, filing copies).
        #[arg(long, env = "XINFANG_DATA", default_value = "xinfang-data")]
        data: PathBuf,
        /// One JSON object per file (JSON Lines) on standard output.
        #[arg(long)]
        json: bool,
        /// Worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Register petitions from another system (online petitions, a higher body's list):
    /// a JSON Lines file, one petition per line (fields as `POST /api/cases`; `channel`
    /// defaults to `online`). Every line is checked first; if any is wrong, each wrong
    /// line is reported and nothing is imported. A line imported before (the same
    /// `external_id`, or the same petition) is reported, not imported again.
    Import {
        /// The JSON Lines file.
        file: PathBuf,
        /// The data folder (database, originals, filing copies).
        #[arg(long, env = "XINFANG_DATA", default_value = "xinfang-data")]
        data: PathBuf,
        /// One JSON object per line on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Run the web service: pages for the mailroom and officers, the JSON API under /api,
    /// intake workers, and optionally a hot folder. Creates an `admin` user with a printed
    /// password when there is no user yet.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The data folder (database, originals, filing copies).
        #[arg(long, env = "XINFANG_DATA", default_value = "xinfang-data")]
        data: PathBuf,
        /// A folder whose files are taken in as they arrive.
        #[arg(long)]
        watch: Option<PathBuf>,
        /// Intake worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
        /// The data folder.
        #[arg(
            long,
            env = "XINFANG_DATA",
            default_value = "xinfang-data",
            global = true
        )]
        data: PathBuf,
    },
    /// Make a register of synthetic letters for benchmarks: N realistic cases (about 670
    /// characters each, the vocabulary's categories, twelve districts, a quarter past due),
    /// marked synthetic. Refuses a register that holds real letters.
    Synth {
        /// How many cases to add.
        #[arg(long)]
        cases: u64,
        /// The data folder of the synthetic register.
        #[arg(long)]
        data: PathBuf,
        /// The same seed makes the same cases.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Registration dates are spread over this many years up to today.
        #[arg(long, default_value_t = 5)]
        years: u32,
    },
    /// The figures of a period (信访统计): letters received by purpose, category, channel
    /// and status, repeats, joint and collective letters, routes, 及时受理率 and 按期办结率,
    /// days to route and to close, cases past their limit by body; with the period before
    /// (环比) and the same period a year before (同比). The read is audited.
    Stats {
        /// `2026-11` (month), `2026-Q4`, `2026-H2`, `2026` or `2026-01-05..2026-02-01`;
        /// this month when not given.
        #[arg(long)]
        period: Option<String>,
        /// `table` (for people), `json` (everything), `csv` or `xlsx` (one line per figure;
        /// xlsx needs -o).
        #[arg(long, default_value = "table")]
        format: String,
        /// Only one breakdown: category, region, channel, purpose, status or body.
        #[arg(long)]
        by: Option<String>,
        /// Write to this file (replaced atomically) instead of the standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The data folder.
        #[arg(long, env = "XINFANG_DATA", default_value = "xinfang-data")]
        data: PathBuf,
    },
    /// File letters as A4 PDF/A-2b copies with an invisible, exact text layer. The
    /// originals are never changed. One input: `-o` names the PDF (or a folder). Several
    /// inputs or folders: `-o` is a folder, and each copy is named after its input.
    ArchivePdf {
        /// Files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output PDF (one input) or folder.
        #[arg(short, long)]
        output: PathBuf,
        /// Let pages smaller than A4 (A5, B5, 16K) grow to fill the sheet; by default they
        /// stay at their actual size.
        #[arg(long)]
        fit: bool,
        /// Registration number to record in the copy's metadata (one input only).
        #[arg(long)]
        number: Option<String>,
        /// Replace output files that exist.
        #[arg(long)]
        force: bool,
        /// One JSON object per file (JSON Lines) on standard output.
        #[arg(long)]
        json: bool,
        /// Worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Generate an official document for a registered case (转送函, 交办函, notices to the
    /// petitioner, the reply, forms, the three recommendations) as PDF and/or DOCX, laid out
    /// per GB/T 9704. The document gets its number and is kept with the case.
    Generate(GenerateArgs),
    /// Bind a year's filing (DA/T 22-2015): the letters of closed cases and the documents
    /// issued on them, stamped, catalogued and bound into A4 PDF/A volumes, with
    /// catalogue.csv, catalogue.xlsx and manifest.json. `binder verify DIR` checks a binding.
    Binder(BinderArgs),
}

/// `xinfang binder`.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BinderArgs {
    #[command(subcommand)]
    pub command: Option<BinderCommand>,
    /// The year whose cases are bound.
    #[arg(long, required = false)]
    pub year: Option<i32>,
    /// The folder to write the volumes, catalogues and manifest to.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Bind cases that are not closed yet too.
    #[arg(long)]
    pub include_open: bool,
    /// The data folder.
    #[arg(long, env = "XINFANG_DATA", default_value = "xinfang-data", global = true)]
    pub data: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum BinderCommand {
    /// Check a bound file against its manifest: every volume's SHA-256, and every source's
    /// in the data folder.
    Verify { dir: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user (or set an existing user's role and password, ending its sessions). The
    /// password is read from standard input, one line: at least 8 characters, not one of
    /// the 1,000 most common passwords, not the name.
    Add {
        name: String,
        /// mailroom, officer, archivist, analyst or admin.
        #[arg(long)]
        role: crate::domain::Role,
        /// Read the password from standard input (required: passwords never go on the
        /// command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a user's password (read from standard input); every session of the user ends.
    ResetPassword {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Stop a user signing in; every session of the user ends at once.
    Disable { name: String },
    /// Let a disabled user sign in again.
    Enable { name: String },
}

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_SOME_FAILED: i32 = 1;
pub const EXIT_FATAL: i32 = 2;

pub fn run(cli: Cli) -> i32 {
    let config = match Config::load(cli.config.as_deref()) {
        Ok(mut c) => {
            if let Some(e) = cli.engine {
                c.ocr.engine = e;
            }
            c
        }
        Err(e) => {
            eprintln!("xinfang: {e}");
            return EXIT_FATAL;
        }
    };
    match cli.command {
        Command::Extract {
            inputs,
            json,
            workers,
            timings,
        } => extract(&config, &inputs, json, workers, timings),
        Command::Intake {
            inputs,
            data,
            json,
            workers,
        } => intake(&config, &inputs, &data, json, workers),
        Command::Import { file, data, json } => import(&config, &file, &data, json),
        Command::Serve {
            listen,
            data,
            watch,
            workers,
        } => serve(config, listen, data, watch, workers),
        Command::User { command, data } => user(&config, command, &data),
        Command::Synth { cases, data, seed, years } => synth(&config, cases, &data, seed, years),
        Command::Binder(args) => binder(&config, args),
        Command::Stats { period, format, by, output, data } => {
            stats(&config, StatsArgs { period: period.as_deref(), format: &format, by: by.as_deref(), output: output.as_deref() }, &data)
        }
        Command::Generate(args) => {
            if args.list || args.fields || args.check {
                return generate_info(&args.data, args.list, args.fields, args.json);
            }
            generate(&config, args)
        }
        Command::ArchivePdf {
            inputs,
            output,
            fit,
            number,
            force,
            json,
            workers,
        } => {
            let options = crate::archive::Options {
                fit,
                registration: number,
                previews: false,
            };
            archive_pdf(&config, &inputs, &output, &options, force, json, workers)
        }
    }
}

/// Expands folders (recursively, sorted, hidden entries skipped); files are kept as given.
pub fn expand_inputs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found, 0);
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    out
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() && depth < 16 => walk(&path, out, depth + 1),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

fn extract(
    config: &Config,
    inputs: &[PathBuf],
    json: bool,
    workers: Option<usize>,
    timings: bool,
) -> i32 {
    let files = expand_inputs(inputs);
    if files.is_empty() {
        eprintln!("xinfang: no input files");
        return EXIT_FATAL;
    }
    let workers = workers.unwrap_or_else(|| config.workers());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut ok, mut failed) = (0usize, 0usize);
    let (mut pages, mut total_us, mut engine_us) = (0usize, 0u64, 0u64);
    let started = std::time::Instant::now();
    let result = batch::run(
        &files,
        config,
        workers,
        || Engine::new(&config.ocr),
        |_, r| {
            let line = match &r {
                Ok(x) if json => serde_json::to_string(x).expect("extraction serialises"),
                Err(f) if json => serde_json::to_string(f).expect("error serialises"),
                Ok(x) => human_summary(x),
                Err(f) => failure_line(f),
            };
            match &r {
                Ok(x) => {
                    ok += 1;
                    pages += x.pages.len();
                    total_us += x.timings.total_us;
                    engine_us += x.timings.engine_us;
                }
                Err(_) => failed += 1,
            }
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        },
    );
    if let Err(code) = fatal(result) {
        return code;
    }
    eprintln!(
        "xinfang extract: {} files, {ok} read, {failed} failed",
        files.len()
    );
    if timings {
        let wall = started.elapsed().as_secs_f64();
        let overhead = total_us.saturating_sub(engine_us) as f64;
        eprintln!(
            "timings: {pages} pages in {wall:.2} s wall ({:.1} pages/min) with {workers} workers; \
             per-file time {:.2} s, of which OCR engine {:.2} s and pipeline {:.2} s ({:.1}% of the engine's)",
            pages as f64 * 60.0 / wall.max(1e-9),
            total_us as f64 / 1e6,
            engine_us as f64 / 1e6,
            overhead / 1e6,
            100.0 * overhead / (engine_us as f64).max(1.0)
        );
    }
    exit_for(failed)
}

/// A batch's line for a file that failed, for a person at a terminal.
fn failure_line(f: &crate::model::FailedFile) -> String {
    format!("{}: 错误 [{}] {}", f.file, f.error.code, f.error.message)
}

/// A batch that could not run at all (an engine that would not start): said, and exit 2.
fn fatal(result: Result<(), crate::ingest::IngestError>) -> Result<(), i32> {
    result.map_err(|e| {
        eprintln!("xinfang: {e}");
        EXIT_FATAL
    })
}

/// Exit code of a batch that ran: 1 if any file failed, else 0.
fn exit_for(failed: usize) -> i32 {
    if failed > 0 {
        EXIT_SOME_FAILED
    } else {
        EXIT_OK
    }
}

fn serve(
    config: Config,
    listen: std::net::SocketAddr,
    data: PathBuf,
    watch: Option<PathBuf>,
    workers: Option<usize>,
) -> i32 {
    crate::server::init_logging();
    let registry = match crate::registry::open(&data, config.bureau.registration.clone())
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", data.display());
            return EXIT_FATAL;
        }
    };
    // The first start makes an `admin` with a random password, printed this once and
    // kept nowhere (the register holds only its hash).
    if registry.user_count().unwrap_or(0) == 0 {
        let password = crate::registry::users::random_password();
        if let Err(e) = registry.add_user("admin", crate::domain::Role::Admin, &password) {
            eprintln!("xinfang: cannot create the first user: {e}");
            return EXIT_FATAL;
        }
        eprintln!(
            "xinfang serve: sign in as `admin` with password {password} (shown this once; \
             change it with `xinfang user reset-password admin --password-stdin`)"
        );
    }
    drop(registry);
    let workers = workers.unwrap_or_else(|| config.workers());
    let options = crate::server::ServeOptions {
        listen,
        data,
        watch,
        workers,
    };
    match crate::server::serve(config, options) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("xinfang: {e}");
            EXIT_FATAL
        }
    }
}

fn user(config: &Config, command: UserCommand, data: &std::path::Path) -> i32 {
    let read_password = || {
        let mut password = String::new();
        std::io::stdin()
            .read_line(&mut password)
            .map(|_| password.trim_end_matches(['\n', '\r']).to_string())
            .map_err(|_| "cannot read the password from standard input".to_string())
    };
    let registry = match crate::registry::open(data, config.bureau.registration.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", data.display());
            return EXIT_FATAL;
        }
    };
    let done = match command {
        UserCommand::Add { name, role, .. } => read_password().and_then(|p| {
            registry
                .add_user(&name, role, &p)
                .map(|u| (u.name.clone(), format!("user-add {} {}", u.name, u.role), "saved"))
                .map_err(|e| e.to_string())
        }),
        UserCommand::ResetPassword { name, .. } => read_password().and_then(|p| {
            registry
                .reset_password(&name, &p)
                .map(|u| (u.name.clone(), format!("user-reset-password {}", u.name), "has a new password; its sessions ended"))
                .map_err(|e| e.to_string())
        }),
        UserCommand::Disable { name } => registry
            .set_disabled(&name, true)
            .map(|u| (u.name.clone(), format!("user-disable {}", u.name), "disabled; its sessions ended"))
            .map_err(|e| e.to_string()),
        UserCommand::Enable { name } => registry
            .set_disabled(&name, false)
            .map(|u| (u.name.clone(), format!("user-enable {}", u.name), "enabled"))
            .map_err(|e| e.to_string()),
    };
    match done {
        Ok((name, action, what)) => {
            let _ = registry.audit(&crate::registry::cli_actor(), &action, None, None);
            eprintln!("xinfang: user {name} {what}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("xinfang: {e}");
            EXIT_FATAL
        }
    }
}

/// `xinfang stats`: the report of a period, as a table, JSON or CSV on standard output.
/// What `xinfang stats` is asked for.
struct StatsArgs<'a> {
    period: Option<&'a str>,
    format: &'a str,
    by: Option<&'a str>,
    output: Option<&'a std::path::Path>,
}

/// `--by` names and the section each keeps.
const STATS_BY: [(&str, &str); 6] = [
    ("category", "类别"),
    ("region", "地区"),
    ("channel", "渠道"),
    ("purpose", "目的"),
    ("status", "状态"),
    ("body", "承办单位（转送、交办件数）"),
];

fn stats(config: &Config, a: StatsArgs, data: &std::path::Path) -> i32 {
    use crate::stats::{Count, Period};
    let (period, format) = (a.period, a.format);
    let by = match a.by.map(|b| STATS_BY.iter().find(|(k, _)| *k == b).ok_or(b)).transpose() {
        Ok(by) => by,
        Err(b) => {
            eprintln!("xinfang: --by {b}: one of category, region, channel, purpose, status, body");
            return EXIT_FATAL;
        }
    };
    if format == "xlsx" && a.output.is_none() {
        eprintln!("xinfang: --format xlsx needs -o FILE");
        return EXIT_FATAL;
    }
    let today = crate::clock::now().date_naive();
    let period = match period.map(Period::parse).unwrap_or(Ok(Period::month_of(today))) {
        Ok(p) => p,
        Err(zh) => {
            eprintln!("xinfang: {zh}");
            return EXIT_FATAL;
        }
    };
    if !["table", "json", "csv", "xlsx"].contains(&format) {
        eprintln!("xinfang: --format must be table, json, csv or xlsx");
        return EXIT_FATAL;
    }
    let registry = match crate::registry::open(data, config.bureau.registration.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", data.display());
            return EXIT_FATAL;
        }
    };
    let categories: Vec<String> = config.vocabulary.categories.iter().map(|c| c.name.clone()).collect();
    let setting = crate::stats::Setting { categories: &categories, today };
    let report = match crate::registry::stats_report(&*registry, &period, setting, config.bureau.region.as_deref()) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", data.display());
            return EXIT_FATAL;
        }
    };
    let _ = registry.audit(&crate::registry::cli_actor(), &format!("read-stats period={}", period.code()), None, None);
    let f = &report.figures;
    // One line per figure: (section, item, value).
    let mut lines: Vec<(String, String, String)> = vec![
        ("收信".into(), "本期".into(), f.received.to_string()),
        ("收信".into(), format!("上一期（{}）", report.previous.label), report.previous.received.to_string()),
        ("收信".into(), "环比".into(), report.received_vs_previous.words()),
        ("收信".into(), format!("去年同期（{}）", report.year_before.label), report.year_before.received.to_string()),
        ("收信".into(), "同比".into(), report.received_vs_year_before.words()),
    ];
    let mut section = |name: &str, counts: &[Count]| {
        lines.extend(counts.iter().map(|c| (name.to_string(), c.label.clone(), c.count.to_string())));
    };
    section("目的", &f.by_purpose);
    section("类别", &f.by_category);
    section("渠道", &f.by_channel);
    section("状态", &f.by_status);
    section("地区", &f.by_region);
    section("重复来信最多的事项（前案登记号）", &f.most_repeated);
    section("近13个月", &report.trend);
    let spots: Vec<Count> = report
        .hot_spots
        .iter()
        .map(|h| Count { code: h.region.clone(), label: format!("{} {}（上一期 {}）", h.region_name, h.category, h.before), count: h.now })
        .collect();
    section("热点", &spots);
    section("去向", &f.by_route);
    section("超期（按承办单位）", &f.overdue_by_body);
    let bodies: Vec<Count> = f
        .by_body
        .iter()
        .map(|b| Count { code: String::new(), label: format!("{}（按期办结率 {}，目前超期 {}）", b.body, b.closed_in_time.words(), b.overdue), count: b.given })
        .collect();
    section("承办单位（转送、交办件数）", &bodies);
    lines.extend([
        ("去向".into(), "尚未办理".into(), f.not_routed.to_string()),
        ("初信与重复".into(), "初次来信".into(), f.first.to_string()),
        ("初信与重复".into(), "重复件".into(), f.repeats.to_string()),
        ("联名".into(), "联名信".into(), f.joint.to_string()),
        ("联名".into(), "联名人数".into(), f.joint_people.to_string()),
        ("联名".into(), format!("集体信（{}人以上）", crate::stats::COLLECTIVE), f.collective.to_string()),
        ("时效".into(), "及时受理率".into(), f.routed_in_time.words()),
        ("时效".into(), "按期办结率".into(), f.closed_in_time.words()),
        ("时效".into(), "登记至办理".into(), f.days_to_route.words()),
        ("时效".into(), "登记至办结".into(), f.days_to_close.words()),
        ("超期".into(), "目前超期".into(), f.overdue.to_string()),
    ]);
    if let Some((_, section)) = by {
        lines.retain(|(s, _, _)| s == section);
    }
    let columns = [crate::export::Column::text("项目"), crate::export::Column::text("细项"), crate::export::Column::text("数值")];
    let rows = || -> Vec<Vec<String>> { lines.iter().map(|(a, b, c)| vec![a.clone(), b.clone(), c.clone()]).collect() };
    let bytes: Vec<u8> = match format {
        "json" => {
            // The whole report, or the one breakdown asked for.
            let value = match by.map(|(k, _)| *k) {
                None => serde_json::to_value(&report),
                Some("body") => serde_json::to_value(&f.by_body),
                Some(k) => serde_json::to_value(match k {
                    "category" => &f.by_category,
                    "region" => &f.by_region,
                    "channel" => &f.by_channel,
                    "purpose" => &f.by_purpose,
                    _ => &f.by_status,
                }),
            };
            match value.and_then(|v| serde_json::to_string_pretty(&v)) {
                Ok(text) => format!("{text}\n").into_bytes(),
                Err(e) => {
                    eprintln!("xinfang: {e}");
                    return EXIT_FATAL;
                }
            }
        }
        "csv" => crate::export::csv(&columns, &rows()),
        "xlsx" => match crate::export::xlsx(&f.label, &columns, &rows(), crate::clock::now().naive_local()) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("xinfang: xlsx: {e}");
                return EXIT_FATAL;
            }
        },
        _ => {
            let mut out = format!("信访统计 · {}（{} 至 {}）\n", f.label, f.from, f.to);
            let mut last = String::new();
            for (sectionname, item, value) in &lines {
                if *sectionname != last {
                    out.push_str(&format!("\n{sectionname}\n"));
                    last = sectionname.clone();
                }
                out.push_str(&format!("  {item}：{value}\n"));
            }
            out.into_bytes()
        }
    };
    match a.output {
        Some(path) => {
            if let Err(e) = crate::fsutil::write_atomic(path, &bytes, None, true) {
                eprintln!("xinfang: {}: {e}", path.display());
                return EXIT_FATAL;
            }
        }
        None => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(&bytes);
        }
    }
    EXIT_OK
}

fn synth(config: &Config, cases: u64, data: &std::path::Path, seed: u64, years: u32) -> i32 {
    let mut registry = match crate::registry::open(data, config.bureau.registration.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", data.display());
            return EXIT_FATAL;
        }
    };
    match registry.holdings() {
        Ok(h) if h.real > 0 => {
            eprintln!(
                "xinfang: {}: the register holds {} real letters; synthetic cases go only into a register of their own",
                data.display(),
                h.real
            );
            return EXIT_FATAL;
        }
        Ok(_) => {}
        Err(e) => {
            eprintln!("xinfang: {}: {e}", data.display());
            return EXIT_FATAL;
        }
    }
    let today = crate::clock::now().date_naive();
    let first = today - chrono::Duration::days(365 * years.max(1) as i64);
    let start = std::time::Instant::now();
    const BATCH: u64 = 5000;
    let mut done = 0u64;
    while done < cases {
        let n = BATCH.min(cases - done);
        let batch: Vec<_> = (done..done + n)
            .map(|i| crate::synth::case(seed, i, cases, first, today, today, &config.vocabulary))
            .collect();
        if let Err(e) = registry.add_synthetic(&batch, "synth") {
            eprintln!("xinfang: {}: after {done} cases: {e}", data.display());
            return EXIT_FATAL;
        }
        done += n;
        if done % 100_000 == 0 || done == cases {
            eprintln!("synth: {done} of {cases} cases, {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    // As the service does each night, so the register is measured as it would be served.
    let tidy = std::time::Instant::now();
    if let Err(e) = crate::registry::tidy_search_index(registry.as_mut(), std::time::Duration::ZERO, &|| false) {
        eprintln!("xinfang: {}: tidying the search index: {e}", data.display());
        return EXIT_FATAL;
    }
    let bytes = std::fs::metadata(data.join("xinfang.db")).map(|m| m.len()).unwrap_or(0);
    println!(
        "{cases} synthetic cases added in {secs:.1} s ({:.0} cases/s), search index tidied in {:.1} s; xinfang.db is {:.1} MiB",
        cases as f64 / secs.max(0.001),
        tidy.elapsed().as_secs_f64(),
        bytes as f64 / 1048576.0
    );
    EXIT_OK
}

fn binder(config: &Config, a: BinderArgs) -> i32 {
    use std::io::IsTerminal;
    if let Some(BinderCommand::Verify { dir }) = &a.command {
        let data = a.data.exists().then_some(a.data.as_path());
        return match crate::binder::verify(dir, data) {
            Ok(problems) if problems.is_empty() => {
                eprintln!("xinfang binder verify: {}: 一切相符", dir.display());
                EXIT_OK
            }
            Ok(problems) => {
                for p in &problems {
                    println!("{p}");
                }
                eprintln!("xinfang binder verify: {} 处不符", problems.len());
                EXIT_SOME_FAILED
            }
            Err(e) => {
                eprintln!("xinfang: {e}");
                EXIT_FATAL
            }
        };
    }
    let (Some(year), Some(out)) = (a.year, a.output.as_ref()) else {
        eprintln!("xinfang binder: --year and -o are needed (or: binder verify DIR)");
        return EXIT_FATAL;
    };
    let registry = match crate::registry::open(&a.data, config.bureau.registration.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", a.data.display());
            return EXIT_FATAL;
        }
    };
    let generator = match crate::documents::pdf::PdfEngine::new(&config.documents.font_files, &config.documents.fonts) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("xinfang: {e}");
            return EXIT_FATAL;
        }
    };
    let terminal = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if terminal {
            eprint!("\r\x1b[2K装订 {done}/{total}");
        }
    };
    let result = crate::binder::bind_year(&*registry, &a.data, config, &generator, year, a.include_open, out, &progress);
    if terminal {
        eprint!("\r\x1b[2K");
    }
    let result = match result {
        Ok(crate::binder::YearBinding::Nothing(excluded)) => {
            for x in &excluded {
                eprintln!("未装订 {}：{}", x.what, x.reason);
            }
            if excluded.iter().any(|x| x.open) {
                eprintln!("（未办结案件需要时用 --include-open 一并装订）");
            }
            eprintln!("xinfang binder: {year} 年没有可装订的文件");
            return EXIT_SOME_FAILED;
        }
        Ok(crate::binder::YearBinding::Bound(m)) => {
            for x in &m.excluded {
                eprintln!("未装订 {}：{}", x.what, x.reason);
            }
            if m.excluded.iter().any(|x| x.open) {
                eprintln!("（未办结案件需要时用 --include-open 一并装订）");
            }
            Ok(m)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => {
            let _ = registry.audit(&crate::registry::cli_actor(), &format!("binder {year}"), None, None);
            for v in &m.volumes {
                println!("{}：件 {}—{}，{} 页", out.join(&v.file).display(), v.first_item, v.last_item, v.pages);
            }
            println!(
                "{} 件，{} 卷；目录 catalogue.csv、catalogue.xlsx，清单 manifest.json；未装订 {} 项",
                m.items.len(),
                m.volumes.len(),
                m.excluded.len()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("xinfang binder: {e}");
            EXIT_SOME_FAILED
        }
    }
}

/// `generate --list`, `--fields`, `--check`.
fn generate_info(data: &std::path::Path, list: bool, fields: bool, json: bool) -> i32 {
    use crate::documents::{Generator, CASE_FIELDS, OFFICER_FIELDS};
    let templates = data.join("templates");
    let checked = Generator::check_templates(Some(&templates))
        .and_then(|cases| Ok(cases.into_iter().chain(Generator::check_period_templates(Some(&templates))?).collect::<Vec<_>>()));
    let kinds = match checked {
        Ok(k) => k,
        Err(e) => {
            eprintln!("xinfang: {e}");
            return EXIT_FATAL;
        }
    };
    let mut out = std::io::stdout().lock();
    if list {
        for k in &kinds {
            let line = if json {
                serde_json::to_string(k).expect("serialises")
            } else {
                let layout = match k.layout {
                    crate::documents::model::Layout::Document => "文件式",
                    crate::documents::model::Layout::Letter => "信函式",
                    crate::documents::model::Layout::Form => "表格",
                };
                format!("{:<20}{}（{layout}{}）", k.kind, k.title, if k.numbered { "，有文号" } else { "" })
            };
            let _ = writeln!(out, "{line}");
        }
    }
    if fields {
        let _ = writeln!(out, "案件与本局（自动填入）：");
        for (k, what) in CASE_FIELDS {
            let _ = writeln!(out, "  {k}：{what}");
        }
        let _ = writeln!(out, "承办人填写（--set 名称=内容）：");
        for (k, what) in OFFICER_FIELDS {
            let _ = writeln!(out, "  {k}：{what}");
        }
        let _ = writeln!(out, "分析报告、工作动态（--period；由统计数字写成，可用 --set 改写）：");
        for (k, what) in crate::stats::writing::FIELDS {
            let _ = writeln!(out, "  {k}：{what}");
        }
        let _ = writeln!(out, "分析人员填写：");
        for (k, what) in crate::documents::period::WRITTEN {
            let _ = writeln!(out, "  {k}：{what}");
        }
    }
    if !list && !fields {
        eprintln!("xinfang: {} templates checked, all good", kinds.len());
    }
    EXIT_OK
}

/// `xinfang generate`.
#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// The kind (`--list` shows them).
    #[arg(required_unless_present_any = ["list", "fields", "check", "void"])]
    pub kind: Option<String>,
    /// The case id.
    #[arg(long, required_unless_present_any = ["list", "fields", "check", "void", "period"])]
    pub case: Option<i64>,
    /// The period an analysis report or bulletin counts (`2026-11`, `2026-Q4`, `2026-H2`,
    /// `2026` or a range), instead of a case.
    #[arg(long, conflicts_with = "case")]
    pub period: Option<String>,
    /// A draft: marked 草稿 on every page, no number taken, not kept with the case; needs -o.
    #[arg(long, requires = "output")]
    pub draft: bool,
    /// Void the recorded document with this id (its number stays taken; it is marked 作废
    /// and left out of the binder); needs --reason.
    #[arg(long, value_name = "DOCUMENT_ID", requires = "reason", conflicts_with_all = ["kind", "case", "draft"])]
    pub void: Option<i64>,
    /// Why the document is voided.
    #[arg(long)]
    pub reason: Option<String>,
    /// The addressee body (收文机关); default: where the case was routed.
    #[arg(long)]
    pub to: Option<String>,
    /// pdf, docx, or pdf,docx.
    #[arg(long, default_value = "pdf")]
    pub format: String,
    /// Output file; with two formats, the other gets the other extension. Without it the
    /// document is only kept with the case (its paths are printed).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The officer's text: 名称=内容, repeatable (`\n` starts a new paragraph).
    #[arg(long = "set", value_name = "FIELD=TEXT")]
    pub set: Vec<String>,
    /// A JSON or TOML file of such fields (TOML: quote Chinese keys, "事实" = "…").
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// The document's date (default today), YYYY-MM-DD.
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    /// Replace output files that exist.
    #[arg(long)]
    pub force: bool,
    /// List the kinds.
    #[arg(long)]
    pub list: bool,
    /// List the fields templates may use.
    #[arg(long)]
    pub fields: bool,
    /// Check every template (the data folder's own copies included) and stop.
    #[arg(long)]
    pub check: bool,
    /// Print the document's record as JSON.
    #[arg(long)]
    pub json: bool,
    /// The data folder.
    #[arg(long, env = "XINFANG_DATA", default_value = "xinfang-data")]
    pub data: PathBuf,
}

/// Reads `--set` pairs and an `--input` file into the officer's fields.
fn officer_inputs(
    set: &[String],
    input: Option<&std::path::Path>,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut m = serde_json::Map::new();
    if let Some(path) = input {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: serde_json::Value = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        } else {
            let t: toml::Table = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::to_value(t).map_err(|e| format!("{}: {e}", path.display()))?
        };
        let serde_json::Value::Object(o) = value else {
            return Err(format!("{}: expected a table of fields", path.display()));
        };
        for (k, v) in o {
            let text = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            m.insert(k, text.into());
        }
    }
    for pair in set {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("--set {pair:?}: expected 名称=内容"));
        };
        m.insert(k.trim().to_string(), v.replace("\\n", "\n").into());
    }
    Ok(m)
}

/// `xinfang generate --void ID --reason …`.
fn void_document(config: &Config, a: &GenerateArgs, id: i64) -> i32 {
    let Some(reason) = a.reason.as_deref().and_then(crate::registry::documents::void_reason) else {
        eprintln!("xinfang: --reason: say why the document is voided, in 1-200 characters");
        return EXIT_FATAL;
    };
    let mut registry = match crate::registry::open(&a.data, config.bureau.registration.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", a.data.display());
            return EXIT_FATAL;
        }
    };
    use crate::registry::documents::VoidOutcome;
    match registry.void_document(id, reason, &crate::registry::cli_actor(), None) {
        Ok(VoidOutcome::Voided(d)) => {
            println!("{} {} 已作废：{reason}", d.title, d.number.as_deref().unwrap_or("（无文号）"));
            EXIT_OK
        }
        Ok(VoidOutcome::Already(d)) => {
            eprintln!("xinfang: document {id} was voided before ({})", d.void_reason.unwrap_or_default());
            EXIT_SOME_FAILED
        }
        Ok(VoidOutcome::NotFound) => {
            eprintln!("xinfang: document {id} does not exist");
            EXIT_SOME_FAILED
        }
        Err(e) => {
            eprintln!("xinfang: {e}");
            EXIT_SOME_FAILED
        }
    }
}

fn generate(config: &Config, a: GenerateArgs) -> i32 {
    if let Some(id) = a.void {
        return void_document(config, &a, id);
    }
    let data = a.data.as_path();
    let formats: Vec<&str> = a.format.split(',').map(str::trim).collect();
    if let Some(bad) = formats.iter().find(|f| !["pdf", "docx"].contains(f)) {
        eprintln!("xinfang: unknown format {bad:?} (pdf, docx)");
        return EXIT_FATAL;
    }
    let inputs = match officer_inputs(&a.set, a.input.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("xinfang: {e}");
            return EXIT_FATAL;
        }
    };
    let request = crate::documents::Request {
        kind: a.kind.clone().unwrap_or_default(),
        case_id: a.case.unwrap_or_default(),
        to: a.to.clone(),
        inputs,
        pdf: formats.contains(&"pdf"),
        docx: formats.contains(&"docx"),
        date: a.date,
        draft: a.draft,
    };
    // The output names: checked before anything is generated, so a refusal costs no number.
    let outputs: Vec<(PathBuf, &str)> = match &a.output {
        Some(o) => formats.iter().map(|f| (o.with_extension(f), *f)).collect(),
        None => vec![],
    };
    if !a.force {
        if let Some((p, _)) = outputs.iter().find(|(p, _)| p.exists()) {
            eprintln!("xinfang: {}: exists (use --force to replace it)", p.display());
            return EXIT_FATAL;
        }
    }
    let mut registry = match crate::registry::open(data, config.bureau.registration.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xinfang: {}: {e}", data.display());
            return EXIT_FATAL;
        }
    };
    let generator = match crate::documents::Generator::new(config) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("xinfang: {e}");
            return EXIT_FATAL;
        }
    };
    let dirs = crate::store::DataDirs::new(data);
    let done = if crate::documents::period::is_period_kind(&request.kind) {
        let Some(period) = a.period.as_deref() else {
            eprintln!("xinfang: {} counts a period: give --period (2026-11, 2026-Q4, 2026-H2, 2026)", request.kind);
            return EXIT_FATAL;
        };
        let period = match crate::stats::Period::parse(period) {
            Ok(p) => p,
            Err(zh) => {
                eprintln!("xinfang: --period {period}: {zh}");
                return EXIT_FATAL;
            }
        };
        let req = crate::documents::period::PeriodRequest {
            kind: request.kind.clone(),
            period,
            inputs: request.inputs.clone(),
            pdf: request.pdf,
            docx: request.docx,
            date: request.date,
            draft: request.draft,
        };
        generator.generate_period(&mut *registry, &dirs, &req, &crate::registry::cli_actor(), None).map_err(|e| (format!("period {}", period.code()), e))
    } else if a.period.is_some() {
        eprintln!("xinfang: {} is about a case: give --case, not --period", request.kind);
        return EXIT_FATAL;
    } else {
        generator.generate(&mut *registry, &dirs, &request, &crate::registry::cli_actor(), None).map_err(|e| (format!("case {}", request.case_id), e))
    };
    let done = match done {
        Ok(d) => d,
        Err((what, e)) => {
            eprintln!("xinfang: {what}: {e} [{}]", e.code());
            return EXIT_SOME_FAILED;
        }
    };
    for (path, format) in &outputs {
        let bytes = if *format == "pdf" { &done.pdf } else { &done.docx };
        let Some(bytes) = bytes else { continue };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = crate::fsutil::write_atomic(path, bytes, None, a.force) {
            eprintln!("xinfang: {}: {e}", path.display());
            return EXIT_SOME_FAILED;
        }
    }
    let Some(r) = &done.record else {
        // A draft: only the files asked for.
        let files: Vec<String> = outputs.iter().map(|(p, _)| p.display().to_string()).collect();
        println!("草稿（未编号，未记录）{} 页 → {}", done.pages, files.join("，"));
        return EXIT_OK;
    };
    if a.json {
        println!("{}", serde_json::to_string(r).expect("serialises"));
    } else {
        let files: Vec<String> = if outputs.is_empty() {
            [&r.pdf, &r.docx].into_iter().flatten().map(|p| data.join(p).display().to_string()).collect()
        } else {
            outputs.iter().map(|(p, _)| p.display().to_string()).collect()
        };
        println!(
            "{} {}{} → {}",
            r.title,
            r.number.as_deref().unwrap_or("（无文号）"),
            if done.pages > 0 { format!("，{} 页", done.pages) } else { String::new() },
            files.join("，")
        );
    }
    EXIT_OK
}

/// A line's JSON error in words, without the values it quotes (an ID number or a phone
/// written as a number would be printed by serde's message): the kind of error, the
/// field names it mentions, the column.
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax => "JSON 格式错误",
        Category::Eof => "记录不完整",
        Category::Data => "字段名称或类型不对",
        Category::Io => "读取失败",
    };
    // serde names fields in backquotes; anything else in backquotes is a value: dropped.
    const FIELDS: &[&str] = &[
        "channel", "received_at", "name", "id_number", "phone", "address", "summary", "category", "text", "cosigners",
        "urgent", "external_id", "from_body", "from_number", "report_due",
    ];
    let message = e.to_string();
    let named: Vec<&str> = message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| FIELDS.contains(w) || (w.len() <= 40 && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')))
        .collect();
    let named = if named.is_empty() { String::new() } else { format!("（{}）", named.join("、")) };
    format!("不是有效的信访件记录：{what}{named}，第 {} 列", e.column())
}

/// The most an import file may hold.
const MAX_IMPORT_BYTES: u64 = 256 << 20;

fn import(config: &Config, file: &std::path::Path, data: &std::path::Path, json: bool) -> i32 {
    use crate::reception::{Petition, ReceptionError};
    let text = match crate::ingest::batch::read_input(file, MAX_IMPORT_BYTES).map(|b| String::from_utf8(b.to_vec())) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            eprintln!("xinfang: {}: not UTF-8 text", file.display());
            return EXIT_FATAL;
        }
        Err(e) => {
            eprintln!("xinfang: {}: {e}", file.display());
            return EXIT_FATAL;
        }
    };
    if let Err(e) = crate::registry::open(data, config.bureau.registration.clone()) {
        eprintln!("xinfang: {}: {e}", data.display());
        return EXIT_FATAL;
    }
    let today = chrono::Local::now().date_naive();
    let name = file.display().to_string();
    // Every line checked before anything is registered.
    let mut checked = Vec::new();
    let mut wrong = 0usize;
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str::<Petition>(line)
            .map_err(|e| ReceptionError::Invalid { field: "json".into(), why: json_error(&e) })
            .and_then(|mut p| {
                p.channel.get_or_insert(crate::domain::Channel::Online);
                crate::reception::check(&p, config, today)
            })
            .and_then(|c| match c.external_id.as_ref().and_then(|id| seen.insert(id.clone(), n)) {
                Some(first) => Err(ReceptionError::Invalid {
                    field: "external_id".into(),
                    why: format!("与第 {first} 行的外部编号相同"),
                }),
                None => Ok(c),
            });
        match result {
            Ok(c) => checked.push((n, c)),
            Err(e) => {
                wrong += 1;
                if json {
                    println!("{}", serde_json::json!({"file": name, "line": n, "error": e.to_string()}));
                } else {
                    eprintln!("{name}:{n}: {e}");
                }
            }
        }
    }
    if wrong > 0 {
        eprintln!("xinfang: {name}: {wrong} line(s) wrong; nothing imported (correct them and run again)");
        return EXIT_SOME_FAILED;
    }
    let actor = crate::registry::cli_actor();
    let mut failed = 0usize;
    for (n, c) in &checked {
        match crate::reception::register(c, data, config, &actor) {
            Ok(r) if json => println!("{}", serde_json::json!({
                "file": name, "line": n, "case_id": r.case_id, "registration_number": r.registration_number,
                "duplicate_of": r.duplicate_of, "repeat_of": r.repeat_of,
            })),
            Ok(r) => match &r.duplicate_of {
                Some(d) => println!("{name}:{n}: 已登记过 {d}"),
                None => println!("{name}:{n}: 登记 {}", r.registration_number),
            },
            Err(e) => {
                // A failure to store (the disk, the database) stops the run: the lines
                // before it are registered, the rest are not, and running again goes on.
                failed += 1;
                eprintln!("{name}:{n}: {e}");
                break;
            }
        }
    }
    if failed > 0 { EXIT_SOME_FAILED } else { 0 }
}

fn intake(
    config: &Config,
    inputs: &[PathBuf],
    data: &std::path::Path,
    json: bool,
    workers: Option<usize>,
) -> i32 {
    use std::io::IsTerminal;
    let files = expand_inputs(inputs);
    if files.is_empty() {
        eprintln!("xinfang: no input files");
        return EXIT_FATAL;
    }
    // Open once first: a bad data folder or database stops the run before any work.
    if let Err(e) = crate::registry::open(data, config.bureau.registration.clone()) {
        eprintln!("xinfang: {}: {e}", data.display());
        return EXIT_FATAL;
    }
    let actor = crate::registry::cli_actor();
    let workers = workers.unwrap_or_else(|| config.workers());
    let progress = std::io::stderr().is_terminal();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut ok, mut failed, mut done) = (0usize, 0usize, 0usize);
    let total = files.len();
    let result = batch::run_jobs(
        &files,
        workers,
        || Engine::new(&config.ocr),
        |path, engine: &mut Engine| crate::intake::prepare_path(path, data, config, engine),
        |i, prepared: Result<crate::intake::Prepared, crate::model::FailedFile>| {
            done += 1;
            let name = files[i].display().to_string();
            let r = prepared.and_then(|p| {
                crate::intake::guarded(&name, || crate::intake::register(p, data, config, &actor))
            });
            let line = match &r {
                Ok(x) if json => serde_json::to_string(x).expect("report serialises"),
                Err(f) if json => serde_json::to_string(f).expect("error serialises"),
                Ok(x) => match (&x.duplicate_of, &x.repeat_of) {
                    (Some(n), _) => format!("{}: 已登记过 {n}（同一文件）", x.file),
                    (None, Some(r)) => format!(
                        "{}: 登记 {}（重复件，前案 {r}）",
                        x.file, x.registration_number
                    ),
                    (None, None) => format!("{}: 登记 {}", x.file, x.registration_number),
                },
                Err(f) => failure_line(f),
            };
            match &r {
                Ok(_) => ok += 1,
                Err(_) => failed += 1,
            }
            if progress {
                eprint!("\r\x1b[2K");
            }
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
            if progress && done < total {
                let width = 30;
                let filled = done * width / total;
                eprint!(
                    "[{}{}] {done}/{total}",
                    "#".repeat(filled),
                    " ".repeat(width - filled)
                );
            }
        },
    );
    if let Err(code) = fatal(result) {
        return code;
    }
    eprintln!("xinfang intake: {total} files, {ok} taken in, {failed} failed");
    exit_for(failed)
}

/// Where each input's filing copy goes: `output` itself for one file input (unless it is
/// a folder), else `output/<path below the input folder>/<stem>.pdf` (`<name>.pdf` when two
/// inputs share a stem). Two inputs that would still share an output are refused before
/// anything is read.
pub fn archive_destinations(
    inputs: &[PathBuf],
    output: &std::path::Path,
) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    let single_file = inputs.len() == 1 && !inputs[0].is_dir();
    let output_is_dir = output.is_dir() || output.as_os_str().to_string_lossy().ends_with('/');
    let mut pairs = Vec::new();
    for input in inputs {
        let files = expand_inputs(std::slice::from_ref(input));
        for file in files {
            let dest = if single_file && !output_is_dir {
                output.to_path_buf()
            } else {
                let relative = if input.is_dir() {
                    file.strip_prefix(input).unwrap_or(&file).to_path_buf()
                } else {
                    PathBuf::from(file.file_name().unwrap_or_default())
                };
                output.join(relative.with_extension("pdf"))
            };
            pairs.push((file, dest));
        }
    }
    // Inputs that differ only in their extension (a.tif, a.pdf) keep it: a.tif.pdf, a.pdf.pdf.
    let mut count = std::collections::HashMap::new();
    for (_, dest) in &pairs {
        *count.entry(dest.clone()).or_insert(0usize) += 1;
    }
    for (file, dest) in pairs.iter_mut() {
        if count[dest] > 1 && !(single_file && !output_is_dir) {
            let mut name = file.file_name().unwrap_or_default().to_os_string();
            name.push(".pdf");
            dest.set_file_name(name);
        }
    }
    let mut seen = std::collections::HashMap::new();
    for (file, dest) in &pairs {
        if let Some(other) = seen.insert(dest.clone(), file.clone()) {
            return Err(format!(
                "{} and {} would both be filed as {}; file them separately",
                other.display(),
                file.display(),
                dest.display()
            ));
        }
    }
    Ok(pairs)
}

/// One filing copy made.
#[derive(serde::Serialize)]
struct FiledReport {
    file: String,
    output: String,
    sha256: String,
    pages: usize,
    bytes: usize,
    text_chars: usize,
    sheets: Vec<crate::archive::Sheet>,
    warnings: Vec<String>,
    elapsed_ms: u64,
}

fn archive_pdf(
    config: &Config,
    inputs: &[PathBuf],
    output: &std::path::Path,
    options: &crate::archive::Options,
    force: bool,
    json: bool,
    workers: Option<usize>,
) -> i32 {
    let pairs = match archive_destinations(inputs, output) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("xinfang: {e}");
            return EXIT_FATAL;
        }
    };
    if pairs.is_empty() {
        eprintln!("xinfang: no input files");
        return EXIT_FATAL;
    }
    if options.registration.is_some() && pairs.len() > 1 {
        eprintln!("xinfang: --number names one letter; give one input with it");
        return EXIT_FATAL;
    }
    let destinations: std::collections::HashMap<PathBuf, PathBuf> = pairs.iter().cloned().collect();
    let files: Vec<PathBuf> = pairs.into_iter().map(|(f, _)| f).collect();
    let workers = workers.unwrap_or_else(|| config.workers());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut ok, mut failed) = (0usize, 0usize);
    let job = |path: &std::path::Path, engine: &mut Engine| {
        let dest = &destinations[path];
        file_one(path, dest, config, engine, options, force)
    };
    let result = batch::run_jobs(
        &files,
        workers,
        || Engine::new(&config.ocr),
        job,
        |_, r: Result<FiledReport, crate::model::FailedFile>| {
            let line = match &r {
                Ok(x) if json => serde_json::to_string(x).expect("report serialises"),
                Err(f) if json => serde_json::to_string(f).expect("error serialises"),
                Ok(x) => format!(
                    "{} -> {}: {}页 {} KB 文字{}字{}",
                    x.file,
                    x.output,
                    x.pages,
                    x.bytes.div_ceil(1024),
                    x.text_chars,
                    x.warnings
                        .iter()
                        .map(|w| format!("\n  注意: {w}"))
                        .collect::<String>()
                ),
                Err(f) => failure_line(f),
            };
            match &r {
                Ok(_) => ok += 1,
                Err(_) => failed += 1,
            }
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        },
    );
    if let Err(code) = fatal(result) {
        return code;
    }
    eprintln!(
        "xinfang archive-pdf: {} files, {ok} filed, {failed} failed",
        files.len()
    );
    exit_for(failed)
}

/// Reads one letter, builds its filing copy and writes it atomically.
fn file_one(
    path: &std::path::Path,
    dest: &std::path::Path,
    config: &Config,
    engine: &mut Engine,
    options: &crate::archive::Options,
    force: bool,
) -> Result<FiledReport, crate::model::FailedFile> {
    use crate::ingest::{ErrorCode, IngestError};
    let name = path.display().to_string();
    let started = std::time::Instant::now();
    let outcome = crate::ingest::guard::per_file(&name, "filing", || {
        if dest.exists() && !force {
            return Err(IngestError::new(
                ErrorCode::OutputExists,
                format!("{} exists; pass --force to replace it", dest.display()),
            ));
        }
        let bytes = batch::read_input(path, config.limits.max_file_bytes)?;
        let filed = crate::archive::file_copy(&name, bytes, config, engine, options)?;
        crate::fsutil::write_atomic(dest, &filed.pdf, Some(path), force)
            .map_err(|e| IngestError::new(ErrorCode::WriteFailed, e))?;
        Ok(filed)
    });
    outcome.map(|filed| FiledReport {
            file: name,
            output: dest.display().to_string(),
            sha256: filed.extraction.sha256.clone(),
            pages: filed.sheets.len(),
            bytes: filed.pdf.len(),
            text_chars: filed
                .extraction
                .text
                .chars()
                .filter(|c| !c.is_whitespace())
                .count(),
            sheets: filed.sheets,
            warnings: filed.extraction.warnings,
            elapsed_ms: started.elapsed().as_millis() as u64,
        })
}

/// A short, masked summary for a person at a terminal.
fn human_summary(x: &Extraction) -> String {
    let f = &x.fields;
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let chars: usize = x.text.chars().filter(|c| !c.is_whitespace()).count();
    let mut s = format!(
        "{}: {} {}页 {}字 {}ms\n  信访人 {}  身份证 {}  电话 {}\n  地址 {}\n  日期 {}  类别 {}  紧急 {}  联名 {}\n  事由 {}",
        x.file,
        x.kind.as_str(),
        x.pages.len(),
        chars,
        x.elapsed_ms,
        or_dash(f.name.as_deref().map(privacy::mask_name)),
        or_dash(f.id_number.as_deref().map(privacy::mask_id)),
        or_dash(f.phone.as_deref().map(privacy::mask_phone)),
        or_dash(f.address.as_deref().map(privacy::mask_address)),
        or_dash(f.date.clone()),
        or_dash(f.category.clone()),
        if f.urgent { "是" } else { "否" },
        f.cosigners,
        or_dash(f.summary.clone()),
    );
    for w in &x.warnings {
        s.push_str(&format!("\n  注意: {w}"));
    }
    s
}
