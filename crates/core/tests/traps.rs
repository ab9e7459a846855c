//! Each configuration trap of a burn user's own setup is an error, not a
//! silently different LR curve. (The epoch-end checks of `LrHook` for two
//! devices, accumulation and an unrestored resume are unit tests beside the
//! hook, fed with the update counts burn-train makes: this CPU backend runs
//! one device.)

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::Device;
use burn_lr_core::schedules::{CosineAnnealingLr, LinearLr};
use burn_lr_core::{Spec, StepsPerEpoch, Timing, lambda};

fn error(result: Result<impl std::fmt::Debug, burn_lr_core::ConfigError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn a_zero_horizon_built_in_code_is_rejected_at_init() {
    let err = error(Spec::new(CosineAnnealingLr::new(0)).init(0.1));
    assert_eq!(err, "`t_max` = 0 is invalid: allowed an integer >= 1");
    let err = error(Spec::new(LinearLr::new(0.1, 1.0, 0)).init(0.1));
    assert_eq!(err, "`total_iters` = 0 is invalid: allowed an integer >= 1");
}

#[test]
fn a_nan_or_negative_group_multiplier_is_rejected() {
    for mult in [f64::NAN, -1.0, f64::INFINITY] {
        let err = error(
            Spec::new(CosineAnnealingLr::new(10))
                .with_group("backbone", mult)
                .init(0.1),
        );
        assert!(err.starts_with("`groups[0].lr_mult` ="), "{err}");
        assert!(err.contains("a finite number >= 0"), "{err}");
    }
}

#[test]
fn a_warmup_start_factor_above_one_is_rejected() {
    let err = error(
        Spec::new(CosineAnnealingLr::new(10))
            .with_warmup(5, 5.0)
            .init(0.1),
    );
    assert_eq!(
        err,
        "`warmup.start_factor` = 5 is invalid: allowed a number in [0, 1]"
    );
}

#[test]
fn zero_or_missing_steps_per_epoch_is_an_error_not_a_panic() {
    let spec = Spec::new(CosineAnnealingLr::new(10)).in_epochs(Timing::Iteration);
    assert!(error(spec.init(0.1)).starts_with("`steps_per_epoch` is missing"));
    let err = error(spec.with_steps_per_epoch(0).init(0.1));
    assert_eq!(
        err,
        "`steps_per_epoch` = 0 is invalid: allowed an integer >= 1"
    );
    assert!(error(StepsPerEpoch::new(100, 0).compute()).starts_with("`batch_size` = 0"));
}

#[test]
fn steps_per_epoch_follows_burn_train_with_devices_and_accumulation() {
    // 1000 items in batches of 10: 100 batches on one device.
    assert_eq!(StepsPerEpoch::new(1000, 10).compute().unwrap(), 100);
    // 2 devices: 500 items each, 50 steps.
    assert_eq!(
        StepsPerEpoch::new(1000, 10)
            .with_devices(2)
            .compute()
            .unwrap(),
        50
    );
    // 3 devices: 333, 333 and 334 items; the largest split has 34 batches.
    assert_eq!(
        StepsPerEpoch::new(1000, 10)
            .with_devices(3)
            .compute()
            .unwrap(),
        34
    );
    // Accumulation 3: updates after batches 3, 6, ..., 99 and the last window of 1.
    let accumulated = StepsPerEpoch::new(1000, 10).with_grad_accumulation(3);
    assert_eq!(accumulated.compute().unwrap(), 34);
}

#[derive(Module, Debug)]
struct Net {
    backbone: Linear,
    head: Linear,
}

#[test]
fn a_misspelled_group_pattern_is_an_error_with_the_model_at_hand() {
    let device = Device::default();
    let net = Net {
        backbone: LinearConfig::new(3, 3).init(&device),
        head: LinearConfig::new(3, 1).init(&device),
    };
    let spec = Spec::new(CosineAnnealingLr::new(10));
    assert!(
        spec.clone()
            .with_group("backbone", 0.1)
            .init_for(&net, 0.1)
            .is_ok()
    );
    assert!(
        spec.clone()
            .with_group("head.weight", 0.1)
            .init_for(&net, 0.1)
            .is_ok()
    );
    for typo in ["backbon", "Backbone", "bone"] {
        let err = error(spec.clone().with_group(typo, 0.1).init_for(&net, 0.1));
        assert!(err.starts_with("`groups[0].match`"), "{err}");
        assert!(err.contains("\"backbone\", \"head\""), "{err}");
    }
}

#[test]
fn pytorch_spellings_are_accepted_and_duplicates_rejected() {
    let torch =
        Spec::from_json(r#"{"scheduler": "CosineAnnealingWarmRestarts", "T_0": 5, "T_mult": 2}"#)
            .unwrap();
    let ours = Spec::from_json(
        r#"{"scheduler": "cosine_annealing_warm_restarts", "t_0": 5, "t_mult": 2}"#,
    )
    .unwrap();
    assert_eq!(torch, ours);
    let err = error(Spec::from_json(
        r#"{"scheduler": "cosine_annealing", "t_max": 5, "T_max": 6}"#,
    ));
    assert!(err.contains("not both"), "{err}");
}

#[test]
fn a_spec_holding_a_closure_cannot_be_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lambda.json");
    let err = error(lambda("halving", |t| 0.5f64.powf(t)).save(&path));
    assert!(err.contains("closure and cannot be saved"), "{err}");
    assert!(!path.exists(), "nothing is written");
    // A spec without closures round-trips.
    let spec = Spec::new(CosineAnnealingLr::new(7)).with_warmup(2, 0.1);
    spec.save(&path).unwrap();
    assert_eq!(Spec::from_file(&path).unwrap(), spec);
}
