//! ReduceLROnPlateau for burn, with PyTorch's exact semantics, as a
//! multiplicative scale over any burn-lr schedule (so "warmup, then cosine,
//! reduced on plateau" is one scheduler), fed by burn-train's validation
//! metrics through an early-stopping hook.
//!
//! - [`PlateauSpec`] parses `{"scheduler": "reduce_on_plateau", ...}` and
//!   builds the schedulers and the [`PlateauHook`].
//! - [`PlateauState`] is the rule itself, a pure state machine.
//! - [`MetricMailbox`] carries epoch-keyed metrics from the hook to every
//!   scheduler clone (DDP workers included).
//!
//! Non-finite metrics (NaN, +-inf) never count as improvements: they are bad
//! epochs, logged as such, and never make the LR NaN.
#![warn(missing_docs)]

mod config;
mod hook;
mod mailbox;
mod scheduler;
mod spec;
mod state;

pub use config::{Mode, PLATEAU_KEYS, PlateauConfig, ThresholdMode};
pub use hook::{KeepGoing, PlateauHook};
pub use mailbox::MetricMailbox;
pub use scheduler::PlateauScheduler;
pub use spec::PlateauSpec;
pub use state::{PlateauState, effective_lr};
