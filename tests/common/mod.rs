//! Fixtures shared by the integration tests of the library and of the command line: the
//! workspace root, the reference contract and its plan, generated streams, temporary
//! directories. Each test file uses a subset.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use slagrade::engine::eval::Plan;
use slagrade_gen::GenConfig;

/// The workspace root: the nearest directory above this crate's manifest that holds `grammar/`.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("grammar").is_dir())
        .expect("the workspace root holds grammar/")
        .to_path_buf()
}

/// The text of the reference contract, `examples/egov-2026.sla`.
pub fn reference_src() -> &'static str {
    include_str!("../../examples/egov-2026.sla")
}

/// The reference contract checked and compiled, once per test binary.
pub fn reference_plan() -> Arc<Plan> {
    static PLAN: OnceLock<Arc<Plan>> = OnceLock::new();
    PLAN.get_or_init(|| slagrade::load(reference_src()).unwrap().compile())
        .clone()
}

/// The JSON Lines stream the generator writes for `cfg`.
pub fn generated(cfg: &GenConfig) -> Vec<u8> {
    let mut buf = Vec::new();
    slagrade_gen::generate(cfg, &mut buf).unwrap();
    buf
}

/// Writes the generator's stream for `cfg` to the file `path`.
pub fn generated_file(cfg: &GenConfig, path: &Path) {
    let f = std::fs::File::create(path).unwrap();
    slagrade_gen::generate(cfg, std::io::BufWriter::new(f)).unwrap();
}

/// A fresh, empty directory `slagrade-<name>-<pid>` under the system's temporary directory.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("slagrade-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The `slagrade` binary (built for the command line's tests, which alone may call this).
pub fn bin() -> &'static str {
    match option_env!("CARGO_BIN_EXE_slagrade") {
        Some(b) => b,
        None => panic!("the slagrade binary is built for bindings/cli's tests only"),
    }
}

/// Runs `slagrade ARGS` in the workspace root.
pub fn slagrade(args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin())
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// The JSON a successful run printed; its stderr when it failed.
pub fn ok_json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
