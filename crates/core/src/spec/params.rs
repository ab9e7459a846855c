//! A strict reader for the keys of one spec object.
//!
//! It only checks types (a number, an integer, one of the listed words): the
//! allowed ranges are checked by the typed values' `validate`, which the typed
//! builders go through too. It accepts PyTorch's own spellings (`T_max`, ...)
//! as aliases, and [`Params::finish`] rejects keys nobody read.

use serde_json::{Map, Value};

use crate::error::{ConfigError, MAX_VALUE_CHARS, clip};

/// PyTorch spellings accepted for our snake_case keys: `(alias, key)`.
const KEY_ALIASES: [(&str, &str); 3] = [("T_max", "t_max"), ("T_0", "t_0"), ("T_mult", "t_mult")];

/// The keys of one spec object, read one at a time.
pub(crate) struct Params<'a> {
    map: &'a Map<String, Value>,
    read: Vec<&'static str>,
    /// The keys read whose value may be `null` (PyTorch's `None`).
    nullable: Vec<&'static str>,
}

impl<'a> Params<'a> {
    /// A reader over one JSON object; an error when a key is given under
    /// both its name and its PyTorch alias.
    pub(crate) fn new(map: &'a Map<String, Value>) -> Result<Self, ConfigError> {
        if let Some((alias, key)) = KEY_ALIASES
            .iter()
            .find(|(alias, key)| map.contains_key(*alias) && map.contains_key(*key))
        {
            return Err(ConfigError::invalid(
                *alias,
                &map[*alias],
                format!("either `{key}` or its PyTorch spelling `{alias}`, not both"),
            ));
        }
        Ok(Self {
            map,
            read: vec!["scheduler"],
            nullable: Vec::new(),
        })
    }

    /// The raw value of `key` (or of its PyTorch alias), `None` when absent or `null`.
    pub(crate) fn value(&mut self, key: &'static str) -> Option<&'a Value> {
        self.read.push(key);
        let alias = KEY_ALIASES.iter().find(|(_, k)| *k == key).map(|(a, _)| *a);
        if let Some(alias) = alias {
            self.read.push(alias);
        }
        let map = self.map;
        map.get(key)
            .or_else(|| alias.and_then(|a| map.get(a)))
            .filter(|v| !v.is_null())
    }

    /// A required value. When it is absent but a key nobody reads yet looks
    /// like a misspelling of it (`T_maxx`), the error names that key.
    pub(crate) fn get<T: Param>(&mut self, key: &'static str) -> Result<T, ConfigError> {
        let value = self.opt(key)?;
        if value.is_none() && self.given_null(key) {
            return Err(ConfigError::invalid(key, "null", T::expected()));
        }
        value.ok_or_else(|| match self.misspelling_of(key) {
            Some(typo) => ConfigError::Unknown {
                field: clip(typo.to_string(), MAX_VALUE_CHARS),
                expected: format!("\"{key}\" (required here, and missing)"),
            },
            None => ConfigError::Missing {
                field: key.into(),
                allowed: T::expected(),
            },
        })
    }

    /// Whether `key` (or its PyTorch alias) is given as `null`.
    fn given_null(&self, key: &str) -> bool {
        self.map.iter().any(|(k, v)| {
            v.is_null()
                && (k == key
                    || KEY_ALIASES
                        .iter()
                        .any(|(a, canonical)| a == k && *canonical == key))
        })
    }

    /// A key of the object not read so far that is within two edits of
    /// `key`, ignoring case.
    fn misspelling_of(&self, key: &str) -> Option<&'a str> {
        self.map
            .keys()
            .map(String::as_str)
            .filter(|k| !self.read.contains(k))
            .find(|k| edit_distance(&k.to_lowercase(), key) <= 2)
    }

    /// An optional value; `null` stands for `None` only where the value is
    /// optional itself (`Option<T>`), and is refused by [`finish`](Self::finish) elsewhere.
    pub(crate) fn opt<T: Param>(&mut self, key: &'static str) -> Result<Option<T>, ConfigError> {
        if T::NULLABLE {
            self.nullable.push(key);
        }
        self.value(key)
            .map(|v| T::read(v).ok_or_else(|| ConfigError::invalid(key, v, T::expected())))
            .transpose()
    }

    /// Overwrites `slot` (which holds the default) when `key` is given.
    pub(crate) fn set<T: Param>(
        &mut self,
        key: &'static str,
        slot: &mut T,
    ) -> Result<(), ConfigError> {
        if let Some(value) = self.opt(key)? {
            *slot = value;
        }
        Ok(())
    }

