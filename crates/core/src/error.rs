//! Errors raised while reading or validating a schedule spec.

use std::fmt;

/// The longest value an error message quotes.
pub(crate) const MAX_VALUE_CHARS: usize = 80;

/// The longest parser message an error carries.
pub(crate) const MAX_SYNTAX_CHARS: usize = 300;

/// `text` cut to `max` characters, saying how much was cut, with every
/// character outside printable ASCII written `\u{..}`: an invisible
/// character or a look-alike letter (a Cyrillic `а` for `a`) is seen.
pub(crate) fn clip(text: String, max: usize) -> String {
    let shown = |c: char| matches!(c, ' ' | '\n' | '\t') || c.is_ascii_graphic();
    let text = if text.chars().all(shown) {
        text
    } else {
        text.chars()
            .map(|c| {
                if shown(c) {
                    c.to_string()
                } else {
                    c.escape_unicode().to_string()
                }
            })
            .collect()
    };
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}... ({} more bytes)", &text[..cut], text.len() - cut),
        None => text,
    }
}

/// A configuration that cannot be used: a schedule spec, a run description,
/// a finder or optimizer config, or a file they are read from.
///
/// Every variant names what to fix: a field by its path inside the spec
/// (`schedulers[1].t_max`), a row by its line, a file by its path, so a
/// message can be acted on without reading code.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// A field holds a value outside its allowed range.
    Invalid {
        /// Path of the field inside the spec, e.g. `schedulers[0].gamma`.
        field: String,
        /// The value that was given, as written.
        value: String,
        /// The allowed range, in words.
        allowed: String,
    },
    /// A required field is absent.
    Missing {
        /// Path of the missing field.
        field: String,
        /// What the field means and which values it takes.
        allowed: String,
    },
    /// A key that the named scheduler does not take.
    Unknown {
        /// Path of the unexpected key.
        field: String,
        /// The keys that are accepted at that place.
        expected: String,
    },
    /// The document is not valid JSON or TOML.
    Syntax(String),
    /// A row of a data file (a range-test curve, a logged run) is invalid.
    Row {
        /// The row's line number in the file, from 1.
        line: usize,
        /// What is wrong with it and what was expected.
        message: String,
    },
    /// A file could not be read or written.
    Io {
        /// The file's path, as given.
        path: String,
        /// What failed and why (`cannot read: not a regular file`).
        message: String,
    },
}

impl ConfigError {
    /// An [`Invalid`](Self::Invalid) error. The value is shown as given, cut
    /// to 80 characters (a number that long is shown in `e` notation).
    pub fn invalid(
        field: impl Into<String>,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        let value = value.to_string();
        let value = match value.parse::<f64>() {
            Ok(x) if value.len() > MAX_VALUE_CHARS => format!("{x:e}"),
            _ => clip(value, MAX_VALUE_CHARS),
        };
        Self::Invalid {
            field: field.into(),
            value,
            allowed: allowed.into(),
        }
    }

    /// A [`Syntax`](Self::Syntax) error, its message cut to 300 characters
    /// (a parser may quote a whole line of the input).
    pub fn syntax(message: impl fmt::Display) -> Self {
        Self::Syntax(clip(message.to_string(), MAX_SYNTAX_CHARS))
    }

    /// A [`Row`](Self::Row) error about line `line` (from 1), its message cut
    /// to 300 characters (it may quote the line).
    pub fn row(line: usize, message: impl fmt::Display) -> Self {
        Self::Row {
            line,
            message: clip(message.to_string(), MAX_SYNTAX_CHARS),
        }
    }

    /// An [`Io`](Self::Io) error about `path`.
    pub fn io(path: &std::path::Path, message: impl fmt::Display) -> Self {
        Self::Io {
            path: clip(path.display().to_string(), MAX_SYNTAX_CHARS),
            message: clip(message.to_string(), MAX_SYNTAX_CHARS),
        }
    }

    /// The path of the field the error is about; `None` for a syntax or I/O error.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. }
            | Self::Missing { field, .. }
            | Self::Unknown { field, .. } => Some(field),
            Self::Syntax(_) | Self::Row { .. } | Self::Io { .. } => None,
        }
    }

    /// Prefixes the field path with `prefix` (used when a child spec fails).
    pub fn within(self, prefix: &str) -> Self {
        let join = |field: String| {
            if field.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{field}")
            }
        };
        match self {
            Self::Invalid {
                field,
                value,
                allowed,
            } => Self::Invalid {
                field: join(field),
                value,
                allowed,
            },
            Self::Missing { field, allowed } => Self::Missing {
                field: join(field),
                allowed,
            },
            Self::Unknown { field, expected } => Self::Unknown {
                field: join(field),
                expected,
            },
            other @ (Self::Syntax(_) | Self::Row { .. } | Self::Io { .. }) => other,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid {
                field,
                value,
                allowed,
            } => write!(f, "`{field}` = {value} is invalid: allowed {allowed}"),
            Self::Missing { field, allowed } => {
                write!(f, "`{field}` is missing: expected {allowed}")
            }
            Self::Unknown { field, expected } => {
                write!(
                    f,
                    "`{field}` is not a known key here: expected one of {expected}"
                )
            }
            Self::Syntax(message) => write!(f, "the spec cannot be parsed: {message}"),
            Self::Row { line, message } => write!(f, "line {line}: {message}"),
            Self::Io { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    #[test]
    fn invisible_and_look_alike_characters_are_escaped() {
        // A zero-width space, and a Cyrillic `а` in `cosine`.
        let e = super::ConfigError::invalid("scheduler", "cos\u{200b}ine", "a scheduler name");
        assert!(e.to_string().contains("cos\\u{200b}ine"), "{e}");
        let e = super::ConfigError::syntax("unknown scheduler `cosine_\u{430}nnealing`");
        assert!(e.to_string().contains("cosine_\\u{430}nnealing"), "{e}");
        assert_eq!(super::clip("plain, ok\n".into(), 80), "plain, ok\n");
    }

    use super::*;

    #[test]
    fn long_values_and_messages_are_cut() {
        let long = "x".repeat(1 << 20);
        let error = ConfigError::invalid("scheduler", &long, "a name").to_string();
        assert!(error.len() < 200 && error.contains("more bytes"), "{error}");
        let syntax = ConfigError::syntax(&long).to_string();
        assert!(
            syntax.len() < 400 && syntax.ends_with(" more bytes)"),
            "{syntax}"
        );
        let huge = ConfigError::invalid("base_lr", 1e300, "a number <= 1e100").to_string();
        assert_eq!(
            huge,
            "`base_lr` = 1e300 is invalid: allowed a number <= 1e100"
        );
    }
}
