//! The schedule spec: `{"scheduler": NAME, ...}` in JSON or TOML, with the
//! PyTorch / Hugging Face / timm parameter names, plus the keys those
//! libraries lack (`unit`, `steps_per_epoch`, `timing`, `warmup`, `groups`).

pub mod params;

use std::path::Path;
use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::ParamGroup;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::SpecError;
use crate::clock::{Clock, Timing};
use crate::curves::{Schedule, scheduler_name};
use crate::scheduler::Scheduler;
use params::{Params, Range};

/// A linear warmup in front of any schedule.
///
/// Over `total_iters` steps of the spec's unit the LR rises linearly from
/// `start_factor` times the schedule's first value to that value; the schedule
/// then starts from its own step 0 (as `sequential` with a `linear` first).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Warmup {
    /// Warmup length, in the spec's unit (at least 1).
    pub total_iters: u64,
    /// Fraction of the target LR at step 0, in `[0, 1]`.
    pub start_factor: f64,
}

/// A parameter group whose LR is the schedule's LR times `lr_mult`.
///
/// Parameters are matched by path (`ParamGroup::from_predicate`), so groups
/// still match after a checkpoint restore. The last matching group wins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrGroup {
    /// A fragment of the parameter path, e.g. `backbone`.
    #[serde(rename = "match")]
    pub pattern: String,
    /// Multiplier of the scheduled LR (`>= 0`; 0 freezes the group).
    pub lr_mult: f64,
}

/// The unit a spec counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Optimizer updates (burn-train calls `step()` once per update).
    Step,
    /// Epochs; needs `steps_per_epoch` and a [`Timing`].
    Epoch,
}

/// A complete, validated schedule description.
///
/// ```
/// use burn_lr_schedule::Spec;
/// let spec = Spec::from_json(r#"{"scheduler": "cosine_annealing", "t_max": 100,
///                                "warmup": {"total_iters": 10}}"#).unwrap();
/// let mut lrs = spec.preview(0.1, 111).unwrap();
/// assert_eq!(lrs[0], 0.0);                    // warmup starts at 0
/// assert!((lrs[10] - 0.1).abs() < 1e-15);     // the cosine starts after it
/// assert!(lrs[110] < 1e-12);                  // and ends at eta_min
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The curve.
    pub schedule: Schedule,
    /// What one unit of the curve's time is.
    pub unit: Unit,
    /// Updates per epoch, for `unit = epoch` (may be supplied later).
    pub steps_per_epoch: Option<u64>,
    /// Held or smooth inside an epoch, for `unit = epoch`.
    pub timing: Option<Timing>,
    /// An optional warmup prefix.
    pub warmup: Option<Warmup>,
    /// Per-group LR multipliers.
    pub groups: Vec<LrGroup>,
}

impl Spec {
    /// A spec in optimizer updates with no warmup and no groups.
    pub fn new(schedule: Schedule) -> Self {
        Self {
            schedule,
            unit: Unit::Step,
            steps_per_epoch: None,
            timing: None,
            warmup: None,
            groups: Vec::new(),
        }
    }

    /// Reads the curve in epochs of `steps_per_epoch` updates.
    pub fn in_epochs(mut self, steps_per_epoch: u64, timing: Timing) -> Self {
        self.unit = Unit::Epoch;
        self.steps_per_epoch = Some(steps_per_epoch);
        self.timing = Some(timing);
        self
    }

    /// Supplies `steps_per_epoch` (a spec file rarely knows the loader length).
    pub fn with_steps_per_epoch(mut self, steps_per_epoch: u64) -> Self {
        self.steps_per_epoch = Some(steps_per_epoch);
        self
    }

    /// Puts a linear warmup of `total_iters` (spec units) from `start_factor` in front.
    pub fn with_warmup(mut self, total_iters: u64, start_factor: f64) -> Self {
        self.warmup = Some(Warmup {
            total_iters,
            start_factor,
        });
        self
    }

