//! The LR benchmark's stored measurements support what the library ships:
//! the shipped family wins leave-one-task-out and beats every fastai rule,
//! its constants (anchor, divisors, length exponent) are the ones fitted on
//! every task and length, it never hands off at the collapse LR held out,
//! and `docs/finder-benchmark.md` is what the measurements say.

use std::sync::OnceLock;

use burn_lr_core::OptimizerKind;
use burn_lr_examples::finder_bench::data;
use burn_lr_examples::finder_bench::report::Analysis;
use burn_lr_examples::finder_bench::score::SHIPPED;
use burn_lr_examples::finder_bench::tasks::{self, LENGTHS};
use burn_lr_examples::finder_bench::{Recording, report};
use burn_lr_finder::rule::{
    self, BETA, MEASURED_UPDATES, ONE_CYCLE_DIVISOR, SHIPPED_ANCHOR, WARMUP_COSINE_DIVISOR,
};
use burn_lr_finder::{Plan, hand_off};

fn analysis() -> &'static Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(|| {
        let dir = data::directory();
        let grid = data::read_grid(&dir).unwrap();
        let sweeps = data::read_sweeps(&dir).unwrap();
        Analysis::new(&tasks::all(), &grid, sweeps)
    })
}

#[test]
fn the_shipped_rule_wins_leave_one_task_out_and_beats_every_fastai_rule() {
    let winner = analysis().winner().unwrap();
    assert_eq!(winner.family.name, SHIPPED);
    for other in &analysis().families {
        if other.family.name.starts_with("fastai") {
            assert!(
                winner.by_task.objective() > other.by_task.objective(),
                "{} vs {}: {} vs {}",
                winner.family.name,
                other.family.name,
                winner.by_task.objective(),
                other.by_task.objective()
            );
        }
    }
}

#[test]
fn the_shipped_rule_never_hands_off_at_the_collapse_lr_held_out() {
    let shipped = analysis().shipped().unwrap();
    for held in [&shipped.by_task, &shipped.by_length] {
        for score in held.total.iter().flatten() {
            assert_eq!(score.collapses, 0, "{score:?}");
        }
    }
}

#[test]
fn the_library_constants_are_the_ones_fitted_on_every_task_and_length() {
    let shipped = analysis().shipped().unwrap();
    let (fitted, _) = &shipped.all;
    assert_eq!(shipped.family.shapes[fitted.shape].1, SHIPPED_ANCHOR);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs();
    assert!(
        close(fitted.divisors[0], WARMUP_COSINE_DIVISOR),
        "{fitted:?}"
    );
    assert!(close(fitted.divisors[1], ONE_CYCLE_DIVISOR), "{fitted:?}");
    assert!(close(fitted.beta, BETA), "{fitted:?}");
    assert_eq!(MEASURED_UPDATES, (LENGTHS[0], LENGTHS[LENGTHS.len() - 1]));
}

#[test]
fn the_library_hands_off_what_the_benchmark_scored() {
    let shipped = analysis().shipped().unwrap();
    let (fitted, _) = &shipped.all;
    for run in analysis()
        .sweeps
        .iter()
        .filter(|r| r.recording == Recording::FASTAI)
    {
        let test = run.range_test();
        let anchor = rule::anchor(&test, SHIPPED_ANCHOR, rule::FASTAI_SMOOTHING).unwrap();
        for updates in [100, 300, 460, 1000, 3000, 10_000] {
            let h = hand_off(&test, Plan::new(OptimizerKind::Adam).with_updates(updates)).unwrap();
            let (lr, max_lr) = (
                fitted.suggest(anchor, 0, false, updates),
                fitted.suggest(anchor, 1, false, updates),
            );
            assert!(
                (h.lr / lr - 1.0).abs() < 1e-9,
                "{updates}: {} vs {lr}",
                h.lr
            );
            assert!((h.max_lr / max_lr - 1.0).abs() < 1e-9, "{updates}");
        }
    }
}

#[test]
fn every_recording_of_every_task_is_in_the_data() {
    let sweeps = &analysis().sweeps;
    for task in tasks::all() {
        for recording in Recording::all() {
            let n = sweeps
                .iter()
                .filter(|r| r.task == task.name() && r.recording == recording.name)
                .count();
            assert_eq!(n, recording.seeds, "{} {}", task.name(), recording.name);
        }
    }
}

#[test]
fn the_report_is_what_the_measurements_say() {
    let dir = tempfile::tempdir().unwrap();
    report::write(&tasks::all(), analysis(), dir.path()).unwrap();
    burn_lr_tests::assert_doc_is_fresh(
        dir.path(),
        "finder-benchmark.md",
        "finder_benchmark",
        "report",
    );
}

#[test]
fn the_tuner_report_is_what_the_live_searches_say() {
    use burn_lr_examples::finder_bench::{data, tuner};
    let dir = tempfile::tempdir().unwrap();
    let measured = data::directory();
    let report = tuner::report(
        &tasks::all(),
        &data::read_grid(&measured).unwrap(),
        &tuner::read(&measured).unwrap(),
    );
    std::fs::write(dir.path().join(tuner::REPORT), report).unwrap();
    burn_lr_tests::assert_doc_is_fresh(
        dir.path(),
        tuner::REPORT,
        "finder_benchmark",
        "tuner-report",
    );
}
