//! Plugging a [`Spec`] into burn-train: [`Spec::init`] builds burn's
//! `ModuleLrScheduler` (one scheduler per group) with its [`LrHook`].

mod hook;
mod logs;
mod metric;
mod probe;
mod steps;

use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::{ModuleLearningRate, ModuleLrScheduler};
use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use burn::module::{Module, ParamGroup};

pub use burn::train::metric::store::Split;
pub use hook::{HookProblem, KeepGoing, LrHook, OnMismatch, epoch_mean};
pub use logs::{logged_lrs, logged_per_batch};
pub use metric::GroupLrMetric;
pub(crate) use probe::StepProbe;
pub use steps::StepsPerEpoch;

use crate::plateau::{MetricMailbox, PlateauScheduler};
use crate::{ConfigError, MomentumHandle, Scheduler, Spec};

/// A validated spec ready for burn-train: burn's `ModuleLrScheduler` (one
/// scheduler per parameter group) and the [`LrHook`] that watches it.
///
/// It converts into `ModuleLrScheduler`, so it goes straight into
/// `Learner::new(model, optim, lr)`; take the hook first with
/// [`hook`](Self::hook) and register it with `.early_stopping(..)`.
#[derive(Clone)]
pub struct ModuleSchedule {
    scheduler: ModuleLrScheduler,
    hook: LrHook,
    momentum: Option<MomentumHandle>,
}

impl ModuleSchedule {
    /// The epoch-end hook of this schedule (a handle: clones share state with
    /// the scheduler).
    pub fn hook(&self) -> LrHook {
        self.hook.clone()
    }

    /// The momentum this schedule cycles (`cycle_momentum` of `one_cycle` and
    /// `cyclic`, on by default as in PyTorch), for an optimizer of
    /// [`cycled`](crate::optim::cycled); `None` when the spec sets no momentum.
    pub fn momentum(&self) -> Option<MomentumHandle> {
        self.momentum.clone()
    }

    /// Steps every group, for a training loop of your own (burn-train calls
    /// this itself): the LR of each parameter for the next update.
    pub fn step(&mut self) -> ModuleLearningRate {
        self.scheduler.step()
    }

    /// The state of every group, for a checkpoint of your own loop.
    pub fn to_record(&self) -> LrSchedulerRecord {
        self.scheduler.to_record()
    }

    /// Restores the state saved by [`to_record`](Self::to_record).
    pub fn load_record(mut self, record: LrSchedulerRecord) -> Self {
        self.scheduler = self.scheduler.load_record(record);
        self
    }

    /// Lets this schedule resume from a checkpoint of another spec or base
    /// LR (the record's fingerprint differs): a deliberate change, as when
    /// a cooldown branches from a stable run. Without it the hook stops such
    /// a run at the end of its first epoch.
    pub fn allow_spec_change(self) -> Self {
        self.hook.allow_spec_change();
        self
    }

    /// The scheduler and its hook.
    pub fn into_parts(self) -> (ModuleLrScheduler, LrHook) {
        (self.scheduler, self.hook)
    }
}

impl std::fmt::Debug for ModuleSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleSchedule")
            .field("hook", &self.hook)
            .finish_non_exhaustive()
    }
}

impl From<ModuleSchedule> for ModuleLrScheduler {
    fn from(schedule: ModuleSchedule) -> Self {
        schedule.scheduler
    }
}

impl Spec {
    /// Validates the spec and builds the schedulers of every group for an
    /// optimizer LR of `base_lr` (any finite number `>= 0`; LRs above 1 are
    /// fine), for `Learner::new(model, optim, spec.init(lr)?)`.
    ///
    /// A spec with parameter groups is an error here: their patterns can only
    /// be checked against a model, and a pattern that selects no parameter (a
    /// typo) would leave those parameters at the base LR while the group's
    /// metric reports the group's LR. Build it with
    /// [`init_for`](Self::init_for).
    pub fn init(&self, base_lr: f64) -> Result<ModuleSchedule, ConfigError> {
        // The spec's own errors first: they are the more specific ones.
        let schedule = self.build(base_lr)?;
        if !self.groups().is_empty() {
            let patterns: Vec<String> = self
                .groups()
                .iter()
                .map(|g| format!("{:?}", g.pattern()))
                .collect();
            return Err(ConfigError::invalid(
                "groups",
                format!("[{}]", patterns.join(", ")),
                "no groups for `init`, which cannot check their patterns against a model: build \
                 with `spec.init_for(&model, lr)`",
            ));
        }
        Ok(schedule)
    }

