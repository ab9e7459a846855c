//! A strict reader for the keys of one spec object.
//!
//! It only checks types (a number, an integer, one of the listed words): the
//! allowed ranges are checked by the typed values' `validate`, which the typed
//! builders go through too. It accepts PyTorch's own spellings (`T_max`, ...)
//! as aliases, and [`Params::finish`] rejects keys nobody read.

use serde_json::{Map, Value};

use crate::error::{MAX_VALUE_CHARS, SpecError, clip};

/// PyTorch spellings accepted for our snake_case keys: `(alias, key)`.
const KEY_ALIASES: [(&str, &str); 3] = [("T_max", "t_max"), ("T_0", "t_0"), ("T_mult", "t_mult")];

/// The keys of one spec object, read one at a time.
pub(crate) struct Params<'a> {
    map: &'a Map<String, Value>,
    read: Vec<&'static str>,
}

impl<'a> Params<'a> {
    /// A reader over one JSON object; an error when a key is given under
    /// both its name and its PyTorch alias.
    pub(crate) fn new(map: &'a Map<String, Value>) -> Result<Self, SpecError> {
        if let Some((alias, key)) = KEY_ALIASES
            .iter()
            .find(|(alias, key)| map.contains_key(*alias) && map.contains_key(*key))
        {
            return Err(SpecError::invalid(
                *alias,
                &map[*alias],
                format!("either `{key}` or its PyTorch spelling `{alias}`, not both"),
            ));
        }
        Ok(Self {
            map,
            read: vec!["scheduler"],
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

    /// A required value.
    pub(crate) fn get<T: Param>(&mut self, key: &'static str) -> Result<T, SpecError> {
        self.opt(key)?.ok_or_else(|| SpecError::Missing {
            field: key.into(),
            allowed: T::expected(),
        })
    }

    /// An optional value.
    pub(crate) fn opt<T: Param>(&mut self, key: &'static str) -> Result<Option<T>, SpecError> {
        self.value(key)
            .map(|v| T::read(v).ok_or_else(|| SpecError::invalid(key, v, T::expected())))
            .transpose()
    }

    /// Overwrites `slot` (which holds the default) when `key` is given.
    pub(crate) fn set<T: Param>(
        &mut self,
        key: &'static str,
        slot: &mut T,
    ) -> Result<(), SpecError> {
        if let Some(value) = self.opt(key)? {
            *slot = value;
        }
        Ok(())
    }

    /// Rejects every key that no accessor read.
    pub(crate) fn finish(self) -> Result<(), SpecError> {
        match self.map.keys().find(|k| !self.read.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => Err(SpecError::Unknown {
                field: clip(unknown.clone(), MAX_VALUE_CHARS),
                expected: quoted(self.read.iter().filter(|k| !is_alias(k))),
            }),
        }
    }
}

fn is_alias(key: &str) -> bool {
    KEY_ALIASES.iter().any(|(alias, _)| *alias == key)
}

/// A type a spec key can hold; `read` checks the type only, not the range.
pub(crate) trait Param: Sized {
    /// The value, or `None` when the JSON value has another type.
    fn read(value: &Value) -> Option<Self>;
    /// The expected type, in words.
    fn expected() -> String;
}

impl Param for f64 {
    fn read(value: &Value) -> Option<Self> {
        value.as_f64()
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
