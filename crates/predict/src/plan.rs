//! Planning a schedule for a budget: the member of a family with the lowest
//! predicted final loss, against cosine.

use burn_lr_core::schedules::{CosineAnnealingLr, LinearLr, WarmupStableDecay, WsdShape};
use burn_lr_core::{ConfigError, Schedule, Spec};

use crate::law::Law;
use crate::parallel::in_parallel;
use crate::path::LrPath;

/// A schedule family [`plan`] searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Family {
    /// Warmup-stable-decay (`warmup_stable_decay`): the cooldown's length
    /// (5% to 100% of the updates after the warmup), shape (linear, cosine,
    /// `1-sqrt`) and floor (0, 1% or 10% of the peak).
    Wsd,
    /// Cosine annealing over the updates after the warmup, to a floor of 0
    /// to 20% of the peak.
    Cosine,
    /// A linear decay over the updates after the warmup, to a floor of 0 to
    /// 20% of the peak.
    Linear,
}

impl Family {
    /// The names the CLI takes, in order.
    pub const NAMES: &'static [&'static str] = &["wsd", "cosine", "linear"];

    /// The family named `name` (one of [`NAMES`](Self::NAMES)).
    pub fn from_name(name: &str) -> Result<Self, ConfigError> {
        match name {
            "wsd" => Ok(Self::Wsd),
            "cosine" => Ok(Self::Cosine),
            "linear" => Ok(Self::Linear),
            _ => Err(ConfigError::invalid(
                "family",
                format!("\"{name}\""),
                "\"wsd\", \"cosine\" or \"linear\"",
            )),
        }
    }

    /// Every schedule of the family over `after` updates, for a peak LR of `peak`.
    fn members(self, after: u64, peak: f64) -> Vec<Schedule> {
        const FLOORS: [f64; 6] = [0.0, 0.01, 0.02, 0.05, 0.1, 0.2];
        match self {
            Self::Wsd => {
                let mut members = Vec::new();
                for fraction in [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0] {
                    let decay = ((after as f64 * fraction).round() as u64).clamp(1, after);
                    for shape in [WsdShape::Linear, WsdShape::Cosine, WsdShape::OneMinusSqrt] {
                        for floor in [0.0, 0.01, 0.1] {
                            members.push(
                                WarmupStableDecay::new(0, after - decay, decay)
                                    .with_shapes(WsdShape::Linear, shape)
                                    .with_min_lr_ratio(floor)
                                    .into(),
                            );
                        }
                    }
                }
                members
            }
            Self::Cosine => FLOORS
                .iter()
                .map(|floor| {
                    CosineAnnealingLr::new(after)
                        .with_eta_min(floor * peak)
                        .into()
                })
                .collect(),
            Self::Linear => FLOORS
                .iter()
                .map(|floor| LinearLr::new(1.0, *floor, after).into())
                .collect(),
        }
    }
}

/// The schedule [`plan`] picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The schedule, warmup included, for the base LR [`base_lr`](Self::base_lr).
    pub spec: Spec,
    /// The peak LR the spec is meant for (the fitted runs').
    pub base_lr: f64,
    /// Its predicted final loss.
    pub final_loss: f64,
    /// The predicted final loss of cosine to 0 over the same updates, with
    /// the same warmup.
    pub cosine_final_loss: f64,
    /// That cosine schedule (to 0, with the same warmup), at [`base_lr`](Self::base_lr).
    pub cosine: Spec,
    /// How many schedules were compared.
    pub candidates: usize,
}

impl Planned {
    /// The predicted gain over cosine, as a fraction of cosine's final loss
    /// (positive when the plan is predicted to end lower).
    pub fn gain(&self) -> f64 {
        (self.cosine_final_loss - self.final_loss) / self.cosine_final_loss
    }
}

/// The member of `family` with the lowest final loss `law` predicts over
/// `updates` updates, with the warmup and the peak LR of `like` (a fitted run:
/// the law is only trusted at the peak it was fitted at).
pub fn plan(
    law: &Law,
    like: &LrPath,
    updates: u64,
    family: Family,
) -> Result<Planned, ConfigError> {
    let warmup = like.warmup() as u64;
    if updates < warmup + 2 {
        return Err(ConfigError::invalid(
            "updates",
            updates,
            format!(
                "at least {} (the warmup of {warmup} updates, then 2)",
                warmup + 2
            ),
        ));
    }
    let peak = like.peak();
    let with_warmup = |schedule: Schedule| {
        let spec = Spec::new(schedule);
        if warmup == 0 {
            spec
        } else {
            spec.with_warmup(warmup, like.lrs()[0] / peak)
        }
    };
    let predict = |spec: &Spec| -> Result<f64, ConfigError> {
        let lrs = spec.preview(peak, updates as usize)?;
        Ok(law.final_loss(&LrPath::new(lrs)?))
    };
    let after = updates - warmup;
    let cosine = with_warmup(CosineAnnealingLr::new(after).into());
    let cosine_final_loss = predict(&cosine)?;
    let specs: Vec<Spec> = family
        .members(after, peak)
        .into_iter()
        .map(with_warmup)
        .collect();
    let candidates = specs.len();
    let mut best: Option<(f64, Spec)> = None;
    for (spec, loss) in specs.iter().zip(in_parallel(&specs, predict)) {
        let loss = loss?;
        if loss.is_finite() && best.as_ref().is_none_or(|(b, _)| loss < *b) {
            best = Some((loss, spec.clone()));
        }
    }
    let (final_loss, spec) = best.ok_or_else(|| {
        ConfigError::invalid(
            "law",
            "no finite prediction",
            "a law fitted to finite losses",
        )
    })?;
    if final_loss <= 0.0 || cosine_final_loss <= 0.0 {
        return Err(ConfigError::invalid(
            "updates",
            updates,
            format!(
                "a horizon where the law predicts a positive loss (it predicts {final_loss:.4} for the \
                 best schedule and {cosine_final_loss:.4} for cosine: a loss cannot be negative, the law is \
                 far outside its fitted runs); plan fewer updates or fit on longer runs"
            ),
        ));
    }
    Ok(Planned {
        spec,
        base_lr: peak,
        final_loss,
        cosine_final_loss,
        cosine,
        candidates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::Annealing;

    #[test]
    fn a_horizon_where_the_law_predicts_a_negative_loss_is_refused() {
        // A loss of 0.1 + 0.5 S1^-0.5 - 0.001 S2: negative once the annealing area is large.
        let law = Law::Annealing(Annealing {
            l0: 0.1,
            a: 0.5,
            alpha: 0.5,
            c: 0.001,
            decay: Annealing::DECAY,
        });
        let like = LrPath::new(vec![1.0; 100]).unwrap();
        assert!(plan(&law, &like, 20, Family::Cosine).is_ok());
        let error = plan(&law, &like, 5000, Family::Cosine).unwrap_err();
        assert_eq!(error.field(), Some("updates"), "{error}");
        assert!(error.to_string().contains("cannot be negative"), "{error}");
    }
}
