//! Every recorded PyTorch / transformers / timm / optax sequence, reproduced
//! through the spec loader and burn's `LrScheduler` trait.

use burn::lr_scheduler::LrScheduler;
use burn_lr_schedule::Spec;
use burn_lr_tests::{close, golden_path};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(golden_path("lr_sequences.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn is_plateau(case: &Value) -> bool {
    case["spec"]["scheduler"] == "reduce_on_plateau"
}

#[test]
fn every_schedule_matches_its_reference_library() {
    let cases: Vec<Value> = cases().into_iter().filter(|c| !is_plateau(c)).collect();
    assert_eq!(cases.len(), 81, "the reference file changed");
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let spec = Spec::from_value(&case["spec"]).unwrap_or_else(|e| panic!("{id}: {e}"));
        let mut scheduler = spec.scheduler(case["base_lr"].as_f64().unwrap()).unwrap();
        for (k, want) in case["lrs"].as_array().unwrap().iter().enumerate() {
            let want = want.as_f64().unwrap();
            let got = scheduler.step();
            if !close(got, want) {
                failures.push(format!("{id}: update {k}: got {got:e}, want {want:e}"));
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn specs_round_trip_through_serialization() {
    for case in cases().iter().filter(|c| !is_plateau(c)) {
        let spec = Spec::from_value(&case["spec"]).unwrap();
        let again = Spec::from_value(&serde_json::to_value(&spec).unwrap()).unwrap();
        assert_eq!(spec, again, "{}", case["id"]);
    }
}
