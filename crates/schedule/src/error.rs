//! Errors raised while reading or validating a schedule spec.

use std::fmt;

/// A spec that cannot be turned into a schedule.
///
/// Every variant names the offending field by its path inside the spec
/// (`schedulers[1].t_max`), so a message can be acted on without reading code.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecError {
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
}

impl SpecError {
    /// An [`Invalid`](Self::Invalid) error.
    pub fn invalid(
        field: impl Into<String>,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            field: field.into(),
            value: value.to_string(),
            allowed: allowed.into(),
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
            Self::Syntax(message) => Self::Syntax(message),
        }
    }
}

impl fmt::Display for SpecError {
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
        }
    }
}

impl std::error::Error for SpecError {}
