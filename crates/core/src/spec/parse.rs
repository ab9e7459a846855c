//! Reading and writing specs: JSON and TOML with the reference libraries'
//! names, through the strict [`Params`] reader, then [`Spec::validate`].

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::clock::Timing;
use super::params::{Choice, Param, Params, with_range};
use super::text;
use super::{Cooldown, Spec, Unit, Warmup};
use crate::ConfigError;
use crate::LrGroup;
use crate::plateau::ReduceOnPlateau;
use crate::schedules::{ConstantLr, Curve, OneCycleLr, Schedule, scheduler_name};

/// The plateau spec's name, and PyTorch's.
const PLATEAU_NAMES: [&str; 2] = ["reduce_on_plateau", "ReduceLROnPlateau"];

/// The cooldown spec's name.
const COOLDOWN_NAME: &str = "cooldown";

/// The keys of a plateau spec's top level that belong to its base schedule.
const BASE_OPTIONS: [&str; 5] = ["unit", "steps_per_epoch", "timing", "warmup", "groups"];

impl Choice for Unit {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("step", Self::Step), ("epoch", Self::Epoch)];
}

impl Choice for Timing {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("epoch", Self::Epoch), ("iteration", Self::Iteration)];
}

impl Spec {
    /// Parses a JSON spec.
    /// A UTF-8 byte-order mark at the start is skipped.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        Self::from_value(&text::json_value(text.trim_start_matches('\u{feff}'))?)
    }

    /// Parses a TOML spec (a UTF-8 byte-order mark at the start is skipped).
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_value(&text::toml_value(text.trim_start_matches('\u{feff}'))?)
    }

    /// Reads a spec file: TOML when the name ends in `.toml`, JSON otherwise.
    /// Only a regular file of at most 64 MiB is read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = text::read_input_file(path)?;
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Self::from_toml(&text),
            _ => Self::from_json(&text),
        }
    }

    /// Parses an already-decoded JSON value, then validates it.
    pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
        let map = value.as_object().ok_or_else(|| {
            ConfigError::invalid("spec", value, "an object with a `scheduler` key")
        })?;
        let spec = parse_spec(map)?;
        spec.validate()?;
        Ok(spec)
    }

    /// The spec as JSON; an error for a spec that holds a closure (`lambda`).
    pub fn to_json(&self) -> Result<String, ConfigError> {
        serde_json::to_string_pretty(self).map_err(|e| ConfigError::Syntax(e.to_string()))
    }

    /// Writes the spec as JSON; an error (nothing written) for a spec that
    /// holds a closure, which could not be loaded back.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ConfigError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()?)
            .map_err(|e| ConfigError::io(path, format!("cannot write: {e}")))
    }

    fn to_value(&self) -> Result<Value, serde_json::Error> {
        if self.rescale.is_some() {
            return Err(serde::ser::Error::custom(
                "a rescaled spec (a tuner's trial) cannot be saved: save the spec it was \
                 rescaled from",
            ));
        }
        let mut value = serde_json::to_value(&self.schedule)?;
        let Some(map) = value.as_object_mut() else {
            return Ok(value);
        };
        if self.unit == Unit::Epoch {
            map.insert("unit".into(), serde_json::to_value(self.unit)?);
            if let Some(k) = self.steps_per_epoch {
                map.insert("steps_per_epoch".into(), json!(k));
            }
            map.insert("timing".into(), serde_json::to_value(self.timing)?);
        }
        if let Some(w) = self.warmup {
            map.insert("warmup".into(), serde_json::to_value(w)?);
        }
        if !self.groups.is_empty() {
            map.insert("groups".into(), serde_json::to_value(&self.groups)?);
        }
        if let Some(cooldown) = &self.cooldown {
            let mut top = serde_json::to_value(cooldown)?;
            if let Some(top_map) = top.as_object_mut() {
                top_map.insert("scheduler".into(), json!(COOLDOWN_NAME));
                top_map.insert("base".into(), value);
            }
            value = top;
        }
        match &self.plateau {
            None => Ok(value),
            Some(plateau) => {
                let mut top = serde_json::to_value(plateau)?;
                if let Some(top_map) = top.as_object_mut() {
                    top_map.insert("scheduler".into(), json!(PLATEAU_NAMES[0]));
                    top_map.insert("base".into(), value);
                    if self.unit == Unit::Step
                        && let Some(k) = self.steps_per_epoch
                    {
                        top_map.insert("steps_per_epoch".into(), json!(k));
                    }
                }
                Ok(top)
            }
        }
    }
}

