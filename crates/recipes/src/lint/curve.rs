//! What a schedule does over a run, read from its closed form: where the
//! warmup ends, where the peak is, where the decay ends and at what level,
//! whether it restarts, and what it still plans after the run's last update.
//!
//! Everything is in `step()` calls (0-based: call `i` returns `lr(i)`), so
//! every way of writing the same curve gets the same facts.

use burn_lr_core::Scheduler;

/// Points sampled evenly over a span (besides a geometric grid and every one
/// of the first [`DENSE`] calls).
const EVEN: u64 = 2048;
/// Every call below this index is sampled.
const DENSE: u64 = 256;
/// Ratio between consecutive points of the geometric grid.
const GEOMETRIC: f64 = 1.02;
/// How far past the run the curve is read, as a multiple of the run.
const BEYOND: u64 = 4;
/// "At the peak": within this relative distance of it.
const AT_PEAK: f64 = 1e-6;
/// "At the floor": within this fraction of the peak-to-floor range.
const AT_FLOOR: f64 = 1e-4;
/// A rise after the decay of at least this fraction of the range is a restart.
const RESTART: f64 = 0.1;
/// At most this many distinct LRs after the peak: a step curve.
const STEP_LEVELS: usize = 16;

/// Sorted, distinct call indices in `[from, to)`: every one of the first
/// [`DENSE`], an even grid, and a geometric grid (fine where runs are short,
/// so that "the first 100 updates" is resolved in a run of 10^12).
fn grid(from: u64, to: u64) -> Vec<u64> {
    let mut points: Vec<u64> = (from..to.min(from + DENSE)).collect();
    let span = to - from;
    points.extend((0..EVEN).map(|k| from + span / EVEN * k + span % EVEN * k / EVEN));
    let mut x = DENSE as f64;
    while x < span as f64 {
        points.push(from + x as u64);
        x *= GEOMETRIC;
    }
    points.push(to - 1);
    points.retain(|&i| i < to);
    points.sort_unstable();
    points.dedup();
    points
}

/// The facts the rules read.
#[derive(Debug, Clone)]
pub(crate) struct CurveFacts {
    /// Calls over the run.
    pub total: u64,
    /// LR of the first call.
    pub first: f64,
    /// LR of the last call of the run.
    pub last: f64,
    /// Highest LR in the run.
    pub peak: f64,
    /// First call at the peak: the end of the warmup when the curve rises to it.
    pub peak_at: u64,
    /// Lowest LR from the peak to the end of the run.
    pub floor: f64,
    /// First call after the peak at the floor: where the decay ends.
    pub decay_end: u64,
    /// The LR rises again by a tenth of its range after the decay ended.
    pub restarts: bool,
    /// Few distinct levels after the peak, each held for several calls
    /// (step or multi-step decay).
    pub stepwise: bool,
    /// Lowest LR over the [`BEYOND`] runs after this one.
    pub future_floor: f64,
    /// First call after the run at that lowest LR: where the planned decay
    /// ends; `None` when the curve still falls at the end of the window
    /// (an open-ended decay, such as the inverse square root).
    pub planned_end: Option<u64>,
}

impl CurveFacts {
    /// Samples `scheduler` over `total >= 1` calls and [`BEYOND`] times as many after.
    pub(crate) fn sample(scheduler: &Scheduler, total: u64) -> Self {
        let lr = |i: u64| scheduler.lr_at(i);
        let run: Vec<(u64, f64)> = grid(0, total).into_iter().map(|i| (i, lr(i))).collect();
        let peak = run.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let near_peak = |x: f64| x >= peak * (1.0 - AT_PEAK);
        let peak_at = first_index(&run, near_peak, &lr);
        let after: Vec<(u64, f64)> = run.iter().copied().filter(|p| p.0 >= peak_at).collect();
        let floor = after.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let at_floor = |x: f64| x <= floor + AT_FLOOR * (peak - floor);
        let decay_end = first_index(&after, at_floor, &lr);
        let restarts = after
            .iter()
            .any(|&(i, x)| i > decay_end && x > floor + RESTART * (peak - floor));
        let mut levels: Vec<u64> = after.iter().map(|p| p.1.to_bits()).collect();
        levels.sort_unstable();
        levels.dedup();

        let end = total.saturating_mul(BEYOND + 1);
        let beyond: Vec<(u64, f64)> = grid(total, end).into_iter().map(|i| (i, lr(i))).collect();
        let future_floor = beyond.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        // The exact floor (a relative tolerance: a decay by factors keeps
        // falling far below any fraction of the peak).
        let at_future_floor = |x: f64| x <= future_floor * (1.0 + 1e-9) + f64::MIN_POSITIVE;
        let reached = lowest_near(&beyond, at_future_floor, &lr);
        let planned_end = (reached < total + (end - total) / 10 * 9).then_some(reached);
        Self {
            total,
            first: lr(0),
            last: lr(total - 1),
            peak,
            peak_at,
            floor,
            decay_end,
            restarts,
            stepwise: levels.len() <= STEP_LEVELS && 4 * levels.len() <= after.len(),
            future_floor,
            planned_end,
        }
    }

