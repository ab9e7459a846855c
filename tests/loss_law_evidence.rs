//! The loss-curve laws' stored evidence: every schedule has its runs on
//! every seed, the stored plan is what `plan` picks from the stored fitted
//! runs, and `docs/loss-law.md` is what the runs say.

use burn_lr_examples::loss_law::{self, PLANNED, SEEDS, report};

#[test]
fn every_schedule_is_stored_with_its_lrs_on_every_seed() {
    let dir = loss_law::directory();
    for schedule in loss_law::fitted().iter().chain(&loss_law::held_out()) {
        let measured = loss_law::read(&dir, &schedule.name).unwrap();
        assert_eq!(measured.lrs, schedule.lrs().unwrap(), "{}", schedule.name);
        assert_eq!(measured.losses.len(), SEEDS.len(), "{}", schedule.name);
    }
    let planned = loss_law::planned(&dir).unwrap();
    let measured = loss_law::read(&dir, PLANNED).unwrap();
    assert_eq!(measured.lrs, planned.lrs().unwrap());
}

#[test]
fn the_stored_plan_is_what_plan_picks_from_the_fitted_runs() {
    let dir = loss_law::directory();
    let laws = report::laws(&dir).unwrap();
    let pick = report::plan_pick(&dir, &laws[0]).unwrap();
    assert_eq!(pick.spec, loss_law::planned(&dir).unwrap().spec);
}

#[test]
fn the_report_is_what_the_runs_say() {
    let out = tempfile::tempdir().unwrap();
    report::write(&loss_law::directory(), out.path()).unwrap();
    burn_lr_tests::assert_doc_is_fresh(out.path(), "loss-law.md", "loss_law_evidence", "report");
}

#[test]
fn rank_correlation_is_spearmans() {
    assert!((report::rank_correlation(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
    assert!((report::rank_correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
    // d = (0, 1, -1): 1 - 6 * 2 / (3 * 8) = 0.5.
    assert!((report::rank_correlation(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]) - 0.5).abs() < 1e-12);
}
