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
//! The README and the guide (`docs/guide/`, every Rust block of them a test
//! of this crate) cover training, plateau, resuming, groups, the LR finder and
//! the tuner.
//!
//! Features: `ndarray`, `wgpu` and `cuda` enable the matching burn backends
//! (Flex, burn's default CPU backend, is always available).
//!
//! # Glossary
//!
//! One name per concept, used the same way in the types, the docs and the
//! spec files:
//!
//! - **update**: one optimizer update. burn-train calls `step()` once per
//!   update (after gradient accumulation), so a spec's *step* is an update;
//!   timm's word *iteration* means the same ([`Timing::Iteration`]).
//! - [`Curve`]: a closed-form schedule, `lr(base_lr, t)`, pure. Sealed:
//!   [`lambda`] takes a closed form of your own.
//! - [`Schedule`]: the closed set of every curve, by its spec name
//!   (`"cosine_annealing"`); the typed builders are in [`schedules`].
//! - [`Spec`]: a schedule with what it needs to run: its [`Unit`], its
//!   [`Timing`], a [`Warmup`], a [`Cooldown`], parameter groups ([`LrGroup`]),
//!   a plateau rule. What a JSON/TOML file holds; validated before use.
//! - [`Unit`]: what a spec counts, updates or epochs. [`Timing`]: how a spec
//!   counted in epochs is read between epoch boundaries (held per epoch, or
//!   smooth). `recipes::Stepping`: how often a training loop calls `step()`
//!   (per update, as burn-train does, or per epoch).
//! - [`Scheduler`]: one parameter group's stateful adapter for burn's
//!   `LrScheduler` (it counts updates). [`ModuleSchedule`]: what
//!   [`Spec::init`] returns, burn's `ModuleLrScheduler` with one scheduler
//!   per group, its [`LrHook`] and the scheduled momentum.
//! - **cooldown**: the decay that ends a run ([`Cooldown`], WSD's decay). In
//!   [`plateau::ReduceOnPlateau::with_cooldown`] it keeps PyTorch's meaning:
//!   epochs to wait after a reduction.
//! - [`OptimizerKind`]: the optimizer family the finder and the recipes advise
//!   for; [`optim`] holds the optimizers this crate provides.
//! - [`ConfigError`]: every configuration error (a spec, a run description, a
//!   finder or optimizer config, a file); it names the field, row or path.
//! - [`finder::SweepCurve`]: the losses of an LR range test (not a [`Curve`]).
//!   The **range test** ([`finder::range_test`], its result
//!   [`finder::RangeTest`]) sweeps the LR over a copy of the model; a *sweep*
//!   ([`finder::Sweep`]) is only its growth mode.
//! - **hand-off**: the LR the range test's curve gives a run of a known
//!   length ([`finder::hand_off`] returns a [`finder::HandOff`] for a
//!   [`finder::Plan`], the run); the name means that and nothing else.
//! - **tuner**: the LR chosen by training ([`finder::tune`]): a *trial* is one
//!   short training of the target schedule rescaled ([`Spec::rescaled`]), a
//!   *rung* the trials of one length, the *bracket* the candidate LRs, the
//!   *budget* the updates it may train.
//! - **run**: one training the advice is for: [`finder::Plan`] to the finder,
//!   [`recipes::RunDescription`] to the recipes and the linter;
//!   [`predict::Run`] is a *logged* run that a loss law is fitted on.
//! - **family**: [`recipes::ModelFamily`] is a model's kind (cnn, vit, ...);
//!   [`predict::Family`] a schedule shape that `plan` searches.
//!
//! # Layout
//!
//! | module | what | crate |
//! | --- | --- | --- |
//! | root | [`Spec`], [`Schedule`], [`ModuleSchedule`], [`LrHook`], [`ConfigError`] | `burn-lr-core` |
//! | [`schedules`] | every schedule's typed builder | `burn-lr-core` (`schedules/`) |
//! | [`plateau`] | ReduceLROnPlateau over any schedule | `burn-lr-core` (`plateau/`) |
//! | [`train`] | burn-train integration: the hook's helpers, logged LRs | `burn-lr-core` (`train/`) |
//! | [`optim`] | cycled-momentum, schedule-free and LR-free optimizers | `burn-lr-core` (`optim/`) |
//! | [`finder`] | the LR range test, its hand-off and the tuner ([`finder::tune`]) | `burn-lr-finder` |
//! | [`predict`] | loss-curve laws and schedule planning | `burn-lr-predict` |
//! | [`recipes`] | recipes, the advisor and the linter | `burn-lr-recipes` |
//! | [`prelude`] | what a training script needs | |

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

/// Where the library's warnings and errors go: `log` and stderr by default,
/// or a handler of yours.
pub mod alert {
    pub use burn_lr_core::alert::{Severity, route, route_to_stderr};
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

    /// The tuner: the peak LR of a run from short trials of its own schedule.
    pub mod tune {
        pub use burn_lr_finder::tune::{
            Bracket, Confidence, Goal, LearnerObjective, Outcome, Trial, TrialRecord, TrialSetup,
            TuneError, TuneWarning, TunerConfig, Tuning, tune,
        };
    }
}

/// Loss-curve laws: fit logged runs, predict a schedule's loss curve, plan a
/// schedule for a budget.
pub mod predict {
    pub use burn_lr_predict::{
        Annealing, FASTER, Family, FitError, FitWarning, Fitted, Interval, Law, LawKind, LrPath,
        MIN_UPDATES, MultiPower, POOR_FIT, Planned, PredictWarning, Run, RunFit, final_window, fit,
        plan, warnings,
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

/// What a training script needs in its first hour: `use burn_lr::prelude::*;`
/// brings the spec, every schedule's builder, the burn-train glue, the
/// plateau rule and the range test. The optimizers, the tuner, the recipes
/// and the predictions are in their modules.
pub mod prelude {
    pub use crate::finder::{FinderConfig, hand_off, range_test};
    pub use crate::plateau::{Mode, ReduceOnPlateau};
    pub use crate::schedules::{
        AnnealStrategy, Chained, ConstantLr, ConstantWithWarmup, CosineAnnealingLr,
        CosineAnnealingWarmRestarts, CosineWithHardRestarts, CosineWithMinLr, CosineWithWarmup,
        CyclicLr, CyclicMode, ExponentialLr, InverseSqrt, LambdaLr, LinearLr, LinearWithWarmup,
        MinLr, MultiStepLr, OneCycleLr, PolynomialLr, PolynomialWithWarmup, Sequential, StepLr,
        TimmCosine, WarmupStableDecay, WsdShape,
    };
    pub use crate::{
        ConfigError, Cooldown, GroupLrMetric, LrHook, ModuleSchedule, OnMismatch, Spec,
        StepsPerEpoch, Timing,
    };
}

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeSnippets;

/// Every Rust block of the guide (`docs/guide/`) is a doc-test.
#[cfg(doctest)]
mod guide {
    macro_rules! pages {
        ($($name:ident = $file:literal,)*) => {
            $(#[doc = include_str!(concat!("../../../docs/guide/", $file))]
            struct $name;)*
        };
    }
    pages! {
        Training = "training.md",
        Schedules = "schedules.md",
        CommandLine = "command-line.md",
        Plateau = "plateau.md",
        Finder = "finder.md",
        Recipes = "recipes.md",
        Momentum = "momentum.md",
        Horizons = "horizons.md",
        Predict = "predict.md",
        LrFree = "lr-free.md",
        Examples = "examples.md",
        Layout = "layout.md",
    }
}

#[cfg(test)]
mod tests;
