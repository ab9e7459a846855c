//! The LRs a search tries: a log grid between the range test's start of
//! descent and its blow-up.

use burn_lr_core::ConfigError;
use serde::Serialize;

use crate::range_test::{RangeTest, Stop};
use crate::rule::{BLOW_UP, FASTAI_SMOOTHING, lag_free_losses};
use crate::smooth::two_sided;

/// Grid points per decade of LR: the candidates are `10^(k / 3)`, the grid
/// of the project's LR benchmark (one step is a factor of about 2.15).
pub const PER_DECADE: f64 = 3.0;
/// Fewest candidates a bracket holds (at least a decade and a third).
pub const MIN_CANDIDATES: usize = 5;
/// Most candidates a bracket holds (three decades).
pub const MAX_CANDIDATES: usize = 10;
/// Width of the smoothing the bracket reads the curve with, in decades.
const WIDTH: f64 = 0.2;
/// The descent starts where the loss has made this fraction of its fall.
const DESCENT_START: f64 = 0.1;
/// The highest candidate stays this factor below the blow-up.
const BELOW_BLOW_UP: f64 = 2.0;

/// The candidate LRs of a search, and what reading them cost.
///
/// From a range test ([`Bracket::from_range_test`]): from one grid step below
/// the point where the loss starts to fall up to a factor 2 below the point
/// where it blows up (the sweep diverged, or its loss passed 4 times its
/// start), never past the blow-up; at most three decades, the highest kept. Given by hand ([`Bracket::new`]):
/// every grid point in `[low, high]`; [`Bracket::lr_free`] is the one for a
/// learning-rate-free optimizer's multiplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bracket {
    candidates: Vec<f64>,
    cost: u64,
    blow_up: Option<f64>,
}

impl Bracket {
    /// The candidates, ascending: grid points `10^(k / 3)`.
    pub fn candidates(&self) -> &[f64] {
        &self.candidates
    }

    /// Updates the range test trained (0 for a bracket given by hand): the
    /// search counts them against its budget.
    pub fn cost(&self) -> u64 {
        self.cost
    }

    /// The LR where the range test blew up, if it did.
    pub fn blow_up(&self) -> Option<f64> {
        self.blow_up
    }

    /// Every grid point in `[low, high]` (both finite and above 0, `high`
    /// at least `MIN_CANDIDATES - 1` grid steps above `low`, at most
    /// `MAX_CANDIDATES` points).
    pub fn new(low: f64, high: f64) -> Result<Bracket, ConfigError> {
        for (field, x) in [("low", low), ("high", high)] {
            if !(x.is_finite() && x > 0.0) {
                return Err(ConfigError::invalid(
                    format!("bracket.{field}"),
                    x,
                    "a finite LR > 0",
                ));
            }
        }
        let candidates = grid(low, high);
        if !(MIN_CANDIDATES..=MAX_CANDIDATES).contains(&candidates.len()) {
            return Err(ConfigError::invalid(
                "bracket.high",
                high,
                format!(
                    "an LR that puts {MIN_CANDIDATES} to {MAX_CANDIDATES} grid points (3 per decade) \
                     between `low` ({low}) and it: 1.3 to 3 decades above `low`"
                ),
            ));
        }
        Ok(Bracket {
            candidates,
            cost: 0,
            blow_up: None,
        })
    }

    /// The multipliers of a learning-rate-free optimizer (Prodigy, D-Adapt
    /// Adam): base LRs 0.1 to 10 around the packages' 1.
    pub fn lr_free() -> Bracket {
        Bracket {
            candidates: grid(0.1, 10.0),
            cost: 0,
            blow_up: None,
        }
    }

    /// The candidates a range test brackets, its `num_iter` updates counted
    /// as the cost. An error when its loss never fell (nothing to bracket).
    pub fn from_range_test<M>(test: &RangeTest<M>) -> Result<Bracket, ConfigError> {
        let curve = &test.curve;
        let never_fell = || {
            ConfigError::invalid(
                "range test",
                format!("{} points", curve.len()),
                "a sweep whose loss falls: this one never fell, so it brackets no LR (check the \
                 loss, the data and the sweep's range, or give the bracket with `Bracket::new`)",
            )
        };
        if let Stop::Failed { message } = &test.stop {
            return Err(ConfigError::invalid(
                "range test",
                "failed",
                format!(
                    "a sweep that ran to its end or diverged; this one stopped on an error: {message}"
                ),
            ));
        }
        if curve.len() < 3 {
            return Err(never_fell());
        }
        let (raw, _) = lag_free_losses(curve, FASTAI_SMOOTHING);
        let smoothed = two_sided(&curve.lrs, &raw, WIDTH);
        let lowest = (0..smoothed.len())
            .min_by(|&a, &b| smoothed[a].total_cmp(&smoothed[b]))
            .ok_or_else(never_fell)?;
        let start = smoothed[0];
        let fall = start - smoothed[lowest];
        if fall.is_nan() || fall <= 0.0 {
            return Err(never_fell());
        }
        let descent = (0..=lowest)
            .find(|&i| smoothed[i] <= start - DESCENT_START * fall)
            .unwrap_or(lowest);
        // Where the loss blows up: the sweep's own divergence, or (for a
        // curve that ran on) the loss past BLOW_UP times its start. A rise
        // short of that (a spike the loss recovers from) bounds nothing:
        // the trials judge the LRs past it.
        let exploded = (lowest..smoothed.len()).find(|&i| smoothed[i] > BLOW_UP * start.abs());
        let blow_up = match (&test.stop, exploded) {
            (_, Some(i)) => Some(curve.lrs[i]),
            (Stop::NonFinite { lr }, None) => Some(*lr),
            (Stop::Diverged { index }, None) => Some(curve.lrs[*index]),
            (Stop::Completed | Stop::Failed { .. }, None) => None,
        };
        let top = blow_up.unwrap_or(curve.lrs[curve.len() - 1]) / BELOW_BLOW_UP;
        // In grid steps: the highest point below `top`, the lowest one step
        // below the descent's start, 5 to 10 points in all.
        let k_top = (top.log10() * PER_DECADE + 1e-9).floor() as i32;
        let k_low = ((curve.lrs[descent].log10() * PER_DECADE - 1e-9).ceil() as i32 - 1).clamp(
            k_top - MAX_CANDIDATES as i32 + 1,
            k_top - MIN_CANDIDATES as i32 + 1,
        );
        Ok(Bracket {
            candidates: (k_low..=k_top).map(point).collect(),
            cost: test.num_iter as u64,
            blow_up,
        })
    }
}

