//! The burn-train side: an early-stopping strategy that reads the validation
//! metric once per epoch and posts it to the schedulers' mailbox.

use std::path::Path;

use burn::train::EarlyStoppingStrategy;
use burn::train::logger::{FileMetricLogger, MetricLogger};
use burn::train::metric::NumericEntry;
use burn::train::metric::store::{Aggregate, EventStoreClient, Split};

use crate::mailbox::MetricMailbox;

/// Feeds ReduceLROnPlateau from burn-train.
///
/// burn-train runs the early-stopping strategy on the training thread after
/// the epoch's metrics are flushed and before the next epoch's first update,
/// which is exactly when the plateau rule must see the metric. Only one
/// strategy can be registered, so this hook wraps the user's own (if any) and
/// returns its decision.
///
/// ```text
/// let (scheduler, hook) = plateau.init(1e-3, loader_len)?;
/// SupervisedTraining::new(dir, train, valid)
///     .metric_valid_numeric(LossMetric::new())
///     .early_stopping(hook.wrap(my_early_stopping))
///     .launch(Learner::new(model, optim, scheduler));
/// ```
#[derive(Debug, Clone)]
pub struct PlateauHook<S = KeepGoing> {
    mailbox: MetricMailbox,
    metric: String,
    inner: S,
    warned: bool,
}

/// The strategy of a hook that wraps none: never stops the training.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepGoing;

impl EarlyStoppingStrategy for KeepGoing {
    fn should_stop(&mut self, _epoch: usize, _store: &EventStoreClient) -> bool {
        false
    }
}

impl PlateauHook {
    /// Posts the mean validation `Loss` of every epoch to `mailbox`.
    pub fn new(mailbox: MetricMailbox) -> Self {
        Self {
            mailbox,
            metric: "Loss".into(),
            inner: KeepGoing,
            warned: false,
        }
    }

    /// Also runs the user's `strategy` every epoch and stops when it says so
    /// (burn-train accepts a single early-stopping strategy).
    pub fn wrap<S: EarlyStoppingStrategy>(self, strategy: S) -> PlateauHook<S> {
        PlateauHook {
            mailbox: self.mailbox,
            metric: self.metric,
            inner: strategy,
            warned: self.warned,
        }
    }
}

impl<S> PlateauHook<S> {
    /// Watches another validation metric (its name as burn-train logs it, e.g. `Accuracy`).
    pub fn metric(mut self, name: impl Into<String>) -> Self {
        self.metric = name.into();
        self
    }

    /// For a run resumed with `.checkpoint(epoch)`: posts the logged metric of
    /// epochs `1..=epoch` from the training directory, so the resumed
    /// schedulers fold the epochs their record had not seen before their first
    /// update. Returns how many epochs were found.
    pub fn backfill_from_logs(&self, directory: impl AsRef<Path>, epoch: usize) -> usize {
        let mut logger = FileMetricLogger::new(directory.as_ref());
        (1..=epoch)
            .filter_map(|e| {
                let entries = logger.read_numeric(&self.metric, e, &Split::Valid).ok()?;
                let value = epoch_mean(&entries)?;
                self.mailbox.post(e as u64, value);
                Some(())
            })
            .count()
    }
}

/// burn-train's epoch aggregate: the final entry when logged, else the
/// count-weighted mean (the same arithmetic, so resumed values are bit-identical).
fn epoch_mean(entries: &[NumericEntry]) -> Option<f64> {
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

impl<S: EarlyStoppingStrategy> EarlyStoppingStrategy for PlateauHook<S> {
    fn should_stop(&mut self, epoch: usize, store: &EventStoreClient) -> bool {
        match store.find_metric(&self.metric, epoch, Aggregate::Mean, &Split::Valid) {
            Some(value) => self.mailbox.post(epoch as u64, value),
            None if !self.warned => {
                self.warned = true;
                log::warn!(
                    "ReduceLROnPlateau: no validation metric `{}` for epoch {epoch}; register it with \
                     `.metric_valid_numeric(..)` or name the right one with `PlateauHook::metric`",
                    self.metric
                );
            }
            None => {}
        }
        self.inner.should_stop(epoch, store)
    }
}
