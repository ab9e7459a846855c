//! burn-lr: learning-rate scheduling for [burn](https://burn.dev).
//!
//! Write a schedule in Rust, or paste it with PyTorch, Hugging Face or timm
//! names, get the same numbers, and plug it into
//! `Learner::new(model, optim, lr)`:
//!
//! ```
//! use burn_lr::prelude::*;
//!
//! // 5 epochs of warmup, then cosine over 90, per update:
//! let spec = Spec::new(CosineAnnealingLr::new(90))
//!     .in_epochs(Timing::Iteration)
//!     .with_steps_per_epoch(StepsPerEpoch::new(50_000, 128).compute()?)
//!     .with_warmup(5, 0.01);
//! let lr = spec.init(0.1)?;      // validated; burn's ModuleLrScheduler and its hook
//! // With parameter groups (`.with_group("backbone", 0.1)`), build with
//! // `spec.init_for(&model, 0.1)?`: it checks every pattern against the model.
//! # let _ = lr;
//! # Ok::<(), ConfigError>(())
//! ```
//!
//! The README's walkthrough (every snippet of it is a test of this crate)
//! covers training, plateau, resuming, groups and the LR finder.
//!
//! Features: `ndarray`, `wgpu` and `cuda` enable the matching burn backends
//! (Flex, burn's default CPU backend, is always available).

pub use burn_lr_core::spec::Cooldown;
pub use burn_lr_core::{
    ConfigError, Curve, GroupLrMetric, HookProblem, LrGroup, LrHook, ModuleSchedule, OnMismatch,
    OptimizerKind, Schedule, Scheduler, Spec, StepsPerEpoch, Timing, Unit, Warmup, lambda,
};

/// Every schedule's typed builder (`CosineAnnealingLr::new(t_max).with_eta_min(..)`).
pub mod schedules {
    pub use burn_lr_core::schedules::{
        AnnealStrategy, Chained, ConstantLr, ConstantWithWarmup, CosineAnnealingLr,
        CosineAnnealingWarmRestarts, CosineWithHardRestarts, CosineWithMinLr, CosineWithWarmup,
        CyclicLr, CyclicMode, ExponentialLr, InverseSqrt, LambdaLr, LinearLr, LinearWithWarmup,
        MinLr, MomentumCycle, MultiStepLr, OneCycleLr, PolynomialLr, PolynomialWithWarmup,
        Sequential, StepLr, TimmCosine, WarmupStableDecay, WsdShape,
    };
}

/// ReduceLROnPlateau over any schedule, fed by burn-train's validation metrics.
pub mod plateau {
    pub use burn_lr_core::plateau::{Mode, ReduceOnPlateau, ThresholdMode};
}

/// Optimizers that follow a schedule, and optimizers that need no LR.
pub mod optim {
    pub use burn_lr_core::MomentumHandle;

    /// SGD and Adam/AdamW whose momentum follows a schedule's `cycle_momentum`.
    pub mod cycled {
        pub use burn_lr_core::optim::cycled::{
            CycledAdam, CycledAdamConfig, CycledAdamState, CycledSgd, CycledSgdConfig,
            CycledSgdState,
        };
    }

    /// Schedule-free AdamW and SGD, and the model wrapper that validates their average.
    pub mod schedule_free {
        pub use burn_lr_core::optim::schedule_free::{
            Averaged, Averaging, ScheduleFree, ScheduleFreeAdamW, ScheduleFreeAdamWConfig,
            ScheduleFreeAdamWState, ScheduleFreeSgd, ScheduleFreeSgdConfig, ScheduleFreeSgdState,
        };
    }

    /// Learning-rate-free optimizers (Prodigy, D-Adaptation Adam): the adapted
    /// scale `d` multiplies the scheduled LR (base LR 1.0).
    pub mod lr_free {
        pub use burn_lr_core::optim::lr_free::{
            AdaptedScaleMetric, DAdaptAdam, DAdaptAdamConfig, DAdaptAdamGroup, DAdaptAdamState,
            LrFree, LrFreeModel, Prodigy, ProdigyConfig, ProdigyGroup, ProdigyState,
        };
    }
}

