//! Epoch-keyed validation metrics, shared by the hook that writes them and
//! every clone of the scheduler that reads them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A shared, append-only map from epoch (1-based) to its validation metric.
///
/// Writes are idempotent: the first value posted for an epoch wins, so every
/// DDP worker may post the same epoch. Readers check one atomic per step and
/// lock only when a new epoch has arrived.
#[derive(Debug, Clone, Default)]
pub(crate) struct MetricMailbox {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    latest: AtomicU64,
    values: Mutex<BTreeMap<u64, f64>>,
}

impl MetricMailbox {
    /// An empty mailbox.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn values(&self) -> MutexGuard<'_, BTreeMap<u64, f64>> {
        // A panic while holding the lock cannot leave the map half-written.
        self.inner.values.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the metric of `epoch` (1-based); a later, different value for the
    /// same epoch is ignored with a warning.
    pub(crate) fn post(&self, epoch: u64, metric: f64) {
        let mut values = self.values();
        match values.get(&epoch) {
            Some(first) if first.to_bits() != metric.to_bits() => crate::alert::warn(&format!(
                "ReduceLROnPlateau: epoch {epoch} already has metric {first}; ignoring {metric}"
            )),
            Some(_) => {}
            None => {
                values.insert(epoch, metric);
                self.inner.latest.fetch_max(epoch, Ordering::Release);
            }
        }
    }

    /// The highest epoch posted (0 = none).
    pub(crate) fn latest(&self) -> u64 {
        self.inner.latest.load(Ordering::Acquire)
    }

    /// Calls `f(epoch, metric)` for every posted epoch in `after + 1..=through`, in order.
    pub(crate) fn for_each_between(&self, after: u64, through: u64, mut f: impl FnMut(u64, f64)) {
        for (&epoch, &metric) in self.values().range(after + 1..=through) {
            f(epoch, metric);
        }
    }
}
