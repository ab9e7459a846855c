//! `step()` allocates nothing, for every schedule (a counting allocator
//! watches 10,000 steps of each, on the stepping thread only: the test
//! harness allocates on threads of its own).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use burn::lr_scheduler::LrScheduler;
use burn_lr_benches::representative_specs;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static WATCHED: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHED.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn stepping_never_allocates() {
    for (name, spec) in representative_specs() {
        let mut scheduler = spec.scheduler(0.1).unwrap();
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        WATCHED.with(|w| w.set(true));
        let mut sum = 0.0;
        for _ in 0..10_000 {
            sum += scheduler.step();
        }
        WATCHED.with(|w| w.set(false));
        let after = ALLOCATIONS.load(Ordering::SeqCst);
        assert!(sum.is_finite());
        assert_eq!(
            after - before,
            0,
            "{name}: {} allocations in 10,000 steps",
            after - before
        );
    }
}
