//! The two loss-curve laws: the multi-power law and the LR-annealing law.
//!
//! Both predict the training loss logged at update `i` (the loss of the batch
//! update `i` was computed on) from the LRs of updates `0..=i`. Update 0 is
//! the first update. `S_W` is the warmup's LR sum, `S1(i)` the LR sum of the
//! updates after the warmup through `i`, and `Δ_k = η_{k-1} - η_k` the LR
//! reduction at update `k` (after the warmup).

use serde::Serialize;

use crate::one_pass;
use crate::path::LrPath;

/// The multi-power law (Luo et al., ICLR 2025, "A Multi-Power Law for Loss
/// Curve Prediction Across Learning Rate Schedules"):
///
/// ```text
/// L(i)  = l0 + a (S_W + S1(i))^-alpha - LD(i)
/// LD(i) = b Σ_{W<k<=i} Δ_k G(η_k^-gamma S_k(i)),  S_k(i) = Σ_{k<=τ<=i} η_τ
/// G(x)  = 1 - (c x + 1)^-beta
/// ```
///
/// The constants are in the units of the LRs they were fitted on (`b` in
/// loss per unit LR).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MultiPower {
    /// The loss floor `L0`.
    pub l0: f64,
    /// `A`: the scale of the power law in the LR sum.
    pub a: f64,
    /// `alpha`: the power law's exponent.
    pub alpha: f64,
    /// `B`: the loss reduction per unit of LR decay, at saturation.
    pub b: f64,
    /// `C`: how fast a decay's reduction saturates.
    pub c: f64,
    /// `beta`: the saturation's power.
    pub beta: f64,
    /// `gamma`: how the saturation depends on the LR reached.
    pub gamma: f64,
}

/// The LR-annealing law (Tissue et al., 2024, "Scaling Law with Learning Rate
/// Annealing"), the baseline:
///
/// ```text
/// L(i) = l0 + a (S_W + S1(i))^-alpha - c S2(i)
/// S2(i) = Σ_{W<k<=i} m_k,  m_k = decay m_{k-1} + Δ_k
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Annealing {
    /// The loss floor `L0`.
    pub l0: f64,
    /// `A`: the scale of the power law in the LR sum.
    pub a: f64,
    /// `alpha`: the power law's exponent.
    pub alpha: f64,
    /// `C`: the loss reduction per unit of annealing area.
    pub c: f64,
    /// `lambda`: the momentum of the annealing area (0.999, fixed).
    pub decay: f64,
}

/// A fitted loss-curve law.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "law", content = "params", rename_all = "snake_case")]
pub enum Law {
    /// See [`MultiPower`].
    MultiPower(MultiPower),
    /// See [`Annealing`].
    Annealing(Annealing),
}

impl Law {
    /// The law's name, as the CLI takes it and the JSON gives it: `multi_power` or `annealing`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::MultiPower(_) => "multi_power",
            Self::Annealing(_) => "annealing",
        }
    }

    /// The predicted loss of every update of `path`. In the warmup (where
    /// the law is not fitted) it is the power-law term alone.
    pub fn losses(&self, path: &LrPath) -> Vec<f64> {
        let every: Vec<usize> = (0..path.len()).collect();
        self.losses_at(path, &every)
    }

    /// The predicted loss at the updates `at` (each `< path.len()`, ascending).
    pub fn losses_at(&self, path: &LrPath, at: &[usize]) -> Vec<f64> {
        match self {
            Self::MultiPower(law) => law.predict_at(path, at),
            Self::Annealing(law) => law.losses_at(path, at),
        }
    }

    /// The mean predicted loss of the last 5% of the updates (at least one):
    /// how a run's final loss is read, averaging out the batch noise.
    pub fn final_loss(&self, path: &LrPath) -> f64 {
        let tail = final_window(path.len());
        let at: Vec<usize> = tail.collect();
        let losses = self.losses_at(path, &at);
        losses.iter().sum::<f64>() / losses.len() as f64
    }
}

/// The updates whose mean loss is a run's final loss: the last 5%, at least one.
pub fn final_window(updates: usize) -> std::ops::Range<usize> {
    let tail = updates.div_ceil(20).max(1).min(updates);
    updates - tail..updates
}

/// The power-law term `a (S_W + S1(i))^-alpha`, the LR sum through `i`.
fn power_term(path: &LrPath, l0: f64, a: f64, alpha: f64, i: usize) -> f64 {
    l0 + a * path.sum_before(i + 1).powf(-alpha)
}