/// burn-train integration: the epoch-end hook's helpers, and reading back
/// the LRs a run logged.
pub mod train {
    pub use burn_lr_core::train::{KeepGoing, Split, epoch_mean, logged_lrs, logged_per_batch};
}

/// The LR range test, fastai's suggestion rules, and the hand-off to schedules.
pub mod finder {
    pub use burn_lr_finder::{
        FinderConfig, HandOff, LR_RANGE, MAX_NOISE, MAX_NUM_ITER, MIN_FALL, MIN_POINTS,
        MIN_SWEEP_POINTS, Method, Plan, RangeTest, Stop, Suggestion, Sweep, SweepCurve, Trust,
        hand_off, hand_off_smoothed, horizon_factor, loss_of, range_test, suggest, suggest_within,
    };
}

/// Loss-curve laws: fit logged runs, predict a schedule's loss curve, plan a
/// schedule for a budget.
pub mod predict {
    pub use burn_lr_predict::{
        Annealing, Family, Fitted, Law, LawKind, LrPath, MIN_UPDATES, MultiPower, Planned, Run,
        RunFit, final_window, fit, plan,
    };
}

/// Domain recipes, the advisor and the linter.
pub mod recipes {
    pub use burn_lr_recipes::{
        AdviceError, Budget, Finding, MAX_BATCH_SCALE, MAX_STEPS, MIN_SCHEDULED_STEPS, ModelFamily,
        OptimizerSpec, Recipe, RunDescription, Severity, Stepping, cnn_classic, cnn_modern,
        detection, detr, effective_batch, fast_one_cycle, fine_tuning, large_batch, lint, lr_free,
        recommend, scale_lr, schedule_free, segmentation, transformer, transformer_inverse_sqrt,
        vit,
    };
}

/// What a training script needs: `use burn_lr::prelude::*;`.
pub mod prelude {
    pub use crate::optim::cycled::{CycledAdamConfig, CycledSgdConfig};
    pub use crate::optim::lr_free::{
        AdaptedScaleMetric, DAdaptAdamConfig, LrFree, LrFreeModel, ProdigyConfig,
    };
    pub use crate::optim::schedule_free::{
        Averaged, ScheduleFreeAdamWConfig, ScheduleFreeSgdConfig,
    };
    pub use crate::plateau::{Mode, ReduceOnPlateau};
    pub use crate::schedules::{
        AnnealStrategy, Chained, ConstantLr, ConstantWithWarmup, CosineAnnealingLr,
        CosineAnnealingWarmRestarts, CosineWithHardRestarts, CosineWithMinLr, CosineWithWarmup,
        CyclicLr, CyclicMode, ExponentialLr, InverseSqrt, LambdaLr, LinearLr, LinearWithWarmup,
        MinLr, MultiStepLr, OneCycleLr, PolynomialLr, PolynomialWithWarmup, Sequential, StepLr,
        TimmCosine, WarmupStableDecay, WsdShape,
    };
    pub use crate::{
        ConfigError, Cooldown, GroupLrMetric, HookProblem, LrHook, ModuleSchedule, OnMismatch,
        Spec, StepsPerEpoch, Timing,
    };
}

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeSnippets;

#[cfg(test)]
mod tests {
    /// A schedule added to the library must be listed in the README's table.
    #[test]
    fn the_readme_lists_every_schedule() {
        let readme = include_str!("../../../README.md");
        let missing: Vec<&str> = crate::Schedule::NAMES
            .iter()
            .copied()
            .filter(|name| !readme.contains(&format!("| `{name}` |")))
            .collect();
        assert!(missing.is_empty(), "not in the README's table: {missing:?}");
    }
}
