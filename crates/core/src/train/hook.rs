//! The burn-train side: an early-stopping strategy that runs at every epoch
//! end, checks that the scheduler ran at the pace its spec assumes, and feeds
//! ReduceLROnPlateau its validation metric.

use std::path::Path;
use std::sync::{Arc, Mutex};

use burn::train::EarlyStoppingStrategy;
use burn::train::logger::{FileMetricLogger, MetricLogger};
use burn::train::metric::NumericEntry;
use burn::train::metric::store::{Aggregate, EventStoreClient, Split};

use super::probe::StepProbe;
use crate::MomentumHandle;
use crate::alert;
use crate::optim::lr_free::watch::Watched;
use crate::plateau::MetricMailbox;

/// What the hook does when the update count disagrees with the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnMismatch {
    /// Print the error and stop the training at the end of the epoch (default).
    #[default]
    Stop,
    /// Print the error and go on.
    Warn,
}

/// The epoch-end hook of a [`Spec`](crate::Spec), from
/// [`ModuleSchedule::hook`](crate::ModuleSchedule::hook); register it with
/// `.early_stopping(lr.hook())`.
///
/// burn-train runs the early-stopping strategy on the training thread after
/// the epoch's metrics are flushed and before the next epoch's first update.
/// At that point the hook:
/// - checks the number of `step()` calls the epoch made against the spec's
///   `steps_per_epoch` (a wrong value silently stretches or squeezes the
///   whole schedule), and checks that a resumed run restored the scheduler
///   (its update count must match the epochs already trained);
/// - for a `reduce_on_plateau` spec, posts the epoch's validation metric
///   (`Loss` unless [`metric`](Self::metric) names another);
/// - runs the user's own strategy, if [`wrap`](Self::wrap)ped (burn-train
///   accepts a single one), and returns its decision.
///
/// On a mismatch it prints a one-paragraph error with the right value and
/// stops the run ([`OnMismatch::Stop`]) or goes on ([`OnMismatch::Warn`]).
#[derive(Debug, Clone)]
pub struct LrHook<S = KeepGoing> {
    probe: StepProbe,
    steps_per_epoch: Option<u64>,
    mailbox: Option<MetricMailbox>,
    metric: String,
    on_mismatch: OnMismatch,
    inner: S,
    pace: Pace,
    momentum: Option<MomentumHandle>,
    /// The base LR the schedule was initialised at.
    base_lr: f64,
    /// The learning-rate-free optimizers stepped on the training thread.
    lr_free: Watched,
    /// The problem the hook reported, shared by every clone of the hook.
    problem: Arc<Mutex<Option<HookProblem>>>,
}

/// A problem the hook reported at the end of an epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookProblem {
    /// The epoch whose end found it.
    pub epoch: usize,
    /// The message printed, in full.
    pub message: String,
    /// Whether the hook stopped the run there ([`OnMismatch::Stop`]).
    pub stopped: bool,
}

/// What the hook has seen of the run so far.
#[derive(Debug, Clone, Copy, Default)]
struct Pace {
    /// The updates counted at the end of the previous epoch this hook saw.
    previous: Option<u64>,
    warned_metric: bool,
    failed: bool,
}

/// The strategy of a hook that wraps none: never stops the training.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepGoing;

impl EarlyStoppingStrategy for KeepGoing {
    fn should_stop(&mut self, _epoch: usize, _store: &EventStoreClient) -> bool {
        false
    }
}

impl LrHook {
    pub(crate) fn new(
        probe: StepProbe,
        steps_per_epoch: Option<u64>,
        mailbox: Option<MetricMailbox>,
        momentum: Option<MomentumHandle>,
        base_lr: f64,
    ) -> Self {
        Self {
            probe,
            steps_per_epoch,
            mailbox,
            momentum,
            base_lr,
            lr_free: Watched::default(),
            metric: "Loss".into(),
            on_mismatch: OnMismatch::Stop,
            inner: KeepGoing,
            pace: Pace::default(),
            problem: Arc::default(),
        }
    }

