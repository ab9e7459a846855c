//! The momentum a spec cycles (`cycle_momentum` of `one_cycle` and `cyclic`),
//! shared between the scheduler that computes it and the optimizer that uses
//! it (logged by [`GroupLrMetric::momentum`](crate::GroupLrMetric::momentum)).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The scheduled momentum of the current update, from
/// [`ModuleSchedule::momentum`](crate::ModuleSchedule::momentum): the scheduler sets
/// it at every `step()`, right before the optimizer update that uses it.
///
/// burn's own SGD and Adam take a fixed momentum; the optimizers of
/// [`cycled`](crate::optim::cycled) read this handle instead. If nothing reads it,
/// the [`LrHook`](crate::LrHook) reports at the first epoch end that the
/// momentum the spec schedules is not applied.
#[derive(Debug, Clone)]
pub struct MomentumHandle {
    bits: Arc<AtomicU64>,
    followed: Arc<AtomicBool>,
    warned: Arc<AtomicBool>,
}

impl MomentumHandle {
    /// A handle that sets no momentum until the scheduler's first step.
    pub(crate) fn new() -> Self {
        Self {
            bits: Arc::new(AtomicU64::new(f64::NAN.to_bits())),
            followed: Arc::default(),
            warned: Arc::default(),
        }
    }

    /// Warns once when an update went by and no optimizer read the momentum
    /// (burn's own SGD and Adam keep a fixed one): with or without the hook,
    /// the run is told at its second update.
    pub(crate) fn warn_if_unread(&self) {
        if !self.followed() {
            crate::alert::once(&self.warned, || {
                crate::alert::warn(
                    "the spec cycles the momentum (`cycle_momentum`, on by default for one_cycle \
                     and cyclic, as in PyTorch), but the optimizer did not read it: burn's own \
                     optimizers keep a fixed momentum. Use `CycledSgdConfig` or \
                     `CycledAdamConfig` with `lr.momentum()`, or turn it off with \
                     `\"cycle_momentum\": false` (`without_momentum_cycling()`).",
                )
            });
        }
    }

    /// Counts as read: a preview applies no momentum and must not warn.
    pub(crate) fn quiet(&self) {
        self.followed.store(true, Ordering::Release);
    }

    /// The momentum of the next update; `None` (a part of the schedule that
    /// sets none) leaves the optimizer's own.
    pub(crate) fn set(&self, momentum: Option<f64>) {
        let bits = momentum.unwrap_or(f64::NAN).to_bits();
        self.bits.store(bits, Ordering::Release);
    }

    /// The momentum of the current update, for the optimizer that applies it
    /// (`None`: keep its own).
    pub fn current(&self) -> Option<f64> {
        self.followed.store(true, Ordering::Release);
        self.peek()
    }

    /// The momentum of the current update, without counting as applied.
    pub fn peek(&self) -> Option<f64> {
        Some(f64::from_bits(self.bits.load(Ordering::Acquire))).filter(|m| !m.is_nan())
    }

    /// Whether an optimizer has read it.
    pub(crate) fn followed(&self) -> bool {
        self.followed.load(Ordering::Acquire)
    }
}

/// The path of the parameter group that carries the momentum to burn-train's
/// metrics (no parameter path can start with `@`).
pub(crate) const PATH: &str = "@momentum";
