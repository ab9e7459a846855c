//! Optimizers that follow a schedule: SGD and Adam whose momentum the
//! schedule cycles, schedule-free AdamW and SGD, and the learning-rate-free
//! Prodigy and D-Adaptation Adam. Their state is saved in burn's optimizer
//! records.

pub mod cycled;
mod kind;
pub mod lr_free;
mod momentum;
pub(crate) mod record;
pub mod schedule_free;

pub use kind::OptimizerKind;
pub use momentum::MomentumHandle;
pub(crate) use momentum::PATH as MOMENTUM_PATH;
