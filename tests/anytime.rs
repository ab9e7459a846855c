//! The anytime workflow through burn-train: an open-ended warmup + constant
//! run saves a checkpoint every epoch; from the checkpoint of epoch k a branch
//! resumes with a cooldown and ends cooled down; the stable run resumed from
//! the same checkpoint goes on exactly as if never branched; a second branch
//! from a later checkpoint works the same. And a run resumed under a longer
//! horizon re-targets its remaining decay without an LR jump.

use std::path::Path;

use burn::data::dataset::Dataset;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::Learner;
use burn_lr_core::schedules::{ConstantWithWarmup, CosineAnnealingLr, WsdShape};
use burn_lr_core::spec::Cooldown;
use burn_lr_core::{HookProblem, Spec};
use burn_lr_examples::digits;
use burn_lr_examples::model::Mlp;
use burn_lr_tests::{close, digits_training, per_update, serial};

const BATCH: usize = 128;
const LR: f64 = 1e-2;

fn steps() -> u64 {
    digits::split(3).0.len().div_ceil(BATCH) as u64
}

/// One epoch of warmup, then a constant LR for as long as the run goes.
fn stable() -> Spec {
    Spec::new(ConstantWithWarmup::new(steps()))
}

/// Trains `spec` up to epoch `epochs` in `directory`, from checkpoint
/// `resume` when given, saying the hook's problem. A spec that differs from
/// the checkpoint's is allowed when `changed` (a branch, a new horizon).
fn train_checked(
    directory: &Path,
    spec: &Spec,
    epochs: usize,
    resume: Option<usize>,
    changed: bool,
) -> Option<HookProblem> {
    let _serial = serial();
    let device = Device::default().autodiff();
    device.seed(3);
    let mut lr = spec.init(LR).unwrap();
    if changed {
        lr = lr.allow_spec_change();
    }
    let hook = lr.hook();
    let mut training = digits_training(directory, 3, BATCH, epochs)
        .with_default_checkpointers()
        .early_stopping(hook.clone());
    if let Some(epoch) = resume {
        training = training.checkpoint(epoch);
    }
    let result = training.launch(Learner::new(
        Mlp::new(16, &device),
        AdamConfig::new().init(),
        lr,
    ));
    assert!(result.error.is_none(), "{:?}", result.error);
    hook.problem()
}

/// [`train_checked`], which must find no problem.
fn train(directory: &Path, spec: &Spec, epochs: usize, resume: Option<usize>, changed: bool) {
    let problem = train_checked(directory, spec, epochs, resume, changed);
    assert!(problem.is_none(), "{problem:?}");
}

/// A new run directory holding `from`'s checkpoints: a branch.
fn branch(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = (from.join("checkpoint"), dir.path().join("checkpoint"));
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
    }
    dir
}

fn assert_path(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: updates");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w), "{what}, update {k}: {g} vs {w}");
    }
}

