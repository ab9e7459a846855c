//! What a learning-rate-free optimizer tells the [`LrHook`](crate::LrHook)
//! of the run it trains in, so that a run that cannot train as configured
//! stops at the end of its first epoch instead of finishing untrained.
//!
//! burn-train runs the optimizer's updates and the hook's epoch-end check on
//! the same training thread, and offers no way to stop mid-epoch: each
//! handle registers its record on the thread that steps it, and the hook
//! collects them there.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// Base LRs a learning-rate-free optimizer is meant for: its LR multiplies
/// the adapted scale `d`, as the packages' `lr` (1.0 by default).
pub const BASE_LR_RANGE: (f64, f64) = (0.1, 10.0);
/// Updates after which a `d` that has not grown is a problem.
pub const D_GRACE_UPDATES: u64 = 50;

/// A handle's record of its run: shared by every clone of the handle.
#[derive(Debug)]
pub(crate) struct Watch {
    name: &'static str,
    bare: AtomicBool,
    updates: AtomicU64,
    first_d: AtomicU64,
    d: AtomicU64,
    previous_lr: AtomicU64,
    any_base_lr: AtomicBool,
    warned_warmup: AtomicBool,
}

thread_local! {
    /// The records of the handles stepped on this thread since the hook
    /// last collected them.
    static STEPPED: RefCell<Vec<Weak<Watch>>> = const { RefCell::new(Vec::new()) };
}

impl Watch {
    pub(crate) fn new(name: &'static str, d0: f64) -> Arc<Watch> {
        Arc::new(Watch {
            name,
            bare: AtomicBool::new(false),
            updates: AtomicU64::new(0),
            first_d: AtomicU64::new(d0.to_bits()),
            d: AtomicU64::new(d0.to_bits()),
            previous_lr: AtomicU64::new(0f64.to_bits()),
            any_base_lr: AtomicBool::new(false),
            warned_warmup: AtomicBool::new(false),
        })
    }

    fn announce(self: &Arc<Self>) {
        STEPPED.with(|stepped| {
            let mut stepped = stepped.borrow_mut();
            if !stepped
                .iter()
                .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(self)))
            {
                stepped.push(Arc::downgrade(self));
            }
        });
    }

    /// An update through the handle, at LR `lr`, that left `d`. Returns
    /// whether the LR rose since the previous update (a warmup).
    pub(crate) fn updated(self: &Arc<Self>, lr: f64, d: f64) -> bool {
        self.announce();
        self.updates.fetch_add(1, Ordering::Relaxed);
        self.d.store(d.to_bits(), Ordering::Relaxed);
        let previous = f64::from_bits(self.previous_lr.swap(lr.to_bits(), Ordering::Relaxed));
        self.updates.load(Ordering::Relaxed) > 1 && lr > previous
    }

    /// An update outside the handle (it changed nothing).
    pub(crate) fn bare(self: &Arc<Self>) {
        self.announce();
        self.bare.store(true, Ordering::Relaxed);
    }

    /// The updates through the handle, and whether one was made without it.
    fn touches(&self) -> (u64, bool) {
        (
            self.updates.load(Ordering::Relaxed),
            self.bare.load(Ordering::Relaxed),
        )
    }

    /// Whether the warmup warning is still to be given (true once).
    pub(crate) fn first_warmup(&self) -> bool {
        !self.warned_warmup.swap(true, Ordering::Relaxed)
    }

    /// Lets the run use a base LR outside [`BASE_LR_RANGE`].
    pub(crate) fn allow_any_base_lr(&self) {
        self.any_base_lr.store(true, Ordering::Relaxed);
    }

    /// The first reason the run cannot train as configured, if any, for a
    /// schedule initialised at `base_lr`.
    fn problem(&self, epoch: u64, base_lr: f64) -> Option<String> {
        let name = self.name;
        if self.bare.load(Ordering::Relaxed) {
            return Some(format!(
                "epoch {epoch} ended and {name} was stepped without its handle \
                 (`ModuleOptimizer::step`, or burn-train's sharded multi-device update): an update \
                 needs two passes over the model, so every update left the parameters unchanged. \
                 Wrap the model in `LrFreeModel::new(model, handle)` (one device, or burn-train's \
                 main-device strategy), or call `handle.step(..)` in a loop of your own."
            ));
        }
        let (low, high) = BASE_LR_RANGE;
        if !(low..=high).contains(&base_lr) && !self.any_base_lr.load(Ordering::Relaxed) {
            return Some(format!(
                "epoch {epoch} ended and the schedule's base LR is {base_lr}, but {name} \
                 multiplies its adapted scale d by the LR (the package's `lr`, 1.0 by default): \
                 at {base_lr} its steps are {base_lr} times the package's. Initialise the \
                 schedule at 1.0 (`spec.init(1.0)`); a base LR outside [{low}, {high}] needs \
                 `handle.allow_any_base_lr()`."
            ));
        }
        let updates = self.updates.load(Ordering::Relaxed);
        let (first, d) = (
            f64::from_bits(self.first_d.load(Ordering::Relaxed)),
            f64::from_bits(self.d.load(Ordering::Relaxed)),
        );
        (updates >= D_GRACE_UPDATES && d <= first).then(|| {
            format!(
                "epoch {epoch} ended and {name}'s adapted scale d is still {d:e}, its start \
                 value, after {updates} updates: its steps are d times the LR, so the model is \
                 not training. Check that the loss has gradients, use a base LR near 1 and a \
                 schedule that is not 0, or raise `d0`."
            )
        })
    }
}

/// A mark of the learning-rate-free updates made on the calling thread, to
/// tell whether code run after it stepped a learning-rate-free optimizer
/// (with its handle or without): how the LR range test refuses one.
#[derive(Debug, Default)]
pub struct LrFreeMark {
    seen: Vec<(Weak<Watch>, u64, bool)>,
}

impl LrFreeMark {
    /// The learning-rate-free updates made on this thread so far.
    pub fn now() -> Self {
        let seen = STEPPED.with(|stepped| {
            stepped
                .borrow()
                .iter()
                .filter_map(|w| {
                    let watch = w.upgrade()?;
                    Some((w.clone(), watch.touches().0, watch.touches().1))
                })
                .collect()
        });
        Self { seen }
    }

    /// The name of a learning-rate-free optimizer stepped on this thread
    /// since the mark (`"Prodigy"`, `"D-Adapt Adam"`), if any.
    pub fn stepped_since(&self) -> Option<&'static str> {
        STEPPED.with(|stepped| {
            stepped.borrow().iter().find_map(|w| {
                let watch = w.upgrade()?;
                let before = self.seen.iter().find(|(seen, ..)| seen.ptr_eq(w));
                let now = watch.touches();
                let moved = before.is_none_or(|&(_, updates, bare)| (updates, bare) != now);
                moved.then_some(watch.name)
            })
        })
    }
}

/// The records of the learning-rate-free handles a hook watches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Watched {
    handles: Vec<Weak<Watch>>,
}

impl Watched {
    /// Collects the handles stepped on this thread, and returns the first
    /// problem of any handle it watches.
    pub(crate) fn problem(&mut self, epoch: u64, base_lr: f64) -> Option<String> {
        let fresh = STEPPED.with(|stepped| std::mem::take(&mut *stepped.borrow_mut()));
        for w in fresh {
            if !self.handles.iter().any(|h| h.ptr_eq(&w)) {
                self.handles.push(w);
            }
        }
        self.handles.retain(|w| w.strong_count() > 0);
        self.handles
            .iter()
            .filter_map(Weak::upgrade)
            .find_map(|watch| watch.problem(epoch, base_lr))
    }
}
