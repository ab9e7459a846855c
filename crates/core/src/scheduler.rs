//! The stateful adapter that turns a closed-form [`Spec`] into burn's
//! [`LrScheduler`].

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};

use crate::MomentumHandle;
use crate::alert;
use crate::spec::Spec;
use crate::spec::clock::Clock;
use crate::train::StepProbe;

/// Record key of the update counter.
const STEP_KEY: &str = "step";
/// Record key of the fingerprint of the spec and base LR.
const SPEC_KEY: &str = "spec";

/// A fingerprint of `spec` at `base_lr` (FNV-1a over its JSON, or its debug
/// form for a closure): stable across builds, so a record written by one
/// binary is checked by the next.
fn fingerprint(spec: &Spec, base_lr: f64) -> u64 {
    let text = spec.to_json().unwrap_or_else(|_| format!("{spec:?}"));
    text.bytes()
        .chain(base_lr.to_bits().to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

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
/// use burn_lr_core::{Spec, schedules::StepLr};
///
/// let mut scheduler = Spec::new(StepLr::new(2).with_gamma(0.5)).scheduler(1.0).unwrap();
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
    probe: Option<StepProbe>,
    momentum: Option<MomentumHandle>,
    reported: Arc<AtomicBool>,
    /// [`fingerprint`] of the spec and base LR, saved in the record.
    fingerprint: u64,
}

impl Scheduler {
    pub(crate) fn new(spec: Arc<Spec>, clock: Clock, base_lr: f64) -> Self {
        Self {
            fingerprint: fingerprint(&spec, base_lr),
            spec,
            clock,
            base_lr,
            lr_mult: 1.0,
            updates: 0,
            probe: None,
            momentum: None,
            reported: Arc::default(),
        }
    }

    /// The same schedule with every LR multiplied by `lr_mult` (a parameter group).
    pub(crate) fn with_lr_mult(mut self, lr_mult: f64) -> Self {
        self.lr_mult = lr_mult;
        self
    }

    /// Reports every update count to `probe` (the default group only).
    pub(crate) fn with_probe(mut self, probe: StepProbe) -> Self {
        self.probe = Some(probe);
        self
    }

    /// Sets the spec's momentum of every update into `handle` (the default group only).
    pub(crate) fn with_momentum(mut self, handle: MomentumHandle) -> Self {
        self.momentum = Some(handle);
        self
    }

    /// The momentum the spec sets for update `index` (0-based), for a spec
    /// that cycles it.
    pub fn momentum_at(&self, index: u64) -> Option<f64> {
        self.spec.momentum(self.clock.time(index))
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
            .warmup()
            .is_some_and(|w| self.clock.time(index) < w.total_iters() as f64)
    }

    /// The LR of update `index` (0-based), as the curve computes it, without
    /// changing any state.
    pub fn lr_at(&self, index: u64) -> f64 {
        self.lr_mult * self.spec.lr(self.base_lr, self.clock.time(index))
    }
}

impl LrScheduler for Scheduler {
    fn step(&mut self) -> f64 {
        let lr = self.lr_at(self.updates);
        if let Some(handle) = &self.momentum {
            // The optimizer of the previous update should have read it.
            if self.updates >= 1 {
                handle.warn_if_unread();
            }
            handle.set(self.momentum_at(self.updates));
        }
        self.updates += 1;
        if let Some(probe) = &self.probe {
            probe.record(self.updates);
        }
        if lr.is_finite() && lr >= 0.0 {
            return lr;
        }
        // Validation keeps every built-in curve finite and >= 0; only a user
        // closure can get here.
        alert::once(&self.reported, || {
            alert::error(&format!(
                "the schedule produced LR {lr} at update {}: LR 0 is used for such updates",
                self.updates
            ))
        });
        0.0
    }

    fn to_record(&self) -> LrSchedulerRecord {
        LrSchedulerRecord::new()
            .with_scalar(STEP_KEY, self.updates)
            .with_scalar(SPEC_KEY, self.fingerprint)
    }

    /// Restores the update count. A record of another spec or base LR, or
    /// one without an update count, is reported to the hook, which stops the
    /// run at the end of its first epoch (a deliberate change of spec is
    /// allowed by [`ModuleSchedule::allow_spec_change`](crate::ModuleSchedule::allow_spec_change)).
    fn load_record(&mut self, record: LrSchedulerRecord) {
        let problem = |spec_change: bool, message: String| match &self.probe {
            Some(probe) => probe.resume_problem(spec_change, message),
            None => alert::error(&message),
        };
        match record.scalar::<u64>(STEP_KEY) {
            Some(updates) => self.updates = updates,
            None => problem(
                false,
                format!(
                    "the LR scheduler record has no `{STEP_KEY}` entry, so the schedule restarted \
                     from update {}",
                    self.updates
                ),
            ),
        }
        if let Some(saved) = record.scalar::<u64>(SPEC_KEY)
            && saved != self.fingerprint
        {
            problem(
                true,
                "the run resumed from a checkpoint of another spec or base LR than this \
                 schedule's: the LR path changes at the resume. If the change is deliberate (a \
                 cooldown branched from a stable run, a longer horizon), call \
                 `lr.allow_spec_change()` on the schedule before `Learner::new`; otherwise resume \
                 with the spec and base LR the run was started with."
                    .into(),
            );
        }
    }
}
