//! Units: how the optimizer-step count of burn-train maps to a schedule's time.

use serde::Serialize;

/// How a spec written in epochs is read between epoch boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// The LR is held for the whole epoch: exactly what PyTorch gives when
    /// the scheduler is stepped once per epoch.
    Epoch,
    /// The same curve evaluated at fractional epochs (`step / steps_per_epoch`):
    /// a smooth, per-update version.
    Iteration,
}

/// Maps the number of optimizer updates taken so far to the schedule's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", rename_all = "snake_case")]
pub(crate) enum Clock {
    /// The spec counts optimizer updates: time = updates.
    Step,
    /// The spec counts epochs of `steps_per_epoch` updates.
    Epoch {
        /// Optimizer updates per epoch (after gradient accumulation).
        steps_per_epoch: u64,
        /// Held per epoch or smooth.
        timing: Timing,
    },
}

impl Clock {
    /// The schedule time after `updates` optimizer updates.
    pub(crate) fn time(&self, updates: u64) -> f64 {
        match *self {
            Self::Step => updates as f64,
            Self::Epoch {
                steps_per_epoch,
                timing: Timing::Epoch,
            } => (updates / steps_per_epoch) as f64,
            Self::Epoch {
                steps_per_epoch,
                timing: Timing::Iteration,
            } => updates as f64 / steps_per_epoch as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_timing_holds_and_iteration_timing_interpolates() {
        let held = Clock::Epoch {
            steps_per_epoch: 4,
            timing: Timing::Epoch,
        };
        let smooth = Clock::Epoch {
            steps_per_epoch: 4,
            timing: Timing::Iteration,
        };
        assert_eq!(
            [0, 3, 4, 7, 8].map(|u| held.time(u)),
            [0.0, 0.0, 1.0, 1.0, 2.0]
        );
        assert_eq!([0, 2, 4, 6].map(|u| smooth.time(u)), [0.0, 0.5, 1.0, 1.5]);
        assert_eq!(Clock::Step.time(17), 17.0);
    }
}