/// Any spec object: a plateau, a cooldown, or a schedule with its options;
/// a missing key's error states the range its validation checks.
fn parse_spec(map: &Map<String, Value>) -> Result<Spec, ConfigError> {
    parse_any(map).map_err(|e| with_range(e, map, |m| parse_any(m)?.validate()))
}

fn parse_any(map: &Map<String, Value>) -> Result<Spec, ConfigError> {
    let name = scheduler_name(map)?;
    if PLATEAU_NAMES.contains(&name) {
        parse_plateau(map)
    } else if name == COOLDOWN_NAME {
        parse_cooldown(map)
    } else {
        parse_schedule(map)
    }
}

/// `{"scheduler": "cooldown", "base": SPEC, "start", "length", "shape", "min_lr_ratio"}`;
/// the base's options (`unit`, `warmup`, `groups`, ...) stay in `base`.
fn parse_cooldown(map: &Map<String, Value>) -> Result<Spec, ConfigError> {
    let mut p = Params::new(map)?;
    let cooldown = Cooldown::parse(&mut p)?;
    let base = match p.value("base") {
        Some(Value::Object(base)) => base,
        Some(other) => {
            return Err(ConfigError::invalid(
                "base",
                other,
                "a schedule spec object",
            ));
        }
        None => {
            return Err(ConfigError::Missing {
                field: "base".into(),
                allowed: "the spec the cooldown branches off (a schedule spec object)".into(),
            });
        }
    };
    p.finish()?;
    let mut spec = parse_spec(base).map_err(|e| e.within("base"))?;
    if spec.cooldown.is_some() {
        return Err(ConfigError::invalid(
            "base.scheduler",
            format!("\"{COOLDOWN_NAME}\""),
            "a spec without cooldown (one cooldown per spec)",
        ));
    }
    spec.cooldown = Some(cooldown);
    Ok(spec)
}

