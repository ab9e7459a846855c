//! Layer-wise LR decay on a real burn transformer: one AdamW update moves the
//! embedding, each encoder block and the head by their own LR, as timm's
//! `param_groups_layer_decay` assigns them.

use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor};
use burn_lr_core::Spec;
use burn_lr_core::schedules::ConstantLr;
use burn_lr_tests::serial;

const LAYERS: usize = 3;
const DECAY: f64 = 0.5;
const LR: f64 = 1e-3;

#[derive(Module, Debug)]
struct Classifier {
    embedding: Embedding,
    encoder: TransformerEncoder,
    head: Linear,
}

impl Classifier {
    fn new(device: &Device) -> Self {
        Self {
            embedding: EmbeddingConfig::new(16, 8).init(device),
            encoder: TransformerEncoderConfig::new(8, 16, 2, LAYERS).init(device),
            head: LinearConfig::new(8, 4).init(device),
        }
    }

    fn loss(&self, tokens: Tensor<2, Int>) -> Tensor<1> {
        let hidden = self
            .encoder
            .forward(TransformerEncoderInput::new(self.embedding.forward(tokens)));
        self.head.forward(hidden).powi_scalar(2).mean()
    }
}

/// Every float parameter's path and values.
#[derive(Default)]
struct Values {
    stack: Vec<String>,
    found: Vec<(String, Vec<f32>)>,
}

impl ModuleVisitor for Values {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let values = param.val().try_into_vec_as::<f32>().unwrap_or_default();
        self.found.push((self.stack.join("."), values));
    }
}

fn values(model: &Classifier) -> Vec<(String, Vec<f32>)> {
    let mut visitor = Values::default();
    model.visit(&mut visitor);
    visitor.found
}

/// The LR multiplier timm gives the parameter at `path`.
fn timm_mult(path: &str) -> f64 {
    let layer_id = if path.starts_with("embedding") {
        0
    } else if let Some(rest) = path.strip_prefix("encoder.layers.") {
        1 + rest.split('.').next().unwrap().parse::<usize>().unwrap()
    } else {
        LAYERS + 1
    };
    DECAY.powi((LAYERS + 1 - layer_id) as i32)
}

#[test]
fn one_update_moves_each_layer_by_its_own_lr() {
    let device = Device::default().autodiff();
    let _serial = serial();
    device.seed(5);
    let model = Classifier::new(&device);
    let spec = Spec::new(ConstantLr::new(1.0, 1))
        .with_layer_decay(&model, "encoder.layers.{i}", DECAY)
        .unwrap();
    assert_eq!(
        spec.groups().len(),
        1 + LAYERS,
        "the embedding's one weight, and 3 blocks"
    );
    let mut lr = spec.init_for(&model, LR).unwrap();
    let before = values(&model);
    let tokens = Tensor::<2, Int>::from_data([[1, 2, 3, 4], [5, 6, 7, 8]], &device);
    let grads = GradientsParams::from_grads(model.loss(tokens).backward(), &model);
    let model = AdamWConfig::new()
        .with_weight_decay(0.0)
        .init()
        .step(lr.step(), model, grads);
    // Weights only: a key bias gets no gradient (softmax ignores it), an unused
    // embedding row neither; Adam's first step moves every other weight by about the LR.
    let mut layers_checked = std::collections::BTreeSet::new();
    for ((path, a), (_, b)) in before.iter().zip(values(&model)) {
        if !path.ends_with("weight") {
            continue;
        }
        let moved = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs() as f64)
            .fold(0.0, f64::max);
        let want = LR * timm_mult(path);
        assert!(
            (0.7 * want..=1.05 * want).contains(&moved),
            "{path}: moved {moved}, LR {want}"
        );
        layers_checked.insert((timm_mult(path) * 1e6) as u64);
    }
    assert_eq!(
        layers_checked.len(),
        LAYERS + 2,
        "embedding, 3 blocks and head all checked"
    );
}

#[test]
fn a_pattern_that_numbers_nothing_is_an_error_naming_the_paths() {
    let model = Classifier::new(&Device::default());
    let error = Spec::new(ConstantLr::new(1.0, 1))
        .with_layer_decay(&model, "encoder.blocks.{i}", DECAY)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("`layer_decay.blocks` = \"encoder.blocks.{i}\" is invalid"),
        "{error}"
    );
    assert!(
        error.contains("\"embedding\", \"encoder\", \"head\""),
        "{error}"
    );
    assert!(
        Spec::new(ConstantLr::new(1.0, 1))
            .with_layer_decay(&model, "encoder.layers.{i}", 1.5)
            .is_err()
    );
}

#[test]
fn vit_fine_tuning_offers_layer_decay_on_the_users_blocks() {
    use burn_lr_recipes::{ModelFamily, RunDescription, vit};
    let model = Classifier::new(&Device::default());
    let tune = RunDescription {
        fine_tune: true,
        ..RunDescription::new(ModelFamily::Vit, 30, 100, 256)
    };
    let recipe = vit(&tune).unwrap();
    assert_eq!(recipe.layer_decay, Some(0.65));
    let spec = recipe.schedule_for(&model, "encoder.layers.{i}").unwrap();
    let mults: Vec<f64> = spec.groups().iter().map(|g| g.lr_mult()).collect();
    let want = [0.65f64.powi(4), 0.65f64.powi(3), 0.65f64.powi(2), 0.65];
    assert!(
        mults.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
        "{mults:?}"
    );
    let scratch = vit(&RunDescription::new(ModelFamily::Vit, 30, 100, 256)).unwrap();
    assert_eq!(
        scratch.schedule_for(&model, "encoder.layers.{i}").unwrap(),
        scratch.schedule
    );
}
