//! ReduceLROnPlateau (PyTorch's recorded sequences are in `golden.rs`): clones
//! stepping in parallel as DDP workers do, and real burn-train trainings (the LR drops
//! where PyTorch's rule says, resume from a checkpoint, warmup + cosine +
//! plateau, early stopping still working when wrapped).

use std::path::Path;
use std::sync::{Arc, Barrier, Mutex};

use burn::data::dataset::Dataset;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::AdamConfig;
use burn::tensor::Device;
use burn::train::metric::AccuracyMetric;
use burn::train::metric::store::{Aggregate, Direction, Split};
use burn::train::{EarlyStoppingStrategy, Learner, MetricEarlyStoppingStrategy, StoppingCondition};
use burn_lr_core::{LrHook, Spec};
use burn_lr_examples::digits;
use burn_lr_examples::model::Mlp;
use burn_lr_examples::report::{EpochRow, read_epochs};
use burn_lr_tests::{close, digits_training, serial};

fn torch_rule(losses: &[f64], lr: f64, factor: f64, patience: u64, threshold: f64) -> Vec<f64> {
    let (mut lr, mut best, mut bad) = (lr, f64::INFINITY, 0);
    let mut lrs = vec![lr];
    for &loss in losses {
        if loss < best * (1.0 - threshold) {
            best = loss;
            bad = 0;
        } else {
            bad += 1;
        }
        if bad > patience {
            let new = lr * factor;
            if lr - new > 1e-8 {
                lr = new;
            }
            bad = 0;
        }
        lrs.push(lr);
    }
    lrs
}

const BATCH: usize = 128;

static TRAINING: Mutex<()> = Mutex::new(());

struct Run {
    rows: Vec<EpochRow>,
}

/// Trains the digits MLP (no shuffling, so runs are reproducible) under a plateau spec.
fn train<S>(
    directory: &Path,
    spec: &str,
    epochs: usize,
    setup: impl FnOnce(LrHook) -> Resume<S>,
) -> Run
where
    S: EarlyStoppingStrategy + Clone + Send + Sync + 'static,
{
    // The backend's RNG is global: trainings in this binary run one at a time.
    let _serial = TRAINING.lock().unwrap_or_else(|e| e.into_inner());
    let (train, _) = digits::split(3);
    let steps_per_epoch = train.len().div_ceil(BATCH) as u64;
    let spec = Spec::from_json(spec)
        .unwrap()
        .with_steps_per_epoch(steps_per_epoch);
    let (scheduler, hook) = spec.init(3e-2).unwrap().into_parts();
    let resume = setup(hook);
    let device = Device::default().autodiff();
    let _serial = serial();
    device.seed(3);
    let mut training = digits_training(directory, 3, BATCH, epochs)
        .with_default_checkpointers()
        .early_stopping(resume.hook);
    if let Some(epoch) = resume.from_checkpoint {
        training = training.checkpoint(epoch);
    }
    let result = training.launch(Learner::new(
        Mlp::new(32, &device),
        AdamConfig::new().init(),
        scheduler,
    ));
    assert!(result.error.is_none(), "{:?}", result.error);
    Run {
        rows: read_epochs(directory, epochs),
    }
}

struct Resume<S> {
    hook: LrHook<S>,
    from_checkpoint: Option<usize>,
}

fn fresh<S>(hook: LrHook<S>) -> Resume<S> {
    Resume {
        hook,
        from_checkpoint: None,
    }
}

const STALLING: &str =
    r#"{"scheduler": "reduce_on_plateau", "factor": 0.5, "patience": 0, "threshold": 0.05}"#;

#[test]
fn the_lr_drops_where_pytorchs_rule_predicts_from_the_logged_losses() {
    let dir = tempfile::tempdir().unwrap();
    let run = train(dir.path(), STALLING, 10, fresh);
    assert_eq!(run.rows.len(), 10);
    let losses: Vec<f64> = run.rows.iter().map(|r| r.valid_loss).collect();
    let predicted = torch_rule(&losses, 3e-2, 0.5, 0, 0.05);
    for row in &run.rows {
        let want = predicted[row.epoch - 1];
        assert!(
            close(row.lr_first, want) && close(row.lr_last, want),
            "epoch {}: {} vs {want}",
            row.epoch,
            row.lr_first
        );
    }
    assert!(
        predicted[9] < 3e-2,
        "the validation loss stalled at least once: {losses:?}"
    );
}

#[test]
fn a_resumed_run_follows_the_lr_path_of_an_uninterrupted_one() {
    let whole = tempfile::tempdir().unwrap();
    let uninterrupted = train(whole.path(), STALLING, 8, fresh);

    let split = tempfile::tempdir().unwrap();
    train(split.path(), STALLING, 4, fresh);
    let resumed = train(split.path(), STALLING, 8, |hook| {
        assert_eq!(hook.backfill_from_logs(split.path(), 4), 4);
        Resume {
            hook,
            from_checkpoint: Some(4),
        }
    });
    let lrs = |run: &Run| {
        run.rows
            .iter()
            .map(|r| (r.lr_first, r.lr_last))
            .collect::<Vec<_>>()
    };
    assert_eq!(lrs(&resumed), lrs(&uninterrupted));
    assert!(
        uninterrupted.rows[7].lr_first < 3e-2,
        "the path includes a reduction"
    );
}