impl MultiPower {
    /// The predicted losses at `at`, from one pass over the whole path
    /// (`O(N)`: [`one_pass`]), or from the blocked sum for a `beta` the pass
    /// is not accurate for.
    fn predict_at(&self, path: &LrPath, at: &[usize]) -> Vec<f64> {
        match one_pass::drops(path, self.c, self.beta, self.gamma, lr_floor(path)) {
            Some(drops) => at
                .iter()
                .map(|&i| power_term(path, self.l0, self.a, self.alpha, i) - self.b * drops[i])
                .collect(),
            None => self.losses_at(&Drops::new(path), at),
        }
    }

    pub(crate) fn losses_at(&self, drops: &Drops, at: &[usize]) -> Vec<f64> {
        at.iter()
            .zip(self.drops_at(drops, at))
            .map(|(&i, drop)| power_term(drops.path, self.l0, self.a, self.alpha, i) - drop)
            .collect()
    }

    /// `LD(i)` at every update `i` of `at`.
    pub(crate) fn drops_at(&self, drops: &Drops, at: &[usize]) -> Vec<f64> {
        let path = drops.path;
        let lrs = path.lrs();
        // `η^-gamma` of every block and every update, once for all of `at`.
        let factor = |eta: f64| eta.max(drops.floor).powf(-self.gamma);
        let blocks: Vec<f64> = drops.blocks.iter().map(|b| factor(b.eta)).collect();
        let updates: Vec<f64> = lrs.iter().map(|&eta| factor(eta)).collect();
        // `1 - (1 + c η^-gamma S)^-beta`, as `-expm1(-beta ln1p(..))`.
        let g = |factor: f64, span: f64| -(-self.beta * (self.c * factor * span).ln_1p()).exp_m1();
        at.iter()
            .map(|&i| {
                let through = path.sum_before(i + 1);
                let mut sum = 0.0;
                for (block, factor) in drops
                    .blocks
                    .iter()
                    .zip(&blocks)
                    .take_while(|(b, _)| b.lo <= i)
                {
                    if block.hi + drops.exact_span <= i + 1 {
                        sum += block.delta * g(*factor, through - block.sum_before);
                    } else {
                        for k in block.lo..block.hi.min(i + 1) {
                            let span = through - path.sum_before(k);
                            sum += (lrs[k - 1] - lrs[k]) * g(updates[k], span);
                        }
                    }
                }
                self.b * sum
            })
            .collect()
    }
}

impl Annealing {
    /// The momentum of the annealing area the baseline is fitted with.
    pub const DECAY: f64 = 0.999;

    pub(crate) fn losses_at(&self, path: &LrPath, at: &[usize]) -> Vec<f64> {
        let area = annealing_area(path, self.decay);
        at.iter()
            .map(|&i| power_term(path, self.l0, self.a, self.alpha, i) - self.c * area[i])
            .collect()
    }
}

/// `S2(i)` for every update `i`.
pub(crate) fn annealing_area(path: &LrPath, decay: f64) -> Vec<f64> {
    let lrs = path.lrs();
    let (mut momentum, mut area) = (0.0, 0.0);
    (0..lrs.len())
        .map(|k| {
            if k > path.warmup() {
                momentum = decay * momentum + (lrs[k - 1] - lrs[k]);
                area += momentum;
            }
            area
        })
        .collect()
}

/// The most LR-reduction blocks the multi-power sum visits per update: the
/// reductions are merged into blocks of consecutive updates beyond that
/// (exact for step decays; a centroid rule inside smooth decays, and exact
/// again over the last [`EXACT_BLOCKS`] blocks before an update, where the
/// saturation changes fastest).
const MAX_BLOCKS: usize = 512;
/// The blocks summed term by term before each update.
const EXACT_BLOCKS: usize = 16;

/// The smallest LR the `η^-gamma` factor uses (an LR of 0 reduces the loss
/// no further, and must not make it infinite).
fn lr_floor(path: &LrPath) -> f64 {
    path.peak() * 1e-12
}

/// A path's LR reductions, grouped for the multi-power sum. The fit
/// evaluates the law at a hundred window centres per run, where this blocked
/// sum is cheaper than a pass over the whole path ([`one_pass`]).
pub(crate) struct Drops<'a> {
    pub(crate) path: &'a LrPath,
    blocks: Vec<Block>,
    /// The updates before an update whose reductions are summed one by one.
    exact_span: usize,
    /// [`lr_floor`].
    floor: f64,
}

/// Consecutive updates `lo..hi` with LR reductions, summed.
struct Block {
    lo: usize,
    hi: usize,
    delta: f64,
    eta: f64,
    sum_before: f64,
}

