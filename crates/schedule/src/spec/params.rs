//! A strict reader for the parameters of one scheduler in a spec, for this
//! crate and for crates that add schedulers of their own.
//!
//! Every accessor names the field in its error, checks the allowed range, and
//! remembers the key so that [`Params::finish`] can reject keys nobody read.

use serde_json::{Map, Value};

use crate::error::SpecError;

/// The allowed range of a numeric field.
#[derive(Debug, Clone, Copy)]
pub enum Range {
    /// `x >= min`.
    AtLeast(f64),
    /// `x > min`.
    Above(f64),
    /// `lo <= x <= hi`.
    Closed(f64, f64),
    /// `lo < x < hi`.
    Open(f64, f64),
    /// `lo < x <= hi`.
    LeftOpen(f64, f64),
}

impl Range {
    fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Self::AtLeast(min) => x >= min,
                Self::Above(min) => x > min,
                Self::Closed(lo, hi) => (lo..=hi).contains(&x),
                Self::Open(lo, hi) => x > lo && x < hi,
                Self::LeftOpen(lo, hi) => x > lo && x <= hi,
            }
    }

    /// The range in words, for error messages.
    pub fn describe(self) -> String {
        match self {
            Self::AtLeast(min) => format!("a finite number >= {min}"),
            Self::Above(min) => format!("a finite number > {min}"),
            Self::Closed(lo, hi) => format!("a number in [{lo}, {hi}]"),
            Self::Open(lo, hi) => format!("a number in ({lo}, {hi})"),
            Self::LeftOpen(lo, hi) => format!("a number in ({lo}, {hi}]"),
        }
    }
}

/// The keys of one scheduler object, read one at a time.
pub struct Params<'a> {
    map: &'a Map<String, Value>,
    read: Vec<&'static str>,
}

impl<'a> Params<'a> {
    /// A reader over one JSON object.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            read: vec!["scheduler"],
        }
    }

    /// The raw value of `key`, `None` when absent or `null`.
    pub fn value(&mut self, key: &'static str) -> Option<&'a Value> {
        self.read.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn number(&mut self, key: &'static str, allowed: &str) -> Result<Option<f64>, SpecError> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| SpecError::invalid(key, v, allowed)),
        }
    }

    /// A required float in `range`.
    pub fn float(&mut self, key: &'static str, range: Range) -> Result<f64, SpecError> {
        self.float_opt(key, range)?
            .ok_or_else(|| SpecError::Missing {
                field: key.into(),
                allowed: range.describe(),
            })
    }

    /// An optional float in `range`, `default` when absent.
    pub fn float_or(
        &mut self,
        key: &'static str,
        default: f64,
        range: Range,
    ) -> Result<f64, SpecError> {
        Ok(self.float_opt(key, range)?.unwrap_or(default))
    }

    /// An optional float in `range`.
    pub fn float_opt(&mut self, key: &'static str, range: Range) -> Result<Option<f64>, SpecError> {
        let allowed = range.describe();
        match self.number(key, &allowed)? {
            Some(x) if !range.contains(x) => Err(SpecError::invalid(key, x, allowed)),
            x => Ok(x),
        }
    }

    /// An optional integer `>= min`.
    pub fn int_opt(&mut self, key: &'static str, min: u64) -> Result<Option<u64>, SpecError> {
        let allowed = format!("an integer >= {min}");
        match self.number(key, &allowed)? {
            None => Ok(None),
            Some(x) => to_int(x, min)
                .map(Some)
                .ok_or_else(|| SpecError::invalid(key, x, allowed)),
        }
    }

    /// A required integer `>= min`.
    pub fn int(&mut self, key: &'static str, min: u64) -> Result<u64, SpecError> {
        self.int_opt(key, min)?.ok_or_else(|| SpecError::Missing {
            field: key.into(),
            allowed: format!("an integer >= {min}"),
        })
    }

    /// An optional integer `>= min`, `default` when absent.
    pub fn int_or(&mut self, key: &'static str, default: u64, min: u64) -> Result<u64, SpecError> {
        Ok(self.int_opt(key, min)?.unwrap_or(default))
    }

    /// A list of integers `>= 0`.
    pub fn int_list(&mut self, key: &'static str) -> Result<Vec<u64>, SpecError> {
        let allowed = "a list of integers >= 0";
        let Some(value) = self.value(key) else {
            return Err(SpecError::Missing {
                field: key.into(),
                allowed: allowed.into(),
            });
        };
        let items = value
            .as_array()
            .ok_or_else(|| SpecError::invalid(key, value, allowed))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_f64()
                    .and_then(|x| to_int(x, 0))
                    .ok_or_else(|| SpecError::invalid(format!("{key}[{i}]"), item, allowed))
            })
            .collect()
    }

    /// One of `choices`, `default` when absent.
    pub fn choice(
        &mut self,
        key: &'static str,
        choices: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, SpecError> {
        let allowed = || format!("one of {}", quoted(choices));
        match self.value(key) {
            None => Ok(default),
            Some(v) => v
                .as_str()
                .and_then(|s| choices.iter().find(|c| **c == s).copied())
                .ok_or_else(|| SpecError::invalid(key, v, allowed())),
        }
    }

    /// A required boolean, `default` when absent.
    pub fn bool_or(&mut self, key: &'static str, default: bool) -> Result<bool, SpecError> {
        match self.value(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| SpecError::invalid(key, v, "true or false")),
        }
    }

    /// Rejects every key that no accessor read.
    pub fn finish(self) -> Result<(), SpecError> {
        match self.map.keys().find(|k| !self.read.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => Err(SpecError::Unknown {
                field: unknown.clone(),
                expected: quoted(&self.read),
            }),
        }
    }
}

fn to_int(x: f64, min: u64) -> Option<u64> {
    (x.fract() == 0.0 && x >= min as f64 && x <= 2f64.powi(53)).then_some(x as u64)
}

/// `"a", "b", "c"`.
pub fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
