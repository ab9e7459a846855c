//! Evidence for the loss-curve laws on a task of this project: fit on a
//! constant and a cosine run, predict other schedules' final losses, train
//! them, and compare (`docs/loss-law.md`).
//!
//! Every schedule has the peak LR [`PEAK_LR`] after the same linear warmup
//! (update `k < 99` at `PEAK_LR * (k + 1) / 100`), and is trained on
//! [`SEEDS`]; the runs are stored in `examples/data/loss-law/` as CSV
//! (`step,lr,loss,loss_0,loss_1,loss_2`: the LR, the mean training loss over
//! the seeds, and each seed's).

pub mod report;
mod task;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use burn_lr_core::schedules::{
    CosineAnnealingLr, ExponentialLr, LinearLr, StepLr, WarmupStableDecay, WsdShape,
};
use burn_lr_core::{Schedule as Curve, Spec};

pub use task::train;

/// The peak LR of every schedule.
pub const PEAK_LR: f64 = 2e-2;
/// The warmup, in updates (the peak is reached at update 99).
pub const WARMUP: u64 = 99;
/// The seeds every schedule is trained on.
pub const SEEDS: [u64; 3] = [0, 1, 2];
/// The planned schedule's run length, and the length of the held-out
/// schedules other than the longer horizons.
pub const UPDATES: u64 = 4000;
/// The name of the schedule `plan` picked.
pub const PLANNED: &str = "plan-wsd";

/// A schedule of the comparison.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Its name in the data files and the report.
    pub name: String,
    /// Its length, in updates.
    pub updates: u64,
    /// The spec, warmup included, for base LR [`PEAK_LR`].
    pub spec: Spec,
}

impl Schedule {
    fn new(name: &str, updates: u64, curve: impl Into<Curve>) -> Self {
        Self {
            name: name.into(),
            updates,
            spec: Spec::new(curve).with_warmup(WARMUP, 0.01),
        }
    }

    /// The LR of every update.
    pub fn lrs(&self) -> Result<Vec<f64>, String> {
        self.spec
            .preview(PEAK_LR, self.updates as usize)
            .map_err(|e| format!("{}: {e}", self.name))
    }
}

/// A warmup-stable-decay schedule over `updates` with a cooldown of
/// `fraction` of the updates after the warmup.
fn wsd(name: &str, updates: u64, fraction: f64, shape: WsdShape) -> Schedule {
    let after = updates - WARMUP;
    let decay = (after as f64 * fraction).round() as u64;
    Schedule::new(
        name,
        updates,
        WarmupStableDecay::new(0, after - decay, decay).with_shapes(WsdShape::Linear, shape),
    )
}

/// The three runs the laws are fitted on, as for the reference runs: a
/// constant LR and cosine to 0 over 4000 updates, and cosine to 0 over 2000.
pub fn fitted() -> Vec<Schedule> {
    vec![
        Schedule::new("constant-4000", 4000, StepLr::new(1 << 40)),
        Schedule::new("cosine-4000", 4000, CosineAnnealingLr::new(4000 - WARMUP)),
        Schedule::new("cosine-2000", 2000, CosineAnnealingLr::new(2000 - WARMUP)),
    ]
}

/// The schedules the laws predict without having seen them: cooldowns of
/// several lengths and shapes, a step, linear and exponential decays, cosine
/// to a floor over 4000 updates, and longer horizons.
pub fn held_out() -> Vec<Schedule> {
    let after = UPDATES - WARMUP;
    vec![
        wsd("wsd-1sqrt-10%", UPDATES, 0.1, WsdShape::OneMinusSqrt),
        wsd("wsd-1sqrt-20%", UPDATES, 0.2, WsdShape::OneMinusSqrt),
        wsd("wsd-linear-20%", UPDATES, 0.2, WsdShape::Linear),
        wsd("wsd-cosine-50%", UPDATES, 0.5, WsdShape::Cosine),
        Schedule::new(
            "step-x0.1-at-70%",
            UPDATES,
            StepLr::new((after as f64 * 0.7) as u64).with_gamma(0.1),
        ),
        Schedule::new("linear-to-0", UPDATES, LinearLr::new(1.0, 0.0, after)),
        Schedule::new(
            "exponential-to-1%",
            UPDATES,
            ExponentialLr::new(0.01f64.powf(1.0 / after as f64)),
        ),
        Schedule::new(
            "cosine-to-10%",
            UPDATES,
            CosineAnnealingLr::new(after).with_eta_min(0.1 * PEAK_LR),
        ),
        Schedule::new("cosine-6000", 6000, CosineAnnealingLr::new(6000 - WARMUP)),
        Schedule::new("constant-8000", 8000, StepLr::new(1 << 40)),
        Schedule::new("cosine-8000", 8000, CosineAnnealingLr::new(8000 - WARMUP)),
        wsd("wsd-1sqrt-20%-8000", 8000, 0.2, WsdShape::OneMinusSqrt),
    ]
}

