//! Messages a user must see. burn-train routes `log` records to
//! `experiment.log` only, so these also go to the console (stderr).

use std::sync::atomic::{AtomicBool, Ordering};

/// A warning: logged and printed.
pub(crate) fn warn(message: &str) {
    log::warn!("{message}");
    eprintln!("burn-lr warning: {message}");
}

/// An error the run survives (or that stops it): logged and printed.
pub(crate) fn error(message: &str) {
    log::error!("{message}");
    eprintln!("burn-lr error: {message}");
}

/// Calls `report` the first time only (for anomalies that would repeat every step).
pub(crate) fn once(flag: &AtomicBool, report: impl FnOnce()) {
    if !flag.swap(true, Ordering::Relaxed) {
        report();
    }
}
