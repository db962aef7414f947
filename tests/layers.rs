//! The folders of `src/` are layers, each using only those before it: a reference from a
//! layer to a later one fails here, naming the file and the line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

/// In order; a layer may use the ones before it. `parallel` and `text` sit beneath all.
const LAYERS: &[&str] = &["language", "time", "contract", "event", "engine", "input"];
const BENEATH: &[&str] = &["parallel", "text"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_layer_reaches_forward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    let mut seen = 0;
    for (rank, layer) in LAYERS.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer} has no files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // unit tests may build what they need from any layer
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                let line = line.trim_start();
                if line.starts_with("//") {
                    continue;
                }
                for later in &LAYERS[rank + 1..] {
                    if line.contains(&format!("crate::{later}::"))
                        || (line.starts_with("use crate::{")
                            && line.contains(&format!("{later}::")))
                    {
                        wrong.push(format!(
                            "{}:{}: {layer} uses {later}: {line}",
                            f.display(),
                            n + 1
                        ));
                    }
                }
                seen += 1;
            }
        }
    }
    for b in BENEATH {
        let text = std::fs::read_to_string(src.join(format!("{b}.rs"))).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for l in LAYERS {
            assert!(
                !code.contains(&format!("crate::{l}")),
                "src/{b}.rs uses {l}"
            );
        }
    }
    assert!(
        seen > 10_000,
        "only {seen} lines read: are the layers where this test looks?"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