/// Where the runs are stored.
pub fn directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/loss-law")
}

/// One schedule's runs: the LRs and each seed's training loss per update.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// The schedule's name.
    pub name: String,
    /// The LR of every update.
    pub lrs: Vec<f64>,
    /// `losses[s][i]`: the training loss of update `i` with seed `SEEDS[s]`.
    pub losses: Vec<Vec<f64>>,
}

impl Measured {
    /// The mean loss over the seeds, per update.
    pub fn mean(&self) -> Vec<f64> {
        (0..self.lrs.len())
            .map(|i| self.losses.iter().map(|l| l[i]).sum::<f64>() / self.losses.len() as f64)
            .collect()
    }

    /// Each seed's final loss (the mean of its last 5% of updates).
    pub fn finals(&self) -> Vec<f64> {
        let window = burn_lr_predict::final_window(self.lrs.len());
        self.losses
            .iter()
            .map(|l| l[window.clone()].iter().sum::<f64>() / window.len() as f64)
            .collect()
    }
}

/// Trains `schedule` on every seed, printing the time taken.
pub fn measure(schedule: &Schedule) -> Result<Measured, String> {
    let lrs = schedule.lrs()?;
    let start = std::time::Instant::now();
    let losses = SEEDS
        .iter()
        .map(|seed| train(&lrs, *seed))
        .collect::<Result<Vec<_>, _>>()?;
    println!(
        "{}: {} updates x {} seeds in {:.1?}",
        schedule.name,
        schedule.updates,
        SEEDS.len(),
        start.elapsed()
    );
    Ok(Measured {
        name: schedule.name.clone(),
        lrs,
        losses,
    })
}

/// Writes `measured` to `dir/<name>.csv`.
pub fn write(dir: &Path, measured: &Measured) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let seeds: Vec<String> = (0..SEEDS.len()).map(|s| format!("loss_{s}")).collect();
    let mut text = format!("step,lr,loss,{}\n", seeds.join(","));
    for (i, (lr, mean)) in measured.lrs.iter().zip(measured.mean()).enumerate() {
        let _ = write!(text, "{i},{lr},{mean:.6}");
        for losses in &measured.losses {
            let _ = write!(text, ",{:.6}", losses[i]);
        }
        text.push('\n');
    }
    let path = dir.join(format!("{}.csv", measured.name));
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads the runs of `name` from `dir`.
pub fn read(dir: &Path, name: &str) -> Result<Measured, String> {
    let path = dir.join(format!("{name}.csv"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lrs = Vec::new();
    let mut losses = vec![Vec::new(); SEEDS.len()];
    for (line, row) in text.lines().enumerate().skip(1) {
        let cells: Vec<f64> = row
            .split(',')
            .map(|c| c.parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: line {}: {e}", path.display(), line + 1))?;
        if cells.len() != 3 + SEEDS.len() {
            return Err(format!(
                "{}: line {}: {} cells",
                path.display(),
                line + 1,
                cells.len()
            ));
        }
        lrs.push(cells[1]);
        for (seed, loss) in losses.iter_mut().zip(&cells[3..]) {
            seed.push(*loss);
        }
    }
    Ok(Measured {
        name: name.into(),
        lrs,
        losses,
    })
}

/// The planned schedule, stored as a spec beside the runs.
pub fn planned(dir: &Path) -> Result<Schedule, String> {
    let spec = Spec::from_file(dir.join(format!("{PLANNED}.json"))).map_err(|e| e.to_string())?;
    Ok(Schedule {
        name: PLANNED.into(),
        updates: UPDATES,
        spec,
    })
}
