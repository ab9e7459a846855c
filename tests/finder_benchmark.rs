//! The LR benchmark's stored measurements support what the library ships:
//! the descent family wins leave-one-task-out, its constants are the
//! ones fitted on every task, the default sweep length is the shortest that
//! keeps the score, the trust thresholds pass every benchmark curve, and
//! `docs/finder-benchmark.md` is what the measurements say.

use std::sync::OnceLock;

use burn_lr_examples::finder_bench::data;
use burn_lr_examples::finder_bench::report::{self, Analysis};
use burn_lr_examples::finder_bench::score::SHIPPED;
use burn_lr_examples::finder_bench::tasks;
use burn_lr_finder::descent::{
    DESCENT_FRACTION, ONE_CYCLE_DIVISOR, SMOOTHING_WIDTH, WARMUP_COSINE_DIVISOR,
};
use burn_lr_finder::{FinderConfig, Trust};

fn analysis() -> &'static Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(|| {
        let dir = data::directory();
        let grid = data::read_grid(&dir).unwrap();
        let sweeps = data::read_sweeps(&dir).unwrap();
        Analysis::new(&tasks::all(), &grid, sweeps)
    })
}

fn default_length() -> usize {
    FinderConfig::default().num_iter
}

#[test]
fn the_shipped_rule_wins_leave_one_task_out_and_beats_every_fastai_rule() {
    let (family, held, _) = analysis().winner(default_length()).unwrap();
    assert_eq!(family.name, SHIPPED);
    for (other, other_held, _) in analysis().at(default_length()).unwrap() {
        if other.name.starts_with("fastai") {
            for schedule in 0..2 {
                assert!(
                    held.total[schedule].in_band > other_held.total[schedule].in_band,
                    "{} vs {}: {:?} vs {:?}",
                    family.name,
                    other.name,
                    held.total[schedule],
                    other_held.total[schedule]
                );
            }
        }
    }
}

#[test]
fn the_library_constants_are_the_ones_fitted_on_every_task() {
    let (family, _, fitted) = analysis().winner(default_length()).unwrap();
    assert_eq!(
        family.shapes[fitted.shape].1,
        [SMOOTHING_WIDTH, DESCENT_FRACTION]
    );
    assert_eq!(fitted.divisors, [WARMUP_COSINE_DIVISOR, ONE_CYCLE_DIVISOR]);
}

#[test]
fn the_default_sweep_is_the_shortest_that_keeps_the_score() {
    assert_eq!(analysis().default_length(), Some(default_length()));
}

#[test]
fn every_benchmark_curve_passes_the_trust_checks_and_early_stops_do_not() {
    for run in &analysis().sweeps {
        let trust = report::trust_of(run).unwrap();
        assert!(
            matches!(trust, Trust::Ok | Trust::StillFalling),
            "{} n{} s{}: {trust:?}",
            run.task,
            run.num_iter,
            run.seed
        );
    }
    let curves = analysis()
        .sweeps
        .iter()
        .filter(|r| r.num_iter == default_length())
        .count();
    let (flagged, cut) = report::truncated_flags(analysis());
    assert_eq!(cut, curves, "every curve can be cut early");
    assert_eq!(flagged, cut, "a sweep that ends too early is flagged");
}

#[test]
fn the_report_is_what_the_measurements_say() {
    let dir = tempfile::tempdir().unwrap();
    report::write(&tasks::all(), analysis(), dir.path()).unwrap();
    let fresh = std::fs::read_to_string(dir.path().join("finder-benchmark.md")).unwrap();
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/finder-benchmark.md"),
    )
    .unwrap();
    assert!(
        fresh == committed,
        "docs/finder-benchmark.md is stale: run `cargo run --release -p burn-lr-examples --example \
         finder_benchmark -- report`"
    );
}
