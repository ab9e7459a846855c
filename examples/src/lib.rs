//! The pieces the example trainings share: the bundled digits data
//! (`digits`), the modular-addition data and its tiny transformer
//! (`arithmetic`), the digits classifier (`model`), one burn-train run with
//! its report (`run`), a quiet per-epoch renderer (`renderer`), and the
//! per-epoch table and plots read back from burn-train's logs (`report`),
//! and the loss-curve laws' evidence task (`loss_law`).

pub use burn_lr_testkit::{digits, model};

pub mod arithmetic;
pub mod finder_bench;
pub mod loss_law;
pub mod pixels;
pub mod renderer;
pub mod report;
pub mod run;
