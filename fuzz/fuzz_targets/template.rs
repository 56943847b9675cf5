//! Any text as a document template (`documents::template::Template::parse`: header, the
//! template syntax, the fields it uses), then filled with a fixed context: an error is
//! fine, a panic or a hang is a finding. Officers and administrators write templates.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xinfang::documents::template::Template;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let known = xinfang::documents::known_fields();
    if let Ok(t) = Template::parse("fuzz", source, &known) {
        let context = serde_json::json!({"信访人": "张建国", "事由": "关于拖欠工资的反映", "期限": 30});
        let _ = t.fill(&context);
    }
});
