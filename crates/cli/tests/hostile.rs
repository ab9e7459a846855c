//! Hostile input, table-driven: every schedule's every key set to a value it
//! must refuse, malformed and oversized files, FIFOs, hostile flags, and a
//! closed stdout. Each case must end within seconds with exit 0, 1 or 2, at
//! most one short line on stderr when it fails, and never a panic. A preview
//! that succeeds must print finite, non-negative LRs.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use burn_lr_core::{Schedule, Spec};
use burn_lr_tests::failures;
use serde_json::{Value, json};

mod common;
use common::burn_lr;

/// The longest a case may run.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The longest error line accepted.
const MAX_STDERR: usize = 600;

/// Runs `burn-lr args`; `Err` says what went wrong.
fn check(args: &[String]) -> Result<(), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_burn-lr"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    // Drain the pipes on threads so that a large output cannot block the child.
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            return Err(format!("still running after {TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let (stdout, stderr) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    let code = status
        .code()
        .ok_or(format!("killed by a signal: {status}"))?;
    if stderr.contains("panicked") || !(0..=2).contains(&code) {
        return Err(format!("exit {code}: {stderr}"));
    }
    if code == 2 && (stderr.lines().count() != 1 || stderr.len() > MAX_STDERR) {
        return Err(format!(
            "exit 2 with {} bytes on stderr: {stderr}",
            stderr.len()
        ));
    }
    if code == 0 && args.iter().any(|a| a == "json") && args[0] == "preview" {
        let lrs: Vec<f64> = serde_json::from_str(&stdout).map_err(|e| e.to_string())?;
        // A negative zero counts: it would print as an LR of -0.
        if let Some(lr) = lrs
            .iter()
            .find(|lr| !(lr.is_finite() && **lr >= 0.0) || lr.is_sign_negative())
        {
            return Err(format!("previewed LR {lr}"));
        }
    }
    Ok(())
}

/// Values every numeric or list key must refuse or survive.
fn hostile_values() -> Vec<Value> {
    vec![
        json!(0),
        json!(-1),
        json!(-0.5),
        json!(-0.0),
        json!(2.5),
        json!(1e300),
        json!(u64::MAX),
        json!(9_007_199_254_740_993u64),
        json!(0.5),
        json!("10"),
        json!(null),
        json!(true),
        json!([]),
        json!([1e300, -1]),
        json!({}),
    ]
}

/// Every schedule's example with one key set to a hostile value.
fn mutated_specs() -> Vec<String> {
    let mut specs = Vec::new();
    for example in Schedule::examples() {
        let Ok(Value::Object(map)) = serde_json::to_value(Spec::new(example)) else {
            continue;
        };
        for key in map.keys().filter(|k| *k != "scheduler") {
            for value in hostile_values() {
                let mut spec = map.clone();
                spec.insert(key.clone(), value);
                specs.push(Value::Object(spec).to_string());
            }
        }
    }
    specs
}

/// Malformed documents, by file name (the extension picks the reader).
fn malformed_files() -> Vec<(&'static str, String)> {
    let deep =
        |open: &str, close: &str| format!("{}{}", open.repeat(100_000), close.repeat(100_000));
    vec![
        ("empty.json", String::new()),
        ("space.json", " \n\t ".into()),
        ("null.json", "null".into()),
        ("array.json", "[]".into()),
        ("number.json", "42".into()),
        ("string.json", "\"cosine_annealing\"".into()),
        ("object.json", "{}".into()),
        ("name-number.json", r#"{"scheduler": 1}"#.into()),
        ("name-unknown.json", r#"{"scheduler": "nope"}"#.into()),
        (
            "nan.json",
            r#"{"scheduler": "step", "step_size": NaN}"#.into(),
        ),
        (
            "overflow.json",
            r#"{"scheduler": "step", "step_size": 10, "gamma": 1e400}"#.into(),
        ),
        (
            "duplicate.json",
            r#"{"scheduler": "step", "step_size": 10, "step_size": 20}"#.into(),
        ),
        (
            "bom.json",
            "\u{feff}{\"scheduler\": \"step\", \"step_size\": 10}".into(),
        ),
        ("nested-arrays.json", deep("[", "]")),
        ("nested-objects.json", deep("{\"a\":", "}")),
        (
            "long-line.json",
            format!("{{\"scheduler\": \"{}\"}}", "x".repeat(3 << 20)),
        ),
        (
            "long-key.json",
            format!(
                "{{\"scheduler\": \"step\", \"{}\": 1}}",
                "k".repeat(1 << 20)
            ),
        ),
        (
            "truncated.json",
            r#"{"scheduler": "step", "step_size": "#.into(),
        ),
        (
            "nan.toml",
            "scheduler = \"step\"\nstep_size = 10\ngamma = nan\n".into(),
        ),
        (
            "inf.toml",
            "scheduler = \"step\"\nstep_size = 10\ngamma = -inf\n".into(),
        ),
        (
            "date.toml",
            "scheduler = \"step\"\nstep_size = 1979-05-27\n".into(),
        ),
        (
            "huge-int.toml",
            "scheduler = \"step\"\nstep_size = 9223372036854775807\n".into(),
        ),
        (
            "negative.toml",
            "scheduler = \"step\"\nstep_size = -3\n".into(),
        ),
        (
            "duplicate.toml",
            "scheduler = \"step\"\nstep_size = 1\nstep_size = 2\n".into(),
        ),
        (
            "long-line.toml",
            format!(
                "scheduler = \"step\"\nstep_size = {}\n",
                "9".repeat(2 << 20)
            ),
        ),
        ("garbage.toml", "\u{0}\u{1}[[[ = =".into()),
        (
            "table-in-array.toml",
            "scheduler = \"multi_step\"\nmilestones = [{a = 1}]\n".into(),
        ),
        ("cooldown-no-base.json", r#"{"scheduler": "cooldown", "start": 1, "length": 1}"#.into()),
        ("cooldown-base-list.json", r#"{"scheduler": "cooldown", "start": 1, "length": 1, "base": []}"#.into()),
        ("cooldown-negative.json", r#"{"scheduler": "cooldown", "start": -1, "length": 1, "base": {"scheduler": "step", "step_size": 1}}"#.into()),
        ("cooldown-huge.json", r#"{"scheduler": "cooldown", "start": 18446744073709551615, "length": 18446744073709551615, "base": {"scheduler": "step", "step_size": 1}}"#.into()),
        ("cooldown-ratio.json", r#"{"scheduler": "cooldown", "start": 1, "length": 1, "min_lr_ratio": 1e300, "base": {"scheduler": "step", "step_size": 1}}"#.into()),
        ("cooldown-nested.json", r#"{"scheduler": "cooldown", "start": 1, "length": 1, "base": {"scheduler": "cooldown", "start": 1, "length": 1, "base": {"scheduler": "step", "step_size": 1}}}"#.into()),
        ("cooldown-nan.toml", "scheduler = \"cooldown\"\nstart = 1\nlength = 2\nmin_lr_ratio = nan\n[base]\nscheduler = \"step\"\nstep_size = 1\n".into()),
    ]
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// A run description for `lint`.
const RUN: [&str; 6] = [
    "--model",
    "cnn",
    "--epochs",
    "10",
    "--steps-per-epoch",
    "10",
];

fn cases(dir: &Path) -> Vec<Vec<String>> {
    let mut cases = Vec::new();
    let mut files: Vec<(String, String)> = malformed_files()
        .into_iter()
        .map(|(name, text)| (name.to_string(), text))
        .collect();
    files.extend(
        mutated_specs()
            .into_iter()
            .enumerate()
            .map(|(i, text)| (format!("mutated-{i}.json"), text)),
    );
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_string_lossy().into_owned();
        cases.push(strings(&[
            "preview", &path, "--steps", "50", "--format", "json",
        ]));
        cases.push([strings(&["lint", &path]), strings(&RUN)].concat());
    }
    // A million-row curve: every rule must stay linear in its length (the
    // two-sided smoothing bins a long curve) and finish within the timeout.
    let long = dir.join("long-curve.csv");
    let rows: String = (0..1_000_000)
        .map(|i| {
            let x = -7.0 + 8.0 * i as f64 / 1e6;
            format!("{:e},{}\n", 10f64.powf(x), 2.0 + 0.3 * (x + 3.0).powi(2))
        })
        .collect();
    std::fs::write(&long, format!("lr,loss\n{rows}")).unwrap();
    let long = long.to_string_lossy().into_owned();
    for method in ["hand-off", "steepest", "minimum", "valley"] {
        cases.push(strings(&[
            "find", "--curve", &long, "--method", method, "--format", "json",
        ]));
    }
    // Not a regular file: a directory, a missing path, and a FIFO that nobody writes.
    let mut special = vec![dir.to_string_lossy().into_owned(), "missing.json".into()];
    #[cfg(unix)]
    {
        let fifo = dir.join("fifo.json");
        if Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            special.push(fifo.to_string_lossy().into_owned());
        }
    }
    for path in &special {
        cases.push(strings(&["preview", path, "--steps", "5"]));
        cases.push([strings(&["lint", path]), strings(&RUN)].concat());
        cases.push(strings(&["find", "--curve", path]));
        cases.push(strings(&[
            "preview",
            "missing.json",
            "--steps",
            "5",
            "--metrics",
            path,
        ]));
    }
    // Hostile numbers for every run flag, in both subcommands that take them.
    let spec = dir.join("mutated-0.json").to_string_lossy().into_owned();
    for flag in ["--epochs", "--steps-per-epoch", "--batch-size", "--base-lr"] {
        for value in [
            "0",
            "-1",
            "1e3",
            "abc",
            "",
            "nan",
            "inf",
            "1e308",
            "18446744073709551615",
            "18446744073709551616",
            "4294967296",
        ] {
            let run: Vec<String> = strings(&[
                "--model",
                "vit",
                "--epochs",
                "3",
                "--steps-per-epoch",
                "7",
                flag,
                value,
            ]);
            cases.push([strings(&["recommend"]), run.clone()].concat());
            cases.push([strings(&["lint", &spec]), run].concat());
        }
    }
    // Flags of the live range test that must be refused before any training.
    for (flag, value) in [
        ("--batch-size", "0"),
        ("--batch-size", "1000000000"),
        ("--num-iter", "1"),
        ("--num-iter", "1000000000000"),
        ("--start-lr", "0"),
        ("--start-lr", "1e-300"),
        ("--end-lr", "1e300"),
        ("--end-lr", "nan"),
    ] {
        cases.push(strings(&["find", flag, value]));
    }
    for steps in ["0", "-1", "10000001", "abc"] {
        cases.push(strings(&["preview", &spec, "--steps", steps]));
    }
    cases
}

#[test]
fn hostile_input_never_panics_hangs_or_floods() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases(dir.path());
    assert!(cases.len() > 500, "{} cases", cases.len());
    let failures = failures(&cases, |args| {
        let shown: Vec<String> = args.iter().map(|a| a.chars().take(80).collect()).collect();
        check(args).err().map(|e| format!("{shown:?}: {e}"))
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `burn-lr ARGS | head -c 10`: the reader goes away while the command writes.
fn closed_early(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_burn-lr"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    let _ = stdout.read(&mut first);
    drop(stdout);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("cosine.json");
    std::fs::write(&spec, r#"{"scheduler": "cosine_annealing", "t_max": 1000}"#).unwrap();
    let spec = spec.to_str().unwrap();
    for args in [
        &["preview", spec, "--steps", "1000000", "--format", "csv"][..],
        &["preview", spec, "--steps", "1000000", "--format", "json"],
        &["find", "--help"],
        &["--help"],
        &[
            "recommend",
            "--model",
            "cnn",
            "--epochs",
            "90",
            "--steps-per-epoch",
            "100",
        ],
    ] {
        let out = closed_early(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            out.status.code().is_none_or(|c| c == 0),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
}

/// `burn-lr ARGS > /dev/full`: a write that fails for another reason than a
/// closed reader is an error, help included.
#[test]
fn a_full_device_is_an_error_not_a_success() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux: no device to test with
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("cosine.json");
    std::fs::write(&spec, r#"{"scheduler": "cosine_annealing", "t_max": 10}"#).unwrap();
    let spec = spec.to_str().unwrap();
    for args in [
        &["--help"][..],
        &["--version"],
        &["find", "--help"],
        &["preview", spec, "--steps", "10"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_burn-lr"))
            .args(args)
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("No space left"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_subnormal_lr_is_refused_and_a_file_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, "\u{feff}{\"scheduler\": \"step\", \"step_size\": 2}").unwrap();
    let spec = spec.to_str().unwrap();
    // A byte-order mark is skipped.
    let ok = burn_lr(&["preview", spec, "--steps", "6", "--format", "json"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = burn_lr(&["preview", spec, "--steps", "6", "--base-lr", "1e-320"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("subnormal"), "{stderr}");
    let missing = dir.path().join("missing.json");
    let missing = missing.to_str().unwrap();
    let out = burn_lr(&["preview", missing, "--steps", "6"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches(missing).count(), 1, "{stderr}");
}

#[test]
fn invisible_and_look_alike_characters_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    // A zero-width space inside the name, and a Cyrillic `а` for the `a`.
    std::fs::write(
        &spec,
        "{\"scheduler\": \"cos\u{200b}ine_\u{430}nnealing\", \"t_max\": 5}",
    )
    .unwrap();
    let out = burn_lr(&["preview", spec.to_str().unwrap(), "--steps", "6"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cos\\u{200b}ine_\\u{430}nnealing"),
        "{stderr}"
    );
    assert!(stderr.is_ascii(), "{stderr}");
}
