//! The search's arithmetic, pure: how a budget becomes rungs of trials,
//! which candidate wins a rung, and how the winners' drift between trial
//! lengths carries the answer to the target's length.

use burn_lr_core::ConfigError;

use super::bracket::PER_DECADE;

/// Candidates of every rung after the first: the previous winner and its
/// two grid neighbours.
pub(crate) const FINALISTS: usize = 3;
/// Each rung's trials are this many times longer than the previous one's.
pub(crate) const GROWTH: u64 = 3;
/// Fewest updates a trial trains (or one granule, if longer).
pub const MIN_TRIAL_UPDATES: u64 = 10;
/// A candidate within this fraction of the rung's spread (best to worst
/// finite metric) of the best one ties with it; ties go to the lower LR.
pub const TIE: f64 = 0.01;
/// A rung whose spread is below this fraction of its largest metric (in
/// absolute value) did not move: the metric says nothing about the LR.
pub const FLAT: f64 = 1e-3;
/// Bounds of the length correction's exponent: the best LR moves with the
/// run's length as `N^-beta`, and the search trusts `beta` in `[0, 1]`
/// (never above a tested LR, never faster than `1 / N`).
pub const BETA_RANGE: (f64, f64) = (0.0, 1.0);

/// The trial lengths of a search, rung by rung, and how many trials each
/// rung holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rungs {
    /// `(trials, updates per trial)` per rung.
    pub(crate) rungs: Vec<(usize, u64)>,
}

impl Rungs {
    /// The longest trials that `budget` updates afford for `candidates`
    /// candidates, with three rungs when the first one's trials reach the
    /// minimum length, else two; every length a multiple of `granule` and
    /// none longer than the target's `updates`. `fixed_cost` (the range
    /// test) is part of the budget. An error names the smallest budget.
    pub(crate) fn plan(
        candidates: usize,
        updates: u64,
        budget: u64,
        fixed_cost: u64,
        granule: u64,
    ) -> Result<Rungs, ConfigError> {
        let shortest = MIN_TRIAL_UPDATES.div_ceil(granule).saturating_mul(granule);
        if shortest > updates {
            return Err(ConfigError::invalid(
                "updates",
                updates,
                format!(
                    "a run of at least {shortest} updates: the shortest trial (one granule of \
                     {granule}, at least {MIN_TRIAL_UPDATES} updates) must not be longer than the run"
                ),
            ));
        }
        let finalists = FINALISTS.min(candidates);
        let weight = |rungs: u32| {
            candidates as u64
                + (1..rungs)
                    .map(|r| finalists as u64 * GROWTH.pow(r))
                    .sum::<u64>()
        };
        let minimum = fixed_cost.saturating_add(weight(2).saturating_mul(shortest));
        let available = budget.saturating_sub(fixed_cost);
        // No trial longer than the target (in whole granules).
        let longest = updates / granule * granule;
        for rungs in [3u32, 2] {
            let first = available / weight(rungs) / granule * granule;
            if first < shortest {
                continue;
            }
            let mut plan: Vec<(usize, u64)> = (0..rungs)
                .map(|r| {
                    let n = if r == 0 { candidates } else { finalists };
                    (n, (first * GROWTH.pow(r)).min(longest))
                })
                .collect();
            // A rung as long as the one before it would train the same trials again.
            plan.dedup_by_key(|&mut (_, u)| u);
            // What rounding left goes to the last rung's trials.
            let spent: u64 = plan.iter().map(|&(n, u)| n as u64 * u).sum();
            let last = plan.len() - 1;
            let extra = (available - spent) / plan[last].0 as u64 / granule * granule;
            plan[last].1 = (plan[last].1 + extra).min(longest.max(plan[last].1));
            return Ok(Rungs { rungs: plan });
        }
        Err(ConfigError::invalid(
            "budget",
            budget,
            format!(
                "at least {minimum} updates for this search: the range test's {fixed_cost}, then \
                 {candidates} candidates and {finalists} finalists of at least {shortest} updates \
                 each"
            ),
        ))
    }

    /// Updates the plan trains, the fixed cost excluded.
    #[cfg(test)]
    pub(crate) fn cost(&self) -> u64 {
        self.rungs.iter().map(|&(n, u)| n as u64 * u).sum()
    }
}

/// What a rung's trials say: the winner and where the best LR lies between
/// grid points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RungReading {
    /// Position of the winner among the rung's candidates.
    pub(crate) winner: usize,
    /// `log10` of the best LR: the vertex of a parabola through the winner
    /// and its neighbours (or the three trials at the rung's edge), at most
    /// a grid step from the winner.
    pub(crate) log_lr: f64,
    /// Whether the metric moved across the rung (see [`FLAT`]).
    pub(crate) flat: bool,
}