    /// Adds a parameter group whose path contains `pattern`, at `lr_mult` times the LR.
    pub fn with_group(mut self, pattern: impl Into<String>, lr_mult: f64) -> Self {
        self.groups.push(LrGroup {
            pattern: pattern.into(),
            lr_mult,
        });
        self
    }

    /// Parses a JSON spec.
    pub fn from_json(text: &str) -> Result<Self, SpecError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| SpecError::Syntax(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Parses a TOML spec.
    pub fn from_toml(text: &str) -> Result<Self, SpecError> {
        Self::from_value(&toml_to_value(text)?)
    }

    /// Reads a spec file: TOML when the name ends in `.toml`, JSON otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, SpecError> {
        Self::from_value(&read_spec_file(path)?)
    }

    /// Parses an already-decoded JSON value.
    pub fn from_value(value: &Value) -> Result<Self, SpecError> {
        let map = value
            .as_object()
            .ok_or_else(|| SpecError::invalid("spec", value, "an object with a `scheduler` key"))?;
        let mut p = Params::new(map);
        let unit = match p.choice("unit", &["step", "epoch"], "step")? {
            "epoch" => Unit::Epoch,
            _ => Unit::Step,
        };
        // `one_cycle` has a `steps_per_epoch` of its own (PyTorch's), used when
        // the spec counts updates.
        let owns_steps_per_epoch = unit == Unit::Step && scheduler_name(map)? == "one_cycle";
        let steps_per_epoch = if owns_steps_per_epoch {
            None
        } else {
            p.int_opt("steps_per_epoch", 1)?
        };
        let timing = match p.value("timing") {
            None => None,
            Some(_) => Some(
                match p.choice("timing", &["epoch", "iteration"], "epoch")? {
                    "iteration" => Timing::Iteration,
                    _ => Timing::Epoch,
                },
            ),
        };
        if unit == Unit::Step {
            let stray = [
                ("steps_per_epoch", steps_per_epoch.is_some()),
                ("timing", timing.is_some()),
            ];
            if let Some((key, _)) = stray.iter().find(|(_, given)| *given) {
                return Err(SpecError::invalid(
                    *key,
                    map[*key].clone(),
                    "only with `\"unit\": \"epoch\"` (this spec counts optimizer updates)",
                ));
            }
        } else if timing.is_none() {
            return Err(SpecError::Missing {
                field: "timing".into(),
                allowed: "\"epoch\" (LR held for the epoch, as PyTorch stepped per epoch) or \
                          \"iteration\" (the curve at fractional epochs)"
                    .into(),
            });
        }
        let warmup = p.value("warmup").map(parse_warmup).transpose()?;
        let groups = match p.value("groups") {
            None => Vec::new(),
            Some(value) => parse_groups(value)?,
        };
        let name = scheduler_name(map)?;
        let schedule = Schedule::parse(name, &mut p)?;
        p.finish()?;
        Ok(Self {
            schedule,
            unit,
            steps_per_epoch,
            timing,
            warmup,
            groups,
        })
    }

    /// The LR at schedule time `t` (spec units), warmup included.
    pub fn lr(&self, base_lr: f64, t: f64) -> f64 {
        match self.warmup {
            Some(w) if t < w.total_iters as f64 => {
                let target = self.schedule.lr(base_lr, 0.0);
                let progress = t / w.total_iters as f64;
                target * (w.start_factor + (1.0 - w.start_factor) * progress)
            }
            Some(w) => self.schedule.lr(base_lr, t - w.total_iters as f64),
            None => self.schedule.lr(base_lr, t),
        }
    }

    /// The clock of this spec, or an error when `steps_per_epoch` is still unknown.
    pub fn clock(&self) -> Result<Clock, SpecError> {
        match (self.unit, self.steps_per_epoch, self.timing) {
            (Unit::Step, _, _) => Ok(Clock::Step),
            (Unit::Epoch, Some(steps_per_epoch), Some(timing)) => Ok(Clock::Epoch {
                steps_per_epoch,
                timing,
            }),
            (Unit::Epoch, None, _) => Err(SpecError::Missing {
                field: "steps_per_epoch".into(),
                allowed: "an integer >= 1 (the spec counts epochs)".into(),
            }),
            (Unit::Epoch, _, None) => Err(SpecError::Missing {
                field: "timing".into(),
                allowed: "\"epoch\" or \"iteration\"".into(),
            }),
        }
    }

