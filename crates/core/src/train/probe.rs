//! What the default group's scheduler tells the [`LrHook`](crate::LrHook):
//! how many updates it had made when this process started stepping it, and
//! how many it has made now.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const UNSET: u64 = u64::MAX;

/// Update counts shared by a scheduler (every clone of it: one per DDP
/// worker) and its hook. Recording costs two relaxed atomic operations.
#[derive(Debug, Clone)]
pub(crate) struct StepProbe {
    inner: Arc<Counts>,
}

#[derive(Debug)]
struct Counts {
    /// The update count before the first `step()` of this process (the
    /// count restored from a record on resume, 0 on a fresh run).
    first: AtomicU64,
    /// The highest update count reached.
    latest: AtomicU64,
}

impl Default for StepProbe {
    fn default() -> Self {
        Self {
            inner: Arc::new(Counts {
                first: AtomicU64::new(UNSET),
                latest: AtomicU64::new(0),
            }),
        }
    }
}

impl StepProbe {
    /// Called by the scheduler after each `step()`; `updates` counts it.
    pub(crate) fn record(&self, updates: u64) {
        let counts = &self.inner;
        if counts.first.load(Ordering::Relaxed) == UNSET {
            let _ = counts.first.compare_exchange(
                UNSET,
                updates - 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        counts.latest.fetch_max(updates, Ordering::Relaxed);
    }

    /// `(first, latest)`, or `None` before the first `step()`.
    pub(crate) fn counts(&self) -> Option<(u64, u64)> {
        let first = self.inner.first.load(Ordering::Relaxed);
        (first != UNSET).then(|| (first, self.inner.latest.load(Ordering::Relaxed)))
    }
}