    /// The schedulers of every group and the hook, with nothing checked
    /// against a model.
    pub(crate) fn build(&self, base_lr: f64) -> Result<ModuleSchedule, ConfigError> {
        let Schedulers {
            default,
            groups,
            hook,
            momentum,
        } = self.schedulers(base_lr)?;
        let mut module = ModuleLrScheduler::new(default);
        for ((i, g), scheduler) in self.groups().iter().enumerate().zip(groups) {
            let params = ParamGroup::from_regex(g.regex()).map_err(|e| {
                ConfigError::invalid(format!("groups[{i}].match"), g.pattern(), format!("{e:?}"))
            })?;
            module = module.with_group(params, scheduler);
        }
        if let Some((_, scheduler)) = &momentum {
            let path = ParamGroup::from_regex(format!("^{}$", crate::optim::MOMENTUM_PATH))
                .map_err(|e| {
                    ConfigError::invalid("momentum", crate::optim::MOMENTUM_PATH, format!("{e:?}"))
                })?;
            module = module.with_group(path, scheduler.clone());
        }
        Ok(ModuleSchedule {
            scheduler: module,
            hook,
            momentum: momentum.map(|(handle, _)| handle),
        })
    }

    /// Every scheduler of the spec and the hook that watches them.
    fn schedulers(&self, base_lr: f64) -> Result<Schedulers, ConfigError> {
        let clock = self.check_init(base_lr)?;
        let probe = StepProbe::default();
        let mailbox = self.plateau().map(|_| MetricMailbox::new());
        let plateau = self.plateau().cloned().map(Arc::new);
        let base = Scheduler::new(Arc::new(self.clone()), clock, base_lr);
        let group =
            |index: usize, scheduler: Scheduler| match (&plateau, &mailbox, self.steps_per_epoch())
            {
                (Some(plateau), Some(mailbox), Some(steps_per_epoch)) => {
                    GroupScheduler::Plateau(PlateauScheduler::new(
                        scheduler,
                        plateau.clone(),
                        plateau.min_lr_of(index),
                        mailbox.clone(),
                        steps_per_epoch,
                    ))
                }
                _ => GroupScheduler::Plain(scheduler),
            };
        let momentum = self.schedule().cycles_momentum().then(MomentumHandle::new);
        let mut first = base.clone().with_probe(probe.clone());
        if let Some(handle) = &momentum {
            first = first.with_momentum(handle.clone());
        }
        let default = group(0, first);
        let groups = (self.groups().iter().enumerate())
            .map(|(i, g)| group(i + 1, base.clone().with_lr_mult(g.lr_mult())))
            .collect();
        let hook = LrHook::new(
            probe,
            self.steps_per_epoch(),
            mailbox,
            momentum.clone(),
            base_lr,
        );
        let momentum = momentum.map(|handle| (handle, GroupScheduler::Momentum(base)));
        Ok(Schedulers {
            default,
            groups,
            hook,
            momentum,
        })
    }

    /// [`init`](Self::init), after checking every group pattern against the
    /// parameter paths of `module`: a pattern that selects no parameter (a
    /// typo, a renamed field) is an error that lists the paths there are.
    pub fn init_for<M: Module>(
        &self,
        module: &M,
        base_lr: f64,
    ) -> Result<ModuleSchedule, ConfigError> {
        self.check_groups(module)?;
        self.build(base_lr)
    }

