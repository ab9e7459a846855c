//! ReduceLROnPlateau with PyTorch's exact semantics, as a multiplicative scale
//! over any schedule (so "warmup, then cosine, reduced on plateau" is one
//! spec), fed with validation metrics by the [`LrHook`](crate::LrHook).
//!
//! Non-finite metrics (NaN, +-inf) never count as improvements: they are bad
//! epochs, reported as such, and never make the LR NaN.

mod config;
mod mailbox;
mod scheduler;
mod state;

pub use config::{Mode, ReduceOnPlateau, ThresholdMode};
pub(crate) use mailbox::MetricMailbox;
pub(crate) use scheduler::PlateauScheduler;