impl<'a> Drops<'a> {
    pub(crate) fn new(path: &'a LrPath) -> Self {
        let lrs = path.lrs();
        let changed: Vec<usize> = (path.warmup() + 1..lrs.len())
            .filter(|&k| lrs[k - 1] != lrs[k])
            .collect();
        let size = changed.len().div_ceil(MAX_BLOCKS).max(1);
        let mut blocks: Vec<Block> = Vec::new();
        let mut start = 0;
        while start < changed.len() {
            let mut end = start + 1;
            // A block holds consecutive reductions of one sign, so its centre
            // is a weighted mean.
            let rises = |k: usize| lrs[k] > lrs[k - 1];
            while end < changed.len()
                && end - start < size
                && changed[end] == changed[end - 1] + 1
                && rises(changed[end]) == rises(changed[start])
            {
                end += 1;
            }
            let (lo, hi) = (changed[start], changed[end - 1] + 1);
            // The reductions' own centre (weighted by each reduction), so
            // that the sum is exact to first order whatever the decay's shape.
            let delta = lrs[lo - 1] - lrs[hi - 1];
            let centre = |f: &dyn Fn(usize) -> f64| {
                (lo..hi).map(|k| (lrs[k - 1] - lrs[k]) * f(k)).sum::<f64>() / delta
            };
            blocks.push(Block {
                lo,
                hi,
                delta,
                eta: centre(&|k| lrs[k]),
                sum_before: centre(&|k| path.sum_before(k)),
            });
            start = end;
        }
        Self {
            path,
            blocks,
            exact_span: if size == 1 { 0 } else { EXACT_BLOCKS * size },
            floor: lr_floor(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law() -> MultiPower {
        MultiPower {
            l0: 0.3,
            a: 0.2,
            alpha: 0.5,
            b: 20.0,
            c: 0.5,
            beta: 0.6,
            gamma: 0.5,
        }
    }

    /// The sum written out term by term, as the paper states it.
    fn by_definition(law: &MultiPower, lrs: &[f64], warmup: usize, i: usize) -> f64 {
        let sum = |from: usize| lrs[from..=i].iter().sum::<f64>();
        let power = law.l0 + law.a * sum(0).powf(-law.alpha);
        let ld: f64 = (warmup + 1..=i)
            .map(|k| {
                let x = lrs[k].powf(-law.gamma) * sum(k);
                (lrs[k - 1] - lrs[k]) * (1.0 - (law.c * x + 1.0).powf(-law.beta))
            })
            .sum();
        power - law.b * ld
    }

    #[test]
    fn the_blocked_sum_follows_the_definition() {
        // 50 warmup updates, 5000 of cosine: 4,999 reductions in 500 blocks,
        // within 1e-5 of the term-by-term sum (measured: 1e-6).
        let lrs: Vec<f64> = (0..50)
            .map(|k| 0.01 * (k + 1) as f64 / 50.0)
            .chain((0..5000).map(|t| {
                (0.005 * (1.0 + (std::f64::consts::PI * t as f64 / 5000.0).cos())).max(1e-5)
            }))
            .collect();
        let path = LrPath::new(lrs.clone()).unwrap();
        let law = law();
        let at = [0, 49, 50, 51, 700, 2500, 4000, 5049];
        let fast = law.losses_at(&Drops::new(&path), &at);
        for (&i, got) in at.iter().zip(fast) {
            let want = by_definition(&law, &lrs, 49, i);
            assert!(
                (got - want).abs() < 1e-5 * want,
                "update {i}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn a_step_decay_is_summed_exactly() {
        let lrs: Vec<f64> = [vec![0.1; 300], vec![0.01; 300], vec![0.0; 100]].concat();
        let path = LrPath::new(lrs.clone()).unwrap();
        let law = law();
        for i in [0, 299, 300, 301, 599, 600, 699] {
            let got = law.losses_at(&Drops::new(&path), &[i])[0];
            if lrs[i] > 0.0 {
                let want = by_definition(&law, &lrs, 0, i);
                assert!((got - want).abs() < 1e-12, "update {i}: {got} vs {want}");
            }
            assert!(got.is_finite(), "update {i}: {got}");
        }
    }

    #[test]
    fn the_annealing_area_follows_its_momentum() {
        let path = LrPath::new(vec![0.1, 0.1, 0.05, 0.05, 0.0]).unwrap();
        let area = annealing_area(&path, 0.5);
        // m = 0, 0.05, 0.025, 0.0625 after updates 1..4.
        let want = [0.0, 0.0, 0.05, 0.075, 0.1375];
        for (got, want) in area.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{area:?}");
        }
    }

    #[test]
    fn the_final_loss_averages_the_last_twentieth() {
        assert_eq!(final_window(4000), 3800..4000);
        assert_eq!(final_window(10), 9..10);
        assert_eq!(final_window(1), 0..1);
    }
}
