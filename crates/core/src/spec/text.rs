//! Turning spec text into a JSON value, strictly: a duplicated key, a TOML
//! `nan` or `inf`, or a file that is not a small regular file is an error,
//! never a silently different spec.

use std::io::Read;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::ConfigError;

/// The largest input file read: far above any spec, curve or metrics file.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads a text file of at most [`MAX_INPUT_BYTES`]. A FIFO, a device or a
/// directory is refused before anything is read (a FIFO would block forever).
pub fn read_input_file(path: &Path) -> Result<String, ConfigError> {
    let fail = |why: String| ConfigError::io(path, format!("cannot read: {why}"));
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(fail(format!(
            "{} bytes, more than the {MAX_INPUT_BYTES} an input file may have",
            meta.len()
        )));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| fail(e.to_string()))?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(fail(format!("more than {MAX_INPUT_BYTES} bytes")));
    }
    Ok(text)
}

/// JSON text to a value; a key given twice in one object is an error (JSON
/// readers disagree on which one wins).
pub(crate) fn json_value(text: &str) -> Result<Value, ConfigError> {
    serde_json::from_str::<Strict>(text)
        .map(|s| s.0)
        .map_err(ConfigError::syntax)
}

/// TOML text to a JSON value; a float that is not finite is an error naming
/// its key (JSON has no NaN, and dropping it would use the default instead).
pub(crate) fn toml_value(text: &str) -> Result<Value, ConfigError> {
    let value: toml::Value = toml::from_str(text).map_err(ConfigError::syntax)?;
    from_toml(value, "")
}

fn from_toml(value: toml::Value, path: &str) -> Result<Value, ConfigError> {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    Ok(match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(x) => Value::Number(
            Number::from_f64(x).ok_or_else(|| ConfigError::invalid(path, x, "a finite number"))?,
        ),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => {
            return Err(ConfigError::invalid(
                path,
                d,
                "a number, a string, true or false, an array or a table (a TOML date or time \
                 is none of them)",
            ));
        }
        toml::Value::Array(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| from_toml(item, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, item)| Ok((key.clone(), from_toml(item, &child(&key))?)))
                .collect::<Result<Map<_, _>, ConfigError>>()?,
        ),
    })
}

/// A JSON value read with duplicate keys refused.
pub(crate) struct Strict(pub(crate) Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(b)))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(i)))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(u)))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Strict, E> {
        Ok(Strict(
            Number::from_f64(x).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E>(self, s: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(s)))
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_none<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Strict(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key `{key}` is given twice in one object"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Strict(Value::Object(object)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        assert!(json_value(r#"{"a": 1, "b": {"c": [1, 2]}}"#).is_ok());
        for text in [
            r#"{"t_max": 10, "t_max": 20}"#,
            r#"{"a": {"b": 1, "b": 1}}"#,
            r#"[{"x": 1}, {"y": 2, "y": 3}]"#,
        ] {
            let error = json_value(text).unwrap_err().to_string();
            assert!(error.contains("given twice"), "{text}: {error}");
        }
    }

    #[test]
    fn toml_non_finite_floats_name_their_key() {
        for (text, field) in [
            ("gamma = nan", "gamma"),
            ("eta_min = inf", "eta_min"),
            ("warmup = { start_factor = -inf }", "warmup.start_factor"),
            ("min_lr = [0.0, nan]", "min_lr[1]"),
        ] {
            let error = toml_value(text).unwrap_err().to_string();
            assert!(error.starts_with(&format!("`{field}` =")), "{error}");
        }
    }

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = std::env::temp_dir();
        assert!(
            read_input_file(&dir)
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        assert!(read_input_file(&dir.join("no-such-burn-lr-file")).is_err());
    }
}