    /// Also runs the user's `strategy` every epoch and stops when it says so
    /// (burn-train accepts a single early-stopping strategy).
    pub fn wrap<S: EarlyStoppingStrategy>(self, strategy: S) -> LrHook<S> {
        LrHook {
            probe: self.probe,
            steps_per_epoch: self.steps_per_epoch,
            mailbox: self.mailbox,
            metric: self.metric,
            on_mismatch: self.on_mismatch,
            inner: strategy,
            pace: self.pace,
            momentum: self.momentum,
            base_lr: self.base_lr,
            lr_free: self.lr_free,
            problem: self.problem,
        }
    }
}

impl<S> LrHook<S> {
    /// See [`ModuleSchedule::allow_spec_change`](crate::ModuleSchedule::allow_spec_change).
    pub(crate) fn allow_spec_change(&self) {
        self.probe.allow_spec_change();
    }

    /// The problem this hook (or any clone of it) reported, if any: whether
    /// it stopped the run, at which epoch, and why. burn-train's
    /// `LearningResult` does not carry it (a stopped run ends like a
    /// finished one), so check it after `launch`:
    /// `assert!(result.error.is_none() && hook.problem().is_none())`.
    pub fn problem(&self) -> Option<HookProblem> {
        self.problem
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// For `reduce_on_plateau`: the validation metric to watch, by the name
    /// burn-train logs it under (default `Loss`; e.g. `Accuracy` with
    /// `"mode": "max"`).
    pub fn metric(mut self, name: impl Into<String>) -> Self {
        self.metric = name.into();
        self
    }

    /// What to do when the update count disagrees with the spec.
    pub fn on_mismatch(mut self, action: OnMismatch) -> Self {
        self.on_mismatch = action;
        self
    }

    /// For a `reduce_on_plateau` run resumed with `.checkpoint(epoch)`: posts
    /// the logged validation metric of epochs `1..=epoch` from the training
    /// directory. burn-train saves checkpoint `epoch` before this hook sees
    /// that epoch's metric, so the restored plateau state needs it before the
    /// first update. Call it before `launch`; returns how many epochs were
    /// found. Without it a resumed plateau run reports an error at its first
    /// update (its LR path would differ from the uninterrupted run's).
    pub fn backfill_from_logs(&self, directory: impl AsRef<Path>, epoch: usize) -> usize {
        let Some(mailbox) = &self.mailbox else {
            return 0;
        };
        let mut logger = FileMetricLogger::new(directory.as_ref());
        (1..=epoch)
            .filter_map(|e| {
                let entries = logger.read_numeric(&self.metric, e, &Split::Valid).ok()?;
                mailbox.post(e as u64, epoch_mean(&entries)?);
                Some(())
            })
            .count()
    }

    /// For a `reduce_on_plateau` spec stepped by a loop of your own (not
    /// burn-train): the validation metric of `epoch` (1-based), observed at
    /// its end; the schedulers fold it at their next `step()`. Posting an
    /// epoch twice keeps the first value.
    pub fn observe(&self, epoch: u64, metric: f64) {
        if let Some(mailbox) = &self.mailbox {
            mailbox.post(epoch, metric);
        }
    }

    fn post_metric(&mut self, epoch: usize, store: &EventStoreClient) {
        let Some(mailbox) = &self.mailbox else {
            return;
        };
        match store.find_metric(&self.metric, epoch, Aggregate::Mean, &Split::Valid) {
            Some(value) => mailbox.post(epoch as u64, value),
            None if !self.pace.warned_metric => {
                self.pace.warned_metric = true;
                alert::warn(&format!(
                    "ReduceLROnPlateau: no validation metric `{}` for epoch {epoch}; register it with \
                     `.metric_valid_numeric(..)` or name the right one with `LrHook::metric`",
                    self.metric
                ));
            }
            None => {}
        }
    }

    /// The first problem at the end of `epoch`, if any: a record that does
    /// not fit the schedule, the pace, a
    /// learning-rate-free optimizer that cannot train as configured, or a
    /// momentum the spec schedules and no optimizer applies.
    fn check(&mut self, epoch: u64) -> Option<String> {
        if let Some(problem) = self.probe.resume() {
            return Some(format!("epoch {epoch} ended and {problem}"));
        }
        if let Some(problem) = self.check_pace(epoch) {
            return Some(problem);
        }
        if let Some(problem) = self.lr_free.problem(epoch, self.base_lr) {
            return Some(problem);
        }
        let ignored = self.momentum.as_ref().is_some_and(|m| !m.followed());
        ignored.then(|| {
            format!(
                "epoch {epoch} ended and the spec cycles the momentum (`cycle_momentum`, on by \
                 default for one_cycle and cyclic, as in PyTorch), but the optimizer never \
                 read it: burn's optimizers keep a fixed momentum. Use `CycledSgdConfig` or \
                 `CycledAdamConfig` with `lr.momentum()`, or turn it off with \
                 `\"cycle_momentum\": false` (`without_momentum_cycling()`)."
            )
        })
    }

    /// The first problem with the update count at the end of `epoch`, if any.
    fn check_pace(&mut self, epoch: u64) -> Option<String> {
        let Some((first, latest)) = self.probe.counts() else {
            return Some(format!(
                "epoch {epoch} ended and the scheduler of this hook was never stepped: pass the \
                 `ModuleSchedule` that made this hook to `Learner::new`"
            ));
        };
        let start = self.pace.previous.replace(latest);
        let made = latest - start.unwrap_or(first);
        if let Some(expected) = self.steps_per_epoch
            && made != expected
        {
            return Some(format!(
                "epoch {epoch} made {made} optimizer updates, but the spec assumes \
                 steps_per_epoch = {expected}, so the schedule runs at {:.3}x the intended pace. \
                 burn-train splits the items between devices and updates once per \
                 `grads_accumulation` batches: compute the value with \
                 `StepsPerEpoch::new(num_items, batch_size).with_devices(d).with_grad_accumulation(a)` \
                 (here it is {made}).",
                made as f64 / expected as f64
            ));
        }
        let per_epoch = self.steps_per_epoch.unwrap_or(made);
        let before = epoch.checked_sub(1)?.checked_mul(per_epoch)?;
        (start.is_none() && first != before).then(|| {
            format!(
                "epoch {epoch} is the first epoch of this run and the {} epoch(s) before it made \
                 {before} updates, but the scheduler had made {first}: its state was not \
                 restored, so the LR restarted at update {first} of the schedule. burn-train \
                 ignores `.checkpoint(n)` without checkpointers: add \
                 `.with_default_checkpointers()`.",
                epoch - 1
            )
        })
    }
}

/// burn-train's epoch aggregate of a logged metric: the final entry when
/// logged, else the count-weighted mean (the same arithmetic, so values read
/// back from the logs are bit-identical to the live ones).
pub fn epoch_mean(entries: &[NumericEntry]) -> Option<f64> {
    if let Some(NumericEntry::Final(value)) = entries.last() {
        return Some(*value);
    }
    let (sum, count) = entries
        .iter()
        .map(|entry| match *entry {
            NumericEntry::Value(v) => (v, 1),
            NumericEntry::Aggregated {
                aggregated_value,
                count,
            } => (aggregated_value * count as f64, count),
            NumericEntry::Final(v) => (v, 1),
        })
        .reduce(|(s, n), (v, c)| (s + v, n + c))?;
    Some(sum / count as f64)
}

impl<S: EarlyStoppingStrategy> EarlyStoppingStrategy for LrHook<S> {
    fn should_stop(&mut self, epoch: usize, store: &EventStoreClient) -> bool {
        self.post_metric(epoch, store);
        let stop = match self.check(epoch as u64) {
            Some(problem) if !self.pace.failed => {
                self.pace.failed = true;
                let action = match self.on_mismatch {
                    OnMismatch::Stop => {
                        "The training stops here (`LrHook::on_mismatch(OnMismatch::Warn)` \
                         goes on)."
                    }
                    OnMismatch::Warn => "The training goes on.",
                };
                let message = format!("{problem} {action}");
                alert::error(&message);
                let stopped = self.on_mismatch == OnMismatch::Stop;
                *self.problem.lock().unwrap_or_else(|e| e.into_inner()) = Some(HookProblem {
                    epoch,
                    message,
                    stopped,
                });
                stopped
            }
            _ => false,
        };
        self.inner.should_stop(epoch, store) || stop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs epochs `first..` of `per_epoch[i]` updates each, after `restored`
    /// updates, and returns what the hook says at each epoch end.
    fn run(
        steps_per_epoch: Option<u64>,
        restored: u64,
        first: u64,
        per_epoch: &[u64],
    ) -> Vec<Option<String>> {
        let probe = StepProbe::default();
        let mut hook = LrHook::new(probe.clone(), steps_per_epoch, None, None, 1.0);
        let mut updates = restored;
        per_epoch
            .iter()
            .enumerate()
            .map(|(i, n)| {
                for _ in 0..*n {
                    updates += 1;
                    probe.record(updates);
                }
                hook.check_pace(first + i as u64)
            })
            .collect()
    }

    #[test]
    fn a_right_steps_per_epoch_passes() {
        assert_eq!(run(Some(23), 0, 1, &[23, 23, 23]), [None, None, None]);
        assert_eq!(run(None, 0, 1, &[23, 23]), [None, None]);
    }

    #[test]
    fn two_devices_with_the_loader_length_are_caught_at_epoch_one() {
        // 46 batches on 2 devices: burn-train makes 23 updates per epoch.
        let problem = run(Some(46), 0, 1, &[23]).remove(0).unwrap();
        assert!(
            problem.contains("epoch 1 made 23 optimizer updates"),
            "{problem}"
        );
        assert!(problem.contains("steps_per_epoch = 46"), "{problem}");
        assert!(problem.contains("0.500x"), "{problem}");
    }

    #[test]
    fn gradient_accumulation_with_the_loader_length_is_caught_at_epoch_one() {
        // 46 batches accumulated 4 at a time: burn-train updates 12 times per epoch.
        let made = crate::StepsPerEpoch::new(46 * 32, 32)
            .with_grad_accumulation(4)
            .compute()
            .unwrap();
        assert_eq!(made, 12);
        let problem = run(Some(46), 0, 1, &[made]).remove(0).unwrap();
        assert!(
            problem.contains("epoch 1 made 12 optimizer updates"),
            "{problem}"
        );
        assert_eq!(run(Some(made), 0, 1, &[made, made]), [None, None]);
    }

    #[test]
    fn a_resume_that_did_not_restore_the_scheduler_is_caught() {
        // Resumed at epoch 4 (3 epochs of 10 done) with a fresh scheduler.
        let problem = run(None, 0, 4, &[10]).remove(0).unwrap();
        assert!(problem.contains("was not restored"), "{problem}");
        assert!(problem.contains("made 30 updates"), "{problem}");
        // Restored: 30 updates before epoch 4.
        assert_eq!(run(None, 30, 4, &[10, 10]), [None, None]);
        assert_eq!(run(Some(10), 30, 4, &[10]), [None]);
    }

    #[test]
    fn a_scheduler_that_never_stepped_is_caught() {
        let mut hook = LrHook::new(StepProbe::default(), None, None, None, 1.0);
        assert!(hook.check_pace(1).unwrap().contains("never stepped"));
    }
}
