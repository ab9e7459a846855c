//! Cross-crate integration tests of burn-lr; see the `[[test]]` targets.
//!
//! Helpers shared by the tests live here.

use std::path::PathBuf;

use burn_lr_schedule::Schedule;
use serde_json::Value;

/// Path of a file under `tests/golden/`.
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(name)
}

/// The comparison of the reference files: `|got - want| <= 1e-10 |want| + 1e-15`.
pub fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-10 * want.abs() + 1e-15
}

/// The spec with the reference library's spellings: class names and `T_max`, `T_0`, `T_mult`.
pub fn pytorch_spelling(value: &Value) -> Value {
    let reference: Vec<(&str, &str)> = Schedule::examples()
        .iter()
        .map(|s| (s.name(), s.reference_name()))
        .chain([("reduce_on_plateau", "ReduceLROnPlateau")])
        .collect();
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let key = match key.as_str() {
                        "t_max" => "T_max",
                        "t_0" => "T_0",
                        "t_mult" => "T_mult",
                        other => other,
                    };
                    let v = match (key, v.as_str()) {
                        ("scheduler", Some(name)) => reference
                            .iter()
                            .find(|(ours, _)| *ours == name)
                            .map_or(v.clone(), |(_, theirs)| Value::from(*theirs)),
                        _ => pytorch_spelling(v),
                    };
                    (key.to_string(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(pytorch_spelling).collect()),
        other => other.clone(),
    }
}
