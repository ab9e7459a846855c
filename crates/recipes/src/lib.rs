//! Domain LR recipes, an advisor that picks one for a run, and a linter that
//! catches the classic scheduling mistakes before a run wastes compute.
//!
//! ```
//! use burn_lr_recipes::{lint, recommend, ModelFamily, RunDescription, Severity};
//! let run = RunDescription::new(ModelFamily::Vit, 300, 2502, 512);
//! let recipe = recommend(&run).unwrap();
//! assert_eq!(recipe.name, "vision-vit");
//! assert!(lint(&recipe.schedule, &run).unwrap().iter().all(|f| f.severity == Severity::Info));
//! ```
#![warn(missing_docs)]

mod advisor;
mod detection;
mod language;
mod lint;
mod lr_free;
mod recipe;
mod run;
mod schedule_free;
mod training;
mod vision;

pub use advisor::{AdviceError, recommend};
pub use detection::{detection, detr};
pub use language::{transformer, transformer_inverse_sqrt};
pub use lint::{Finding, MIN_SCHEDULED_STEPS, Severity, lint};
pub use lr_free::lr_free;
pub use recipe::{MAX_BATCH_SCALE, OptimizerSpec, Recipe, effective_batch, scale_lr};
pub use run::{Budget, MAX_STEPS, ModelFamily, OptimizerKind, RunDescription, Stepping};
pub use schedule_free::schedule_free;
pub use training::{fast_one_cycle, fine_tuning, large_batch, segmentation};
pub use vision::{cnn_classic, cnn_modern, vit};
