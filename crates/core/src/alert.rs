//! What a run must tell its user: warnings (a misuse the run survives) and
//! errors (a problem the run stops at, or could not start with).
//!
//! By default an alert is a `log` record and a line on stderr: burn-train
//! routes `log` records to `experiment.log` only, where nobody reads them
//! during a run. [`route`] sends every alert to a handler of yours instead
//! (to `tracing`, a test's list, a dashboard); [`route_to_stderr`] restores
//! the default. The library prints through this module only.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use burn_lr_core::alert::{self, Severity};
//!
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let sink = seen.clone();
//! alert::route(move |severity, message| sink.lock().unwrap().push((severity, message.to_string())));
//! // ... build and train: every warning and error lands in `seen` ...
//! alert::route_to_stderr();
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// How grave an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A misuse or an anomaly the run survives.
    Warning,
    /// A problem the run stops at (or goes on with, when told to).
    Error,
}

type Handler = Arc<dyn Fn(Severity, &str) + Send + Sync>;

/// The handler [`route`] set, if any (the default prints).
static HANDLER: RwLock<Option<Handler>> = RwLock::new(None);

/// Sends every alert, from every thread, to `handler` instead of `log` and
/// stderr, until [`route_to_stderr`] or another `route`.
pub fn route(handler: impl Fn(Severity, &str) + Send + Sync + 'static) {
    *HANDLER.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(handler));
}

/// Alerts go to `log` and stderr again (the default).
pub fn route_to_stderr() {
    *HANDLER.write().unwrap_or_else(|e| e.into_inner()) = None;
}

fn send(severity: Severity, message: &str) {
    // The handler is cloned out so that it may itself raise an alert.
    let handler = HANDLER.read().unwrap_or_else(|e| e.into_inner()).clone();
    match (handler, severity) {
        (Some(handler), _) => handler(severity, message),
        (None, Severity::Warning) => {
            log::warn!("{message}");
            eprintln!("burn-lr warning: {message}");
        }
        (None, Severity::Error) => {
            log::error!("{message}");
            eprintln!("burn-lr error: {message}");
        }
    }
}

/// A warning.
pub(crate) fn warn(message: &str) {
    send(Severity::Warning, message);
}

/// An error the run survives (or that stops it).
pub(crate) fn error(message: &str) {
    send(Severity::Error, message);
}

/// Calls `report` the first time only (for anomalies that would repeat every step).
pub(crate) fn once(flag: &AtomicBool, report: impl FnOnce()) {
    if !flag.swap(true, Ordering::Relaxed) {
        report();
    }
}
