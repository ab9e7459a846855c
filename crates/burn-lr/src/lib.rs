//! burn-lr: learning-rate scheduling for [burn](https://burn.dev).
//!
//! Write a schedule with PyTorch, Hugging Face or timm names, get the same
//! numbers, and plug it into `Learner::new(model, optim, scheduler)`:
//!
//! ```
//! use burn_lr::Spec;
//!
//! let spec = Spec::from_json(r#"{
//!     "scheduler": "cosine_annealing", "t_max": 90,
//!     "unit": "epoch", "timing": "iteration", "steps_per_epoch": 100,
//!     "warmup": {"total_iters": 5, "start_factor": 0.01},
//!     "groups": [{"match": "backbone", "lr_mult": 0.1}]
//! }"#).unwrap();
//! // burn's `ModuleLrScheduler`, one scheduler per parameter group:
//! let scheduler = spec.init(0.1).unwrap();
//! # let _ = scheduler;
//! ```
//!
//! Features: `ndarray`, `wgpu` and `cuda` enable the matching burn backends
//! (Flex, burn's default CPU backend, is always available).

pub use burn_lr_schedule::*;

/// ReduceLROnPlateau over any schedule, fed by burn-train's validation metrics.
pub mod plateau {
    pub use burn_lr_plateau::*;
}

/// The LR range test, fastai's suggestion rules, and the hand-off to schedules.
pub mod finder {
    pub use burn_lr_finder::*;
}

/// Domain recipes, the advisor and the linter.
pub mod recipes {
    pub use burn_lr_recipes::*;
}
