//! The layering in ARCHITECTURE.md holds: every `crate::` path in `src/` names a module of
//! a lower layer than the module it is written in (or the same module). The table is read
//! from ARCHITECTURE.md itself, so the document and the code cannot drift apart.

mod util;

use std::collections::BTreeMap;

/// The "## Layers" table: module -> layer.
fn layers() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(util::root().join("ARCHITECTURE.md")).unwrap();
    let section = doc.split("## Layers").nth(1).expect("ARCHITECTURE.md has a Layers section");
    let section = section.split("\n## ").next().unwrap();
    let mut map = BTreeMap::new();
    for row in section.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Ok(layer) = cells[1].parse::<u32>() else { continue };
        for module in cells[2].split(',') {
            map.insert(module.trim().trim_matches('`').to_string(), layer);
        }
    }
    map
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_module_of_its_own_or_a_higher_layer() {
    let layers = layers();
    assert!(layers.len() >= 20, "{layers:?}");
    let src = util::root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    let mut seen = 0;
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let own = *layers.get(&module).unwrap_or_else(|| panic!("{module} is not in ARCHITECTURE.md's layers"));
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() || name == module {
                continue;
            }
            seen += 1;
            let Some(&theirs) = layers.get(&name) else {
                wrong.push(format!("{}: crate::{name} is not in the layers", relative.display()));
                continue;
            };
            if theirs >= own {
                wrong.push(format!("{} (layer {own}) imports {name} (layer {theirs})", relative.display()));
            }
        }
    }
    assert!(seen > 100, "only {seen} crate:: paths found");
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
