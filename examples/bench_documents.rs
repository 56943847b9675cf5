//! Benchmark of the document generator (BENCHMARKS.md): documents per second for PDF and
//! for DOCX, on one thread and on every core, with the fonts loaded once. It renders the
//! reply (答复意见书, 2 pages) from a fixed case; the registry is left out, so this is the
//! layout and export cost alone. Writes one DOCX per thread to OUT_DIR for the LibreOffice
//! comparison in bench/documents.sh.
//!
//!     cargo run --release --example bench_documents -- N OUT_DIR

use std::time::Instant;
use xinfang::config::Config;
use xinfang::documents::template::Template;
use xinfang::documents::{known_fields, Generator};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "bench-out".into()));
    std::fs::create_dir_all(&out).unwrap();
    let config = Config::load(None).unwrap();
    let start = Instant::now();
    let generator = Generator::new(&config).unwrap();
    let template = Template::load("reply", None, &known_fields()).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
    let context: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "登记号": "XF-2026-000123", "信访人": "张建国", "身份证号": "421202196511136859",
        "电话": "15677354684", "地址": "湖北省咸宁市咸安区温泉街道金桂路19号", "人数": "1",
        "信访形式": "来信", "来信日期": "2026年10月20日", "收信日期": "2026年10月23日",
        "事由": "关于拖欠农民工工资问题的反映", "类别": "劳动社保", "发文机关": "示例县信访局",
        "成文日期": "2026年11月3日", "办理期限": "2026年12月22日", "反馈期限": "2026年12月3日",
        "收文机关": "嘉鱼县人民政府", "称谓": "你", "事项": "拖欠农民工工资问题", "信访人及人数": "张建国",
        "事实": "经查，信访人反映的拖欠工资问题属实。施工单位已承认拖欠并承诺限期付清。\n劳动监察大队已对施工单位下达限期整改指令书，并约谈了施工单位负责人。",
        "依据": "《保障农民工工资支付条例》第三条、第三十条。",
        "处理意见": "（一）支持信访人要求支付拖欠工资的诉求。\n（二）责成施工单位于2026年12月31日前付清。",
        "抄送": "市信访局",
    }))
    .unwrap();
    let (first, pages) = generator
        .render(&template, &context, Some("示信复〔2026〕1号"), date, true, true, false)
        .unwrap();
    eprintln!("start-up (fonts, first document): {:.0} ms, {pages} pages", start.elapsed().as_secs_f64() * 1e3);
    std::fs::write(out.join("reply.pdf"), first.pdf.unwrap()).unwrap();
    let threads_all = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    for (label, pdf, docx) in [("PDF", true, false), ("DOCX", false, true)] {
        for threads in [1, threads_all] {
            let t = Instant::now();
            std::thread::scope(|s| {
                for i in 0..threads {
                    let (g, tpl, ctx, out, n) = (&generator, &template, &context, &out, n);
                    s.spawn(move || {
                        for k in 0..n / threads {
                            // Each document differs (typst would otherwise answer a repeat
                            // from its cache): its number and the petitioner's address.
                            let mut ctx = ctx.clone();
                            ctx.insert("地址".into(), format!("湖北省咸宁市咸安区温泉街道金桂路{}号", i * n + k).into());
                            let number = format!("示信复〔2026〕{}号", i * n + k + 2);
                            let (r, _) = g.render(tpl, &ctx, Some(&number), date, pdf, docx, false).unwrap();
                            if k == 0 {
                                if let Some(d) = r.docx {
                                    std::fs::write(out.join(format!("reply-{i}.docx")), d).unwrap();
                                }
                            }
                        }
                    });
                }
            });
            let done = (n / threads) * threads;
            let secs = t.elapsed().as_secs_f64();
            println!("{label} threads={threads} documents={done} seconds={secs:.2} per_second={:.1}", done as f64 / secs);
        }
    }
}