/// A schedule with its options (`unit`, `timing`, `steps_per_epoch`, `warmup`, `groups`).
fn parse_schedule(map: &Map<String, Value>) -> Result<Spec, ConfigError> {
    let mut p = Params::new(map)?;
    let name = scheduler_name(map)?;
    let unit: Unit = p.opt("unit")?.unwrap_or(Unit::Step);
    // `one_cycle` has a `steps_per_epoch` of its own (PyTorch's), used when
    // the spec counts updates.
    let owns_steps_per_epoch =
        unit == Unit::Step && (name == OneCycleLr::NAME || name == OneCycleLr::TORCH_NAME);
    let steps_per_epoch = if owns_steps_per_epoch {
        None
    } else {
        p.opt("steps_per_epoch")?
    };
    let timing: Option<Timing> = p.opt("timing")?;
    if unit == Unit::Step {
        if let Some(key) = [
            ("steps_per_epoch", steps_per_epoch.is_some()),
            ("timing", timing.is_some()),
        ]
        .iter()
        .find_map(|(key, given)| given.then_some(*key))
        {
            return Err(ConfigError::invalid(
                key,
                &map[key],
                "only with `\"unit\": \"epoch\"` (this spec counts optimizer updates)",
            ));
        }
    } else if timing.is_none() {
        return Err(ConfigError::Missing {
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
    let schedule = Schedule::parse(name, &mut p)?;
    p.finish()?;
    Ok(Spec {
        schedule,
        unit,
        steps_per_epoch,
        timing,
        warmup,
        groups,
        cooldown: None,
        plateau: None,
        rescale: None,
    })
}

/// `{"scheduler": "reduce_on_plateau", ..., "base": SPEC}`; the base's options
/// may sit at the top level instead.
fn parse_plateau(map: &Map<String, Value>) -> Result<Spec, ConfigError> {
    let mut p = Params::new(map)?;
    let plateau = ReduceOnPlateau::parse(&mut p)?;
    let mut base = match p.value("base") {
        // A constant base LR.
        None => Map::from_iter([
            ("scheduler".into(), json!(ConstantLr::NAME)),
            ("factor".into(), json!(1.0)),
        ]),
        Some(Value::Object(base)) => base.clone(),
        Some(other) => return Err(ConfigError::invalid("base", other, "a schedule object")),
    };
    for key in BASE_OPTIONS {
        if let Some(option) = p.value(key) {
            if base.contains_key(key) {
                return Err(ConfigError::invalid(
                    key,
                    option,
                    "at the top level or in `base`, not both",
                ));
            }
            base.insert(key.into(), option.clone());
        }
    }
    p.finish()?;
    if PLATEAU_NAMES.contains(&scheduler_name(&base).map_err(|e| e.within("base"))?) {
        return Err(ConfigError::invalid(
            "base.scheduler",
            "\"reduce_on_plateau\"",
            "a schedule without plateau",
        ));
    }
    // A plateau always needs the epoch length; a base in updates takes it
    // without reading its curve in epochs (a cooldown's base has the unit).
    let curve = match base.get("base") {
        Some(Value::Object(inner)) if base.get("scheduler") == Some(&json!(COOLDOWN_NAME)) => inner,
        _ => &base,
    };
    let in_epochs = curve.get("unit").and_then(Value::as_str) == Some("epoch");
    let steps_per_epoch = if in_epochs {
        None
    } else {
        base.remove("steps_per_epoch")
            .map(|k| {
                u64::read(&k)
                    .ok_or_else(|| ConfigError::invalid("steps_per_epoch", &k, u64::expected()))
            })
            .transpose()?
    };
    let mut spec = parse_spec(&base).map_err(|e| e.within("base"))?;
    if steps_per_epoch.is_some() {
        spec.steps_per_epoch = steps_per_epoch;
    }
    spec.plateau = Some(plateau);
    Ok(spec)
}

fn parse_warmup(value: &Value) -> Result<Warmup, ConfigError> {
    let wrap = |e: ConfigError| e.within("warmup");
    let map = value.as_object().ok_or_else(|| {
        wrap(ConfigError::invalid(
            "",
            value,
            "an object {\"total_iters\", \"start_factor\"}",
        ))
    })?;
    let read = |map: &Map<String, Value>| {
        let mut p = Params::new(map)?;
        let mut warmup = Warmup {
            total_iters: p.get("total_iters")?,
            start_factor: 0.0,
        };
        p.set("start_factor", &mut warmup.start_factor)?;
        p.finish()?;
        Ok(warmup)
    };
    read(map).map_err(|e| wrap(with_range(e, map, |m| read(m)?.validate())))
}

fn parse_groups(value: &Value) -> Result<Vec<LrGroup>, ConfigError> {
    let items = value.as_array().ok_or_else(|| {
        ConfigError::invalid("groups", value, "a list of {\"match\", \"lr_mult\"}")
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let wrap = |e: ConfigError| e.within(&format!("groups[{i}]"));
            let map = item.as_object().ok_or_else(|| {
                wrap(ConfigError::invalid(
                    "",
                    item,
                    "an object {\"match\", \"lr_mult\"}",
                ))
            })?;
            let mut p = Params::new(map).map_err(wrap)?;
            let pattern = match p.value("match") {
                Some(Value::String(s)) => s.clone(),
                other => {
                    return Err(wrap(ConfigError::invalid(
                        "match",
                        other.cloned().unwrap_or(Value::Null),
                        "a parameter path prefix such as \"backbone\"",
                    )));
                }
            };
            let lr_mult = p.get("lr_mult").map_err(wrap)?;
            p.finish().map_err(wrap)?;
            Ok(LrGroup { pattern, lr_mult })
        })
        .collect()
}

impl Serialize for Spec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        self.to_value()
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Spec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text::Strict(value) = text::Strict::deserialize(deserializer)?;
        Self::from_value(&value).map_err(serde::de::Error::custom)
    }
}

/// Loads like any burn config (`Spec::load(..)`). Save with the inherent
/// [`Spec::save`], which reports a spec that cannot be saved as an error
/// (burn's `Config::save` would panic on a closure).
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
        let plateau = r#"{"scheduler": "reduce_on_plateau", "factor": 0.5, "min_lr": [0, 1e-5],
            "steps_per_epoch": 10, "base": {"scheduler": "step", "step_size": 30,
            "groups": [{"match": "head", "lr_mult": 2}]}}"#;
        for json in [JSON, plateau] {
            let spec = Spec::from_json(json).unwrap();
            let text = serde_json::to_string(&spec).unwrap();
            assert_eq!(Spec::from_json(&text).unwrap(), spec, "{text}");
        }
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
}
