//! Save at any update, load into a freshly built scheduler, continue: the rest
//! of the sequence is bit-identical to an uninterrupted run. Each schedule
//! file checks its own schedules; these are burn's module scheduler with
//! groups, and a record that holds no step.

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::Device;
use burn_lr_core::Spec;

#[derive(Module, Debug)]
struct Net {
    backbone: Linear,
    head: Linear,
}

/// Round-trips a record through burn's on-disk byte format.
fn through_bytes(record: LrSchedulerRecord) -> LrSchedulerRecord {
    LrSchedulerRecord::from_bytes(record.into_bytes().unwrap()).unwrap()
}

#[test]
fn module_schedulers_with_groups_resume_every_group() {
    let spec = Spec::from_json(
        r#"{"scheduler": "one_cycle", "max_lr": 0.4, "total_steps": 50,
            "groups": [{"match": "backbone", "lr_mult": 0.1}, {"match": "head", "lr_mult": 2.0}]}"#,
    )
    .unwrap();
    let device = Device::default();
    let net = Net {
        backbone: LinearConfig::new(2, 2).init(&device),
        head: LinearConfig::new(2, 1).init(&device),
    };
    let mut truth = spec.init_for(&net, 0.0).unwrap();
    let mut first = spec.init_for(&net, 0.0).unwrap();
    for _ in 0..17 {
        truth.step();
        first.step();
    }
    let mut resumed = spec
        .init_for(&net, 0.0)
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
