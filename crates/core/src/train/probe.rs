//! What the default group's scheduler tells the [`LrHook`](crate::LrHook):
//! how many updates it had made when this process started stepping it, and
//! how many it has made now.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
    /// Why the record the scheduler was restored from does not fit it.
    resume: Mutex<Option<String>>,
    /// Whether a change of spec on resume is deliberate.
    spec_change_allowed: AtomicBool,
}

impl Default for StepProbe {
    fn default() -> Self {
        Self {
            inner: Arc::new(Counts {
                first: AtomicU64::new(UNSET),
                latest: AtomicU64::new(0),
                resume: Mutex::new(None),
                spec_change_allowed: AtomicBool::new(false),
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

    /// Called by the scheduler when the record it is restored from does not
    /// fit it; `spec_change` tells a record of another spec from one that
    /// cannot be read.
    pub(crate) fn resume_problem(&self, spec_change: bool, problem: String) {
        if spec_change && self.inner.spec_change_allowed.load(Ordering::Relaxed) {
            return;
        }
        let mut resume = self.inner.resume.lock().unwrap_or_else(|e| e.into_inner());
        resume.get_or_insert(problem);
    }

    /// The first problem of the restored record, if any.
    pub(crate) fn resume(&self) -> Option<String> {
        self.inner
            .resume
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Lets the scheduler be restored from a record of another spec.
    pub(crate) fn allow_spec_change(&self) {
        self.inner
            .spec_change_allowed
            .store(true, Ordering::Relaxed);
    }
}