    /// Builds the scheduler of the default group for an optimizer LR of `base_lr`.
    ///
    /// `base_lr` may be any finite number `>= 0` (LRs above 1 are fine).
    pub fn scheduler(&self, base_lr: f64) -> Result<Scheduler, SpecError> {
        if !(base_lr.is_finite() && base_lr >= 0.0) {
            return Err(SpecError::invalid(
                "base_lr",
                base_lr,
                Range::AtLeast(0.0).describe(),
            ));
        }
        self.schedule.check_base_lr(base_lr)?;
        Ok(Scheduler::new(
            Arc::new(self.clone()),
            self.clock()?,
            base_lr,
        ))
    }

    /// Builds burn's [`ModuleLrScheduler`] with one scheduler per group, for
    /// `Learner::new(model, optim, spec.init(lr)?)`.
    pub fn init(&self, base_lr: f64) -> Result<ModuleLrScheduler, SpecError> {
        let base = self.scheduler(base_lr)?;
        let module =
            self.groups
                .iter()
                .fold(ModuleLrScheduler::new(base.clone()), |module, group| {
                    module.with_group(
                        ParamGroup::from_predicate(group.pattern.clone()),
                        base.clone().with_lr_mult(group.lr_mult),
                    )
                });
        Ok(module)
    }

    /// The LRs of updates `1..=steps` (what `step()` returns, in order).
    pub fn preview(&self, base_lr: f64, steps: usize) -> Result<Vec<f64>, SpecError> {
        use burn::lr_scheduler::LrScheduler;
        let mut scheduler = self.scheduler(base_lr)?;
        Ok((0..steps).map(|_| scheduler.step()).collect())
    }
}

/// Reads a spec file into a JSON value: TOML when the name ends in `.toml`,
/// JSON otherwise.
pub fn read_spec_file(path: impl AsRef<Path>) -> Result<Value, SpecError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpecError::Syntax(format!("cannot read {}: {e}", path.display())))?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => toml_to_value(&text),
        _ => serde_json::from_str(&text).map_err(|e| SpecError::Syntax(e.to_string())),
    }
}

fn toml_to_value(text: &str) -> Result<Value, SpecError> {
    let value: toml::Value = toml::from_str(text).map_err(|e| SpecError::Syntax(e.to_string()))?;
    serde_json::to_value(value).map_err(|e| SpecError::Syntax(e.to_string()))
}

fn parse_warmup(value: &Value) -> Result<Warmup, SpecError> {
    let wrap = |e: SpecError| e.within("warmup");
    let map = value.as_object().ok_or_else(|| {
        wrap(SpecError::invalid(
            "",
            value,
            "an object {\"total_iters\", \"start_factor\"}",
        ))
    })?;
    let mut p = Params::new(map);
    let warmup = Warmup {
        total_iters: p.int("total_iters", 1).map_err(wrap)?,
        start_factor: p
            .float_or("start_factor", 0.0, Range::Closed(0.0, 1.0))
            .map_err(wrap)?,
    };
    p.finish().map_err(wrap)?;
    Ok(warmup)
}

fn parse_groups(value: &Value) -> Result<Vec<LrGroup>, SpecError> {
    let items = value
        .as_array()
        .ok_or_else(|| SpecError::invalid("groups", value, "a list of {\"match\", \"lr_mult\"}"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let wrap = |e: SpecError| e.within(&format!("groups[{i}]"));
            let map = item.as_object().ok_or_else(|| {
                wrap(SpecError::invalid(
                    "",
                    item,
                    "an object {\"match\", \"lr_mult\"}",
                ))
            })?;
            let mut p = Params::new(map);
            let pattern = match p.value("match") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                other => {
                    return Err(wrap(SpecError::invalid(
                        "match",
                        other.cloned().unwrap_or(Value::Null),
                        "a non-empty fragment of a parameter path",
                    )));
                }
            };
            let lr_mult = p.float("lr_mult", Range::AtLeast(0.0)).map_err(wrap)?;
            p.finish().map_err(wrap)?;
            Ok(LrGroup { pattern, lr_mult })
        })
        .collect()
}