    /// An error naming the first group whose `match` is a prefix of no
    /// parameter path of `module`.
    pub(crate) fn check_groups<M: Module>(&self, module: &M) -> Result<(), ConfigError> {
        let paths = crate::groups::paths::parameter_paths(module);
        for (i, group) in self.groups().iter().enumerate() {
            if !paths.iter().any(|path| group.matches(path)) {
                return Err(ConfigError::invalid(
                    format!("groups[{i}].match"),
                    format!("{:?}", group.pattern()),
                    format!(
                        "a prefix of at least one parameter path of the model; its paths start \
                         with {}",
                        crate::groups::paths::top_level(&paths)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The scheduler of the default group alone, for a spec without plateau
    /// (plateau schedulers need their hook: use [`init`](Self::init)).
    pub fn scheduler(&self, base_lr: f64) -> Result<Scheduler, ConfigError> {
        if self.plateau().is_some() {
            return Err(ConfigError::invalid(
                "scheduler",
                "\"reduce_on_plateau\"",
                "a spec without plateau here: `init` builds a plateau scheduler with its hook",
            ));
        }
        let clock = self.check_init(base_lr)?;
        Ok(Scheduler::new(Arc::new(self.clone()), clock, base_lr))
    }

    /// The LRs of updates `1..=steps` of the default group (what `step()`
    /// returns, in order). A plateau spec sees no metric (see
    /// [`preview_with_metrics`](Self::preview_with_metrics)).
    pub fn preview(&self, base_lr: f64, steps: usize) -> Result<Vec<f64>, ConfigError> {
        self.preview_with_metrics(base_lr, steps, &[])
    }

    /// Like [`preview`](Self::preview), with `metrics[i]` the validation
    /// metric of epoch `i + 1`, observed at its end, for a plateau spec
    /// (epochs past the end of `metrics` report none).
    pub fn preview_with_metrics(
        &self,
        base_lr: f64,
        steps: usize,
        metrics: &[f64],
    ) -> Result<Vec<f64>, ConfigError> {
        let Schedulers {
            default: mut scheduler,
            hook,
            momentum,
            ..
        } = self.schedulers(base_lr)?;
        if let GroupScheduler::Plateau(plateau) = &mut scheduler {
            plateau.quiet();
        }
        if let Some((handle, _)) = &momentum {
            handle.quiet();
        }
        let ended_epoch = |update: u64| {
            self.steps_per_epoch()
                .filter(|k| update > 0 && update.is_multiple_of(*k))
                .map(|k| update / k)
        };
        Ok((0..steps as u64)
            .map(|update| {
                if let Some(epoch) = ended_epoch(update)
                    && let Some(&metric) = metrics.get(epoch as usize - 1)
                {
                    hook.observe(epoch, metric);
                }
                scheduler.step()
            })
            .collect())
    }
}

/// What a spec's [`init`](Spec::init) assembles.
struct Schedulers {
    /// The default group's scheduler, which reports to the hook's probe.
    default: GroupScheduler,
    /// One per parameter group, in the spec's order.
    groups: Vec<GroupScheduler>,
    hook: LrHook,
    /// For a spec that cycles the momentum: its handle and the scheduler of
    /// its hidden group.
    momentum: Option<(MomentumHandle, GroupScheduler)>,
}

/// The scheduler of one parameter group, or of the momentum.
#[derive(Debug, Clone)]
enum GroupScheduler {
    Plain(Scheduler),
    Plateau(PlateauScheduler),
    /// The momentum of every update, as the "LR" of a group that matches no
    /// parameter: burn-train hands it to every metric with the update's LRs.
    Momentum(Scheduler),
}

impl LrScheduler for GroupScheduler {
    fn step(&mut self) -> f64 {
        match self {
            Self::Plain(s) => s.step(),
            Self::Plateau(s) => s.step(),
            Self::Momentum(s) => {
                let momentum = s.momentum_at(s.updates());
                s.step();
                momentum.unwrap_or(f64::NAN)
            }
        }
    }

    fn to_record(&self) -> LrSchedulerRecord {
        match self {
            Self::Plain(s) | Self::Momentum(s) => s.to_record(),
            Self::Plateau(s) => s.to_record(),
        }
    }

    fn load_record(&mut self, record: LrSchedulerRecord) {
        match self {
            Self::Plain(s) | Self::Momentum(s) => s.load_record(record),
            Self::Plateau(s) => s.load_record(record),
        }
    }
}