#[test]
fn warmup_then_cosine_reduced_on_plateau_in_one_training() {
    let spec = r#"{"scheduler": "reduce_on_plateau", "factor": 0.5, "patience": 0, "threshold": 0.05,
        "base": {"scheduler": "cosine_annealing", "t_max": 10, "eta_min": 0.001,
                 "unit": "epoch", "timing": "iteration", "warmup": {"total_iters": 2, "start_factor": 0.1}}}"#;
    let dir = tempfile::tempdir().unwrap();
    let run = train(dir.path(), spec, 12, fresh);
    let (train_set, _) = digits::split(3);
    let base = Spec::from_json(spec)
        .unwrap()
        .with_steps_per_epoch(train_set.len().div_ceil(BATCH) as u64);
    let steps_per_epoch = train_set.len().div_ceil(BATCH);
    // The base curve: the same spec with no metric.
    let curve = base.preview(3e-2, 12 * steps_per_epoch).unwrap();
    for row in &run.rows {
        let base_lr = curve[(row.epoch - 1) * steps_per_epoch];
        if row.epoch <= 3 {
            // Warmup epochs: the plateau rule is idle, so the base curve applies untouched.
            assert!(
                close(row.lr_first, base_lr),
                "epoch {}: {} vs {base_lr}",
                row.epoch,
                row.lr_first
            );
        }
        assert!(
            row.lr_first <= base_lr * (1.0 + 1e-12),
            "never above the base curve"
        );
    }
    assert!(
        close(run.rows[0].lr_first, 3e-3),
        "warmup starts at 0.1 x base"
    );
    let reduced = run
        .rows
        .iter()
        .any(|r| r.lr_first < curve[(r.epoch - 1) * steps_per_epoch] * 0.99);
    assert!(reduced, "a plateau reduction happened on top of the cosine");
}

#[test]
fn a_wrapped_early_stopping_strategy_still_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let stop = MetricEarlyStoppingStrategy::new(
        &AccuracyMetric::new(),
        Aggregate::Mean,
        Direction::Highest,
        Split::Valid,
        StoppingCondition::NoImprovementSince { n_epochs: 2 },
    );
    let run = train(dir.path(), STALLING, 60, |hook| fresh(hook.wrap(stop)));
    assert!(
        run.rows.len() < 60,
        "early stopping ended the run after {} epochs",
        run.rows.len()
    );
    assert!(run.rows.len() >= 3);
}

#[test]
fn cloned_schedulers_stepping_in_parallel_agree_with_a_single_device_run() {
    const WORKERS: usize = 4;
    const EPOCHS: u64 = 12;
    const STEPS: u64 = 5;
    let spec = Spec::from_json(
        r#"{"scheduler": "reduce_on_plateau", "factor": 0.5, "patience": 1, "cooldown": 1,
            "base": {"scheduler": "cosine_annealing", "t_max": 60}}"#,
    )
    .unwrap()
    .with_steps_per_epoch(STEPS);
    let metrics: Vec<f64> = (0..EPOCHS)
        .map(|e| [1.0, 0.9, 0.9, 0.95, 0.9, 0.8][e as usize % 6])
        .collect();
    let single = spec
        .preview_with_metrics(0.1, (EPOCHS * STEPS) as usize, &metrics)
        .unwrap();

    let (scheduler, hook) = spec.init(0.1).unwrap().into_parts();
    let barrier = Arc::new(Barrier::new(WORKERS));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (mut scheduler, hook, barrier, metrics) = (
                scheduler.clone(),
                hook.clone(),
                barrier.clone(),
                metrics.clone(),
            );
            std::thread::spawn(move || {
                let mut lrs = Vec::new();
                for epoch in 1..=EPOCHS {
                    for _ in 0..STEPS {
                        lrs.push(scheduler.step().base());
                    }
                    // Every worker's hook posts the same epoch; the writes are idempotent.
                    hook.observe(epoch, metrics[epoch as usize - 1]);
                    barrier.wait();
                }
                lrs
            })
        })
        .collect();
    for worker in workers {
        let lrs = worker.join().unwrap();
        assert_eq!(
            lrs.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            single.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
    assert!(
        single.last().unwrap() < &(0.1 * 0.5),
        "the metrics triggered reductions"
    );
}

#[test]
fn plateau_schedulers_resume_bit_identically_from_their_record() {
    let spec = Spec::from_json(
        r#"{"scheduler": "reduce_on_plateau", "factor": 0.3, "patience": 1,
        "warmup": {"total_iters": 3}, "steps_per_epoch": 4}"#,
    )
    .unwrap();
    let metrics = [3.0, 2.0, 2.5, 2.4, 2.6, 1.0, 1.1, 1.2, 1.3, 0.5];
    let truth = spec.preview_with_metrics(0.2, 40, &metrics).unwrap();
    for save_at in [0usize, 5, 17, 24, 39] {
        let (mut first, hook) = spec.init(0.2).unwrap().into_parts();
        for update in 0..save_at as u64 {
            if update > 0 && update % 4 == 0 {
                hook.observe(update / 4, metrics[(update / 4 - 1) as usize]);
            }
            first.step();
        }
        let record = first.to_record();
        // A resumed run back-fills the completed epochs, then posts each new one.
        let (resumed, hook) = spec.init(0.2).unwrap().into_parts();
        for epoch in 1..=save_at as u64 / 4 {
            hook.observe(epoch, metrics[epoch as usize - 1]);
        }
        let mut resumed: ModuleLrScheduler = resumed.load_record(record);
        let rest: Vec<u64> = (save_at as u64..40)
            .map(|update| {
                if update > 0 && update % 4 == 0 {
                    hook.observe(update / 4, metrics[(update / 4 - 1) as usize]);
                }
                resumed.step().base().to_bits()
            })
            .collect();
        let want: Vec<u64> = truth[save_at..].iter().map(|x| x.to_bits()).collect();
        assert_eq!(rest, want, "resumed at update {save_at}");
    }
    assert!(truth[39] < 0.2 * 0.3, "the path includes reductions");
}
