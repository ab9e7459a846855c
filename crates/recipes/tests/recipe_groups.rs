//! DETR's and fine-tuning's parameter groups on a real burn module: burn's
//! optimizer gives every parameter its group's LR, found by parameter path.

use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::{Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Distribution, Tensor};
use burn_lr_recipes::{ModelFamily, Recipe, RunDescription, detr, fine_tuning};

#[derive(Module, Debug)]
struct Detector {
    backbone: Linear,
    transformer: Linear,
}

impl Detector {
    fn new(device: &Device) -> Self {
        Self {
            backbone: LinearConfig::new(16, 16).init(device),
            transformer: LinearConfig::new(16, 4).init(device),
        }
    }
}

/// Every float parameter's values, by module field.
struct Values(Vec<(bool, Vec<f32>)>, bool);

impl ModuleVisitor for Values {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0
            .push((self.1, param.val().try_into_vec_as::<f32>().unwrap()));
    }
}

fn values(model: &Detector) -> Vec<(bool, Vec<f32>)> {
    let mut backbone = Values(Vec::new(), true);
    model.backbone.visit(&mut backbone);
    let mut rest = Values(Vec::new(), false);
    model.transformer.visit(&mut rest);
    backbone.0.into_iter().chain(rest.0).collect()
}

/// Largest weight change of the backbone and of the rest after one update.
fn one_update(recipe: &Recipe) -> (f64, f64) {
    let device = Device::default().autodiff();
    device.seed(11);
    let model = Detector::new(&device);
    let before = values(&model);
    let x = Tensor::<2>::random([32, 16], Distribution::Normal(0.0, 1.0), &device);
    let loss = model
        .transformer
        .forward(model.backbone.forward(x).tanh())
        .powi_scalar(2)
        .mean();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let mut scheduler = (recipe.schedule)
        .init_for(&model, recipe.optimizer.lr)
        .unwrap();
    let mut optim = recipe.optimizer.init().unwrap();
    let model = optim.step(scheduler.step(), model, grads);
    let mut moved = (0.0f64, 0.0f64);
    for ((is_backbone, a), (_, b)) in before.iter().zip(values(&model)) {
        let delta = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs() as f64)
            .fold(0.0, f64::max);
        if *is_backbone {
            moved.0 = moved.0.max(delta);
        } else {
            moved.1 = moved.1.max(delta);
        }
    }
    moved
}

#[test]
fn detr_moves_the_backbone_by_its_own_lr() {
    let recipe = detr(&RunDescription::new(ModelFamily::Detr, 300, 10, 64)).unwrap();
    assert_eq!(
        (
            recipe.group_lr("backbone.weight"),
            recipe.group_lr("transformer.weight")
        ),
        (1e-5, 1e-4)
    );
    let (backbone, rest) = one_update(&recipe);
    // AdamW's first step moves each weight by about the LR.
    assert!(
        (0.7e-5..=1.05e-5).contains(&backbone),
        "backbone moved {backbone}"
    );
    assert!(
        (0.7e-4..=1.05e-4).contains(&rest),
        "transformer moved {rest}"
    );
}

#[test]
fn fine_tuning_moves_the_pretrained_backbone_ten_times_less() {
    let run = RunDescription {
        fine_tune: true,
        ..RunDescription::new(ModelFamily::Cnn, 10, 10, 64)
    };
    let recipe = fine_tuning(&run).unwrap();
    let (backbone, rest) = one_update(&recipe);
    let ratio = backbone / rest;
    assert!(
        (0.07..=0.14).contains(&ratio),
        "backbone {backbone} vs head {rest}"
    );
}
