//! Each recipe's numbers against the reference it follows.

use burn::module::{Module, ParamId};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::Device;
use burn_lr_recipes::*;

/// A model with the parameter paths the DETR recipe's groups name.
#[derive(Module, Debug)]
struct Detector {
    backbone: Linear,
    transformer: Linear,
}

fn detector() -> Detector {
    let device = Device::default();
    Detector {
        backbone: LinearConfig::new(2, 2).init(&device),
        transformer: LinearConfig::new(2, 1).init(&device),
    }
}

fn lr_at(recipe: &Recipe, update: u64) -> f64 {
    recipe
        .schedule
        .scheduler(recipe.optimizer.lr)
        .unwrap()
        .lr_at(update)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

#[test]
fn resnet_steps_at_epochs_30_60_90() {
    let run = RunDescription::new(ModelFamily::Cnn, 100, 10, 256);
    let recipe = cnn_classic(&run).unwrap();
    assert_eq!(recipe.optimizer.lr, 0.1);
    assert_eq!(recipe.optimizer.momentum, Some(0.9));
    let at_epoch = |e: u64| lr_at(&recipe, e * 10);
    let expected = [
        (29, 0.1),
        (30, 0.01),
        (59, 0.01),
        (60, 0.001),
        (89, 0.001),
        (90, 1e-4),
    ];
    for (epoch, lr) in expected {
        assert!(
            close(at_epoch(epoch), lr),
            "epoch {epoch}: {}",
            at_epoch(epoch)
        );
    }
    assert!(
        close(lr_at(&recipe, 299), 0.1) && close(lr_at(&recipe, 300), 0.01),
        "held for the whole epoch"
    );
}

#[test]
fn modern_cnn_warms_up_then_cosines_to_zero() {
    let run = RunDescription::new(ModelFamily::Cnn, 100, 10, 512);
    let recipe = cnn_modern(&run).unwrap();
    assert_eq!(recipe.optimizer.lr, 0.2, "0.1 per 256 images");
    assert!(close(lr_at(&recipe, 0), 0.002));
    assert!(close(lr_at(&recipe, 50), 0.2), "peak after 5 epochs");
    assert!(lr_at(&recipe, 999) < 1e-4);
}

#[test]
fn vit_scales_with_the_batch_and_ends_at_1e_5() {
    let run = RunDescription::new(ModelFamily::Vit, 300, 10, 1024);
    let recipe = vit(&run).unwrap();
    assert_eq!(recipe.optimizer.kind, OptimizerKind::AdamW);
    assert!(close(recipe.optimizer.lr, 1e-3), "5e-4 x 1024 / 512");
    assert_eq!(recipe.optimizer.weight_decay, 0.05);
    assert!(close(lr_at(&recipe, 50), 1e-3));
    assert!((lr_at(&recipe, 2999) - 1e-5).abs() < 1e-8);
}

#[test]
fn transformer_warms_up_over_ten_percent_then_decays_linearly() {
    let run = RunDescription::new(ModelFamily::Transformer, 2, 500, 32);
    let recipe = transformer(&run).unwrap();
    assert_eq!(recipe.optimizer.grad_clip_norm, Some(1.0));
    assert_eq!(lr_at(&recipe, 0), 0.0);
    assert!(
        close(lr_at(&recipe, 100), 1e-4),
        "peak at 10% of 1000 updates"
    );
    assert!(close(lr_at(&recipe, 550), 0.5e-4));
    let inverse = transformer_inverse_sqrt(&run).unwrap();
    assert!(close(lr_at(&inverse, 400), 1e-4 * (100f64 / 400.0).sqrt()));
}

#[test]
fn detection_warms_up_500_updates_and_steps_at_8_11_or_16_22() {
    for (epochs, drops) in [(12, [8, 11]), (24, [16, 22])] {
        let run = RunDescription::new(ModelFamily::Detector, epochs, 1000, 16);
        let recipe = detection(&run).unwrap();
        assert_eq!(recipe.optimizer.lr, 0.02);
        assert!(close(lr_at(&recipe, 0), 0.02 * 0.001));
        assert!(close(lr_at(&recipe, 500), 0.02));
        assert!(close(lr_at(&recipe, drops[0] * 1000 - 1), 0.02));
        assert!(close(lr_at(&recipe, drops[0] * 1000), 0.002));
        assert!(close(lr_at(&recipe, drops[1] * 1000), 0.0002));
    }
    let big = detection(&RunDescription::new(ModelFamily::Detector, 12, 1000, 64)).unwrap();
    assert!(close(big.optimizer.lr, 0.08), "0.02 per 16 images");
}

#[test]
fn detr_backbone_runs_at_a_tenth_and_both_drop_at_epoch_200() {
    let run = RunDescription::new(ModelFamily::Detr, 300, 2, 64);
    let recipe = detr(&run).unwrap();
    assert_eq!(recipe.optimizer.grad_clip_norm, Some(0.1));
    let mut module = (recipe.schedule)
        .init_for(&detector(), recipe.optimizer.lr)
        .unwrap();
    let id = ParamId::new();
    for update in 0..600u64 {
        let lrs = module.step();
        let (backbone, transformer) = (
            lrs.lr_from_param(id, Some("backbone.conv1.weight")),
            lrs.lr_from_param(id, Some("transformer.encoder.weight")),
        );
        let decay = if update < 400 { 1.0 } else { 0.1 };
        assert!(
            close(backbone, 1e-5 * decay) && close(transformer, 1e-4 * decay),
            "update {update}"
        );
    }
    assert!(close(recipe.group_lr("backbone.conv1.weight"), 1e-5));
}

#[test]
fn segmentation_is_poly_0_9_down_to_1e_4() {
    let run = RunDescription::new(ModelFamily::Segmentation, 10, 100, 16);
    let recipe = segmentation(&run).unwrap();
    for t in [0u64, 1, 250, 999] {
        let want = (0.01 - 1e-4) * (1.0 - t as f64 / 1000.0).powf(0.9) + 1e-4;
        assert!(close(lr_at(&recipe, t), want), "update {t}");
    }
}

#[test]
fn large_batches_scale_linearly_above_one_and_the_schedule_accepts_it() {
    let run = RunDescription::new(ModelFamily::Cnn, 90, 156, 8192);
    let recipe = large_batch(&run).unwrap();
    assert!(close(recipe.optimizer.lr, 3.2), "0.1 x 8192 / 256");
    let lrs = recipe
        .schedule
        .preview(recipe.optimizer.lr, 90 * 156)
        .unwrap();
    let peak = lrs.iter().copied().fold(0.0, f64::max);
    assert!(close(peak, 3.2));
    assert!(close(lrs[0], 0.32), "warmup from 10%");
    let adam = large_batch(&RunDescription {
        optimizer: Some(OptimizerKind::Adam),
        ..run
    })
    .unwrap();
    assert!(
        close(adam.optimizer.lr, 1e-3 * 32f64.sqrt()),
        "square-root scaling"
    );
    assert_eq!(effective_batch(256, 4, 8), 8192);
}

#[test]
fn fine_tuning_runs_the_backbone_at_a_tenth() {
    let run = RunDescription {
        fine_tune: true,
        ..RunDescription::new(ModelFamily::Cnn, 10, 50, 64)
    };
    let recipe = fine_tuning(&run).unwrap();
    assert!(close(
        recipe.group_lr("backbone.layer4.weight"),
        recipe.optimizer.lr / 10.0
    ));
    assert!(close(recipe.group_lr("head.weight"), recipe.optimizer.lr));
    assert!(close(
        lr_at(&recipe, 499),
        recipe.optimizer.lr / 10.0
            + 0.9 * recipe.optimizer.lr * (1.0 + (std::f64::consts::PI * 499.0 / 500.0).cos())
                / 2.0
    ));
}

#[test]
fn fast_training_is_one_cycle_over_the_run_at_the_found_lr() {
    let run = RunDescription {
        base_lr: Some(3e-3),
        ..RunDescription::new(ModelFamily::Mlp, 10, 23, 64)
    };
    let recipe = fast_one_cycle(&run).unwrap();
    let lrs = recipe.schedule.preview(1.0, 230).unwrap();
    let peak = lrs.iter().copied().fold(0.0, f64::max);
    assert!(close(peak, 3e-3));
    assert!(close(lrs[0], 3e-3 / 25.0));
}

#[test]
fn optimizers_build() {
    for run in [
        RunDescription::new(ModelFamily::Cnn, 90, 10, 256),
        RunDescription::new(ModelFamily::Detr, 300, 10, 64),
        RunDescription::new(ModelFamily::Mlp, 10, 10, 64),
    ] {
        let recipe = recommend(&run).unwrap();
        let _optimizer = recipe.optimizer.init().unwrap();
        let _scheduler = (recipe.schedule)
            .init_for(&detector(), recipe.optimizer.lr)
            .unwrap();
    }
}

#[test]
fn batch_scaling_is_capped_at_32x_and_says_so() {
    let run = RunDescription::new(ModelFamily::Cnn, 90, 10, 1 << 30);
    let recipe = large_batch(&run).unwrap();
    assert!(close(recipe.optimizer.lr, 0.1 * MAX_BATCH_SCALE));
    assert!(
        recipe.why.iter().any(|w| w.contains("LARS")),
        "{:?}",
        recipe.why
    );
    let vit = vit(&RunDescription::new(ModelFamily::Vit, 90, 10, 1 << 30)).unwrap();
    assert!(close(vit.optimizer.lr, 5e-4 * MAX_BATCH_SCALE));
}

#[test]
fn runs_too_short_to_schedule_get_a_constant_lr_and_say_why() {
    for model in ModelFamily::ALL {
        for (epochs, steps) in [(1, 1), (1, 9), (3, 3)] {
            let run = RunDescription::new(model, epochs, steps, 64);
            let recipe = recommend(&run).unwrap();
            let lrs = recipe.schedule.preview(recipe.optimizer.lr, 9).unwrap();
            assert!(
                lrs.iter().all(|&lr| lr == recipe.optimizer.lr),
                "{model:?}: {lrs:?}"
            );
            assert!(
                recipe.why.last().unwrap().contains("too short"),
                "{:?}",
                recipe.why
            );
        }
    }
    // The groups stay: DETR's backbone still runs at a tenth.
    let detr = recommend(&RunDescription::new(ModelFamily::Detr, 1, 2, 64)).unwrap();
    assert!(close(
        detr.group_lr("backbone.conv.weight"),
        detr.optimizer.lr / 10.0
    ));
}

#[test]
fn schedule_free_runs_at_a_constant_lr_with_the_optimizers_warmup() {
    for kind in [
        OptimizerKind::ScheduleFreeAdamW,
        OptimizerKind::ScheduleFreeSgd,
    ] {
        let run = RunDescription {
            optimizer: Some(kind),
            ..RunDescription::new(ModelFamily::Vit, 100, 100, 256)
        };
        let recipe = recommend(&run).unwrap();
        assert_eq!(
            (recipe.name, recipe.optimizer.kind),
            ("schedule-free", kind)
        );
        assert_eq!(recipe.optimizer.warmup_steps, 500, "5% of 10,000 updates");
        let lrs = recipe
            .schedule
            .preview(recipe.optimizer.lr, 10_000)
            .unwrap();
        assert!(lrs.iter().all(|&lr| lr == recipe.optimizer.lr));
        assert!(recipe.optimizer.init_schedule_free().is_some());
    }
    let adamw = OptimizerSpec::for_kind(OptimizerKind::AdamW, 1e-3, 0.05, 0.0);
    assert!(adamw.init_schedule_free().is_none());
}

#[test]
fn the_advisor_proposes_lr_free_optimizers_when_asked_at_base_lr_1() {
    for kind in [OptimizerKind::Prodigy, OptimizerKind::DAdaptAdam] {
        let run = RunDescription {
            optimizer: Some(kind),
            ..RunDescription::new(ModelFamily::Cnn, 90, 500, 256)
        };
        let recipe = recommend(&run).unwrap();
        assert_eq!(recipe.name, "lr-free");
        assert_eq!(recipe.optimizer.kind, kind);
        assert_eq!(recipe.optimizer.lr, 1.0);
        assert!(
            recipe.why[0].contains("learning-rate-free"),
            "{:?}",
            recipe.why
        );
        assert!(recipe.optimizer.init_lr_free().unwrap().is_ok());
    }
    // Not asked: the family's usual recipe.
    let run = RunDescription::new(ModelFamily::Cnn, 90, 500, 256);
    assert!(!recommend(&run).unwrap().optimizer.kind.is_lr_free());
    // A base LR from the finder in front of Prodigy fails the linter.
    let run = RunDescription {
        optimizer: Some(OptimizerKind::Prodigy),
        base_lr: Some(3e-3),
        lr_from_finder: true,
        ..RunDescription::new(ModelFamily::Cnn, 90, 500, 256)
    };
    assert!(matches!(recommend(&run), Err(AdviceError::Rejected(_))));
}

#[test]
fn an_optimizer_spec_out_of_range_is_refused_by_init() {
    let sgd = OptimizerSpec::for_kind(OptimizerKind::Sgd, 0.1, 0.05, 5e-4);
    assert!(sgd.init().is_ok());
    for (spec, field) in [
        (
            OptimizerSpec {
                momentum: Some(1.2),
                ..sgd.clone()
            },
            "momentum",
        ),
        (
            OptimizerSpec {
                weight_decay: -1.0,
                ..sgd.clone()
            },
            "weight_decay",
        ),
        (
            OptimizerSpec {
                grad_clip_norm: Some(0.0),
                ..sgd.clone()
            },
            "grad_clip_norm",
        ),
        (
            OptimizerSpec {
                kind: OptimizerKind::ScheduleFreeSgd,
                momentum: Some(1.0),
                ..sgd.clone()
            },
            "momentum",
        ),
    ] {
        let message = spec.init().err().expect("refused").to_string();
        assert!(message.starts_with(&format!("`{field}` = ")), "{message}");
        if spec.kind.is_schedule_free() {
            assert!(spec.init_schedule_free().unwrap().is_err());
        }
    }
}

#[test]
fn init_builds_sgd_adam_and_adamw_and_refuses_a_kind_that_needs_its_handle() {
    use burn_lr_core::OptimizerKind as Kind;
    for kind in [Kind::Sgd, Kind::Adam, Kind::AdamW] {
        assert!(
            OptimizerSpec::for_kind(kind, 1e-3, 0.05, 0.0)
                .init()
                .is_ok(),
            "{kind:?}"
        );
    }
    for (kind, builder) in [
        (Kind::ScheduleFreeAdamW, "init_schedule_free()"),
        (Kind::ScheduleFreeSgd, "init_schedule_free()"),
        (Kind::Prodigy, "init_lr_free()"),
        (Kind::DAdaptAdam, "init_lr_free()"),
    ] {
        let spec = OptimizerSpec::for_kind(kind, 1.0, 0.05, 0.0);
        let message = spec.init().err().expect("refused").to_string();
        assert!(message.starts_with("`optimizer.kind` = "), "{message}");
        assert!(message.contains(builder), "{message}");
        // The builder named does build it.
        let built = match builder {
            "init_lr_free()" => spec.init_lr_free().map(|r| r.map(|_| ())),
            _ => spec.init_schedule_free().map(|r| r.map(|_| ())),
        };
        assert!(matches!(built, Some(Ok(()))), "{kind:?}");
    }
}
