//! `steps_per_epoch` as burn-train counts it.

use burn::config::Config;

use crate::ConfigError;
use crate::check;

/// The number of optimizer updates burn-train 0.22 makes per epoch, which is
/// what a spec's `steps_per_epoch` must be.
///
/// It is not the loader length as soon as there are several devices or
/// gradient accumulation:
/// - burn-train splits the dataset's items between the devices (each gets
///   `num_items / devices`, the last one the rest) and takes one batch per
///   device per step, so an epoch has as many steps as the largest split has
///   batches;
/// - with gradient accumulation it updates once every `grad_accumulation`
///   steps, and once more for a last, shorter window.
///
/// ```
/// use burn_lr_core::StepsPerEpoch;
/// // 1797 items in batches of 64: 29 batches.
/// assert_eq!(StepsPerEpoch::new(1797, 64).compute().unwrap(), 29);
/// // On 2 devices, each gets 898 or 899 items: 15 steps.
/// assert_eq!(StepsPerEpoch::new(1797, 64).with_devices(2).compute().unwrap(), 15);
/// // Accumulating 4 batches per update: 8 updates (the last one of 1 batch).
/// assert_eq!(StepsPerEpoch::new(1797, 64).with_grad_accumulation(4).compute().unwrap(), 8);
/// ```
#[derive(Config, Debug, PartialEq, Eq)]
pub struct StepsPerEpoch {
    /// Items in the training dataset (`dataloader.num_items()`).
    pub num_items: u64,
    /// Items per batch.
    pub batch_size: u64,
    /// Devices given to `SupervisedTraining` (data-parallel).
    #[config(default = 1)]
    pub devices: u64,
    /// `grads_accumulation(n)` of `SupervisedTraining`; 1 when not set.
    #[config(default = 1)]
    pub grad_accumulation: u64,
}

impl StepsPerEpoch {
    /// The updates per epoch; an error naming the field when one is 0 or the
    /// dataset has fewer items than devices.
    pub fn compute(&self) -> Result<u64, ConfigError> {
        check::int("num_items", self.num_items, 1)?;
        check::int("batch_size", self.batch_size, 1)?;
        check::int("devices", self.devices, 1)?;
        check::int("grad_accumulation", self.grad_accumulation, 1)?;
        if self.num_items < self.devices {
            return Err(ConfigError::invalid(
                "devices",
                self.devices,
                format!("at most num_items ({}) devices", self.num_items),
            ));
        }
        let share = self.num_items / self.devices;
        let largest = self.num_items - share * (self.devices - 1);
        let steps = largest.div_ceil(self.batch_size);
        Ok(steps.div_ceil(self.grad_accumulation))
    }
}