/// The grid points `10^(k / 3)` in `[low, high]` (a relative slack of 1e-9
/// keeps the ends that rounding puts just outside).
fn grid(low: f64, high: f64) -> Vec<f64> {
    let from = (low.log10() * PER_DECADE - 1e-9).ceil() as i32;
    let to = (high.log10() * PER_DECADE + 1e-9).floor() as i32;
    (from..=to).map(point).collect()
}

/// The grid point `10^(k / 3)`.
fn point(k: i32) -> f64 {
    10f64.powf(f64::from(k) / PER_DECADE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SweepCurve;

    fn test_of(lrs: Vec<f64>, losses: Vec<f64>, stop: Stop) -> RangeTest<()> {
        RangeTest {
            model: (),
            num_iter: lrs.len(),
            curve: SweepCurve {
                lrs,
                raw_losses: losses.clone(),
                losses,
            },
            stop,
        }
    }

    /// A sweep from 1e-6 to 10 whose loss falls between 1e-4 and 1e-1 and
    /// passes 4 times its start at 3.
    fn u_shaped() -> RangeTest<()> {
        let lrs: Vec<f64> = (0..100)
            .map(|i| 1e-6 * 10f64.powf(i as f64 * 7.0 / 99.0))
            .collect();
        let losses = lrs
            .iter()
            .map(|lr: &f64| {
                let x = lr.log10();
                if x < -4.0 {
                    2.0
                } else if x < -1.0 {
                    2.0 - 0.6 * (x + 4.0)
                } else {
                    0.2 + 6.0 * (x + 1.0)
                }
            })
            .collect();
        test_of(lrs, losses, Stop::Completed)
    }

    #[test]
    fn spans_the_descent_and_stays_below_the_blow_up() {
        let b = Bracket::from_range_test(&u_shaped()).unwrap();
        let blow_up = b.blow_up().unwrap();
        assert!((1.5..4.0).contains(&blow_up), "{blow_up}");
        assert!(*b.candidates.last().unwrap() <= blow_up / BELOW_BLOW_UP);
        // The descent starts near 1e-4, more than three decades below the
        // top: the grid spans the three decades below the top.
        assert_eq!(b.candidates.len(), MAX_CANDIDATES, "{:?}", b.candidates);
        assert!(b.candidates[0] < 3e-3, "{:?}", b.candidates);
        assert_eq!(b.cost, 100);
    }

    #[test]
    fn a_spike_the_loss_recovers_from_bounds_nothing() {
        // The loss spikes back above its start at 1e-2 and falls again.
        let mut t = u_shaped();
        for (lr, loss) in t.curve.lrs.iter().zip(t.curve.raw_losses.iter_mut()) {
            if (8e-3..1.2e-2).contains(lr) {
                *loss = 2.5;
            }
        }
        t.curve.losses = t.curve.raw_losses.clone();
        let b = Bracket::from_range_test(&t).unwrap();
        assert!(*b.candidates.last().unwrap() > 0.1, "{:?}", b.candidates);
    }

    #[test]
    fn a_diverged_sweep_caps_at_its_stop() {
        let mut t = u_shaped();
        t.curve.lrs.truncate(60);
        t.curve.losses.truncate(60);
        t.curve.raw_losses.truncate(60);
        t.stop = Stop::NonFinite { lr: 0.02 };
        let b = Bracket::from_range_test(&t).unwrap();
        assert_eq!(b.blow_up(), Some(0.02));
        assert!(*b.candidates.last().unwrap() <= 0.01);
    }

    #[test]
    fn a_flat_sweep_brackets_nothing() {
        let lrs: Vec<f64> = (0..50).map(|i| 1e-5 * 1.2f64.powi(i)).collect();
        let err = Bracket::from_range_test(&test_of(lrs, vec![1.0; 50], Stop::Completed));
        assert!(err.unwrap_err().to_string().contains("never fell"));
    }

    #[test]
    fn grids_are_anchored_on_powers_of_ten() {
        let b = Bracket::lr_free();
        assert_eq!(b.candidates.len(), 7);
        assert!((b.candidates[0] - 0.1).abs() < 1e-15 && (b.candidates[3] - 1.0).abs() < 1e-15);
        assert!(Bracket::new(1e-3, 1e-2).is_err());
        assert!(Bracket::new(1e-3, 1e3).is_err());
        assert!(
            Bracket::new(-1.0, 1.0)
                .unwrap_err()
                .to_string()
                .contains("bracket.low")
        );
        assert_eq!(Bracket::new(1e-3, 1e-1).unwrap().candidates.len(), 7);
    }
}
