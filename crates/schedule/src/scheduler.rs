//! The stateful adapter that turns a closed-form [`Spec`] into burn's
//! [`LrScheduler`].

use std::sync::Arc;

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};

use crate::clock::Clock;
use crate::spec::Spec;

/// Record key of the update counter.
const STEP_KEY: &str = "step";

/// A schedule plugged into burn: `Learner::new(model, optim, scheduler)`.
///
/// burn-train calls [`step`](LrScheduler::step) once per optimizer update,
/// right before the update. The k-th call returns the LR of the k-th update,
/// so the first call returns the schedule's value at step 0 (the LR PyTorch
/// reports right after constructing the scheduler).
///
/// The only state is the number of updates taken; cloning shares the spec.
/// A step costs a few nanoseconds and allocates nothing.
///
/// ```
/// use burn::lr_scheduler::LrScheduler;
/// use burn_lr_schedule::Spec;
///
/// let spec = Spec::from_json(r#"{"scheduler": "step", "step_size": 2, "gamma": 0.5}"#).unwrap();
/// let mut scheduler = spec.scheduler(1.0).unwrap();
/// let lrs: Vec<f64> = (0..5).map(|_| scheduler.step()).collect();
/// assert_eq!(lrs, [1.0, 1.0, 0.5, 0.5, 0.25]);
/// ```
#[derive(Debug, Clone)]
pub struct Scheduler {
    spec: Arc<Spec>,
    clock: Clock,
    base_lr: f64,
    lr_mult: f64,
    updates: u64,
}

impl Scheduler {
    pub(crate) fn new(spec: Arc<Spec>, clock: Clock, base_lr: f64) -> Self {
        Self {
            spec,
            clock,
            base_lr,
            lr_mult: 1.0,
            updates: 0,
        }
    }

    /// The same schedule with every LR multiplied by `lr_mult` (a parameter group).
    pub fn with_lr_mult(mut self, lr_mult: f64) -> Self {
        self.lr_mult = lr_mult;
        self
    }

    /// Number of updates taken so far (calls to `step()`).
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The spec this scheduler follows.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Whether update `index` (0-based) falls inside the spec's warmup prefix.
    pub fn in_warmup(&self, index: u64) -> bool {
        self.spec
            .warmup
            .is_some_and(|w| self.clock.time(index) < w.total_iters as f64)
    }

    /// The LR of update `index` (0-based), without changing any state.
    pub fn lr_at(&self, index: u64) -> f64 {
        let lr = self.lr_mult * self.spec.lr(self.base_lr, self.clock.time(index));
        if lr.is_finite() && lr >= 0.0 {
            lr
        } else {
            log::error!("schedule produced LR {lr} at update {index}; using 0 for this update");
            0.0
        }
    }
}

impl LrScheduler for Scheduler {
    fn step(&mut self) -> f64 {
        let lr = self.lr_at(self.updates);
        self.updates += 1;
        lr
    }

    fn to_record(&self) -> LrSchedulerRecord {
        LrSchedulerRecord::new().with_scalar(STEP_KEY, self.updates)
    }

    fn load_record(&mut self, record: LrSchedulerRecord) {
        match record.scalar::<u64>(STEP_KEY) {
            Some(updates) => self.updates = updates,
            None => log::warn!(
                "LR scheduler record has no `{STEP_KEY}` entry; the schedule restarts from update {}",
                self.updates
            ),
        }
    }
}