    /// Calls of the rise from the first LR to the peak, when the curve starts
    /// below half its peak (a warmup, or one-cycle's first phase).
    pub(crate) fn warmup(&self) -> Option<u64> {
        (self.first < 0.5 * self.peak).then_some(self.peak_at)
    }

    /// The curve never moves.
    pub(crate) fn constant(&self) -> bool {
        self.floor >= self.peak * (1.0 - 1e-12) && self.first >= self.peak * (1.0 - 1e-12)
    }

    /// The run ends while the LR is still above where the curve is headed by
    /// a thousandth of the peak (a cosine stopped 2% before its end).
    pub(crate) fn still_falling(&self) -> bool {
        self.last - self.future_floor > 1e-3 * self.peak
    }
}

/// The first call whose LR satisfies `hit`: the first sampled point that
/// does, moved back to the exact call by bisection over the calls since the
/// previous sample (the curves are monotone between close samples).
fn first_index(points: &[(u64, f64)], hit: impl Fn(f64) -> bool, lr: &impl Fn(u64) -> f64) -> u64 {
    let Some(k) = points.iter().position(|p| hit(p.1)) else {
        return points.last().map_or(0, |p| p.0);
    };
    let (mut lo, mut hi) = match k {
        0 => return points[0].0,
        _ => (points[k - 1].0, points[k].0),
    };
    // Invariant: `lo` misses, `hi` hits.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if hit(lr(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The first call at the curve's lowest value near the first sample that
/// satisfies `hit`: a ternary search between that sample's neighbours (the
/// curve falls, then holds or rises, there), so that a minimum between two
/// samples is found to the call.
fn lowest_near(points: &[(u64, f64)], hit: impl Fn(f64) -> bool, lr: &impl Fn(u64) -> f64) -> u64 {
    let Some(k) = points.iter().position(|p| hit(p.1)) else {
        return points.last().map_or(0, |p| p.0);
    };
    let mut lo = points[k.saturating_sub(1)].0;
    let mut hi = points[(k + 1).min(points.len() - 1)].0;
    while hi - lo > 2 {
        let (m1, m2) = (lo + (hi - lo) / 3, hi - (hi - lo) / 3);
        if lr(m1) <= lr(m2) {
            hi = m2;
        } else {
            lo = m1;
        }
    }
    (lo..=hi).fold(lo, |best, i| if lr(i) < lr(best) { i } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn_lr_core::Spec;
    use burn_lr_core::schedules::{CosineAnnealingLr, InverseSqrt, MultiStepLr};

    fn facts(spec: Spec, total: u64) -> CurveFacts {
        CurveFacts::sample(&spec.scheduler(1.0).unwrap(), total)
    }

    #[test]
    fn grids_are_sorted_inside_their_span_and_end_at_its_last_call() {
        for (from, to) in [(0, 1), (0, 7), (5, 300), (0, 1 << 40), (10, 10 + (1 << 53))] {
            let g = grid(from, to);
            assert!(g.windows(2).all(|w| w[0] < w[1]), "{from}..{to}");
            assert_eq!((g[0], *g.last().unwrap()), (from, to - 1));
        }
    }

    #[test]
    fn a_warmup_and_cosine_is_read_to_the_exact_update() {
        let spec = Spec::new(CosineAnnealingLr::new(9_000)).with_warmup(1_000, 0.01);
        let f = facts(spec, 10_000);
        assert_eq!(f.warmup(), Some(1_000));
        assert!(
            f.decay_end > 9_900 && f.decay_end < 10_000,
            "{}",
            f.decay_end
        );
        assert!(!f.restarts && !f.stepwise && !f.still_falling());
        assert_eq!(f.planned_end, Some(10_000));
    }

    #[test]
    fn a_cosine_too_short_restarts_and_one_too_long_is_still_falling() {
        let short = facts(Spec::new(CosineAnnealingLr::new(500)), 1_000);
        assert!(short.restarts);
        assert!(
            (495..=500).contains(&short.decay_end),
            "{}",
            short.decay_end
        );
        let long = facts(Spec::new(CosineAnnealingLr::new(2_000)), 1_000);
        assert!(long.still_falling());
        assert_eq!(long.planned_end, Some(2_000));
        // Found to the update between coarse samples.
        let far = facts(Spec::new(CosineAnnealingLr::new(79_999)), 50_000);
        assert_eq!(far.planned_end, Some(79_999));
    }

    #[test]
    fn steps_and_open_ended_decays() {
        let steps = facts(Spec::new(MultiStepLr::new([30, 60, 120])), 100);
        assert!(steps.stepwise);
        assert_eq!(steps.planned_end, Some(120));
        let open = facts(Spec::new(InverseSqrt::new(10)), 1_000);
        assert_eq!(open.planned_end, None);
        assert!(open.still_falling());
    }
}