    /// Rejects every key that no accessor read, and a `null` where the key
    /// is not optional (a `null` must not quietly mean the default).
    pub(crate) fn finish(self) -> Result<(), ConfigError> {
        if let Some(unknown) = self.map.keys().find(|k| !self.read.contains(&k.as_str())) {
            return Err(ConfigError::Unknown {
                field: clip(unknown.clone(), MAX_VALUE_CHARS),
                expected: quoted(self.read.iter().filter(|k| !is_alias(k))),
            });
        }
        let nullable = |key: &str| {
            let key = KEY_ALIASES
                .iter()
                .find(|(alias, _)| *alias == key)
                .map_or(key, |(_, k)| *k);
            self.nullable.contains(&key)
        };
        match self.map.iter().find(|(k, v)| v.is_null() && !nullable(k)) {
            Some((key, _)) => Err(ConfigError::invalid(
                key.as_str(),
                "null",
                "a value: leave the key out for its default",
            )),
            None => Ok(()),
        }
    }
}

/// `error`, with the `allowed` of a [`ConfigError::Missing`] key of `map`,
/// or of a key whose value has the wrong type, replaced by the range its
/// validation states, so that the messages for a missing, a mistyped and an
/// invalid value agree (`t_max` is missing: expected an integer >= 1).
/// `parse_valid` reads and validates an object: given `map` with the key
/// set to `0`, then to `-1`, the first error it reports about that key gives
/// the range. The type alone stays when neither is refused, and for a key of
/// a nested object (its own parse already did this).
pub(crate) fn with_range(
    error: ConfigError,
    map: &Map<String, Value>,
    parse_valid: impl Fn(&Map<String, Value>) -> Result<(), ConfigError>,
) -> ConfigError {
    let field = match &error {
        ConfigError::Missing { field, .. } | ConfigError::Invalid { field, .. } => field.clone(),
        _ => return error,
    };
    if field.contains(['.', '[']) {
        return error;
    }
    for probe in [Value::from(0), Value::from(-1)] {
        let mut probed = map.clone();
        probed.retain(|k, _| !KEY_ALIASES.iter().any(|(a, key)| a == k && *key == field));
        probed.insert(field.clone(), probe);
        if let Err(ConfigError::Invalid {
            field: refused,
            allowed,
            ..
        }) = parse_valid(&probed)
            && refused == field
        {
            return match error {
                ConfigError::Invalid { field, value, .. } => ConfigError::Invalid {
                    field,
                    value,
                    allowed,
                },
                _ => ConfigError::Missing { field, allowed },
            };
        }
    }
    error
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

fn is_alias(key: &str) -> bool {
    KEY_ALIASES.iter().any(|(alias, _)| *alias == key)
}

/// A type a spec key can hold; `read` checks the type only, not the range.
pub(crate) trait Param: Sized {
    /// Whether `null` is a value of this type (`None`).
    const NULLABLE: bool = false;
    /// The value, or `None` when the JSON value has another type.
    fn read(value: &Value) -> Option<Self>;
    /// The expected type, in words.
    fn expected() -> String;
}

impl Param for f64 {
    /// The number, a negative zero read as 0 (it would print as an LR of `-0`).
    fn read(value: &Value) -> Option<Self> {
        value.as_f64().map(|x| if x == 0.0 { 0.0 } else { x })
    }
    fn expected() -> String {
        "a number".into()
    }
}

impl Param for u64 {
    fn read(value: &Value) -> Option<Self> {
        value.as_u64().or_else(|| {
            let x = value.as_f64()?;
            (x.fract() == 0.0 && (0.0..=2f64.powi(53)).contains(&x)).then_some(x as u64)
        })
    }
    fn expected() -> String {
        "an integer >= 0".into()
    }
}

impl Param for bool {
    fn read(value: &Value) -> Option<Self> {
        value.as_bool()
    }
    fn expected() -> String {
        "true or false".into()
    }
}

impl<T: Param> Param for Option<T> {
    const NULLABLE: bool = true;
    fn read(value: &Value) -> Option<Self> {
        T::read(value).map(Some)
    }
    fn expected() -> String {
        T::expected()
    }
}

impl Param for Vec<u64> {
    fn read(value: &Value) -> Option<Self> {
        value.as_array()?.iter().map(u64::read).collect()
    }
    fn expected() -> String {
        "a list of integers >= 0".into()
    }
}

/// A word-valued key (`"mode": "max"`) read into an enum.
pub(crate) trait Choice: Sized + Copy + 'static {
    /// Every word with its value.
    const CHOICES: &'static [(&'static str, Self)];
}

impl<T: Choice> Param for T {
    fn read(value: &Value) -> Option<Self> {
        let word = value.as_str()?;
        T::CHOICES.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
    }
    fn expected() -> String {
        format!("one of {}", quoted(T::CHOICES.iter().map(|(w, _)| w)))
    }
}

