//! The test every schedule file runs, as burn's scheduler files do: the
//! reference sequences recorded from PyTorch, transformers, timm and optax
//! (`tests/golden/lr_sequences.json` of the workspace) through the spec
//! loader and the scheduler, to `1e-10` relative, and a save, load and
//! continue at several updates that gives the uninterrupted run's bits.

use std::path::Path;

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use serde_json::Value;

use crate::Spec;

/// The reference cases whose outermost scheduler is one of `names`.
fn cases(names: &[&str]) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/lr_sequences.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| names.iter().any(|n| c["spec"]["scheduler"] == *n))
        .cloned()
        .collect()
}

/// Checks every reference case of the schedules `names`; each name must
/// have at least one.
pub(crate) fn check(names: &[&str]) {
    let cases = cases(names);
    for name in names {
        assert!(
            cases.iter().any(|c| c["spec"]["scheduler"] == *name),
            "no reference case for {name}"
        );
    }
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let mut spec = Spec::from_value(&case["spec"]).unwrap();
        if spec.plateau().is_some() {
            spec = spec.with_steps_per_epoch(1);
        }
        let base_lr = case["base_lr"].as_f64().unwrap();
        let want: Vec<f64> = case["lrs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let metrics: Vec<f64> = case["metrics"]
            .as_array()
            .map(|m| m.iter().map(|x| x.as_f64().unwrap()).collect())
            .unwrap_or_default();
        let got = spec
            .preview_with_metrics(base_lr, want.len(), &metrics)
            .unwrap();
        for (k, (got, want)) in got.iter().zip(&want).enumerate() {
            assert!(
                (got - want).abs() <= 1e-10 * want.abs() + 1e-15,
                "{id}: update {k}: got {got:e}, want {want:e}"
            );
        }
        if metrics.is_empty() {
            resumes_bit_identically(id, &spec, base_lr, want.len());
        }
    }
}

/// Saved after `k` updates (through burn's byte format), loaded into a new
/// scheduler and continued, the spec gives the uninterrupted run's bits.
pub(crate) fn resumes_bit_identically(id: &str, spec: &Spec, base_lr: f64, steps: usize) {
    let truth: Vec<u64> = spec
        .preview(base_lr, steps)
        .unwrap()
        .iter()
        .map(|lr| lr.to_bits())
        .collect();
    for save_at in [0, 1, steps / 2, steps] {
        let mut first = spec.scheduler(base_lr).unwrap();
        for _ in 0..save_at {
            first.step();
        }
        let bytes = first.to_record().into_bytes().unwrap();
        let mut resumed = spec.scheduler(base_lr).unwrap();
        resumed.load_record(LrSchedulerRecord::from_bytes(bytes).unwrap());
        let rest: Vec<u64> = (save_at..steps).map(|_| resumed.step().to_bits()).collect();
        assert_eq!(rest, truth[save_at..], "{id}: resumed at update {save_at}");
    }
}
