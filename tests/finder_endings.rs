//! Every way a range test can end gives the original model back
//! bit-identical: completion, divergence, a non-finite loss, a panic inside
//! the training step, a loader error; and each ends with the same curve
//! whether the losses are read back after every update or once per window.

use std::sync::Arc;

use burn::data::dataloader::{DataLoader, DataLoaderBuilder, DataLoaderIterator, Progress};
use burn::data::dataset::DatasetError;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::AdamConfig;
use burn::tensor::{Device, Tensor};
use burn::train::{ClassificationOutput, TrainOutput, TrainStep};
use burn_lr_examples::digits::{self, DigitBatch, DigitBatcher};
use burn_lr_examples::model::Mlp;
use burn_lr_finder::{DEFAULT_READBACK, FinderConfig, Stop, SweepCurve, range_test};
use burn_lr_tests::serial;

/// What goes wrong at one batch of the sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// The batch's pixels are NaN: the loss is not finite.
    NanPixels,
    /// The batch carries a marker that makes [`Fragile`] panic.
    Marker,
    /// The loader fails instead of yielding the batch.
    LoaderError,
}

/// The fault strikes at this batch (0-based) of the sweep.
const AT: usize = 3;

/// A loader that yields the digits and injects `fault` at batch [`AT`].
#[derive(Clone)]
struct Scripted {
    inner: Arc<dyn DataLoader<DigitBatch>>,
    fault: Fault,
}

struct ScriptedIter<'a> {
    inner: Box<dyn DataLoaderIterator<DigitBatch> + 'a>,
    next: usize,
    fault: Fault,
}

impl Iterator for ScriptedIter<'_> {
    type Item = Result<DigitBatch, DatasetError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.inner.next()?;
        let index = self.next;
        self.next += 1;
        if index != AT {
            return Some(item);
        }
        Some(match (self.fault, item) {
            (Fault::LoaderError, _) => Err(DatasetError::new(std::io::Error::other(
                "the disk went away",
            ))),
            (Fault::NanPixels, Ok(batch)) => Ok(DigitBatch {
                images: batch.images.mul_scalar(f32::NAN),
                ..batch
            }),
            (Fault::Marker, Ok(batch)) => Ok(DigitBatch {
                images: batch.images.add_scalar(1000.0),
                ..batch
            }),
            (_, item) => item,
        })
    }
}

impl DataLoaderIterator<DigitBatch> for ScriptedIter<'_> {
    fn progress(&self) -> Progress {
        self.inner.progress()
    }
}

impl DataLoader<DigitBatch> for Scripted {
    fn iter<'a>(&'a self) -> Box<dyn DataLoaderIterator<DigitBatch> + 'a> {
        Box::new(ScriptedIter {
            inner: self.inner.iter(),
            next: 0,
            fault: self.fault,
        })
    }

    fn num_items(&self) -> usize {
        self.inner.num_items()
    }

    fn to_device(&self, device: &Device) -> Arc<dyn DataLoader<DigitBatch>> {
        Arc::new(Scripted {
            inner: self.inner.to_device(device),
            fault: self.fault,
        })
    }

    fn slice(&self, start: usize, end: usize) -> Arc<dyn DataLoader<DigitBatch>> {
        Arc::new(Scripted {
            inner: self.inner.slice(start, end),
            fault: self.fault,
        })
    }
}

/// The digits MLP, except that its training step panics on a marked batch
/// (pixels above 100), as a model with a shape bug would.
#[derive(Module, Debug)]
struct Fragile {
    mlp: Mlp,
}

impl TrainStep for Fragile {
    type Input = DigitBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: DigitBatch) -> TrainOutput<ClassificationOutput> {
        let largest: f32 = batch.images.clone().max().into_scalar();
        if largest > 100.0 {
            panic!("the model rejects a batch with pixels of {largest}");
        }
        TrainStep::step(&self.mlp, batch)
    }
}

/// Every parameter's values, bit for bit.
fn bits(model: &impl Module) -> Vec<Vec<u32>> {
    struct Collect(Vec<Vec<u32>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let values = param.val().try_into_vec_as::<f32>().unwrap();
            self.0.push(values.into_iter().map(f32::to_bits).collect());
        }
    }
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    collect.0
}

