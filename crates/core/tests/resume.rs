//! Save at any update, load into a freshly built scheduler, continue: the rest
//! of the sequence is bit-identical to an uninterrupted run.

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use burn_lr_core::{Spec, Timing};
mod common;

use common::golden_path;
use serde_json::Value;

/// Every golden spec (except plateau), plus the options the references lack.
fn specs() -> Vec<(String, Spec, f64, usize)> {
    let text = std::fs::read_to_string(golden_path("lr_sequences.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut specs: Vec<_> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["spec"]["scheduler"] != "reduce_on_plateau")
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                Spec::from_value(&c["spec"]).unwrap(),
                c["base_lr"].as_f64().unwrap(),
                c["steps"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let cosine = Spec::from_json(r#"{"scheduler": "cosine_annealing", "t_max": 8}"#).unwrap();
    specs.push((
        "warmup+cosine in epochs, iteration timing".into(),
        cosine
            .clone()
            .with_warmup(2, 0.1)
            .in_epochs(Timing::Iteration)
            .with_steps_per_epoch(7),
        0.3,
        80,
    ));
    specs.push((
        "cosine in epochs, epoch timing, group x0.1".into(),
        cosine
            .in_epochs(Timing::Epoch)
            .with_steps_per_epoch(5)
            .with_group("backbone", 0.1),
        2.5,
        60,
    ));
    specs.push((
        "lambda".into(),
        burn_lr_core::lambda("inverse", |t| 1.0 / (1.0 + t)),
        0.1,
        40,
    ));
    specs
}

/// Round-trips a record through burn's on-disk byte format.
fn through_bytes(record: LrSchedulerRecord) -> LrSchedulerRecord {
    LrSchedulerRecord::from_bytes(record.into_bytes().unwrap()).unwrap()
}

#[test]
fn resumed_schedulers_continue_bit_identically() {
    for (id, spec, base_lr, steps) in specs() {
        let truth: Vec<u64> = spec
            .preview(base_lr, steps)
            .unwrap()
            .iter()
            .map(|lr| lr.to_bits())
            .collect();
        for save_at in [0, 1, 2, steps / 3, steps / 2, steps - 1, steps] {
            let mut first = spec.scheduler(base_lr).unwrap();
            for _ in 0..save_at {
                first.step();
            }
            let record = through_bytes(first.to_record());
            let mut resumed = spec.scheduler(base_lr).unwrap();
            resumed.load_record(record);
            let rest: Vec<u64> = (save_at..steps).map(|_| resumed.step().to_bits()).collect();
            assert_eq!(rest, truth[save_at..], "{id}: resumed at update {save_at}");
        }
    }
}

#[test]
fn module_schedulers_with_groups_resume_every_group() {
    let spec = Spec::from_json(
        r#"{"scheduler": "one_cycle", "max_lr": 0.4, "total_steps": 50,
            "groups": [{"match": "backbone", "lr_mult": 0.1}, {"match": "head", "lr_mult": 2.0}]}"#,
    )
    .unwrap();
    let mut truth = spec.init(0.0).unwrap();
    let mut first = spec.init(0.0).unwrap();
    for _ in 0..17 {
        truth.step();
        first.step();
    }
    let mut resumed = spec
        .init(0.0)
        .unwrap()
        .load_record(through_bytes(first.to_record()));
    for _ in 17..50 {
        let (want, got) = (truth.step(), resumed.step());
        for path in ["backbone.weight", "head.bias", "neck.weight"] {
            let id = burn::module::ParamId::new();
            assert_eq!(
                want.lr_from_param(id, Some(path)).to_bits(),
                got.lr_from_param(id, Some(path)).to_bits(),
                "{path}"
            );
        }
    }
}

#[test]
fn a_record_without_a_step_leaves_the_scheduler_where_it_was() {
    let spec = Spec::from_json(r#"{"scheduler": "exponential", "gamma": 0.5}"#).unwrap();
    let mut scheduler = spec.scheduler(1.0).unwrap();
    scheduler.step();
    scheduler.load_record(LrSchedulerRecord::new());
    assert_eq!(scheduler.step(), 0.5);
}