/// Reads a rung: `lrs` ascending grid points, `losses` the metric made
/// lower-is-better with `None` for divergences. `None` when every trial
/// diverged.
pub(crate) fn read_rung(lrs: &[f64], losses: &[Option<f64>]) -> Option<RungReading> {
    let finite: Vec<f64> = losses.iter().flatten().copied().collect();
    let best = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let worst = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if finite.is_empty() {
        return None;
    }
    let spread = worst - best;
    // (Metrics so large that their spread overflows are read as flat.)
    let flat = !spread.is_finite() || spread <= FLAT * best.abs().max(worst.abs());
    let tolerance = TIE * spread;
    let winner = losses
        .iter()
        .position(|l| l.is_some_and(|l| l <= best + tolerance))?;
    let step = 1.0 / PER_DECADE;
    let mut log_lr = lrs[winner].log10();
    // The vertex of the parabola through three neighbouring trials: the
    // winner's and its neighbours', or the three at the rung's edge when the
    // winner is there (the best LR may then lie up to half a step beyond).
    if !flat && lrs.len() >= 3 {
        let first = winner.saturating_sub(1).min(lrs.len() - 3);
        if let [Some(y0), Some(y1), Some(y2)] = losses[first..first + 3] {
            let curvature = y0 - 2.0 * y1 + y2;
            if curvature > 0.0 {
                let x1 = lrs[first + 1].log10();
                let vertex = x1 - 0.5 * step * (y2 - y0) / curvature;
                log_lr = vertex
                    .clamp(x1 - 1.5 * step, x1 + 1.5 * step)
                    .clamp(log_lr - step, log_lr + step);
            }
        }
    }
    Some(RungReading {
        winner,
        log_lr,
        flat,
    })
}

/// The exponent `beta` of `best LR ~ n^-beta` fitted by least squares to
/// the rungs' `(updates, log10 best LR)`; 0 for fewer than two lengths.
pub(crate) fn measured_beta(points: &[(u64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let xs: Vec<f64> = points.iter().map(|&(u, _)| (u as f64).log10()).collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = points.iter().map(|&(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return 0.0;
    }
    let sxy: f64 = xs
        .iter()
        .zip(points)
        .map(|(x, &(_, y))| (x - mx) * (y - my))
        .sum();
    -sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_spends_at_most_the_budget_and_prefers_three_rungs() {
        let plan = Rungs::plan(9, 1000, 1000, 100, 1).unwrap();
        assert_eq!(plan.rungs.len(), 3);
        assert!(plan.cost() + 100 <= 1000, "{plan:?}");
        assert_eq!(plan.rungs[0], (9, 20));
        assert_eq!(plan.rungs[1], (3, 60));
        assert!(plan.rungs[2].1 >= 180);
        for (budget, granule) in [(300, 1), (777, 7), (5000, 23), (3000, 1)] {
            let plan = Rungs::plan(10, 1000, budget, 100, granule).unwrap();
            assert!(plan.cost() + 100 <= budget, "{budget} {plan:?}");
            assert!(
                plan.rungs
                    .iter()
                    .all(|&(_, u)| u % granule == 0 && u <= 1000)
            );
        }
    }

    #[test]
    fn too_small_a_budget_names_the_minimum() {
        let err = Rungs::plan(10, 300, 250, 100, 1).unwrap_err().to_string();
        assert!(
            err.contains("`budget` = 250") && err.contains("at least 290"),
            "{err}"
        );
        assert!(Rungs::plan(10, 300, 290, 100, 1).is_ok());
    }

    #[test]
    fn no_trial_is_longer_than_the_target() {
        let plan = Rungs::plan(5, 200, 100_000, 100, 1).unwrap();
        assert!(plan.rungs.iter().all(|&(_, u)| u <= 200), "{plan:?}");
    }

    #[test]
    fn ties_go_to_the_lower_lr_and_the_vertex_moves_between_grid_points() {
        let lrs = [0.01, 0.0215, 0.0464, 0.1, 0.215];
        let l = |v: [f64; 5]| v.map(Some);
        // A clear minimum at 0.0464, its right neighbour better than the left.
        let r = read_rung(&lrs, &l([1.0, 0.5, 0.2, 0.3, 0.9])).unwrap();
        assert_eq!(r.winner, 2);
        assert!(
            r.log_lr > 0.0464f64.log10() && r.log_lr < 0.0681f64.log10(),
            "{r:?}"
        );
        // Two equal best values: the lower one wins.
        let r = read_rung(&lrs, &l([1.0, 0.2, 0.2, 0.3, 0.9])).unwrap();
        assert_eq!(r.winner, 1);
        // A divergence is never a winner.
        let r = read_rung(&lrs, &[Some(1.0), Some(0.5), None, None, None]).unwrap();
        assert_eq!(r.winner, 1);
        assert_eq!(r.log_lr, 0.0215f64.log10());
        assert!(read_rung(&lrs, &[None; 5]).is_none());
        // A metric that does not move.
        assert!(read_rung(&lrs, &l([0.9; 5])).unwrap().flat);
    }

    #[test]
    fn beta_is_the_slope_of_the_best_lr_against_the_length() {
        let points = [(100, -1.0), (1000, -1.5)];
        assert!((measured_beta(&points) - 0.5).abs() < 1e-12);
        assert_eq!(measured_beta(&[(100, -1.0)]), 0.0);
    }
}
