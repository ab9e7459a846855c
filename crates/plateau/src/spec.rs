//! `{"scheduler": "reduce_on_plateau", ...}`: the plateau parameters with
//! PyTorch's names, over an optional base schedule.

use std::path::Path;
use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::ParamGroup;
use burn_lr_schedule::spec::params::Params;
use burn_lr_schedule::spec::read_spec_file;
use burn_lr_schedule::{Spec, SpecError};
use serde_json::{Map, Value, json};

use crate::config::PlateauConfig;
use crate::hook::PlateauHook;
use crate::mailbox::MetricMailbox;
use crate::scheduler::PlateauScheduler;

/// Keys of the top level that describe the base schedule.
const BASE_OPTIONS: [&str; 5] = ["unit", "steps_per_epoch", "timing", "warmup", "groups"];

/// A plateau spec: the rule and the schedule it scales.
///
/// ```
/// use burn_lr_plateau::PlateauSpec;
/// // Warmup, then cosine, reduced by half after 3 bad epochs:
/// let spec = PlateauSpec::from_json(r#"{
///     "scheduler": "reduce_on_plateau", "factor": 0.5, "patience": 3,
///     "base": {"scheduler": "cosine_annealing", "t_max": 50, "unit": "epoch",
///              "timing": "iteration", "warmup": {"total_iters": 2}}
/// }"#).unwrap();
/// let (scheduler, hook) = spec.init(1e-3, 100).unwrap();
/// # let _ = (scheduler, hook);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PlateauSpec {
    /// The plateau rule.
    pub config: PlateauConfig,
    /// The schedule it scales (a constant base LR when the spec names none).
    pub base: Spec,
}

impl PlateauSpec {
    /// Parses a JSON spec.
    pub fn from_json(text: &str) -> Result<Self, SpecError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| SpecError::Syntax(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Reads a spec file (JSON, or TOML when the name ends in `.toml`).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, SpecError> {
        Self::from_value(&read_spec_file(path)?)
    }

    /// Whether a decoded spec asks for ReduceLROnPlateau.
    pub fn is_plateau(value: &Value) -> bool {
        value.get("scheduler").and_then(Value::as_str) == Some("reduce_on_plateau")
    }

    /// Parses a decoded spec whose `scheduler` is `reduce_on_plateau`.
    pub fn from_value(value: &Value) -> Result<Self, SpecError> {
        let map = value
            .as_object()
            .filter(|_| Self::is_plateau(value))
            .ok_or_else(|| {
                SpecError::invalid(
                    "scheduler",
                    value.get("scheduler").unwrap_or(&Value::Null),
                    "\"reduce_on_plateau\"",
                )
            })?;
        let mut p = Params::new(map);
        let config = PlateauConfig::parse(&mut p)?;
        let mut base: Map<String, Value> = match p.value("base") {
            None => json!({"scheduler": "constant", "factor": 1.0, "total_iters": 1})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            Some(Value::Object(base)) => base.clone(),
            Some(other) => return Err(SpecError::invalid("base", other, "a schedule object")),
        };
        for key in BASE_OPTIONS {
            if let Some(option) = p.value(key) {
                if base.contains_key(key) {
                    return Err(SpecError::invalid(
                        key,
                        option,
                        "at the top level or in `base`, not both",
                    ));
                }
                base.insert(key.into(), option.clone());
            }
        }
        p.finish()?;
        let base = Spec::from_value(&Value::Object(base)).map_err(|e| e.within("base"))?;
        let groups = 1 + base.groups.len();
        if config.min_lr.len() > groups {
            return Err(SpecError::invalid(
                "min_lr",
                format!("{:?}", config.min_lr),
                format!(
                    "at most {groups} floors: the default group, then one per entry of `groups`"
                ),
            ));
        }
        Ok(Self { config, base })
    }

    /// The scheduler of the default group, reading metrics from `mailbox`.
    ///
    /// `steps_per_epoch` is the number of optimizer updates per epoch; it also
    /// completes a base spec written in epochs.
    pub fn scheduler(
        &self,
        base_lr: f64,
        steps_per_epoch: u64,
        mailbox: &MetricMailbox,
    ) -> Result<PlateauScheduler, SpecError> {
        self.group_scheduler(base_lr, steps_per_epoch, mailbox, 0, 1.0)
    }

    fn group_scheduler(
        &self,
        base_lr: f64,
        steps_per_epoch: u64,
        mailbox: &MetricMailbox,
        group: usize,
        lr_mult: f64,
    ) -> Result<PlateauScheduler, SpecError> {
        if steps_per_epoch == 0 {
            return Err(SpecError::invalid("steps_per_epoch", 0, "an integer >= 1"));
        }
        let mut base = self.base.clone();
        if base.steps_per_epoch.is_none() {
            base = base.with_steps_per_epoch(steps_per_epoch);
        }
        Ok(PlateauScheduler::new(
            base.scheduler(base_lr)?.with_lr_mult(lr_mult),
            Arc::new(self.config.clone()),
            self.config.min_lr_of(group),
            mailbox.clone(),
            steps_per_epoch,
        ))
    }

    /// The LRs of updates `1..=steps` when `metrics[i]` is the validation
    /// metric of epoch `i + 1` (observed at its end) and an epoch has
    /// `steps_per_epoch` updates. Epochs past the end of `metrics` report none.
    pub fn preview(
        &self,
        base_lr: f64,
        steps: usize,
        steps_per_epoch: u64,
        metrics: &[f64],
    ) -> Result<Vec<f64>, SpecError> {
        use burn::lr_scheduler::LrScheduler;
        let mailbox = MetricMailbox::new();
        let mut scheduler = self.scheduler(base_lr, steps_per_epoch, &mailbox)?;
        Ok((0..steps as u64)
            .map(|update| {
                let epoch = update / steps_per_epoch;
                if update > 0
                    && update % steps_per_epoch == 0
                    && let Some(&metric) = metrics.get(epoch as usize - 1)
                {
                    mailbox.post(epoch, metric);
                }
                scheduler.step()
            })
            .collect())
    }

    /// burn's `ModuleLrScheduler` (one plateau scheduler per group, each with its
    /// own floor) and the hook that feeds them, for
    /// `Learner::new(model, optim, scheduler)` and `.early_stopping(hook)`.
    pub fn init(
        &self,
        base_lr: f64,
        steps_per_epoch: u64,
    ) -> Result<(ModuleLrScheduler, PlateauHook), SpecError> {
        let mailbox = MetricMailbox::new();
        let mut module =
            ModuleLrScheduler::new(self.scheduler(base_lr, steps_per_epoch, &mailbox)?);
        for (i, group) in self.base.groups.iter().enumerate() {
            let scheduler =
                self.group_scheduler(base_lr, steps_per_epoch, &mailbox, i + 1, group.lr_mult)?;
            module =
                module.with_group(ParamGroup::from_predicate(group.pattern.clone()), scheduler);
        }
        Ok((module, PlateauHook::new(mailbox)))
    }
}
