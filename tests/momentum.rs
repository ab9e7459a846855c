//! Momentum cycling against PyTorch: the LR and the momentum of every update
//! of `golden/momentum_sequences.json` (OneCycleLR and CyclicLR with
//! `cycle_momentum=True`), through the closed form and through the handle the
//! optimizers read, to 1e-10.

use burn_lr_core::Spec;
use burn_lr_tests::{close, golden_path};
use serde_json::Value;

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn lrs_and_momentums_match_pytorch() {
    let text = std::fs::read_to_string(golden_path("momentum_sequences.json")).unwrap();
    let golden: Value = serde_json::from_str(&text).unwrap();
    let cases = golden["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let spec = Spec::from_value(&case["spec"]).unwrap_or_else(|e| panic!("{id}: {e}"));
        let base_lr = case["base_lr"].as_f64().unwrap();
        let (lrs, momentums) = (floats(&case["lrs"]), floats(&case["momentums"]));
        let scheduler = spec.scheduler(base_lr).unwrap();
        let mut schedule = spec.init(base_lr).unwrap();
        let handle = schedule.momentum().expect("cycle_momentum is on");
        for (k, (lr, momentum)) in lrs.iter().zip(&momentums).enumerate() {
            let got = scheduler.lr_at(k as u64);
            assert!(close(got, *lr), "{id}: LR of update {k}: {got} vs {lr}");
            let got = scheduler.momentum_at(k as u64).unwrap();
            assert!(
                close(got, *momentum),
                "{id}: momentum of update {k}: {got} vs {momentum}"
            );
            // What the optimizer reads right after the scheduler's step for update k.
            schedule.step();
            assert_eq!(handle.peek(), Some(got), "{id}: handle at update {k}");
        }
    }
}

#[test]
fn cycling_is_off_on_request_and_validated() {
    let off = Spec::from_json(
        r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 100, "cycle_momentum": false}"#,
    )
    .unwrap();
    assert!(off.init(0.1).unwrap().momentum().is_none());
    assert_eq!(off.momentum(10.0), None);
    for (json, error) in [
        (
            r#"{"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 100, "base_momentum": 0.99}"#,
            "`base_momentum` = 0.99 is invalid: allowed a number <= max_momentum (0.95)",
        ),
        (
            r#"{"scheduler": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "max_momentum": 1.0}"#,
            "`max_momentum` = 1 is invalid",
        ),
    ] {
        let got = Spec::from_json(json).unwrap_err().to_string();
        assert!(got.starts_with(error), "{got}");
    }
    // A warmup holds the first momentum; a sequential keeps the last one set.
    let seq = Spec::from_json(
        r#"{"scheduler": "sequential", "milestones": [10], "schedulers": [
            {"scheduler": "one_cycle", "max_lr": 0.1, "total_steps": 10},
            {"scheduler": "constant", "factor": 1.0, "total_iters": 1}]}"#,
    )
    .unwrap();
    assert_eq!(seq.momentum(0.0), Some(0.95));
    assert_eq!(seq.momentum(50.0), seq.momentum(9.0));
}

mod training {
    use std::path::Path;

    use burn::data::dataset::Dataset;
    use burn::optim::SgdConfig;
    use burn::tensor::Device;
    use burn::train::Learner;
    use burn_lr_core::optim::cycled::CycledSgdConfig;
    use burn_lr_core::schedules::OneCycleLr;
    use burn_lr_core::{GroupLrMetric, Spec};
    use burn_lr_examples::digits;
    use burn_lr_examples::model::Mlp;
    use burn_lr_tests::{close, digits_training, per_update, serial};

    const BATCH: usize = 128;
    const EPOCHS: usize = 4;

    fn steps() -> u64 {
        digits::split(6).0.len().div_ceil(BATCH) as u64
    }

    fn spec() -> Spec {
        Spec::new(OneCycleLr::new(0.2, EPOCHS as u64 * steps()))
    }