/// `"a", "b", "c"`.
pub(crate) fn quoted<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(json: &str) -> String {
        crate::Spec::from_json(json).unwrap_err().to_string()
    }

    #[test]
    fn null_is_refused_where_it_would_mean_the_default() {
        let e = error(r#"{"scheduler": "step", "step_size": 10, "gamma": null}"#);
        assert!(e.starts_with("`gamma` = null is invalid"), "{e}");
        let e = error(r#"{"scheduler": "cosine_annealing", "T_max": 10, "warmup": null}"#);
        assert!(e.starts_with("`warmup` = null is invalid"), "{e}");
        // An optional value takes null as PyTorch's None.
        let spec =
            r#"{"scheduler": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_down": null}"#;
        assert!(crate::Spec::from_json(spec).is_ok());
    }

    #[test]
    fn a_misspelled_required_key_is_named() {
        let e = error(r#"{"scheduler": "cosine_annealing", "T_maxx": 10}"#);
        assert!(e.starts_with("`T_maxx` is not a known key here"), "{e}");
        assert!(e.contains("\"t_max\" (required here, and missing)"), "{e}");
        let e = error(r#"{"scheduler": "cosine_annealing", "eta_min": 0.1}"#);
        assert!(e.starts_with("`t_max` is missing"), "{e}");
    }

    /// What a message says the field takes.
    fn range(message: &str) -> &str {
        message
            .split_once(": expected ")
            .or_else(|| message.split_once(": allowed "))
            .map_or(message, |(_, range)| range)
    }

    #[test]
    fn a_missing_and_an_invalid_value_get_the_same_range() {
        for (missing, invalid, field) in [
            (
                r#"{"scheduler": "cosine_annealing"}"#,
                r#"{"scheduler": "cosine_annealing", "t_max": 0}"#,
                "t_max",
            ),
            (
                r#"{"scheduler": "constant", "warmup": {"start_factor": 0.1}}"#,
                r#"{"scheduler": "constant", "warmup": {"total_iters": 0}}"#,
                "warmup.total_iters",
            ),
            (
                r#"{"scheduler": "one_cycle", "total_steps": 100}"#,
                r#"{"scheduler": "one_cycle", "total_steps": 100, "max_lr": -1}"#,
                "max_lr",
            ),
            (
                r#"{"scheduler": "sequential", "milestones": [5],
                    "schedulers": [{"scheduler": "constant"}, {"scheduler": "step"}]}"#,
                r#"{"scheduler": "sequential", "milestones": [5],
                    "schedulers": [{"scheduler": "constant"}, {"scheduler": "step", "step_size": 0}]}"#,
                "schedulers[1].step_size",
            ),
            (
                r#"{"scheduler": "cooldown", "start": 3, "base": {"scheduler": "constant"}}"#,
                r#"{"scheduler": "cooldown", "start": 0, "length": 0, "base": {"scheduler": "constant"}}"#,
                "length",
            ),
        ] {
            let (missing, invalid) = (error(missing), error(invalid));
            assert!(
                missing.starts_with(&format!("`{field}` is missing")),
                "{missing}"
            );
            assert!(invalid.starts_with(&format!("`{field}` = ")), "{invalid}");
            assert_eq!(range(&missing), range(&invalid), "{missing} / {invalid}");
        }
    }

    #[test]
    fn a_wrong_type_a_null_and_a_huge_integer_get_the_range_too() {
        let zero = error(r#"{"scheduler": "cosine_annealing", "T_max": 0}"#);
        for (json, value) in [
            (
                r#"{"scheduler": "cosine_annealing", "T_max": "x"}"#,
                r#""x""#,
            ),
            (
                r#"{"scheduler": "cosine_annealing", "T_max": null}"#,
                "null",
            ),
            (
                r#"{"scheduler": "cosine_annealing", "T_max": 18446744073709551616}"#,
                "1.8446744073709552e+19",
            ),
        ] {
            let e = error(json);
            assert!(
                e.starts_with(&format!("`t_max` = {value} is invalid")),
                "{e}"
            );
            assert_eq!(range(&e), range(&zero), "{e} / {zero}");
        }
        let e = error(r#"{"scheduler": "step", "step_size": null}"#);
        assert_eq!(e, "`step_size` = null is invalid: allowed an integer >= 1");
        let e = crate::Spec::from_toml("scheduler = \"step\"\nstep_size = 1979-05-27T07:32:00Z\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a TOML date or time is none of them"), "{e}");
    }

    #[test]
    fn a_negative_zero_is_read_as_zero_and_refused_from_code() {
        let spec = crate::Spec::from_json(
            r#"{"scheduler": "cosine_annealing", "t_max": 4, "eta_min": -0.0}"#,
        )
        .unwrap();
        let lrs = spec.preview(1.0, 6).unwrap();
        assert!(lrs.iter().all(|lr| !lr.is_sign_negative()), "{lrs:?}");
        let coded =
            crate::Spec::new(crate::schedules::CosineAnnealingLr::new(4).with_eta_min(-0.0));
        let err = coded.validate().unwrap_err().to_string();
        assert!(err.starts_with("`eta_min` = -0 is invalid"), "{err}");
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("t_maxx", "t_max"), 1);
        assert_eq!(edit_distance("gama", "gamma"), 1);
        assert_eq!(edit_distance("eta_min", "t_max"), 4);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
