//! Momentum cycled inversely to the LR: PyTorch's `cycle_momentum` for
//! `OneCycleLR` and `CyclicLR` (SGD's `momentum`, or Adam's `beta1`).

use serde::Serialize;

use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::spec::params::Params;

/// The momentum range of a cyclic schedule: `max_momentum` where the LR is
/// lowest, `base_momentum` where it peaks. On by default, as in PyTorch; it
/// needs an optimizer that follows it (see
/// [`MomentumHandle`](crate::MomentumHandle)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MomentumCycle {
    cycle_momentum: bool,
    base_momentum: f64,
    max_momentum: f64,
}

impl MomentumCycle {
    /// Cycling between `base_momentum` and `max_momentum`.
    pub(crate) const fn new(base_momentum: f64, max_momentum: f64) -> Self {
        Self {
            cycle_momentum: true,
            base_momentum,
            max_momentum,
        }
    }

    /// The same range, cycled or not.
    pub(crate) fn cycled(mut self, cycle_momentum: bool) -> Self {
        self.cycle_momentum = cycle_momentum;
        self
    }

    /// Whether the momentum follows the cycle.
    pub fn is_cycled(&self) -> bool {
        self.cycle_momentum
    }

    /// The momentum where the LR peaks.
    pub fn base_momentum(&self) -> f64 {
        self.base_momentum
    }

    /// The momentum where the LR is lowest.
    pub fn max_momentum(&self) -> f64 {
        self.max_momentum
    }

    /// The momentum at `height` of the LR's cycle (0 at its lowest, 1 at its
    /// peak), or `None` when not cycled.
    pub(crate) fn at(&self, height: f64) -> Option<f64> {
        self.cycle_momentum
            .then_some(self.max_momentum - (self.max_momentum - self.base_momentum) * height)
    }

    pub(crate) fn parse(&mut self, p: &mut Params) -> Result<(), ConfigError> {
        p.set("cycle_momentum", &mut self.cycle_momentum)?;
        p.set("base_momentum", &mut self.base_momentum)?;
        p.set("max_momentum", &mut self.max_momentum)
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        check::float(
            "base_momentum",
            self.base_momentum,
            Bounds::RightOpen(0.0, 1.0),
        )?;
        check::float(
            "max_momentum",
            self.max_momentum,
            Bounds::RightOpen(0.0, 1.0),
        )?;
        if self.base_momentum > self.max_momentum {
            return Err(ConfigError::invalid(
                "base_momentum",
                self.base_momentum,
                format!("a number <= max_momentum ({})", self.max_momentum),
            ));
        }
        Ok(())
    }
}
