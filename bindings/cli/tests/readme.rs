//! The README cannot rot: its first command's output and every `$ command` of its walkthrough
//! are run here and compared with what the README shows. `UPDATE_README=1 cargo test --test
//! readme` rewrites the shown outputs from a real run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../../tests/common/mod.rs"]
mod common;
use common::{root, tmpdir};

/// Runs one shell command line in `dir` with the built `slagrade` first on the `PATH`;
/// returns stdout and stderr together, as a terminal would show them.
fn sh(dir: &Path, cmd: &str) -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_slagrade"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} 2>&1"))
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_file() {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn readme_commands_and_outputs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let dir = tmpdir("readme");
    copy_dir(&root().join("examples"), &dir.join("examples"));

    let lines: Vec<&str> = readme.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut failures = Vec::new();
    let mut i = 0;
    let mut first_block: Option<Vec<String>> = None;
    let mut first_output_done = false;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_string());
        i += 1;
        if line == "```sh" && first_block.is_none() {
            let mut cmds = Vec::new();
            while lines[i] != "```" {
                cmds.push(lines[i].to_string());
                out.push(lines[i].to_string());
                i += 1;
            }
            first_block = Some(cmds);
        } else if line == "```text" && !first_output_done {
            // the output of the README's first command
            first_output_done = true;
            let cmds = first_block
                .clone()
                .expect("the first code block comes first");
            let args = cmds[0]
                .strip_prefix("cargo run --release -- ")
                .expect("the first command runs the CLI");
            let actual = sh(&root(), &format!("slagrade {args}"));
            let mut shown = String::new();
            while lines[i] != "```" {
                shown.push_str(lines[i]);
                shown.push('\n');
                i += 1;
            }
            if shown != actual {
                failures.push(format!("first command output differs:\n{actual}"));
            }
            out.extend(actual.lines().map(String::from));
        } else if line == "```console" {
            while lines[i] != "```" {
                let cmd = lines[i].strip_prefix("$ ").unwrap_or_else(|| {
                    panic!(
                        "README line {}: expected `$ command`, found {:?}",
                        i + 1,
                        lines[i]
                    )
                });
                out.push(lines[i].to_string());
                i += 1;
                let mut shown = String::new();
                while lines[i] != "```" && !lines[i].starts_with("$ ") {
                    shown.push_str(lines[i]);
                    shown.push('\n');
                    i += 1;
                }
                let actual = sh(&dir, cmd);
                if shown != actual {
                    failures.push(format!("`{cmd}` prints:\n{actual}\nREADME shows:\n{shown}"));
                }
                out.extend(actual.lines().map(String::from));
            }
        }
    }
    let cmds = first_block.expect("README has a first code block");
    assert_eq!(cmds.len(), 2, "the first code block holds two commands");
    assert_eq!(cmds[1], "bash scripts/test-all.sh");
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l == cmds[1]),
        ".ci/run runs the README's test command"
    );
    let _ = std::fs::remove_dir_all(&dir);
    if std::env::var("UPDATE_README").is_ok() {
        std::fs::write(root().join("README.md"), out.join("\n") + "\n").unwrap();
        return;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}