    /// Trains up to `epochs` with SGD following the cycled momentum (or
    /// burn's SGD at a fixed momentum), from checkpoint `resume` when given;
    /// whether the run went to its end.
    fn train(directory: &Path, epochs: usize, resume: Option<usize>, cycled: bool) {
        let _serial = serial();
        let device = Device::default().autodiff();
        device.seed(6);
        let lr = spec().init(0.2).unwrap();
        let momentum = lr.momentum().unwrap();
        let optim = if cycled {
            CycledSgdConfig::new().init(momentum.clone()).unwrap()
        } else {
            SgdConfig::new().init()
        };
        let mut training = digits_training(directory, 6, BATCH, epochs)
            .metric_train_numeric(GroupLrMetric::momentum())
            .with_default_checkpointers()
            .early_stopping(lr.hook());
        if let Some(epoch) = resume {
            training = training.checkpoint(epoch);
        }
        let result = training.launch(Learner::new(Mlp::new(16, &device), optim, lr));
        assert!(result.error.is_none(), "{:?}", result.error);
    }

    #[test]
    fn the_logged_momentum_follows_the_closed_form_and_survives_a_resume() {
        let scheduler = spec().scheduler(0.2).unwrap();
        let truth: Vec<f64> = (0..EPOCHS as u64 * steps())
            .map(|k| scheduler.momentum_at(k).unwrap())
            .collect();
        let whole = tempfile::tempdir().unwrap();
        train(whole.path(), EPOCHS, None, true);
        let logged = per_update(whole.path(), "Momentum", EPOCHS).concat();
        assert_eq!(logged.len(), truth.len());
        for (k, (got, want)) in logged.iter().zip(&truth).enumerate() {
            assert!(close(*got, *want), "update {k}: {got} vs {want}");
        }
        assert!(
            truth.iter().any(|m| *m < 0.86) && truth[0] == 0.95,
            "it cycles"
        );
        // Interrupted after epoch 2 and resumed: the same momentum and LR paths.
        let split = tempfile::tempdir().unwrap();
        train(split.path(), 2, None, true);
        train(split.path(), EPOCHS, Some(2), true);
        for metric in ["Momentum", "Learning Rate"] {
            let resumed = per_update(split.path(), metric, EPOCHS).concat();
            let uninterrupted = per_update(whole.path(), metric, EPOCHS).concat();
            assert_eq!(resumed, uninterrupted, "{metric}");
        }
    }

    #[test]
    fn an_optimizer_that_ignores_the_momentum_is_stopped_by_the_hook() {
        let dir = tempfile::tempdir().unwrap();
        train(dir.path(), EPOCHS, None, false);
        let lrs = per_update(dir.path(), "Learning Rate", EPOCHS);
        assert!(
            !lrs[0].is_empty() && lrs[1].is_empty(),
            "stopped after epoch 1"
        );
    }
}

mod weight_decay {
    use burn::module::{Module, Param};
    use burn::optim::GradientsParams;
    use burn::tensor::{Device, Tensor};
    use burn_lr_core::Spec;
    use burn_lr_core::optim::cycled::CycledAdamConfig;
    use burn_lr_core::schedules::{CosineAnnealingLr, LinearLr, OneCycleLr};

    #[derive(Module, Debug)]
    struct One {
        w: Param<Tensor<1>>,
    }

    #[test]
    fn adamw_decays_by_the_scheduled_weight_decay_of_every_update() {
        let device = Device::default().autodiff();
        let lr = Spec::new(OneCycleLr::new(0.1, 10)).init(0.1).unwrap();
        // 0.5 rising to 5 over 10 updates (a DINO-style schedule, in updates).
        let schedule = Spec::new(LinearLr::new(0.1, 1.0, 10));
        let mut optim = CycledAdamConfig::new()
            .with_weight_decay(5.0)
            .with_decoupled(true)
            .with_weight_decay_schedule(Some(schedule.clone()))
            .init(lr.momentum().unwrap())
            .unwrap();
        let mut model = One {
            w: Param::from_tensor(Tensor::<1>::ones([1], &device)),
        };
        let (mut want, step_lr) = (1.0f64, 0.01);
        for k in 0..10 {
            // A zero gradient: AdamW only decays, by lr * wd_k.
            let mut grads = GradientsParams::new();
            grads.register(model.w.id, Tensor::<1>::zeros([1], &device));
            model = optim.step(step_lr, model, grads);
            want *= 1.0 - step_lr * schedule.lr(5.0, k as f64);
            let got = model.w.val().into_scalar::<f64>();
            assert!((got - want).abs() < 1e-6, "update {k}: {got} vs {want}");
        }
        let bad = CycledAdamConfig::new()
            .with_weight_decay_schedule(Some(Spec::new(CosineAnnealingLr::new(0))))
            .init(lr.momentum().unwrap())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            bad.starts_with("`weight_decay_schedule.t_max` = 0"),
            "{bad}"
        );
    }
}
