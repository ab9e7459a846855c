//! The burn-lr features a user reaches for, each in a real burn-train run of
//! the user's own model, written from the README.

use std::sync::Mutex;

use burn::data::dataloader::batcher::Batcher;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::InferenceStep;
use burn::train::metric::store::EventStoreClient;
use burn::train::{EarlyStoppingStrategy, Learner};
use burn_lr::optim::cycled::CycledAdamConfig;
use burn_lr::optim::schedule_free::{Averaged, ScheduleFreeAdamWConfig};
use burn_lr::prelude::*;
use burn_lr_client::{BATCH, Net, PointBatcher, TRAIN_ITEMS, logged, points, training};

/// The backend's RNG is global: trainings in this binary run one at a time.
static TRAINING: Mutex<()> = Mutex::new(());

fn steps_per_epoch() -> u64 {
    StepsPerEpoch::new(TRAIN_ITEMS as u64, BATCH as u64)
        .compute()
        .unwrap()
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-9 * want.abs() + 1e-15
}

fn model() -> Net {
    let device = Device::default().autodiff();
    device.seed(0);
    Net::new(&device)
}

#[test]
fn a_pasted_pytorch_recipe_drives_every_update() {
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    // SequentialLR(LinearLR(start_factor=0.1, total_iters=1), CosineAnnealingLR(T_max=3), milestones=[1]),
    // stepped per epoch in PyTorch; here evaluated per update at fractional epochs.
    let spec = Spec::from_json(
        r#"{"scheduler": "SequentialLR", "milestones": [1], "schedulers": [
              {"scheduler": "LinearLR", "start_factor": 0.1, "total_iters": 1},
              {"scheduler": "CosineAnnealingLR", "T_max": 3}],
            "unit": "epoch", "timing": "iteration"}"#,
    )
    .unwrap()
    .with_steps_per_epoch(steps_per_epoch());
    let dir = tempfile::tempdir().unwrap();
    let lr = spec.init(1e-2).unwrap();
    let result = training(dir.path(), 4)
        .early_stopping(lr.hook())
        .launch(Learner::new(model(), AdamConfig::new().init(), lr));
    assert!(result.error.is_none(), "{:?}", result.error);
    let got = logged(dir.path(), "Learning Rate", 4).concat();
    let want = spec.preview(1e-2, 4 * steps_per_epoch() as usize).unwrap();
    assert_eq!(got.len(), want.len(), "every update of 4 epochs");
    assert!(got.iter().zip(&want).all(|(g, w)| close(*g, *w)));
    assert!(close(got[0], 1e-3), "LinearLR starts at 0.1 x the LR");
}

/// Stops after a fixed number of epochs: the user's own strategy.
#[derive(Clone)]
struct StopAfter(usize);

impl EarlyStoppingStrategy for StopAfter {
    fn should_stop(&mut self, epoch: usize, _store: &EventStoreClient) -> bool {
        epoch >= self.0
    }
}

#[test]
fn plateau_reduces_and_the_users_early_stopping_still_stops() {
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    // An absolute threshold no loss can beat: every epoch after the first is a bad one.
    let plateau = ReduceOnPlateau::new()
        .with_factor(0.5)
        .with_patience(0)
        .with_threshold(100.0, burn_lr::plateau::ThresholdMode::Abs);
    let spec = Spec::new(ConstantLr::new(1.0, 1))
        .with_steps_per_epoch(steps_per_epoch())
        .with_plateau(plateau);
    let dir = tempfile::tempdir().unwrap();
    let lr = spec.init(1e-2).unwrap();
    let result = training(dir.path(), 10)
        .early_stopping(lr.hook().wrap(StopAfter(4)))
        .launch(Learner::new(model(), AdamConfig::new().init(), lr));
    assert!(result.error.is_none(), "{:?}", result.error);
    let epochs = logged(dir.path(), "Learning Rate", 10);
    let ran: Vec<f64> = epochs
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| e[0])
        .collect();
    assert_eq!(ran.len(), 4, "the wrapped strategy stopped the run");
    // Epoch 2 is the first bad epoch: epochs 3 and 4 run at half, then a quarter.
    assert!(close(ran[0], 1e-2) && close(ran[1], 1e-2), "{ran:?}");
    assert!(close(ran[2], 5e-3) && close(ran[3], 2.5e-3), "{ran:?}");
}

