//! Every recorded PyTorch / transformers / timm / optax sequence, reproduced
//! through the spec loader and burn's `LrScheduler` trait.

use burn_lr_core::Spec;
mod common;

use burn_lr_testkit::{close, pytorch_spelling};
use common::golden_path;
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(golden_path("lr_sequences.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

/// The spec of a case; a plateau case observes one metric per update.
fn spec(case: &Value) -> Spec {
    let id = case["id"].as_str().unwrap_or_default();
    let spec = Spec::from_value(&case["spec"]).unwrap_or_else(|e| panic!("{id}: {e}"));
    match spec.plateau() {
        Some(_) => spec.with_steps_per_epoch(1),
        None => spec,
    }
}

/// The LRs `spec` gives for `case` (its metrics, if any, one per update).
fn lrs(spec: &Spec, case: &Value) -> Vec<f64> {
    let metrics: Vec<f64> = case["metrics"]
        .as_array()
        .map(|m| m.iter().map(|x| x.as_f64().unwrap()).collect())
        .unwrap_or_default();
    let steps = case["lrs"].as_array().unwrap().len();
    spec.preview_with_metrics(case["base_lr"].as_f64().unwrap(), steps, &metrics)
        .unwrap()
}

#[test]
fn every_schedule_matches_its_reference_library() {
    let cases = cases();
    assert_eq!(cases.len(), 86, "the reference file changed");
    let plateau = cases.iter().filter(|c| spec(c).plateau().is_some()).count();
    assert_eq!(plateau, 5);
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let got = lrs(&spec(case), case);
        for (k, (got, want)) in got.iter().zip(case["lrs"].as_array().unwrap()).enumerate() {
            let want = want.as_f64().unwrap();
            if !close(*got, want) {
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
fn pytorch_spellings_give_the_same_specs() {
    for case in cases() {
        let torch = pytorch_spelling(&case["spec"]);
        assert_ne!(torch, case["spec"], "{}: nothing renamed", case["id"]);
        let parsed = Spec::from_value(&torch).unwrap_or_else(|e| panic!("{torch}: {e}"));
        assert_eq!(
            parsed,
            Spec::from_value(&case["spec"]).unwrap(),
            "{}",
            case["id"]
        );
    }
}

#[test]
fn specs_round_trip_through_serialization() {
    for case in cases() {
        let spec = Spec::from_value(&case["spec"]).unwrap();
        let again = Spec::from_value(&serde_json::to_value(&spec).unwrap()).unwrap();
        assert_eq!(spec, again, "{}", case["id"]);
    }
}
