//! Parameter groups: a multiplier of the scheduled LR for the parameters
//! under a module path, and layer-wise LR decay built from them.

mod layer_decay;
pub(crate) mod paths;

use serde::Serialize;

use crate::ConfigError;
use crate::check;

/// A parameter group whose LR is the schedule's LR times `lr_mult`.
///
/// `match` is a **path prefix**: it selects every parameter whose path (burn's
/// module path, e.g. `backbone.conv1.weight`) equals it or starts with it
/// followed by a `.`; so `backbone` matches `backbone.conv1.weight` but not
/// `backbone2.weight` nor `encoder.backbone.weight`. Parameters are matched
/// by path, not id, so groups still match after a checkpoint restore. When
/// groups overlap, the last matching group wins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrGroup {
    #[serde(rename = "match")]
    pub(crate) pattern: String,
    pub(crate) lr_mult: f64,
}

impl LrGroup {
    /// The path prefix.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The multiplier of the scheduled LR.
    pub fn lr_mult(&self) -> f64 {
        self.lr_mult
    }

    /// Whether this group selects the parameter at `path`.
    pub fn matches(&self, path: &str) -> bool {
        path.strip_prefix(&self.pattern)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }

    /// The regular expression burn's `ParamGroup` matches paths with.
    pub(crate) fn regex(&self) -> String {
        let escaped: String = self
            .pattern
            .chars()
            .flat_map(|c| {
                let special = "\\.+*?()|[]{}^$#&-~".contains(c);
                special.then_some('\\').into_iter().chain([c])
            })
            .collect();
        format!("^{escaped}(\\.|$)")
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.pattern.is_empty() || self.pattern.starts_with('.') || self.pattern.ends_with('.') {
            return Err(ConfigError::invalid(
                "match",
                format!("{:?}", self.pattern),
                "a parameter path prefix such as \"backbone\" or \"encoder.layers.0\"",
            ));
        }
        check::lr("lr_mult", self.lr_mult)
    }
}