#[test]
fn a_schedule_built_in_code_with_backbone_and_head_groups() {
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    let total = 3 * steps_per_epoch();
    let spec = Spec::new(OneCycleLr::new(1e-2, total)).with_group("backbone", 0.1);
    let net = model();
    assert!(
        spec.clone()
            .with_group("bakbone", 0.1)
            .init_for(&net, 1.0)
            .is_err(),
        "a misspelled group is an error"
    );
    assert!(
        spec.clone()
            .with_group("bakbone", 0.1)
            .group_lr_metrics(&net)
            .is_err(),
        "no metric logs the LR of a group no parameter is in"
    );
    let lr = spec.init_for(&net, 1.0).unwrap();
    // One-cycle cycles the momentum too (as PyTorch's): Adam's beta1 follows it.
    let optim = CycledAdamConfig::new()
        .init(lr.momentum().unwrap())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let training = spec
        .group_lr_metrics(&net)
        .unwrap()
        .into_iter()
        .fold(training(dir.path(), 3), |t, metric| {
            t.metric_train_numeric(metric)
        })
        .early_stopping(lr.hook());
    let result = training.launch(Learner::new(net, optim, lr));
    assert!(result.error.is_none(), "{:?}", result.error);
    let head = logged(dir.path(), "Learning Rate", 3).concat();
    let backbone = logged(dir.path(), "Learning Rate [backbone]", 3).concat();
    assert_eq!(head.len(), total as usize);
    assert_eq!(head, spec.preview(1.0, total as usize).unwrap());
    assert!(backbone.iter().zip(&head).all(|(b, h)| close(*b, 0.1 * h)));
}

#[test]
fn a_resumed_run_continues_the_schedule() {
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    let spec = Spec::new(CosineAnnealingLr::new(3))
        .in_epochs(Timing::Iteration)
        .with_warmup(1, 0.1)
        .with_steps_per_epoch(steps_per_epoch());
    let dir = tempfile::tempdir().unwrap();
    let launch = |epochs: usize, resume: Option<usize>| {
        let lr = spec.init(1e-2).unwrap();
        let mut training = training(dir.path(), epochs)
            .with_default_checkpointers()
            .early_stopping(lr.hook());
        if let Some(epoch) = resume {
            training = training.checkpoint(epoch);
        }
        let result = training.launch(Learner::new(model(), AdamConfig::new().init(), lr));
        assert!(result.error.is_none(), "{:?}", result.error);
    };
    launch(2, None);
    launch(4, Some(2));
    let epochs = logged(dir.path(), "Learning Rate", 4);
    let per_epoch = steps_per_epoch() as usize;
    assert!(
        epochs.iter().all(|e| e.len() == per_epoch),
        "each epoch ran once"
    );
    let want = spec.preview(1e-2, 4 * per_epoch).unwrap();
    let got = epochs.concat();
    assert!(
        got.iter().zip(&want).all(|(g, w)| close(*g, *w)),
        "the uninterrupted path"
    );
}

#[test]
fn the_advisors_recipe_lints_clean_and_trains_the_users_model() {
    use burn_lr::recipes::{ModelFamily, RunDescription, Severity, lint, recommend};
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    let run = RunDescription::new(ModelFamily::Mlp, 3, steps_per_epoch(), BATCH as u64);
    let recipe = recommend(&run).unwrap();
    assert!(
        lint(&recipe.schedule, &run)
            .unwrap()
            .iter()
            .all(|f| f.severity == Severity::Info)
    );
    let lr = recipe.schedule.init(recipe.optimizer.lr).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let result = training(dir.path(), 3)
        .early_stopping(lr.hook())
        .launch(Learner::new(
            model(),
            recipe.optimizer.init_with(&lr).unwrap(),
            lr,
        ));
    assert!(result.error.is_none(), "{:?}", result.error);
    let got = logged(dir.path(), "Learning Rate", 3).concat();
    let want = recipe
        .schedule
        .preview(recipe.optimizer.lr, 3 * steps_per_epoch() as usize)
        .unwrap();
    assert_eq!(got.len(), want.len());
    assert!(got.iter().zip(&want).all(|(g, w)| close(*g, *w)), "{got:?}");
    // The hand-written PyTorch idiom with a cosine that counts the warmup is flagged.
    let total = 3 * steps_per_epoch();
    let mistake = Spec::new(Sequential::new(
        vec![
            LinearLr::new(0.01, 1.0, total / 10).into(),
            CosineAnnealingLr::new(total).into(),
        ],
        vec![total / 10],
    ));
    let codes: Vec<_> = lint(&mistake, &run)
        .unwrap()
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(codes, ["tmax-includes-warmup"]);
}

