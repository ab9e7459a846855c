//! SGD and Adam/AdamW whose momentum (SGD's `momentum`, Adam's `beta1`)
//! follows the spec, as PyTorch's `OneCycleLR` and `CyclicLR` set it with
//! `cycle_momentum`. burn's own optimizers fix their momentum at
//! construction and a wrapper cannot change it, so these are minimal
//! re-implementations with PyTorch's update rules; the momentum of each
//! update comes from [`ModuleSchedule::momentum`](crate::ModuleSchedule::momentum).
//!
//! ```
//! use burn_lr_core::{Spec, schedules::OneCycleLr, optim::cycled::CycledSgdConfig};
//! let lr = Spec::new(OneCycleLr::new(0.1, 1000)).init(0.1)?;
//! let momentum = lr.momentum().expect("one_cycle cycles the momentum by default");
//! let optim = CycledSgdConfig::new().init(momentum)?;
//! // Learner::new(model, optim, lr)
//! # let _ = optim;
//! # Ok::<(), burn_lr_core::ConfigError>(())
//! ```

mod adam;
mod sgd;

pub use adam::{CycledAdam, CycledAdamConfig, CycledAdamState};
pub use sgd::{CycledSgd, CycledSgdConfig, CycledSgdState};

use crate::{ConfigError, Scheduler, Spec};

/// The weight decay of every update: constant, or `weight_decay` scaled by a
/// spec (as DINO's cosine from 0.04 to 0.4), validated like any spec.
#[derive(Debug, Clone)]
pub(crate) enum WeightDecay {
    Constant(f64),
    Scheduled(Scheduler),
}

impl WeightDecay {
    pub(crate) fn new(weight_decay: f64, schedule: Option<&Spec>) -> Result<Self, ConfigError> {
        match schedule {
            None => Ok(Self::Constant(weight_decay)),
            Some(spec) => spec
                .scheduler(weight_decay)
                .map(Self::Scheduled)
                .map_err(|e| e.within("weight_decay_schedule")),
        }
    }

    /// The weight decay of update `index` (0-based).
    pub(crate) fn at(&self, index: u64) -> f64 {
        match self {
            Self::Constant(decay) => *decay,
            Self::Scheduled(scheduler) => scheduler.lr_at(index),
        }
    }
}
