//! A small segmentation-style task with the segmentation recipe's poly decay:
//! label every pixel of a noisy 8x8 digit as ink or background (per-pixel
//! classification), SGD with momentum, `(1 - t/T)^0.9` per update.
//!
//! ```text
//! cargo run --release -p burn-lr-examples --example segmentation
//! ```

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::Dataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn::train::{
    ClassificationOutput, InferenceStep, Learner, SupervisedTraining, TrainOutput, TrainStep,
};
use burn_lr_examples::digits::{self, Digit, PIXELS};
use burn_lr_examples::renderer::EpochLines;
use burn_lr_examples::report;
use burn_lr_recipes::{ModelFamily, RunDescription, segmentation};

const EPOCHS: u64 = 10;
const BATCH: usize = 32;

/// Noisy pixels in, an ink/background label per pixel out.
#[derive(Debug, Clone)]
struct MaskBatch {
    noisy: Tensor<2>,
    masks: Tensor<1, Int>,
}

#[derive(Debug, Clone, Default)]
struct MaskBatcher;

/// Deterministic noise in [-0.5, 0.5) from a pixel's index.
fn noise(i: u64) -> f32 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 31;
    (z % 1000) as f32 / 1000.0 - 0.5
}

impl Batcher<Digit, MaskBatch> for MaskBatcher {
    fn batch(&self, items: Vec<Digit>, device: &Device) -> MaskBatch {
        let n = items.len();
        let noisy: Vec<f32> = items
            .iter()
            .flat_map(|d| {
                d.pixels.iter().enumerate().map(|(i, p)| {
                    p + noise(d.label as u64 * 1000 + i as u64 + (p * 16.0) as u64 * 64)
                })
            })
            .collect();
        let masks: Vec<i64> = items
            .iter()
            .flat_map(|d| d.pixels.map(|p| (p >= 0.5) as i64))
            .collect();
        MaskBatch {
            noisy: Tensor::from_data(TensorData::new(noisy, [n, PIXELS]), device),
            masks: Tensor::from_data(TensorData::new(masks, [n * PIXELS]), device),
        }
    }
}

/// `64 -> 256 -> 64 x 2` logits, one ink/background pair per pixel.
#[derive(Module, Debug)]
struct PixelNet {
    hidden: Linear,
    activation: Relu,
    out: Linear,
}

impl PixelNet {
    fn new(device: &Device) -> Self {
        Self {
            hidden: LinearConfig::new(PIXELS, 256).init(device),
            activation: Relu::new(),
            out: LinearConfig::new(256, PIXELS * 2).init(device),
        }
    }

    fn classify(&self, batch: MaskBatch) -> ClassificationOutput {
        let n = batch.noisy.dims()[0];
        let logits = self
            .out
            .forward(self.activation.forward(self.hidden.forward(batch.noisy)))
            .reshape([n * PIXELS, 2]);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.masks.clone());
        ClassificationOutput::new(loss, logits, batch.masks)
    }
}

impl TrainStep for PixelNet {
    type Input = MaskBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: MaskBatch) -> TrainOutput<ClassificationOutput> {
        let output = self.classify(batch);
        TrainOutput::new(self, output.loss.backward(), output)
    }
}

impl InferenceStep for PixelNet {
    type Input = MaskBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: MaskBatch) -> ClassificationOutput {
        self.classify(batch)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (train, valid) = digits::split(0);
    let steps_per_epoch = train.len().div_ceil(BATCH) as u64;
    let run = RunDescription::new(
        ModelFamily::Segmentation,
        EPOCHS,
        steps_per_epoch,
        BATCH as u64,
    );
    let recipe = segmentation(&run)?;
    let scheduler = recipe.schedule.init(recipe.optimizer.lr)?;
    println!(
        "{} ({}): SGD at {}, poly decay over {} updates",
        recipe.name,
        recipe.reference,
        recipe.optimizer.lr,
        run.total_steps()
    );
    let device = Device::default().autodiff();
    device.seed(0);
    let directory = std::path::PathBuf::from("target/burn-lr-runs/segmentation");
    let _ = std::fs::remove_dir_all(&directory);
    let result = SupervisedTraining::new(
        &directory,
        DataLoaderBuilder::new(MaskBatcher)
            .batch_size(BATCH)
            .shuffle(0)
            .build(train),
        DataLoaderBuilder::new(MaskBatcher)
            .batch_size(256)
            .build(valid),
    )
    .num_epochs(EPOCHS as usize)
    .renderer(Box::new(EpochLines::default()))
    .metric_train_numeric(LearningRateMetric::new())
    .metric_train_numeric(LossMetric::new())
    .metric_valid_numeric(LossMetric::new())
    .metric_valid_numeric(AccuracyMetric::new())
    .launch(Learner::new(
        PixelNet::new(&device),
        recipe.optimizer.init(),
        scheduler,
    ));
    if let Some(error) = result.error {
        eprintln!("segmentation: training failed: {error}");
        std::process::exit(1);
    }
    let rows = report::read_epochs(&directory, EPOCHS as usize);
    print!("{}", report::table(&rows));
    match report::plot(&rows, &directory.join("segmentation"), "segmentation") {
        Ok(()) => println!(
            "plots: {}/segmentation.lr.png, segmentation.loss.png",
            directory.display()
        ),
        Err(e) => eprintln!("segmentation: {e}"),
    }
    if let Some(last) = rows.last() {
        println!(
            "final per-pixel validation accuracy: {:.2}%",
            last.valid_accuracy
        );
    }
    Ok(())
}