#[test]
fn schedule_free_trains_the_users_model_and_validates_its_average() {
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    let (optim, handle) = ScheduleFreeAdamWConfig::new()
        .with_warmup_steps(steps_per_epoch())
        .init()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let result =
        training(dir.path(), 3).launch(Learner::new(Averaged::new(model(), handle), optim, 1e-2));
    assert!(result.error.is_none(), "{:?}", result.error);
    let x = result.model.averaged();
    // The average differs from the training iterate, and is what the user keeps.
    let loss = |net: &Net| {
        let batch = PointBatcher.batch(points(150, 2), &Device::default());
        InferenceStep::step(net, batch).loss.into_scalar::<f64>()
    };
    assert_ne!(loss(&x), loss(&result.model.model));
    // A cooldown built in code: warmup, stable, then 1-sqrt over updates 60..80.
    let spec = Spec::new(ConstantWithWarmup::new(10)).with_cooldown(Cooldown::new(60, 20));
    let lrs = spec.preview(1.0, 100).unwrap();
    assert_eq!(
        (lrs[59], lrs[70], lrs[79]),
        (1.0, 1.0 - 0.5f64.sqrt(), 1.0 - (19f64 / 20.0).sqrt())
    );
}

#[test]
fn the_finder_hands_off_an_lr_that_trains_the_users_model_and_leaves_it_untouched() {
    use burn::data::dataloader::DataLoaderBuilder;
    use burn::data::dataset::InMemDataset;
    use burn_lr::OptimizerKind;
    use burn_lr::finder::{FinderConfig, Method, Plan, hand_off, range_test};
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    let probe = PointBatcher.batch(points(64, 9), &Device::default().autodiff());
    let net = model();
    let before = InferenceStep::step(&net, probe.clone()).output.into_data();
    let loader = DataLoaderBuilder::new(PointBatcher)
        .batch_size(BATCH)
        .shuffle(3)
        .build(InMemDataset::new(points(TRAIN_ITEMS, 1)));
    let config = FinderConfig {
        progress: false,
        ..FinderConfig::default()
    };
    let test = range_test(net, AdamConfig::new().init(), loader, &config).unwrap();
    let after = InferenceStep::step(&test.model, probe).output.into_data();
    assert_eq!(before, after, "the model comes back untouched");
    // Warmup + cosine up to the hand-off's peak over three epochs, on the model the finder returned.
    let total = 3 * steps_per_epoch();
    let lrs = hand_off(&test, Plan::new(OptimizerKind::Adam).with_updates(total)).unwrap();
    assert_eq!(lrs.from.method, Method::HandOff);
    assert!(lrs.lr > 0.0 && lrs.max_lr > 0.0, "{lrs:?}");
    assert!(lrs.advice.contains(lrs.confidence), "{}", lrs.advice);

    let spec = Spec::new(CosineWithWarmup::new(total / 10, total));
    let lr = spec.init(lrs.lr).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let result =
        training(dir.path(), 3).launch(Learner::new(test.model, AdamConfig::new().init(), lr));
    assert!(result.error.is_none(), "{:?}", result.error);
    let path = logged(dir.path(), "Learning Rate", 3).concat();
    let peak = path.iter().copied().fold(0.0, f64::max);
    assert!(close(peak, lrs.lr), "{peak} vs {}", lrs.lr);
    let losses = logged(dir.path(), "Loss", 3);
    let mean = |epoch: &Vec<f64>| epoch.iter().sum::<f64>() / epoch.len() as f64;
    assert!(
        mean(&losses[2]) < 0.5 * mean(&losses[0]),
        "{} -> {}",
        mean(&losses[0]),
        mean(&losses[2])
    );
}

#[test]
fn a_run_the_hook_stops_is_not_reported_as_a_success() {
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    // A steps_per_epoch off by one: the schedule would run at the wrong pace.
    let spec = Spec::new(CosineAnnealingLr::new(3))
        .in_epochs(Timing::Iteration)
        .with_steps_per_epoch(steps_per_epoch() + 1);
    let dir = tempfile::tempdir().unwrap();
    let lr = spec.init(1e-2).unwrap();
    let hook = lr.hook();
    let result = training(dir.path(), 3)
        .early_stopping(hook.clone())
        .launch(Learner::new(model(), AdamConfig::new().init(), lr));
    assert!(result.error.is_none(), "burn-train sees a finished run");
    let problem = hook.problem().expect("the hook reports the stop");
    assert!(problem.stopped && problem.epoch == 1, "{problem:?}");
    assert!(problem.message.contains("steps_per_epoch"), "{problem:?}");
    let epochs = logged(dir.path(), "Learning Rate", 3);
    assert!(
        !epochs[0].is_empty() && epochs[1].is_empty() && epochs[2].is_empty(),
        "one epoch ran"
    );
}