#[test]
fn branch_a_cooldown_resume_the_stable_run_and_branch_again() {
    let s = steps() as usize;
    let stable_path = stable().preview(LR, 4 * s).unwrap();
    let main = tempfile::tempdir().unwrap();
    train(main.path(), &stable(), 2, None, false);

    // Branch 1: from epoch 2, one epoch of 1-sqrt cooldown to 0.
    let first = branch(main.path());
    let cool = stable().with_cooldown(Cooldown::new(2 * s as u64, s as u64));
    train(first.path(), &cool, 3, Some(2), true);
    let cooled = per_update(first.path(), "Learning Rate", 3);
    assert!(
        cooled[..2].iter().all(Vec::is_empty),
        "epochs 1-2 are the checkpoint's"
    );
    let want: Vec<f64> = (0..s)
        .map(|k| LR * (1.0 - (k as f64 / s as f64).sqrt()))
        .collect();
    assert_path(&cooled[2], &want, "cooldown from epoch 2");
    assert_eq!(
        cooled[2][0],
        stable_path[2 * s],
        "no jump where the branch starts"
    );

    // The stable run resumed from the same checkpoint goes on; then branch 2
    // leaves it at epoch 3: a linear cooldown of half an epoch to 10%.
    train(main.path(), &stable(), 3, Some(2), false);
    let second = branch(main.path());
    let half = (s / 2) as u64;
    let late = stable().with_cooldown(
        Cooldown::new(3 * s as u64, half)
            .with_shape(WsdShape::Linear)
            .with_min_lr_ratio(0.1),
    );
    train(second.path(), &late, 4, Some(3), true);
    let cooled = per_update(second.path(), "Learning Rate", 4);
    let want: Vec<f64> = (0..s as u64)
        .map(|k| LR * (0.1 + 0.9 * (1.0 - (k.min(half) as f64 / half as f64))))
        .collect();
    assert_path(&cooled[3], &want, "cooldown from epoch 3");

    // The stable run, resumed twice around its branches, is the uninterrupted path.
    train(main.path(), &stable(), 4, Some(3), false);
    let resumed = per_update(main.path(), "Learning Rate", 4).concat();
    assert_path(&resumed, &stable_path, "the stable run");
}

#[test]
fn a_longer_horizon_on_resume_retargets_the_decay_without_a_jump() {
    let s = steps();
    // Planned: warmup + cosine over 4 epochs. Saved at epoch 2, then the budget grows to 6 epochs.
    let planned = Spec::new(CosineAnnealingLr::new(3 * s)).with_warmup(s, 0.1);
    let dir = tempfile::tempdir().unwrap();
    train(dir.path(), &planned, 2, None, false);
    let longer = planned
        .clone()
        .with_cooldown(Cooldown::new(2 * s, 4 * s).with_shape(WsdShape::Cosine));
    // Resumed without saying the change is deliberate: stopped after the first resumed epoch.
    let unsaid = branch(dir.path());
    let problem = train_checked(unsaid.path(), &longer, 6, Some(2), false)
        .expect("a resume with another spec is stopped");
    assert!(problem.stopped && problem.epoch == 3, "{problem:?}");
    assert!(problem.message.contains("allow_spec_change"), "{problem:?}");
    assert_eq!(
        per_update(unsaid.path(), "Learning Rate", 6).concat().len(),
        s as usize
    );
    train(dir.path(), &longer, 6, Some(2), true);
    let path = per_update(dir.path(), "Learning Rate", 6).concat();
    assert_eq!(path.len(), 6 * s as usize);
    let at = |k: u64| path[k as usize];
    // The update before the resume is the planned curve's; the one after continues from it.
    let reached = planned.preview(LR, 2 * s as usize + 1).unwrap();
    assert!(close(at(2 * s - 1), reached[2 * s as usize - 1]));
    assert!(
        close(at(2 * s), reached[2 * s as usize]),
        "the first resumed update is the planned LR"
    );
    let step = (at(2 * s - 1) - at(2 * s)).abs();
    let usual = (at(2 * s - 2) - at(2 * s - 1)).abs();
    assert!(
        step <= 1.5 * usual,
        "no jump: {step} vs {usual} per update before"
    );
    // ...and the decay now ends with the new horizon.
    assert!(at(5 * s) > 0.1 * at(2 * s), "still decaying in epoch 6");
    assert!(at(6 * s - 1) < 1e-2 * at(2 * s), "and ends near 0");
    // What a fresh cosine over the new horizon would have done at the resume point.
    let naive = Spec::new(CosineAnnealingLr::new(5 * s)).with_warmup(s, 0.1);
    let jump = naive.preview(LR, 2 * s as usize + 1).unwrap()[2 * s as usize];
    assert!(
        jump > 1.1 * at(2 * s),
        "a new t_max jumps up by 20%: {jump} vs {}",
        at(2 * s)
    );
}
