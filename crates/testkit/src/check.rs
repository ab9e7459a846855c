//! Comparisons and checks the tests share.

use burn_lr_core::Schedule;
use serde_json::Value;

/// The comparison of the reference files: `|got - want| <= 1e-10 |want| + 1e-15`.
pub fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-10 * want.abs() + 1e-15
}

/// Runs `check` on every item, spread over the machine's cores; the messages
/// of the items that fail, in order.
pub fn failures<T: Sync>(items: &[T], check: impl Fn(&T) -> Option<String> + Sync) -> Vec<String> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let check = &check;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(items.len().div_ceil(threads).max(1))
            .map(|chunk| scope.spawn(move || chunk.iter().filter_map(check).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|_| vec!["a worker panicked".into()])
            })
            .collect()
    })
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