fn sweep(fault: Fault, start_lr: f64, end_lr: f64) -> (Stop, usize, bool) {
    let (stop, curve, same) = sweep_reading(fault, start_lr, end_lr, DEFAULT_READBACK);
    (stop, curve.len(), same)
}

/// The sweep's ending and curve, its losses read every `readback` updates.
fn sweep_reading(
    fault: Fault,
    start_lr: f64,
    end_lr: f64,
    readback: usize,
) -> (Stop, SweepCurve, bool) {
    let _serial = serial();
    let device = Device::default().autodiff();
    device.seed(7);
    let model = Fragile {
        mlp: Mlp::new(32, &device),
    };
    let before = bits(&model);
    assert!(!before.is_empty() && before.iter().all(|p| !p.is_empty()));
    let (train, _) = digits::split(7);
    let loader = Arc::new(Scripted {
        inner: DataLoaderBuilder::new(DigitBatcher)
            .batch_size(32)
            .shuffle(7)
            .build(train),
        fault,
    });
    let config = FinderConfig {
        start_lr,
        end_lr,
        num_iter: 40,
        readback,
        progress: false,
        ..FinderConfig::default()
    };
    let test = range_test(model, AdamConfig::new().init(), loader, &config).unwrap();
    (test.stop, test.curve, bits(&test.model) == before)
}

#[test]
fn reading_the_losses_per_window_changes_no_ending() {
    let cases = [
        (Fault::None, 1e-4, 1e-2),
        (Fault::None, 1.0, 1e6),
        (Fault::NanPixels, 1e-4, 1e-2),
        (Fault::Marker, 1e-4, 1e-2),
        (Fault::LoaderError, 1e-4, 1e-2),
    ];
    for (fault, start, end) in cases {
        let (stop, curve, _) = sweep_reading(fault, start, end, 1);
        // 7 does not divide the 40 updates: the last window is short.
        for readback in [2, 7, 40] {
            let (windowed, windowed_curve, same) = sweep_reading(fault, start, end, readback);
            assert_eq!(windowed, stop, "{fault:?}, read every {readback}");
            assert_eq!(windowed_curve, curve, "{fault:?}, read every {readback}");
            assert!(same, "the weights changed");
        }
    }
}

#[test]
fn a_completed_sweep_returns_the_original_weights() {
    let (stop, points, same) = sweep(Fault::None, 1e-4, 1e-2);
    assert_eq!(stop, Stop::Completed);
    assert_eq!(points, 40);
    assert!(same, "the weights changed");
}

#[test]
fn a_diverging_sweep_returns_the_original_weights() {
    let (stop, points, same) = sweep(Fault::None, 1.0, 1e6);
    assert!(matches!(stop, Stop::Diverged { .. }), "{stop:?}");
    assert!(points < 40, "stopped after {points} points");
    assert!(same, "the weights changed");
}

#[test]
fn a_non_finite_loss_returns_the_original_weights() {
    let (stop, points, same) = sweep(Fault::NanPixels, 1e-4, 1e-2);
    assert!(matches!(stop, Stop::NonFinite { .. }), "{stop:?}");
    assert_eq!(points, AT, "the points before the NaN are kept");
    assert!(same, "the weights changed");
}

/// A sweep that fails at batch [`AT`] with a message containing `needle`.
fn assert_fails_with(fault: Fault, needle: &str) {
    let (stop, points, same) = sweep(fault, 1e-4, 1e-2);
    let Stop::Failed { message } = &stop else {
        panic!("expected a failure, got {stop:?}");
    };
    assert!(message.contains(needle), "{message}");
    assert_eq!(points, AT);
    assert!(same, "the weights changed");
}

#[test]
fn a_panic_in_the_training_step_returns_the_original_weights() {
    assert_fails_with(Fault::Marker, "the model rejects a batch");
}

#[test]
fn a_loader_error_returns_the_original_weights() {
    assert_fails_with(Fault::LoaderError, "the disk went away");
}
