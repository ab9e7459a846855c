//! Domain LR recipes, an advisor that picks one for a run, and a linter that
//! catches the classic scheduling mistakes before a run wastes compute.
//!
//! ```
//! use burn_lr_recipes::{lint, recommend, ModelFamily, RunDescription};
//! let run = RunDescription::new(ModelFamily::Vit, 300, 2502, 512);
//! let recipe = recommend(&run);
//! assert_eq!(recipe.name, "vision-vit");
//! assert!(lint(&recipe.schedule, &run).iter().all(|f| f.severity == burn_lr_recipes::Severity::Info));
//! ```
#![warn(missing_docs)]

mod advisor;
mod detection;
mod language;
mod lint;
mod recipe;
mod run;
mod training;
mod vision;

pub use advisor::recommend;
pub use detection::{detection, detr};
pub use language::{transformer, transformer_inverse_sqrt};
pub use lint::{Finding, Severity, lint};
pub use recipe::{OptimizerSpec, Recipe, effective_batch, scale_lr};
pub use run::{Budget, ModelFamily, OptimizerKind, RunDescription, Stepping};
pub use training::{fast_one_cycle, fine_tuning, large_batch, segmentation};
pub use vision::{cnn_classic, cnn_modern, vit};