impl Serialize for Spec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut value = serde_json::to_value(&self.schedule).map_err(S::Error::custom)?;
        let map: &mut Map<String, Value> = value
            .as_object_mut()
            .ok_or_else(|| S::Error::custom("a schedule serializes to an object"))?;
        let mut put = |key: &str, v: Result<Value, serde_json::Error>| -> Result<(), S::Error> {
            map.insert(key.into(), v.map_err(S::Error::custom)?);
            Ok(())
        };
        if self.unit == Unit::Epoch {
            put("unit", serde_json::to_value(self.unit))?;
            if let Some(k) = self.steps_per_epoch {
                put("steps_per_epoch", serde_json::to_value(k))?;
            }
            put("timing", serde_json::to_value(self.timing))?;
        }
        if let Some(w) = self.warmup {
            put("warmup", serde_json::to_value(w))?;
        }
        if !self.groups.is_empty() {
            put("groups", serde_json::to_value(&self.groups))?;
        }
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Spec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(&value).map_err(serde::de::Error::custom)
    }
}

/// Saves and loads like any burn config (`spec.save("lr.json")`, `Spec::load(..)`).
impl burn::config::Config for Spec {}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"scheduler": "cosine_annealing", "t_max": 10, "eta_min": 0.001,
        "unit": "epoch", "timing": "iteration", "steps_per_epoch": 4,
        "warmup": {"total_iters": 2, "start_factor": 0.1},
        "groups": [{"match": "backbone", "lr_mult": 0.1}]}"#;

    #[test]
    fn json_and_toml_give_the_same_spec() {
        let toml = r#"
            scheduler = "cosine_annealing"
            t_max = 10
            eta_min = 0.001
            unit = "epoch"
            timing = "iteration"
            steps_per_epoch = 4
            warmup = { total_iters = 2, start_factor = 0.1 }
            groups = [{ match = "backbone", lr_mult = 0.1 }]
        "#;
        assert_eq!(
            Spec::from_json(JSON).unwrap(),
            Spec::from_toml(toml).unwrap()
        );
    }

    #[test]
    fn options_survive_a_round_trip() {
        let spec = Spec::from_json(JSON).unwrap();
        let text = serde_json::to_string(&spec).unwrap();
        assert_eq!(Spec::from_json(&text).unwrap(), spec);
    }

    #[test]
    fn saves_and_loads_as_a_burn_config() {
        use burn::config::Config;
        let spec = Spec::from_json(JSON).unwrap();
        let path = std::env::temp_dir().join(format!("burn-lr-spec-{}.json", std::process::id()));
        spec.save(&path).unwrap();
        assert_eq!(Spec::load(&path).unwrap(), spec);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn warmup_then_the_schedule_from_its_own_start() {
        let spec = Spec::from_json(
            r#"{"scheduler": "exponential", "gamma": 0.5,
            "warmup": {"total_iters": 4, "start_factor": 0.0}}"#,
        )
        .unwrap();
        assert_eq!(
            spec.preview(1.0, 7).unwrap(),
            [0.0, 0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
        );
    }

    #[test]
    fn groups_scale_the_scheduled_lr() {
        let module = Spec::from_json(JSON).unwrap().init(0.2).unwrap().step();
        let id = burn::module::ParamId::new();
        let base = module.lr_from_param(id, Some("head.weight"));
        let backbone = module.lr_from_param(id, Some("backbone.conv1.weight"));
        assert!((base - 0.02).abs() < 1e-15, "warmup starts at 0.1 x 0.2");
        assert!((backbone - 0.1 * base).abs() < 1e-15);
    }
}
