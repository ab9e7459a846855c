//! Layer-wise LR decay (BEiT, ELECTRA; timm's `param_groups_layer_decay`):
//! block `i` of `L` trains at `decay^(L - i)` of the head's LR, the
//! parameters before the first block (embeddings) at `decay^(L + 1)`, and the
//! ones after the last block (final norm, head) at the full LR.

use burn::module::Module;

use super::paths;
use crate::ConfigError;
use crate::check::{self, Bounds};
use crate::spec::Spec;

/// Where the block number sits in a parameter path: `encoder.layers.{i}`.
struct BlockPattern<'a> {
    prefix: &'a str,
    suffix: &'a str,
}

impl<'a> BlockPattern<'a> {
    fn parse(blocks: &'a str) -> Result<Self, ConfigError> {
        match blocks.split_once("{i}") {
            Some((prefix, suffix)) if !suffix.contains("{i}") && !prefix.is_empty() => {
                Ok(Self { prefix, suffix })
            }
            _ => Err(ConfigError::invalid(
                "layer_decay.blocks",
                format!("{blocks:?}"),
                "a parameter path with one `{i}` where the block number goes, such as \
                 \"encoder.layers.{i}\"",
            )),
        }
    }

    /// The block number of `path`, when it lies in a block.
    fn block_of(&self, path: &str) -> Option<u64> {
        let rest = path.strip_prefix(self.prefix)?;
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let number = rest[..digits].parse().ok()?;
        let tail = rest[digits..].strip_prefix(self.suffix)?;
        (tail.is_empty() || tail.starts_with('.')).then_some(number)
    }

    fn path(&self, block: u64) -> String {
        format!("{}{block}{}", self.prefix, self.suffix)
    }
}

impl Spec {
    /// The same spec with one parameter group per layer of `module`, as timm's
    /// layer-wise decay: with `L` blocks numbered by `blocks` (a path with
    /// `{i}`, e.g. `"encoder.layers.{i}"`), block `i` (0-based) gets
    /// `lr_mult = decay^(L - i)`, every parameter before the first block in
    /// module order (the embeddings) `decay^(L + 1)`, and the parameters after
    /// the last block keep the full LR. The groups are ordinary path-prefix
    /// groups (saved with the spec) and come after the spec's own groups.
    ///
    /// An error when `blocks` matches no parameter of `module`, or when
    /// `decay` is not in `(0, 1]`.
    ///
    /// ```
    /// use burn::nn::transformer::TransformerEncoderConfig;
    /// use burn::tensor::Device;
    /// use burn_lr_core::{Spec, schedules::ConstantLr};
    ///
    /// let encoder = TransformerEncoderConfig::new(8, 16, 2, 3).init(&Device::default());
    /// let spec = Spec::new(ConstantLr::new(1.0, 1)).with_layer_decay(&encoder, "layers.{i}", 0.5)?;
    /// let mults: Vec<f64> = spec.groups().iter().map(|g| g.lr_mult()).collect();
    /// assert_eq!(mults, [0.125, 0.25, 0.5]);   // blocks 0, 1, 2 of 3
    /// # Ok::<(), burn_lr_core::ConfigError>(())
    /// ```
    pub fn with_layer_decay<M: Module>(
        mut self,
        module: &M,
        blocks: &str,
        decay: f64,
    ) -> Result<Self, ConfigError> {
        let pattern = BlockPattern::parse(blocks)?;
        check::float("layer_decay.decay", decay, Bounds::LeftOpen(0.0, 1.0))?;
        let all = paths::parameter_paths(module);
        let numbered: Vec<Option<u64>> = all.iter().map(|p| pattern.block_of(p)).collect();
        let Some(layers) = numbered.iter().flatten().max().map(|last| last + 1) else {
            return Err(ConfigError::invalid(
                "layer_decay.blocks",
                format!("{blocks:?}"),
                format!(
                    "a pattern that numbers the model's blocks; its paths start with {}",
                    paths::top_level(&all)
                ),
            ));
        };
        let first_block = numbered.iter().position(Option::is_some).unwrap_or(0);
        let exponent = |layer_id: u64| decay.powi((layers + 1 - layer_id) as i32);
        for path in &all[..first_block] {
            self = self.with_group(path.clone(), exponent(0));
        }
        for block in 0..layers {
            if numbered.contains(&Some(block)) {
                self = self.with_group(pattern.path(block), exponent(block + 1));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_numbers_are_read_from_whole_path_segments() {
        let p = BlockPattern::parse("encoder.layers.{i}").unwrap();
        assert_eq!(p.block_of("encoder.layers.12.mha.query.weight"), Some(12));
        assert_eq!(p.block_of("encoder.layers.3"), Some(3));
        assert_eq!(p.block_of("encoder.layers.x.weight"), None);
        assert_eq!(p.block_of("encoder.layers_norm.weight"), None);
        assert_eq!(p.block_of("head.weight"), None);
        let q = BlockPattern::parse("blocks.{i}.attn").unwrap();
        assert_eq!(q.block_of("blocks.2.attn.qkv.weight"), Some(2));
        assert_eq!(q.block_of("blocks.2.mlp.weight"), None);
        for bad in ["layers", "{i}.x", "a.{i}.{i}"] {
            assert!(BlockPattern::parse(bad).is_err(), "{bad}");
        }
    }
}
